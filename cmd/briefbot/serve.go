package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/desk"
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
			if err := errors.Join(cfg.ValidateServe(), checkPlatforms(cfg)); err != nil {
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
	// platforms are the configured chat platforms, in a fixed order.
	platforms []namedPlatform
	posters   map[bot.Platform]bot.Poster
	sched     *digest.Scheduler

	// broken tracks the briefing files broken now, for metrics.
	broken brokenFiles
	// seen records when each briefing version was first seen by any
	// replica: "new" in digests, and the history "changes" compares with.
	seen *bot.FirstSeen
	// setFolder takes a reloaded folder library and lays the published
	// briefings over it.
	setFolder func(*briefings.Library)
	// analytics counts unanswered questions and votes; nil when off.
	analytics *bot.Analytics
	// problems are the check problems of the first load, for the desk.
	problems []briefings.Problem
	// desk is the editors' desk; nil when it is off.
	desk *desk.Handler
}

// platform is a chat platform's adapter as serve runs it.
type platform interface {
	// Run serves the platform until ctx is done.
	Run(ctx context.Context) error
	// Routes mounts the platform's webhooks, when its mode has any.
	Routes(mux *http.ServeMux)
	// Connected reports whether the platform can receive requests.
	Connected() bool
	// HoldsConnection reports whether requests arrive over a connection
	// the platform keeps open (Slack Socket Mode, the Discord gateway)
	// rather than as webhooks on the HTTP listener.
	HoldsConnection() bool
	// Trouble says what is wrong beside the connection (a command
	// registration that keeps failing), "" when nothing is.
	Trouble() string
	// Poster posts the scheduler's digests.
	bot.Poster
}

var (
	_ platform = (*slack.Adapter)(nil)
	_ platform = (*discord.Adapter)(nil)
)

// namedPlatform is a platform with the name subscriptions use for it and
// the gateway shard this process runs (0 where there are no shards).
type namedPlatform struct {
	name  bot.Platform
	shard int
	platform
	run *platformRun
}

// Connected is the platform's own word, and false while its Run is
// failing and waiting to be restarted: the connection gauge and /readyz
// read it.
func (p namedPlatform) Connected() bool { return p.run.running.Load() && p.platform.Connected() }

// platformRun is what serve knows of a platform it keeps running.
type platformRun struct {
	// running is true while Run has been called and has not returned.
	running atomic.Bool
	// lastErr is why Run last returned; /readyz shows it while the
	// platform is down.
	lastErr atomic.Pointer[string]
}

// addPlatform registers p under name for serving and posting.
func (a *app) addPlatform(name bot.Platform, shard int, p platform) {
	run := &platformRun{}
	run.running.Store(true) // it is started with serve; until then it is not failing
	a.platforms = append(a.platforms, namedPlatform{name, shard, p, run})
	a.posters[name] = p
}

// healthyRun is how long Run must last for its next failure to count as
// a first one again, retried soon.
const healthyRun = time.Minute

// keepRunning runs p until ctx is done. Each platform runs on its own: when
// its Run fails (a refused token, a gateway that closed, a network down),
// the reason is logged and kept for /readyz, and Run is started again
// after a back-off with jitter. It never ends the process, so one
// platform's trouble leaves the others serving.
func (a *app) keepRunning(ctx context.Context, p namedPlatform, backoff *bot.Backoff) {
	for {
		began := time.Now()
		p.run.running.Store(true)
		err := p.platform.Run(ctx)
		p.run.running.Store(false)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			err = errors.New("stopped without an error")
		}
		if time.Since(began) > healthyRun {
			backoff.Reset()
		}
		wait := backoff.Next()
		reason := err.Error()
		p.run.lastErr.Store(&reason)
		a.log.Error("platform stopped; starting it again", "platform", p.name, "shard", p.shard, "err", err, "retry_in", wait.Round(time.Millisecond))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// newApp loads the briefings, opens the store, syncs the configured
// digests and builds the core, the adapters and the scheduler.
func (m *Main) newApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: log, metrics: metrics.New(slack.Platform, discord.Platform), posters: make(map[bot.Platform]bot.Poster), loadedAt: time.Now()}
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
		a.problems = problems
	}

	st, err := store.OpenWith(ctx, cfg.Store.URL, store.Options{Logger: log.With("component", "store"), ConnectTimeout: cfg.Store.ConnectTimeout})
	if err != nil {
		return nil, &exitError{code: exitFailure, err: err}
	}
	a.store = st
	a.seen = bot.NewFirstSeen(st, nil)
	if err := st.SyncConfigSubscriptions(ctx, configSubscriptions(cfg)); err != nil {
		st.Close()
		return nil, &exitError{code: exitFailure, err: fmt.Errorf("sync configured digests: %w", err)}
	}
	warnUnknownTopics(log, a.lib, configSubscriptions(cfg))

	if a.analytics, err = newAnalytics(cfg, st, a.metrics, log); err != nil {
		st.Close()
		return nil, err
	}
	a.core = bot.New(bot.Options{
		Library:              a.lib,
		Logger:               log.With("component", "bot"),
		Command:              cfg.Slack.Command,
		Observe:              observers(a.metrics.ObserveCommand, a.analytics.Observe),
		Store:                st,
		SubscriptionsChanged: func() { a.sched.Wake() },
	})
	// Vote buttons under answers only when analytics count them: a nil
	// *bot.Analytics must not become a non-nil bot.Voter.
	var voter bot.Voter
	if a.analytics != nil {
		voter = a.analytics
	}
	if cfg.SlackEnabled() {
		sa, err := slack.New(slackConfig(cfg.Slack, log.With("component", "slack")), a.core,
			slack.WithHTTPClient(&http.Client{Timeout: 15 * time.Second, Transport: a.metrics.Transport("slack", telemetry.Transport(nil))}),
			slack.WithEventLog(st), slack.WithWorkspaces(st), slack.WithSubscriptions(st), slack.WithVoter(voter))
		if err != nil {
			st.Close()
			return nil, usageErr(withConfigKeys(err))
		}
		a.addPlatform(slack.Platform, 0, sa)
	}
	if cfg.DiscordEnabled() {
		dc := discordConfig(cfg.Discord)
		dc.Logger = log.With("component", "discord")
		dc.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: a.metrics.Transport("discord", telemetry.Transport(nil))}
		dc.Voter = voter
		dc.Events = st
		da, err := discord.New(dc, a.core)
		if err != nil {
			st.Close()
			return nil, usageErr(withConfigKeys(err))
		}
		a.addPlatform(discord.Platform, cfg.Discord.ShardID, da)
	}
	a.sched = digest.New(digest.Options{
		Store:       st,
		Composer:    firstSeenComposer{a.core, a.seen},
		Posters:     a.posters,
		Owner:       replicaID(),
		Grace:       cfg.Digest.Grace,
		MaxFailures: cfg.Digest.MaxFailures,
		Logger:      log.With("component", "digest"),
		Observe:     a.metrics.ObserveDigest,
		OnPause:     func(bot.Subscription, string) { a.metrics.Paused() },
	})
	// Until publishing starts, a reloaded folder is served as it is.
	a.setFolder = a.core.SetLibrary
	a.observe(readBuild(), loadProblems)
	return a, nil
}

// slackConfig maps the slack.* keys onto the adapter's settings;
// slackKeys is the way back, for errors.
func slackConfig(c config.Slack, log *slog.Logger) slack.Config {
	return slack.Config{
		BotToken:      c.BotToken,
		AppToken:      c.AppToken,
		SigningSecret: c.SigningSecret,
		Mode:          c.Mode,
		Command:       c.Command,
		Reply:         c.Reply,
		APIURL:        c.APIURL,
		Admins:        c.Admins,
		ClientID:      c.ClientID,
		ClientSecret:  c.ClientSecret,
		TokenKey:      c.TokenKey,
		Logger:        log,
	}
}

var slackKeys = map[string]string{
	"BotToken":      "slack.bot_token",
	"AppToken":      "slack.app_token",
	"SigningSecret": "slack.signing_secret",
	"Mode":          "slack.mode",
	"Command":       "slack.command",
	"Reply":         "slack.reply",
	"APIURL":        "slack.api_url",
	"Admins":        "slack.admins",
	"ClientID":      "slack.client_id",
	"ClientSecret":  "slack.client_secret",
	"TokenKey":      "slack.token_key",
}

var discordKeys = map[string]string{
	"Token":            "discord.token",
	"AppID":            "discord.app_id",
	"PublicKey":        "discord.public_key",
	"GuildID":          "discord.guild_id",
	"Mode":             "discord.mode",
	"Reply":            "discord.reply",
	"RegisterCommands": "discord.register_commands",
	"APIURL":           "discord.api_url",
	"ShardID":          "discord.shard_id",
	"ShardCount":       "discord.shard_count",
}

// checkPlatforms runs the adapters' own checks on the platforms cfg
// starts, naming config keys and variables: the adapters hold the rules
// for their settings, config only reads them.
func checkPlatforms(cfg config.Config) error {
	var errs []error
	if cfg.SlackEnabled() {
		if err := slackConfig(cfg.Slack, nil).Check(); err != nil {
			errs = append(errs, withConfigKeys(err))
		}
	}
	if cfg.DiscordEnabled() {
		if err := discordConfig(cfg.Discord).Check(); err != nil {
			errs = append(errs, withConfigKeys(err))
		}
	}
	return errors.Join(errs...)
}

// withConfigKeys restates the adapters' field errors in terms of the
// configuration: each field becomes its key and environment variable
// ("discord.app_id (BRIEFBOT_DISCORD_APP_ID) is required"). Other errors
// pass unchanged.
func withConfigKeys(err error) error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var errs []error
		for _, e := range joined.Unwrap() {
			errs = append(errs, withConfigKeys(e))
		}
		return errors.Join(errs...)
	}
	key := func(keys map[string]string, field string) string {
		k, ok := keys[field]
		if !ok {
			return field
		}
		return k + " (" + config.EnvVar(k) + ")"
	}
	if fe, ok := errors.AsType[*slack.FieldError](err); ok {
		return fmt.Errorf("%s %s", key(slackKeys, fe.Field), fe.Problem)
	}
	if fe, ok := errors.AsType[*discord.FieldError](err); ok {
		return fmt.Errorf("%s %s", key(discordKeys, fe.Field), fe.Problem)
	}
	return err
}

// discordConfig maps the discord.* keys onto the adapter's settings;
// discordKeys is the way back, for errors.
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
	addr := cfg.HTTP.Addr
	if deskOnly(cfg) {
		var err error
		if addr, err = loopbackAddr(addr); err != nil {
			return usageErr(err)
		}
		log.Info("no chat platform configured (set slack.bot_token or discord.token): serving only the desk, on loopback, for trying the bot", "url", "http://"+addr+"/desk/")
	}
	ln, err := net.Listen("tcp", addr)
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
	// Platforms, the scheduler and the watcher run on their own context,
	// cancelled only after the HTTP server has drained.
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRun()
	var wg sync.WaitGroup
	failed := make(chan error, 8) // more than the goroutines started
	start := func(name string, run func(context.Context) error) {
		wg.Go(func() {
			if err := run(runCtx); err != nil && runCtx.Err() == nil {
				failed <- fmt.Errorf("%s: %w", name, err)
			}
		})
	}
	ready := readiness{require: cfg.Readiness.Require}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { ready.serve(w, r, a) })
	limited.observe(a.metrics)
	stopMetrics, err := serveMetrics(cfg, mux, a.metrics.Handler(), log)
	if err != nil {
		srv.Close()
		return &exitError{code: exitFailure, err: err}
	}
	defer stopMetrics()
	for _, p := range a.platforms {
		p.Routes(mux)
	}
	a.setFolder, err = startPublishing(ctx, cfg, a.store, a.core, a.lib, a.seen, mux, start, log)
	if err != nil {
		srv.Close()
		return err
	}
	if a.desk, err = startDesk(cfg, a.core, a.store, a.seen, a.analytics, a.problems, ln.Addr(), mux, log); err != nil {
		srv.Close()
		return err
	}
	front.set(traceWebhooks(a.metrics.CountRefusals(time.Now, mux)))
	// Tests are told the address once the app answers on it.
	if m.Listening != nil {
		m.Listening(ln.Addr())
	}

	for _, p := range a.platforms {
		wg.Go(func() { a.keepRunning(runCtx, p, &bot.Backoff{Base: time.Second, Max: 5 * time.Minute}) })
	}
	start("digest scheduler", a.sched.Run)
	if a.analytics != nil {
		start("analytics", a.analytics.Run)
	}
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
	names := make([]string, 0, len(a.platforms))
	for _, p := range a.platforms {
		names = append(names, string(p.name))
	}
	log.Info("briefbot serving", "addr", ln.Addr().String(), "platforms", names, "briefings", a.lib.Len(), "store", a.store.Backend(), "build", readBuild())

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

// readiness answers /readyz: "can this process serve the traffic it
// receives". Each check of config.ReadinessChecks is reported in the
// body, one line each; only those in require make it 503.
type readiness struct {
	require []string
}

// readyCheck is one line of /readyz.
type readyCheck struct {
	name    string
	problem string // "" when the check passes
	// notes are worth an operator's eye but do not fail the check (a
	// command registration failing while the commands Discord has work).
	notes string
}

func (r readiness) serve(w http.ResponseWriter, req *http.Request, a *app) {
	checks := r.checks(req.Context(), a)
	var body strings.Builder
	failed := false
	for _, c := range checks {
		required := slices.Contains(r.require, c.name)
		switch {
		case c.problem == "" && c.notes != "":
			fmt.Fprintf(&body, "%s: ok; %s\n", c.name, c.notes)
		case c.problem == "":
			fmt.Fprintf(&body, "%s: ok\n", c.name)
		case required:
			failed = true
			fmt.Fprintf(&body, "%s: %s\n", c.name, c.problem)
		default:
			fmt.Fprintf(&body, "%s: %s (not required)\n", c.name, c.problem)
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if failed {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "not ready\n"+body.String())
		return
	}
	fmt.Fprint(w, "ready\n"+body.String())
}

// checks runs every readiness check.
func (r readiness) checks(ctx context.Context, a *app) []readyCheck {
	var httpProblems, gatewayProblems, httpNotes, gatewayNotes []string
	for _, p := range a.platforms {
		name := string(p.name)
		if p.name == discord.Platform && p.HoldsConnection() && a.cfg.Discord.ShardCount > 1 {
			name = fmt.Sprintf("%s shard %d", p.name, p.shard)
		}
		var problem string
		lastErr := ""
		if e := p.run.lastErr.Load(); e != nil {
			lastErr = *e
		}
		switch {
		case !p.run.running.Load():
			problem = name + " stopped (" + lastErr + "), starting again"
		case !p.Connected():
			problem = name + " is not connected"
			if lastErr != "" {
				problem += " (last error: " + lastErr + ")"
			}
		}
		if t := p.Trouble(); t != "" && t != lastErr {
			if problem == "" {
				// Serving, with something to fix all the same.
				if p.HoldsConnection() {
					gatewayNotes = append(gatewayNotes, name+": "+t)
				} else {
					httpNotes = append(httpNotes, name+": "+t)
				}
			} else {
				problem += "; " + t
			}
		}
		if problem == "" {
			continue
		}
		if p.HoldsConnection() {
			gatewayProblems = append(gatewayProblems, problem)
		} else {
			httpProblems = append(httpProblems, problem)
		}
	}
	briefingsProblem := ""
	if a.core.Library().Len() == 0 {
		briefingsProblem = "no briefings loaded"
	}
	storeProblem := ""
	pingCtx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := a.store.Ping(pingCtx); err != nil {
		storeProblem = "store unreachable"
	} else {
		writeCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := a.store.ProbeWrite(writeCtx, time.Now()); err != nil {
			storeProblem = "store cannot write"
		}
	}
	return []readyCheck{
		{config.ReadyHTTP, strings.Join(httpProblems, "; "), strings.Join(httpNotes, "; ")},
		{config.ReadyBriefings, briefingsProblem, ""},
		{config.ReadyStore, storeProblem, ""},
		{config.ReadyGateway, strings.Join(gatewayProblems, "; "), strings.Join(gatewayNotes, "; ")},
	}
}

// The scheduler corrects posted digests only through a Corrector.
var _ digest.Corrector = firstSeenComposer{}

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

			Corrections:       d.Corrections,
			CorrectionsWindow: d.CorrectionsWindow,
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
