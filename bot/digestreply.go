package bot

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// maxDigestEntries caps the briefings of one digest; the rest are counted.
const maxDigestEntries = 25

// DigestRequest asks the core what one digest should say.
type DigestRequest struct {
	Subscription Subscription
	// Slot is the scheduled time the digest is for.
	Slot time.Time
	// Since: with Include "new", only briefings first seen after it are
	// included (without FirstSeen: dated after it). Zero means
	// DigestSince(Subscription, Slot).
	Since time.Time
	// FirstSeen, when set, says when each briefing was first seen.
	FirstSeen *FirstSeen
	// Delayed marks a digest posted late, after downtime.
	Delayed bool
	// Command is how readers of the digest ask the bot on its platform
	// ("/brief"); empty means the bot's configured command.
	Command string

	// only, when set, limits the digest to these topic keys, new or not:
	// a correction re-composes what a posted digest showed, and nothing
	// that came since.
	only map[string]bool
}

// DigestSince is where "new" starts for the digest of sub at slot: its
// last delivery, or a day before slot when it has none.
func DigestSince(sub Subscription, slot time.Time) time.Time {
	if sub.LastDelivered.IsZero() {
		return slot.Add(-24 * time.Hour)
	}
	return sub.LastDelivered
}

// Digest composes the digest for one slot of a subscription: a header with
// the date in the subscription's zone, then per briefing its title, headline,
// most important risk and how to ask for more; a briefing updated since
// the last digest is marked so and shows what changed (updatedEntry).
// ok is false when no briefing qualifies; the reply then says that
// nothing is new.
func (b *Bot) Digest(ctx context.Context, dr DigestRequest) (r Reply, ok bool) {
	lib := b.lib.Load()
	sub := dr.Subscription
	command := b.commandFor(Request{Command: dr.Command})
	loc := time.UTC
	if sub.Timezone != "" {
		if l, err := time.LoadLocation(sub.Timezone); err == nil {
			loc = l
		}
	}
	slot := dr.Slot
	if slot.IsZero() {
		slot = b.now()
	}
	if dr.Since.IsZero() {
		dr.Since = DigestSince(sub, slot)
	}
	r = Reply{
		Kind:  KindDigest,
		Title: "Briefing digest — " + slot.In(loc).Format("Monday 2 January 2006"),
	}
	if dr.Delayed {
		r.Notes = append(r.Notes, fmt.Sprintf("Delayed: this digest was due at %s.", slot.In(loc).Format("15:04 MST")))
	}

	wanted := topicSet(sub.Topics)
	seen := dr.seenAt(ctx, lib, b.log)
	var picked []*briefings.Briefing
	for _, br := range lib.Topics() {
		// The date is the cheap test: with include "new", most fail it.
		// A correction shows what the digest showed, new or not.
		if sub.Include != "all" && dr.only == nil && !seen(br).After(dr.Since) {
			continue
		}
		if !matchesTopics(br, wanted) || (dr.only != nil && !dr.only[br.Key()]) {
			continue
		}
		picked = append(picked, br)
	}
	slices.SortStableFunc(picked, func(x, y *briefings.Briefing) int { return y.Date.Compare(x.Date) })

	if len(picked) == 0 {
		if sub.Include == "all" {
			r.Notes = append(r.Notes, "No briefings match this digest's topics.")
		} else {
			r.Notes = append(r.Notes, fmt.Sprintf("Nothing new since %s.", dr.Since.In(loc).Format("Mon 2 Jan 15:04 MST")))
		}
		return r, false
	}
	for i, br := range picked {
		if i == maxDigestEntries {
			r.Notes = append(r.Notes, fmt.Sprintf("%d more briefings: %s list.", len(picked)-i, command))
			break
		}
		r.Versions = append(r.Versions, dr.versionOf(br))
		q := b.topicQuery(lib, br)
		if s, ok := b.updatedEntry(ctx, lib, dr, br, q); ok {
			r.Sections = append(r.Sections, s)
			continue
		}
		s := Section{Heading: br.Title}
		if h := br.Headline(); h != "" {
			s.Blocks = append(s.Blocks, Block{Text: h})
		}
		if risk, ok := topRisk(br); ok {
			s.Blocks = append(s.Blocks, risk)
		}
		s.Blocks = append(s.Blocks, Block{Text: fmt.Sprintf("More: %s %s", command, q)})
		r.Sections = append(r.Sections, s)
	}
	return r, true
}

// topRisk is the first entry of the briefing's first risks section.
func topRisk(br *briefings.Briefing) (Block, bool) {
	for _, s := range br.Sections {
		if s.Kind != briefings.KindRisks || len(s.Blocks) == 0 {
			continue
		}
		bl := s.Blocks[0]
		text := bl.Text
		if bl.Label != "" {
			text = bl.Label + ": " + text
		}
		return Block{Bullet: true, Label: "Top risk", Text: text}, true
	}
	return Block{}, false
}

// topicSet normalizes a subscription's topics once; nil means all.
func topicSet(topics []string) map[string]bool {
	if len(topics) == 0 {
		return nil
	}
	set := make(map[string]bool, len(topics))
	for _, t := range topics {
		set[briefings.Normalize(t)] = true
	}
	return set
}

// matchesTopics reports whether br is in wanted by topic, alias or tag.
// A nil set means every briefing.
func matchesTopics(br *briefings.Briefing, wanted map[string]bool) bool {
	if wanted == nil || wanted[br.Key()] {
		return true
	}
	for _, names := range [][]string{br.Aliases, br.Tags} {
		for _, n := range names {
			if wanted[briefings.Normalize(n)] {
				return true
			}
		}
	}
	return false
}
