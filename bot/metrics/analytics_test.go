package metrics_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot/metrics"
)

func TestAnalyticsCounters(t *testing.T) {
	m := metrics.New()
	a := m.Analytics()
	a.CountedGap("unanswered")
	a.CountedGap("unanswered")
	a.CountedVote("not_helpful")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`briefbot_questions_unanswered_total{outcome="unanswered"} 2`,
		`briefbot_questions_unanswered_total{outcome="guessed"} 0`,
		`briefbot_answer_votes_total{outcome="not_helpful"} 1`,
		`briefbot_answer_votes_total{outcome="helpful"} 0`,
		`briefbot_answer_votes_total{outcome="repeated"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
