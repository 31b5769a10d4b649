// Package bottest holds fakes for testing code built on package bot: an
// in-memory Store, a Poster that records what it posts, and a Clock that
// only moves when told to.
package bottest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// Clock is a manual clock. After channels fire when Advance passes their time.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewClock returns a Clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives once the clock has advanced by d.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{at: c.now.Add(d), ch: ch})
	return ch
}

// Advance moves the clock forward by d and fires the After channels due.
func (c *Clock) Advance(d time.Duration) {
	c.Set(c.Now().Add(d))
}

// Set moves the clock to t and fires the After channels due.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(t) {
			w.ch <- t
			continue
		}
		kept = append(kept, w)
	}
	c.waiters = kept
}

// Post is one message a Poster received.
type Post struct {
	Channel string
	Reply   bot.Reply
	Ref     bot.SlotRef
}

// Poster records posts. Fail, when set, decides per post whether it fails.
type Poster struct {
	mu    sync.Mutex
	posts []Post
	// Fail returns a non-nil error to make a post fail.
	Fail func(channel string, ref bot.SlotRef) error
	// Block, when set, is waited on before each post (to stop a post midway).
	Block chan struct{}
	// edits and followUps are the corrections made (corrections.go).
	edits     []Edit
	followUps []FollowUp
}

// PostDigest records the post, unless Fail says otherwise. Every digest is
// one part; skipping it posts nothing.
func (p *Poster) PostDigest(ctx context.Context, channel string, r bot.Reply, ref bot.SlotRef, skip map[int]bool) ([]string, error) {
	if skip[1] {
		return nil, nil
	}
	if p.Block != nil {
		select {
		case <-p.Block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if p.Fail != nil {
		if err := p.Fail(channel, ref); err != nil {
			return nil, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts = append(p.posts, Post{Channel: channel, Reply: r, Ref: ref})
	return []string{fmt.Sprintf("m%d", len(p.posts))}, nil
}

// PostedParts reports whether the (one-part) digest for ref reached channel.
func (p *Poster) PostedParts(ctx context.Context, channel string, ref bot.SlotRef) (bot.Parts, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, post := range p.posts {
		if post.Channel == channel && post.Ref.Subscription == ref.Subscription && post.Ref.Slot.Equal(ref.Slot) {
			return bot.Parts{Found: map[int]bool{1: true}, Total: 1}, nil
		}
	}
	return bot.Parts{}, nil
}

// Posts returns what was posted so far.
func (p *Poster) Posts() []Post {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.posts)
}

// PermanentError is an error that says retrying will not help.
type PermanentError string

func (e PermanentError) Error() string   { return string(e) }
func (e PermanentError) Permanent() bool { return true }

// Store is an in-memory store for tests: bot.Store, bot.SlotStore and the
// Slack event log, holding to the same contract (storetest) as bot/store.
type Store struct {
	mu         sync.Mutex
	subs       map[string]bot.Subscription
	slots      map[slotKey]*slotState
	deliveries []bot.Delivery
	seen       map[string]time.Time
	// posted and corrections are the CorrectionStore's (corrections.go).
	posted      map[slotKey]bot.PostedDigest
	corrections map[correctionKey]*slotState
}

type slotKey struct {
	sub  string
	slot int64
}

type slotState struct {
	owner   string
	expires time.Time
	done    bool
}

var (
	_ bot.Store     = (*Store)(nil)
	_ bot.SlotStore = (*Store)(nil)
)

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{subs: make(map[string]bot.Subscription), slots: make(map[slotKey]*slotState)}
}

func key(sub string, slot time.Time) slotKey {
	return slotKey{sub, slot.UTC().Truncate(time.Microsecond).UnixMicro()}
}

// SaveSubscription implements bot.Store.
func (s *Store) SaveSubscription(ctx context.Context, sub bot.Subscription) error {
	if err := validSubscription(sub); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.save(sub)
	return nil
}

func validSubscription(s bot.Subscription) error {
	switch {
	case s.ID == "", s.Platform == "", s.Channel == "", s.Schedule == "":
		return fmt.Errorf("subscription %q lacks an ID, platform, channel or schedule", s.ID)
	case s.Source != bot.SourceConfig && s.Source != bot.SourceChat:
		return fmt.Errorf("subscription %s: bad source %q", s.ID, s.Source)
	case !bot.ValidCorrections(s.Corrections) || s.CorrectionsWindow < 0:
		return fmt.Errorf("subscription %s: bad corrections %q for %v", s.ID, s.Corrections, s.CorrectionsWindow)
	}
	return nil
}

func (s *Store) save(sub bot.Subscription) {
	if old, ok := s.subs[sub.ID]; ok {
		sub.CreatedAt = old.CreatedAt
		sub.Paused, sub.PausedReason, sub.Failures = old.Paused, old.PausedReason, old.Failures
		sub.LastDelivered, sub.LastError, sub.LastErrorAt = old.LastDelivered, old.LastError, old.LastErrorAt
	} else {
		sub.Paused, sub.PausedReason, sub.Failures = false, "", 0
		sub.LastDelivered, sub.LastError, sub.LastErrorAt = time.Time{}, "", time.Time{}
	}
	sub.CreatedAt = sub.CreatedAt.UTC().Truncate(time.Microsecond)
	sub.Topics = slices.Clone(sub.Topics)
	s.subs[sub.ID] = sub
}

// DeleteSubscription implements bot.Store.
func (s *Store) DeleteSubscription(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.subs[id]; !ok {
		return bot.ErrNotFound
	}
	delete(s.subs, id)
	for k := range s.slots {
		if k.sub == id {
			delete(s.slots, k)
		}
	}
	s.deliveries = slices.DeleteFunc(s.deliveries, func(d bot.Delivery) bool { return d.Subscription == id })
	s.forgetPosted(func(k slotKey) bool { return k.sub == id })
	return nil
}

// Subscription implements bot.Store.
func (s *Store) Subscription(ctx context.Context, id string) (bot.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.subs[id]
	if !ok {
		return bot.Subscription{}, bot.ErrNotFound
	}
	return sub, nil
}

// Subscriptions implements bot.Store and bot.SlotStore.
func (s *Store) Subscriptions(ctx context.Context) ([]bot.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]bot.Subscription, 0, len(s.subs))
	for _, sub := range s.subs {
		out = append(out, sub)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// SyncConfigSubscriptions implements storetest.Store.
func (s *Store) SyncConfigSubscriptions(ctx context.Context, subs []bot.Subscription) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := make(map[string]bool)
	for _, sub := range subs {
		if old, ok := s.subs[sub.ID]; ok && old.Source == bot.SourceChat {
			return fmt.Errorf("config subscription %q: a chat subscription has that ID", sub.ID)
		}
		if keep[sub.ID] {
			return fmt.Errorf("config subscription %q appears twice", sub.ID)
		}
		sub.Source = bot.SourceConfig
		if err := validSubscription(sub); err != nil {
			return err
		}
		keep[sub.ID] = true
	}
	for id, sub := range s.subs {
		if sub.Source == bot.SourceConfig && !keep[id] {
			delete(s.subs, id)
		}
	}
	for _, sub := range subs {
		sub.Source = bot.SourceConfig
		s.save(sub)
	}
	return nil
}

// SetPaused implements bot.SlotStore.
func (s *Store) SetPaused(ctx context.Context, id string, paused bool, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.subs[id]
	if !ok {
		return bot.ErrNotFound
	}
	sub.Paused, sub.PausedReason = paused, reason
	if !paused {
		sub.PausedReason, sub.Failures = "", 0
	}
	s.subs[id] = sub
	return nil
}

// ClaimSlot implements bot.SlotStore.
func (s *Store) ClaimSlot(ctx context.Context, sub string, slot time.Time, owner string, lease time.Duration, now time.Time) (bot.Claim, bool, error) {
	if owner == "" || lease <= 0 || slot.IsZero() {
		return bot.Claim{}, false, fmt.Errorf("claim %s: need an owner, a positive lease and a slot", sub)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.subs[sub]; !ok {
		return bot.Claim{}, false, bot.ErrNotFound
	}
	slot = slot.UTC().Truncate(time.Microsecond)
	c := bot.Claim{Subscription: sub, Slot: slot, Owner: owner, Expires: now.Add(lease).UTC()}
	st, ok := s.slots[key(sub, slot)]
	switch {
	case !ok:
		s.slots[key(sub, slot)] = &slotState{owner: owner, expires: c.Expires}
		return c, true, nil
	case st.done || st.expires.After(now):
		return bot.Claim{}, false, nil
	default:
		c.Takeover, c.PreviousOwner = true, st.owner
		st.owner, st.expires = owner, c.Expires
		return c, true, nil
	}
}

// ExtendClaim implements bot.SlotStore.
func (s *Store) ExtendClaim(ctx context.Context, c bot.Claim, lease time.Duration, now time.Time) (bot.Claim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.slots[key(c.Subscription, c.Slot)]
	if !ok || st.done || st.owner != c.Owner {
		return c, bot.ErrClaimLost
	}
	st.expires = now.Add(lease).UTC()
	c.Expires = st.expires
	return c, nil
}

// ExpiredClaims implements bot.SlotStore.
func (s *Store) ExpiredClaims(ctx context.Context, now time.Time) ([]bot.Claim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bot.Claim
	for k, st := range s.slots {
		if !st.done && !st.expires.After(now) {
			out = append(out, bot.Claim{Subscription: k.sub, Slot: time.UnixMicro(k.slot).UTC(), Owner: st.owner, Expires: st.expires})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slot.Before(out[j].Slot) })
	return out, nil
}

// CompleteSlot implements bot.SlotStore.
func (s *Store) CompleteSlot(ctx context.Context, c bot.Claim, d bot.Delivery) (bot.Subscription, error) {
	switch {
	case !d.Outcome.Valid():
		return bot.Subscription{}, fmt.Errorf("complete %s: unknown outcome %q", c.Subscription, d.Outcome)
	case d.At.IsZero():
		return bot.Subscription{}, fmt.Errorf("complete %s: delivery has no time", c.Subscription)
	case d.Subscription != "" && d.Subscription != c.Subscription:
		return bot.Subscription{}, fmt.Errorf("complete %s: delivery is for %s", c.Subscription, d.Subscription)
	case !d.Slot.IsZero() && !d.Slot.Equal(c.Slot):
		return bot.Subscription{}, fmt.Errorf("complete %s: delivery is for another slot", c.Subscription)
	}
	if d.Owner == "" {
		d.Owner = c.Owner
	}
	d.At = d.At.UTC().Truncate(time.Microsecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.slots[key(c.Subscription, c.Slot)]
	if !ok || st.done || st.owner != c.Owner {
		return bot.Subscription{}, bot.ErrClaimLost
	}
	sub, ok := s.subs[c.Subscription]
	if !ok {
		return bot.Subscription{}, bot.ErrNotFound
	}
	st.done = true
	d.Slot = c.Slot
	d.Subscription = c.Subscription
	s.deliveries = append(s.deliveries, d)
	switch {
	case d.Outcome.Delivered():
		if d.Slot.After(sub.LastDelivered) {
			sub.LastDelivered = d.Slot
		}
		sub.Failures, sub.LastError, sub.LastErrorAt = 0, "", time.Time{}
	case d.Outcome == bot.OutcomeFailed:
		sub.LastError, sub.LastErrorAt = d.Error, d.At
		if d.Permanent {
			sub.Failures++
		}
	}
	s.subs[sub.ID] = sub
	return sub, nil
}

// LastSlots implements bot.SlotStore.
func (s *Store) LastSlots(ctx context.Context) (map[string]time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]time.Time)
	for k := range s.slots {
		if t := time.UnixMicro(k.slot).UTC(); t.After(out[k.sub]) {
			out[k.sub] = t
		}
	}
	return out, nil
}

// Deliveries implements storetest.Store.
func (s *Store) Deliveries(ctx context.Context, sub string, limit int) ([]bot.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bot.Delivery
	for _, d := range s.deliveries {
		if d.Subscription == sub {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slot.After(out[j].Slot) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Ping implements storetest.Store.
func (s *Store) Ping(ctx context.Context) error { return nil }

// Close implements storetest.Store.
func (s *Store) Close() error { return nil }

// Held reports whether some slot of subscription sub is claimed and not
// yet completed.
func (s *Store) Held(sub string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, st := range s.slots {
		if k.sub == sub && !st.done {
			return true
		}
	}
	return false
}

// MarkSeen implements the Slack event log.
func (s *Store) MarkSeen(ctx context.Context, key string, now time.Time, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = make(map[string]time.Time)
	}
	if at, ok := s.seen[key]; ok && now.Sub(at) < ttl {
		return false, nil
	}
	s.seen[key] = now
	return true, nil
}
