package bottest

import (
	"cmp"
	"context"
	"crypto/rand"
	"slices"
	"sync"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// Analytics is an in-memory bot.AnalyticsStore.
type Analytics struct {
	mu    sync.Mutex
	gaps  map[gapKey]*bot.GapCount
	votes map[string]vote
	salt  []byte
}

type gapKey struct {
	day               time.Time
	question, outcome string
}

type vote struct {
	topic, section string
	helpful        bool
	at             time.Time
}

var _ bot.AnalyticsStore = (*Analytics)(nil)

// NewAnalytics returns an empty Analytics store.
func NewAnalytics() *Analytics {
	return &Analytics{gaps: map[gapKey]*bot.GapCount{}, votes: map[string]vote{}}
}

func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func storeTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// RecordGap counts g on at's UTC day.
func (s *Analytics) RecordGap(_ context.Context, g bot.Gap, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := gapKey{utcDay(at), g.Question, g.Outcome}
	c, ok := s.gaps[k]
	if !ok {
		c = &bot.GapCount{Question: g.Question, Outcome: g.Outcome}
		s.gaps[k] = c
	}
	c.Count++
	c.Suggestions = slices.Clone(g.Suggestions)
	if at := storeTime(at); at.After(c.LastAsked) {
		c.LastAsked = at
	}
	return nil
}

// Gaps sums the counts of the days from since's.
func (s *Analytics) Gaps(_ context.Context, since time.Time, limit int) ([]bot.GapCount, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	type qk struct{ question, outcome string }
	sum := map[qk]*bot.GapCount{}
	from := utcDay(since)
	for k, c := range s.gaps {
		if k.day.Before(from) {
			continue
		}
		t, ok := sum[qk{k.question, k.outcome}]
		if !ok {
			t = &bot.GapCount{Question: k.question, Outcome: k.outcome}
			sum[qk{k.question, k.outcome}] = t
		}
		t.Count += c.Count
		if !ok || c.LastAsked.After(t.LastAsked) {
			t.LastAsked = c.LastAsked
			t.Suggestions = slices.Clone(c.Suggestions)
		}
	}
	out := make([]bot.GapCount, 0, len(sum))
	for _, c := range sum {
		if len(c.Suggestions) == 0 {
			c.Suggestions = nil
		}
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b bot.GapCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Question, b.Question), cmp.Compare(a.Outcome, b.Outcome))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// AnalyticsSalt returns the salt, made on first use.
func (s *Analytics) AnalyticsSalt(context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.salt == nil {
		s.salt = make([]byte, 32)
		rand.Read(s.salt)
	}
	return slices.Clone(s.salt), nil
}

// RecordVote records voter's vote, replacing an earlier one.
func (s *Analytics) RecordVote(_ context.Context, voter, topic, section string, helpful bool, at time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, had := s.votes[voter]
	if had {
		old.helpful, old.at = helpful, storeTime(at)
		s.votes[voter] = old
		return false, nil
	}
	s.votes[voter] = vote{topic: topic, section: section, helpful: helpful, at: storeTime(at)}
	return true, nil
}

// Votes counts the votes cast since since.
func (s *Analytics) Votes(_ context.Context, since time.Time) ([]bot.VoteCount, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	type tk struct{ topic, section string }
	sum := map[tk]*bot.VoteCount{}
	for _, v := range s.votes {
		if v.at.Before(since) {
			continue
		}
		c, ok := sum[tk{v.topic, v.section}]
		if !ok {
			c = &bot.VoteCount{Topic: v.topic, Section: v.section}
			sum[tk{v.topic, v.section}] = c
		}
		if v.helpful {
			c.Helpful++
		} else {
			c.NotHelpful++
		}
	}
	out := make([]bot.VoteCount, 0, len(sum))
	for _, c := range sum {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b bot.VoteCount) int {
		return cmp.Or(cmp.Compare(b.NotHelpful, a.NotHelpful), cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Section, b.Section))
	})
	return out, nil
}

// PruneAnalytics removes what is older than before.
func (s *Analytics) PruneAnalytics(_ context.Context, before time.Time) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for k, c := range s.gaps {
		if c.LastAsked.Before(before) {
			delete(s.gaps, k)
			n++
		}
	}
	for k, v := range s.votes {
		if v.at.Before(before) {
			delete(s.votes, k)
			n++
		}
	}
	return n, nil
}

// Close does nothing.
func (s *Analytics) Close() error { return nil }
