package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/briefbot/briefbot/config"
)

// hangups delivers SIGHUP until ctx ends.
func hangups(ctx context.Context) <-chan os.Signal {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	context.AfterFunc(ctx, func() { signal.Stop(ch) })
	return ch
}

// reloadSecrets re-reads the secret files (slack.bot_token_file, …) each
// time hup fires, until ctx ends, and hands a configuration whose secrets
// changed to apply with the keys that changed. A file that cannot be read
// or holds a bad value is logged and the running configuration kept.
// Values are never logged, only key names.
func reloadSecrets(ctx context.Context, log *slog.Logger, cfg config.Config, hup <-chan os.Signal, apply func(config.Config, []string)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		next, changed, err := cfg.ReloadSecrets()
		if err == nil {
			err = checkPlatforms(next)
		}
		if err != nil {
			log.Error("SIGHUP: secrets not reloaded; keeping the running ones", "err", err)
			continue
		}
		if len(changed) == 0 {
			log.Info("SIGHUP: secret files re-read; nothing changed")
			continue
		}
		cfg = next
		log.Info("SIGHUP: secret files re-read", "changed", changed)
		apply(cfg, changed)
	}
}

// secretsRotated takes secrets re-read on SIGHUP. The adapters and the
// store hold the credentials they started with and have no way yet to
// swap them while connected, so the operator is told which keys wait for
// the next restart (a rolling restart in Kubernetes).
func (a *app) secretsRotated(_ config.Config, changed []string) {
	a.log.Warn("rotated secrets take effect at the next restart", "keys", changed)
}
