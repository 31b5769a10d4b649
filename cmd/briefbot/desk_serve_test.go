package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/metrics"
	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/config"
)

// TestDeskServedOnLoopback wires the desk and analytics as serve does, on a
// loopback listener: a question a reader could not get answered in chat
// shows on the desk, which opens without a token, and /metrics counts it.
func TestDeskServedOnLoopback(t *testing.T) {
	ctx := t.Context()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "briefbot.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := config.Config{Analytics: config.Analytics{Enabled: true, Retention: 30 * 24 * time.Hour}}
	m := metrics.New()
	log := slog.New(slog.DiscardHandler)
	an, err := newAnalytics(cfg, st, m, log)
	if err != nil {
		t.Fatal(err)
	}
	core := bot.New(bot.Options{Observe: observers(m.ObserveCommand, an.Observe)})
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go an.Run(runCtx)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	d, err := startDesk(cfg, core, st, bot.NewFirstSeen(st, nil), an, nil, ln.Addr(), mux, log)
	if err != nil || d == nil {
		t.Fatalf("startDesk = %v, %v; want a desk", d, err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	core.Handle(ctx, bot.Request{Platform: bot.Platform("slack"), User: "U1", Channel: "C1", Text: "atlantis risks"})
	deadline := time.Now().Add(10 * time.Second)
	var body string
	for {
		code, b := fetch(t, base+"/desk/")
		if code != http.StatusOK {
			t.Fatalf("GET /desk/ on loopback with no token: %d\n%s", code, b)
		}
		if body = b; strings.Contains(body, "atlantis risks") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the unanswered question did not reach the desk within 10 s:\n%s", body)
		}
		time.Sleep(20 * time.Millisecond) // polling for an observed event, not for correctness
	}
	_, metricsBody := fetch(t, base+"/metrics")
	if !strings.Contains(metricsBody, `briefbot_questions_unanswered_total{outcome="unanswered"} 1`) {
		t.Errorf("/metrics does not count the unanswered question:\n%s", grep(metricsBody, "briefbot_questions"))
	}
	code, b := fetch(t, base+"/desk/topic/kazakhstan")
	if code != http.StatusOK || !strings.Contains(b, "Kazakhstan") {
		t.Errorf("topic page: %d", code)
	}
}

func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func grep(s, word string) string {
	var out bytes.Buffer
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out.WriteString(l + "\n")
		}
	}
	return out.String()
}

func TestDeskOffWithoutTokensOffLoopback(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	d, err := startDesk(config.Config{}, bot.New(bot.Options{}), nil, nil, nil, nil, &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, http.NewServeMux(), log)
	if err != nil || d != nil {
		t.Fatalf("startDesk = %v, %v; want no desk", d, err)
	}
	if !strings.Contains(logs.String(), "desk off") || !strings.Contains(logs.String(), "BRIEFBOT_API_TOKENS") {
		t.Errorf("log does not say why the desk is off:\n%s", logs.String())
	}
}

func TestLoopbackAddr(t *testing.T) {
	for in, want := range map[string]string{
		":8080":          "127.0.0.1:8080",
		"0.0.0.0:9000":   "127.0.0.1:9000",
		"[::]:80":        "127.0.0.1:80",
		"127.0.0.1:8080": "127.0.0.1:8080",
		"[::1]:8080":     "[::1]:8080",
		"localhost:8080": "localhost:8080",
	} {
		if got, err := loopbackAddr(in); err != nil || got != want {
			t.Errorf("loopbackAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := loopbackAddr("8080"); err == nil || !strings.Contains(err.Error(), "BRIEFBOT_HTTP_ADDR") {
		t.Errorf("loopbackAddr(8080) error = %v, want one naming BRIEFBOT_HTTP_ADDR", err)
	}
}

func TestAnalyticsOff(t *testing.T) {
	an, err := newAnalytics(config.Config{Analytics: config.Analytics{Enabled: false}}, nil, metrics.New(), slog.New(slog.DiscardHandler))
	if err != nil || an != nil {
		t.Fatalf("newAnalytics with analytics off = %v, %v; want nil", an, err)
	}
	// A nil Analytics observes nothing and does not fail.
	core := bot.New(bot.Options{Observe: observers(nil, an.Observe)})
	core.Handle(t.Context(), bot.Request{Platform: bot.Platform("slack"), Text: "atlantis"})
}
