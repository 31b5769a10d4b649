package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
)

func TestGapOf(t *testing.T) {
	core := bot.New(bot.Options{})
	tests := []struct {
		text    string
		want    string // "" means not a gap
		wantSug bool
	}{
		{"kazakhstan risks", "", false},
		{"kazakhstan", "", false},
		{"list", "", false},
		{"help", "", false},
		{"", "", false},
		{"atlantis risks", bot.GapUnanswered, false},
		{"search zzqqxx", bot.GapUnanswered, false},
		{"kazakstan risks", bot.GapGuessed, true},
		{"Kazakstan   RISKS!", bot.GapGuessed, true},
	}
	for _, tt := range tests {
		req := bot.Request{Platform: bot.Platform("slack"), User: "U1", Channel: "C1", Text: tt.text}
		reply := core.Handle(t.Context(), req)
		g, ok := bot.GapOf(req, reply)
		if got := map[bool]string{true: g.Outcome}[ok]; got != tt.want {
			t.Errorf("GapOf(%q) outcome = %q, want %q (reply kind %s, notes %q)", tt.text, got, tt.want, reply.Kind, reply.Notes)
			continue
		}
		if !ok {
			continue
		}
		if g.Question != strings.ToLower(strings.Join(strings.Fields(strings.Trim(tt.text, "!")), " ")) {
			t.Errorf("GapOf(%q) question = %q, want the normalised words", tt.text, g.Question)
		}
		if tt.wantSug && len(g.Suggestions) == 0 {
			t.Errorf("GapOf(%q) kept no suggestions; the reply offered %v", tt.text, reply.Suggestions)
		}
		if strings.Contains(strings.Join(g.Suggestions, " ")+g.Question, "U1") {
			t.Errorf("GapOf(%q) = %+v keeps the user", tt.text, g)
		}
	}
	// Questions asked on the desk are editors trying the bot.
	req := bot.Request{Platform: bot.PlatformDesk, Text: "atlantis"}
	if _, ok := bot.GapOf(req, core.Handle(t.Context(), req)); ok {
		t.Error("a desk question was counted as a gap")
	}
}

func TestGapOfPartialName(t *testing.T) {
	// A topic guessed from part of its name is noted by the core as
	// "Showing X for "words"."; that is a guess too.
	r := bot.Reply{Kind: bot.KindSection, Topic: "south korea", Title: "South Korea", Notes: []string{`Showing South Korea for "korea".`}}
	g, ok := bot.GapOf(bot.Request{Platform: bot.Platform("discord"), Text: "korea risks"}, r)
	if !ok || g.Outcome != bot.GapGuessed {
		t.Errorf("GapOf = %+v, %v; want guessed", g, ok)
	}
	r.Notes = []string{"Showing the briefing of 2025-11-07."}
	if _, ok := bot.GapOf(bot.Request{Platform: bot.Platform("discord"), Text: "korea @2025-11 risks"}, r); ok {
		t.Error("an older version asked for by date counted as a guess")
	}
}

func TestVoteTarget(t *testing.T) {
	core := bot.New(bot.Options{})
	for text, want := range map[string][2]string{
		"kazakhstan":       {"kazakhstan", ""},
		"kazakhstan risks": {"kazakhstan", "Risks & caveats"},
		"kazakhstan all":   {"kazakhstan", "all"},
	} {
		topic, section, ok := bot.VoteTarget(core.Handle(t.Context(), bot.Request{Text: text}))
		if !ok || topic != want[0] || section != want[1] {
			t.Errorf("VoteTarget(%q) = %q, %q, %v; want %q, %q", text, topic, section, ok, want[0], want[1])
		}
	}
	for _, text := range []string{"list", "help", "atlantis", "search accords"} {
		if _, _, ok := bot.VoteTarget(core.Handle(t.Context(), bot.Request{Text: text})); ok {
			t.Errorf("VoteTarget(%q) offers a vote", text)
		}
	}
}

func TestAnalyticsVoteOncePerUserAndAnswer(t *testing.T) {
	st := bottest.NewAnalytics()
	var mu sync.Mutex
	counted := map[string]int{}
	a, err := bot.NewAnalytics(bot.AnalyticsOptions{Store: st, CountedVote: func(o string) { mu.Lock(); counted[o]++; mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	vote := func(platform bot.Platform, user, section string, helpful bool) string {
		t.Helper()
		o, err := a.Vote(t.Context(), bot.VoteRequest{Platform: platform, User: user, Topic: "kazakhstan", Section: section, Helpful: helpful})
		if err != nil {
			t.Fatalf("Vote: %v", err)
		}
		return o
	}
	steps := []struct {
		platform bot.Platform
		user     string
		section  string
		helpful  bool
		want     string
	}{
		{bot.Platform("slack"), "U1", "Risks & caveats", false, bot.VoteNotHelpful},
		{bot.Platform("slack"), "U1", "Risks & caveats", false, bot.VoteRepeated},
		{bot.Platform("slack"), "U1", "Looking ahead", true, bot.VoteHelpful},
		{bot.Platform("slack"), "U2", "Risks & caveats", false, bot.VoteNotHelpful},
		// The same id on another platform is another person.
		{bot.Platform("discord"), "U1", "Risks & caveats", true, bot.VoteHelpful},
	}
	for _, s := range steps {
		if got := vote(s.platform, s.user, s.section, s.helpful); got != s.want {
			t.Errorf("%s %s votes on %q: %s, want %s", s.platform, s.user, s.section, got, s.want)
		}
	}
	got, err := st.Votes(t.Context(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.VoteCount{
		{Topic: "kazakhstan", Section: "Risks & caveats", Helpful: 1, NotHelpful: 2},
		{Topic: "kazakhstan", Section: "Looking ahead", Helpful: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("votes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{bot.VoteHelpful: 2, bot.VoteNotHelpful: 2, bot.VoteRepeated: 1}, counted); diff != "" {
		t.Errorf("counted (-want +got):\n%s", diff)
	}
	if _, err := a.Vote(t.Context(), bot.VoteRequest{Topic: "kazakhstan"}); err == nil {
		t.Error("a vote with no user was accepted")
	}
}

// keyStore records the voter keys the store is given.
type keyStore struct {
	*bottest.Analytics
	mu   sync.Mutex
	keys []string
}

func (k *keyStore) RecordVote(ctx context.Context, voter, topic, section string, helpful bool, at time.Time) (bool, error) {
	k.mu.Lock()
	k.keys = append(k.keys, voter)
	k.mu.Unlock()
	return k.Analytics.RecordVote(ctx, voter, topic, section, helpful, at)
}

func TestAnalyticsKeepsNoIdentity(t *testing.T) {
	st := &keyStore{Analytics: bottest.NewAnalytics()}
	a, err := bot.NewAnalytics(bot.AnalyticsOptions{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Vote(t.Context(), bot.VoteRequest{Platform: bot.Platform("slack"), User: "U0123ALICE", Topic: "kazakhstan", Helpful: true}); err != nil {
		t.Fatal(err)
	}
	if len(st.keys) != 1 || strings.Contains(st.keys[0], "ALICE") || len(st.keys[0]) != 64 {
		t.Errorf("voter keys = %q, want one 64-digit hash without the user", st.keys)
	}
	// Another store, another salt: the same vote cannot be linked across.
	st2 := &keyStore{Analytics: bottest.NewAnalytics()}
	a2, _ := bot.NewAnalytics(bot.AnalyticsOptions{Store: st2})
	if _, err := a2.Vote(t.Context(), bot.VoteRequest{Platform: bot.Platform("slack"), User: "U0123ALICE", Topic: "kazakhstan", Helpful: true}); err != nil {
		t.Fatal(err)
	}
	if st2.keys[0] == st.keys[0] {
		t.Error("two salts gave the same voter key")
	}
}

func TestAnalyticsObserveRunsInBackground(t *testing.T) {
	st := bottest.NewAnalytics()
	clock := bottest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	counted := make(chan string, 8)
	a, err := bot.NewAnalytics(bot.AnalyticsOptions{Store: st, Now: clock.Now, CountedGap: func(o string) { counted <- o }})
	if err != nil {
		t.Fatal(err)
	}
	core := bot.New(bot.Options{Observe: a.Observe})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	for _, q := range []string{"atlantis", "kazakhstan risks", "atlantis", "kazakstan"} {
		core.Handle(t.Context(), bot.Request{Platform: bot.Platform("slack"), Text: q})
	}
	for range 3 {
		select {
		case <-counted:
		case <-time.After(10 * time.Second):
			t.Fatal("gaps were not written within 10 s")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	got, err := st.Gaps(t.Context(), clock.Now().Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, g := range got {
		summary = append(summary, g.Question+" "+g.Outcome+" "+strings.Repeat("I", g.Count))
	}
	if diff := cmp.Diff([]string{"atlantis unanswered II", "kazakstan guessed I"}, summary); diff != "" {
		t.Errorf("gaps (-want +got):\n%s", diff)
	}
}

func TestAnalyticsPruneUsesRetention(t *testing.T) {
	st := bottest.NewAnalytics()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	a, _ := bot.NewAnalytics(bot.AnalyticsOptions{Store: st, Now: func() time.Time { return now }, Retention: 7 * 24 * time.Hour})
	_ = st.RecordGap(t.Context(), bot.Gap{Question: "eight days old", Outcome: bot.GapUnanswered}, now.Add(-8*24*time.Hour))
	_ = st.RecordGap(t.Context(), bot.Gap{Question: "six days old", Outcome: bot.GapUnanswered}, now.Add(-6*24*time.Hour))
	if n, err := a.Prune(t.Context()); err != nil || n != 1 {
		t.Errorf("Prune = %d, %v; want 1 row removed", n, err)
	}
	got, _ := st.Gaps(t.Context(), now.Add(-30*24*time.Hour), 0)
	if len(got) != 1 || got[0].Question != "six days old" {
		t.Errorf("after Prune, gaps = %+v", got)
	}
}

func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"7d", "36h", "90m", "0d", "-1d", "1.5d", "d", "", "7 d", "99999999999999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := bot.ParseWindow(s)
		if err == nil && d <= 0 {
			t.Fatalf("ParseWindow(%q) = %s, a window that looks nowhere", s, d)
		}
		if err != nil && !strings.Contains(err.Error(), "7d") {
			t.Fatalf("ParseWindow(%q) error %q does not show the form wanted", s, err)
		}
	})
}

func FuzzGapOf(f *testing.F) {
	core := bot.New(bot.Options{})
	for _, s := range []string{"kazakstan risks", "atlantis", "search zz", "Ünïcödé ÄTLANTIS", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		req := bot.Request{Platform: bot.Platform("slack"), User: "U1", Text: s}
		g, ok := bot.GapOf(req, core.Handle(t.Context(), req))
		if !ok {
			return
		}
		if g.Question == "" || len([]rune(g.Question)) > 200 || len(g.Suggestions) > 5 {
			t.Fatalf("GapOf(%q) = %+v", s, g)
		}
		if g.Outcome != bot.GapUnanswered && g.Outcome != bot.GapGuessed {
			t.Fatalf("GapOf(%q) outcome %q", s, g.Outcome)
		}
	})
}
