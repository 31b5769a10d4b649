package briefings

import (
	"strings"
	"time"
)

// Change says what happened to a section between two versions of a briefing.
type Change string

// Section changes.
const (
	SectionAdded   Change = "added"
	SectionRemoved Change = "removed"
	SectionChanged Change = "changed"
)

// Diff is what changed between two versions of a briefing: the title,
// summary and lede, and section by section the bullets and paragraphs
// added and removed. Blocks are compared by their words, so re-wrapping a
// paragraph or re-spacing a line is no change, and moving a block within
// its section is none either: readers ask what is new, not what moved.
type Diff struct {
	// OldDate and NewDate are the dates of the two versions.
	OldDate, NewDate time.Time
	// OldTitle and NewTitle are set when the title changed.
	OldTitle, NewTitle string
	// OldSummary and NewSummary are set when the summary changed.
	OldSummary, NewSummary string
	// Lede holds the paragraphs added to and removed from the lede.
	Lede BlockChanges
	// Sections lists the sections added, removed or changed: those of the
	// new version in its order, each removed one after the section it
	// followed in the old version.
	Sections []SectionDiff
}

// BlockChanges are the bullets and paragraphs added and removed, each in
// the order of its own version.
type BlockChanges struct {
	Added   []Block
	Removed []Block
}

// Empty reports whether nothing was added or removed.
func (c BlockChanges) Empty() bool { return len(c.Added) == 0 && len(c.Removed) == 0 }

// SectionDiff is what changed in one section.
type SectionDiff struct {
	// Heading is the section's heading in the new version (in the old one
	// for a removed section).
	Heading string
	// OldHeading is set when the section was matched under another heading
	// ("Risks" became "Risks & caveats").
	OldHeading string
	Kind       Kind
	Change     Change
	// Blocks are the blocks added and removed; every block of an added or
	// removed section.
	Blocks BlockChanges
}

// Empty reports whether the two versions say the same thing, word for word.
func (d Diff) Empty() bool {
	return d.OldTitle == d.NewTitle && d.OldSummary == d.NewSummary && d.Lede.Empty() && len(d.Sections) == 0
}

// Compare returns what changed from old to new. Sections are matched by
// heading (by its normalized words), then the remaining ones by kind, in
// order, so that "Risks" renamed "Risks & caveats" is one changed section.
func Compare(old, new *Briefing) Diff {
	d := Diff{OldDate: old.Date, NewDate: new.Date}
	if words(old.Title) != words(new.Title) {
		d.OldTitle, d.NewTitle = old.Title, new.Title
	}
	if words(old.Summary) != words(new.Summary) {
		d.OldSummary, d.NewSummary = old.Summary, new.Summary
	}
	d.Lede = compareBlocks(old.Lede, new.Lede)

	match := matchSections(old.Sections, new.Sections)
	// oldOf[j] is the old section matched to new section j, or -1.
	oldOf := make([]int, len(new.Sections))
	for j := range oldOf {
		oldOf[j] = -1
	}
	for i, j := range match {
		if j >= 0 {
			oldOf[j] = i
		}
	}
	// Removed sections go after the new section matched to the old one
	// before them, so they appear about where they were.
	removedAfter := make(map[int][]int) // new index (-1: first) → old indexes
	lastMatched := -1
	for i, j := range match {
		if j >= 0 {
			lastMatched = j
			continue
		}
		removedAfter[lastMatched] = append(removedAfter[lastMatched], i)
	}
	removed := func(after int) {
		for _, i := range removedAfter[after] {
			s := &old.Sections[i]
			d.Sections = append(d.Sections, SectionDiff{
				Heading: s.Heading, Kind: s.Kind, Change: SectionRemoved,
				Blocks: BlockChanges{Removed: cloneBlocks(s.Blocks)},
			})
		}
	}
	removed(-1)
	for j := range new.Sections {
		s := &new.Sections[j]
		if i := oldOf[j]; i < 0 {
			d.Sections = append(d.Sections, SectionDiff{
				Heading: s.Heading, Kind: s.Kind, Change: SectionAdded,
				Blocks: BlockChanges{Added: cloneBlocks(s.Blocks)},
			})
		} else {
			o := &old.Sections[i]
			sd := SectionDiff{Heading: s.Heading, Kind: s.Kind, Change: SectionChanged, Blocks: compareBlocks(o.Blocks, s.Blocks)}
			if words(o.Heading) != words(s.Heading) {
				sd.OldHeading = o.Heading
			}
			if !sd.Blocks.Empty() || sd.OldHeading != "" {
				d.Sections = append(d.Sections, sd)
			}
		}
		removed(j)
	}
	return d
}

// matchSections pairs old sections with new ones: match[i] is the new
// index of old section i, or -1. Equal headings pair first, then sections
// of the same kind in document order.
func matchSections(old, new []Section) []int {
	match := make([]int, len(old))
	taken := make([]bool, len(new))
	for i := range old {
		match[i] = -1
		h := Normalize(old[i].Heading)
		for j := range new {
			if !taken[j] && Normalize(new[j].Heading) == h {
				match[i], taken[j] = j, true
				break
			}
		}
	}
	for i := range old {
		if match[i] >= 0 || old[i].Kind == KindOther {
			continue
		}
		for j := range new {
			if !taken[j] && new[j].Kind == old[i].Kind {
				match[i], taken[j] = j, true
				break
			}
		}
	}
	return match
}

// compareBlocks returns the blocks of new that old lacks and of old that
// new lacks, as multisets of their words: a block said twice and now once
// was removed once.
func compareBlocks(old, new []Block) BlockChanges {
	count := make(map[string]int, len(old))
	for _, b := range old {
		count[blockWords(b)]++
	}
	var c BlockChanges
	for _, b := range new {
		k := blockWords(b)
		if count[k] > 0 {
			count[k]--
			continue
		}
		c.Added = append(c.Added, b)
	}
	for i := len(old) - 1; i >= 0; i-- {
		k := blockWords(old[i])
		if count[k] > 0 {
			count[k]--
			c.Removed = append(c.Removed, old[i])
		}
	}
	// Collected from the end, so that of repeated blocks the last ones
	// count as removed; put back in document order.
	for i, j := 0, len(c.Removed)-1; i < j; i, j = i+1, j-1 {
		c.Removed[i], c.Removed[j] = c.Removed[j], c.Removed[i]
	}
	return c
}

// blockWords is what a block says, as its words separated by single
// spaces: "- Risk: text" and an unlabelled "Risk: text" say the same, and
// whether it is a bullet or a paragraph does not count.
func blockWords(b Block) string {
	if b.Label != "" {
		return words(b.Label + ": " + b.Text)
	}
	return words(b.Text)
}

func words(s string) string { return strings.Join(strings.Fields(s), " ") }

func cloneBlocks(bs []Block) []Block {
	if len(bs) == 0 {
		return nil
	}
	return append([]Block(nil), bs...)
}
