package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/digest"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/bot/metrics"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/bot/telemetry"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/watch"
	"github.com/briefbot/briefbot/config"
)

func (m *Main) serveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the bot: Slack, Discord, digests and the HTTP listener",
		Long: `Run the bot: every configured platform (Slack, Discord), the digest
scheduler, and the HTTP listener on http.addr with /healthz, /readyz,
/metrics and the platforms' webhooks. SIGINT or SIGTERM stops it
gracefully within shutdown.timeout.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := m.loadConfig(cmd)
			if err != nil {
				return err
			}
			if err := cfg.ValidateServe(); err != nil {
				return usageErr(fmt.Errorf("cannot serve:\n  %w", err))
			}
			return m.serve(cmd.Context(), cfg)
		},
	}
}

// app is the running bot: everything serve wires together. The digest
// commands build one too, without starting it.
type app struct {
	cfg     config.Config
	log     *slog.Logger
	metrics *metrics.Metrics
	lib     *briefings.Library
	// loadedAt is when the briefings were read, for the watcher to catch up from.
	loadedAt time.Time
	core     *bot.Bot
	store    *store.DB
	slack    *slack.Adapter
	discord  *discord.Adapter
	posters  map[bot.Platform]bot.Poster
	sched    *digest.Scheduler

	// broken tracks the briefing files broken now, for metrics.
	broken brokenFiles
}

// newApp loads the briefings, opens the store, syncs the configured
// digests and builds the core, the adapters and the scheduler.
func (m *Main) newApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: log, metrics: metrics.New(), posters: make(map[bot.Platform]bot.Poster), loadedAt: time.Now()}
	var loadProblems []briefings.Problem
	if cfg.Briefings.Dir == "" {
		a.lib = briefings.Sample()
		log.Info("serving the bundled sample briefings; set briefings.dir (BRIEFBOT_BRIEFINGS_DIR) for your own")
	} else {
		lib, problems, err := briefings.Load(cfg.Briefings.Dir)
		if err != nil {
			return nil, usageErr(err)
		}
		for _, p := range problems {
			log.Warn("briefing problem", "problem", p.Error())
		}
		a.lib = lib
		loadProblems = problems
	}

	st, err := store.OpenWith(ctx, cfg.Store.URL, store.Options{Logger: log.With("component", "store"), ConnectTimeout: cfg.Store.ConnectTimeout})
	if err != nil {
		return nil, &exitError{code: exitFailure, err: err}
	}
	a.store = st
	if err := st.SyncConfigSubscriptions(ctx, configSubscriptions(cfg)); err != nil {
		st.Close()
		return nil, &exitError{code: exitFailure, err: fmt.Errorf("sync configured digests: %w", err)}
	}
	warnUnknownTopics(log, a.lib, configSubscriptions(cfg))

	a.core = bot.New(bot.Options{
		Library:              a.lib,
		Logger:               log.With("component", "bot"),
		Command:              cfg.Slack.Command,
		Observe:              a.metrics.ObserveCommand,
		Store:                st,
		SubscriptionsChanged: func() { a.sched.Wake() },
	})
	if cfg.SlackEnabled() {
		sa, err := slack.New(slack.Config{
			BotToken:      cfg.Slack.BotToken,
			AppToken:      cfg.Slack.AppToken,
			SigningSecret: cfg.Slack.SigningSecret,
			Mode:          cfg.Slack.Mode,
			Command:       cfg.Slack.Command,
			Reply:         cfg.Slack.Reply,
			APIURL:        cfg.Slack.APIURL,
			Admins:        cfg.Slack.Admins,
			Logger:        log.With("component", "slack"),
		}, a.core,
			slack.WithHTTPClient(&http.Client{Timeout: 15 * time.Second, Transport: a.metrics.Transport("slack", telemetry.Transport(nil))}),
			slack.WithEventLog(st))
		if err != nil {
			st.Close()
			return nil, usageErr(err)
		}
		a.slack = sa
		a.posters[bot.PlatformSlack] = sa
	}
	if cfg.DiscordEnabled() {
		dc := discordConfig(cfg.Discord)
		dc.Logger = log.With("component", "discord")
		dc.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: a.metrics.Transport("discord", telemetry.Transport(nil))}
		da, err := discord.New(dc, a.core)
		if err != nil {
			st.Close()
			return nil, usageErr(err)
		}
		a.discord = da
		a.posters[bot.PlatformDiscord] = da
	}
	a.sched = digest.New(digest.Options{
		Store:       st,
		Composer:    a.core,
		Posters:     a.posters,
		Owner:       replicaID(),
		Grace:       cfg.Digest.Grace,
		MaxFailures: cfg.Digest.MaxFailures,
		Logger:      log.With("component", "digest"),
		Observe:     a.metrics.ObserveDigest,
		OnPause:     func(bot.Subscription, string) { a.metrics.Paused() },
	})
	a.observe(readBuild(), loadProblems)
	return a, nil
}

// discordConfig maps the discord.* keys onto the adapter's settings.
func discordConfig(c config.Discord) discord.Config {
	return discord.Config{
		Token:            c.Token,
		AppID:            c.AppID,
		PublicKey:        c.PublicKey,
		GuildID:          c.GuildID,
		Mode:             c.Mode,
		Reply:            c.Reply,
		RegisterCommands: c.RegisterCommands,
		APIURL:           c.APIURL,
		ShardID:          c.ShardID,
		ShardCount:       c.ShardCount,
	}
}

func (a *app) Close() error { return a.store.Close() }

// serve runs until ctx is done (SIGINT or SIGTERM), then stops taking
// requests, lets answers and posts in flight finish within
// shutdown.timeout, and closes the platform connections.
func (m *Main) serve(ctx context.Context, cfg config.Config) error {
	log := newLogger(m.Stderr, cfg, slog.LevelDebug)
	routeLibraryLogs(log)
	defer startTelemetry(ctx, log, readBuild(), cfg.Shutdown.Timeout)()

	// Listen first: while the briefings load and the store is awaited,
	// /healthz answers and /readyz says why it is not ready yet.
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("listen on http.addr (%s): %w", config.EnvVar("http.addr"), err)}
	}
	front := startingHandler("loading briefings and connecting to the store")
	srv, limited := newHTTPServer(cfg.HTTP, ln, front, log)
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(limited) }()

	a, err := m.newApp(ctx, cfg, log)
	if err != nil {
		srv.Close()
		return err
	}
	defer a.Close()
	ready := &readiness{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if reason := ready.check(r.Context(), a); reason != "" {
			http.Error(w, "not ready: "+reason, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	stopMetrics, err := serveMetrics(cfg, mux, a.metrics.Handler(), log)
	if err != nil {
		srv.Close()
		return &exitError{code: exitFailure, err: err}
	}
	defer stopMetrics()
	if a.slack != nil && a.slack.Mode() == slack.ModeHTTP {
		a.slack.Routes(mux)
	}
	if a.discord != nil {
		a.discord.Routes(mux)
	}
	front.set(traceWebhooks(a.metrics.CountRefusals(time.Now, mux)))
	// Tests are told the address once the app answers on it.
	if m.Listening != nil {
		m.Listening(ln.Addr())
	}

	// Platforms, the scheduler and the watcher run on their own context,
	// cancelled only after the HTTP server has drained.
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRun()
	var wg sync.WaitGroup
	failed := make(chan error, 4)
	start := func(name string, run func(context.Context) error) {
		wg.Go(func() {
			if err := run(runCtx); err != nil && runCtx.Err() == nil {
				failed <- fmt.Errorf("%s: %w", name, err)
			}
		})
	}
	if a.slack != nil {
		ready.platforms.Add(1)
		start("slack", func(ctx context.Context) error { defer ready.platforms.Add(-1); return a.slack.Run(ctx) })
	}
	if a.discord != nil {
		ready.platforms.Add(1)
		start("discord", func(ctx context.Context) error { defer ready.platforms.Add(-1); return a.discord.Run(ctx) })
	}
	ready.expected = ready.platforms.Load()
	start("digest scheduler", a.sched.Run)
	go reloadSecrets(runCtx, log, cfg, hangups(runCtx), a.secretsRotated)
	// The search index is built now, not on the first search; then the
	// garbage of parsing goes back to the system.
	go func() {
		a.lib.PrepareSearch()
		debug.FreeOSMemory()
	}()
	if cfg.Briefings.Dir != "" {
		w := &watch.Watcher{Dir: cfg.Briefings.Dir, PollInterval: cfg.Briefings.PollInterval, Since: a.loadedAt, Logger: log.With("component", "watch"), OnReload: a.reloaded}
		start("briefings watcher", func(ctx context.Context) error { return w.Run(ctx, a.lib) })
	}
	log.Info("briefbot serving", "addr", ln.Addr().String(), "slack", a.slack != nil, "discord", a.discord != nil, "briefings", a.lib.Len(), "store", a.store.Backend(), "build", readBuild())

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "timeout", cfg.Shutdown.Timeout)
	case err := <-failed:
		runErr = err
		log.Error("stopping after a failure", "err", err)
	case err := <-serveErr:
		runErr = fmt.Errorf("http server: %w", err)
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.Shutdown.Timeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		log.Warn("http server did not drain in time", "err", err)
	}
	stopRun()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-shutCtx.Done():
		log.Warn("some work did not finish within shutdown.timeout")
	}
	if runErr != nil {
		return &exitError{code: exitFailure, err: runErr}
	}
	log.Info("stopped")
	return nil
}

// readiness answers /readyz: briefings loaded, store reachable, every
// platform running.
type readiness struct {
	platforms atomic.Int32
	expected  int32
}

func (r *readiness) check(ctx context.Context, a *app) string {
	if a.core.Library().Len() == 0 {
		return "no briefings loaded"
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := a.store.Ping(ctx); err != nil {
		return "store unreachable"
	}
	if r.platforms.Load() < r.expected {
		return "a platform connection stopped"
	}
	if a.slack != nil && !a.slack.Connected() {
		return "slack socket mode is not connected"
	}
	if a.discord != nil && !a.discord.Connected() {
		return "discord gateway is not connected"
	}
	return ""
}

func configSubscriptions(cfg config.Config) []bot.Subscription {
	subs := make([]bot.Subscription, 0, len(cfg.Digests))
	for _, d := range cfg.Digests {
		subs = append(subs, bot.Subscription{
			ID:        d.ID,
			Platform:  bot.Platform(d.Platform),
			Channel:   d.Channel,
			Schedule:  d.Schedule,
			Timezone:  d.Timezone,
			Topics:    d.Topics,
			Include:   d.Include,
			WhenEmpty: d.WhenEmpty,
			Source:    bot.SourceConfig,
			CreatedAt: time.Now(),
		})
	}
	return subs
}

// replicaID names this process in digest claims: host, process and a
// random part, so two replicas never share one.
func replicaID() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), rand.Text()[:6])
}
