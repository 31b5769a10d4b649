package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
)

// startListener serves h with newHTTPServer on 127.0.0.1 and returns its
// address and connection limiter.
func startListener(t *testing.T, c config.HTTP, h http.Handler) (string, *connLimiter) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, lim := newHTTPServer(c, ln, h, slog.New(slog.DiscardHandler))
	go srv.Serve(lim)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), lim
}

func testHTTP(maxConns int) config.HTTP {
	return config.HTTP{ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: time.Minute, MaxConnections: maxConns}
}

// keepAlive is a raw HTTP/1.1 connection that sends requests one at a time.
type keepAlive struct {
	net.Conn
	r *bufio.Reader
}

func dialKeepAlive(t *testing.T, addr string) *keepAlive {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &keepAlive{Conn: c, r: bufio.NewReader(c)}
}

// get sends GET path and returns the status and body, or the error that
// ended the connection.
func (k *keepAlive) get(path string) (int, string, error) {
	k.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(k, "GET %s HTTP/1.1\r\nHost: briefbot\r\n\r\n", path); err != nil {
		return 0, "", err
	}
	resp, err := http.ReadResponse(k.r, nil)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })

// At the cap, a new connection is served at once: the longest-idle
// keep-alive connection is closed to make room, the others stay.
func TestConnectionCapClosesLongestIdle(t *testing.T) {
	addr, lim := startListener(t, testHTTP(3), okHandler)
	var idle []*keepAlive
	for i := range 3 {
		k := dialKeepAlive(t, addr)
		if code, _, err := k.get("/healthz"); err != nil || code != 200 {
			t.Fatalf("connection %d: %d %v", i, code, err)
		}
		idle = append(idle, k)
		// An answer is written before the server marks its connection
		// idle; wait for the mark, so that they idle in order.
		eventually(t, "connection idle", func() bool { lim.mu.Lock(); defer lim.mu.Unlock(); return lim.idle.Len() == i+1 })
	}

	fresh := dialKeepAlive(t, addr)
	if code, body, err := fresh.get("/healthz"); err != nil || code != 200 || body != "ok" {
		t.Fatalf("new connection at the cap: %d %q %v", code, body, err)
	}
	idle[0].SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := idle[0].r.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("longest-idle connection: read %v, want EOF (closed to make room)", err)
	}
	for i, k := range idle[1:] {
		if code, _, err := k.get("/healthz"); err != nil || code != 200 {
			t.Errorf("idle connection %d was closed too: %d %v", i+1, code, err)
		}
	}
	if n := lim.Open(); n > 3 {
		t.Errorf("%d connections open, cap is 3", n)
	}
}

// At the cap with nothing idle, the oldest connection that has sent
// nothing yet is closed to make room: silent connections cannot lock the
// probes out for http.read_timeout.
func TestConnectionCapClosesOldestSilent(t *testing.T) {
	addr, lim := startListener(t, testHTTP(3), okHandler)
	var silent []*keepAlive
	for range 3 {
		silent = append(silent, dialKeepAlive(t, addr))
	}
	eventually(t, "three connections accepted", func() bool { return lim.Open() == 3 })

	if code, _, err := dialKeepAlive(t, addr).get("/healthz"); err != nil || code != 200 {
		t.Fatalf("new connection at the cap: %d %v", code, err)
	}
	silent[0].SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := silent[0].r.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("oldest silent connection: read %v, want EOF (closed to make room)", err)
	}
	if code, _, err := silent[2].get("/healthz"); err != nil || code != 200 {
		t.Errorf("newest silent connection was closed too: %d %v", code, err)
	}
}

// At the cap with every connection busy, a new one waits for a place
// instead of going over the cap, and is served once a request finishes.
func TestConnectionCapWaitsWhenAllBusy(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 3)
	var over atomic.Bool
	var lim *connLimiter
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if lim.Open() > 2 {
			over.Store(true)
		}
		if r.URL.Path == "/slow" {
			entered <- struct{}{}
			<-release
		}
		io.WriteString(w, "ok")
	})
	var addr string
	addr, lim = startListener(t, testHTTP(2), h)

	done := make(chan error, 3)
	for range 2 {
		k := dialKeepAlive(t, addr)
		go func() { _, _, err := k.get("/slow"); done <- err }()
		<-entered
	}
	third := dialKeepAlive(t, addr)
	go func() {
		code, _, err := third.get("/healthz")
		if err == nil && code != 200 {
			err = fmt.Errorf("status %d", code)
		}
		done <- err
	}()
	close(release)
	for range 3 {
		if err := <-done; err != nil {
			t.Errorf("request: %v", err)
		}
	}
	if over.Load() {
		t.Error("more than 2 connections were open at once")
	}
}

// A body that stops arriving is cut off at http.read_timeout, and the
// connection's place is given back.
func TestReadTimeoutEndsStalledBody(t *testing.T) {
	c := testHTTP(16)
	c.ReadTimeout = 300 * time.Millisecond
	readErr := make(chan error, 1)
	addr, lim := startListener(t, c, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	}))
	k := dialKeepAlive(t, addr)
	fmt.Fprintf(k, "POST /slack/commands HTTP/1.1\r\nHost: briefbot\r\nContent-Length: 1048576\r\n\r\ntext=mars+")
	select {
	case err := <-readErr:
		if err == nil {
			t.Fatal("stalled body read without error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stalled body still being read after 5s; read_timeout is 300ms")
	}
	k.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, k); err != nil {
		t.Errorf("connection not closed after the read timeout: %v", err)
	}
	eventually(t, "connection released", func() bool { return lim.Open() == 0 })
}

// Bodies beyond freeBodyBytes share the budget while their requests are in
// flight: a second large body is refused while the first holds the budget,
// small bodies still pass, and the budget comes back when a request ends.
func TestBodyBudgetSharedBeyondFreeBytes(t *testing.T) {
	b := newBodyBudget(16<<10, slog.New(slog.DiscardHandler))
	hold := make(chan struct{})
	h := b.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == "/hold" {
			<-hold
		}
	}))
	send := func(path string, size int) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(strings.Repeat("a", size))))
		return rec.Code
	}
	big := freeBodyBytes + 12<<10
	done := make(chan int, 1)
	go func() { done <- send("/hold", big) }()
	eventually(t, "first large body charged", func() bool { return b.used.Load() == 12<<10 })

	if code := send("/", big); code != http.StatusServiceUnavailable {
		t.Errorf("second large body while the first holds the budget: %d, want refused", code)
	}
	if code := send("/", freeBodyBytes); code != 200 {
		t.Errorf("small body while the budget is used: %d, want 200", code)
	}
	close(hold)
	if code := <-done; code != 200 {
		t.Errorf("first large body: %d", code)
	}
	if n := b.used.Load(); n != 0 {
		t.Errorf("%d bytes still charged after every request ended", n)
	}
	if code := send("/", big); code != 200 {
		t.Errorf("large body after the budget came back: %d, want 200", code)
	}
}

// A request header block larger than maxHeaderBytes is refused.
func TestHeaderCap(t *testing.T) {
	addr, _ := startListener(t, testHTTP(16), okHandler)
	k := dialKeepAlive(t, addr)
	k.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(k, "GET /healthz HTTP/1.1\r\nHost: briefbot\r\nX-Big: %s\r\n\r\n", strings.Repeat("a", maxHeaderBytes+8192))
	resp, err := http.ReadResponse(k.r, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d, want 431", resp.StatusCode)
	}
}

// With metrics.addr set, /metrics answers there and not on the public
// port.
func TestServeMetricsOnOwnAddress(t *testing.T) {
	s := startServeWith(t, map[string]string{
		"BRIEFBOT_SLACK_MODE":           "http",
		"BRIEFBOT_SLACK_SIGNING_SECRET": testSigningSecret,
		"BRIEFBOT_SLACK_BOT_TOKEN":      testBotToken,
		"BRIEFBOT_SLACK_API_URL":        newFakeSlackAPI(t) + "/",
		"BRIEFBOT_METRICS_ADDR":         "127.0.0.1:0",
		"BRIEFBOT_HTTP_MAX_CONNECTIONS": "64",
	})
	var metricsAddr string
	eventually(t, "metrics listener logged", func() bool {
		_, rest, ok := strings.Cut(s.logs.String(), `msg="metrics listening" addr=`)
		metricsAddr, _, _ = strings.Cut(strings.TrimSpace(rest), "\n")
		return ok
	})
	code, body := get(t, "http://"+metricsAddr+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics on metrics.addr: %d", code)
	}
	for _, want := range []string{"briefbot_http_connections_max 64\n", "briefbot_http_connections ", "briefbot_http_connections_closed_total 0\n", "briefbot_http_bodies_refused_total 0\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if code, _ := get(t, "http://"+s.addr+"/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics on http.addr: %d, want 404 when metrics.addr is set", code)
	}
	if code, _ := get(t, "http://"+s.addr+"/healthz"); code != 200 {
		t.Errorf("/healthz on http.addr: %d", code)
	}
}
