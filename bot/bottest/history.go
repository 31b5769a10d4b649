package bottest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// History is an in-memory bot.FirstSeenStore that is also a
// bot.HistoryStore. Like the real store it keeps briefings encoded, so a
// kept briefing is a copy.
type History struct {
	*FirstSeen

	mu    sync.Mutex
	texts map[bot.BriefingVersion][]byte
	dates map[bot.BriefingVersion]time.Time
}

var _ bot.HistoryStore = (*History)(nil)

// NewHistory returns an empty History.
func NewHistory() *History {
	return &History{FirstSeen: NewFirstSeen(), texts: map[bot.BriefingVersion][]byte{}, dates: map[bot.BriefingVersion]time.Time{}}
}

// KeepBriefings keeps each version not kept before.
func (h *History) KeepBriefings(_ context.Context, bs map[bot.BriefingVersion]*briefings.Briefing) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for v, b := range bs {
		if _, ok := h.texts[v]; ok || b == nil {
			continue
		}
		text, err := json.Marshal(b)
		if err != nil {
			return fmt.Errorf("encode %s@%s: %w", v.Topic, v.Hash, err)
		}
		h.texts[v] = text
		h.dates[v] = b.Date.UTC().Truncate(time.Microsecond)
	}
	return nil
}

// BriefingHistory returns the versions of topic first seen.
func (h *History) BriefingHistory(_ context.Context, topic string) ([]bot.SeenVersion, error) {
	h.FirstSeen.mu.Lock()
	defer h.FirstSeen.mu.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []bot.SeenVersion
	for v, at := range h.FirstSeen.at {
		if v.Topic != topic {
			continue
		}
		_, kept := h.texts[v]
		out = append(out, bot.SeenVersion{BriefingVersion: v, FirstSeen: at, Date: h.dates[v], Kept: kept})
	}
	return out, nil
}

// KeptBriefing returns what v said, or bot.ErrNotKept.
func (h *History) KeptBriefing(_ context.Context, v bot.BriefingVersion) (*briefings.Briefing, error) {
	h.mu.Lock()
	text, ok := h.texts[v]
	h.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("version %s of %s: %w", v.Hash, v.Topic, bot.ErrNotKept)
	}
	var b briefings.Briefing
	if err := json.Unmarshal(text, &b); err != nil {
		return nil, fmt.Errorf("decode version %s of %s: %w", v.Hash, v.Topic, err)
	}
	return &b, nil
}
