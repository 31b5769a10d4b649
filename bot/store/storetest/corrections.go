package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

// CorrectionStore is what the corrections suite tests: a store that keeps
// subscriptions and the posted digests' message references.
type CorrectionStore interface {
	Store
	bot.CorrectionStore
}

// RunCorrections runs the contract of bot.CorrectionStore and of the
// subscriptions' corrections fields. open must return a new, empty store
// for each call; RunCorrections closes it when the test ends.
func RunCorrections(t *testing.T, open func(t *testing.T) CorrectionStore) {
	runSuite(t, open, []suiteCase[CorrectionStore]{
		{"SubscriptionKeepsCorrections", testSubscriptionCorrections},
		{"RecordAndRead", testPostedRecordAndRead},
		{"ClaimOnceConcurrent", testCorrectionClaimOnce},
		{"ExpiredClaimTakenOver", testCorrectionTakeover},
		{"Forget", testForgetPosted},
		{"DeleteSubscriptionForgets", testDeleteForgetsPosted},
	})
}

func testSubscriptionCorrections(t *testing.T, s CorrectionStore) {
	a, b := sub("follow"), sub("plain")
	a.Corrections, a.CorrectionsWindow = bot.CorrectionsFollowUp, 90*time.Minute
	mustSave(t, s, a, b)
	if got := mustGet(t, s, "follow"); got.Corrections != bot.CorrectionsFollowUp || got.CorrectionsWindow != 90*time.Minute {
		t.Errorf("saved follow_up for 90m, read back %q for %v", got.Corrections, got.CorrectionsWindow)
	}
	if got := mustGet(t, s, "plain"); got.CorrectionsMode() != bot.CorrectionsEdit || got.CorrectionsFor() != bot.DefaultCorrectionsWindow {
		t.Errorf("saved no corrections settings, read back mode %q for %v; want edit for the default window", got.CorrectionsMode(), got.CorrectionsFor())
	}
	bad := sub("bad")
	bad.Corrections = "sometimes"
	if err := s.SaveSubscription(t.Context(), bad); err == nil {
		t.Error("SaveSubscription accepted corrections mode \"sometimes\"")
	}
}

func posted(id string, slot time.Time) bot.PostedDigest {
	return bot.PostedDigest{
		Subscription: id,
		Slot:         slot,
		Platform:     "slack",
		Channel:      "C" + id,
		MessageIDs:   []string{"1700000000.000100", "1700000000.000200"},
		Versions:     []bot.BriefingVersion{{Topic: "kazakhstan", Hash: "k1"}, {Topic: "uzbekistan", Hash: "u1"}},
		Since:        slot.Add(-24 * time.Hour),
		PostedAt:     slot.Add(3 * time.Second),
	}
}

func mustRecord(t *testing.T, s CorrectionStore, p bot.PostedDigest) {
	t.Helper()
	if err := s.RecordPostedDigest(t.Context(), p); err != nil {
		t.Fatalf("RecordPostedDigest: %v", err)
	}
}

func mustPosted(t *testing.T, s CorrectionStore, since time.Time) []bot.PostedDigest {
	t.Helper()
	got, err := s.PostedDigests(t.Context(), since)
	if err != nil {
		t.Fatalf("PostedDigests: %v", err)
	}
	return got
}

func testPostedRecordAndRead(t *testing.T, s CorrectionStore) {
	mustSave(t, s, sub("daily"))
	old, recent := posted("daily", base), posted("daily", base.Add(24*time.Hour))
	mustRecord(t, s, recent)
	mustRecord(t, s, old)
	if diff := cmp.Diff([]bot.PostedDigest{old, recent}, mustPosted(t, s, base)); diff != "" {
		t.Errorf("PostedDigests since the first post (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]bot.PostedDigest{recent}, mustPosted(t, s, old.PostedAt.Add(time.Microsecond))); diff != "" {
		t.Errorf("PostedDigests after the first post (-want +got):\n%s", diff)
	}
	// A slot posted again (by a takeover) replaces its record.
	again := recent
	again.MessageIDs = []string{"1700000099.000100"}
	mustRecord(t, s, again)
	if got := mustPosted(t, s, recent.PostedAt); len(got) != 1 || !cmp.Equal(got[0].MessageIDs, again.MessageIDs) {
		t.Errorf("after recording the slot again: %+v, want one record with %v", got, again.MessageIDs)
	}
	if err := s.RecordPostedDigest(t.Context(), bot.PostedDigest{Subscription: "daily", Slot: base, PostedAt: base}); err == nil {
		t.Error("RecordPostedDigest accepted a digest without messages")
	}
}

func testCorrectionClaimOnce(t *testing.T, s CorrectionStore) {
	mustSave(t, s, sub("daily"))
	p := posted("daily", base)
	mustRecord(t, s, p)
	now := p.PostedAt.Add(time.Hour)
	for _, fp := range []string{"fp1", "fp2"} {
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			won    []string
			starts = make(chan struct{})
		)
		for i := range 4 {
			owner := fmt.Sprintf("r%d", i)
			wg.Go(func() {
				<-starts
				ok, err := s.ClaimCorrection(t.Context(), "daily", base, fp, owner, time.Minute, now)
				if err != nil {
					t.Errorf("ClaimCorrection: %v", err)
				}
				if ok {
					mu.Lock()
					won = append(won, owner)
					mu.Unlock()
				}
			})
		}
		close(starts)
		wg.Wait()
		if len(won) != 1 {
			t.Fatalf("correction %s: %v won, want exactly one owner", fp, won)
		}
		corrected := p
		corrected.Versions = []bot.BriefingVersion{{Topic: "kazakhstan", Hash: "k2-" + fp}, {Topic: "uzbekistan", Hash: "u1"}}
		corrected.MessageIDs = []string{"1700000000.000100", "1700000000.000200", "1700000000.000300"}
		corrected.CorrectedAt = now
		if err := s.CompleteCorrection(t.Context(), fp, won[0], corrected); err != nil {
			t.Fatalf("CompleteCorrection: %v", err)
		}
		if got := mustPosted(t, s, base); len(got) != 1 || !cmp.Equal(got[0], corrected) {
			t.Errorf("after correction %s: %+v, want %+v", fp, got, corrected)
		}
		// Done is done: not even an expired lease makes it claimable.
		if ok, err := s.ClaimCorrection(t.Context(), "daily", base, fp, "late", time.Minute, now.Add(time.Hour)); ok || err != nil {
			t.Errorf("ClaimCorrection of a finished correction = %t, %v; want false", ok, err)
		}
		now = now.Add(2 * time.Hour)
	}
}

func testCorrectionTakeover(t *testing.T, s CorrectionStore) {
	mustSave(t, s, sub("daily"))
	p := posted("daily", base)
	mustRecord(t, s, p)
	now := p.PostedAt.Add(time.Hour)
	if ok, err := s.ClaimCorrection(t.Context(), "daily", base, "fp", "dead", time.Minute, now); !ok || err != nil {
		t.Fatalf("first ClaimCorrection = %t, %v", ok, err)
	}
	if ok, _ := s.ClaimCorrection(t.Context(), "daily", base, "fp", "other", time.Minute, now.Add(59*time.Second)); ok {
		t.Error("a claim held for another second was taken over")
	}
	if ok, err := s.ClaimCorrection(t.Context(), "daily", base, "fp", "other", time.Minute, now.Add(time.Minute)); !ok || err != nil {
		t.Fatalf("ClaimCorrection after the lease = %t, %v; want the takeover", ok, err)
	}
	if err := s.CompleteCorrection(t.Context(), "fp", "dead", p); !errors.Is(err, bot.ErrClaimLost) {
		t.Errorf("CompleteCorrection by the owner taken over = %v, want ErrClaimLost", err)
	}
	if err := s.CompleteCorrection(t.Context(), "fp", "other", p); err != nil {
		t.Errorf("CompleteCorrection by the new owner: %v", err)
	}
}

func testForgetPosted(t *testing.T, s CorrectionStore) {
	mustSave(t, s, sub("daily"))
	old, recent := posted("daily", base), posted("daily", base.Add(24*time.Hour))
	mustRecord(t, s, old)
	mustRecord(t, s, recent)
	if ok, err := s.ClaimCorrection(t.Context(), "daily", base, "fp", "r1", time.Minute, old.PostedAt); !ok || err != nil {
		t.Fatalf("ClaimCorrection = %t, %v", ok, err)
	}
	n, err := s.ForgetPostedDigests(t.Context(), recent.PostedAt)
	if err != nil || n != 1 {
		t.Fatalf("ForgetPostedDigests = %d, %v; want the older one", n, err)
	}
	if got := mustPosted(t, s, time.Time{}.Add(time.Microsecond)); len(got) != 1 || !got[0].Slot.Equal(recent.Slot) {
		t.Errorf("after forgetting: %+v, want only the recent digest", got)
	}
	// Recorded again (it cannot be, but if it were), its old claim is gone.
	mustRecord(t, s, old)
	if ok, err := s.ClaimCorrection(t.Context(), "daily", base, "fp", "r2", time.Minute, old.PostedAt); !ok || err != nil {
		t.Errorf("ClaimCorrection after forgetting = %t, %v; want the claim gone with the record", ok, err)
	}
}

func testDeleteForgetsPosted(t *testing.T, s CorrectionStore) {
	mustSave(t, s, sub("daily"), sub("other"))
	mustRecord(t, s, posted("daily", base))
	mustRecord(t, s, posted("other", base))
	if err := s.DeleteSubscription(t.Context(), "daily"); err != nil {
		t.Fatal(err)
	}
	if got := mustPosted(t, s, base); len(got) != 1 || got[0].Subscription != "other" {
		t.Errorf("after deleting the subscription: %+v, want only the other's digest", got)
	}
}
