package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

// paceClock is the pacer's clock in tests: sleeping records the wait and,
// when advance is set, moves the clock on by it; nothing really sleeps.
type paceClock struct {
	mu      sync.Mutex
	t       time.Time
	advance bool
	waits   []time.Duration
}

func (c *paceClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *paceClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	if c.advance {
		c.t = c.t.Add(d)
	}
	return nil
}

func (c *paceClock) pass(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *paceClock) recorded() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

// fakePace gives a's pacer a fake clock.
func fakePace(a *Adapter, advance bool) *paceClock {
	c := &paceClock{t: testNow, advance: advance}
	a.pace.now, a.pace.sleep = c.now, c.sleep
	return c
}

func TestPacerSpacesPostsToOneChannel(t *testing.T) {
	p := newPacer(time.Second)
	c := &paceClock{t: testNow, advance: true}
	p.now, p.sleep = c.now, c.sleep
	ctx := context.Background()
	for _, ch := range []string{"C1", "C1", "C1", "C2", "C1"} {
		if err := p.wait(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	// C1's 2nd, 3rd and 4th posts each waited a second; C2 never waited.
	if diff := cmp.Diff([]time.Duration{time.Second, time.Second, time.Second}, c.recorded()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	// Time already passed counts: 400 ms after its last post, C1 waits 600 ms.
	c.pass(400 * time.Millisecond)
	if err := p.wait(ctx, "C1"); err != nil {
		t.Fatal(err)
	}
	if err := p.wait(ctx, "C3"); err != nil {
		t.Fatal(err)
	}
	if got := c.recorded(); len(got) != 4 || got[3] != 600*time.Millisecond {
		t.Errorf("waits %v, want a last one of 600ms", got)
	}
}

func TestPacerOff(t *testing.T) {
	p := newPacer(-1)
	c := &paceClock{t: testNow}
	p.now, p.sleep = c.now, c.sleep
	for range 3 {
		if err := p.wait(context.Background(), "C1"); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.recorded(); len(got) != 0 {
		t.Errorf("a negative interval turns pacing off, but posts waited %v", got)
	}
}

func TestPacerCancelledWaitGivesSlotBack(t *testing.T) {
	p := newPacer(time.Second)
	c := &paceClock{t: testNow}
	p.now, p.sleep = c.now, c.sleep
	ctx, cancel := context.WithCancel(context.Background())
	if err := p.wait(ctx, "C1"); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := p.wait(ctx, "C1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// The cancelled post did not keep its slot: the next one waits 1 s, not 2 s.
	if err := p.wait(context.Background(), "C1"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{time.Second}, c.recorded()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestPacerPrunes(t *testing.T) {
	p := newPacer(time.Second)
	c := &paceClock{t: testNow}
	p.now, p.sleep = c.now, c.sleep
	for i := range 10 * minPruneAt {
		if err := p.wait(context.Background(), fmt.Sprintf("C%d", i)); err != nil {
			t.Fatal(err)
		}
		c.pass(2 * time.Millisecond)
	}
	p.mu.Lock()
	n := len(p.next)
	p.mu.Unlock()
	// Only channels posted to in the last second can still impose a wait.
	if n > 2*minPruneAt {
		t.Errorf("pacer holds %d channels after %d one-off posts", n, 10*minPruneAt)
	}
	if got := c.recorded(); len(got) != 0 {
		t.Errorf("distinct channels waited %v", got)
	}
}

// TestPostDigestsPacedPerChannel posts 1,000 digests to 100 channels at
// once: each channel's posts are spaced a second apart, so the last one
// goes out after 9 s, the floor for 10 posts at Slack's pace, and no
// channel waits on another.
func TestPostDigestsPacedPerChannel(t *testing.T) {
	var calls atomic.Int64
	api := slackAPI(t, func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":true,"channel":"C","ts":"1762500000.%06d"}`, n)
	}, "chat.postMessage")
	a := newPoster(t, api)
	c := fakePace(a, false) // time stands still: every wait is from the same instant

	const channels, perChannel = 100, 10
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range channels * perChannel {
		ch := fmt.Sprintf("C%03d", i%channels)
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ref := bot.SlotRef{Subscription: fmt.Sprintf("s%d", i), Slot: testNow}
			if _, err := a.PostDigest(context.Background(), ch, kazakhstanRisks(), ref, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := calls.Load(); got != channels*perChannel {
		t.Errorf("%d posts reached Slack, want %d", got, channels*perChannel)
	}
	waits := c.recorded()
	// Every channel's first post goes at once; the other nine wait 1..9 s.
	var want []time.Duration
	for range channels {
		for k := 1; k < perChannel; k++ {
			want = append(want, time.Duration(k)*DefaultPostInterval)
		}
	}
	slices.Sort(want)
	slices.Sort(waits)
	if diff := cmp.Diff(want, waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}
