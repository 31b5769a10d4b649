package slack

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/internal/textsplit"
)

// Slack's Block Kit limits, in characters as Slack counts them.
const (
	maxBlocks       = 50
	maxSectionText  = 3000
	maxHeaderText   = 150
	maxButtonText   = 75
	maxButtonValue  = 2000
	maxActions      = 25
	maxContextElems = 10
)

// Action IDs of the buttons the adapter renders. Query buttons carry an
// index suffix because action IDs must be unique within a message.
const (
	actionQueryPrefix = "briefbot_query_"
	actionShare       = "briefbot_share"
)

// message is one Slack message ready to be sent: the JSON accepted by
// response_url and, field by field, by chat.postMessage.
type message struct {
	ResponseType    string  `json:"response_type,omitempty"`
	ReplaceOriginal bool    `json:"replace_original,omitempty"`
	DeleteOriginal  bool    `json:"delete_original,omitempty"`
	ThreadTS        string  `json:"thread_ts,omitempty"`
	Text            string  `json:"text"`
	Blocks          []block `json:"blocks"`
}

// renderOptions says how a reply is to be presented.
type renderOptions struct {
	// ShareQuery, when not empty, adds a "Share in channel" button that
	// re-runs this query for everyone (ephemeral answers only).
	ShareQuery string
	// SharedBy is the Slack user ID that shared the answer, shown in a context line.
	SharedBy string
	// Votes adds Helpful / Not helpful buttons when the reply is an
	// answer about a briefing (never on digests or previews).
	Votes bool
}

// escapeText makes briefing text inert in mrkdwn: Slack's control sequences
// (<!channel>, <@U123>, <https://x|y>) all start with '<', and '&' must be
// escaped so that the other escapes round-trip.
func escapeText(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// boldText escapes s and neutralises '*', which would otherwise end the
// bold span early, by replacing it with the look-alike U+2217.
func boldText(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	writeBold(&b, s)
	return b.String()
}

// writeBold writes boldText(s) for an s already trimmed and not empty.
func writeBold(b *strings.Builder, s string) {
	b.WriteByte('*')
	if strings.ContainsAny(s, "&<>*") {
		b.WriteString(strings.ReplaceAll(escapeText(s), "*", "\u2217"))
	} else {
		b.WriteString(s)
	}
	b.WriteByte('*')
}

// runes counts characters the way Slack's limits do.
func runes(s string) int { return textsplit.Runes(s) }

// render turns a reply into one or more Slack messages, each within Slack's
// limits. The header opens the first message; footer and buttons close the last.
func render(r bot.Reply, opts renderOptions) []message {
	units := make([][]block, 0, 8)

	if title := strings.TrimSpace(r.Title); title != "" {
		units = append(units, headerBlocks(title))
	}
	if opts.SharedBy != "" {
		units = append(units, []block{contextBlock("shared by <@" + opts.SharedBy + ">")})
	}
	if len(r.Notes) > 0 {
		var lines []string
		for _, n := range r.Notes {
			if n = strings.TrimSpace(n); n != "" {
				lines = append(lines, "_"+strings.ReplaceAll(escapeText(n), "_", "\u02cd")+"_")
			}
		}
		units = append(units, sectionBlocks(lines, "\n"))
	}
	if len(r.Lede) > 0 {
		var lines []string
		for _, p := range r.Lede {
			if p = strings.TrimSpace(p); p != "" {
				lines = append(lines, escapeText(p))
			}
		}
		units = append(units, sectionBlocks(lines, "\n\n"))
	}
	for _, s := range r.Sections {
		var lines []string
		if h := boldText(s.Heading); h != "" {
			lines = append(lines, h)
		}
		for _, b := range s.Blocks {
			if l := blockLine(b); l != "" {
				lines = append(lines, l)
			}
		}
		units = append(units, sectionBlocks(lines, "\n"))
	}
	if len(r.Items) > 0 {
		var lines []string
		for _, it := range r.Items {
			lines = append(lines, itemLine(it))
		}
		units = append(units, sectionBlocks(lines, "\n"))
	}
	if f := footerText(r.Footer); f != "" {
		units = append(units, []block{contextBlock(f)})
	}
	sugs := r.Suggestions
	if len(sugs) == 0 {
		// A list or search answer without suggestions offers its items.
		for _, it := range r.Items {
			if it.Query != "" {
				sugs = append(sugs, bot.Suggestion{Label: it.Title, Query: it.Query})
			}
		}
	}
	if ab := actionBlocks(sugs, opts.ShareQuery); len(ab) > 0 {
		units = append(units, ab)
	}
	if opts.Votes {
		units = append(units, voteBlocks(r))
	}

	remaining := 0
	for _, u := range units {
		remaining += len(u)
	}
	msgs := make([]message, 0, 1)
	var cur []block
	flush := func() {
		if len(cur) > 0 {
			msgs = append(msgs, message{Blocks: cur})
			cur = nil
		}
	}
	for _, u := range units {
		if len(u) == 0 {
			continue
		}
		if len(cur)+len(u) > maxBlocks {
			flush()
		}
		for len(u) > maxBlocks {
			msgs = append(msgs, message{Blocks: u[:maxBlocks]})
			u = u[maxBlocks:]
			remaining -= maxBlocks
		}
		if cur == nil {
			cur = make([]block, 0, min(remaining, maxBlocks))
		}
		cur = append(cur, u...)
		remaining -= len(u)
	}
	flush()
	if len(msgs) == 0 {
		// The core never answers with nothing, but an empty Slack message
		// is an API error; say something instead.
		msgs = append(msgs, message{Blocks: []block{sectionBlock("Nothing to show.")}})
	}

	fallback := escapeText(strings.TrimSpace(r.Title))
	if fallback == "" {
		fallback = "briefbot"
	}
	for i := range msgs {
		msgs[i].Text = fallback
	}
	return msgs
}

// headerBlocks renders the title as a plain_text header. A title over the
// header limit is shortened at a word boundary and repeated in full below,
// so that nothing is lost.
func headerBlocks(title string) []block {
	if runes(title) <= maxHeaderText {
		return []block{headerBlock(title)}
	}
	short := textsplit.Shorten(title, maxHeaderText, nil)
	blocks := []block{headerBlock(short)}
	return append(blocks, sectionBlocks([]string{boldText(title)}, "\n")...)
}

// blockLine renders one paragraph or bullet as mrkdwn.
func blockLine(b bot.Block) string {
	text := escapeText(strings.TrimSpace(b.Text))
	label := strings.TrimSpace(b.Label)
	if label == "" && text == "" {
		return ""
	}
	var line strings.Builder
	line.Grow(len(label) + len(text) + 16)
	if b.Bullet {
		line.WriteString("• ")
	}
	switch {
	case label != "" && text != "":
		writeBold(&line, label+":")
		line.WriteByte(' ')
		line.WriteString(text)
	case label != "":
		writeBold(&line, label)
	default:
		line.WriteString(text)
	}
	return line.String()
}

func itemLine(it bot.Item) string {
	line := "• " + boldText(it.Title)
	if t := strings.TrimSpace(it.Text); t != "" {
		line += " — " + escapeText(t)
	}
	if !it.Date.IsZero() {
		line += " (" + it.Date.Format("2006-01-02") + ")"
	}
	return line
}

func footerText(f bot.Footer) string {
	var parts []string
	if s := strings.TrimSpace(f.Source); s != "" {
		parts = append(parts, "Source: "+escapeText(s))
	}
	if !f.Date.IsZero() {
		parts = append(parts, f.Date.Format("2 January 2006"))
	}
	return strings.Join(parts, " · ")
}

func contextBlock(text string) block {
	if runes(text) > maxSectionText {
		text = shorten(text, maxSectionText)
	}
	return contextTextBlock(text)
}

// sectionBlocks packs already-escaped lines into as few section blocks as
// the 3000-character limit allows, breaking between lines first and inside
// a line only when it alone is too long.
func sectionBlocks(lines []string, sep string) []block {
	total := 0
	for _, l := range lines {
		total += len(l) + len(sep)
	}
	blocks := make([]block, 0, 1)
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if curLen > 0 {
			blocks = append(blocks, sectionBlock(cur.String()))
			cur.Reset()
			curLen = 0
		}
	}
	var one [1]string
	for _, line := range lines {
		pieces := one[:]
		if len(line) <= maxSectionText {
			// Fewer bytes than the limit means fewer characters too.
			one[0] = line
		} else {
			pieces = textsplit.Split(line, maxSectionText, keepEntity)
		}
		for _, piece := range pieces {
			n := runes(piece)
			gap := 0
			if curLen > 0 {
				gap = runes(sep)
			}
			if curLen+gap+n > maxSectionText {
				flush()
				gap = 0
			}
			if gap > 0 {
				cur.WriteString(sep)
			} else if curLen == 0 {
				cur.Grow(min(total, maxSectionText*utf8.UTFMax))
			}
			cur.WriteString(piece)
			curLen += gap + n
		}
	}
	flush()
	return blocks
}

// keepEntity is where a hard cut of escaped mrkdwn may end: never inside
// an &entity;.
func keepEntity(head string) int {
	if amp := strings.LastIndexByte(head, '&'); amp > 0 && !strings.Contains(head[amp:], ";") {
		return amp
	}
	return 0
}

// shorten cuts escaped text to n characters, at a word where possible.
func shorten(s string, n int) string { return textsplit.Shorten(s, n, keepEntity) }

// actionID is the action ID of the i-th query button: unique within a
// message, as Slack requires.
func actionID(i int) string { return actionQueryPrefix + strconv.Itoa(i) }

// actionBlocks renders suggestions as buttons whose value is the query,
// plus a "Share in channel" button when shareQuery is set.
func actionBlocks(sugs []bot.Suggestion, shareQuery string) []block {
	elems := make([]button, 0, len(sugs)+1)
	for i, s := range sugs {
		q := strings.TrimSpace(s.Query)
		if q == "" || runes(q) > maxButtonValue {
			continue
		}
		label := strings.TrimSpace(s.Label)
		if label == "" {
			label = q
		}
		if runes(label) > maxButtonText {
			label = textsplit.Shorten(label, maxButtonText, nil)
		}
		elems = append(elems, newButton(actionID(i), q, label, false))
	}
	if q := strings.TrimSpace(shareQuery); q != "" && runes(q) <= maxButtonValue {
		elems = append(elems, newButton(actionShare, q, "Share in channel", true))
	}
	if len(elems) == 0 {
		return nil
	}
	blocks := make([]block, 0, (len(elems)+maxActions-1)/maxActions)
	for len(elems) > 0 {
		n := min(len(elems), maxActions)
		blocks = append(blocks, actionsBlock(elems[:n:n]))
		elems = elems[n:]
	}
	return blocks
}
