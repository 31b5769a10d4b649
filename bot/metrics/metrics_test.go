package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

func TestMetricsCountWhatHappened(t *testing.T) {
	m := metrics.New()
	m.ObserveCommand(bot.Request{Platform: bot.Platform("slack")}, bot.Reply{Kind: bot.KindSection}, 3*time.Millisecond)
	m.ObserveCommand(bot.Request{Platform: bot.Platform("discord")}, bot.Reply{Kind: bot.KindNotFound}, time.Millisecond)
	m.ObserveDigest(bot.Subscription{Platform: bot.Platform("slack")}, bot.OutcomeDelayed)
	m.Library(42, 2)
	m.Reloaded(false)

	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/limited":
			w.WriteHeader(http.StatusTooManyRequests)
		case "/broken":
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer api.Close()
	client := &http.Client{Transport: m.Transport("slack", nil)}
	for _, p := range []string{"/ok", "/limited", "/broken"} {
		resp, err := client.Get(api.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	out := scrape(t, m)
	for _, want := range []string{
		`briefbot_commands_total{kind="section",outcome="answered",platform="slack"} 1`,
		`briefbot_commands_total{kind="not_found",outcome="not_found",platform="discord"} 1`,
		`briefbot_answer_duration_seconds_count{platform="slack"} 1`,
		`briefbot_digest_slots_total{outcome="delayed",platform="slack"} 1`,
		`briefbot_briefings_loaded 42`,
		`briefbot_briefing_load_errors 2`,
		`briefbot_reloads_total{result="error"} 1`,
		`briefbot_platform_rate_limits_total{platform="slack"} 1`,
		`briefbot_platform_api_errors_total{platform="slack"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
