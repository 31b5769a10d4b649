package digest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/digest"
	"github.com/briefbot/briefbot/bot/telemetry"
)

// httpPartsPoster posts each digest as two parts over HTTP, as the platform
// adapters do, through the tracing transport, then records it.
type httpPartsPoster struct {
	*bottest.Poster
	url    string
	client *http.Client
}

func (p httpPartsPoster) PostDigest(ctx context.Context, channel string, r bot.Reply, ref bot.SlotRef, skip map[int]bool) ([]string, error) {
	for range 2 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"/chat.postMessage", strings.NewReader("{}"))
		resp, err := p.client.Do(req)
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
	}
	return p.Poster.PostDigest(ctx, channel, r, ref, skip)
}

// A digest slot is one trace: the claim, the composing and the post, with
// one platform call per part under the post.
func TestSlotSpanTree(t *testing.T) {
	rec := tracetest.NewInMemoryExporter()
	telemetry.Install(sdktrace.NewTracerProvider(sdktrace.WithSyncer(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer api.Close()

	f := newFixture(t, date("2026-03-02T07:59:00Z"))
	f.subscribe(t, bot.Subscription{ID: "morning", Channel: "C1", Schedule: "0 8 * * *", Timezone: "UTC", Include: "all"})
	poster := httpPartsPoster{Poster: f.poster, url: api.URL, client: &http.Client{Transport: telemetry.Transport(nil)}}
	s := f.scheduler("a", func(o *digest.Options) { o.Posters = map[bot.Platform]bot.Poster{bot.Platform("slack"): poster} })
	f.clock.Advance(2 * time.Minute)
	tick(t, s)
	if got := f.slots(); len(got) != 1 {
		t.Fatalf("posted %v, want the 08:00 slot", got)
	}

	spans := rec.GetSpans().Snapshots()
	names := map[string]string{}
	traces := map[string]bool{}
	for _, sp := range spans {
		names[sp.SpanContext().SpanID().String()] = sp.Name()
		traces[sp.SpanContext().TraceID().String()] = true
	}
	var got []string
	for _, sp := range spans {
		parent := "-"
		if sp.Parent().IsValid() {
			parent = names[sp.Parent().SpanID().String()]
		}
		got = append(got, parent+" > "+sp.Name())
	}
	want := []string{
		"- > digest.slot",
		"digest.slot > digest.claim",
		"digest.slot > digest.compose",
		"digest.slot > digest.post",
		"digest.post > POST /chat.postMessage",
		"digest.post > POST /chat.postMessage",
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("span tree (-want +got):\n%s", diff)
	}
	if len(traces) != 1 {
		t.Errorf("%d traces, want one", len(traces))
	}
}
