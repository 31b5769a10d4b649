package desk_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/briefbot/briefbot/bot/desk"
)

// BenchmarkAsk is one ask on the desk: the core's answer, rendered by both
// adapters through their recorders, decoded and laid out as HTML.
func BenchmarkAsk(b *testing.B) {
	h := fixture(b, func(o *desk.Options) { o.Loopback = true })
	mux := http.NewServeMux()
	h.Routes(mux)
	r := onLocal(httptest.NewRequest("GET", "/desk/ask?q=kazakhstan+all", nil), "127.0.0.1:8080")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkFront is the front page over the samples, with gaps, votes and
// digests from in-memory stores.
func BenchmarkFront(b *testing.B) {
	h := fixture(b, func(o *desk.Options) { o.Loopback = true })
	mux := http.NewServeMux()
	h.Routes(mux)
	r := onLocal(httptest.NewRequest("GET", "/desk/", nil), "127.0.0.1:8080")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
	}
}
