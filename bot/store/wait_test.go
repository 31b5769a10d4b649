package store_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/store"
)

// lockedBuffer is a log sink the store writes while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freePort returns a loopback address nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestOpenGivesUpOnPostgresAfterConnectTimeout(t *testing.T) {
	var logs lockedBuffer
	start := time.Now()
	_, err := store.OpenWith(t.Context(), "postgres://bot:secretpw@"+freePort(t)+"/briefbot?sslmode=disable",
		store.Options{ConnectTimeout: 600 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err == nil {
		t.Fatal("Open succeeded with no server")
	}
	for _, want := range []string{"store.connect_timeout", "600ms"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if took := time.Since(start); took < 600*time.Millisecond {
		t.Errorf("gave up after %s, before the timeout", took)
	}
	if !strings.Contains(logs.String(), "waiting for PostgreSQL") {
		t.Errorf("no log line while waiting:\n%s", logs.String())
	}
	if strings.Contains(logs.String()+err.Error(), "secretpw") {
		t.Error("the password reached the log or the error")
	}
}

// TestOpenWaitsForPostgres starts Open while nothing listens on the
// server's address, then opens the way to a real server: Open finishes
// without being started again.
func TestOpenWaitsForPostgres(t *testing.T) {
	target, err := url.Parse(postgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	upstream := target.Host
	addr := freePort(t)
	target.Host = addr

	var logs lockedBuffer
	type result struct {
		db  *store.DB
		err error
	}
	done := make(chan result, 1)
	go func() {
		db, err := store.OpenWith(context.Background(), target.String(),
			store.Options{ConnectTimeout: 30 * time.Second, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		done <- result{db, err}
	}()
	// Wait until Open has been refused at least once.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "waiting for PostgreSQL") {
		if time.Now().After(deadline) {
			t.Fatalf("Open never waited:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case r := <-done:
		t.Fatalf("Open returned before the server was up: %v", r.err)
	default:
	}

	// "PostgreSQL comes up": a proxy to the real server on that address.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go proxy(ln, upstream)

	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("Open: %v", r.err)
		}
		defer r.db.Close()
		if err := r.db.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("Open did not finish after the server came up:\n%s", logs.String())
	}
}

func proxy(ln net.Listener, upstream string) {
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
