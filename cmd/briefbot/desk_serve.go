package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/desk"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/bot/metrics"
	"github.com/briefbot/briefbot/bot/publish"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/config"
)

// newAnalytics counts what readers asked that no briefing answers, in st,
// with counters in m; nil when analytics.enabled is false. Its Observe
// goes beside the metrics' in bot.Options.Observe (see observers), and
// its Run must be started with the other background work.
func newAnalytics(cfg config.Config, st *store.DB, m *metrics.Metrics, log *slog.Logger) (*bot.Analytics, error) {
	if !cfg.Analytics.Enabled {
		log.Info("analytics off: unanswered questions and votes are not counted (analytics.enabled)")
		return nil, nil
	}
	if err := cfg.ValidateAnalytics(); err != nil {
		return nil, usageErr(err)
	}
	c := m.Analytics()
	an, err := bot.NewAnalytics(bot.AnalyticsOptions{
		Store:       st,
		Retention:   cfg.Analytics.Retention,
		Logger:      log.With("component", "analytics"),
		CountedGap:  c.CountedGap,
		CountedVote: c.CountedVote,
	})
	if err != nil {
		return nil, &exitError{code: exitFailure, err: err}
	}
	return an, nil
}

// observers calls each of fns in turn, skipping nil ones: one
// bot.Options.Observe for metrics and analytics.
func observers(fns ...func(bot.Request, bot.Reply, time.Duration)) func(bot.Request, bot.Reply, time.Duration) {
	return func(req bot.Request, r bot.Reply, took time.Duration) {
		for _, f := range fns {
			if f != nil {
				f(req, r, took)
			}
		}
	}
}

// deskOnly reports whether serve has no chat platform to run, so that it
// serves only the desk, on loopback, for a newcomer to try the bot.
func deskOnly(cfg config.Config) bool { return !cfg.SlackEnabled() && !cfg.DiscordEnabled() }

// loopbackAddr is addr with its host replaced by 127.0.0.1 when the host
// is not a loopback address already (":8080" becomes "127.0.0.1:8080").
func loopbackAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("http.addr (%s) %q: %w", config.EnvVar("http.addr"), addr, err)
	}
	if host == "localhost" {
		return addr, nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return addr, nil
	}
	return net.JoinHostPort("127.0.0.1", port), nil
}

// startDesk mounts the editors' desk on mux. It needs api.tokens unless
// the listener at addr is on loopback, where anyone on this machine may
// open it; with neither it stays off and says so. seen and an may be nil.
// Each reload of the briefings folder should pass its problems to the
// returned desk's SetProblems.
func startDesk(cfg config.Config, core *bot.Bot, st *store.DB, seen *bot.FirstSeen, an *bot.Analytics, problems []briefings.Problem,
	addr net.Addr, mux *http.ServeMux, log *slog.Logger,
) (*desk.Handler, error) {
	log = log.With("component", "desk")
	loopback := desk.IsLoopback(addr)
	if len(cfg.API.Tokens) == 0 && !loopback {
		log.Info("desk off: set api.tokens (" + config.EnvVar("api.tokens") + ") to open " + desk.Prefix + " with a token, or bind http.addr to 127.0.0.1")
		return nil, nil
	}
	tokens := make([]publish.Token, len(cfg.API.Tokens))
	for i, t := range cfg.API.Tokens {
		tokens[i] = publish.Token{Name: t.Name, Secret: string(t.Token)}
	}
	opts := desk.Options{
		Core: core, Renderers: deskRenderers(), Tokens: tokens, Loopback: loopback,
		FirstSeen: seen, Digests: st, Logger: log,
	}
	if an != nil {
		opts.Analytics = st
	}
	d, err := desk.NewHandler(opts)
	if err != nil {
		return nil, usageErr(fmt.Errorf("api.tokens (%s): %w", config.EnvVar("api.tokens"), err))
	}
	d.SetProblems(problems)
	d.Routes(mux)
	if loopback {
		log.Info("desk on, no token needed on this loopback address", "url", "http://"+addr.String()+desk.Prefix+"/")
	} else {
		log.Info("desk on, open with an api.tokens token", "path", desk.Prefix+"/")
	}
	return d, nil
}

// deskRenderers pair each adapter's own rendering of a reply, exactly as
// it posts it, with the desk's reader of that platform's messages.
func deskRenderers() []desk.Renderer {
	return []desk.Renderer{
		{Platform: slack.Platform, Name: "Slack", Render: slack.Messages, Parts: desk.SlackParts},
		{Platform: discord.Platform, Name: "Discord", Render: discord.Messages, Parts: desk.DiscordParts},
	}
}
