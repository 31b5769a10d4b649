package main

import (
	"fmt"
	"net/http"
	"sync/atomic"
)

// switchHandler serves whichever handler was set last, so the listener
// can answer probes before the app behind it exists.
type switchHandler struct{ h atomic.Pointer[http.Handler] }

func (s *switchHandler) set(h http.Handler) { s.h.Store(&h) }

func (s *switchHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.h.Load()).ServeHTTP(w, r)
}

// startingHandler answers while serve is starting: alive (/healthz 200),
// not ready (/readyz 503 with the reason), nothing else yet (503).
func startingHandler(reason string) *switchHandler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not ready: "+reason, http.StatusServiceUnavailable)
	})
	s := &switchHandler{}
	s.set(mux)
	return s
}
