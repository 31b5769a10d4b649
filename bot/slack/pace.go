package slack

import (
	"context"
	"sync"
	"time"
)

// pacer spaces posts to the same channel at least interval apart. Each
// post reserves the channel's next free slot under the mutex and then
// waits for it outside, so that posts to one channel go out in the order
// they asked and posts to other channels never wait on them.
type pacer struct {
	interval time.Duration
	// now and sleep are the clock; tests replace them.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu sync.Mutex
	// next is when each channel may be posted to again; an entry in the
	// past imposes nothing and is pruned once the map has grown.
	next    map[string]time.Time
	pruneAt int
}

// minPruneAt is the map size below which the pacer does not prune.
const minPruneAt = 1024

func newPacer(interval time.Duration) *pacer {
	return &pacer{interval: interval, now: time.Now, sleep: sleepCtx, next: map[string]time.Time{}, pruneAt: minPruneAt}
}

// wait blocks until channel may be posted to, reserving that slot. It
// returns ctx's error, and gives the slot back, if ctx ends first.
func (p *pacer) wait(ctx context.Context, channel string) error {
	if p.interval <= 0 {
		return nil
	}
	p.mu.Lock()
	now := p.now()
	at := p.next[channel]
	if at.Before(now) {
		at = now
	}
	end := at.Add(p.interval)
	p.next[channel] = end
	if len(p.next) >= p.pruneAt {
		p.prune(now)
	}
	p.mu.Unlock()

	d := at.Sub(now)
	if d <= 0 {
		return nil
	}
	if err := p.sleep(ctx, d); err != nil {
		p.mu.Lock()
		if p.next[channel].Equal(end) {
			// Nobody queued behind this post: free its slot.
			p.next[channel] = at
		}
		p.mu.Unlock()
		return err
	}
	return nil
}

// prune drops the channels that no longer impose a wait; p.mu is held.
func (p *pacer) prune(now time.Time) {
	for ch, t := range p.next {
		if !t.After(now) {
			delete(p.next, ch)
		}
	}
	p.pruneAt = max(minPruneAt, 2*len(p.next))
}
