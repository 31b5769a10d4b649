package bot

import (
	"context"
	"fmt"

	"github.com/briefbot/briefbot/briefings"
)

// UpdatedMark is added to the heading of a digest entry for a briefing
// that was already there before the last digest and has changed since.
const UpdatedMark = "Updated"

// maxUpdatedBlocks caps the changes listed in one digest entry; the rest
// are counted, and "<topic> changes" shows them all.
const maxUpdatedBlocks = 6

// updatedEntry is the digest entry of br when it is an update: with
// include "new", a topic that had another version when the last digest
// went out (dr.Since) is marked "Updated" and shows what changed since
// that version, not the whole briefing again. ok is false for a topic new
// since then, and for "include: all" digests, which show every briefing
// whole. q is the query that leads back to br.
func (b *Bot) updatedEntry(ctx context.Context, lib *briefings.Library, dr DigestRequest, br *briefings.Briefing, q string) (s Section, ok bool) {
	if dr.Subscription.Include == "all" || dr.Since.IsZero() {
		return Section{}, false
	}
	hs := b.historyStore()
	past, err := topicHistory(ctx, hs, lib, br, b.now())
	if err != nil {
		b.log.WarnContext(ctx, "digest cannot tell an updated briefing from a new one", "subscription", dr.Subscription.ID, "topic", br.Key(), "err", err)
		return Section{}, false
	}
	prev, ok := previousVersion(past, VersionOf(br), br.Date, dr.Since)
	if !ok {
		return Section{}, false
	}
	s = Section{Heading: br.Title + " — " + UpdatedMark}
	more := Block{Text: fmt.Sprintf("What changed: %s %s changes", b.command, q)}
	old, err := prev.load(ctx, hs)
	if err != nil {
		// What it said before is not at hand: the entry as usual, marked.
		if h := br.Headline(); h != "" {
			s.Blocks = append(s.Blocks, Block{Text: h})
		}
		if risk, ok := topRisk(br); ok {
			s.Blocks = append(s.Blocks, risk)
		}
		s.Blocks = append(s.Blocks, Block{Text: fmt.Sprintf("More: %s %s", b.command, q)})
		return s, true
	}
	s.Blocks = append(s.Blocks, Block{Text: "Changed since the version " + versionNote(prev.SeenVersion) + "."})
	var changes []Block
	for _, cs := range changeSections(briefings.Compare(old, br)) {
		for _, bl := range cs.Blocks {
			// "Added to Looking ahead", "Removed from Risks & caveats".
			if bl.Label == LabelAdded {
				bl.Label += " to " + cs.Heading
			} else {
				bl.Label += " from " + cs.Heading
			}
			changes = append(changes, bl)
		}
	}
	if len(changes) == 0 {
		changes = append(changes, Block{Text: "The text is the same, word for word; only its formatting or source changed."})
	}
	if len(changes) > maxUpdatedBlocks {
		n := len(changes) - maxUpdatedBlocks
		changes = append(changes[:maxUpdatedBlocks], Block{Text: fmt.Sprintf("And %d more changes.", n)})
	}
	s.Blocks = append(s.Blocks, changes...)
	s.Blocks = append(s.Blocks, more)
	return s, true
}
