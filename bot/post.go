package bot

import (
	"context"
	"errors"
	"time"
)

// SlotRef names one scheduled digest post: a subscription and one of its
// slots. Adapters turn it into Slack message metadata or a Discord nonce
// and footer, so that a post can be recognised again after a crash.
type SlotRef struct {
	Subscription string
	// Slot is the scheduled time, in UTC.
	Slot time.Time
}

// Parts says which parts of a digest reached a channel. A digest too long
// for one message is posted as parts numbered from 1; a one-message digest
// is part 1 of 1.
type Parts struct {
	// Found holds the numbers of the parts found.
	Found map[int]bool
	// Total is how many parts the digest has, 0 when no part was found.
	Total int
}

// Whole reports whether every part was found.
func (p Parts) Whole() bool { return p.Total > 0 && len(p.Found) >= p.Total }

// Poster posts digests to the channels of one platform. The Slack and
// Discord adapters implement it for the digest scheduler, which keeps the
// ledger: it decides what to post, the Poster only posts and looks.
type Poster interface {
	// PostDigest posts r to channel as the digest for ref, leaving out the
	// parts in skip (nil posts all), and returns the platform's message
	// IDs of the parts it posted. Every part carries ref, its number and
	// the number of parts, for PostedParts. Errors for which retrying
	// cannot help (channel gone, bot removed) satisfy IsPermanent.
	PostDigest(ctx context.Context, channel string, r Reply, ref SlotRef, skip map[int]bool) ([]string, error)
	// PostedParts reports which parts of the digest for ref are already
	// in channel, for a replica that takes over an expired claim.
	PostedParts(ctx context.Context, channel string, ref SlotRef) (Parts, error)
}

// Commander is what a Poster may also implement: the command readers of
// its digests use to ask the bot ("/brief"), for the digest's "More:"
// lines.
type Commander interface {
	Command() string
}

// IsTargetGone reports whether err, or an error it wraps, says through a
// method TargetGone() bool that its target is invalid or gone (a malformed
// channel id, a deleted channel, the bot removed from it): a digest to it
// pauses at once rather than after several failures.
func IsTargetGone(err error) bool {
	var g interface{ TargetGone() bool }
	return errors.As(err, &g) && g.TargetGone()
}

// IsPermanent reports whether err, or an error it wraps, says of itself
// that retrying will not help, through a method Permanent() bool.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}
