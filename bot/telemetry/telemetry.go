// Package telemetry sets up OpenTelemetry tracing for briefbot and gives
// the rest of the code one-line spans and a request id that logs and spans
// share.
//
// Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set; then spans go to that OTLP
// endpoint over OTEL_EXPORTER_OTLP_PROTOCOL, "http/protobuf" (the
// default) or "grpc". Every other standard OTEL_* variable (headers,
// timeouts, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
// OTEL_TRACES_SAMPLER, OTEL_BSP_*) is read by the SDK itself.
//
// Code that does work worth a span calls Start and End:
//
//	ctx, span := telemetry.Start(ctx, "slack.command", attribute.String("kind", kind))
//	defer func() { telemetry.End(span, err) }()
//
// With tracing off these record nothing and cost a request id at most.
package telemetry

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of briefbot's spans.
const ScopeName = "github.com/briefbot/briefbot"

// Enabled reports whether the environment asks for traces to be exported.
func Enabled(getenv func(string) string) bool {
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") {
		return false
	}
	return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Setup installs the global tracer provider and propagator when Enabled,
// exporting to OTLP as the OTEL_* variables say; version is recorded as
// service.version. The returned shutdown flushes spans still buffered and
// must be called before the process exits; it is a no-op when tracing is
// off.
func Setup(ctx context.Context, version string) (shutdown func(context.Context) error, err error) {
	noop := func(context.Context) error { return nil }
	if !Enabled(os.Getenv) {
		return noop, nil
	}
	exp, err := newExporter(ctx, os.Getenv)
	if err != nil {
		return noop, err
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(
			attribute.String("service.name", "briefbot"),
			attribute.String("service.version", version),
		),
		// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the above.
		resource.WithFromEnv(),
		resource.WithHost(),
	)
	if err != nil && res == nil {
		return noop, fmt.Errorf("telemetry resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	Install(tp)
	return tp.Shutdown, nil
}

// newExporter builds the OTLP span exporter for the protocol the
// environment names; endpoint, headers and timeouts are read by the
// exporter from the same environment.
func newExporter(ctx context.Context, getenv func(string) string) (sdktrace.SpanExporter, error) {
	protocol := getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if protocol == "" {
		protocol = getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	var (
		exp sdktrace.SpanExporter
		err error
	)
	switch protocol {
	case "", "http/protobuf":
		exp, err = otlptracehttp.New(ctx)
	case "grpc":
		exp, err = otlptracegrpc.New(ctx)
	default:
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL: %q is not supported (use http/protobuf or grpc)", protocol)
	}
	if err != nil {
		return nil, fmt.Errorf("OTLP %s exporter: %w", protocol, err)
	}
	return exp, nil
}

// Install makes tp the global tracer provider, with W3C trace context and
// baggage propagation. Tests install a provider with an in-memory exporter.
func Install(tp trace.TracerProvider) {
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	tracing.Store(true)
}

// tracing says whether Install has set a tracer provider. Until it has,
// every span would record nothing, and Start and Handler skip
// OpenTelemetry's no-op machinery: a slash command starts several spans,
// and their cost showed in its throughput.
var tracing atomic.Bool

// Step starts a span for one step of a request, a child of the request's
// span, when that span is recording. With tracing off (or the trace
// sampled out) it returns a span that records nothing and costs nothing:
// a step's span would record nothing either.
func Step(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return ctx, noSpan
	}
	return Start(ctx, name, attrs...)
}

// noSpan is a span that records nothing; ending it does nothing.
var noSpan = trace.SpanFromContext(context.Background())

// Parts runs render, a step that renders an answer into platform
// messages, within a span called name that records how many there are.
func Parts[M any](ctx context.Context, name string, render func() []M) []M {
	_, span := Step(ctx, name)
	msgs := render()
	span.SetAttributes(attribute.Int("briefbot.parts", len(msgs)))
	span.End()
	return msgs
}

// Start starts a span called name as a child of the span in ctx, if any.
// A span that starts a trace (a command received, a digest slot, a
// reload) also gets the context's request id, a new one if it has none,
// as the attribute briefbot.request_id.
func Start(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	return startWith(ctx, name, attrs)
}

// StartAt is Start for work that began at start, before the code that
// reports it ran (a reload the watcher timed).
func StartAt(ctx context.Context, name string, start time.Time, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	return startWith(ctx, name, attrs, trace.WithTimestamp(start))
}

func startWith(ctx context.Context, name string, attrs []attribute.KeyValue, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	if !tracing.Load() {
		ctx, _ = EnsureRequestID(ctx)
		return ctx, noSpan
	}
	if !trace.SpanFromContext(ctx).SpanContext().IsValid() {
		var id string
		ctx, id = EnsureRequestID(ctx)
		attrs = append(attrs, attribute.String("briefbot.request_id", id))
	}
	return otel.Tracer(ScopeName).Start(ctx, name, append(opts, trace.WithAttributes(attrs...))...)
}

// End ends span, recording err (if not nil) as its error status.
func End(span trace.Span, err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying a new request id, and the id: 16 hex
// digits, enough to find one request's log lines and spans. It names a
// request and guards nothing, so it comes from the runtime's fast random
// source, not the operating system's.
func WithRequestID(ctx context.Context) (context.Context, string) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], rand.Uint64())
	id := hex.EncodeToString(b[:])
	return withID(ctx, id), id
}

func withID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// EnsureRequestID returns ctx with a request id, keeping one it already has.
func EnsureRequestID(ctx context.Context) (context.Context, string) {
	if id := RequestID(ctx); id != "" {
		return ctx, id
	}
	return WithRequestID(ctx)
}

// RequestID returns the request id in ctx, "" if none.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// LogHandler wraps h so that every record logged with a context (the
// *Context methods of slog.Logger) carries that context's request_id and,
// while a span is recording, its trace_id and span_id: one request's log
// lines and its trace find each other.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(as)}
}

func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{h.Handler.WithGroup(name)}
}
