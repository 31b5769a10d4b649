package bot_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

func TestCorrection(t *testing.T) {
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	slot := day.Add(8 * time.Hour)
	sahel := plainSahel
	edited := "Sahel\nThe juntas leave ECOWAS and form their own bloc.\n\nRisks & caveats\n- Jihadists.\n"
	tchad := "Chad\nN'Djamena ends its defence pact.\n\nRisks & caveats\n- Border clashes.\n"
	posted := library(t, day, map[string]string{"sahel.txt": sahel, "chad.txt": tchad})
	b := bot.New(bot.Options{Library: posted})
	sub := bot.Subscription{ID: "morning", Include: "new", Timezone: "Asia/Almaty"}
	dr := bot.DigestRequest{Subscription: sub, Slot: slot, Since: slot.Add(-24 * time.Hour)}
	digest, ok := b.Digest(t.Context(), dr)
	if !ok || len(digest.Versions) != 2 {
		t.Fatalf("digest shows versions %v, want both briefings", digest.Versions)
	}
	at := slot.Add(2 * time.Hour)
	cr := bot.CorrectionRequest{Digest: dr, Posted: digest.Versions, PostedAt: slot, At: at}

	if _, _, changed := b.Correction(t.Context(), cr); changed {
		t.Error("nothing changed, yet Correction found a change")
	}
	// A briefing added since is for the next digest.
	b.SetLibrary(library(t, day, map[string]string{"sahel.txt": sahel, "chad.txt": tchad, "mali.txt": "Mali\nBamako.\n"}))
	if _, _, changed := b.Correction(t.Context(), cr); changed {
		t.Error("a new briefing counted as a correction")
	}

	b.SetLibrary(library(t, day, map[string]string{"sahel.txt": edited, "chad.txt": tchad, "mali.txt": "Mali\nBamako.\n"}))
	r, versions, changed := b.Correction(t.Context(), cr)
	if !changed {
		t.Fatal("an edited briefing is not a correction")
	}
	if want := []string{"Corrected Mon 30 Nov 15:00 +05: Sahel changed after this digest was posted."}; !cmp.Equal(r.Notes, want) {
		t.Errorf("notes %q, want %q", r.Notes, want)
	}
	if got := digestTitles(r); !cmp.Equal(got, []string{"Chad", "Sahel"}) && !cmp.Equal(got, []string{"Sahel", "Chad"}) {
		t.Errorf("corrected digest shows %q, want Chad and Sahel as posted, not Mali", got)
	}
	if cmp.Equal(versions, digest.Versions) || len(versions) != 2 {
		t.Errorf("versions after correction %v, want both, Sahel's new", versions)
	}

	// Withdrawn: the digest says so rather than "nothing new".
	b.SetLibrary(library(t, day, map[string]string{"chad.txt": tchad}))
	r, versions, changed = b.Correction(t.Context(), cr)
	if !changed || len(versions) != 1 || versions[0].Topic != "chad" {
		t.Fatalf("after Sahel was withdrawn: changed %t, versions %v", changed, versions)
	}
	if want := []string{"Corrected Mon 30 Nov 15:00 +05: sahel was withdrawn."}; !cmp.Equal(r.Notes, want) {
		t.Errorf("notes %q, want %q", r.Notes, want)
	}

	// follow_up: only what changed, marked updated when the history has
	// the version that was posted.
	b.SetLibrary(library(t, day, map[string]string{"sahel.txt": edited, "chad.txt": tchad}))
	cr.FollowUp = true
	r, versions, changed = b.Correction(t.Context(), cr)
	if !changed || r.Title != "Correction to the digest of Monday 30 November 2026" || !cmp.Equal(digestTitles(r), []string{"Sahel"}) {
		t.Errorf("follow-up: changed %t, %q with %q; want a correction showing Sahel", changed, r.Title, digestTitles(r))
	}
	if len(versions) != 2 {
		t.Errorf("follow-up versions %v, want Chad's as posted and Sahel's new", versions)
	}
}

func TestFingerprintIgnoresOrder(t *testing.T) {
	a := []bot.BriefingVersion{{Topic: "sahel", Hash: "1"}, {Topic: "chad", Hash: "2"}}
	b := []bot.BriefingVersion{a[1], a[0]}
	if bot.Fingerprint(a) != bot.Fingerprint(b) {
		t.Error("the same versions in another order have another fingerprint")
	}
	if bot.Fingerprint(a) == bot.Fingerprint(a[:1]) {
		t.Error("different versions share a fingerprint")
	}
}
