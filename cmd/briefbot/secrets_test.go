package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
)

func TestReloadSecretsOnHangup(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	write(t, tokenFile, "xoxb-1-old\n")
	for _, k := range config.Keys() {
		t.Setenv(config.EnvVar(k), "")
	}
	t.Setenv("BRIEFBOT_SLACK_BOT_TOKEN_FILE", tokenFile)
	t.Setenv("BRIEFBOT_SLACK_APP_TOKEN", "xapp-1") // socket mode: a whole Slack configuration
	cfg, err := config.Load(config.Options{SearchPaths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	hup := make(chan os.Signal)
	applied := make(chan config.Config)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go reloadSecrets(ctx, slog.New(slog.NewTextHandler(logs, nil)), cfg, hup, func(c config.Config, changed []string) {
		if len(changed) != 1 || changed[0] != "slack.bot_token" {
			t.Errorf("changed = %v", changed)
		}
		applied <- c
	})

	write(t, tokenFile, "xoxb-2-new\n")
	hup <- os.Interrupt
	select {
	case c := <-applied:
		if c.Slack.BotToken != "xoxb-2-new" {
			t.Errorf("applied token %q", c.Slack.BotToken)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the new secret was never applied")
	}
	// A broken rotation (not a bot token, by the Slack adapter's own check)
	// keeps the running secret and says so.
	write(t, tokenFile, "oops\n")
	hup <- os.Interrupt
	hup <- os.Interrupt // the first was handled once this one is taken
	out := logs.String()
	if !strings.Contains(out, "secrets not reloaded") || !strings.Contains(out, "slack.bot_token") {
		t.Errorf("log:\n%s", out)
	}
	for _, secret := range []string{"xoxb-1-old", "xoxb-2-new", "oops"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds the secret %q", secret)
		}
	}
}
