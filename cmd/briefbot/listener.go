package main

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/briefbot/briefbot/config"
)

// maxHeaderBytes caps a request's header block. Slack and Discord send well
// under 8 KiB; net/http's default of 1 MiB only helps an attacker.
const maxHeaderBytes = 64 << 10

// readHeaderTimeout bounds how long a connection may take to send its
// request headers, whatever http.read_timeout says.
const readHeaderTimeout = 10 * time.Second

// fdReserve is how many file descriptors are kept back from the connection
// cap for everything else the process opens: the store, briefing files,
// outgoing calls to Slack and Discord, the metrics listener.
const fdReserve = 128

// metricsMaxConnections caps the metrics listener, which only scrapers use.
const metricsMaxConnections = 64

// newHTTPServer builds an HTTP server with the timeouts in c and a listener
// that holds at most c.MaxConnections connections open (fewer when the
// process may not open that many files). It returns the server and the
// listener to pass to its Serve.
//
// When the cap is reached, the connection idle the longest is closed to
// make room, so a crowd of idle keep-alive connections cannot lock
// /healthz or a signed webhook out. When none is idle, new connections wait
// in the kernel's accept queue until one closes: every busy connection ends
// within http.write_timeout (a slow body within http.read_timeout).
func newHTTPServer(c config.HTTP, ln net.Listener, h http.Handler, log *slog.Logger) (*http.Server, net.Listener) {
	limit := c.MaxConnections
	if fds := openFileLimit(); fds > 0 && limit > fds-fdReserve {
		limit = max(1, fds-fdReserve)
		log.Warn("http.max_connections is above what the open-file limit allows; lowered",
			"configured", c.MaxConnections, "max_connections", limit, "open_file_limit", fds)
	}
	lim := newConnLimiter(ln, limit, log)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(readHeaderTimeout, c.ReadTimeout),
		ReadTimeout:       c.ReadTimeout,
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       c.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ConnState:         lim.connState,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return srv, lim
}

// serveMetrics puts /metrics where metrics.addr says: on its own listener
// when it is set, so the public port need not expose it, or on mux beside
// /healthz when it is empty. The returned function stops the separate
// listener; it does nothing when there is none.
func serveMetrics(cfg config.Config, mux *http.ServeMux, metrics http.Handler, log *slog.Logger) (stop func(), err error) {
	if cfg.Metrics.Addr == "" {
		mux.Handle("GET /metrics", metrics)
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.Metrics.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on metrics.addr (%s): %w", config.EnvVar("metrics.addr"), err)
	}
	own := http.NewServeMux()
	own.Handle("GET /metrics", metrics)
	c := cfg.HTTP
	c.MaxConnections = metricsMaxConnections
	srv, lim := newHTTPServer(c, ln, own, log.With("listener", "metrics"))
	go func() {
		if err := srv.Serve(lim); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	log.Info("metrics listening", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
	}, nil
}

// connLimiter is a net.Listener that holds at most max connections open. It
// learns which are idle from http.Server's ConnState hook and, at the cap,
// closes the one idle the longest before accepting another.
//
// netutil.LimitListener (golang.org/x/net) caps the same way but only
// waits: 10,000 idle keep-alive connections would keep every new one,
// /healthz included, out until IdleTimeout.
type connLimiter struct {
	net.Listener
	max int
	log *slog.Logger

	mu   sync.Mutex
	open int
	// idle holds the idle connections, the longest idle first.
	idle list.List

	freed     chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	evicted  atomic.Int64
	lastWarn atomic.Int64
}

func newConnLimiter(ln net.Listener, max int, log *slog.Logger) *connLimiter {
	return &connLimiter{Listener: ln, max: max, log: log, freed: make(chan struct{}, 1), done: make(chan struct{})}
}

// limitedConn is a connection counted by its connLimiter until closed.
type limitedConn struct {
	net.Conn
	l    *connLimiter
	once sync.Once
	// idle is its place in l.idle while idle; guarded by l.mu.
	idle *list.Element
}

// Accept waits for a free place, closing the longest-idle connection when
// there is none, then accepts.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		l.mu.Lock()
		if l.open < l.max {
			l.open++
			l.mu.Unlock()
			break
		}
		var victim *limitedConn
		if e := l.idle.Front(); e != nil {
			victim = e.Value.(*limitedConn)
			l.idle.Remove(e)
			victim.idle = nil
		}
		l.mu.Unlock()
		if victim != nil {
			l.evict(victim)
			continue
		}
		select {
		case <-l.freed:
		case <-l.done:
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		l.release()
		return nil, err
	}
	return &limitedConn{Conn: c, l: l}, nil
}

// evict closes an idle connection to make room. Closing it ends the
// server's wait for its next request, as IdleTimeout would.
func (l *connLimiter) evict(c *limitedConn) {
	c.Close()
	n := l.evicted.Add(1)
	now := time.Now().Unix()
	if last := l.lastWarn.Load(); now-last >= 60 && l.lastWarn.CompareAndSwap(last, now) {
		l.log.Warn("http.max_connections reached: closing idle connections to make room",
			"max_connections", l.max, "closed_idle_total", n)
	}
}

func (l *connLimiter) release() {
	l.mu.Lock()
	l.open--
	l.mu.Unlock()
	select {
	case l.freed <- struct{}{}:
	default:
	}
}

// connState is the server's ConnState hook: it keeps l.idle current.
func (l *connLimiter) connState(nc net.Conn, state http.ConnState) {
	c, ok := nc.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if state == http.StateIdle {
		if c.idle == nil {
			c.idle = l.idle.PushBack(c)
		}
		return
	}
	if c.idle != nil {
		l.idle.Remove(c.idle)
		c.idle = nil
	}
}

// Open returns how many connections are open now.
func (l *connLimiter) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

// Close stops accepting; open connections stay until the server closes them.
func (l *connLimiter) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		if c.idle != nil {
			c.l.idle.Remove(c.idle)
			c.idle = nil
		}
		c.l.mu.Unlock()
		c.l.release()
	})
	return err
}
