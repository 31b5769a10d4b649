package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"go.opentelemetry.io/otel/attribute"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/telemetry"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/watch"
	"github.com/briefbot/briefbot/config"
)

// observe points the metrics at the running app: the build, each
// platform's connection, the digest lag and the briefings loaded at start.
func (a *app) observe(b build, problems []briefings.Problem) {
	a.metrics.Build(b.Version, b.ShortCommit(), b.GoVersion)
	for _, p := range a.platforms {
		a.metrics.Connection(string(p.name), p.shard, p.Connected)
	}
	if a.store != nil {
		a.metrics.DigestLag(time.Now, func(ctx context.Context, now time.Time) (time.Time, error) {
			return bot.OldestUnposted(ctx, a.store, now)
		})
	}
	a.broken.update(problems)
	a.metrics.Library(a.lib.Len(), a.broken.count())
	if len(problems) == 0 {
		a.metrics.Reloaded(true, a.loadedAt)
	}
}

// reloaded takes a library the watcher rebuilt: swaps it in, re-checks the
// digests' topics against it and records the reload in metrics and a span.
func (a *app) reloaded(r watch.Reload) {
	ctx, span := telemetry.StartAt(context.Background(), "briefings.reload", time.Now().Add(-r.Took),
		attribute.Int("briefings.changed", r.Changed),
		attribute.Int("briefings.removed", r.Removed),
		attribute.Int("briefings.problems", len(r.Problems)),
	)
	a.setFolder(r.Library)
	if a.desk != nil {
		a.desk.SetProblems(r.Problems)
	}
	warnUnknownTopics(a.log, r.Library, configSubscriptions(a.cfg))
	a.broken.update(r.Problems)
	broken := a.broken.count()
	a.metrics.Library(r.Library.Len(), broken)
	a.metrics.Reloaded(len(r.Problems) == 0, time.Now())
	span.SetAttributes(attribute.Int("briefings.broken_files", broken), attribute.Int("briefings.loaded", r.Library.Len()))
	a.log.DebugContext(ctx, "briefings reloaded", "changed", r.Changed, "removed", r.Removed, "problems", len(r.Problems), "broken_files", broken, "took", r.Took)
	var err error
	if len(r.Problems) > 0 {
		err = errors.New("some briefing files failed to load")
	}
	telemetry.End(span, err)
}

// brokenFiles tracks which briefing files are broken now. A reload
// reports only the files it re-read, so a file broken by an earlier reload
// stays counted until it is fixed or deleted: a file still counted is
// re-checked at each reload, which costs a read of the few broken files.
type brokenFiles struct {
	mu    sync.Mutex
	paths map[string]bool
}

// update records the problems of a load or reload and forgets the files
// since fixed or deleted.
func (b *brokenFiles) update(problems []briefings.Problem) {
	now := map[string]bool{}
	for _, p := range problems {
		if !p.Warning {
			now[p.Path] = true
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for path := range b.paths {
		if !now[path] && !stillBroken(path) {
			delete(b.paths, path)
		}
	}
	if b.paths == nil {
		b.paths = map[string]bool{}
	}
	for path := range now {
		b.paths[path] = true
	}
}

func (b *brokenFiles) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.paths)
}

// stillBroken re-reads a briefing file that an earlier load found broken.
// Other paths (aliases.yaml, folders) count until a reload no longer
// reports them.
func stillBroken(path string) bool {
	switch filepath.Ext(path) {
	case ".txt", ".md", ".markdown":
	default:
		return false
	}
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		return true
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return true
	}
	_, problems := briefings.Parse(path, data, st.ModTime())
	for _, p := range problems {
		if !p.Warning {
			return true
		}
	}
	return false
}

// routeLibraryLogs sends what libraries log on their own through log, so
// every line the process writes is one slog record in the configured
// format: discordgo's "[DG0] wsapi.go…" lines (its connection errors,
// with their reason) and anything written with the standard log package.
//
// slack-go writes nothing unless its debug mode is on, and its debug
// output holds request and event payloads, which must not be logged; the
// Slack adapter keeps it off.
func routeLibraryLogs(log *slog.Logger) {
	dg := log.With("component", "discordgo")
	discordgo.Logger = func(msgL, caller int, format string, a ...any) {
		level := slog.LevelDebug
		switch msgL {
		case discordgo.LogError:
			level = slog.LevelError
		case discordgo.LogWarning:
			level = slog.LevelWarn
		case discordgo.LogInformational:
			level = slog.LevelInfo
		}
		ctx := context.Background()
		if !dg.Enabled(ctx, level) {
			return
		}
		var attrs []slog.Attr
		// One frame deeper than discordgo's own logger asks for.
		if _, file, line, ok := runtime.Caller(caller + 1); ok {
			attrs = append(attrs, slog.String("source", filepath.Base(file)+":"+strconv.Itoa(line)))
		}
		dg.LogAttrs(ctx, level, fmt.Sprintf(format, a...), attrs...)
	}
	slog.SetDefault(log)
}

// startTelemetry turns tracing on when the OTEL_* variables ask for it and
// returns the function that flushes spans at shutdown. A broken tracing
// setup is logged, not fatal: the bot runs without traces.
func startTelemetry(ctx context.Context, log *slog.Logger, b build, timeout time.Duration) (flush func()) {
	shutdown, err := telemetry.Setup(ctx, b.Version)
	if err != nil {
		log.Error("tracing is off", "err", err)
		return func() {}
	}
	if telemetry.Enabled(os.Getenv) {
		log.Info("tracing to OTLP", "endpoint", otlpEndpoint())
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		if err := shutdown(ctx); err != nil {
			log.Warn("flush traces", "err", err)
		}
	}
}

// otlpEndpoint is the trace endpoint for the log, without any credentials
// a URL may carry.
func otlpEndpoint() string {
	e := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	if e == "" {
		e = os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
	}
	return config.RedactURL(e)
}

// traceWebhooks gives each platform request (/slack/…, /discord/…) a
// request id and the root span of its trace; probes and scrapes are left
// out of the traces.
func traceWebhooks(next http.Handler) http.Handler {
	traced := telemetry.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/slack/") || strings.HasPrefix(r.URL.Path, "/discord/") {
			traced.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
