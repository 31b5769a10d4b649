// Package digest is the digest scheduler: it decides when and where each
// subscription's digest is posted, and asks the bot core what it says.
//
// Exactly once: a slot is one scheduled time of one subscription, computed
// the same way on every replica. Before posting, a replica claims the slot
// in the shared store (a unique key with a lease); after posting it records
// the outcome. A replica that finds an expired claim takes it over, and
// first asks the platform whether the earlier owner's post went out.
// Slots missed while no replica ran are posted late within the grace, and
// recorded as skipped beyond it.
package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/telemetry"
)

// Composer says what a digest contains; *bot.Bot implements it.
type Composer interface {
	Digest(ctx context.Context, dr bot.DigestRequest) (bot.Reply, bool)
}

// Clock tells the time and sleeps; tests drive a fake one.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Options configure a Scheduler.
type Options struct {
	Store    bot.SlotStore
	Composer Composer
	// Posters deliver digests, one per platform.
	Posters map[bot.Platform]bot.Poster
	// Owner identifies this replica in claims; it must differ between replicas.
	Owner string
	// Clock defaults to the real clock.
	Clock Clock
	// Grace is how late a missed slot may still be posted (default 2h).
	Grace time.Duration
	// MaxFailures consecutive permanent failures pause a subscription (default 5).
	MaxFailures int
	// Lease is how long a claim holds before another replica may take it
	// over (default 20s). A post under way extends it every third of that,
	// so only a replica that died loses its slot.
	Lease time.Duration
	// Poll is how often the store is re-read for subscriptions changed by
	// other replicas (default 30s). Changes on this replica call Wake.
	Poll time.Duration
	// Late is how far past its slot a post counts as delayed (default 1m).
	Late time.Duration
	// Workers is how many channels are posted to at once (default 500).
	// A worker mostly waits on its channel's rate limit, so many are cheap.
	Workers int
	// PostTimeout bounds the handling of one slot, post included; it lets
	// a post under way finish when the scheduler stops (default 2m).
	PostTimeout time.Duration
	// MaxSkipRecords caps how many missed slots one pass records as
	// skipped for a subscription (default 100); older ones are only counted.
	MaxSkipRecords int
	Logger         *slog.Logger
	// Observe, when set, is told every slot's outcome, for metrics.
	Observe func(sub bot.Subscription, outcome bot.SlotOutcome)
	// OnPause, when set, is told of each subscription paused for its
	// failures, for metrics.
	OnPause func(sub bot.Subscription, reason string)
}

// Scheduler posts due digests. Run it on every replica.
type Scheduler struct {
	opts Options
	log  *slog.Logger
	wake chan struct{}
}

// New returns a Scheduler.
func New(opts Options) *Scheduler {
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.Grace <= 0 {
		opts.Grace = 2 * time.Hour
	}
	if opts.MaxFailures <= 0 {
		opts.MaxFailures = 5
	}
	if opts.Lease <= 0 {
		opts.Lease = 20 * time.Second
	}
	if opts.Poll <= 0 {
		opts.Poll = 30 * time.Second
	}
	if opts.Late <= 0 {
		opts.Late = time.Minute
	}
	if opts.Workers <= 0 {
		opts.Workers = 500
	}
	if opts.PostTimeout <= 0 {
		opts.PostTimeout = 2 * time.Minute
	}
	if opts.MaxSkipRecords <= 0 {
		opts.MaxSkipRecords = 100
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{opts: opts, log: log, wake: make(chan struct{}, 1)}
}

// Wake makes a running scheduler re-read its subscriptions now.
func (s *Scheduler) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run posts due slots until ctx is done. Between slots it sleeps until the
// next one is due, the poll interval passes, or Wake is called.
func (s *Scheduler) Run(ctx context.Context) error {
	for {
		next, err := s.Tick(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.log.ErrorContext(ctx, "digest pass failed", "err", err)
		}
		wait := s.opts.Poll
		if !next.IsZero() {
			if d := next.Sub(s.opts.Clock.Now()); d < wait {
				wait = max(d, 0)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-s.opts.Clock.After(wait):
		}
	}
}

// Tick handles every slot due now and returns when the next slot of any
// subscription is due (zero if none).
func (s *Scheduler) Tick(ctx context.Context) (time.Time, error) {
	subs, err := s.opts.Store.Subscriptions(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("read subscriptions: %w", err)
	}
	last, err := s.opts.Store.LastSlots(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("read last slots: %w", err)
	}
	now := s.opts.Clock.Now()
	var (
		next time.Time
		jobs []job
	)
	for _, sub := range subs {
		if sub.Paused {
			continue
		}
		sched, err := bot.ParseSchedule(sub.Schedule, sub.Timezone)
		if err != nil {
			s.log.WarnContext(ctx, "subscription has a bad schedule", "subscription", sub.ID, "err", err)
			continue
		}
		if n := sched.Next(now); !n.IsZero() && (next.IsZero() || n.Before(next)) {
			next = n
		}
		due := s.dueSlots(ctx, sub, sched, last[sub.ID], now)
		for _, slot := range due {
			jobs = append(jobs, job{sub: sub, slot: slot})
		}
	}
	// Claims that expired unfinished (a replica died mid-post) are taken
	// over, whatever slot the subscription has reached since.
	expired, err := s.opts.Store.ExpiredClaims(ctx, now)
	if err != nil {
		s.log.ErrorContext(ctx, "find expired digest claims", "err", err)
	}
	byID := make(map[string]bot.Subscription, len(subs))
	for _, sub := range subs {
		byID[sub.ID] = sub
	}
	for _, c := range expired {
		if sub, ok := byID[c.Subscription]; ok && !sub.Paused {
			jobs = append(jobs, job{sub: sub, slot: c.Slot})
		}
	}
	s.runJobs(ctx, jobs)
	s.correct(ctx, byID)
	return next, ctx.Err()
}

type job struct {
	sub  bot.Subscription
	slot time.Time
}

// dueSlots lists the slots of sub at or before now that no replica has
// claimed yet: those after last, its latest claimed slot (zero if none), or
// after the subscription's creation. Slots older than the grace are returned too, to
// be recorded as skipped, but at most MaxSkipRecords of them; the rest are
// only counted in the log.
func (s *Scheduler) dueSlots(ctx context.Context, sub bot.Subscription, sched bot.Schedule, last, now time.Time) []time.Time {
	var out []time.Time
	skipped := 0
	for t := sched.FirstUnclaimed(sub.CreatedAt, last); !t.IsZero() && !t.After(now); t = sched.Next(t) {
		if now.Sub(t) <= s.opts.Grace {
			out = append(out, t)
			continue
		}
		skipped++
		if skipped <= s.opts.MaxSkipRecords {
			out = append(out, t)
			continue
		}
		// Too many missed slots to record one by one: jump to the grace window.
		t = sched.Next(now.Add(-s.opts.Grace).Add(-time.Nanosecond))
		if t.IsZero() || t.After(now) {
			break
		}
		out = append(out, t)
	}
	if skipped > s.opts.MaxSkipRecords {
		s.log.WarnContext(ctx, "missed digest slots beyond the grace", "subscription", sub.ID, "missed", skipped, "recorded", s.opts.MaxSkipRecords)
	}
	return out
}

// runJobs handles jobs with a pool of workers. The jobs of one channel go
// to one worker in slot order: platforms limit posts per channel (Slack
// allows about one a second), so a channel's posts queue behind each other
// while different channels proceed in parallel.
func (s *Scheduler) runJobs(ctx context.Context, jobs []job) {
	if len(jobs) == 0 {
		return
	}
	type channel struct{ platform, id string }
	byChannel := make(map[channel][]job)
	var order []channel
	for _, j := range jobs {
		c := channel{string(j.sub.Platform), j.sub.Channel}
		if _, ok := byChannel[c]; !ok {
			order = append(order, c)
		}
		byChannel[c] = append(byChannel[c], j)
	}
	queue := make(chan []job)
	var wg sync.WaitGroup
	for range min(s.opts.Workers, len(order)) {
		wg.Go(func() {
			for js := range queue {
				slices.SortStableFunc(js, func(a, b job) int { return a.slot.Compare(b.slot) })
				for _, j := range js {
					if ctx.Err() != nil {
						break
					}
					s.handle(ctx, j.sub, j.slot)
				}
			}
		})
	}
	for _, c := range order {
		queue <- byChannel[c]
	}
	close(queue)
	wg.Wait()
}

// handle claims one slot and, if this replica won it, posts it or records
// why not. Once claimed, a slot is seen through even if ctx ends (the
// scheduler is stopping): a post cut off halfway would be a post half made.
// PostTimeout bounds it.
func (s *Scheduler) handle(ctx context.Context, sub bot.Subscription, slot time.Time) {
	log := s.log.With("subscription", sub.ID, "slot", slot.Format(time.RFC3339))
	// One trace per slot: claim, then compose and post (see deliver).
	ctx, span := telemetry.Start(ctx, "digest.slot", attribute.String("briefbot.subscription", sub.ID),
		attribute.String("briefbot.platform", string(sub.Platform)), attribute.String("briefbot.slot", slot.Format(time.RFC3339)))
	defer span.End()
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.PostTimeout)
	defer cancel()
	// The time is read now, not when the pass began: this job may have
	// waited behind other posts to the same channel.
	now := s.opts.Clock.Now()
	claimCtx, claimSpan := telemetry.Start(work, "digest.claim")
	claim, won, err := s.opts.Store.ClaimSlot(claimCtx, sub.ID, slot, s.opts.Owner, s.opts.Lease, now)
	claimSpan.SetAttributes(attribute.Bool("briefbot.won", won), attribute.Bool("briefbot.takeover", claim.Takeover))
	telemetry.End(claimSpan, err)
	if err != nil {
		if !errors.Is(err, bot.ErrNotFound) {
			log.ErrorContext(ctx, "claim digest slot", "err", err)
		}
		return
	}
	if !won {
		return
	}
	d := bot.Delivery{Subscription: sub.ID, Slot: slot, Owner: s.opts.Owner}
	postCtx, stop := context.WithCancel(work)
	held := s.holdClaim(postCtx, stop, log, claim)
	done, gone := s.deliver(postCtx, log, sub, claim, &d, now)
	stop()
	claim = <-held
	if !done {
		// Left claimed on purpose: when the lease runs out, a replica
		// (perhaps this one) takes the slot over, checks the platform for
		// a post, and tries again, until the grace has passed.
		return
	}
	d.At = s.opts.Clock.Now()
	updated, err := s.opts.Store.CompleteSlot(work, claim, d)
	if err != nil {
		log.ErrorContext(ctx, "record digest outcome", "outcome", d.Outcome, "err", err)
		return
	}
	if s.opts.Observe != nil {
		s.opts.Observe(sub, d.Outcome)
	}
	if d.Outcome == bot.OutcomeFailed {
		span.SetAttributes(attribute.String("briefbot.outcome", string(d.Outcome)))
		span.SetStatus(codes.Error, d.Error)
		log.WarnContext(ctx, "digest post failed", "platform", sub.Platform, "channel", sub.Channel, "permanent", d.Permanent, "err", d.Error)
		if gone || d.Permanent && updated.Failures >= s.opts.MaxFailures {
			reason := fmt.Sprintf("%d consecutive failures, last: %s", updated.Failures, d.Error)
			if gone {
				reason = "the channel cannot be posted to: " + d.Error
			}
			if err := s.opts.Store.SetPaused(work, sub.ID, true, reason); err != nil {
				log.ErrorContext(ctx, "pause subscription", "err", err)
			} else {
				log.WarnContext(ctx, "subscription paused", "reason", reason)
				if s.opts.OnPause != nil {
					s.opts.OnPause(sub, reason)
				}
			}
		}
		return
	}
	span.SetAttributes(attribute.String("briefbot.outcome", string(d.Outcome)))
	log.InfoContext(ctx, "digest slot done", "outcome", d.Outcome, "messages", len(d.MessageIDs))
}

// holdClaim extends the claim's lease while a post is under way, so that
// a slow post is not taken over. If the claim is lost, it cancels the post.
// The returned channel yields the latest claim once ctx is done.
func (s *Scheduler) holdClaim(ctx context.Context, cancel context.CancelFunc, log *slog.Logger, c bot.Claim) <-chan bot.Claim {
	out := make(chan bot.Claim, 1)
	go func() {
		defer func() { out <- c }()
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.opts.Clock.After(s.opts.Lease / 3):
			}
			nc, err := s.opts.Store.ExtendClaim(ctx, c, s.opts.Lease, s.opts.Clock.Now())
			switch {
			case err == nil:
				c = nc
			case errors.Is(err, bot.ErrClaimLost):
				log.WarnContext(ctx, "digest claim lost while posting; stopping")
				cancel()
				return
			case ctx.Err() == nil:
				log.WarnContext(ctx, "extend digest claim", "err", err)
			}
		}
	}()
	return out
}

// deliver fills in d's outcome for a won claim. It returns false when the
// slot should be tried again later instead of completed: the check for an
// earlier post failed, or the post failed in a way that may pass, with
// time left in the grace. gone reports a failure because the target
// itself is invalid or gone (a malformed id, a deleted channel, the bot
// removed from it): no later slot can succeed either.
func (s *Scheduler) deliver(ctx context.Context, log *slog.Logger, sub bot.Subscription, claim bot.Claim, d *bot.Delivery, now time.Time) (done, gone bool) {
	slot := claim.Slot
	late := now.Sub(slot)
	if late > s.opts.Grace {
		d.Outcome = bot.OutcomeSkipped
		d.Error = fmt.Sprintf("missed by %s, beyond the grace of %s", late.Round(time.Second), s.opts.Grace)
		return true, false
	}
	poster, ok := s.opts.Posters[sub.Platform]
	if !ok {
		d.Outcome, d.Permanent = bot.OutcomeFailed, true
		d.Error = fmt.Sprintf("platform %q is not running on this replica", sub.Platform)
		return true, false
	}
	ref := bot.SlotRef{Subscription: sub.ID, Slot: slot}
	delayed := late > s.opts.Late
	outcome := bot.OutcomePosted
	if delayed {
		outcome = bot.OutcomeDelayed
	}
	retryable := now.Add(s.opts.Lease).Sub(slot) < s.opts.Grace
	// The ledger: a takeover first asks the platform what the earlier
	// owner posted, and then posts the whole digest, the rest of it, or
	// nothing.
	var skip map[int]bool
	if claim.Takeover {
		lctx, lspan := telemetry.Start(ctx, "digest.ledger")
		parts, err := poster.PostedParts(lctx, sub.Channel, ref)
		lspan.SetAttributes(attribute.Int("briefbot.parts_found", len(parts.Found)))
		telemetry.End(lspan, err)
		switch {
		case err != nil && retryable:
			// Posting without knowing could post twice.
			log.WarnContext(ctx, "cannot tell whether the earlier owner posted; will try again", "err", err)
			return false, false
		case err != nil:
			d.Outcome, d.Error = bot.OutcomeFailed, "cannot tell whether the digest was posted: "+err.Error()
			return true, false
		case parts.Whole():
			log.InfoContext(ctx, "earlier owner had posted the digest", "previous_owner", claim.PreviousOwner)
			d.Outcome = outcome
			return true, false
		case parts.Total > 0:
			log.InfoContext(ctx, "earlier owner posted part of the digest; posting the rest", "previous_owner", claim.PreviousOwner, "found", len(parts.Found), "parts", parts.Total)
			skip = parts.Found
		}
	}
	dr := bot.DigestRequest{Subscription: sub, Slot: slot, Delayed: delayed, Since: bot.DigestSince(sub, slot)}
	if c, ok := poster.(bot.Commander); ok {
		dr.Command = c.Command()
	}
	cctx, cspan := telemetry.Start(ctx, "digest.compose")
	reply, has := s.opts.Composer.Digest(cctx, dr)
	cspan.SetAttributes(attribute.Bool("briefbot.has_content", has))
	cspan.End()
	switch {
	case !has && skip != nil:
		// Part of it went out, and now nothing qualifies (the library
		// changed): what was posted stands.
		log.WarnContext(ctx, "half-posted digest is empty now; leaving the posted parts")
		d.Outcome = outcome
		return true, false
	case !has && sub.WhenEmpty != "post":
		d.Outcome = bot.OutcomeEmpty
		return true, false
	}
	pctx, pspan := telemetry.Start(ctx, "digest.post", attribute.Int("briefbot.parts_skipped", len(skip)))
	ids, err := poster.PostDigest(pctx, sub.Channel, reply, ref, skip)
	pspan.SetAttributes(attribute.Int("briefbot.parts_posted", len(ids)))
	telemetry.End(pspan, err)
	d.MessageIDs = ids
	if err != nil {
		d.Permanent = bot.IsPermanent(err)
		if !d.Permanent && retryable {
			log.WarnContext(ctx, "digest post failed; will try again", "platform", sub.Platform, "channel", sub.Channel, "err", err)
			return false, false
		}
		d.Outcome = bot.OutcomeFailed
		d.Error = err.Error()
		return true, bot.IsTargetGone(err)
	}
	if skip == nil {
		s.recordPosted(ctx, log, sub, dr, reply, ids)
	}
	d.Outcome = outcome
	return true, false
}
