package storetest

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

// AnalyticsStore is what the analytics suite tests: the store and a way to
// close it.
type AnalyticsStore interface {
	bot.AnalyticsStore
	Close() error
}

// RunAnalytics runs the contract of bot.AnalyticsStore. open must return a
// new, empty store for each call; RunAnalytics closes it when the test ends.
func RunAnalytics(t *testing.T, open func(t *testing.T) AnalyticsStore) {
	runSuite(t, open, []suiteCase[AnalyticsStore]{
		{"GapsCountedByQuestion", testGapsCounted},
		{"GapsSinceAndLimit", testGapsSince},
		{"VotesCountOncePerVoter", testVotesOnce},
		{"SaltIsSharedAndStable", testSaltStable},
		{"PruneRemovesOldRows", testPruneAnalytics},
		{"ConcurrentGapsAllCounted", testGapsConcurrent},
	})
}

func mustGap(t *testing.T, s AnalyticsStore, q, outcome string, at time.Time, sugs ...string) {
	t.Helper()
	if err := s.RecordGap(t.Context(), bot.Gap{Question: q, Outcome: outcome, Suggestions: sugs}, at); err != nil {
		t.Fatalf("RecordGap(%q): %v", q, err)
	}
}

func testGapsCounted(t *testing.T, s AnalyticsStore) {
	mustGap(t, s, "uzbekistan risks", bot.GapUnanswered, base, "Kazakhstan")
	mustGap(t, s, "uzbekistan risks", bot.GapUnanswered, base.Add(time.Hour), "Kazakhstan", "List topics")
	mustGap(t, s, "uzbekistan risks", bot.GapUnanswered, base.Add(26*time.Hour))
	mustGap(t, s, "kazak risks", bot.GapGuessed, base.Add(2*time.Hour), "Overview")
	mustGap(t, s, "uzbekistan risks", bot.GapGuessed, base.Add(3*time.Hour))
	got, err := s.Gaps(t.Context(), base.Add(-time.Hour), 0)
	if err != nil {
		t.Fatalf("Gaps: %v", err)
	}
	// Counts add up across days; the suggestions are the last given, and
	// an outcome is counted apart from the other.
	want := []bot.GapCount{
		{Question: "uzbekistan risks", Outcome: bot.GapUnanswered, Count: 3, LastAsked: base.Add(26 * time.Hour)},
		{Question: "kazak risks", Outcome: bot.GapGuessed, Count: 1, Suggestions: []string{"Overview"}, LastAsked: base.Add(2 * time.Hour)},
		{Question: "uzbekistan risks", Outcome: bot.GapGuessed, Count: 1, LastAsked: base.Add(3 * time.Hour)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Gaps (-want +got):\n%s", diff)
	}
	for _, g := range got {
		if g.LastAsked.Location() != time.UTC {
			t.Errorf("%q last asked %s, want UTC", g.Question, g.LastAsked)
		}
	}
}

func testGapsSince(t *testing.T, s AnalyticsStore) {
	day0 := base
	for range 3 {
		mustGap(t, s, "sahel", bot.GapUnanswered, day0)
	}
	mustGap(t, s, "red sea", bot.GapUnanswered, day0.Add(48*time.Hour), "Red Sea shipping")
	mustGap(t, s, "red sea", bot.GapUnanswered, day0.Add(49*time.Hour), "Red Sea shipping")
	mustGap(t, s, "iran", bot.GapUnanswered, day0.Add(49*time.Hour))
	got, err := s.Gaps(t.Context(), day0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Question != "sahel" || got[0].Count != 3 || got[1].Question != "red sea" || got[1].Count != 2 {
		t.Errorf("Gaps(limit 2) = %+v, want sahel 3, red sea 2", got)
	}
	// Two days later, only the later questions count.
	got, err = s.Gaps(t.Context(), day0.Add(47*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	var qs []string
	for _, g := range got {
		qs = append(qs, g.Question)
	}
	if diff := cmp.Diff([]string{"red sea", "iran"}, qs); diff != "" {
		t.Errorf("Gaps since day 2 (-want +got):\n%s", diff)
	}
	if got[0].Suggestions[0] != "Red Sea shipping" {
		t.Errorf("suggestions = %v, want [Red Sea shipping]", got[0].Suggestions)
	}
}

func testVotesOnce(t *testing.T, s AnalyticsStore) {
	vote := func(voter, topic, section string, helpful bool, at time.Time) bool {
		t.Helper()
		first, err := s.RecordVote(t.Context(), voter, topic, section, helpful, at)
		if err != nil {
			t.Fatalf("RecordVote: %v", err)
		}
		return first
	}
	if !vote("a", "kazakhstan", "Risks & caveats", false, base) {
		t.Error("first vote of a: not counted as first")
	}
	if vote("a", "kazakhstan", "Risks & caveats", false, base.Add(time.Minute)) {
		t.Error("second press of a: counted as a first vote")
	}
	vote("b", "kazakhstan", "Risks & caveats", false, base)
	vote("c", "kazakhstan", "Risks & caveats", true, base)
	vote("d", "kazakhstan", "", true, base)
	// e changes their mind: the latest vote stands, counted once.
	vote("e", "sahel", "Outlook", false, base)
	vote("e", "sahel", "Outlook", true, base.Add(time.Minute))
	got, err := s.Votes(t.Context(), base.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.VoteCount{
		{Topic: "kazakhstan", Section: "Risks & caveats", Helpful: 1, NotHelpful: 2},
		{Topic: "kazakhstan", Section: "", Helpful: 1},
		{Topic: "sahel", Section: "Outlook", Helpful: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Votes (-want +got):\n%s", diff)
	}
	got, err = s.Votes(t.Context(), base.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	// Only a's and e's latest presses are that recent.
	want = []bot.VoteCount{
		{Topic: "kazakhstan", Section: "Risks & caveats", NotHelpful: 1},
		{Topic: "sahel", Section: "Outlook", Helpful: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Votes since later (-want +got):\n%s", diff)
	}
}

func testSaltStable(t *testing.T, s AnalyticsStore) {
	var wg sync.WaitGroup
	salts := make([][]byte, 4)
	for i := range salts {
		wg.Go(func() {
			salt, err := s.AnalyticsSalt(t.Context())
			if err != nil {
				t.Errorf("AnalyticsSalt: %v", err)
			}
			salts[i] = salt
		})
	}
	wg.Wait()
	if len(salts[0]) < 16 {
		t.Fatalf("salt of %d bytes, want at least 16", len(salts[0]))
	}
	for _, s := range salts[1:] {
		if !bytes.Equal(s, salts[0]) {
			t.Fatal("replicas got different salts")
		}
	}
	again, err := s.AnalyticsSalt(t.Context())
	if err != nil || !bytes.Equal(again, salts[0]) {
		t.Errorf("salt changed on a later call (err %v)", err)
	}
}

func testPruneAnalytics(t *testing.T, s AnalyticsStore) {
	old, recent := base.Add(-31*24*time.Hour), base.Add(-time.Hour)
	mustGap(t, s, "old question", bot.GapUnanswered, old)
	mustGap(t, s, "new question", bot.GapUnanswered, recent)
	if _, err := s.RecordVote(t.Context(), "v1", "kazakhstan", "", false, old); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordVote(t.Context(), "v2", "kazakhstan", "", true, recent); err != nil {
		t.Fatal(err)
	}
	n, err := s.PruneAnalytics(t.Context(), base.Add(-30*24*time.Hour))
	if err != nil {
		t.Fatalf("PruneAnalytics: %v", err)
	}
	if n != 2 {
		t.Errorf("PruneAnalytics removed %d rows, want 2", n)
	}
	gaps, err := s.Gaps(t.Context(), old.Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(gaps) != 1 || gaps[0].Question != "new question" {
		t.Errorf("after pruning, Gaps = %+v, want only the new question", gaps)
	}
	votes, err := s.Votes(t.Context(), old.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]bot.VoteCount{{Topic: "kazakhstan", Helpful: 1}}, votes); diff != "" {
		t.Errorf("after pruning, Votes (-want +got):\n%s", diff)
	}
	// The pruned voter may vote again: nothing of theirs is left.
	if first, err := s.RecordVote(t.Context(), "v1", "kazakhstan", "", false, base); err != nil || !first {
		t.Errorf("vote after pruning = %v, %v; want a first vote", first, err)
	}
}

func testGapsConcurrent(t *testing.T, s AnalyticsStore) {
	const replicas, each = 4, 10
	var wg sync.WaitGroup
	for range replicas {
		wg.Go(func() {
			for range each {
				if err := s.RecordGap(t.Context(), bot.Gap{Question: "mali", Outcome: bot.GapUnanswered}, base); err != nil {
					t.Errorf("RecordGap: %v", err)
				}
			}
		})
	}
	wg.Wait()
	got, err := s.Gaps(t.Context(), base, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Count != replicas*each {
		t.Errorf("Gaps = %+v, want mali asked %d times", got, replicas*each)
	}
}
