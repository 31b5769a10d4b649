package digest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/digest"
)

// composer answers every digest with its request, so tests can see it.
type composer struct {
	mu   sync.Mutex
	reqs []bot.DigestRequest
	// empty makes every digest empty.
	empty bool
}

func (c *composer) Digest(ctx context.Context, dr bot.DigestRequest) (bot.Reply, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs = append(c.reqs, dr)
	r := bot.Reply{Kind: bot.KindDigest, Title: "Digest " + dr.Slot.Format(time.RFC3339)}
	if dr.Delayed {
		r.Notes = []string{"Delayed"}
	}
	return r, !c.empty
}

type fixture struct {
	store  *bottest.Store
	clock  *bottest.Clock
	poster *bottest.Poster
	comp   *composer
}

func newFixture(t *testing.T, now time.Time) *fixture {
	t.Helper()
	return &fixture{store: bottest.NewStore(), clock: bottest.NewClock(now), poster: &bottest.Poster{}, comp: &composer{}}
}

func (f *fixture) scheduler(owner string, mod ...func(*digest.Options)) *digest.Scheduler {
	o := digest.Options{
		Store: f.store, Composer: f.comp, Clock: f.clock, Owner: owner,
		Posters: map[bot.Platform]bot.Poster{bot.Platform("slack"): f.poster},
	}
	for _, m := range mod {
		m(&o)
	}
	return digest.New(o)
}

func (f *fixture) subscribe(t *testing.T, sub bot.Subscription) {
	t.Helper()
	if sub.Platform == "" {
		sub.Platform = bot.Platform("slack")
	}
	if sub.CreatedAt.IsZero() {
		sub.CreatedAt = f.clock.Now()
	}
	sub.Source = bot.SourceChat
	if err := f.store.SaveSubscription(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) slots() []string {
	var out []string
	for _, p := range f.poster.Posts() {
		out = append(out, p.Ref.Subscription+"@"+p.Ref.Slot.Format(time.RFC3339))
	}
	return out
}

func tick(t *testing.T, s *digest.Scheduler) time.Time {
	t.Helper()
	next, err := s.Tick(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return next
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDailyInTimeZone(t *testing.T) {
	f := newFixture(t, date("2026-03-01T00:00:00Z"))
	f.subscribe(t, bot.Subscription{ID: "morning", Channel: "C1", Schedule: "0 8 * * *", Timezone: "Asia/Almaty", Include: "all"})
	s := f.scheduler("a")

	next := tick(t, s)
	if want := date("2026-03-01T03:00:00Z"); !next.Equal(want) { // 08:00 in Almaty (UTC+5)
		t.Fatalf("next slot = %v, want %v", next, want)
	}
	if got := f.slots(); len(got) != 0 {
		t.Fatalf("posted before the slot: %v", got)
	}
	f.clock.Set(next)
	tick(t, s)
	f.clock.Advance(30 * time.Second)
	tick(t, s) // the same slot is not posted twice
	f.clock.Set(date("2026-03-02T03:00:10Z"))
	tick(t, s)
	want := []string{"morning@2026-03-01T03:00:00Z", "morning@2026-03-02T03:00:00Z"}
	if diff := cmp.Diff(want, f.slots()); diff != "" {
		t.Errorf("posts (-want +got):\n%s", diff)
	}
	sub, _ := f.store.Subscription(context.Background(), "morning")
	if !sub.LastDelivered.Equal(date("2026-03-02T03:00:00Z")) {
		t.Errorf("LastDelivered = %v", sub.LastDelivered)
	}
}

func TestDaylightSavingTime(t *testing.T) {
	// New York moves to daylight time on 8 March 2026: 08:00 is 13:00Z before, 12:00Z after.
	f := newFixture(t, date("2026-03-06T00:00:00Z"))
	f.subscribe(t, bot.Subscription{ID: "ny", Channel: "C1", Schedule: "0 8 * * *", Timezone: "America/New_York", Include: "all"})
	s := f.scheduler("a")
	for day := 0; day < 4; day++ {
		f.clock.Set(date("2026-03-06T14:00:00Z").AddDate(0, 0, day))
		tick(t, s)
	}
	// Posting an hour late is within the grace, so every slot is posted, delayed.
	want := []string{"ny@2026-03-06T13:00:00Z", "ny@2026-03-07T13:00:00Z", "ny@2026-03-08T12:00:00Z", "ny@2026-03-09T12:00:00Z"}
	if diff := cmp.Diff(want, f.slots()); diff != "" {
		t.Errorf("slots across DST (-want +got):\n%s", diff)
	}
}

func TestEveryIsAlignedToEpoch(t *testing.T) {
	f := newFixture(t, date("2026-03-01T10:03:17Z"))
	f.subscribe(t, bot.Subscription{ID: "ten", Channel: "C1", Schedule: "@every 10m", Include: "all"})
	s := f.scheduler("a")
	if next := tick(t, s); !next.Equal(date("2026-03-01T10:10:00Z")) {
		t.Errorf("next = %v, want 10:10:00Z whatever the start time", next)
	}
}

func TestDowntimeGraceAndSkip(t *testing.T) {
	f := newFixture(t, date("2026-03-01T00:00:00Z"))
	f.subscribe(t, bot.Subscription{ID: "d", Channel: "C1", Schedule: "0 8 * * *", Timezone: "UTC", Include: "all"})
	s := f.scheduler("a")
	ctx := context.Background()

	// Down from before 08:00 on the 1st until 09:30 on the 2nd: the 1st's slot
	// is beyond the 2h grace, the 2nd's is within it.
	f.clock.Set(date("2026-03-02T09:30:00Z"))
	tick(t, s)
	if diff := cmp.Diff([]string{"d@2026-03-02T08:00:00Z"}, f.slots()); diff != "" {
		t.Fatalf("posts (-want +got):\n%s", diff)
	}
	if notes := f.poster.Posts()[0].Reply.Notes; len(notes) == 0 || notes[0] != "Delayed" {
		t.Errorf("late post not marked delayed: notes %q", notes)
	}
	ds, _ := f.store.Deliveries(ctx, "d", 0)
	var outcomes []bot.SlotOutcome
	for _, d := range ds {
		outcomes = append(outcomes, d.Outcome)
	}
	if diff := cmp.Diff([]bot.SlotOutcome{bot.OutcomeDelayed, bot.OutcomeSkipped}, outcomes); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

func TestReplicasPostEachSlotOnce(t *testing.T) {
	f := newFixture(t, date("2026-03-01T07:59:00Z"))
	for i := range 40 {
		f.subscribe(t, bot.Subscription{ID: fmt.Sprintf("s%02d", i), Channel: fmt.Sprintf("C%d", i), Schedule: "@every 1m", Include: "all"})
	}
	replicas := []*digest.Scheduler{f.scheduler("a"), f.scheduler("b"), f.scheduler("c")}
	for minute := 0; minute < 5; minute++ {
		f.clock.Advance(time.Minute)
		var wg sync.WaitGroup
		for _, r := range replicas {
			wg.Go(func() { r.Tick(context.Background()) })
		}
		wg.Wait()
	}
	seen := make(map[string]int)
	for _, s := range f.slots() {
		seen[s]++
	}
	if len(seen) != 40*5 {
		t.Errorf("%d distinct slots posted, want %d", len(seen), 40*5)
	}
	for s, n := range seen {
		if n != 1 {
			t.Errorf("%s posted %d times", s, n)
		}
	}
}

func TestTakeoverChecksPlatformFirst(t *testing.T) {
	ctx := context.Background()
	for _, firstPosted := range []bool{true, false} {
		t.Run(fmt.Sprintf("firstPosted=%v", firstPosted), func(t *testing.T) {
			f := newFixture(t, date("2026-03-01T07:00:00Z"))
			f.subscribe(t, bot.Subscription{ID: "t", Channel: "C1", Schedule: "0 8 * * *", Include: "all"})
			slot := date("2026-03-01T08:00:00Z")
			f.clock.Set(slot)
			// Replica "dead" claims the slot and dies, with or without having posted.
			if _, won, err := f.store.ClaimSlot(ctx, "t", slot, "dead", 20*time.Second, slot); err != nil || !won {
				t.Fatalf("claim: %v %v", won, err)
			}
			if firstPosted {
				f.poster.PostDigest(ctx, "C1", bot.Reply{}, bot.SlotRef{Subscription: "t", Slot: slot}, nil)
			}
			s := f.scheduler("b")
			tick(t, s) // the claim still holds: nothing happens
			f.clock.Advance(21 * time.Second)
			tick(t, s)
			tick(t, s)
			if n := len(f.poster.Posts()); n != 1 {
				t.Errorf("slot posted %d times, want once", n)
			}
			ds, _ := f.store.Deliveries(ctx, "t", 0)
			if len(ds) != 1 || ds[0].Owner != "b" || !ds[0].Outcome.Delivered() {
				t.Errorf("deliveries = %+v, want one delivered by b", ds)
			}
		})
	}
}

func TestFailingChannelDoesNotHoldBackOthersAndPauses(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, date("2026-03-01T00:00:00Z"))
	f.subscribe(t, bot.Subscription{ID: "bad", Channel: "CGONE", Schedule: "@every 1h", Include: "all"})
	f.subscribe(t, bot.Subscription{ID: "good", Channel: "COK", Schedule: "@every 1h", Include: "all"})
	f.poster.Fail = func(channel string, ref bot.SlotRef) error {
		if channel == "CGONE" {
			return fmt.Errorf("post to channel CGONE: %w", bottest.PermanentError("channel_not_found"))
		}
		return nil
	}
	var paused []string
	s := f.scheduler("a", func(o *digest.Options) {
		o.MaxFailures = 3
		o.OnPause = func(sub bot.Subscription, reason string) { paused = append(paused, sub.ID) }
	})
	for range 5 {
		f.clock.Advance(time.Hour)
		tick(t, s)
	}
	if n := len(f.poster.Posts()); n != 5 {
		t.Errorf("good channel got %d posts, want 5", n)
	}
	bad, _ := f.store.Subscription(ctx, "bad")
	if !bad.Paused || bad.Failures != 3 || bad.LastError == "" {
		t.Errorf("bad subscription: paused %v, failures %d, last error %q; want paused after 3", bad.Paused, bad.Failures, bad.LastError)
	}
	if diff := cmp.Diff([]string{"bad"}, paused); diff != "" {
		t.Errorf("OnPause calls (-want +got):\n%s", diff)
	}
	ds, _ := f.store.Deliveries(ctx, "bad", 0)
	if len(ds) != 3 {
		t.Errorf("bad subscription has %d deliveries, want 3 (none after pausing)", len(ds))
	}
}

// goneError is a post failure whose channel is invalid or gone.
type goneError struct{}

func (goneError) Error() string    { return "channel_not_found" }
func (goneError) Permanent() bool  { return true }
func (goneError) TargetGone() bool { return true }

// TestGoneChannelPausesAtOnce: a channel that no post can ever reach (a
// malformed id, a deleted channel, the bot removed) pauses its digest on
// the first failure, with a reason that says so, not after several.
func TestGoneChannelPausesAtOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, date("2026-03-01T00:00:00Z"))
	f.subscribe(t, bot.Subscription{ID: "gone", Channel: "CGONE", Schedule: "@every 1h", Include: "all"})
	f.poster.Fail = func(string, bot.SlotRef) error { return fmt.Errorf("post to channel CGONE: %w", goneError{}) }
	s := f.scheduler("a", func(o *digest.Options) { o.MaxFailures = 5 })
	for range 3 {
		f.clock.Advance(time.Hour)
		tick(t, s)
	}
	sub, _ := f.store.Subscription(ctx, "gone")
	if !sub.Paused || !strings.Contains(sub.PausedReason, "cannot be posted to") {
		t.Errorf("paused %v, reason %q; want paused at once, naming the channel as the problem", sub.Paused, sub.PausedReason)
	}
	if ds, _ := f.store.Deliveries(ctx, "gone", 0); len(ds) != 1 {
		t.Errorf("%d deliveries, want 1 (none after pausing)", len(ds))
	}
}

func TestEmptyDigest(t *testing.T) {
	for _, when := range []string{"skip", "post"} {
		f := newFixture(t, date("2026-03-01T00:00:00Z"))
		f.comp.empty = true
		f.subscribe(t, bot.Subscription{ID: "e", Channel: "C", Schedule: "@every 1h", WhenEmpty: when})
		s := f.scheduler("a")
		f.clock.Advance(time.Hour)
		tick(t, s)
		want := map[string]int{"skip": 0, "post": 1}[when]
		if n := len(f.poster.Posts()); n != want {
			t.Errorf("when_empty %s: %d posts, want %d", when, n, want)
		}
	}
}

func TestIncludeNewUsesLastDelivery(t *testing.T) {
	f := newFixture(t, date("2026-03-01T00:00:00Z"))
	f.subscribe(t, bot.Subscription{ID: "n", Channel: "C", Schedule: "@every 1h", Include: "new"})
	s := f.scheduler("a")
	f.clock.Advance(time.Hour)
	tick(t, s)
	f.clock.Advance(time.Hour)
	tick(t, s)
	if len(f.comp.reqs) != 2 {
		t.Fatalf("%d digests composed", len(f.comp.reqs))
	}
	// The core's rule decides "new since" from what the scheduler passes.
	since := func(dr bot.DigestRequest) time.Time {
		if !dr.Since.IsZero() {
			return dr.Since
		}
		return bot.DigestSince(dr.Subscription, dr.Slot)
	}
	if got, want := since(f.comp.reqs[0]), date("2026-02-28T01:00:00Z"); !got.Equal(want) {
		t.Errorf("first run since %v, want the last 24 hours (%v)", got, want)
	}
	if got, want := since(f.comp.reqs[1]), date("2026-03-01T01:00:00Z"); !got.Equal(want) {
		t.Errorf("second run since %v, want the previous delivery %v", got, want)
	}
}

func TestRunWakesAndStops(t *testing.T) {
	f := newFixture(t, date("2026-03-01T00:00:00Z"))
	s := f.scheduler("a")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	f.subscribe(t, bot.Subscription{ID: "w", Channel: "C", Schedule: "@every 1h", Include: "all", CreatedAt: date("2026-02-28T22:30:00Z")})
	s.Wake()
	deadline := time.Now().Add(5 * time.Second)
	for len(f.poster.Posts()) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
	if diff := cmp.Diff([]string{"w@2026-02-28T23:00:00Z", "w@2026-03-01T00:00:00Z"}, f.slots()); diff != "" {
		t.Errorf("after Wake (-want +got):\n%s", diff)
	}
}

// A job that waits behind a slow post to the same channel claims its slot
// with the time it starts, not the time the pass began, so another replica
// cannot take over a claim that was expired from birth.
func TestQueuedJobClaimsWithCurrentTime(t *testing.T) {
	f := newFixture(t, date("2026-03-01T07:59:00Z"))
	f.subscribe(t, bot.Subscription{ID: "s1", Channel: "C1", Schedule: "0 8 * * *", Include: "all"})
	f.subscribe(t, bot.Subscription{ID: "s2", Channel: "C1", Schedule: "0 8 * * *", Include: "all"})
	f.clock.Set(date("2026-03-01T08:00:00Z"))
	f.poster.Block = make(chan struct{})
	a := f.scheduler("a")
	done := make(chan struct{})
	go func() { a.Tick(context.Background()); close(done) }()
	// s1's post hangs for 30 s, longer than the lease.
	waitFor(t, func() bool { return f.store.Held("s1") })
	f.clock.Advance(30 * time.Second)
	f.poster.Block <- struct{}{} // s1 goes out; s2 is claimed now
	waitFor(t, func() bool { return f.store.Held("s2") })
	other := &bottest.Poster{}
	tick(t, f.scheduler("b", func(o *digest.Options) { o.Posters = map[bot.Platform]bot.Poster{bot.Platform("slack"): other} }))
	close(f.poster.Block)
	<-done
	if n := len(other.Posts()); n != 0 {
		t.Errorf("replica b took over a live claim and posted %d times", n)
	}
	seen := map[string]int{}
	for _, s := range f.slots() {
		seen[s]++
	}
	if seen["s1@2026-03-01T08:00:00Z"] != 1 || seen["s2@2026-03-01T08:00:00Z"] != 1 {
		t.Errorf("posts %v, want s1 and s2 once each", f.slots())
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

// A post that fails for a passing reason is tried again after the lease,
// not recorded as lost.
func TestTransientFailureIsRetried(t *testing.T) {
	f := newFixture(t, date("2026-03-01T07:59:00Z"))
	f.subscribe(t, bot.Subscription{ID: "t", Channel: "C1", Schedule: "0 8 * * *", Include: "all"})
	fails := 2
	f.poster.Fail = func(string, bot.SlotRef) error {
		if fails > 0 {
			fails--
			return errors.New("503 service unavailable")
		}
		return nil
	}
	s := f.scheduler("a")
	f.clock.Set(date("2026-03-01T08:00:00Z"))
	for range 4 {
		tick(t, s)
		f.clock.Advance(21 * time.Second)
	}
	if diff := cmp.Diff([]string{"t@2026-03-01T08:00:00Z"}, f.slots()); diff != "" {
		t.Errorf("posts (-want +got):\n%s", diff)
	}
	ds, _ := f.store.Deliveries(context.Background(), "t", 0)
	if len(ds) != 1 || !ds[0].Outcome.Delivered() {
		t.Errorf("deliveries %+v, want one delivered", ds)
	}
}

// After a takeover, a platform that cannot say whether the first owner
// posted gets asked again later; the digest is not posted blind.
func TestTakeoverCheckFailureWaits(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, date("2026-03-01T07:00:00Z"))
	f.subscribe(t, bot.Subscription{ID: "t", Channel: "C1", Schedule: "0 8 * * *", Include: "all"})
	slot := date("2026-03-01T08:00:00Z")
	f.clock.Set(slot)
	f.store.ClaimSlot(ctx, "t", slot, "dead", 20*time.Second, slot)
	p := &checkFailingPoster{Poster: f.poster, failures: 1}
	s := digest.New(digest.Options{Store: f.store, Composer: f.comp, Clock: f.clock, Owner: "b",
		Posters: map[bot.Platform]bot.Poster{bot.Platform("slack"): p}})
	f.clock.Advance(21 * time.Second)
	tick(t, s) // the check fails: nothing posted
	if n := len(f.poster.Posts()); n != 0 {
		t.Fatalf("posted %d times without knowing about the first owner's post", n)
	}
	f.clock.Advance(21 * time.Second)
	tick(t, s) // the check works: posted once
	if n := len(f.poster.Posts()); n != 1 {
		t.Errorf("posted %d times, want once", n)
	}
}

type checkFailingPoster struct {
	*bottest.Poster
	failures int
}

func (p *checkFailingPoster) PostedParts(ctx context.Context, channel string, ref bot.SlotRef) (bot.Parts, error) {
	if p.failures > 0 {
		p.failures--
		return bot.Parts{}, errors.New("conversations.history: 500")
	}
	return p.Poster.PostedParts(ctx, channel, ref)
}

// partsPoster is a channel that holds some parts of a three-part digest.
type partsPoster struct {
	mu    sync.Mutex
	have  map[int]bool
	asked []map[int]bool // the skip sets PostDigest was given
}

func (p *partsPoster) PostDigest(ctx context.Context, channel string, r bot.Reply, ref bot.SlotRef, skip map[int]bool) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, skip)
	var ids []string
	for part := 1; part <= 3; part++ {
		if !skip[part] {
			p.have[part] = true
			ids = append(ids, fmt.Sprint(part))
		}
	}
	return ids, nil
}

func (p *partsPoster) PostedParts(ctx context.Context, channel string, ref bot.SlotRef) (bot.Parts, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	found := make(map[int]bool)
	for part := range p.have {
		found[part] = true
	}
	if len(found) == 0 {
		return bot.Parts{}, nil
	}
	return bot.Parts{Found: found, Total: 3}, nil
}

// The scheduler keeps the ledger: after a takeover it posts the whole
// digest, only the missing parts, or nothing, and it decides once.
func TestTakeoverPostsWholePartialOrNothing(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name     string
		have     map[int]bool
		wantSkip []map[int]bool
	}{
		{"nothing posted", map[int]bool{}, []map[int]bool{nil}},
		{"first part posted", map[int]bool{1: true}, []map[int]bool{{1: true}}},
		{"all posted", map[int]bool{1: true, 2: true, 3: true}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, date("2026-03-01T07:00:00Z"))
			f.subscribe(t, bot.Subscription{ID: "t", Channel: "C1", Schedule: "0 8 * * *", Include: "all"})
			slot := date("2026-03-01T08:00:00Z")
			f.clock.Set(slot)
			if _, won, err := f.store.ClaimSlot(ctx, "t", slot, "dead", 20*time.Second, slot); err != nil || !won {
				t.Fatalf("claim: %v %v", won, err)
			}
			p := &partsPoster{have: tt.have}
			s := f.scheduler("b", func(o *digest.Options) { o.Posters = map[bot.Platform]bot.Poster{bot.Platform("slack"): p} })
			f.clock.Advance(21 * time.Second)
			tick(t, s)
			if diff := cmp.Diff(tt.wantSkip, p.asked); diff != "" {
				t.Errorf("PostDigest skip sets (-want +got):\n%s", diff)
			}
			if len(p.have) != 3 {
				t.Errorf("channel holds parts %v, want all three", p.have)
			}
			ds, _ := f.store.Deliveries(ctx, "t", 0)
			if len(ds) != 1 || !ds[0].Outcome.Delivered() {
				t.Errorf("deliveries %+v, want one delivered", ds)
			}
		})
	}
}

// Stopping the scheduler lets a post under way finish and be recorded.
func TestStopLetsPostFinish(t *testing.T) {
	f := newFixture(t, date("2026-03-01T07:59:00Z"))
	f.subscribe(t, bot.Subscription{ID: "g", Channel: "C1", Schedule: "0 8 * * *", Include: "all"})
	f.clock.Set(date("2026-03-01T08:00:00Z"))
	f.poster.Block = make(chan struct{})
	s := f.scheduler("a")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Tick(ctx); close(done) }()
	waitFor(t, func() bool { return f.store.Held("g") })
	cancel() // SIGTERM arrives mid-post
	close(f.poster.Block)
	<-done
	ds, _ := f.store.Deliveries(context.Background(), "g", 0)
	if len(f.poster.Posts()) != 1 || len(ds) != 1 || !ds[0].Outcome.Delivered() {
		t.Errorf("after stopping mid-post: %d posts, deliveries %+v; want the post finished and recorded", len(f.poster.Posts()), ds)
	}
}

// commandPoster is a Poster whose platform asks the bot with "/briefing".
type commandPoster struct{ *bottest.Poster }

func (commandPoster) Command() string { return "/briefing" }

// A digest tells its readers the command of the platform it is posted on.
func TestDigestNamesThePostersCommand(t *testing.T) {
	f := newFixture(t, date("2026-03-01T07:59:00Z"))
	f.subscribe(t, bot.Subscription{ID: "c", Channel: "C1", Schedule: "0 8 * * *", Include: "all"})
	s := f.scheduler("a", func(o *digest.Options) {
		o.Posters = map[bot.Platform]bot.Poster{bot.Platform("slack"): commandPoster{f.poster}}
	})
	f.clock.Advance(time.Minute)
	tick(t, s)
	if len(f.comp.reqs) != 1 || f.comp.reqs[0].Command != "/briefing" {
		t.Errorf("digest requests %+v, want one with the poster's command", f.comp.reqs)
	}
}
