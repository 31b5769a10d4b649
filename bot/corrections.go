package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// Corrections modes of a subscription.
const (
	// CorrectionsEdit edits the posted digest in place, marked "Corrected".
	CorrectionsEdit = "edit"
	// CorrectionsFollowUp posts a note in the digest's thread instead.
	CorrectionsFollowUp = "follow_up"
	// CorrectionsOff leaves posted digests as they are.
	CorrectionsOff = "off"
)

// DefaultCorrectionsWindow is how long after posting a digest is corrected
// when its subscription does not say.
const DefaultCorrectionsWindow = 24 * time.Hour

// CorrectedMark starts the note of a corrected digest ("Corrected 14:05 UTC").
const CorrectedMark = "Corrected"

// ValidCorrections reports whether mode is a corrections mode ("" is edit).
func ValidCorrections(mode string) bool {
	return mode == "" || mode == CorrectionsEdit || mode == CorrectionsFollowUp || mode == CorrectionsOff
}

// CorrectionsMode is sub's corrections mode, "" read as CorrectionsEdit.
func (s Subscription) CorrectionsMode() string {
	if s.Corrections == "" {
		return CorrectionsEdit
	}
	return s.Corrections
}

// CorrectionsFor is how long after posting sub's digests are corrected.
func (s Subscription) CorrectionsFor() time.Duration {
	if s.CorrectionsWindow <= 0 {
		return DefaultCorrectionsWindow
	}
	return s.CorrectionsWindow
}

// PostedDigest is the store's record of one digest posted in full: where
// its messages are and which briefing versions they show, so that any
// replica, after any restart, can correct it.
type PostedDigest struct {
	Subscription string
	// Slot is the scheduled time, in UTC.
	Slot     time.Time
	Platform Platform
	Channel  string
	// MessageIDs are the platform's identifiers of its messages in part
	// order: Slack message timestamps, Discord message IDs.
	MessageIDs []string
	// Versions are the briefing versions the digest shows now: as posted,
	// or as last corrected.
	Versions []BriefingVersion
	// Since is where "new" started when it was composed.
	Since time.Time
	// PostedAt is when it was posted; the corrections window runs from it.
	PostedAt time.Time
	// CorrectedAt is when it was last corrected, zero if never.
	CorrectedAt time.Time
}

// Fingerprint names a set of briefing versions in any order: a correction
// to it is claimed once.
func Fingerprint(vs []BriefingVersion) string {
	keys := make([]string, len(vs))
	for i, v := range vs {
		keys[i] = v.Topic + "\x00" + v.Hash
	}
	slices.Sort(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\x01")))
	return hex.EncodeToString(sum[:16])
}

// CorrectionStore keeps the posted digests' message references and the
// claims that let one replica, once, correct each.
type CorrectionStore interface {
	// RecordPostedDigest records p, replacing an earlier record of the
	// same subscription and slot.
	RecordPostedDigest(ctx context.Context, p PostedDigest) error
	// PostedDigests returns the digests posted at or after since, oldest
	// first.
	PostedDigests(ctx context.Context, since time.Time) ([]PostedDigest, error)
	// ClaimCorrection claims the correction of the digest of sub at slot
	// to the versions named by fingerprint, for owner until now+lease. It
	// reports whether owner won: the correction was never claimed, or its
	// claim expired at or before now unfinished. Of any number of
	// concurrent claimers exactly one wins, and a finished correction is
	// never claimed again.
	ClaimCorrection(ctx context.Context, sub string, slot time.Time, fingerprint, owner string, lease time.Duration, now time.Time) (bool, error)
	// CompleteCorrection finishes owner's claim and records the digest as
	// it is now (p's message IDs, versions and CorrectedAt), atomically.
	// It returns ErrClaimLost, changing nothing, when owner no longer
	// holds the claim.
	CompleteCorrection(ctx context.Context, fingerprint, owner string, p PostedDigest) error
	// ForgetPostedDigests removes the records, and their corrections'
	// claims, of the digests posted before before, and returns how many.
	ForgetPostedDigests(ctx context.Context, before time.Time) (int, error)
}

// DigestEditor is what a Poster may also implement to correct posted
// digests. The Slack and Discord adapters do.
type DigestEditor interface {
	// EditDigest replaces the messages of the digest for ref in channel
	// (their IDs in part order) with r, and returns the IDs of the
	// messages that now hold it: parts beyond the old ones are posted
	// anew, old parts beyond the new ones say they were folded into the
	// parts above.
	EditDigest(ctx context.Context, channel string, ids []string, r Reply, ref SlotRef) ([]string, error)
	// FollowUpDigest posts r as a reply to the digest message id in
	// channel: in its thread on Slack, as a reply referencing it on
	// Discord.
	FollowUpDigest(ctx context.Context, channel, id string, r Reply) error
}

// CorrectionRequest asks the core what the correction of a posted digest
// says.
type CorrectionRequest struct {
	// Digest is the request the digest was composed with: its
	// subscription, slot, Since and command.
	Digest DigestRequest
	// Posted is what the digest shows now (PostedDigest.Versions).
	Posted []BriefingVersion
	// PostedAt is when it was posted.
	PostedAt time.Time
	// At is the time of the correction, for its marker.
	At time.Time
	// FollowUp asks for a note on what changed rather than the whole
	// digest as it should read now.
	FollowUp bool
}

// Correction composes the correction of a posted digest when one of the
// briefings it shows has changed (or was withdrawn) since: changed is false,
// cheaply, when none has. With FollowUp, r is a note with an entry per
// changed briefing showing what changed since the posted version;
// otherwise r is the digest as it reads now, limited to the briefings it
// showed and marked "Corrected <time>". versions are the versions the
// digest shows once corrected; they always differ from Posted.
func (b *Bot) Correction(ctx context.Context, cr CorrectionRequest) (r Reply, versions []BriefingVersion, changed bool) {
	lib := b.lib.Load()
	var changedTopics, withdrawn []string
	only := make(map[string]bool, len(cr.Posted))
	titles := map[string]string{}
	for _, v := range cr.Posted {
		only[v.Topic] = true
		// Looked up by key, not by walking the library: a pass looks
		// at every digest posted within the window.
		vs := lib.Versions(v.Topic)
		if len(vs) == 0 || vs[0].Key() != v.Topic {
			withdrawn = append(withdrawn, v.Topic)
			continue
		}
		if cur := cr.Digest.versionOf(vs[0]); cur != v {
			changedTopics = append(changedTopics, v.Topic)
			titles[v.Topic] = vs[0].Title
		}
	}
	if len(changedTopics) == 0 && len(withdrawn) == 0 {
		return Reply{}, nil, false
	}
	dr := cr.Digest
	loc := time.UTC
	if tz := dr.Subscription.Timezone; tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	names := make([]string, 0, len(changedTopics)+len(withdrawn))
	for _, t := range changedTopics {
		names = append(names, titles[t])
	}
	marker := fmt.Sprintf("%s %s", CorrectedMark, cr.At.In(loc).Format("Mon 2 Jan 15:04 MST"))
	var why []string
	if len(changedTopics) > 0 {
		why = append(why, strings.Join(names, ", ")+" changed after this digest was posted")
	}
	if len(withdrawn) > 0 {
		verb := " was withdrawn"
		if len(withdrawn) > 1 {
			verb = " were withdrawn"
		}
		why = append(why, strings.Join(b.withdrawnTitles(ctx, cr.Posted, withdrawn), ", ")+verb)
	}
	note := marker + ": " + strings.Join(why, "; ") + "."
	if cr.FollowUp {
		// What changed since the posted version: "new" starts when the
		// digest went out, and every changed briefing is an update.
		dr.Since = cr.PostedAt
		dr.Subscription.Include = "new"
		dr.only = make(map[string]bool, len(changedTopics))
		for _, t := range changedTopics {
			dr.only[t] = true
		}
		r, _ = b.Digest(ctx, dr)
		slot := dr.Slot.In(loc).Format("Monday 2 January 2006")
		r.Title = "Correction to the digest of " + slot
		r.Notes = []string{note}
		// The digest shows the corrected versions from now on, for
		// this note's purposes: the same change is noted once.
		versions = correctedVersions(cr.Posted, r.Versions, withdrawn)
		return r, versions, true
	}
	dr.only = only
	r, _ = b.Digest(ctx, dr)
	r.Notes = append([]string{note}, r.Notes...)
	if len(r.Sections) == 0 {
		// Everything it showed was withdrawn: "nothing new" would be wrong.
		r.Notes = []string{note}
	}
	return r, r.Versions, true
}

// correctedVersions is posted with the versions in now replacing those of
// their topics, and the withdrawn topics left out.
func correctedVersions(posted, now []BriefingVersion, withdrawn []string) []BriefingVersion {
	byTopic := make(map[string]BriefingVersion, len(now))
	for _, v := range now {
		byTopic[v.Topic] = v
	}
	out := make([]BriefingVersion, 0, len(posted))
	for _, v := range posted {
		if slices.Contains(withdrawn, v.Topic) {
			continue
		}
		if nv, ok := byTopic[v.Topic]; ok {
			v = nv
		}
		out = append(out, v)
	}
	return out
}

// withdrawnTitles names the withdrawn topics by their titles where the
// history keeps what the posted version said, else by topic key.
func (b *Bot) withdrawnTitles(ctx context.Context, posted []BriefingVersion, withdrawn []string) []string {
	hs := b.historyStore()
	out := make([]string, 0, len(withdrawn))
	for _, t := range withdrawn {
		name := t
		for _, v := range posted {
			if v.Topic != t || hs == nil {
				continue
			}
			if br, err := hs.KeptBriefing(ctx, v); err == nil && br.Title != "" {
				name = br.Title
			}
		}
		out = append(out, name)
	}
	return out
}

// versionOf is b's version, from FirstSeen's cache when dr has one, so
// that a briefing is hashed once per library rather than once per digest.
func (dr DigestRequest) versionOf(b *briefings.Briefing) BriefingVersion {
	if f := dr.FirstSeen; f != nil {
		f.mu.Lock()
		v, ok := f.of[b]
		f.mu.Unlock()
		if ok {
			return v
		}
	}
	return VersionOf(b)
}
