package telemetry_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/briefbot/briefbot/bot/telemetry"
)

// BenchmarkHandler is what the request id and root span cost a webhook
// request with tracing off (the global no-op provider), beside the bare
// handler.
func BenchmarkHandler(b *testing.B) {
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"bare", bare}, {"traced", telemetry.Handler(bare)}} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodPost, "/slack/commands", nil)
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				bc.h.ServeHTTP(w, req)
			}
		})
	}
}
