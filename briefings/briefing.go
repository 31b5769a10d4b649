// Package briefings parses briefing documents (plain text and Markdown) and
// keeps them in a Library that answers topic look-ups, section look-ups,
// typo corrections and ranked full-text search.
//
// A briefing is a short analytical document on one topic: a title, a lede and
// named sections such as "What's new", "Risks & caveats" or "Looking ahead",
// often with bullets of the form "- Label: text".
//
// Load parses every file of a folder at once, for a server; LoadLazy, for a
// process that answers and exits, indexes each briefing by the head of its
// file (topic, aliases, date) and parses it whole on first use.
//
// The package knows nothing of bots or chat platforms.
package briefings

import (
	"time"
)

// Kind is the canonical kind of a section, so that people's words
// ("downside", "what to watch") reach the right heading.
type Kind string

// The canonical section kinds. A heading that fits none of them has KindOther
// and is reached by its own words.
const (
	KindOther        Kind = ""
	KindRisks        Kind = "risks"
	KindOutlook      Kind = "outlook"
	KindNew          Kind = "new"
	KindSignificance Kind = "significance"
	KindBackground   Kind = "background"
)

// Block is one paragraph or one bullet of a section, in document order.
type Block struct {
	// Bullet is true for list items.
	Bullet bool `json:"bullet,omitempty"`
	// Label is the part of a bullet before its first colon
	// ("Regional diplomacy shift" in "- Regional diplomacy shift: ...").
	// It is empty for paragraphs and for bullets without a label.
	Label string `json:"label,omitempty"`
	// Text is the paragraph or bullet text (after the label, if any).
	Text string `json:"text"`
	// Line is the 1-based line in the source file where the block starts.
	Line int `json:"line"`
}

// Section is one named section of a briefing.
type Section struct {
	Heading string  `json:"heading"`
	Kind    Kind    `json:"kind,omitempty"`
	Blocks  []Block `json:"blocks"`
	// Line is the 1-based line of the heading in the source file.
	Line int `json:"line"`
	// Depth is 0 for a top-level section and one more per level of
	// nesting: a Markdown "###" under a "##" has depth 1. A section's
	// subsections follow it in Briefing.Sections, so a section and its
	// subsections are one run of that slice (see Briefing.Subsections).
	Depth int `json:"depth,omitempty"`
}

// Briefing is one parsed briefing document.
type Briefing struct {
	// Topic is the display name of the briefing's topic ("Kazakhstan").
	Topic string `json:"topic"`
	// Title is the document title; for plain-text briefings it equals Topic.
	Title   string   `json:"title"`
	Aliases []string `json:"aliases,omitempty"`
	Tags    []string `json:"tags,omitempty"`
	// Date is the front-matter date, else a date in the title line or a
	// dateline under it, else the file's modification time.
	Date time.Time `json:"date"`
	// Summary is the front-matter summary, if any.
	Summary string `json:"summary,omitempty"`
	// Source is the front-matter source (a URL or citation), if any.
	Source string `json:"source,omitempty"`
	// Byline is the "By …" line under the title, if any, without "By".
	Byline string `json:"byline,omitempty"`
	// Lede holds the paragraphs before the first section (bylines and
	// datelines under the title are not part of it).
	Lede     []Block   `json:"lede"`
	Sections []Section `json:"sections"`
	// Path is the file the briefing came from, as given to the loader.
	Path string `json:"path"`
	// Line is the 1-based line of the title in Path.
	Line int `json:"line"`
}
