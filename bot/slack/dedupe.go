package slack

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// dedupe remembers event IDs for a while so that an event Slack delivers
// again (a late ack, a socket reconnect) is answered only once. It is
// bounded both in time (ttl) and in size (max, oldest forgotten first).
//
// It keeps 64-bit hashes of the IDs, not the IDs: a busy workspace's
// commands churn through it, and a map of integers is cheaper to probe and
// evict than one of 50-byte strings. Two IDs share a hash with odds of
// about one in 10^15 while it is full.
type dedupe struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	now   func() time.Time
	seed  maphash.Seed
	seen  map[uint64]struct{}
	order []seenID // insertion order, oldest first, for expiry and eviction
}

// seenID is an id's hash and when the id was first seen.
type seenID struct {
	hash uint64
	at   time.Time
}

func newDedupe(ttl time.Duration, max int, now func() time.Time) *dedupe {
	return &dedupe{ttl: ttl, max: max, now: now, seed: maphash.MakeSeed(), seen: make(map[uint64]struct{})}
}

// first records id and reports whether it had not been seen within ttl.
// The empty id is never deduplicated.
func (d *dedupe) first(id string) bool {
	if id == "" {
		return true
	}
	h := maphash.String(d.seed, id)
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	// Expire from the front: order is oldest first, and each hash in seen
	// is in order exactly once.
	for len(d.order) > 0 {
		old := d.order[0]
		if now.Sub(old.at) < d.ttl && len(d.order) < d.max {
			break
		}
		delete(d.seen, old.hash)
		d.order = d.order[1:]
	}
	if _, ok := d.seen[h]; ok {
		return false
	}
	d.seen[h] = struct{}{}
	d.order = append(d.order, seenID{h, now})
	return true
}

// eventTTL is how long an event ID is remembered; Slack retries within
// minutes.
const eventTTL = 10 * time.Minute

// firstEverywhere reports whether no replica sharing the event log has
// taken the event yet. Without a log, or when the log cannot be reached,
// it answers true: better to answer twice than not at all.
func (a *Adapter) firstEverywhere(ctx context.Context, id string) bool {
	if a.events == nil || id == "" {
		return true
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), eventLogWait)
	defer cancel()
	first, err := a.events.MarkSeen(ctx, "slack:"+id, a.now(), eventTTL)
	if err != nil {
		a.log.WarnContext(ctx, "shared event log unavailable; answering", "err", err)
		return true
	}
	return first
}

// replayed reports whether the request named by key was taken before, by
// this process or by any replica sharing the event log. Slash commands
// and button presses carry no event id: their key is Slack's trigger_id,
// unique to one user action, with the signature's timestamp, so a signed
// request sent again within the five minutes the signature is good for
// runs once. The empty key (a request without a trigger_id) is never a
// replay.
func (a *Adapter) replayed(ctx context.Context, key string) bool {
	if key == "" {
		return false
	}
	if !a.seen.first(key) || !a.firstEverywhere(ctx, key) {
		a.log.InfoContext(ctx, "slack request already taken; not running it again", "platform", string(Platform))
		return true
	}
	return false
}

// replayKey is the de-duplication key of a request with a trigger id, sent
// at the signature timestamp ts ("" in socket mode).
func replayKey(kind, triggerID, ts string) string {
	if triggerID == "" {
		return ""
	}
	return kind + ":" + triggerID + ":" + ts
}

// eventLogWait bounds the look-up in the shared event log. It runs before
// a command is answered, inside the platform's 3 s for a first response
// with the answer's own budget, so a slow store must not eat that time.
const eventLogWait = 500 * time.Millisecond
