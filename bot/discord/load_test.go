package discord

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// bareVerify is the floor the interaction handler is measured against: it
// only checks the Ed25519 signature and answers PONG.
func bareVerify(a *Adapter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, status := a.verifyRequest(w, r); status != 0 {
			http.Error(w, http.StatusText(status), status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"type":1}`)
	})
}

func autocompleteBody() string {
	return `{"id":"5","application_id":"111","type":4,"token":"t","channel_id":"7","user":{"id":"42"},
		"data":{"name":"brief","options":[{"name":"query","type":3,"value":"kazakhstan ri","focused":true}]}}`
}

func benchAdapter(b testing.TB) (*Adapter, signer) {
	s := newSigner(b)
	ans := &fakeAnswerer{complete: []bot.Suggestion{
		{Label: "Kazakhstan — Risks & caveats", Query: "kazakhstan risks"},
		{Label: "Kazakhstan — Strategic significance", Query: "kazakhstan strategic significance"},
	}}
	a := newTestAdapter(b, s, "http://127.0.0.1:1/", ans, func(c *Config) { c.Now = time.Now })
	return a, s
}

func BenchmarkInteraction(b *testing.B) {
	a, s := benchAdapter(b)
	mux := http.NewServeMux()
	a.Routes(mux)
	body := autocompleteBody()
	hdr := s.request(body, time.Now()).Header // signed once: the benchmark measures verifying
	for b.Loop() {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, InteractionsPath, strings.NewReader(body))
		r.Header = hdr
		mux.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

func BenchmarkBareVerify(b *testing.B) {
	a, s := benchAdapter(b)
	h := bareVerify(a)
	body := autocompleteBody()
	hdr := s.request(body, time.Now()).Header
	for b.Loop() {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, InteractionsPath, strings.NewReader(body))
		r.Header = hdr
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// TestLoadInteractions drives POST /discord/interactions (autocomplete)
// and the bare verifying handler over real TCP with 16 clients and prints
// throughput, latency and their ratio. Run with BRIEFBOT_LOADTEST=1.
func TestLoadInteractions(t *testing.T) {
	if os.Getenv("BRIEFBOT_LOADTEST") != "1" {
		t.Skip("set BRIEFBOT_LOADTEST=1 to run the load test")
	}
	a, s := benchAdapter(t)
	mux := http.NewServeMux()
	a.Routes(mux)
	full := load(t, mux, s)
	bare := load(t, bareVerify(a), s)
	t.Logf("interactions: %s", full)
	t.Logf("bare verify:  %s", bare)
	t.Logf("throughput ratio interactions/bare = %.2f (target ≥ 0.8)", full.rps/bare.rps)
}

type loadResult struct {
	n             int
	rps           float64
	p50, p99, max time.Duration
}

func (r loadResult) String() string {
	return fmt.Sprintf("%d requests, %.0f req/s, p50 %s, p99 %s, max %s", r.n, r.rps, r.p50, r.p99, r.max)
}

func load(t *testing.T, h http.Handler, s signer) loadResult {
	const clients, perClient, limit = 16, 500, 20 * time.Second
	srv := httptest.NewServer(h)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	body := autocompleteBody()
	// Signed once up front, so the clients measure the server, not signing.
	hdr := s.request(body, time.Now()).Header
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()

	var (
		mu    sync.Mutex
		lat   []time.Duration
		fails atomic.Int64
		wg    sync.WaitGroup
	)
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, perClient)
			for i := 0; i < perClient && ctx.Err() == nil; i++ {
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+InteractionsPath, strings.NewReader(body))
				req.Header = hdr.Clone()
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					fails.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					fails.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if f := fails.Load(); f > 0 {
		t.Errorf("%d failed requests", f)
	}
	if len(lat) == 0 {
		t.Fatal("no successful requests")
	}
	slices.Sort(lat)
	return loadResult{
		n:   len(lat),
		rps: float64(len(lat)) / elapsed.Seconds(),
		p50: lat[len(lat)/2],
		p99: lat[len(lat)*99/100],
		max: lat[len(lat)-1],
	}
}
