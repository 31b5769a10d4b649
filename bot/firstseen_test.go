package bot_test

import (
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/briefings"
)

// library parses files (path → text), all modified at mod.
func library(t *testing.T, mod time.Time, files map[string]string) *briefings.Library {
	t.Helper()
	var bs []*briefings.Briefing
	for path, text := range files {
		b, problems := briefings.Parse(path, []byte(text), mod)
		if b == nil {
			t.Fatalf("parse %s: %v", path, problems)
		}
		bs = append(bs, b)
	}
	return briefings.NewLibrary(bs)
}

func digestTitles(r bot.Reply) []string {
	var out []string
	for _, s := range r.Sections {
		out = append(out, s.Heading)
	}
	return out
}

const (
	datedMD    = "---\ndate: 2026-11-30\n---\n# Kazakhstan\n\nJoins the accords.\n\n## Risks\n\n- Backlash.\n"
	plainSahel = "Sahel\nThe juntas leave ECOWAS.\n\nRisks & caveats\n- Jihadists.\n"
)

// The case: a briefing dated this morning, published after this
// morning's digest, is in tomorrow's; judged by its date it never was.
func TestDigestNewMeansFirstSeen(t *testing.T) {
	almaty := time.FixedZone("Almaty", 5*3600)
	morning := time.Date(2026, 11, 30, 8, 0, 0, 0, almaty) // this morning's digest went out
	published := morning.Add(2 * time.Hour)
	tomorrow := morning.Add(24 * time.Hour)
	sub := bot.Subscription{ID: "morning", Include: "new", Timezone: "Asia/Almaty"}

	store := bottest.NewFirstSeen()
	old := library(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), map[string]string{"sahel.txt": plainSahel})
	// Sahel was there long before this morning.
	if err := bot.NewFirstSeen(store, func() time.Time { return morning.Add(-48 * time.Hour) }).Record(t.Context(), old); err != nil {
		t.Fatal(err)
	}
	lib := library(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), map[string]string{"sahel.txt": plainSahel, "kazakhstan.md": datedMD})
	b := bot.New(bot.Options{Library: lib})
	seen := bot.NewFirstSeen(store, func() time.Time { return published })
	if err := seen.Record(t.Context(), lib); err != nil {
		t.Fatal(err)
	}

	r, ok := b.Digest(t.Context(), bot.DigestRequest{Subscription: sub, Slot: tomorrow, Since: morning, FirstSeen: seen})
	if !ok || len(r.Sections) != 1 || r.Sections[0].Heading != "Kazakhstan" {
		t.Errorf("tomorrow's digest has %v, want only Kazakhstan, published after this morning's", digestTitles(r))
	}
	if _, ok := b.Digest(t.Context(), bot.DigestRequest{Subscription: sub, Slot: tomorrow, Since: morning}); ok {
		t.Errorf("judged by its date, the briefing would have been new; the test shows nothing")
	}
}

// A fresh checkout (every plain-text file with a new modification time), a
// restart and a new replica re-send nothing.
func TestDigestFreshCheckoutIsNotNew(t *testing.T) {
	store := bottest.NewFirstSeen()
	lastDigest := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	first := library(t, lastDigest.Add(-72*time.Hour), map[string]string{"briefings/sahel.txt": plainSahel, "briefings/kazakhstan.md": datedMD})
	if err := bot.NewFirstSeen(store, func() time.Time { return lastDigest.Add(-time.Hour) }).Record(t.Context(), first); err != nil {
		t.Fatal(err)
	}

	// Another process, another checkout path, files modified just now.
	restarted := lastDigest.Add(3 * time.Hour)
	checkout := library(t, restarted, map[string]string{"/srv/new-checkout/sahel.txt": plainSahel, "/srv/new-checkout/kazakhstan.md": datedMD})
	b := bot.New(bot.Options{Library: checkout})
	seen := bot.NewFirstSeen(store, func() time.Time { return restarted })
	sub := bot.Subscription{ID: "morning", Include: "new"}
	r, ok := b.Digest(t.Context(), bot.DigestRequest{Subscription: sub, Slot: lastDigest.Add(24 * time.Hour), Since: lastDigest, FirstSeen: seen})
	if ok {
		t.Errorf("after a fresh checkout the digest re-sends %v, want nothing", digestTitles(r))
	}
	// The digest recorded the library itself: no separate Record was needed.
	if _, ok := seen.Of(checkout.Versions("sahel")[0]); !ok {
		t.Errorf("the digest did not record what it judged")
	}
	// Judged by modification time, the plain-text file would be new again.
	if r, _ := b.Digest(t.Context(), bot.DigestRequest{Subscription: sub, Slot: lastDigest.Add(24 * time.Hour), Since: lastDigest}); len(r.Sections) == 0 {
		t.Errorf("judged by dates nothing was new either; the test shows nothing")
	}
}

func TestFirstSeenAsksTheStoreOnlyForUnknownVersions(t *testing.T) {
	store := bottest.NewFirstSeen()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	seen := bot.NewFirstSeen(store, func() time.Time { return now })
	lib := library(t, now, map[string]string{"sahel.txt": plainSahel, "kazakhstan.md": datedMD})
	for range 3 {
		if err := seen.Record(t.Context(), lib); err != nil {
			t.Fatal(err)
		}
	}
	if store.Calls != 1 || store.Asked != 2 {
		t.Errorf("store asked %d times for %d versions, want once for 2", store.Calls, store.Asked)
	}
	edited, problems := briefings.Parse("sahel.txt", []byte(plainSahel+"- Coups.\n"), now)
	if edited == nil {
		t.Fatal(problems)
	}
	if err := seen.Record(t.Context(), lib.With([]*briefings.Briefing{edited}, nil)); err != nil {
		t.Fatal(err)
	}
	if store.Calls != 2 || store.Asked != 3 {
		t.Errorf("after an edit the store was asked %d times for %d versions, want twice for 3", store.Calls, store.Asked)
	}
	if at, ok := seen.Of(edited); !ok || !at.Equal(now) {
		t.Errorf("edited version first seen %s (%t), want %s", at, ok, now)
	}
}
