// Package metrics exposes briefbot's Prometheus metrics: commands handled,
// answer latency, briefings loaded and broken, reloads, digest slots and
// lag, platform connections, posts, retries and refused requests, the
// build, beside the Go runtime and process collectors.
//
// Every series whose label values are known in advance (platforms,
// outcomes, reasons) is created at zero when Metrics is built, so a rate()
// or an absent() alert works from the first scrape, not the first event.
// The label words are the ones logs use: bot.Outcome for commands,
// bot.SlotOutcome for digest slots, and the Result and Reason constants
// here for platform calls.
package metrics

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/briefbot/briefbot/bot"
)

// Results of a platform post, the "result" label of posts and the word
// adapters log for one.
const (
	ResultOK          = "ok"           // the platform took the message
	ResultRateLimited = "rate_limited" // 429: the post waits and is retried
	ResultRejected    = "rejected"     // the platform refused it (4xx, Slack ok:false): retrying will not help
	ResultFailed      = "failed"       // network error or 5xx: may be retried
)

// Results lists every post result.
var Results = []string{ResultOK, ResultRateLimited, ResultRejected, ResultFailed}

// Reasons a request to a webhook was refused with 401, the "reason" label.
const (
	ReasonMissingSignature = "missing_signature" // no signature or timestamp header
	ReasonStale            = "stale_timestamp"   // timestamp outside the 5-minute window
	ReasonBadSignature     = "bad_signature"     // signature does not verify
)

// Reasons lists every refusal reason.
var Reasons = []string{ReasonMissingSignature, ReasonStale, ReasonBadSignature}

// RetryReasons are why a platform call is retried, the "reason" label of retries.
var RetryReasons = []string{ResultRateLimited, ResultFailed}

// commandOutcomes are the words bot.Outcome returns.
var commandOutcomes = []string{"answered", "corrected", "not_found", "error"}

var slotOutcomes = []bot.SlotOutcome{bot.OutcomePosted, bot.OutcomeDelayed, bot.OutcomeEmpty, bot.OutcomeSkipped, bot.OutcomeFailed}

// Metrics holds the process's collectors in a registry of its own.
type Metrics struct {
	reg          *prometheus.Registry
	build        *prometheus.GaugeVec
	commands     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	briefings    prometheus.Gauge
	brokenFiles  prometheus.Gauge
	reloads      *prometheus.CounterVec
	lastReload   prometheus.Gauge
	digestPosts  *prometheus.CounterVec
	paused       prometheus.Counter
	apiErrors    *prometheus.CounterVec
	rateLimits   *prometheus.CounterVec
	posts        *prometheus.CounterVec
	retries      *prometheus.CounterVec
	unauthorized *prometheus.CounterVec
}

// New returns Metrics registered in a fresh registry, every known series
// of the given platforms at zero.
func New(platforms ...bot.Platform) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		build: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "briefbot_build_info",
			Help: "Always 1; the labels say which build is running.",
		}, []string{"version", "commit", "goversion"}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_commands_total",
			Help: "Commands handled, by platform, reply kind and outcome (answered, corrected, not_found, error).",
		}, []string{"platform", "kind", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "briefbot_answer_duration_seconds",
			Help:    "Time the core took to answer a command.",
			Buckets: []float64{.00001, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .05, .1, .5},
		}, []string{"platform"}),
		briefings: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "briefbot_briefings_loaded",
			Help: "Briefings in the library, all versions counted.",
		}),
		brokenFiles: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "briefbot_briefing_load_errors",
			Help: "Briefing files broken now (each serves its last good version, if it had one), whichever reload broke them.",
		}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_reloads_total",
			Help: "Library reloads, by result (ok, or error: some file kept its last good version).",
		}, []string{"result"}),
		lastReload: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "briefbot_last_reload_success_timestamp_seconds",
			Help: "When the library was last (re)loaded with no broken file, as Unix time; 0 until then.",
		}),
		digestPosts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_digest_slots_total",
			Help: "Digest slots handled by this replica, by platform and outcome.",
		}, []string{"platform", "outcome"}),
		paused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "briefbot_digest_subscriptions_paused_total",
			Help: "Subscriptions paused after repeated permanent failures.",
		}),
		apiErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_platform_api_errors_total",
			Help: "Failed platform API calls (network errors, 4xx other than 429, 5xx), by platform.",
		}, []string{"platform"}),
		rateLimits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_platform_rate_limits_total",
			Help: "Platform API calls answered with 429, by platform.",
		}, []string{"platform"}),
		posts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_platform_posts_total",
			Help: "Message posts sent to a platform (answers, follow-ups, digests), each attempt counted, by platform and result (ok, rate_limited, rejected, failed).",
		}, []string{"platform", "result"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_platform_retries_total",
			Help: "Platform calls retried, by platform and reason (rate_limited, failed).",
		}, []string{"platform", "reason"}),
		unauthorized: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_requests_unauthorized_total",
			Help: "Webhook requests refused with 401, by platform and reason (missing_signature, stale_timestamp, bad_signature).",
		}, []string{"platform", "reason"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.build, m.commands, m.latency, m.briefings, m.brokenFiles, m.reloads, m.lastReload,
		m.digestPosts, m.paused, m.apiErrors, m.rateLimits, m.posts, m.retries, m.unauthorized,
	)
	for _, r := range []string{"ok", "error"} {
		m.reloads.WithLabelValues(r)
	}
	for _, pl := range platforms {
		p := string(pl)
		m.latency.WithLabelValues(p)
		m.apiErrors.WithLabelValues(p)
		m.rateLimits.WithLabelValues(p)
		for _, o := range commandOutcomes {
			// The kind of an outcome is known for not_found and error;
			// answered and corrected replies start at zero as sections.
			kind := string(bot.KindSection)
			if o == "not_found" || o == "error" {
				kind = o
			}
			m.commands.WithLabelValues(p, kind, o)
		}
		for _, o := range slotOutcomes {
			m.digestPosts.WithLabelValues(p, string(o))
		}
		for _, r := range Results {
			m.posts.WithLabelValues(p, r)
		}
		for _, r := range RetryReasons {
			m.retries.WithLabelValues(p, r)
		}
		for _, r := range Reasons {
			m.unauthorized.WithLabelValues(p, r)
		}
	}
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the registry the metrics live in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Build sets briefbot_build_info for the running binary.
func (m *Metrics) Build(version, commit, goVersion string) {
	m.build.Reset()
	m.build.WithLabelValues(version, commit, goVersion).Set(1)
}

// ObserveCommand counts one handled command; it fits bot.Options.Observe.
func (m *Metrics) ObserveCommand(req bot.Request, r bot.Reply, took time.Duration) {
	platform := string(req.Platform)
	if platform == "" {
		platform = "unknown"
	}
	m.commands.WithLabelValues(platform, string(r.Kind), bot.Outcome(r)).Inc()
	m.latency.WithLabelValues(platform).Observe(took.Seconds())
}

// ObserveDigest counts one digest slot; it fits digest.Options.Observe.
func (m *Metrics) ObserveDigest(sub bot.Subscription, o bot.SlotOutcome) {
	m.digestPosts.WithLabelValues(string(sub.Platform), string(o)).Inc()
}

// Paused counts a subscription paused for its failures.
func (m *Metrics) Paused() { m.paused.Inc() }

// Library records the size of the library now served and how many
// briefing files are broken now: all of them, not only those the latest
// reload touched.
func (m *Metrics) Library(briefings, brokenFiles int) {
	m.briefings.Set(float64(briefings))
	m.brokenFiles.Set(float64(brokenFiles))
}

// Reloaded counts a (re)load finished at at; ok is false when some file
// failed to parse. A load with no broken file moves
// briefbot_last_reload_success_timestamp_seconds to at.
func (m *Metrics) Reloaded(ok bool, at time.Time) {
	result := "ok"
	if !ok {
		result = "error"
	}
	m.reloads.WithLabelValues(result).Inc()
	if ok {
		m.lastReload.Set(float64(at.UnixNano()) / 1e9)
	}
}

// Posted counts one post attempt to a platform with its result.
func (m *Metrics) Posted(platform, result string) { m.posts.WithLabelValues(platform, result).Inc() }

// Retried counts one retried platform call; reason is ResultRateLimited
// or ResultFailed. Transport counts retries itself; Retried is for calls
// that do not go through it.
func (m *Metrics) Retried(platform, reason string) {
	m.retries.WithLabelValues(platform, reason).Inc()
}

// Unauthorized counts a webhook request refused with 401.
func (m *Metrics) Unauthorized(platform, reason string) {
	m.unauthorized.WithLabelValues(platform, reason).Inc()
}

// APIError counts a failed platform API call.
func (m *Metrics) APIError(platform string) { m.apiErrors.WithLabelValues(platform).Inc() }

// RateLimited counts a 429 from a platform API.
func (m *Metrics) RateLimited(platform string) { m.rateLimits.WithLabelValues(platform).Inc() }

// Listener exports the HTTP listener's state, read at scrape time: the
// connections open and the cap in effect (maxConns), the connections
// closed to make room at the cap, and the bodies refused because those in
// flight used the whole body budget.
func (m *Metrics) Listener(open func() int, maxConns int, closed, refused func() int64) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "briefbot_http_connections",
			Help: "Connections open on http.addr."}, func() float64 { return float64(open()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "briefbot_http_connections_max",
			Help: "The cap on open connections in effect (http.max_connections, or lower for the open-file limit)."},
			func() float64 { return float64(maxConns) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "briefbot_http_connections_closed_total",
			Help: "Idle or silent connections closed to make room at the cap."}, func() float64 { return float64(closed()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "briefbot_http_bodies_refused_total",
			Help: "Request bodies refused because the bodies in flight used the whole body budget."},
			func() float64 { return float64(refused()) }),
	)
}

// Connection exports briefbot_platform_connected{platform,shard}: 1 while
// connected() reports the platform's connection (Slack Socket Mode, one
// Discord gateway shard) up, 0 while it is down. It is read at scrape
// time, so it is true at the moment of the scrape.
func (m *Metrics) Connection(platform string, shard int, connected func() bool) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "briefbot_platform_connected",
		Help:        "1 while the platform's connection (Slack Socket Mode, a Discord gateway shard) is up, 0 while it is down.",
		ConstLabels: prometheus.Labels{"platform": platform, "shard": strconv.Itoa(shard)},
	}, func() float64 {
		if connected() {
			return 1
		}
		return 0
	}))
}

// DigestLag exports briefbot_digest_lag_seconds: now minus the due time of
// the oldest digest slot not yet posted, 0 when none is overdue. oldest is
// asked at scrape time (bot.OldestUnposted fits) and returns the zero time
// when nothing is due; an error leaves the gauge out of that scrape.
func (m *Metrics) DigestLag(now func() time.Time, oldest func(ctx context.Context, now time.Time) (time.Time, error)) {
	m.reg.MustRegister(&lagCollector{now: now, oldest: oldest, desc: prometheus.NewDesc(
		"briefbot_digest_lag_seconds",
		"Now minus the due time of the oldest digest slot not yet posted; 0 when none is overdue.",
		nil, nil)})
}

type lagCollector struct {
	desc   *prometheus.Desc
	now    func() time.Time
	oldest func(ctx context.Context, now time.Time) (time.Time, error)
}

func (c *lagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *lagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := c.now()
	due, err := c.oldest(ctx, now)
	if err != nil {
		// Leave the gauge out rather than fail the whole scrape: the
		// store being down shows in /readyz and in absent().
		return
	}
	lag := 0.0
	if !due.IsZero() && due.Before(now) {
		lag = now.Sub(due).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, lag)
}

// Transport wraps an HTTP transport (nil means http.DefaultTransport) so
// that every platform API call it makes is counted: 429 answers as rate
// limits, failed requests and 4xx/5xx answers as API errors, calls that
// post a message (see isPost) in briefbot_platform_posts_total by result,
// and retries in briefbot_platform_retries_total. A retry is a request
// identical (method, URL, body) to one that was answered 429 or failed in
// the last retryWindow: what the adapters' retry loops send, seen without
// their help.
func (m *Metrics) Transport(platform string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	failed := &failedCalls{at: map[[32]byte]failedCall{}}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		key, keyed := requestKey(r)
		if keyed {
			if reason, ok := failed.take(key, time.Now()); ok {
				m.Retried(platform, reason)
			}
		}
		resp, err := next.RoundTrip(r)
		result := ResultOK
		switch {
		case err != nil:
			m.APIError(platform)
			result = ResultFailed
		case resp.StatusCode == http.StatusTooManyRequests:
			m.RateLimited(platform)
			result = ResultRateLimited
		case resp.StatusCode >= 500:
			m.APIError(platform)
			result = ResultFailed
		case resp.StatusCode >= 400:
			m.APIError(platform)
			result = ResultRejected
		}
		if isPost(r) {
			if result == ResultOK && slackRefused(resp) {
				result = ResultRejected
			}
			m.Posted(platform, result)
		}
		if keyed && (result == ResultRateLimited || result == ResultFailed) {
			failed.put(key, result, time.Now())
		}
		return resp, err
	})
}

// retryWindow is how long a failed call is remembered, to recognise its
// retry; the adapters retry within seconds (a Retry-After of up to a minute).
const retryWindow = 2 * time.Minute

// maxFailedCalls bounds the memory of failed calls.
const maxFailedCalls = 1024

type failedCall struct {
	reason string
	at     time.Time
}

// failedCalls remembers recently failed requests by a hash of their
// method, URL and body.
type failedCalls struct {
	mu sync.Mutex
	at map[[32]byte]failedCall
}

func (f *failedCalls) put(key [32]byte, reason string, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.at) >= maxFailedCalls {
		for k, c := range f.at {
			if now.Sub(c.at) > retryWindow {
				delete(f.at, k)
			}
		}
		if len(f.at) >= maxFailedCalls {
			clear(f.at)
		}
	}
	f.at[key] = failedCall{reason, now}
}

func (f *failedCalls) take(key [32]byte, now time.Time) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.at[key]
	if !ok {
		return "", false
	}
	delete(f.at, key)
	return c.reason, now.Sub(c.at) <= retryWindow
}

// requestKey hashes r's method, URL and body. A body it cannot read again
// (no GetBody) makes the request unkeyed: it is never called a retry.
func requestKey(r *http.Request) ([32]byte, bool) {
	h := sha256.New()
	io.WriteString(h, r.Method+" "+r.URL.String()+"\n")
	if r.Body != nil && r.Body != http.NoBody {
		if r.GetBody == nil {
			return [32]byte{}, false
		}
		body, err := r.GetBody()
		if err != nil {
			return [32]byte{}, false
		}
		_, err = io.Copy(h, body)
		body.Close()
		if err != nil {
			return [32]byte{}, false
		}
	}
	var key [32]byte
	h.Sum(key[:0])
	return key, true
}

// isPost reports whether r posts or edits a chat message: Slack's
// chat.postMessage, chat.postEphemeral and chat.update and its response
// URLs (/commands/…, /actions/…); Discord's channel messages, interaction
// callbacks and webhook follow-ups.
func isPost(r *http.Request) bool {
	if r.Method != http.MethodPost && r.Method != http.MethodPatch {
		return false
	}
	p := r.URL.Path
	last := p[strings.LastIndexByte(p, '/')+1:]
	switch {
	case last == "chat.postMessage", last == "chat.postEphemeral", last == "chat.update":
		return true
	case strings.Contains(p, "/commands/"), strings.Contains(p, "/actions/"):
		return true
	case strings.Contains(p, "/channels/") && last == "messages":
		return true
	case strings.Contains(p, "/interactions/") && last == "callback":
		return true
	case strings.Contains(p, "/webhooks/"):
		return true
	}
	return false
}

// slackRefused reports whether a 200 answer is Slack's {"ok":false,…},
// its way of refusing a call. The body is put back for the caller.
func slackRefused(resp *http.Response) bool {
	if resp == nil || resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return false
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return false
	}
	var v struct {
		OK *bool `json:"ok"`
	}
	return json.Unmarshal(body, &v) == nil && v.OK != nil && !*v.OK
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// CountRefusals wraps the webhook handler so that every 401 it answers on
// a platform's path (/slack/…, /discord/…) is counted in
// briefbot_requests_unauthorized_total with its reason, read from the
// request's signature headers: missing, a timestamp outside the 5-minute
// window, or else a signature that did not verify. The adapters stay the
// judges of what is refused; this only names why.
func (m *Metrics) CountRefusals(now func() time.Time, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		platform, tsHeader, sigHeader := "", "", ""
		switch {
		case strings.HasPrefix(r.URL.Path, "/slack/"):
			platform, tsHeader, sigHeader = "slack", "X-Slack-Request-Timestamp", "X-Slack-Signature"
		case strings.HasPrefix(r.URL.Path, "/discord/"):
			platform, tsHeader, sigHeader = "discord", "X-Signature-Timestamp", "X-Signature-Ed25519"
		default:
			next.ServeHTTP(w, r)
			return
		}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status != http.StatusUnauthorized {
			return
		}
		ts, sig := r.Header.Get(tsHeader), r.Header.Get(sigHeader)
		reason := ReasonBadSignature
		if ts == "" || sig == "" {
			reason = ReasonMissingSignature
		} else if sec, err := strconv.ParseInt(ts, 10, 64); err != nil || now().Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
			reason = ReasonStale
		}
		m.Unauthorized(platform, reason)
	})
}

// statusRecorder notes the status a handler answers with. Unwrap lets
// http.ResponseController reach the real writer (Flush, deadlines).
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
