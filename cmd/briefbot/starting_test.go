package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/store/storetest"
	"github.com/briefbot/briefbot/config"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeWaitsForPostgres starts serve while PostgreSQL is not up:
// serve listens, is alive and not ready, and, when BRIEFBOT_TEST_POSTGRES_URL
// names a server, becomes ready once that server appears, without a restart.
func TestServeWaitsForPostgres(t *testing.T) {
	pg := os.Getenv("BRIEFBOT_TEST_POSTGRES_URL")
	dbAddr := freeAddr(t)
	storeURL := "postgres://postgres@" + dbAddr + "/postgres?sslmode=disable"
	var upstream string
	if pg != "" {
		// A schema of the test's own, dropped at the end.
		u, err := url.Parse(storetest.PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		upstream = u.Host
		u.Host = dbAddr
		storeURL = u.String()
	}
	dir := t.TempDir()
	briefingsDir := filepath.Join(dir, "briefings")
	os.Mkdir(briefingsDir, 0o755)
	write(t, filepath.Join(briefingsDir, "mars.txt"), marsBriefing)
	for _, k := range config.Keys() {
		t.Setenv(config.EnvVar(k), "")
	}
	httpAddr := freeAddr(t)
	for k, v := range map[string]string{
		"BRIEFBOT_HTTP_ADDR":             httpAddr,
		"BRIEFBOT_BRIEFINGS_DIR":         briefingsDir,
		"BRIEFBOT_STORE_URL":             storeURL,
		"BRIEFBOT_STORE_CONNECT_TIMEOUT": "60s",
		"BRIEFBOT_SLACK_MODE":            "http",
		"BRIEFBOT_SLACK_SIGNING_SECRET":  testSigningSecret,
		"BRIEFBOT_SLACK_BOT_TOKEN":       testBotToken,
		"BRIEFBOT_SLACK_API_URL":         newFakeSlackAPI(t) + "/",
	} {
		t.Setenv(k, v)
	}
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	listening := make(chan net.Addr, 1)
	done := make(chan int, 1)
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: logs, ConfigSearchPaths: []string{dir},
		Listening: func(a net.Addr) { listening <- a }}
	go func() { done <- m.Run(ctx, []string{"serve"}) }()

	base := "http://" + httpAddr
	probe := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	eventually(t, "serve waiting for PostgreSQL", func() bool { return strings.Contains(logs.String(), "waiting for PostgreSQL") })
	if code, body := probe("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "connecting to the store") {
		t.Errorf("/readyz while waiting = %d %q, want 503 naming the store", code, body)
	}
	if code, _ := probe("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz while waiting = %d, want 200", code)
	}

	if pg == "" {
		t.Log("BRIEFBOT_TEST_POSTGRES_URL is not set: not bringing PostgreSQL up")
		cancel()
		<-done
		return
	}
	ln, err := net.Listen("tcp", dbAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go forward(ln, upstream)
	select {
	case <-listening:
	case code := <-done:
		t.Fatalf("serve exited %d:\n%s", code, logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve not ready 30s after PostgreSQL came up:\n%s", logs)
	}
	eventually(t, "ready", func() bool { code, _ := probe("/readyz"); return code == http.StatusOK })
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d", code)
	}
}

func forward(ln net.Listener, upstream string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			u, err := net.Dial("tcp", upstream)
			if err != nil {
				return
			}
			defer u.Close()
			go io.Copy(u, c)
			io.Copy(c, u)
		}()
	}
}
