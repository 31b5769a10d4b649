package metrics

import "github.com/prometheus/client_golang/prometheus"

// Analytics counts what readers asked that no briefing answers, and their
// votes on answers, in a Metrics registry.
type Analytics struct {
	gaps  *prometheus.CounterVec
	votes *prometheus.CounterVec
}

// Analytics registers the analytics counters in m's registry, every
// outcome at zero, and returns them. Call it once per Metrics.
func (m *Metrics) Analytics() *Analytics {
	a := &Analytics{
		gaps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_questions_unanswered_total",
			Help: "Questions no briefing answered, by outcome: unanswered, or guessed (answered after a typo correction or from part of a name).",
		}, []string{"outcome"}),
		votes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_answer_votes_total",
			Help: "Helpful / Not helpful votes on answers, by outcome: helpful, not_helpful, or repeated (a user's later vote on the same answer).",
		}, []string{"outcome"}),
	}
	for _, o := range []string{"unanswered", "guessed"} {
		a.gaps.WithLabelValues(o)
	}
	for _, o := range []string{"helpful", "not_helpful", "repeated"} {
		a.votes.WithLabelValues(o)
	}
	m.reg.MustRegister(a.gaps, a.votes)
	return a
}

// CountedGap counts a question that went unanswered or was guessed.
func (a *Analytics) CountedGap(outcome string) { a.gaps.WithLabelValues(outcome).Inc() }

// CountedVote counts a vote by its outcome.
func (a *Analytics) CountedVote(outcome string) { a.votes.WithLabelValues(outcome).Inc() }
