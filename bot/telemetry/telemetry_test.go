package telemetry_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/briefbot/briefbot/bot/telemetry"
)

// recordSpans installs a tracer provider that keeps spans in memory for
// the test, and puts the previous one back afterwards.
func recordSpans(t *testing.T) *tracetest.InMemoryExporter {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	prev := otel.GetTracerProvider()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	telemetry.Install(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	return exp
}

func TestSpansShareTraceAndRequestID(t *testing.T) {
	exp := recordSpans(t)
	var logs bytes.Buffer
	log := slog.New(telemetry.LogHandler(slog.NewJSONHandler(&logs, nil)))

	ctx, root := telemetry.Start(context.Background(), "slack.command")
	id := telemetry.RequestID(ctx)
	if len(id) != 16 {
		t.Fatalf("request id %q, want 16 hex digits", id)
	}
	cctx, child := telemetry.Start(ctx, "bot.handle")
	log.InfoContext(cctx, "handled")
	telemetry.End(child, errors.New("boom"))
	telemetry.End(root, nil)

	spans := exp.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	c, r := spans[0], spans[1]
	if c.Name != "bot.handle" || r.Name != "slack.command" {
		t.Fatalf("spans %q, %q", c.Name, r.Name)
	}
	if c.Parent.SpanID() != r.SpanContext.SpanID() || c.SpanContext.TraceID() != r.SpanContext.TraceID() {
		t.Error("the child is not in the root's trace")
	}
	if c.Status.Code != codes.Error || c.Status.Description != "boom" {
		t.Errorf("child status %+v, want the error", c.Status)
	}
	var got string
	for _, a := range r.Attributes {
		if a.Key == "briefbot.request_id" {
			got = a.Value.AsString()
		}
	}
	if got != id {
		t.Errorf("root span request id %q, want %q", got, id)
	}
	line := logs.String()
	for _, want := range []string{`"request_id":"` + id + `"`, `"trace_id":"` + r.SpanContext.TraceID().String() + `"`, `"span_id":"` + c.SpanContext.SpanID().String() + `"`} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %s: %s", want, line)
		}
	}
}

func TestRequestIDIsKept(t *testing.T) {
	ctx, id := telemetry.WithRequestID(context.Background())
	ctx2, id2 := telemetry.EnsureRequestID(ctx)
	if id2 != id || telemetry.RequestID(ctx2) != id {
		t.Errorf("EnsureRequestID replaced %q with %q", id, id2)
	}
	if telemetry.RequestID(context.Background()) != "" {
		t.Error("a bare context has a request id")
	}
}

func TestEnabled(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tt := range []struct {
		env  func(string) string
		want bool
	}{
		{env(), false},
		{env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"), true},
		{env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces"), true},
		{env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", "OTEL_SDK_DISABLED", "true"), false},
	} {
		if got := telemetry.Enabled(tt.env); got != tt.want {
			t.Errorf("Enabled = %v, want %v", got, tt.want)
		}
	}
}

// TestSetupExportsOverOTLPHTTPAtShutdown runs the real exporter against a
// fake collector: nothing is configured but the standard variables, and
// shutdown delivers the buffered span.
func TestSetupExportsOverOTLPHTTPAtShutdown(t *testing.T) {
	got := make(chan string, 4)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- r.Method + " " + r.URL.Path + " " + r.Header.Get("Content-Type") + " " + string(body)
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	t.Setenv("OTEL_SERVICE_NAME", "briefbot-test")
	prev := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	shutdown, err := telemetry.Setup(t.Context(), "v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	_, span := telemetry.Start(t.Context(), "briefings.reload")
	telemetry.End(span, nil)
	if err := shutdown(t.Context()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	select {
	case req := <-got:
		for _, want := range []string{"POST /v1/traces application/x-protobuf", "briefings.reload", "briefbot-test", "v1.2.3"} {
			if !strings.Contains(req, want) {
				t.Errorf("export lacks %q: %q", want, req)
			}
		}
	default:
		t.Fatal("shutdown returned before the span reached the collector")
	}
}

func TestSetupRefusesUnknownProtocol(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
	if _, err := telemetry.Setup(t.Context(), "v"); err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_PROTOCOL") {
		t.Errorf("err = %v, want one naming OTEL_EXPORTER_OTLP_PROTOCOL", err)
	}
}

func TestSetupOffWithoutEndpoint(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	prev := otel.GetTracerProvider()
	shutdown, err := telemetry.Setup(t.Context(), "v")
	if err != nil || shutdown(t.Context()) != nil {
		t.Fatal(err)
	}
	if otel.GetTracerProvider() != prev {
		t.Error("Setup installed a provider with tracing off")
	}
}
