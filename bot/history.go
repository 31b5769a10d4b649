package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// ErrNotKept means the store holds no text for a briefing version: it was
// first seen before texts were kept.
var ErrNotKept = errors.New("briefing version not kept")

// SeenVersion is one version of a topic's briefing that some replica has
// seen, as the history remembers it.
type SeenVersion struct {
	BriefingVersion
	// FirstSeen is when any replica first saw the version.
	FirstSeen time.Time
	// Date is the briefing's own date; zero when its text is not kept.
	Date time.Time
	// Kept is true when the store holds what the version said.
	Kept bool
}

// HistoryStore keeps what every briefing version said, keyed by version,
// so that what changed can still be shown once the library has lost the
// old text: a folder file edited in place keeps its name and loses its
// old content, and a briefing published again replaces the one before.
//
// A FirstSeenStore that is also a HistoryStore is given the text of every
// version FirstSeen records; the Store of Options that is one answers
// "changes" and lets digests show what changed in an updated briefing.
// store.DB is both.
type HistoryStore interface {
	// KeepBriefings keeps what each briefing says under its version,
	// unless that version is kept already: a kept version never changes.
	KeepBriefings(ctx context.Context, bs map[BriefingVersion]*briefings.Briefing) error
	// BriefingHistory returns every version of topic (a topic key) that
	// was first seen, in any order, each with whether its text is kept.
	BriefingHistory(ctx context.Context, topic string) ([]SeenVersion, error)
	// KeptBriefing returns what version v said, or ErrNotKept.
	KeptBriefing(ctx context.Context, v BriefingVersion) (*briefings.Briefing, error)
}

// keepTexts gives the history store the texts of the versions recorded
// but not yet kept. f.mu is held. A failure leaves them for the next
// Record.
func (f *FirstSeen) keepTexts(ctx context.Context) error {
	if f.history == nil || len(f.unkept) == 0 {
		return nil
	}
	if err := f.history.KeepBriefings(ctx, f.unkept); err != nil {
		return fmt.Errorf("keep briefing texts: %w", err)
	}
	f.unkept = map[BriefingVersion]*briefings.Briefing{}
	return nil
}

// pastVersion is one version of a topic, from the library or the history.
type pastVersion struct {
	SeenVersion
	// briefing is the parsed version when the library holds it.
	briefing *briefings.Briefing
}

// topicHistory returns the versions of br's topic, the most recently first
// seen first, and the newest by date among those first seen together (as
// the files of one folder are). Versions the library holds but no replica
// has recorded yet count as seen now. Without a history store it is the
// library's versions by date; hs may be nil.
func topicHistory(ctx context.Context, hs HistoryStore, lib *briefings.Library, br *briefings.Briefing, now time.Time) ([]pastVersion, error) {
	var stored []SeenVersion
	if hs != nil {
		var err error
		if stored, err = hs.BriefingHistory(ctx, br.Key()); err != nil {
			return nil, fmt.Errorf("history of %s: %w", br.Key(), err)
		}
	}
	seen := make(map[BriefingVersion]int, len(stored))
	out := make([]pastVersion, 0, len(stored)+1)
	for _, sv := range stored {
		seen[sv.BriefingVersion] = len(out)
		out = append(out, pastVersion{SeenVersion: sv})
	}
	for _, v := range lib.Versions(br.Key()) {
		bv := VersionOf(v)
		if i, ok := seen[bv]; ok {
			out[i].briefing, out[i].Date, out[i].Kept = v, v.Date, true
			continue
		}
		seen[bv] = len(out)
		at := now
		if hs == nil {
			at = time.Time{}
		}
		out = append(out, pastVersion{SeenVersion: SeenVersion{BriefingVersion: bv, FirstSeen: at, Date: v.Date, Kept: true}, briefing: v})
	}
	slices.SortStableFunc(out, func(a, b pastVersion) int {
		if c := b.FirstSeen.Compare(a.FirstSeen); c != 0 {
			return c
		}
		if c := b.Date.Compare(a.Date); c != 0 {
			return c
		}
		return cmp.Compare(a.Hash, b.Hash)
	})
	return out, nil
}

// load returns what v said.
func (v pastVersion) load(ctx context.Context, hs HistoryStore) (*briefings.Briefing, error) {
	if v.briefing != nil {
		return v.briefing, nil
	}
	if hs == nil || !v.Kept {
		return nil, ErrNotKept
	}
	b, err := hs.KeptBriefing(ctx, v.BriefingVersion)
	if err != nil {
		return nil, fmt.Errorf("read version %s of %s: %w", short(v.Hash), v.Topic, err)
	}
	return b, nil
}

// short is a version hash as people read it.
func short(hash string) string { return hash[:min(len(hash), 12)] }

// previousVersion finds what cur is compared with, among the versions of
// its topic (topicHistory's order). When since is zero it is the version
// seen most recently that came before cur, first seen no later and dated
// no later (an archived copy added after cur did not come before it);
// failing that, the version seen most recently (cur was restored after
// it). Otherwise it is the version that was current at since: the last
// first seen by then, or without first-seen times the newest dated by
// then. ok is false when there is none, or when that version is cur
// itself (nothing changed).
func previousVersion(versions []pastVersion, cur BriefingVersion, curDate, since time.Time) (pastVersion, bool) {
	if !since.IsZero() {
		for _, v := range versions {
			if !v.FirstSeen.IsZero() && !v.FirstSeen.After(since) {
				return v, v.BriefingVersion != cur
			}
			if v.FirstSeen.IsZero() && !v.Date.After(since) {
				return v, v.BriefingVersion != cur
			}
		}
		return pastVersion{}, false
	}
	var curSeen time.Time
	for _, v := range versions {
		if v.BriefingVersion == cur {
			curSeen = v.FirstSeen
		}
	}
	var fallback *pastVersion
	for i, v := range versions {
		if v.BriefingVersion == cur {
			continue
		}
		if !v.FirstSeen.After(curSeen) && !v.Date.After(curDate) {
			return v, true
		}
		if fallback == nil {
			fallback = &versions[i]
		}
	}
	if fallback != nil {
		return *fallback, true
	}
	return pastVersion{}, false
}

// historyStore is the Store's history, when it keeps one.
func (b *Bot) historyStore() HistoryStore {
	hs, _ := b.store.(HistoryStore)
	return hs
}
