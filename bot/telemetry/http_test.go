package telemetry_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/briefbot/briefbot/bot/telemetry"
)

// TestRequestTrace follows one webhook request: the server span (receive),
// a span the handler starts (the core), and the platform call it makes,
// all one trace under one request id, and no token from a path in any
// span.
func TestRequestTrace(t *testing.T) {
	exp := recordSpans(t)
	platform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Traceparent") == "" {
			t.Error("the platform call carries no trace context")
		}
	}))
	defer platform.Close()
	client := &http.Client{Transport: telemetry.Transport(nil)}
	var seenID string
	h := telemetry.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seenID = telemetry.RequestID(r.Context())
		ctx, span := telemetry.Start(r.Context(), "bot.handle")
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, platform.URL+"/api/v10/webhooks/123/SECRETTOKEN/messages/@original", strings.NewReader("{}"))
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
		} else {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		telemetry.End(span, nil)
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/discord/interactions", nil)
	req.Header.Set(telemetry.RequestIDHeader, "lb-req-42")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if seenID != "lb-req-42" || resp.Header.Get(telemetry.RequestIDHeader) != "lb-req-42" {
		t.Errorf("request id: handler saw %q, answer says %q; want the caller's lb-req-42", seenID, resp.Header.Get(telemetry.RequestIDHeader))
	}

	spans := exp.GetSpans()
	byName := map[string]tracetest.SpanStub{}
	for _, s := range spans {
		byName[s.Name] = s
		if strings.Contains(s.Name, "SECRETTOKEN") {
			t.Errorf("span name %q shows a token", s.Name)
		}
		for _, a := range s.Attributes {
			if strings.Contains(a.Value.Emit(), "SECRETTOKEN") {
				t.Errorf("span %s attribute %s shows a token", s.Name, a.Key)
			}
		}
	}
	server, core, call := byName["POST /discord/interactions"], byName["bot.handle"], byName["POST /api/v10/webhooks/{id}/{id}/messages/{id}"]
	if server.Name == "" || core.Name == "" || call.Name == "" {
		t.Fatalf("spans %v, want the server, core and platform-call spans", names(spans))
	}
	if server.SpanKind != trace.SpanKindServer || call.SpanKind != trace.SpanKindClient {
		t.Errorf("kinds: server %v, call %v", server.SpanKind, call.SpanKind)
	}
	if core.Parent.SpanID() != server.SpanContext.SpanID() || call.Parent.SpanID() != core.SpanContext.SpanID() {
		t.Error("the spans do not nest: receive → core → platform call")
	}
	if tr := server.SpanContext.TraceID(); core.SpanContext.TraceID() != tr || call.SpanContext.TraceID() != tr {
		t.Error("the spans are not one trace")
	}
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}
