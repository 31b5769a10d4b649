package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/store"
)

// TestGapsCommand asks questions of the core as serve wires it (Observe
// feeding analytics), votes, and reads both back with briefbot gaps.
func TestGapsCommand(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "briefbot.db")
	st, err := store.Open(t.Context(), "sqlite:"+dbPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := bot.NewAnalytics(bot.AnalyticsOptions{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	core := bot.New(bot.Options{})
	ask := func(text string) {
		req := bot.Request{Platform: bot.Platform("slack"), User: "U1", Channel: "C1", Text: text}
		if g, ok := bot.GapOf(req, core.Handle(t.Context(), req)); ok {
			if err := a.Record(t.Context(), g); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, q := range []string{"atlantis risks", "Atlantis  risks", "kazakstan risks", "kazakhstan risks", "atlantis risks"} {
		ask(q)
	}
	for i, helpful := range []bool{false, false, true} {
		if _, err := a.Vote(t.Context(), bot.VoteRequest{Platform: bot.Platform("slack"), User: string(rune('A' + i)), Topic: "kazakhstan", Section: "Risks & caveats", Helpful: helpful}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.RecordGap(t.Context(), bot.Gap{Question: "sahel outlook", Outcome: bot.GapUnanswered}, time.Now().Add(-10*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	st.Close()

	env := map[string]string{"BRIEFBOT_STORE_URL": "sqlite:" + dbPath}
	r := runEnv(t, env, "", "gaps", "--since", "7d")
	r.wantCode(t, exitOK)
	lines := strings.Split(r.stdout, "\n")
	var atlantis, kazak, risks string
	for _, l := range lines {
		switch {
		case strings.Contains(l, "atlantis risks"):
			atlantis = l
		case strings.Contains(l, "kazakstan risks"):
			kazak = l
		case strings.Contains(l, "Risks & caveats"):
			risks = l
		}
	}
	if f := strings.Fields(atlantis); len(f) < 3 || f[0] != "3" || f[1] != "unanswered" {
		t.Errorf("atlantis line = %q, want asked 3 times, unanswered\n%s", atlantis, r.stdout)
	}
	if f := strings.Fields(kazak); len(f) < 5 || f[0] != "1" || f[1] != "guessed" || !strings.Contains(kazak, "Overview") {
		t.Errorf("kazakstan line = %q, want asked once, guessed, with the suggestion given\n%s", kazak, r.stdout)
	}
	if f := strings.Fields(risks); len(f) < 3 || f[0] != "2" || f[1] != "1" || f[2] != "kazakhstan" {
		t.Errorf("risks line = %q, want 2 not helpful, 1 helpful\n%s", risks, r.stdout)
	}
	if strings.Index(r.stdout, "atlantis") > strings.Index(r.stdout, "kazakstan") {
		t.Errorf("most asked not first:\n%s", r.stdout)
	}

	if strings.Contains(r.stdout, "sahel") {
		t.Errorf("a question of 10 days ago listed for --since 7d:\n%s", r.stdout)
	}
	r = runEnv(t, env, "", "gaps", "--since", "14d")
	r.wantCode(t, exitOK)
	contains(t, "gaps --since 14d", r.stdout, "sahel outlook")

	r = runEnv(t, env, "", "gaps", "--since", "soon")
	r.wantCode(t, exitUsage)
	contains(t, "stderr", r.stderr, "--since", "7d")
}
