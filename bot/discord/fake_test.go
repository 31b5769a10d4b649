package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
)

// fakeAnswerer is a hand-written core: it answers from a map of queries and
// records what it was asked.
type fakeAnswerer struct {
	mu       sync.Mutex
	replies  map[string]bot.Reply
	complete []bot.Suggestion
	// hold, when set, keeps every answer back until it is closed.
	hold  chan struct{}
	asked []bot.Request
	typed []string
}

func (f *fakeAnswerer) Handle(ctx context.Context, req bot.Request) bot.Reply {
	f.mu.Lock()
	f.asked = append(f.asked, req)
	r, ok := f.replies[req.Text]
	hold := f.hold
	f.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
		}
	}
	if !ok {
		return bot.Reply{Kind: bot.KindNotFound, Title: "Not found", Notes: []string{"No briefing on that."}}
	}
	return r
}

func (f *fakeAnswerer) Complete(ctx context.Context, text string, limit int) []bot.Suggestion {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.typed = append(f.typed, text)
	if len(f.complete) > limit {
		return f.complete[:limit]
	}
	return f.complete
}

func (f *fakeAnswerer) requests() []bot.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Request(nil), f.asked...)
}

// recorded is one request the fake Discord API received.
type recorded struct {
	Method, Path, Auth string
	Body               string
}

// fakeDiscord stands in for Discord's REST API: it records requests and
// answers through respond (default: 200 with a message id).
type fakeDiscord struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []recorded
	respond func(n int, r recorded) (status int, body string)
}

func newFakeDiscord(t *testing.T) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := recorded{Method: r.Method, Path: r.URL.EscapedPath(), Auth: r.Header.Get("Authorization"), Body: string(body)}
		f.mu.Lock()
		f.reqs = append(f.reqs, rec)
		n := len(f.reqs)
		respond := f.respond
		f.mu.Unlock()
		status, out := http.StatusOK, `{"id":"9000`+strconv.Itoa(n)+`"}`
		if respond != nil {
			status, out = respond(n, rec)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, out)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeDiscord) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// signer signs interaction requests like Discord does.
type signer struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

func newSigner(t testing.TB) signer {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return signer{pub, priv}
}

func (s signer) hexKey() string { return hex.EncodeToString(s.pub) }

// request builds a signed POST /discord/interactions.
func (s signer) request(body string, at time.Time) *http.Request {
	ts := strconv.FormatInt(at.Unix(), 10)
	sig := ed25519.Sign(s.priv, []byte(ts+body))
	r := httptest.NewRequest(http.MethodPost, InteractionsPath, strings.NewReader(body))
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	r.Header.Set("X-Signature-Timestamp", ts)
	return r
}

var testNow = time.Date(2025, 11, 7, 12, 0, 0, 0, time.UTC)

// newTestAdapter returns an http-mode adapter talking to api.
func newTestAdapter(t testing.TB, s signer, api string, ans Answerer, mod func(*Config)) *Adapter {
	t.Helper()
	cfg := Config{
		Token:     "test-token",
		AppID:     "111",
		PublicKey: s.hexKey(),
		Mode:      ModeHTTP,
		APIURL:    api,
		Now:       func() time.Time { return testNow },
	}
	if mod != nil {
		mod(&cfg)
	}
	a, err := New(cfg, ans)
	if err != nil {
		t.Fatal(err)
	}
	a.retryBase = time.Millisecond
	return a
}

// serve sends one signed interaction through Routes and returns the response.
// serveHeld serves r with ans held back until the response has been
// written to, so that only the deferral budget can have written it,
// while the core was still at work.
func serveHeld(a *Adapter, ans *fakeAnswerer, r *http.Request) *httptest.ResponseRecorder {
	spy := bottest.NewWriteSpy()
	ans.mu.Lock()
	ans.hold = spy.Written
	ans.mu.Unlock()
	mux := http.NewServeMux()
	a.Routes(mux)
	mux.ServeHTTP(spy, r)
	return spy.ResponseRecorder
}

func serve(a *Adapter, r *http.Request) *httptest.ResponseRecorder {
	mux := http.NewServeMux()
	a.Routes(mux)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return w
}

// jsonEqual compares JSON texts structurally.
func jsonValue(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("invalid JSON %q: %v", s, err)
	}
	return v
}
