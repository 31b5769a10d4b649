package bot

import (
	"context"
	"errors"
	"sync"
	"time"
)

// SlotRef names one scheduled digest post: a subscription and one of its
// slots. Adapters turn it into Slack message metadata or a Discord nonce,
// so that a post can be recognised again after a crash.
type SlotRef struct {
	Subscription string
	// Slot is the scheduled time, in UTC.
	Slot time.Time
}

// Poster posts replies to the channels of one platform. The Slack and
// Discord adapters implement it for the digest scheduler.
type Poster interface {
	// PostDigest posts r to channel as the digest for ref and returns the
	// platform's message IDs. Errors for which retrying cannot help
	// (channel gone, bot removed) satisfy IsPermanent.
	PostDigest(ctx context.Context, channel string, r Reply, ref SlotRef) ([]string, error)
	// DigestPosted reports whether the digest for ref already reached
	// channel, for a replica that takes over an expired claim.
	DigestPosted(ctx context.Context, channel string, ref SlotRef) (bool, error)
}

// IsPermanent reports whether err, or an error it wraps, says of itself
// that retrying will not help, through a method Permanent() bool.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

// PostedParts remembers which parts of a digest a Poster found already in
// a channel (by DigestPosted, after a takeover), so that its next
// PostDigest for that slot sends only the rest. The zero value is ready.
type PostedParts struct {
	mu sync.Mutex
	m  map[postedKey]map[int]bool
}

type postedKey struct {
	channel string
	ref     SlotRef
}

// Remember records the parts of ref found in channel.
func (p *PostedParts) Remember(channel string, ref SlotRef, parts map[int]bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = make(map[postedKey]map[int]bool)
	}
	p.m[postedKey{channel, ref}] = parts
}

// Take returns and forgets the parts of ref found in channel (nil if none).
func (p *PostedParts) Take(channel string, ref SlotRef) map[int]bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := postedKey{channel, ref}
	parts := p.m[k]
	delete(p.m, k)
	return parts
}
