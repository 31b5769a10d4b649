package bottest

import (
	"context"
	"sync"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// FirstSeen is an in-memory bot.FirstSeenStore. Calls counts the calls to
// SeeBriefings and Asked the versions they carried.
type FirstSeen struct {
	mu    sync.Mutex
	at    map[bot.BriefingVersion]time.Time
	Calls int
	Asked int
}

var _ bot.FirstSeenStore = (*FirstSeen)(nil)

// NewFirstSeen returns an empty FirstSeen store.
func NewFirstSeen() *FirstSeen { return &FirstSeen{at: map[bot.BriefingVersion]time.Time{}} }

// SeeBriefings records the versions not seen before at now (UTC, to the
// microsecond, as the real store keeps it) and returns when each was first seen.
func (s *FirstSeen) SeeBriefings(_ context.Context, versions []bot.BriefingVersion, now time.Time) (map[bot.BriefingVersion]time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Calls++
	s.Asked += len(versions)
	out := make(map[bot.BriefingVersion]time.Time, len(versions))
	for _, v := range versions {
		at, ok := s.at[v]
		if !ok {
			at = now.UTC().Truncate(time.Microsecond)
			s.at[v] = at
		}
		out[v] = at
	}
	return out, nil
}

// Close does nothing.
func (s *FirstSeen) Close() error { return nil }
