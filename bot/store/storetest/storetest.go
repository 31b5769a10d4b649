// Package storetest is the contract every store implementation must
// honour, as one test suite: implementations call Run from their own tests
// with a function that opens an empty store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

// base is the suite's clock: 2025-03-10 08:00 in Asia/Almaty (UTC+5).
var base = time.Date(2025, 3, 10, 3, 0, 0, 0, time.UTC)

// Store is the whole of a store: what the core (Store), the scheduler
// (bot.SlotStore) and the Slack adapter's event log each use, plus what
// cmd uses to start, sync and stop it.
type Store interface {
	bot.Store
	bot.SlotStore

	// SyncConfigSubscriptions makes the config-sourced subscriptions equal to
	// subs, atomically: each of subs is saved as by SaveSubscription with
	// Source SourceConfig, and config-sourced subscriptions not in subs are
	// deleted. Chat-created subscriptions are never touched; an ID in subs
	// that belongs to one is an error and nothing changes.
	SyncConfigSubscriptions(ctx context.Context, subs []bot.Subscription) error
	// Deliveries returns up to limit of sub's deliveries, newest slot first
	// (limit <= 0 means all).
	Deliveries(ctx context.Context, sub string, limit int) ([]bot.Delivery, error)
	// MarkSeen records that the platform event key arrived at now and
	// reports whether this is its first arrival within ttl, across every
	// replica sharing the store, so that a retried event is answered once.
	MarkSeen(ctx context.Context, key string, now time.Time, ttl time.Duration) (bool, error)
	// Ping checks that the store is reachable.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}

// Run runs the contract suite. open must return a new, empty store for each
// call; Run closes it when the test ends.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"SubscriptionCRUD", testSubscriptionCRUD},
		{"SaveKeepsState", testSaveKeepsState},
		{"InvalidSubscription", testInvalidSubscription},
		{"SetPaused", testSetPaused},
		{"SyncConfig", testSyncConfig},
		{"SyncConfigRefusesChatID", testSyncConfigRefusesChatID},
		{"ClaimExclusiveConcurrent", testClaimExclusiveConcurrent},
		{"TakeoverExclusiveConcurrent", testTakeoverExclusiveConcurrent},
		{"ClaimHeld", testClaimHeld},
		{"LeaseExpiryTakeover", testLeaseExpiryTakeover},
		{"ExpiredClaimCompletesWithoutTakeover", testExpiredClaimCompletes},
		{"ExtendClaim", testExtendClaim},
		{"DoneSlotNeverClaimable", testDoneSlotNeverClaimable},
		{"ClaimUnknownSubscription", testClaimUnknownSubscription},
		{"FailureCounters", testFailureCounters},
		{"DeliveryHistory", testDeliveryHistory},
		{"LastDeliveredNeverGoesBack", testLastDeliveredNeverGoesBack},
		{"CompleteRejectsBadDelivery", testCompleteRejectsBadDelivery},
		{"LastSlots", testLastSlots},
		{"ExpiredClaims", testExpiredClaims},
		{"MarkSeen", testMarkSeen},
		{"DeleteRemovesHistory", testDeleteRemovesHistory},
		{"TimesAreUTC", testTimesAreUTC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			if err := s.Ping(t.Context()); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			tt.fn(t, s)
		})
	}
}

// sub returns a valid chat subscription with the given ID.
func sub(id string) bot.Subscription {
	return bot.Subscription{
		ID:        id,
		Platform:  bot.Platform("slack"),
		Channel:   "C" + id,
		Schedule:  "0 8 * * 1-5",
		Timezone:  "Asia/Almaty",
		Topics:    []string{"kazakhstan", "uzbekistan"},
		Include:   "new",
		WhenEmpty: "skip",
		Source:    bot.SourceChat,
		CreatedBy: "U42",
		CreatedAt: base.Add(-24 * time.Hour),
	}
}

func configSub(id string) bot.Subscription {
	s := sub(id)
	s.Source = bot.SourceConfig
	s.CreatedBy = ""
	s.Platform = bot.Platform("discord")
	return s
}

func mustSave(t *testing.T, s Store, subs ...bot.Subscription) {
	t.Helper()
	for _, x := range subs {
		if err := s.SaveSubscription(t.Context(), x); err != nil {
			t.Fatalf("SaveSubscription(%s): %v", x.ID, err)
		}
	}
}

func mustGet(t *testing.T, s Store, id string) bot.Subscription {
	t.Helper()
	got, err := s.Subscription(t.Context(), id)
	if err != nil {
		t.Fatalf("Subscription(%s): %v", id, err)
	}
	return got
}

func mustClaim(t *testing.T, s Store, id string, slot time.Time, owner string, now time.Time) bot.Claim {
	t.Helper()
	c, ok, err := s.ClaimSlot(t.Context(), id, slot, owner, time.Minute, now)
	if err != nil {
		t.Fatalf("ClaimSlot(%s, %s, %s): %v", id, slot, owner, err)
	}
	if !ok {
		t.Fatalf("ClaimSlot(%s, %s, %s) = not won, want won", id, slot, owner)
	}
	return c
}

func mustComplete(t *testing.T, s Store, c bot.Claim, d bot.Delivery) bot.Subscription {
	t.Helper()
	if d.At.IsZero() {
		d.At = c.Slot.Add(time.Second)
	}
	got, err := s.CompleteSlot(t.Context(), c, d)
	if err != nil {
		t.Fatalf("CompleteSlot(%s, %s, %s): %v", c.Subscription, c.Slot, d.Outcome, err)
	}
	return got
}

func ids(subs []bot.Subscription) []string {
	var out []string
	for _, s := range subs {
		out = append(out, s.ID)
	}
	return out
}

func testSubscriptionCRUD(t *testing.T, s Store) {
	ctx := t.Context()
	if got, err := s.Subscriptions(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Subscriptions of an empty store = %v, %v; want none", got, err)
	}
	b, a, c := sub("b"), sub("a"), sub("c")
	c.Topics = nil
	mustSave(t, s, b, a, c)

	if diff := cmp.Diff(a, mustGet(t, s, "a")); diff != "" {
		t.Errorf("Subscription(a) mismatch (-saved +got):\n%s", diff)
	}
	all, err := s.Subscriptions(ctx)
	if err != nil {
		t.Fatalf("Subscriptions: %v", err)
	}
	if diff := cmp.Diff([]bot.Subscription{a, b, c}, all); diff != "" {
		t.Errorf("Subscriptions mismatch, want sorted by ID (-want +got):\n%s", diff)
	}

	b.Schedule = "@weekly"
	b.Channel = "Cnew"
	b.Topics = []string{"georgia"}
	mustSave(t, s, b)
	if diff := cmp.Diff(b, mustGet(t, s, "b")); diff != "" {
		t.Errorf("after update, Subscription(b) mismatch (-want +got):\n%s", diff)
	}

	if err := s.DeleteSubscription(ctx, "a"); err != nil {
		t.Fatalf("DeleteSubscription(a): %v", err)
	}
	if _, err := s.Subscription(ctx, "a"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Subscription(a) after delete: err = %v, want ErrNotFound", err)
	}
	if err := s.DeleteSubscription(ctx, "a"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("second DeleteSubscription(a): err = %v, want ErrNotFound", err)
	}
	all, _ = s.Subscriptions(ctx)
	if diff := cmp.Diff([]string{"b", "c"}, ids(all)); diff != "" {
		t.Errorf("Subscriptions after delete (-want +got):\n%s", diff)
	}
}

func testSaveKeepsState(t *testing.T, s Store) {
	ctx := t.Context()
	x := sub("x")
	mustSave(t, s, x)
	c := mustClaim(t, s, "x", base, "r1", base)
	mustComplete(t, s, c, bot.Delivery{Outcome: bot.OutcomePosted})
	c = mustClaim(t, s, "x", base.Add(24*time.Hour), "r1", base.Add(24*time.Hour))
	mustComplete(t, s, c, bot.Delivery{Outcome: bot.OutcomeFailed, Error: "channel_not_found", Permanent: true})
	if err := s.SetPaused(ctx, "x", true, "paused by U1"); err != nil {
		t.Fatal(err)
	}
	before := mustGet(t, s, "x")

	// A re-save with other state fields and a new CreatedAt changes only the definition.
	y := x
	y.Schedule = "@daily"
	y.CreatedAt = base.Add(time.Hour)
	y.Paused, y.Failures, y.LastError, y.LastDelivered = false, 0, "", time.Time{}
	mustSave(t, s, y)
	want := before
	want.Schedule = "@daily"
	if diff := cmp.Diff(want, mustGet(t, s, "x")); diff != "" {
		t.Errorf("re-saving changed more than the definition (-want +got):\n%s", diff)
	}
}

func testInvalidSubscription(t *testing.T, s Store) {
	for name, mutate := range map[string]func(*bot.Subscription){
		"no ID":       func(x *bot.Subscription) { x.ID = "" },
		"no channel":  func(x *bot.Subscription) { x.Channel = "" },
		"no platform": func(x *bot.Subscription) { x.Platform = "" },
		"no schedule": func(x *bot.Subscription) { x.Schedule = "" },
		"bad source":  func(x *bot.Subscription) { x.Source = "web" },
	} {
		x := sub("bad")
		mutate(&x)
		if err := s.SaveSubscription(t.Context(), x); err == nil {
			t.Errorf("SaveSubscription with %s: no error", name)
		}
	}
	if all, _ := s.Subscriptions(t.Context()); len(all) != 0 {
		t.Errorf("invalid subscriptions were stored: %v", ids(all))
	}
}

func testSetPaused(t *testing.T, s Store) {
	ctx := t.Context()
	mustSave(t, s, sub("p"))
	for i := range 2 {
		c := mustClaim(t, s, "p", base.Add(time.Duration(i)*time.Hour), "r1", base)
		mustComplete(t, s, c, bot.Delivery{Outcome: bot.OutcomeFailed, Error: "not_in_channel", Permanent: true})
	}
	if err := s.SetPaused(ctx, "p", true, "2 consecutive failures: not_in_channel"); err != nil {
		t.Fatalf("SetPaused(true): %v", err)
	}
	got := mustGet(t, s, "p")
	if !got.Paused || got.PausedReason != "2 consecutive failures: not_in_channel" || got.Failures != 2 {
		t.Errorf("after pause: Paused=%t reason=%q failures=%d; want true, the reason, 2", got.Paused, got.PausedReason, got.Failures)
	}
	if err := s.SetPaused(ctx, "p", false, ""); err != nil {
		t.Fatalf("SetPaused(false): %v", err)
	}
	got = mustGet(t, s, "p")
	if got.Paused || got.PausedReason != "" || got.Failures != 0 {
		t.Errorf("after resume: Paused=%t reason=%q failures=%d; want false, empty, 0", got.Paused, got.PausedReason, got.Failures)
	}
	if got.LastError != "not_in_channel" {
		t.Errorf("resume cleared LastError %q; it should stay until a delivery succeeds", got.LastError)
	}
	if err := s.SetPaused(ctx, "nope", true, "x"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("SetPaused(nope): err = %v, want ErrNotFound", err)
	}
}

func testSyncConfig(t *testing.T, s Store) {
	ctx := t.Context()
	chat := sub("chat-1")
	a, b := configSub("cfg-a"), configSub("cfg-b")
	mustSave(t, s, chat)
	if err := s.SyncConfigSubscriptions(ctx, []bot.Subscription{a, b}); err != nil {
		t.Fatalf("first sync: %v", err)
	}
	// cfg-a has history that a later sync must keep.
	cl := mustClaim(t, s, "cfg-a", base, "r1", base)
	mustComplete(t, s, cl, bot.Delivery{Outcome: bot.OutcomePosted})

	a.Schedule = "@daily"
	c := configSub("cfg-c")
	c.Source = "" // sync sets it
	if err := s.SyncConfigSubscriptions(ctx, []bot.Subscription{c, a}); err != nil {
		t.Fatalf("second sync: %v", err)
	}
	all, err := s.Subscriptions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"cfg-a", "cfg-c", "chat-1"}, ids(all)); diff != "" {
		t.Errorf("after sync, subscriptions (-want +got):\n%s", diff)
	}
	gotA := mustGet(t, s, "cfg-a")
	if gotA.Schedule != "@daily" || !gotA.LastDelivered.Equal(base) {
		t.Errorf("cfg-a after sync: schedule %q, last delivered %v; want @daily, %v", gotA.Schedule, gotA.LastDelivered, base)
	}
	if got := mustGet(t, s, "cfg-c"); got.Source != bot.SourceConfig {
		t.Errorf("cfg-c source = %q, want config", got.Source)
	}
	if diff := cmp.Diff(chat, mustGet(t, s, "chat-1")); diff != "" {
		t.Errorf("sync touched a chat subscription (-want +got):\n%s", diff)
	}

	if err := s.SyncConfigSubscriptions(ctx, []bot.Subscription{c, c}); err == nil {
		t.Error("sync with a duplicate ID: no error")
	}
	if err := s.SyncConfigSubscriptions(ctx, nil); err != nil {
		t.Fatalf("empty sync: %v", err)
	}
	all, _ = s.Subscriptions(ctx)
	if diff := cmp.Diff([]string{"chat-1"}, ids(all)); diff != "" {
		t.Errorf("after an empty sync only chat subscriptions remain (-want +got):\n%s", diff)
	}
}

func testSyncConfigRefusesChatID(t *testing.T, s Store) {
	ctx := t.Context()
	mustSave(t, s, sub("shared"))
	if err := s.SyncConfigSubscriptions(ctx, []bot.Subscription{configSub("cfg-a")}); err != nil {
		t.Fatal(err)
	}
	err := s.SyncConfigSubscriptions(ctx, []bot.Subscription{configSub("cfg-b"), configSub("shared")})
	if err == nil {
		t.Fatal("sync over a chat subscription's ID: no error")
	}
	// Nothing changed: the failed sync is atomic.
	all, _ := s.Subscriptions(ctx)
	if diff := cmp.Diff([]string{"cfg-a", "shared"}, ids(all)); diff != "" {
		t.Errorf("a failed sync changed subscriptions (-want +got):\n%s", diff)
	}
	if got := mustGet(t, s, "shared"); got.Source != bot.SourceChat || got.Platform != bot.Platform("slack") {
		t.Errorf("chat subscription was overwritten: %+v", got)
	}
}

// race runs claim for owners r0…r(n-1) at once and returns who won.
func race(t *testing.T, n int, claim func(owner string) (bot.Claim, bool, error)) []bot.Claim {
	t.Helper()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		won    []bot.Claim
		errs   []error
		starts = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			<-starts
			c, ok, err := claim(fmt.Sprintf("r%d", i))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				won = append(won, c)
			}
		})
	}
	close(starts)
	wg.Wait()
	for _, err := range errs {
		t.Errorf("concurrent ClaimSlot: %v", err)
	}
	return won
}

func testClaimExclusiveConcurrent(t *testing.T, s Store) {
	mustSave(t, s, sub("daily"))
	for i := range 25 {
		slot := base.Add(time.Duration(i) * 24 * time.Hour)
		won := race(t, 3, func(owner string) (bot.Claim, bool, error) {
			return s.ClaimSlot(t.Context(), "daily", slot, owner, time.Minute, slot)
		})
		if len(won) != 1 {
			t.Fatalf("slot %d: %d owners won %v, want exactly one", i, len(won), won)
		}
		if won[0].Takeover || !won[0].Slot.Equal(slot) || !won[0].Expires.Equal(slot.Add(time.Minute)) {
			t.Errorf("slot %d: claim %+v, want a fresh claim of %v expiring a minute later", i, won[0], slot)
		}
	}
}

func testTakeoverExclusiveConcurrent(t *testing.T, s Store) {
	mustSave(t, s, sub("daily"))
	for i := range 10 {
		slot := base.Add(time.Duration(i) * 24 * time.Hour)
		mustClaim(t, s, "daily", slot, "dead", slot)
		later := slot.Add(2 * time.Minute)
		won := race(t, 3, func(owner string) (bot.Claim, bool, error) {
			return s.ClaimSlot(t.Context(), "daily", slot, owner, time.Minute, later)
		})
		if len(won) != 1 {
			t.Fatalf("slot %d: %d owners took over %v, want exactly one", i, len(won), won)
		}
		if !won[0].Takeover || won[0].PreviousOwner != "dead" {
			t.Errorf("slot %d: claim %+v, want Takeover from dead", i, won[0])
		}
	}
}

func testClaimHeld(t *testing.T, s Store) {
	ctx := t.Context()
	mustSave(t, s, sub("x"))
	mustClaim(t, s, "x", base, "r1", base)
	for _, owner := range []string{"r2", "r1"} {
		c, ok, err := s.ClaimSlot(ctx, "x", base, owner, time.Minute, base.Add(59*time.Second))
		if err != nil || ok {
			t.Errorf("ClaimSlot by %s while r1's lease runs = %+v, %t, %v; want not won", owner, c, ok, err)
		}
	}
	// Another slot of the same subscription is independent.
	mustClaim(t, s, "x", base.Add(time.Hour), "r2", base)
}

func testLeaseExpiryTakeover(t *testing.T, s Store) {
	ctx := t.Context()
	mustSave(t, s, sub("x"))
	old := mustClaim(t, s, "x", base, "r1", base)
	// The lease ends at base+1m: at that instant the slot may be taken over.
	now := base.Add(time.Minute)
	c, ok, err := s.ClaimSlot(ctx, "x", base, "r2", 5*time.Minute, now)
	if err != nil || !ok {
		t.Fatalf("ClaimSlot after expiry = %t, %v; want won", ok, err)
	}
	want := bot.Claim{Subscription: "x", Slot: base, Owner: "r2", Expires: now.Add(5 * time.Minute), Takeover: true, PreviousOwner: "r1"}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("takeover claim mismatch (-want +got):\n%s", diff)
	}

	if _, err := s.CompleteSlot(ctx, old, bot.Delivery{Outcome: bot.OutcomePosted, At: now}); !errors.Is(err, bot.ErrClaimLost) {
		t.Errorf("old owner's CompleteSlot: err = %v, want ErrClaimLost", err)
	}
	if _, err := s.ExtendClaim(ctx, old, time.Minute, now); !errors.Is(err, bot.ErrClaimLost) {
		t.Errorf("old owner's ExtendClaim: err = %v, want ErrClaimLost", err)
	}
	if ds, _ := s.Deliveries(ctx, "x", 0); len(ds) != 0 {
		t.Errorf("a lost claim recorded deliveries: %+v", ds)
	}
	got := mustComplete(t, s, c, bot.Delivery{Outcome: bot.OutcomeDelayed, MessageIDs: []string{"1700.1"}, At: now.Add(time.Second)})
	if !got.LastDelivered.Equal(base) {
		t.Errorf("LastDelivered = %v, want %v", got.LastDelivered, base)
	}
}

func testExpiredClaimCompletes(t *testing.T, s Store) {
	mustSave(t, s, sub("x"))
	c := mustClaim(t, s, "x", base, "r1", base)
	// A slow post outlives its lease, but nobody took over: it still counts.
	got := mustComplete(t, s, c, bot.Delivery{Outcome: bot.OutcomePosted, At: base.Add(time.Hour)})
	if !got.LastDelivered.Equal(base) {
		t.Errorf("LastDelivered = %v, want %v", got.LastDelivered, base)
	}
	if _, ok, _ := s.ClaimSlot(t.Context(), "x", base, "r2", time.Minute, base.Add(2*time.Hour)); ok {
		t.Error("a completed slot was claimed again")
	}
}

func testExtendClaim(t *testing.T, s Store) {
	ctx := t.Context()
	mustSave(t, s, sub("x"))
	c := mustClaim(t, s, "x", base, "r1", base)
	ext, err := s.ExtendClaim(ctx, c, 10*time.Minute, base.Add(50*time.Second))
	if err != nil {
		t.Fatalf("ExtendClaim: %v", err)
	}
	if want := base.Add(50*time.Second + 10*time.Minute); !ext.Expires.Equal(want) {
		t.Errorf("extended Expires = %v, want %v", ext.Expires, want)
	}
	// The original lease would have ended at base+1m; the extension holds.
	if _, ok, _ := s.ClaimSlot(ctx, "x", base, "r2", time.Minute, base.Add(5*time.Minute)); ok {
		t.Error("slot taken over while its extended lease runs")
	}
	if _, ok, _ := s.ClaimSlot(ctx, "x", base, "r2", time.Minute, ext.Expires); !ok {
		t.Error("slot not taken over once the extended lease ended")
	}
}

func testDoneSlotNeverClaimable(t *testing.T, s Store) {
	ctx := t.Context()
	mustSave(t, s, sub("x"))
	for i, outcome := range []bot.SlotOutcome{bot.OutcomePosted, bot.OutcomeDelayed, bot.OutcomeEmpty, bot.OutcomeSkipped, bot.OutcomeFailed} {
		slot := base.Add(time.Duration(i) * time.Hour)
		c := mustClaim(t, s, "x", slot, "r1", slot)
		mustComplete(t, s, c, bot.Delivery{Outcome: outcome, Error: "boom"})
		for _, later := range []time.Duration{time.Second, time.Hour, 365 * 24 * time.Hour} {
			if got, ok, err := s.ClaimSlot(ctx, "x", slot, "r2", time.Minute, slot.Add(later)); ok || err != nil {
				t.Errorf("slot done as %s claimed %v later: %+v, %t, %v; want not won", outcome, later, got, ok, err)
			}
		}
		if _, err := s.CompleteSlot(ctx, c, bot.Delivery{Outcome: bot.OutcomePosted, At: slot}); !errors.Is(err, bot.ErrClaimLost) {
			t.Errorf("completing a done slot twice: err = %v, want ErrClaimLost", err)
		}
	}
	if ds, _ := s.Deliveries(ctx, "x", 0); len(ds) != 5 {
		t.Errorf("%d deliveries recorded, want 5 (one per slot)", len(ds))
	}
}

func testClaimUnknownSubscription(t *testing.T, s Store) {
	if _, ok, err := s.ClaimSlot(t.Context(), "ghost", base, "r1", time.Minute, base); ok || !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("ClaimSlot(ghost) = %t, %v; want ErrNotFound", ok, err)
	}
	mustSave(t, s, sub("x"))
	if _, _, err := s.ClaimSlot(t.Context(), "x", base, "r1", 0, base); err == nil {
		t.Error("ClaimSlot with a zero lease: no error")
	}
	if _, _, err := s.ClaimSlot(t.Context(), "x", base, "", time.Minute, base); err == nil {
		t.Error("ClaimSlot with no owner: no error")
	}
}

func testFailureCounters(t *testing.T, s Store) {
	mustSave(t, s, sub("x"))
	steps := []struct {
		d            bot.Delivery
		wantFailures int
		wantError    string
	}{
		{bot.Delivery{Outcome: bot.OutcomeFailed, Error: "channel_not_found", Permanent: true}, 1, "channel_not_found"},
		{bot.Delivery{Outcome: bot.OutcomeFailed, Error: "rate limited", Permanent: false}, 1, "rate limited"},
		{bot.Delivery{Outcome: bot.OutcomeEmpty}, 1, "rate limited"},
		{bot.Delivery{Outcome: bot.OutcomeSkipped}, 1, "rate limited"},
		{bot.Delivery{Outcome: bot.OutcomeFailed, Error: "not_in_channel", Permanent: true}, 2, "not_in_channel"},
		{bot.Delivery{Outcome: bot.OutcomeFailed, Error: "channel_not_found", Permanent: true}, 3, "channel_not_found"},
		{bot.Delivery{Outcome: bot.OutcomePosted}, 0, ""},
		{bot.Delivery{Outcome: bot.OutcomeFailed, Error: "is_archived", Permanent: true}, 1, "is_archived"},
		{bot.Delivery{Outcome: bot.OutcomeDelayed}, 0, ""},
	}
	for i, st := range steps {
		slot := base.Add(time.Duration(i) * 24 * time.Hour)
		at := slot.Add(3 * time.Second)
		st.d.At = at
		c := mustClaim(t, s, "x", slot, "r1", slot)
		got := mustComplete(t, s, c, st.d)
		if got.Failures != st.wantFailures || got.LastError != st.wantError {
			t.Errorf("step %d (%s %q): failures %d, last error %q; want %d, %q",
				i, st.d.Outcome, st.d.Error, got.Failures, got.LastError, st.wantFailures, st.wantError)
		}
		if st.d.Outcome == bot.OutcomeFailed && !got.LastErrorAt.Equal(at) {
			t.Errorf("step %d: LastErrorAt = %v, want %v", i, got.LastErrorAt, at)
		}
		if diff := cmp.Diff(got, mustGet(t, s, "x")); diff != "" {
			t.Errorf("step %d: CompleteSlot returned a subscription unlike the stored one (-returned +stored):\n%s", i, diff)
		}
	}
	if got := mustGet(t, s, "x"); !got.LastDelivered.Equal(base.Add(8 * 24 * time.Hour)) {
		t.Errorf("LastDelivered = %v, want the last delivered slot", got.LastDelivered)
	}
}

func testDeliveryHistory(t *testing.T, s Store) {
	ctx := t.Context()
	mustSave(t, s, sub("x"), sub("y"))
	var want []bot.Delivery
	for i := range 4 {
		slot := base.Add(time.Duration(i) * 24 * time.Hour)
		c := mustClaim(t, s, "x", slot, "r1", slot)
		d := bot.Delivery{Subscription: "x", Slot: slot, Outcome: bot.OutcomePosted, MessageIDs: []string{fmt.Sprintf("m%d.1", i), fmt.Sprintf("m%d.2", i)}, Owner: "r1", At: slot.Add(time.Second)}
		if i == 2 {
			d = bot.Delivery{Subscription: "x", Slot: slot, Outcome: bot.OutcomeFailed, Error: "invalid_auth", Permanent: true, Owner: "r1", At: slot.Add(time.Second)}
		}
		mustComplete(t, s, c, d)
		want = append([]bot.Delivery{d}, want...)
	}
	c := mustClaim(t, s, "y", base, "r9", base)
	mustComplete(t, s, c, bot.Delivery{Outcome: bot.OutcomeEmpty})

	got, err := s.Deliveries(ctx, "x", 0)
	if err != nil {
		t.Fatalf("Deliveries: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Deliveries(x) newest first (-want +got):\n%s", diff)
	}
	got, _ = s.Deliveries(ctx, "x", 2)
	if diff := cmp.Diff(want[:2], got); diff != "" {
		t.Errorf("Deliveries(x, 2) (-want +got):\n%s", diff)
	}
	got, _ = s.Deliveries(ctx, "y", 10)
	wantY := []bot.Delivery{{Subscription: "y", Slot: base, Outcome: bot.OutcomeEmpty, Owner: "r9", At: base.Add(time.Second)}}
	if diff := cmp.Diff(wantY, got); diff != "" {
		t.Errorf("Deliveries(y): owner and slot default to the claim's (-want +got):\n%s", diff)
	}
	if got, err := s.Deliveries(ctx, "ghost", 10); err != nil || len(got) != 0 {
		t.Errorf("Deliveries(ghost) = %v, %v; want none", got, err)
	}
}

func testLastDeliveredNeverGoesBack(t *testing.T, s Store) {
	mustSave(t, s, sub("x"))
	early, late := base, base.Add(24*time.Hour)
	cEarly := mustClaim(t, s, "x", early, "r1", late)
	cLate := mustClaim(t, s, "x", late, "r2", late)
	mustComplete(t, s, cLate, bot.Delivery{Outcome: bot.OutcomePosted})
	got := mustComplete(t, s, cEarly, bot.Delivery{Outcome: bot.OutcomeDelayed})
	if !got.LastDelivered.Equal(late) {
		t.Errorf("LastDelivered = %v after a late delivery of an earlier slot, want %v", got.LastDelivered, late)
	}
}

func testCompleteRejectsBadDelivery(t *testing.T, s Store) {
	ctx := t.Context()
	mustSave(t, s, sub("x"))
	c := mustClaim(t, s, "x", base, "r1", base)
	for name, d := range map[string]bot.Delivery{
		"unknown outcome": {Outcome: "exploded", At: base},
		"no time":         {Outcome: bot.OutcomePosted},
		"other slot":      {Outcome: bot.OutcomePosted, Slot: base.Add(time.Hour), At: base},
		"other sub":       {Outcome: bot.OutcomePosted, Subscription: "y", At: base},
	} {
		if _, err := s.CompleteSlot(ctx, c, d); err == nil || errors.Is(err, bot.ErrClaimLost) {
			t.Errorf("CompleteSlot with %s: err = %v, want a validation error", name, err)
		}
	}
	// The claim survived the rejected attempts.
	mustComplete(t, s, c, bot.Delivery{Outcome: bot.OutcomePosted})
}

func testLastSlots(t *testing.T, s Store) {
	ctx := t.Context()
	mustSave(t, s, sub("x"), sub("y"))
	last := func() map[string]time.Time {
		t.Helper()
		m, err := s.LastSlots(ctx)
		if err != nil {
			t.Fatalf("LastSlots: %v", err)
		}
		return m
	}
	if got := last(); len(got) != 0 {
		t.Errorf("LastSlots with no slots = %v, want none", got)
	}
	d1, d2, d3 := base, base.Add(24*time.Hour), base.Add(48*time.Hour)
	c := mustClaim(t, s, "x", d2, "r1", d2)
	mustComplete(t, s, c, bot.Delivery{Outcome: bot.OutcomePosted})
	mustClaim(t, s, "x", d1, "r1", d2)
	if got := last(); !got["x"].Equal(d2) {
		t.Errorf("LastSlots[x] = %v, want %v", got["x"], d2)
	}
	// An unfinished claim counts too: its replica may have posted.
	mustClaim(t, s, "x", d3, "r1", d3)
	got := last()
	if !got["x"].Equal(d3) {
		t.Errorf("LastSlots[x] with an open claim = %v, want %v", got["x"], d3)
	}
	if _, ok := got["y"]; ok {
		t.Errorf("LastSlots has y, which never had a slot: %v", got)
	}
	if got["x"].Location() != time.UTC {
		t.Errorf("LastSlots times are not UTC: %v", got["x"])
	}
}

func testExpiredClaims(t *testing.T, s Store) {
	ctx := t.Context()
	mustSave(t, s, sub("x"), sub("y"))
	d1, d2, d3 := base, base.Add(time.Hour), base.Add(2*time.Hour)
	mustClaim(t, s, "x", d2, "dead", d2)                      // expires d2+1m
	mustClaim(t, s, "y", d1, "dead", d1)                      // expires d1+1m
	done := mustClaim(t, s, "x", d1, "r1", d1)                // completed below
	mustClaim(t, s, "x", d3, "live", d3.Add(-30*time.Second)) // still held at d3
	mustComplete(t, s, done, bot.Delivery{Outcome: bot.OutcomePosted, At: d1})

	got, err := s.ExpiredClaims(ctx, d3)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range got {
		names = append(names, fmt.Sprintf("%s@%s by %s", c.Subscription, c.Slot.Format(time.RFC3339), c.Owner))
	}
	want := []string{
		"y@" + d1.Format(time.RFC3339) + " by dead",
		"x@" + d2.Format(time.RFC3339) + " by dead",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("ExpiredClaims (-want +got):\n%s", diff)
	}
	// Taking one over removes it from the list.
	c, ok, err := s.ClaimSlot(ctx, "y", d1, "r2", time.Minute, d3)
	if err != nil || !ok || !c.Takeover {
		t.Fatalf("takeover: %+v %v %v", c, ok, err)
	}
	if got, _ := s.ExpiredClaims(ctx, d3); len(got) != 1 {
		t.Errorf("after a takeover, %d expired claims, want 1", len(got))
	}
}

func testMarkSeen(t *testing.T, s Store) {
	ctx := t.Context()
	const ttl = 10 * time.Minute
	first := func(key string, at time.Time) bool {
		t.Helper()
		ok, err := s.MarkSeen(ctx, key, at, ttl)
		if err != nil {
			t.Fatalf("MarkSeen(%s): %v", key, err)
		}
		return ok
	}
	if !first("slack:Ev1", base) {
		t.Error("a new event is not first")
	}
	if first("slack:Ev1", base.Add(time.Minute)) {
		t.Error("a retry within the ttl is first again")
	}
	if !first("slack:Ev2", base.Add(time.Minute)) {
		t.Error("another event is not first")
	}
	if !first("slack:Ev1", base.Add(ttl+time.Minute)) {
		t.Error("an event past its ttl is still a repeat")
	}
	// Concurrent replicas: exactly one takes each event.
	for i := range 10 {
		key := fmt.Sprintf("slack:race%d", i)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 3 {
			wg.Go(func() {
				ok, err := s.MarkSeen(ctx, key, base, ttl)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%s taken by %d replicas, want 1", key, wins)
		}
	}
}

func testDeleteRemovesHistory(t *testing.T, s Store) {
	ctx := t.Context()
	mustSave(t, s, sub("x"))
	c := mustClaim(t, s, "x", base, "r1", base)
	mustComplete(t, s, c, bot.Delivery{Outcome: bot.OutcomePosted})
	if err := s.DeleteSubscription(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	mustSave(t, s, sub("x"))
	if ds, _ := s.Deliveries(ctx, "x", 0); len(ds) != 0 {
		t.Errorf("a re-created subscription inherited %d deliveries", len(ds))
	}
	if ls, _ := s.LastSlots(ctx); !ls["x"].IsZero() {
		t.Error("a re-created subscription inherited slots")
	}
	if got := mustGet(t, s, "x"); !got.LastDelivered.IsZero() {
		t.Errorf("a re-created subscription has LastDelivered %v", got.LastDelivered)
	}
	mustClaim(t, s, "x", base, "r1", base)
}

func testTimesAreUTC(t *testing.T, s Store) {
	almaty := time.FixedZone("ALMT", 5*3600)
	x := sub("x")
	x.CreatedAt = time.Date(2025, 1, 2, 9, 30, 0, 123456789, almaty)
	mustSave(t, s, x)
	got := mustGet(t, s, "x")
	want := time.Date(2025, 1, 2, 4, 30, 0, 123456000, time.UTC)
	if got.CreatedAt != want {
		t.Errorf("CreatedAt = %v, want %v (UTC, to the microsecond)", got.CreatedAt, want)
	}
	local := base.In(almaty)
	c := mustClaim(t, s, "x", local, "r1", local)
	if c.Slot != base || c.Expires.Location() != time.UTC {
		t.Errorf("claim slot %v expires %v, want %v in UTC", c.Slot, c.Expires, base)
	}
	// The same instant in another zone is the same slot.
	if _, ok, _ := s.ClaimSlot(t.Context(), "x", base, "r2", time.Minute, base); ok {
		t.Error("one instant in two time zones made two slots")
	}
	ls, _ := s.LastSlots(t.Context())
	if ls["x"] != base {
		t.Errorf("LastSlots[x] = %v, want %v", ls["x"], base)
	}
	mustComplete(t, s, c, bot.Delivery{Outcome: bot.OutcomePosted, At: local.Add(time.Second)})
	ds, _ := s.Deliveries(t.Context(), "x", 1)
	if len(ds) != 1 || ds[0].Slot != base || ds[0].At != base.Add(time.Second) {
		t.Errorf("deliveries %+v, want slot %v and time %v in UTC", ds, base, base.Add(time.Second))
	}
	if got := mustGet(t, s, "x"); got.LastDelivered != base {
		t.Errorf("LastDelivered = %v, want %v", got.LastDelivered, base)
	}
}

// suiteCase is one test of a contract suite, run on a store of type S.
type suiteCase[S io.Closer] struct {
	name string
	fn   func(t *testing.T, s S)
}

// runSuite runs each case as a subtest on a new store from open, closing
// the store when the case ends.
func runSuite[S io.Closer](t *testing.T, open func(t *testing.T) S, cases []suiteCase[S]) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}
