// Package metrics exposes briefbot's Prometheus metrics: commands handled,
// answer latency, briefings loaded, reloads, digest posts and platform API
// trouble, beside the Go runtime and process collectors.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/briefbot/briefbot/bot"
)

// Metrics holds the process's collectors in a registry of its own.
type Metrics struct {
	reg         *prometheus.Registry
	commands    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	briefings   prometheus.Gauge
	loadErrors  prometheus.Gauge
	reloads     *prometheus.CounterVec
	digestPosts *prometheus.CounterVec
	paused      prometheus.Counter
	apiErrors   *prometheus.CounterVec
	rateLimits  *prometheus.CounterVec
}

// New returns Metrics registered in a fresh registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_commands_total",
			Help: "Commands handled, by platform, reply kind and outcome.",
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
		loadErrors: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "briefbot_briefing_load_errors",
			Help: "Briefing files that failed to load in the latest (re)load.",
		}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_reloads_total",
			Help: "Library reloads, by result (ok or error: some file kept its last good version).",
		}, []string{"result"}),
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
			Help: "Failed platform API calls, by platform.",
		}, []string{"platform"}),
		rateLimits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_platform_rate_limits_total",
			Help: "Platform API calls answered with 429, by platform.",
		}, []string{"platform"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.commands, m.latency, m.briefings, m.loadErrors, m.reloads,
		m.digestPosts, m.paused, m.apiErrors, m.rateLimits,
	)
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the registry the metrics live in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

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

// Library records the size of a freshly (re)loaded library and how many
// files failed to load.
func (m *Metrics) Library(briefings, loadErrors int) {
	m.briefings.Set(float64(briefings))
	m.loadErrors.Set(float64(loadErrors))
}

// Reloaded counts a reload; ok is false when some file failed to parse.
func (m *Metrics) Reloaded(ok bool) {
	result := "ok"
	if !ok {
		result = "error"
	}
	m.reloads.WithLabelValues(result).Inc()
}

// APIError counts a failed platform API call.
func (m *Metrics) APIError(platform string) { m.apiErrors.WithLabelValues(platform).Inc() }

// RateLimited counts a 429 from a platform API.
func (m *Metrics) RateLimited(platform string) { m.rateLimits.WithLabelValues(platform).Inc() }

// Transport wraps an HTTP transport (nil means http.DefaultTransport) so
// that every platform API call it makes is counted: 429 answers as rate
// limits, failed requests and 4xx/5xx answers as API errors.
func (m *Metrics) Transport(platform string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		switch {
		case err != nil:
			m.APIError(platform)
		case resp.StatusCode == http.StatusTooManyRequests:
			m.RateLimited(platform)
		case resp.StatusCode >= 400:
			m.APIError(platform)
		}
		return resp, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
