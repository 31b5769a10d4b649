package discord

import (
	"bytes"
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
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/briefingstest"
)

// pongJSON is the bare handler's fixed answer.
var pongJSON = []byte(`{"type":1}`)

// bareVerify is the floor the interaction handler is measured against: the
// same signature check and body reading as Routes, then a fixed JSON
// answer, mounted on a mux at the same path.
func bareVerify(a *Adapter) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+InteractionsPath, func(w http.ResponseWriter, r *http.Request) {
		if _, status := a.verifyRequest(w, r); status != 0 {
			http.Error(w, http.StatusText(status), status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(pongJSON)
	})
	return mux
}

func routes(a *Adapter) http.Handler {
	mux := http.NewServeMux()
	a.Routes(mux)
	return mux
}

func autocompleteBody(prefix string) string {
	return fmt.Sprintf(`{"id":"5","application_id":"111","type":4,"token":"t","channel_id":"7","user":{"id":"42"},
		"data":{"name":"brief","options":[{"name":"query","type":3,"value":%q,"focused":true}]}}`, prefix)
}

// scenario is one kind of interaction to measure.
type scenario struct {
	name string
	body string
	core Answerer
}

// scenarios are /brief kazakhstan risks and an autocomplete of "kaz",
// both answered by the real core from the bundled samples.
func scenarios() []scenario {
	core := bot.New(bot.Options{})
	return []scenario{
		{"command", commandBody("kazakhstan risks"), core},
		{"autocomplete", autocompleteBody("kaz"), core},
	}
}

var (
	bigOnce   sync.Once
	bigCore   *bot.Bot
	bigPrefix string
)

// bigLibraryCore is the real core over 100,000 generated briefings, built
// once per test binary (it takes a while), and a three-letter prefix of
// one of its topics.
func bigLibraryCore(t testing.TB) (*bot.Bot, string) {
	bigOnce.Do(func() {
		files := briefingstest.Generate(100000, 1)
		bs := make([]*briefings.Briefing, 0, len(files))
		for _, f := range files {
			if b, _ := briefings.Parse(f.Name, f.Data, briefings.DefaultDate); b != nil {
				bs = append(bs, b)
			}
		}
		lib := briefings.NewLibrary(bs)
		bigCore = bot.New(bot.Options{Library: lib})
		bigPrefix = strings.ToLower(bs[len(bs)/2].Topic[:3])
	})
	if bigCore == nil {
		t.Fatal("building the 100,000-briefing library failed")
	}
	return bigCore, bigPrefix
}

// fastWriter is a minimal, reusable ResponseWriter, so that the in-process
// measurements time the handlers rather than httptest's recorder.
type fastWriter struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func (w *fastWriter) Header() http.Header { return w.h }
func (w *fastWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *fastWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = 200
	}
	return w.body.Write(p)
}

func (w *fastWriter) reset() {
	clear(w.h)
	w.code = 0
	w.body.Reset()
}

// driver sends one signed body to a handler over and over in process.
type driver struct {
	h    http.Handler
	w    fastWriter
	r    *http.Request
	rd   bytes.Reader
	body []byte
}

func newDriver(t testing.TB, h http.Handler, s signer, body string) *driver {
	d := &driver{h: h, w: fastWriter{h: http.Header{}}, body: []byte(body)}
	// Signed once: the measurement covers verifying, not signing.
	d.r = s.request(body, time.Now())
	d.r.Body = io.NopCloser(&d.rd)
	d.once(t)
	return d
}

func (d *driver) once(t testing.TB) {
	d.w.reset()
	d.rd.Reset(d.body)
	d.h.ServeHTTP(&d.w, d.r)
	if d.w.code != 200 {
		t.Fatalf("status %d: %s", d.w.code, d.w.body.String())
	}
}

// run times n requests and returns the time per request.
func (d *driver) run(t testing.TB, n int) time.Duration {
	start := time.Now()
	for i := 0; i < n; i++ {
		d.once(t)
	}
	return time.Since(start) / time.Duration(n)
}

func benchAdapter(t testing.TB, core Answerer) (*Adapter, signer) {
	s := newSigner(t)
	a := newTestAdapter(t, s, "http://127.0.0.1:1/", core, func(c *Config) { c.Now = time.Now })
	return a, s
}

func BenchmarkInteraction(b *testing.B) {
	for _, sc := range scenarios() {
		b.Run(sc.name, func(b *testing.B) {
			a, s := benchAdapter(b, sc.core)
			d := newDriver(b, routes(a), s, sc.body)
			b.ReportAllocs()
			for b.Loop() {
				d.once(b)
			}
		})
	}
}

func BenchmarkBareVerify(b *testing.B) {
	for _, sc := range scenarios() {
		b.Run(sc.name, func(b *testing.B) {
			a, s := benchAdapter(b, sc.core)
			d := newDriver(b, bareVerify(a), s, sc.body)
			b.ReportAllocs()
			for b.Loop() {
				d.once(b)
			}
		})
	}
}

// BenchmarkAutocomplete100k times an autocomplete interaction end to end
// through the handler with 100,000 briefings in the library (target: under
// 1 ms).
func BenchmarkAutocomplete100k(b *testing.B) {
	core, prefix := bigLibraryCore(b)
	a, s := benchAdapter(b, core)
	d := newDriver(b, routes(a), s, autocompleteBody(prefix))
	b.ReportAllocs()
	for b.Loop() {
		d.once(b)
	}
}

func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(data))
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestInteractionOverhead measures the handler beside the bare verifying
// handler in the same process, in alternating rounds (full, bare, then
// bare, full, ...) so that machine noise hits both alike, and reports the
// medians and their ratio; then autocomplete with 100,000 briefings. Run
// with BRIEFBOT_LOADTEST=1; BRIEFBOT_ROUNDS and BRIEFBOT_ROUND_N change the
// rounds (default 5) and requests per round (default 2000).
func TestInteractionOverhead(t *testing.T) {
	if os.Getenv("BRIEFBOT_LOADTEST") != "1" {
		t.Skip("set BRIEFBOT_LOADTEST=1 to run the overhead measurement")
	}
	rounds, n := envInt("BRIEFBOT_ROUNDS", 5), envInt("BRIEFBOT_ROUND_N", 2000)
	t.Logf("load average before: %s", loadavg())
	for _, sc := range scenarios() {
		a, s := benchAdapter(t, sc.core)
		full := newDriver(t, routes(a), s, sc.body)
		bare := newDriver(t, bareVerify(a), s, sc.body)
		full.run(t, n/10) // warm up
		bare.run(t, n/10)
		var fs, bs []time.Duration
		var rs []float64
		for i := 0; i < rounds; i++ {
			var f, b time.Duration
			if i%2 == 0 {
				f, b = full.run(t, n), bare.run(t, n)
			} else {
				b, f = bare.run(t, n), full.run(t, n)
			}
			fs, bs = append(fs, f), append(bs, b)
			rs = append(rs, float64(b)/float64(f))
		}
		slices.Sort(rs)
		t.Logf("%-12s handler median %v/op, bare median %v/op, throughput ratio handler/bare: median of medians %.2f, median per round %.2f (rounds %v / %v)",
			sc.name, median(fs), median(bs), float64(median(bs))/float64(median(fs)), rs[len(rs)/2], fs, bs)
	}
	core, prefix := bigLibraryCore(t)
	a, s := benchAdapter(t, core)
	d := newDriver(t, routes(a), s, autocompleteBody(prefix))
	var ds []time.Duration
	for i := 0; i < rounds; i++ {
		ds = append(ds, d.run(t, n/4))
	}
	t.Logf("autocomplete %q at 100,000 briefings: median %v/op (target < 1ms), rounds %v", prefix, median(ds), ds)
	if m := median(ds); m >= time.Millisecond {
		t.Errorf("autocomplete at 100,000 briefings takes %v, want under 1ms", m)
	}
	t.Logf("load average after: %s", loadavg())
}

func envInt(name string, def int) int {
	var v int
	if _, err := fmt.Sscan(os.Getenv(name), &v); err != nil || v <= 0 {
		return def
	}
	return v
}

// TestLoadInteractions drives POST /discord/interactions and the bare
// verifying handler over real TCP with 16 clients, in alternating rounds,
// and prints throughput, latency and the ratio of median throughputs. Run
// with BRIEFBOT_LOADTEST=1.
func TestLoadInteractions(t *testing.T) {
	if os.Getenv("BRIEFBOT_LOADTEST") != "1" {
		t.Skip("set BRIEFBOT_LOADTEST=1 to run the load test")
	}
	rounds := envInt("BRIEFBOT_ROUNDS", 9)
	t.Logf("load average before: %s", loadavg())
	for _, sc := range scenarios() {
		a, s := benchAdapter(t, sc.core)
		fullSrv := httptest.NewServer(routes(a))
		bareSrv := httptest.NewServer(bareVerify(a))
		var full, bare []loadResult
		for i := 0; i < rounds; i++ {
			if i%2 == 0 {
				full = append(full, load(t, fullSrv.URL, s, sc.body))
				bare = append(bare, load(t, bareSrv.URL, s, sc.body))
			} else {
				bare = append(bare, load(t, bareSrv.URL, s, sc.body))
				full = append(full, load(t, fullSrv.URL, s, sc.body))
			}
		}
		fullSrv.Close()
		bareSrv.Close()
		f, b := medianResult(full), medianResult(bare)
		t.Logf("%-12s interactions: %s", sc.name, f)
		t.Logf("%-12s bare verify:  %s", sc.name, b)
		t.Logf("%-12s throughput ratio interactions/bare = %.2f (median of %d alternating rounds; target ≥ 0.7)", sc.name, f.rps/b.rps, rounds)
	}
	t.Logf("load average after: %s", loadavg())
}

type loadResult struct {
	n             int
	rps           float64
	p50, p99, max time.Duration
}

func (r loadResult) String() string {
	return fmt.Sprintf("%d requests, %.0f req/s, p50 %s, p99 %s, max %s", r.n, r.rps, r.p50, r.p99, r.max)
}

// medianResult picks the round with the median throughput.
func medianResult(rs []loadResult) loadResult {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b loadResult) int {
		switch {
		case a.rps < b.rps:
			return -1
		case a.rps > b.rps:
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}

func load(t *testing.T, url string, s signer, body string) loadResult {
	const clients, perClient, limit = 16, 250, 20 * time.Second
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
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
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+InteractionsPath, strings.NewReader(body))
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
