package bot

import (
	"context"
	"errors"
	"time"
)

// ErrNotPublished means no briefing is published under the given name.
var ErrNotPublished = errors.New("briefing not published")

// Published is one briefing published through the API, as the store keeps
// it: the file's name and bytes with what was learnt when it was checked.
type Published struct {
	// Name is the file name the briefing was published as ("kazakhstan.md").
	Name string
	// Body is the file's content; list calls leave it nil.
	Body []byte
	// Hash is the content hash of Body, lower-case hex SHA-256.
	Hash string
	// Topic and Date are the parsed briefing's, for listings.
	Topic string
	Date  time.Time
	// By names the API token that published (or deleted) this version.
	By string
	// At is when this version was published (or deleted).
	At time.Time
	// Version orders every change to the published briefings: each put or
	// delete takes the next number, store-wide.
	Version int64
	// Deleted marks a briefing withdrawn at Version; only changes report it.
	Deleted bool
}

// PublishedStore keeps the briefings published through the API, shared by
// every replica. Versions only grow: a replica that has applied every
// change up to version v asks for PublishedSince(v) to catch up.
type PublishedStore interface {
	// PutPublished stores p.Name's new content (Name, Body, Hash, Topic,
	// Date, By and At are used) and returns the stored row with its
	// Version. When the current content already has p.Hash nothing changes
	// and changed is false.
	PutPublished(ctx context.Context, p Published) (stored Published, changed bool, err error)
	// DeletePublished withdraws name, recording who did it and when. It
	// returns ErrNotPublished if name is not published.
	DeletePublished(ctx context.Context, name, by string, at time.Time) error
	// PublishedBriefing returns the current content of name, or
	// ErrNotPublished.
	PublishedBriefing(ctx context.Context, name string) (Published, error)
	// ListPublished returns every published briefing without its body,
	// sorted by name.
	ListPublished(ctx context.Context) ([]Published, error)
	// PublishedSince returns, sorted by Version, every name whose last
	// change is after version, bodies included; a withdrawn name comes back
	// with Deleted set.
	PublishedSince(ctx context.Context, version int64) ([]Published, error)
}

// PublishedListener is a PublishedStore that can announce changes as they
// are committed, so replicas need not wait for their next poll.
type PublishedListener interface {
	// ListenPublished calls changed once listening has begun (so the caller
	// catches up on what came before) and after each committed change, until
	// ctx ends (returning nil) or the connection fails. It returns errors.ErrUnsupported at
	// once when the backend has no notifications.
	ListenPublished(ctx context.Context, changed func()) error
}
