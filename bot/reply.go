package bot

import (
	"context"
	"time"
)

// Platform names where a request came from ("slack", "discord", "cli").
// Each adapter names its own platform; the core only compares names.
type Platform string

// Request is one question put to the bot: the text after the command
// ("kazakhstan risks" for "/brief kazakhstan risks") and who asked where.
type Request struct {
	Platform Platform
	// User and Channel are platform identifiers; the core treats them as opaque.
	User    string
	Channel string
	// Command is how the user reached the bot on their platform ("/brief",
	// "/briefing", "@briefbot"); answers that say what to type next use
	// it. Empty means the bot's configured command.
	Command string
	// Text is what the user typed after the command or mention.
	Text string
	// MayManage reports whether the user may change the channel's digest
	// subscriptions (Manage Channels on Discord, a workspace admin or
	// configured admin on Slack). The core calls it only for subscribe and
	// unsubscribe, so an adapter that must ask its platform asks only
	// then. Nil means no.
	MayManage func(ctx context.Context) bool
}

// mayManage asks req's MayManage, if any.
func (req Request) mayManage(ctx context.Context) bool {
	return req.MayManage != nil && req.MayManage(ctx)
}

// commandFor is the command to show the user who sent req.
func (b *Bot) commandFor(req Request) string {
	if req.Command != "" {
		return req.Command
	}
	return b.command
}

// Kind says what sort of answer a Reply is.
type Kind string

// Reply kinds, also used as the "kind" label of metrics and logs.
const (
	KindHelp     Kind = "help"
	KindList     Kind = "list"
	KindOverview Kind = "overview"
	KindSection  Kind = "section"
	KindFull     Kind = "full"
	KindSearch   Kind = "search"
	KindNotFound Kind = "not_found"
	KindError    Kind = "error"
	KindDigest   Kind = "digest"
	// KindSubscriptions answers the subscribe, unsubscribe and
	// subscriptions commands.
	KindSubscriptions Kind = "subscriptions"
)

// Visibility says who should see a reply, where the platform can choose.
type Visibility string

// Visibilities. VisibilityDefault leaves the choice to the adapter's configuration.
const (
	VisibilityDefault Visibility = ""
	VisibilityPrivate Visibility = "private"
	VisibilityPublic  Visibility = "public"
)

// Reply is the core's structured answer. It holds no markup: each platform
// renders it in its own way, escaping every text field.
type Reply struct {
	Kind Kind `json:"kind"`
	// Topic is the topic key the reply is about, when it is about one briefing.
	Topic string `json:"topic,omitempty"`
	// Title heads the answer ("Kazakhstan", "Topics", "Search: accords").
	Title string `json:"title"`
	// Notes are short remarks shown before the body
	// ("Showing Kazakhstan for 'kazakstan'.").
	Notes []string `json:"notes,omitempty"`
	// Lede holds introductory paragraphs.
	Lede []string `json:"lede,omitempty"`
	// Sections are the briefing sections (or help sections) to show, in order.
	Sections []Section `json:"sections,omitempty"`
	// Items are list entries: topics for KindList, hits for KindSearch.
	Items []Item `json:"items,omitempty"`
	// Suggestions are queries the user could send next, such as the
	// briefing's other sections or "did you mean" topics.
	Suggestions []Suggestion `json:"suggestions,omitempty"`
	Footer      Footer       `json:"footer"`
	Visibility  Visibility   `json:"visibility,omitempty"`
	// Corrected is true when the topic was found after correcting a typo.
	Corrected bool `json:"corrected,omitempty"`
	// Versions, in a digest, are the briefing versions it shows, so that
	// the scheduler can correct it when one of them changes.
	Versions []BriefingVersion `json:"-"`
}

// Section is a titled part of a reply.
type Section struct {
	Heading string  `json:"heading"`
	Blocks  []Block `json:"blocks"`
}

// Block is a paragraph or a bullet with an optional label.
type Block struct {
	Bullet bool   `json:"bullet,omitempty"`
	Label  string `json:"label,omitempty"`
	Text   string `json:"text"`
}

// Item is one entry of a list or search reply.
type Item struct {
	Title string `json:"title"`
	// Text is a one-line headline or a search snippet.
	Text string    `json:"text,omitempty"`
	Date time.Time `json:"date,omitzero"`
	// Query asks for this item ("kazakhstan", "kazakhstan risks").
	Query string `json:"query,omitempty"`
}

// Suggestion is a follow-up query with a short human label,
// rendered as a button where the platform has them.
type Suggestion struct {
	Label string `json:"label"`
	Query string `json:"query"`
}

// Footer carries where an answer came from.
type Footer struct {
	Source string    `json:"source,omitempty"`
	Date   time.Time `json:"date,omitzero"`
}
