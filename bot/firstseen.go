package bot

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// BriefingVersion names one version of a briefing: its topic key and the
// hash of what it says (briefings.Briefing.VersionHash).
type BriefingVersion struct {
	Topic string
	Hash  string
}

// VersionOf returns b's version.
func VersionOf(b *briefings.Briefing) BriefingVersion {
	return BriefingVersion{Topic: b.Key(), Hash: b.VersionHash()}
}

// FirstSeenStore records when each briefing version was first seen by any
// replica.
type FirstSeenStore interface {
	// SeeBriefings records the versions not seen before as first seen at
	// now and returns when each of versions was first seen. Of any number
	// of replicas seeing a version at once, the earliest record stands.
	SeeBriefings(ctx context.Context, versions []BriefingVersion, now time.Time) (map[BriefingVersion]time.Time, error)
}

// FirstSeen knows when the briefings of a library were first seen by any
// replica: what "new" means, so that neither a briefing's own date nor a
// file's modification time decides it. A fresh checkout, a restart or a
// new replica finds the versions already recorded, so nothing is new
// again; a briefing published after a digest is newer than that digest.
// It is safe for concurrent use.
type FirstSeen struct {
	store FirstSeenStore
	now   func() time.Time

	mu sync.Mutex
	// seen caches the store's answers; versions only ever get added.
	seen map[BriefingVersion]time.Time
	// of maps the briefings of the last recorded library to their
	// versions, so that unchanged briefings are not hashed again.
	of map[*briefings.Briefing]BriefingVersion
	// history keeps the text of each version recorded, when the store
	// is a HistoryStore; unkept holds those not kept yet.
	history HistoryStore
	unkept  map[BriefingVersion]*briefings.Briefing
}

// NewFirstSeen returns a FirstSeen on store; now nil means time.Now.
func NewFirstSeen(store FirstSeenStore, now func() time.Time) *FirstSeen {
	if now == nil {
		now = time.Now
	}
	hs, _ := store.(HistoryStore)
	return &FirstSeen{store: store, now: now, seen: map[BriefingVersion]time.Time{}, of: map[*briefings.Briefing]BriefingVersion{},
		history: hs, unkept: map[BriefingVersion]*briefings.Briefing{}}
}

// Record records every version in lib that the store has not seen, as seen
// now. Only versions this process has not asked about reach the store.
// When the store is a HistoryStore, it keeps what they say as well.
func (f *FirstSeen) Record(ctx context.Context, lib *briefings.Library) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	of := make(map[*briefings.Briefing]BriefingVersion, len(f.of))
	var unknown []BriefingVersion
	for _, t := range lib.Topics() {
		for _, b := range lib.Versions(t.Key()) {
			v, ok := f.of[b]
			if !ok {
				v = VersionOf(b)
			}
			of[b] = v
			if _, ok := f.seen[v]; !ok {
				unknown = append(unknown, v)
				if f.history != nil {
					f.unkept[v] = b
				}
			}
		}
	}
	f.of = of
	if len(unknown) == 0 {
		return f.keepTexts(ctx)
	}
	got, err := f.store.SeeBriefings(ctx, unknown, f.now())
	if err != nil {
		return fmt.Errorf("record briefings first seen: %w", err)
	}
	for v, at := range got {
		f.seen[v] = at
	}
	return f.keepTexts(ctx)
}

// Of returns when b was first seen, or false when no Record covered it.
func (f *FirstSeen) Of(b *briefings.Briefing) (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.of[b]
	if !ok {
		v = VersionOf(b)
	}
	at, ok := f.seen[v]
	return at, ok
}

// seenAt returns when each briefing of lib counts as having appeared for
// the digest: first seen, recorded now if need be, or, without FirstSeen
// or when the store fails, the briefing's date.
func (dr DigestRequest) seenAt(ctx context.Context, lib *briefings.Library, log *slog.Logger) func(*briefings.Briefing) time.Time {
	if dr.FirstSeen == nil || dr.Subscription.Include == "all" {
		return func(b *briefings.Briefing) time.Time { return b.Date }
	}
	if err := dr.FirstSeen.Record(ctx, lib); err != nil {
		log.WarnContext(ctx, "digest falls back to briefing dates for what is new", "subscription", dr.Subscription.ID, "err", err)
	}
	return func(b *briefings.Briefing) time.Time {
		if at, ok := dr.FirstSeen.Of(b); ok {
			return at
		}
		return b.Date
	}
}
