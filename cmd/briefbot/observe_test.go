package main

import (
	"bytes"
	stdlog "log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/metrics"
	"github.com/briefbot/briefbot/bot/telemetry"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/watch"
)

func TestBrokenFilesCountsUntilFixed(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	write(t, a, "\x00\x01 not text")
	write(t, b, "\x00\x01 not text")
	_, problems, err := briefings.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var bf brokenFiles
	bf.update(problems)
	if n := bf.count(); n != 2 {
		t.Fatalf("after the first load: %d broken, want 2 (%v)", n, problems)
	}
	// A reload that re-read neither file reports nothing: both still count.
	bf.update(nil)
	if n := bf.count(); n != 2 {
		t.Errorf("after an unrelated reload: %d broken, want 2", n)
	}
	write(t, a, "Alpha\nA fixed briefing.\n")
	bf.update(nil)
	if n := bf.count(); n != 1 {
		t.Errorf("after fixing a.txt: %d broken, want 1", n)
	}
	os.Remove(b)
	bf.update(nil)
	if n := bf.count(); n != 0 {
		t.Errorf("after deleting b.txt: %d broken, want 0", n)
	}
}

func TestReloadIsOneSpanAndTrueMetrics(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	prev := otel.GetTracerProvider()
	telemetry.Install(sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp)))
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	lib := briefings.Sample()
	a := &app{log: slog.New(slog.DiscardHandler), metrics: metrics.New(), lib: lib, core: bot.New(bot.Options{Library: lib})}
	a.setFolder = a.core.SetLibrary
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.txt")
	write(t, broken, "\x00\x01")
	a.reloaded(watch.Reload{Library: lib, Changed: 1, Problems: []briefings.Problem{{Path: broken, Line: 1, Message: "binary"}}, Took: 20 * time.Millisecond})

	spans := exp.GetSpans()
	if len(spans) != 1 || spans[0].Name != "briefings.reload" {
		t.Fatalf("spans: %v", spans)
	}
	s := spans[0]
	attrs := map[string]string{}
	for _, kv := range s.Attributes {
		attrs[string(kv.Key)] = kv.Value.Emit()
	}
	for k, want := range map[string]string{"briefings.changed": "1", "briefings.problems": "1", "briefings.broken_files": "1"} {
		if attrs[k] != want {
			t.Errorf("span attribute %s = %q, want %q", k, attrs[k], want)
		}
	}
	if attrs["briefbot.request_id"] == "" {
		t.Error("the reload span has no request id")
	}
	if s.Status.Code != codes.Error {
		t.Errorf("a reload with a broken file has status %v, want Error", s.Status.Code)
	}
	if took := s.EndTime.Sub(s.StartTime); took < 20*time.Millisecond {
		t.Errorf("span lasts %s, want at least the reload's 20ms", took)
	}
	rec := httptest.NewRecorder()
	a.metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, want := range []string{"briefbot_briefing_load_errors 1\n", `briefbot_reloads_total{result="error"} 1`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestLibraryLogsGoThroughSlog(t *testing.T) {
	prevDG, prevDefault := discordgo.Logger, slog.Default()
	t.Cleanup(func() { discordgo.Logger = prevDG; slog.SetDefault(prevDefault) })
	var buf bytes.Buffer
	routeLibraryLogs(slog.New(slog.NewJSONHandler(&buf, nil)))

	discordgo.Logger(discordgo.LogError, 1, "error connecting to gateway %s, %s", "wss://gateway.discord.gg", "dial tcp: connection refused")
	stdlog.Printf("a library line")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2 JSON records:\n%s", len(lines), buf.String())
	}
	for _, want := range []string{`"level":"ERROR"`, `"component":"discordgo"`, `connection refused`, `"source":"`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("discordgo line lacks %s: %s", want, lines[0])
		}
	}
	if !strings.Contains(lines[1], `"msg":"a library line"`) {
		t.Errorf("standard log line not a slog record: %s", lines[1])
	}
}

// TestServeTracesWebhooks runs serve with an in-memory span exporter: a
// slash command is the root of a trace with a request id, and probes make
// no spans.
func TestServeTracesWebhooks(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	prev := otel.GetTracerProvider()
	telemetry.Install(sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp)))
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	s := startServe(t)
	get(t, "http://"+s.addr+"/readyz")
	if code, body := s.command(t, "mars risks", time.Now()); code != http.StatusOK {
		t.Fatalf("command: %d %s", code, body)
	}
	var root tracetest.SpanStub
	for _, sp := range exp.GetSpans() {
		if sp.Name == "POST /slack/commands" {
			root = sp
		}
		if strings.Contains(sp.Name, "readyz") {
			t.Errorf("a probe made a span: %s", sp.Name)
		}
	}
	if root.Name == "" {
		t.Fatalf("no span for the command among %d", len(exp.GetSpans()))
	}
	var id string
	for _, a := range root.Attributes {
		if a.Key == "briefbot.request_id" {
			id = a.Value.AsString()
		}
	}
	if id == "" {
		t.Fatal("the command's span has no request id")
	}
}
