package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// HistoryStore is what the history suite tests: a first-seen store that
// keeps briefing texts, and a way to close it.
type HistoryStore interface {
	bot.FirstSeenStore
	bot.HistoryStore
	Close() error
}

// RunHistory runs the contract of bot.HistoryStore. open must return a
// new, empty store for each call; RunHistory closes it when the test ends.
func RunHistory(t *testing.T, open func(t *testing.T) HistoryStore) {
	runSuite(t, open, []suiteCase[HistoryStore]{
		{"KeepAndRead", testHistoryKeepAndRead},
		{"KeptVersionNeverChanges", testHistoryKeptNeverChanges},
		{"SeenButNotKept", testHistorySeenNotKept},
		{"ManyVersions", testHistoryMany},
	})
}

func historyBriefing(t *testing.T, text string) (bot.BriefingVersion, *briefings.Briefing) {
	t.Helper()
	b, problems := briefings.Parse("kazakhstan.md", []byte(text), base)
	if b == nil {
		t.Fatalf("parse: %v", problems)
	}
	return bot.VersionOf(b), b
}

func see(t *testing.T, s HistoryStore, at time.Time, vs ...bot.BriefingVersion) {
	t.Helper()
	if _, err := s.SeeBriefings(t.Context(), vs, at); err != nil {
		t.Fatalf("SeeBriefings: %v", err)
	}
}

func testHistoryKeepAndRead(t *testing.T, s HistoryStore) {
	v1, b1 := historyBriefing(t, "---\ndate: 2026-11-20\n---\n# Kazakhstan\n\nJoins the accords.\n\n## Risks\n\n- Backlash: from Iran.\n")
	v2, b2 := historyBriefing(t, "---\ndate: 2026-11-30\n---\n# Kazakhstan\n\nSigned the accords.\n\n## Risks\n\n- Backlash: from Iran.\n- Cost: high.\n")
	sv, sb := historyBriefing(t, "# Sahel\n\nThe juntas leave.\n")
	see(t, s, base, v1, sv)
	see(t, s, base.Add(time.Hour), v2)
	if err := s.KeepBriefings(t.Context(), map[bot.BriefingVersion]*briefings.Briefing{v1: b1, v2: b2, sv: sb}); err != nil {
		t.Fatalf("KeepBriefings: %v", err)
	}
	got, err := s.BriefingHistory(t.Context(), "kazakhstan")
	if err != nil {
		t.Fatalf("BriefingHistory: %v", err)
	}
	want := map[bot.BriefingVersion]bot.SeenVersion{
		v1: {BriefingVersion: v1, FirstSeen: base, Date: b1.Date, Kept: true},
		v2: {BriefingVersion: v2, FirstSeen: base.Add(time.Hour), Date: b2.Date, Kept: true},
	}
	if diff := cmp.Diff(want, byVersion(got)); diff != "" {
		t.Errorf("BriefingHistory (-want +got):\n%s", diff)
	}
	kept, err := s.KeptBriefing(t.Context(), v1)
	if err != nil {
		t.Fatalf("KeptBriefing: %v", err)
	}
	if diff := cmp.Diff(b1, kept); diff != "" {
		t.Errorf("KeptBriefing returned another briefing (-kept +got):\n%s", diff)
	}
	if kept.VersionHash() != v1.Hash {
		t.Errorf("the kept briefing hashes to %s, want %s", kept.VersionHash(), v1.Hash)
	}
}

func byVersion(vs []bot.SeenVersion) map[bot.BriefingVersion]bot.SeenVersion {
	out := map[bot.BriefingVersion]bot.SeenVersion{}
	for _, v := range vs {
		out[v.BriefingVersion] = v
	}
	return out
}

func testHistoryKeptNeverChanges(t *testing.T, s HistoryStore) {
	v, b := historyBriefing(t, "# Kazakhstan\n\nJoins the accords.\n")
	_, other := historyBriefing(t, "# Kazakhstan\n\nSomething else.\n")
	see(t, s, base, v)
	for _, kb := range []*briefings.Briefing{b, other} {
		if err := s.KeepBriefings(t.Context(), map[bot.BriefingVersion]*briefings.Briefing{v: kb}); err != nil {
			t.Fatalf("KeepBriefings: %v", err)
		}
	}
	kept, err := s.KeptBriefing(t.Context(), v)
	if err != nil {
		t.Fatal(err)
	}
	if kept.Lede[0].Text != "Joins the accords." {
		t.Errorf("a second keep replaced the kept text: %q", kept.Lede[0].Text)
	}
}

func testHistorySeenNotKept(t *testing.T, s HistoryStore) {
	v, _ := historyBriefing(t, "# Kazakhstan\n\nJoins the accords.\n")
	see(t, s, base, v)
	got, err := s.BriefingHistory(t.Context(), "kazakhstan")
	if err != nil {
		t.Fatal(err)
	}
	if want := []bot.SeenVersion{{BriefingVersion: v, FirstSeen: base}}; !cmp.Equal(want, got) {
		t.Errorf("BriefingHistory = %+v, want %+v", got, want)
	}
	if _, err := s.KeptBriefing(t.Context(), v); !errors.Is(err, bot.ErrNotKept) {
		t.Errorf("KeptBriefing of a version never kept: %v, want ErrNotKept", err)
	}
	if got, err := s.BriefingHistory(t.Context(), "nowhere"); err != nil || len(got) != 0 {
		t.Errorf("BriefingHistory of an unknown topic = %v, %v; want nothing", got, err)
	}
}

func testHistoryMany(t *testing.T, s HistoryStore) {
	bs := map[bot.BriefingVersion]*briefings.Briefing{}
	var vs []bot.BriefingVersion
	for i := range 1201 {
		v, b := historyBriefing(t, fmt.Sprintf("# Topic %d\n\nVersion %d.\n", i%3, i))
		bs[v] = b
		vs = append(vs, v)
	}
	see(t, s, base, vs...)
	half := map[bot.BriefingVersion]*briefings.Briefing{}
	for _, v := range vs[:600] {
		half[v] = bs[v]
	}
	for _, m := range []map[bot.BriefingVersion]*briefings.Briefing{half, bs} {
		if err := s.KeepBriefings(t.Context(), m); err != nil {
			t.Fatalf("KeepBriefings: %v", err)
		}
	}
	n := 0
	for i := range 3 {
		got, err := s.BriefingHistory(t.Context(), fmt.Sprintf("topic %d", i))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range got {
			if !v.Kept {
				t.Fatalf("%v not kept", v)
			}
		}
		n += len(got)
	}
	if n != len(vs) {
		t.Errorf("%d versions in the histories, want %d", n, len(vs))
	}
}
