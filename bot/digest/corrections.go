package digest

// Corrections. When a briefing shown in a posted digest changes within
// the subscription's corrections window, the digest is corrected: edited
// in place with a "Corrected <time>" note, or answered in its thread with
// what changed (follow_up). The store keeps each digest posted in full
// with its messages and the versions it shows (bot.PostedDigest), so any
// replica, after any restart, can do it; a claim on the digest and the
// versions it is corrected to (bot.Fingerprint) lets exactly one replica do
// it once. A replica that dies mid-correction leaves its claim to expire,
// and another then does it again: an edit is the same edit twice, a
// follow-up may then be posted twice.

import (
	"context"
	"log/slog"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// Corrector is what a Composer may also implement to correct posted
// digests; *bot.Bot does.
type Corrector interface {
	Correction(ctx context.Context, cr bot.CorrectionRequest) (bot.Reply, []bot.BriefingVersion, bool)
}

// corrections is the store and composer's correcting side, when both have one.
func (s *Scheduler) corrections() (bot.CorrectionStore, Corrector, bool) {
	cs, ok1 := s.opts.Store.(bot.CorrectionStore)
	c, ok2 := s.opts.Composer.(Corrector)
	return cs, c, ok1 && ok2
}

// recordPosted records a digest this replica posted in full, so that it
// can be corrected. A digest that shows no briefing has nothing to
// correct; one finished by a takeover is not recorded, as the earlier
// owner's messages are not known here.
func (s *Scheduler) recordPosted(ctx context.Context, log *slog.Logger, sub bot.Subscription, dr bot.DigestRequest, r bot.Reply, ids []string) {
	cs, _, ok := s.corrections()
	if !ok || len(r.Versions) == 0 || len(ids) == 0 || sub.CorrectionsMode() == bot.CorrectionsOff {
		return
	}
	p := bot.PostedDigest{
		Subscription: sub.ID, Slot: dr.Slot, Platform: sub.Platform, Channel: sub.Channel,
		MessageIDs: ids, Versions: r.Versions, Since: dr.Since, PostedAt: s.opts.Clock.Now(),
	}
	if err := cs.RecordPostedDigest(ctx, p); err != nil {
		log.WarnContext(ctx, "record posted digest; it will not be corrected", "err", err)
	}
}

// correct corrects the posted digests, within their subscriptions'
// windows, of which a briefing has changed since.
func (s *Scheduler) correct(ctx context.Context, subs map[string]bot.Subscription) {
	cs, composer, ok := s.corrections()
	if !ok {
		return
	}
	now := s.opts.Clock.Now()
	var longest time.Duration
	for _, sub := range subs {
		if sub.CorrectionsMode() != bot.CorrectionsOff {
			longest = max(longest, sub.CorrectionsFor())
		}
	}
	if longest == 0 {
		return
	}
	// Records beyond every window are of no more use.
	if n, err := cs.ForgetPostedDigests(ctx, now.Add(-longest)); err != nil {
		s.log.WarnContext(ctx, "forget posted digests beyond the corrections window", "err", err)
	} else if n > 0 {
		s.log.DebugContext(ctx, "forgot posted digests beyond the corrections window", "digests", n)
	}
	posted, err := cs.PostedDigests(ctx, now.Add(-longest))
	if err != nil {
		s.log.ErrorContext(ctx, "read posted digests for corrections", "err", err)
		return
	}
	for _, p := range posted {
		if ctx.Err() != nil {
			return
		}
		sub, ok := subs[p.Subscription]
		if !ok || sub.Paused || sub.CorrectionsMode() == bot.CorrectionsOff || now.Sub(p.PostedAt) > sub.CorrectionsFor() {
			continue
		}
		s.correctOne(ctx, cs, composer, sub, p, now)
	}
}

// correctOne corrects p if a briefing it shows changed and this replica
// wins the claim to do so.
func (s *Scheduler) correctOne(ctx context.Context, cs bot.CorrectionStore, composer Corrector, sub bot.Subscription, p bot.PostedDigest, now time.Time) {
	log := s.log.With("subscription", sub.ID, "slot", p.Slot.Format(time.RFC3339))
	poster, ok := s.opts.Posters[sub.Platform]
	if !ok {
		return
	}
	editor, ok := poster.(bot.DigestEditor)
	if !ok {
		return
	}
	followUp := sub.CorrectionsMode() == bot.CorrectionsFollowUp
	dr := bot.DigestRequest{Subscription: sub, Slot: p.Slot, Since: p.Since}
	if c, ok := poster.(bot.Commander); ok {
		dr.Command = c.Command()
	}
	r, versions, changed := composer.Correction(ctx, bot.CorrectionRequest{
		Digest: dr, Posted: p.Versions, PostedAt: p.PostedAt, At: now, FollowUp: followUp,
	})
	if !changed {
		return
	}
	fp := bot.Fingerprint(versions)
	won, err := cs.ClaimCorrection(ctx, sub.ID, p.Slot, fp, s.opts.Owner, s.opts.PostTimeout, now)
	if err != nil {
		log.ErrorContext(ctx, "claim digest correction", "err", err)
		return
	}
	if !won {
		return
	}
	// Like a slot, a claimed correction is seen through when the
	// scheduler stops; the claim's lease is PostTimeout, which bounds it.
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.PostTimeout)
	defer cancel()
	ref := bot.SlotRef{Subscription: sub.ID, Slot: p.Slot}
	ids := p.MessageIDs
	var postErr error
	if followUp {
		postErr = editor.FollowUpDigest(work, sub.Channel, p.MessageIDs[0], r)
	} else {
		var edited []string
		edited, postErr = editor.EditDigest(work, sub.Channel, p.MessageIDs, r, ref)
		if len(edited) >= len(p.MessageIDs) {
			ids = edited
		}
	}
	mode := sub.CorrectionsMode()
	if postErr != nil {
		if !bot.IsPermanent(postErr) {
			// The claim expires and a replica tries again.
			log.WarnContext(ctx, "digest correction failed; will try again", "mode", mode, "err", postErr)
			return
		}
		// The message is gone or the bot may no longer post there:
		// recorded as done, so that it is not tried on every pass.
		log.WarnContext(ctx, "digest correction failed for good", "mode", mode, "err", postErr)
	}
	p.MessageIDs, p.Versions, p.CorrectedAt = ids, versions, s.opts.Clock.Now()
	if err := cs.CompleteCorrection(work, fp, s.opts.Owner, p); err != nil {
		log.ErrorContext(ctx, "record digest correction", "err", err)
		return
	}
	if postErr == nil {
		log.InfoContext(ctx, "digest corrected", "mode", mode, "messages", len(ids))
	}
}
