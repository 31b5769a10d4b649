package slack

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/slack-go/slack/slacktest"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/telemetry"
)

// A signed slash command sent again within the signature's five minutes,
// to the same replica or another behind the load balancer, runs once; a
// new invocation (a new trigger_id) runs again.
func TestReplayedCommandRunsOnce(t *testing.T) {
	log := bottest.NewStore()
	one := newHarness(t, nil)
	two := newHarness(t, nil)
	one.a.events, two.a.events = log, log
	form := commandForm("kazakhstan risks", one.sink.srv.URL)
	sent := time.Now()
	for i, hs := range []*harness{one, one, two} {
		rec := hs.do(t, signed(t, sent, "/slack/commands", "application/x-www-form-urlencoded", form))
		hs.wait()
		if rec.Code != http.StatusOK {
			t.Errorf("delivery %d: status %d, want 200 (a replay is acknowledged, not refused)", i, rec.Code)
		}
		if i > 0 && rec.Body.Len() != 0 {
			t.Errorf("delivery %d answered again: %q", i, rec.Body.String())
		}
	}
	if n := len(one.ans.requests()) + len(two.ans.requests()); n != 1 {
		t.Errorf("core asked %d times, want once", n)
	}
	one.command(t, "kazakhstan risks")
	one.wait()
	if n := len(one.ans.requests()); n != 2 {
		t.Errorf("a new invocation: core asked %d times in all, want 2", n)
	}
}

// A button press replayed runs once.
func TestReplayedButtonRunsOnce(t *testing.T) {
	hs := newHarness(t, nil)
	hs.a.events = bottest.NewStore()
	form := interactionForm(t, buttonPayload(hs.sink.srv.URL, "briefbot_query_0", "kazakhstan", true, "1762499999.000300"))
	sent := time.Now()
	for range 3 {
		if rec := hs.do(t, signed(t, sent, "/slack/interactions", "application/x-www-form-urlencoded", form)); rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
	}
	hs.sink.next(t)
	hs.wait()
	hs.sink.none(t)
	if n := len(hs.ans.requests()); n != 1 {
		t.Errorf("core asked %d times, want once", n)
	}
}

// An answer whose response_url fails with a 5xx is retried until it is
// taken, and logged as answered; a 4xx is not retried.
func TestResponseURLRetriedAfterServerError(t *testing.T) {
	hs := newHarness(t, func(c *Config) { c.AckBudget = time.Nanosecond })
	var waits atomic.Int32
	hs.a.sleep = func(ctx context.Context, d time.Duration) error { waits.Add(1); return ctx.Err() }
	var calls atomic.Int32
	got := make(chan string, 10)
	status := http.StatusServiceUnavailable
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if calls.Add(1) <= 2 {
			http.Error(w, "upstream down", status)
			return
		}
		got <- string(body)
	}))
	defer flaky.Close()

	// The core answers only once the command has been acknowledged, so
	// the answer goes through response_url whatever the machine's speed.
	rec := hs.doHeld(t, signed(t, time.Now(), "/slack/commands", "application/x-www-form-urlencoded", commandForm("kazakhstan risks", flaky.URL)), nil)
	hs.wait()
	if rec.Body.Len() != 0 {
		t.Fatalf("answered inline: %q", rec.Body.String())
	}
	select {
	case body := <-got:
		if !strings.Contains(body, "Strategic balancing") {
			t.Errorf("delivered %q", body)
		}
	default:
		t.Fatal("the answer never reached response_url")
	}
	if calls.Load() != 3 || waits.Load() != 2 {
		t.Errorf("%d calls and %d waits, want 3 and 2", calls.Load(), waits.Load())
	}
	if logs := hs.logs.String(); !strings.Contains(logs, `"outcome":"answered"`) {
		t.Errorf("log: %s", logs)
	}

	calls.Store(0)
	status = http.StatusNotFound
	hs.doHeld(t, signed(t, time.Now(), "/slack/commands", "application/x-www-form-urlencoded", commandForm("kazakhstan risks", flaky.URL)), nil)
	hs.wait()
	if calls.Load() != 1 {
		t.Errorf("a 404 was tried %d times, want once", calls.Load())
	}
	if logs := hs.logs.String(); !strings.Contains(logs, `"outcome":"failed"`) {
		t.Errorf("a lost answer is not logged as failed: %s", logs)
	}
}

// spanTree is each span's name under its parent's name, one line each.
func spanTree(spans []sdktrace.ReadOnlySpan) []string {
	names := map[string]string{}
	for _, s := range spans {
		names[s.SpanContext().SpanID().String()] = s.Name()
	}
	var out []string
	for _, s := range spans {
		parent := "-"
		if s.Parent().IsValid() {
			parent = names[s.Parent().SpanID().String()]
		}
		out = append(out, parent+" > "+s.Name())
	}
	return out
}

// installRecorder makes the global tracer provider export every span to
// the SDK's in-memory exporter until the test ends.
func installRecorder(t *testing.T) *tracetest.InMemoryExporter {
	rec := tracetest.NewInMemoryExporter()
	telemetry.Install(sdktrace.NewTracerProvider(sdktrace.WithSyncer(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })
	return rec
}

// A slash command is one trace, as the listener serves it: the request
// (receive), then verify, the handling with the core, the rendering and
// the platform calls, the response_url call a client span under its send.
func TestCommandSpanTree(t *testing.T) {
	spans := installRecorder(t)
	hs := newHarness(t, nil)
	hs.a.httpClient.Transport = telemetry.Transport(nil)
	hs.h = telemetry.Handler(hs.h)
	hs.ans.replies["long"] = longReply()
	hs.command(t, "long")
	hs.sink.next(t)
	hs.wait()

	ended := spans.GetSpans().Snapshots()
	traces := map[string]bool{}
	for _, s := range ended {
		traces[s.SpanContext().TraceID().String()] = true
	}
	if len(traces) != 1 {
		t.Errorf("%d traces, want one", len(traces))
	}
	got := spanTree(ended)
	want := []string{
		"- > POST /slack/commands",
		"POST /slack/commands > slack.verify",
		"POST /slack/commands > slack.command",
		"slack.command > slack.core",
		"slack.command > slack.render",
		"slack.command > slack.send",
		"slack.command > slack.send",
		"slack.send > POST",
	}
	less := func(a, b string) bool { return a < b }
	for i, g := range got {
		if strings.HasPrefix(g, "slack.send > POST") {
			got[i] = "slack.send > POST" // the route of a response_url is the sink's
		}
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(less)); diff != "" {
		t.Errorf("span tree (-want +got):\n%s", diff)
	}
}

// A mention answered while Slack's Web API fails with a 5xx is posted
// once Slack takes it again.
func TestMentionAnswerRetriedAfterServerError(t *testing.T) {
	var calls atomic.Int32
	posted := make(chan string, 4)
	api := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) <= 2 {
				http.Error(w, "upstream down", http.StatusBadGateway)
				return
			}
			_ = r.ParseForm()
			posted <- r.PostForm.Get("thread_ts")
			fmt.Fprint(w, `{"ok":true,"channel":"C0123","ts":"1762500000.000001"}`)
		})
	})
	api.Start()
	defer api.Stop()
	hs := newHarness(t, func(c *Config) { c.APIURL = api.GetAPIURL() })
	hs.a.sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }

	body := eventBody("Ev77", map[string]any{
		"type": "app_mention", "user": "U2CERLKJA", "text": "<@U0BOT> kazakhstan risks",
		"ts": "1762499999.000100", "channel": "C0123", "event_ts": "1762499999.000100",
	})
	hs.do(t, signed(t, time.Now(), "/slack/events", "application/json", body))
	hs.wait()
	select {
	case thread := <-posted:
		if thread != "1762499999.000100" {
			t.Errorf("answered in thread %q", thread)
		}
	default:
		t.Fatalf("the answer was never posted (%d calls)", calls.Load())
	}
	if calls.Load() != 3 {
		t.Errorf("%d calls, want 3", calls.Load())
	}
}
