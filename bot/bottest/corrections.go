package bottest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/briefbot/briefbot/bot"
)

var _ bot.CorrectionStore = (*Store)(nil)

type correctionKey struct {
	slotKey
	fingerprint string
}

// RecordPostedDigest implements bot.CorrectionStore.
func (s *Store) RecordPostedDigest(ctx context.Context, p bot.PostedDigest) error {
	if p.Slot.IsZero() || p.PostedAt.IsZero() || len(p.MessageIDs) == 0 {
		return fmt.Errorf("record posted digest %s: no slot, posting time or messages", p.Subscription)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.posted == nil {
		s.posted = map[slotKey]bot.PostedDigest{}
	}
	s.posted[key(p.Subscription, p.Slot)] = stored(p)
	return nil
}

// stored is p as the real store gives it back: copied, UTC, to the microsecond.
func stored(p bot.PostedDigest) bot.PostedDigest {
	norm := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.UTC().Truncate(time.Microsecond)
	}
	p.Slot, p.Since, p.PostedAt, p.CorrectedAt = norm(p.Slot), norm(p.Since), norm(p.PostedAt), norm(p.CorrectedAt)
	p.MessageIDs = slices.Clone(p.MessageIDs)
	p.Versions = slices.Clone(p.Versions)
	return p
}

// PostedDigests implements bot.CorrectionStore.
func (s *Store) PostedDigests(ctx context.Context, since time.Time) ([]bot.PostedDigest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bot.PostedDigest
	for _, p := range s.posted {
		if !p.PostedAt.Before(since) {
			out = append(out, stored(p))
		}
	}
	slices.SortFunc(out, func(a, b bot.PostedDigest) int {
		return cmp.Or(a.PostedAt.Compare(b.PostedAt), cmp.Compare(a.Subscription, b.Subscription), a.Slot.Compare(b.Slot))
	})
	return out, nil
}

// ClaimCorrection implements bot.CorrectionStore.
func (s *Store) ClaimCorrection(ctx context.Context, sub string, slot time.Time, fingerprint, owner string, lease time.Duration, now time.Time) (bool, error) {
	if owner == "" || lease <= 0 {
		return false, fmt.Errorf("claim correction of %s: no owner or lease", sub)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.posted[key(sub, slot)]; !ok {
		return false, fmt.Errorf("claim correction of %s: no such posted digest", sub)
	}
	if s.corrections == nil {
		s.corrections = map[correctionKey]*slotState{}
	}
	k := correctionKey{key(sub, slot), fingerprint}
	c, ok := s.corrections[k]
	if ok && (c.done || c.expires.After(now)) {
		return false, nil
	}
	s.corrections[k] = &slotState{owner: owner, expires: now.Add(lease)}
	return true, nil
}

// CompleteCorrection implements bot.CorrectionStore.
func (s *Store) CompleteCorrection(ctx context.Context, fingerprint, owner string, p bot.PostedDigest) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := correctionKey{key(p.Subscription, p.Slot), fingerprint}
	c, ok := s.corrections[k]
	if !ok || c.done || c.owner != owner {
		return fmt.Errorf("complete correction of %s: %w", p.Subscription, bot.ErrClaimLost)
	}
	c.done = true
	old := s.posted[k.slotKey]
	old.MessageIDs, old.Versions, old.CorrectedAt = p.MessageIDs, p.Versions, p.CorrectedAt
	s.posted[k.slotKey] = stored(old)
	return nil
}

// ForgetPostedDigests implements bot.CorrectionStore.
func (s *Store) ForgetPostedDigests(ctx context.Context, before time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.forgetPosted(func(k slotKey) bool { return s.posted[k].PostedAt.Before(before) }), nil
}

// forgetPosted removes the posted digests for which drop is true, with
// their corrections' claims, and returns how many. s.mu is held.
func (s *Store) forgetPosted(drop func(slotKey) bool) int {
	n := 0
	for k := range s.posted {
		if drop(k) {
			delete(s.posted, k)
			n++
		}
	}
	for k := range s.corrections {
		if _, ok := s.posted[k.slotKey]; !ok {
			delete(s.corrections, k)
		}
	}
	return n
}

// Edit is one correction of a posted digest made in place.
type Edit struct {
	Channel string
	// IDs are the messages edited.
	IDs   []string
	Reply bot.Reply
	Ref   bot.SlotRef
}

// FollowUp is one correction posted as a reply to a digest message.
type FollowUp struct {
	Channel, ID string
	Reply       bot.Reply
}

var _ bot.DigestEditor = (*Poster)(nil)

// EditDigest records the edit, unless Fail says otherwise; the digest
// stays in the messages it had.
func (p *Poster) EditDigest(ctx context.Context, channel string, ids []string, r bot.Reply, ref bot.SlotRef) ([]string, error) {
	if p.Fail != nil {
		if err := p.Fail(channel, ref); err != nil {
			return nil, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.edits = append(p.edits, Edit{Channel: channel, IDs: slices.Clone(ids), Reply: r, Ref: ref})
	return ids, nil
}

// FollowUpDigest records the follow-up, unless Fail says otherwise.
func (p *Poster) FollowUpDigest(ctx context.Context, channel, id string, r bot.Reply) error {
	if p.Fail != nil {
		if err := p.Fail(channel, bot.SlotRef{}); err != nil {
			return err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.followUps = append(p.followUps, FollowUp{Channel: channel, ID: id, Reply: r})
	return nil
}

// Edits returns the edits made so far.
func (p *Poster) Edits() []Edit {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.edits)
}

// FollowUps returns the follow-ups posted so far.
func (p *Poster) FollowUps() []FollowUp {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.followUps)
}
