package telemetry

import (
	"net/http"
	"regexp"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// RequestIDHeader carries the request id in and out: a load balancer's id
// is kept, and the answer tells it to the caller.
const RequestIDHeader = "X-Request-Id"

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Handler wraps an HTTP handler so that each request gets a request id
// (the caller's X-Request-Id when it is sane, else a new one) and a server
// span, the root of the request's trace ("receive"): what the handler
// starts with Start becomes its child.
func Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if id := r.Header.Get(RequestIDHeader); validRequestID.MatchString(id) {
			ctx = withID(ctx, id)
		}
		ctx, id := EnsureRequestID(ctx)
		if !tracing.Load() {
			w.Header().Set(RequestIDHeader, id)
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		ctx = otel.GetTextMapPropagator().Extract(ctx, propagation.HeaderCarrier(r.Header))
		path := route(r.URL.Path)
		ctx, span := otel.Tracer(ScopeName).Start(ctx, r.Method+" "+path,
			trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(
				attribute.String("http.request.method", r.Method),
				attribute.String("url.path", path),
				attribute.String("briefbot.request_id", id),
			))
		defer span.End()
		w.Header().Set(RequestIDHeader, id)
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(ctx))
		span.SetAttributes(attribute.Int("http.response.status_code", rec.status))
		if rec.status >= 500 {
			span.SetStatus(codes.Error, http.StatusText(rec.status))
		}
	})
}

// Transport wraps an HTTP transport (nil means http.DefaultTransport) so
// that each platform API call is a client span, child of the span in the
// request's context ("platform call"). The span names the route, never
// the IDs or tokens in the path, nor the query.
func Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		path := route(r.URL.Path)
		ctx, span := otel.Tracer(ScopeName).Start(r.Context(), r.Method+" "+path,
			trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(
				attribute.String("http.request.method", r.Method),
				attribute.String("server.address", r.URL.Hostname()),
				attribute.String("url.path", path),
			))
		defer span.End()
		r = r.Clone(ctx)
		otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(r.Header))
		resp, err := next.RoundTrip(r)
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
			return resp, err
		}
		span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
		if resp.StatusCode >= 400 {
			span.SetStatus(codes.Error, http.StatusText(resp.StatusCode))
		}
		return resp, nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// route is path with every segment that may be an ID or a token (Discord
// puts interaction tokens in webhook paths, Slack in response URLs)
// replaced by "{id}": "/api/v10/webhooks/123/aBc…/messages/@original"
// becomes "/api/v10/webhooks/{id}/{id}/messages/{id}".
func route(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if !named(s) {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// named reports whether a path segment is a name, not an ID or a token:
// empty, a lowercase word ("channels"), a Slack method ("chat.postMessage")
// or an API version ("v10").
func named(s string) bool {
	if len(s) > 1 && s[0] == 'v' && strings.Trim(s[1:], "0123456789") == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z':
		case c == '.' && i > 0 && i < len(s)-1 && s[i-1] != '.':
		case 'A' <= c && c <= 'Z' && strings.IndexByte(s[:i], '.') > 0:
		default:
			return false
		}
	}
	return true
}

// statusWriter notes the status a handler answers with; Unwrap lets
// http.ResponseController reach the real writer.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
