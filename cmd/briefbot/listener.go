package main

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/briefbot/briefbot/bot/metrics"
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

// Request bodies: each request may hold freeBodyBytes of body without
// counting; beyond that, the bodies of all requests in flight share
// bodyBudgetBytes. Slash commands and most events fit in the free part;
// larger interaction payloads (some 10 KiB) draw on the budget, which
// holds hundreds of them. 1,000 connections each sending a 1 MiB body less
// one byte (which the webhooks' 1 MiB limit accepts) read at most
// 1,000 × 4 KiB + 4 MiB instead of 1 GiB; the buffers holding them may be
// up to twice that, as they grow by doubling. In the load test, 4 KiB and
// 4 MiB gave a peak RSS 40 MB lower than 8 KiB and 8 MiB.
const (
	freeBodyBytes   = 4 << 10
	bodyBudgetBytes = 4 << 20
)

// metricsMaxConnections caps the metrics listener, which only scrapers use.
const metricsMaxConnections = 64

// newHTTPServer builds an HTTP server with the timeouts in c and a listener
// that holds at most c.MaxConnections connections open (fewer when the
// process may not open that many files). It returns the server and the
// listener to pass to its Serve.
//
// When the cap is reached, a connection idle between requests, or else one
// that has sent nothing yet, is closed to make room (see connLimiter), so a
// crowd of idle or silent connections cannot lock /healthz or a signed
// webhook out. When every connection is mid-request, new ones wait in the
// kernel's accept queue until one closes: every busy connection ends within
// http.write_timeout (a slow body within http.read_timeout).
func newHTTPServer(c config.HTTP, ln net.Listener, h http.Handler, log *slog.Logger) (*http.Server, *connLimiter) {
	limit := c.MaxConnections
	if fds := openFileLimit(); fds > 0 && limit > fds-fdReserve {
		limit = max(1, fds-fdReserve)
		log.Warn("http.max_connections is above what the open-file limit allows; lowered",
			"configured", c.MaxConnections, "max_connections", limit, "open_file_limit", fds)
	}
	lim := newConnLimiter(ln, limit, log)
	lim.bodies = newBodyBudget(bodyBudgetBytes, log)
	srv := &http.Server{
		Handler:           lim.bodies.wrap(h),
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

// observe exports the listener's state to m.
func (l *connLimiter) observe(m *metrics.Metrics) {
	m.Listener(l.Open, l.max, l.evicted.Load, l.bodies.refusals.Load)
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

// connLimiter is a net.Listener that holds at most max connections open.
// At the cap it makes room before handing out another: it closes the
// connection idle the longest (between keep-alive requests, as it learns
// from http.Server's ConnState hook) or, when none is, the oldest one that
// has not sent a byte yet. A connection mid-request is never closed; when
// every one is, the new connection waits for one to end.
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
	// idle holds the connections idle between requests, longest idle
	// first; silent those that have sent nothing yet, oldest first.
	idle, silent list.List

	// changed wakes an Accept waiting at the cap: a connection closed or
	// fell idle.
	changed   chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	evicted  atomic.Int64
	lastWarn atomic.Int64

	// bodies is the body budget of the server this listener feeds.
	bodies *bodyBudget
}

func newConnLimiter(ln net.Listener, max int, log *slog.Logger) *connLimiter {
	return &connLimiter{Listener: ln, max: max, log: log, changed: make(chan struct{}, 1), done: make(chan struct{})}
}

// limitedConn is a connection counted by its connLimiter until closed.
type limitedConn struct {
	net.Conn
	l    *connLimiter
	once sync.Once
	// heard is set once the peer has sent a byte.
	heard atomic.Bool
	// idle and silent are its places in l.idle and l.silent, nil when not
	// there; guarded by l.mu.
	idle, silent *list.Element
}

// Accept accepts the next connection, then makes room for it (see
// connLimiter). Meanwhile the kernel queues further ones.
func (l *connLimiter) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	for {
		l.mu.Lock()
		if l.open < l.max {
			l.open++
			c := &limitedConn{Conn: nc, l: l}
			c.silent = l.silent.PushBack(c)
			l.mu.Unlock()
			return c, nil
		}
		victim := l.popLocked(&l.idle)
		if victim == nil {
			victim = l.popLocked(&l.silent)
		}
		l.mu.Unlock()
		if victim != nil {
			l.evict(victim)
			continue
		}
		select {
		case <-l.changed:
		case <-l.done:
			nc.Close()
			return nil, net.ErrClosed
		}
	}
}

// popLocked takes the first connection off list, nil when it is empty.
func (l *connLimiter) popLocked(list *list.List) *limitedConn {
	e := list.Front()
	if e == nil {
		return nil
	}
	c := e.Value.(*limitedConn)
	c.forgetLocked()
	return c
}

// forgetLocked takes c off both lists.
func (c *limitedConn) forgetLocked() {
	if c.idle != nil {
		c.l.idle.Remove(c.idle)
		c.idle = nil
	}
	if c.silent != nil {
		c.l.silent.Remove(c.silent)
		c.silent = nil
	}
}

// evict closes a connection to make room. Closing it ends the server's
// wait for its next request, as IdleTimeout would.
func (l *connLimiter) evict(c *limitedConn) {
	c.Close()
	n := l.evicted.Add(1)
	now := time.Now().Unix()
	if last := l.lastWarn.Load(); now-last >= 60 && l.lastWarn.CompareAndSwap(last, now) {
		l.log.Warn("http.max_connections reached: closing idle connections to make room",
			"max_connections", l.max, "closed_total", n)
	}
}

func (l *connLimiter) release() {
	l.mu.Lock()
	l.open--
	l.mu.Unlock()
	l.wake()
}

func (l *connLimiter) wake() {
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// connState is the server's ConnState hook: it keeps l.idle current, and
// takes a connection that has started a request off l.silent.
func (l *connLimiter) connState(nc net.Conn, state http.ConnState) {
	c, ok := nc.(*limitedConn)
	if !ok || state == http.StateNew {
		return
	}
	l.mu.Lock()
	c.forgetLocked()
	if state == http.StateIdle {
		c.idle = l.idle.PushBack(c)
	}
	l.mu.Unlock()
	if state == http.StateIdle {
		l.wake()
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

// Read notes the first byte, after which c is no longer silent.
func (c *limitedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.heard.Load() {
		c.heard.Store(true)
		c.l.mu.Lock()
		if c.silent != nil {
			c.l.silent.Remove(c.silent)
			c.silent = nil
		}
		c.l.mu.Unlock()
	}
	return n, err
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		c.forgetLocked()
		c.l.mu.Unlock()
		c.l.release()
	})
	return err
}

// errBodyBudget is the read error of a body refused by the shared budget.
var errBodyBudget = errors.New("request bodies in flight use the whole body budget; try again")

// bodyBudget caps the body bytes that requests in flight have read,
// beyond freeBodyBytes each. The handlers read bodies into buffers that grow
// as bytes arrive, so bytes read is the memory bodies hold.
type bodyBudget struct {
	max      int64
	used     atomic.Int64
	refusals atomic.Int64
	log      *slog.Logger
	lastWarn atomic.Int64
}

func newBodyBudget(max int64, log *slog.Logger) *bodyBudget {
	return &bodyBudget{max: max, log: log}
}

// wrap charges the bodies of next's requests to b until next returns.
func (b *bodyBudget) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		body := &budgetedBody{ReadCloser: r.Body, b: b}
		r.Body = body
		defer body.refund()
		next.ServeHTTP(w, r)
	})
}

// budgetedBody is a request body charged to a bodyBudget.
type budgetedBody struct {
	io.ReadCloser
	b *bodyBudget
	// read counts the bytes read; charged the part beyond freeBodyBytes.
	read, charged int64
}

func (c *budgetedBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.read += int64(n)
	if over := c.read - freeBodyBytes - c.charged; over > 0 {
		if c.b.used.Add(over) > c.b.max {
			c.b.used.Add(-over)
			c.b.refused()
			return 0, errBodyBudget
		}
		c.charged += over
	}
	return n, err
}

// refund gives the body's charge back once its handler has returned.
func (c *budgetedBody) refund() {
	c.b.used.Add(-c.charged)
	c.charged = 0
}

func (b *bodyBudget) refused() {
	b.refusals.Add(1)
	now := time.Now().Unix()
	if last := b.lastWarn.Load(); now-last >= 60 && b.lastWarn.CompareAndSwap(last, now) {
		b.log.Warn("request bodies in flight reached their budget: refusing the rest of large bodies", "budget_bytes", b.max)
	}
}
