package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/briefings"
)

const (
	kzBefore = "Kazakhstan\nKazakhstan will join the Abraham Accords.\n\nRisks & caveats\n- Backlash: from Iran-aligned groups.\n- Strategic balancing: relations with Russia and China.\n\nLooking ahead\n- Signing ceremony expected soon.\n"
	kzAfter  = "Kazakhstan\nKazakhstan will join the Abraham Accords.\n\nRisks & caveats\n- Backlash: from Iran-aligned groups.\n\nLooking ahead\n- Signing ceremony expected soon.\n- Ratification in the spring session.\n"
	korea    = "South Korea\nSeoul opens its budget round.\n\nRisks\n- Household debt: near a record.\n"
)

// A briefing already in an earlier digest and edited in place since is
// marked Updated in the next include: new digest, which shows what
// changed rather than the whole briefing again; a topic new since then
// is shown whole; one unchanged is left out.
func TestDigestMarksUpdated(t *testing.T) {
	lastDigest := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	stores := newHistoryStores()
	before := briefings.NewLibrary([]*briefings.Briefing{
		parseAt(t, "briefings/kazakhstan.txt", kzBefore, nov29),
		parseAt(t, "briefings/sahel.txt", plainSahel, nov29),
	})
	if err := bot.NewFirstSeen(stores.History, func() time.Time { return nov29 }).Record(t.Context(), before); err != nil {
		t.Fatal(err)
	}
	edited := lastDigest.Add(2 * time.Hour)
	after := before.With([]*briefings.Briefing{
		parseAt(t, "briefings/kazakhstan.txt", kzAfter, edited),
		parseAt(t, "briefings/south-korea.txt", korea, edited),
	}, nil)
	seen := bot.NewFirstSeen(stores.History, func() time.Time { return edited })
	if err := seen.Record(t.Context(), after); err != nil {
		t.Fatal(err)
	}

	b := bot.New(bot.Options{Library: after, Store: stores})
	r, ok := b.Digest(t.Context(), bot.DigestRequest{
		Subscription: bot.Subscription{ID: "morning", Include: "new"},
		Slot:         lastDigest.Add(24 * time.Hour), Since: lastDigest, FirstSeen: seen,
	})
	if !ok {
		t.Fatalf("no digest: %v", r.Notes)
	}
	want := []bot.Section{
		{Heading: "Kazakhstan — Updated", Blocks: []bot.Block{
			{Text: "Changed since the version dated Sun 29 Nov 2026, first seen Sun 29 Nov 2026 14:02 UTC."},
			{Bullet: true, Label: "Removed from Risks & caveats", Text: "Strategic balancing: relations with Russia and China."},
			{Bullet: true, Label: "Added to Looking ahead", Text: "Ratification in the spring session."},
			{Text: "What changed: /brief kazakhstan changes"},
		}},
		{Heading: "South Korea", Blocks: []bot.Block{
			{Text: "Seoul opens its budget round."},
			{Bullet: true, Label: "Top risk", Text: "Household debt: near a record."},
			{Text: "More: /brief south korea"},
		}},
	}
	if diff := cmp.Diff(want, r.Sections, cmp.Transformer("sorted", sortedByHeading)); diff != "" {
		t.Errorf("digest (-want +got):\n%s", diff)
	}

	// An include: all digest shows every briefing whole, unmarked.
	r, _ = b.Digest(t.Context(), bot.DigestRequest{
		Subscription: bot.Subscription{ID: "weekly", Include: "all"},
		Slot:         lastDigest.Add(24 * time.Hour), Since: lastDigest, FirstSeen: seen,
	})
	for _, s := range r.Sections {
		if strings.Contains(s.Heading, bot.UpdatedMark) {
			t.Errorf("include: all digest marks %q", s.Heading)
		}
	}

	// The next morning nothing has changed: nothing is sent again.
	if r, ok := b.Digest(t.Context(), bot.DigestRequest{
		Subscription: bot.Subscription{ID: "morning", Include: "new"},
		Slot:         lastDigest.Add(48 * time.Hour), Since: lastDigest.Add(24 * time.Hour), FirstSeen: seen,
	}); ok {
		t.Errorf("the next digest re-sends %v", digestTitles(r))
	}
}

func sortedByHeading(ss []bot.Section) []bot.Section {
	out := append([]bot.Section(nil), ss...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].Heading < out[i].Heading {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// Updated, but what the earlier version said was never kept (it was seen
// before texts were): the entry is marked and shows the briefing as usual.
func TestDigestUpdatedWithoutEarlierText(t *testing.T) {
	lastDigest := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	old := parseAt(t, "kazakhstan.txt", kzBefore, nov29)
	plain := bottest.NewFirstSeen() // keeps no texts
	if err := bot.NewFirstSeen(plain, func() time.Time { return nov29 }).Record(t.Context(), briefings.NewLibrary([]*briefings.Briefing{old})); err != nil {
		t.Fatal(err)
	}
	stores := newHistoryStores()
	stores.History.FirstSeen = plain
	lib := briefings.NewLibrary([]*briefings.Briefing{parseAt(t, "kazakhstan.txt", kzAfter, nov30)})
	seen := bot.NewFirstSeen(stores.History, func() time.Time { return nov30 })
	b := bot.New(bot.Options{Library: lib, Store: stores})
	r, ok := b.Digest(t.Context(), bot.DigestRequest{Subscription: bot.Subscription{ID: "m", Include: "new"}, Slot: nov30, Since: lastDigest, FirstSeen: seen})
	if !ok || len(r.Sections) != 1 {
		t.Fatalf("digest %v, want Kazakhstan", digestTitles(r))
	}
	s := r.Sections[0]
	if s.Heading != "Kazakhstan — Updated" || len(s.Blocks) != 3 || s.Blocks[0].Text != "Kazakhstan will join the Abraham Accords." {
		t.Errorf("entry %+v, want the briefing as usual, marked Updated", s)
	}
}

// Without a store (briefbot digest from a folder), an updated topic is one
// with an older file dated before the last digest.
func TestDigestUpdatedFromOlderFile(t *testing.T) {
	lastDigest := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	lib := briefings.NewLibrary([]*briefings.Briefing{
		parseAt(t, "archive/kazakhstan.txt", kzBefore, nov29),
		parseAt(t, "kazakhstan.txt", kzAfter, nov30),
	})
	b := bot.New(bot.Options{Library: lib})
	r, ok := b.Digest(t.Context(), bot.DigestRequest{Subscription: bot.Subscription{ID: "m", Include: "new"}, Slot: nov30, Since: lastDigest})
	if !ok || len(r.Sections) != 1 || r.Sections[0].Heading != "Kazakhstan — Updated" {
		t.Fatalf("digest %v, want Kazakhstan marked Updated", digestTitles(r))
	}
	if got := r.Sections[0].Blocks[0].Text; got != "Changed since the version dated Sun 29 Nov 2026." {
		t.Errorf("first block %q", got)
	}
}
