package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// KindChanges answers "<topic> changes": what changed in a briefing since
// its previous version.
const KindChanges Kind = "changes"

// Labels of the blocks of a changes reply and of an updated digest entry.
const (
	LabelAdded   = "Added"
	LabelRemoved = "Removed"
)

// Changes answers "<topic> changes" ("what changed in kazakhstan",
// "kazakhstan what's changed"): what changed in the newest briefing of
// topic (any name Library.Versions resolves) since the version before it,
// or, when since is not zero, since the version that was current then.
// Each changed section comes with its blocks labelled "Added" and
// "Removed"; the notes give both versions' dates and when each was first
// seen. The versions come from the library and, when the Store is a
// HistoryStore, from the history it keeps, so that a file edited in place
// or a briefing published again is compared with what it said before.
func (b *Bot) Changes(ctx context.Context, lib *briefings.Library, topic string, since time.Time) Reply {
	versions := lib.Versions(topic)
	if len(versions) == 0 {
		// Not a topic's name: understand it as a question would be, with
		// its typo correction, notes and suggestions.
		return b.topic(ctx, lib, newQuestion(topic+" changes"))
	}
	cur := versions[0]
	hs := b.historyStore()
	past, err := topicHistory(ctx, hs, lib, cur, b.now())
	if err != nil {
		b.log.WarnContext(ctx, "changes answered from the library alone", "topic", cur.Key(), "err", err)
		hs = nil
		past, _ = topicHistory(ctx, nil, lib, cur, b.now())
	}
	r := b.briefingReply(lib, cur, KindChanges)
	r.Title = cur.Title + ": what changed"
	q := b.topicQuery(lib, cur)
	r.Suggestions = []Suggestion{{Label: "Whole briefing", Query: q + " all"}, {Label: "Overview", Query: q}}

	curV := VersionOf(cur)
	var curSeen SeenVersion
	for _, v := range past {
		if v.BriefingVersion == curV {
			curSeen = v.SeenVersion
		}
	}
	prev, ok := previousVersion(past, curV, cur.Date, since)
	switch {
	case !ok && !since.IsZero() && prev.BriefingVersion == curV:
		r.Notes = append(r.Notes, fmt.Sprintf("Nothing in the %s briefing has changed since %s.", cur.Topic, when(since)))
		r.Notes = append(r.Notes, "This version: "+versionNote(curSeen)+".")
		return r
	case !ok:
		if since.IsZero() {
			r.Notes = append(r.Notes, fmt.Sprintf("No earlier version of the %s briefing is known: this is the first one seen.", cur.Topic))
		} else {
			r.Notes = append(r.Notes, fmt.Sprintf("No version of the %s briefing is known from before %s.", cur.Topic, when(since)))
		}
		r.Notes = append(r.Notes, "This version: "+versionNote(curSeen)+".")
		r.Suggestions = append(r.Suggestions, b.sectionSuggestions(lib, cur, r.Topic, nil)...)
		return r
	}
	old, err := prev.load(ctx, hs)
	if err != nil {
		if !errors.Is(err, ErrNotKept) {
			b.log.WarnContext(ctx, "earlier version of a briefing not read", "topic", cur.Key(), "err", err)
		}
		r.Notes = append(r.Notes,
			fmt.Sprintf("The %s briefing has changed, but what the earlier version said is not at hand.", cur.Topic))
		r.Notes = append(r.Notes, versionNotes(curSeen, prev.SeenVersion)...)
		return r
	}
	d := briefings.Compare(old, cur)
	r.Notes = append(r.Notes, versionNotes(curSeen, prev.SeenVersion)...)
	if d.Empty() {
		// Only what a version hash counts and Compare does not: the source.
		r.Notes = append(r.Notes, "The text is the same, word for word; only its formatting or source changed.")
		return r
	}
	if d.NewTitle != "" {
		r.Notes = append(r.Notes, fmt.Sprintf("Title was %q.", d.OldTitle))
	}
	r.Sections = changeSections(d)
	return r
}

// changeSections turns a diff into reply sections: the summary and the
// lede first, then each section added, removed or changed.
func changeSections(d briefings.Diff) []Section {
	var out []Section
	if d.OldSummary != "" || d.NewSummary != "" {
		s := Section{Heading: "Summary"}
		if d.NewSummary != "" {
			s.Blocks = append(s.Blocks, Block{Bullet: true, Label: LabelAdded, Text: d.NewSummary})
		}
		if d.OldSummary != "" {
			s.Blocks = append(s.Blocks, Block{Bullet: true, Label: LabelRemoved, Text: d.OldSummary})
		}
		out = append(out, s)
	}
	if !d.Lede.Empty() {
		out = append(out, Section{Heading: "Introduction", Blocks: changeBlocks(d.Lede)})
	}
	for _, sd := range d.Sections {
		s := Section{Heading: sectionChangeHeading(sd), Blocks: changeBlocks(sd.Blocks)}
		out = append(out, s)
	}
	return out
}

// sectionChangeHeading names a changed section and what happened to it.
func sectionChangeHeading(sd briefings.SectionDiff) string {
	switch {
	case sd.Change == briefings.SectionAdded:
		return sd.Heading + " (new section)"
	case sd.Change == briefings.SectionRemoved:
		return sd.Heading + " (section removed)"
	case sd.OldHeading != "":
		return fmt.Sprintf("%s (was %s)", sd.Heading, sd.OldHeading)
	}
	return sd.Heading
}

// changeBlocks lists what was added, then what was removed, each block
// labelled so; a bullet's own label stays in its text. Every change is a
// bullet, paragraphs included: renderers show a label on every bullet.
func changeBlocks(c briefings.BlockChanges) []Block {
	out := make([]Block, 0, len(c.Added)+len(c.Removed))
	for _, bl := range c.Added {
		out = append(out, Block{Bullet: true, Label: LabelAdded, Text: blockText(bl)})
	}
	for _, bl := range c.Removed {
		out = append(out, Block{Bullet: true, Label: LabelRemoved, Text: blockText(bl)})
	}
	return out
}

func blockText(bl briefings.Block) string {
	if bl.Label != "" {
		return bl.Label + ": " + bl.Text
	}
	return bl.Text
}

// versionNote describes a version by its date and when it was first
// seen ("dated Sun 29 Nov 2026, first seen Sun 29 Nov 2026 14:02 UTC"),
// as far as they are known.
func versionNote(v SeenVersion) string {
	var parts []string
	if !v.Date.IsZero() {
		parts = append(parts, "dated "+v.Date.UTC().Format("Mon 2 Jan 2006"))
	}
	if !v.FirstSeen.IsZero() {
		parts = append(parts, "first seen "+when(v.FirstSeen))
	}
	if len(parts) == 0 {
		return "date unknown"
	}
	return strings.Join(parts, ", ")
}

// versionNotes are the notes naming the two versions compared.
func versionNotes(cur, prev SeenVersion) []string {
	return []string{"This version: " + versionNote(cur) + ".", "Previous version: " + versionNote(prev) + "."}
}

func when(t time.Time) string { return t.UTC().Format("Mon 2 Jan 2006 15:04 MST") }
