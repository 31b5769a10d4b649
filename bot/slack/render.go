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
func escapeText(s string) string { return mrkdwnEscaper.Replace(s) }

// mrkdwnEscaper returns text without '&', '<' or '>' as it is, unallocated.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

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
	_, _ = boldEscaper.WriteString(b, s)
	b.WriteByte('*')
}

// boldEscaper is mrkdwnEscaper that also turns '*' into U+2217.
var boldEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "*", "\u2217")

// runes counts characters the way Slack's limits do.
func runes(s string) int { return textsplit.Runes(s) }

// render turns a reply into one or more Slack messages, each within Slack's
// limits. The header opens the first message; footer and buttons close the last.
func render(r bot.Reply, opts renderOptions) []message {
	var u units
	if title := strings.TrimSpace(r.Title); title != "" {
		u.add(headerBlocks(title)...)
	}
	if opts.SharedBy != "" {
		u.add(contextBlock("shared by <@" + opts.SharedBy + ">"))
	}
	if len(r.Notes) > 0 {
		var lines []string
		for _, n := range r.Notes {
			if n = strings.TrimSpace(n); n != "" {
				lines = append(lines, "_"+strings.ReplaceAll(escapeText(n), "_", "\u02cd")+"_")
			}
		}
		u.add(sectionBlocks(lines, "\n")...)
	}
	if len(r.Lede) > 0 {
		u.add(ledeBlocks(r.Lede)...)
	}
	for _, s := range r.Sections {
		u.add(sectionOf(s)...)
	}
	if len(r.Items) > 0 {
		var lines []string
		for _, it := range r.Items {
			lines = append(lines, itemLine(it))
		}
		u.add(sectionBlocks(lines, "\n")...)
	}
	if f := footerText(r.Footer); f != "" {
		u.add(contextBlock(f))
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
	u.add(actionBlocks(sugs, opts.ShareQuery)...)
	if opts.Votes {
		u.add(voteBlocks(r)...)
	}

	msgs := u.messages()
	fallback := escapeText(strings.TrimSpace(r.Title))
	if fallback == "" {
		fallback = "briefbot"
	}
	for i := range msgs {
		msgs[i].Text = fallback
	}
	return msgs
}

// units are the blocks of an answer in groups that belong together (a
// header, a section, the buttons), kept in one message when they can be.
type units struct {
	blocks []block
	ends   []int // where each group ends in blocks
	buf    [8]int
}

// add appends one group; an empty one is no group.
func (u *units) add(group ...block) {
	if len(group) == 0 {
		return
	}
	if u.blocks == nil {
		u.blocks = make([]block, 0, 8)
		u.ends = u.buf[:0]
	}
	u.blocks = append(u.blocks, group...)
	u.ends = append(u.ends, len(u.blocks))
}

// messages packs the groups into messages of at most maxBlocks blocks,
// starting a new message rather than splitting a group, and a group
// longer than a message over as many as it needs.
func (u *units) messages() []message {
	if len(u.blocks) == 0 {
		// The core never answers with nothing, but an empty Slack message
		// is an API error; say something instead.
		return []message{{Blocks: []block{sectionBlock("Nothing to show.")}}}
	}
	if len(u.blocks) <= maxBlocks {
		return []message{{Blocks: u.blocks}}
	}
	var msgs []message
	var cur []block
	flush := func() {
		if len(cur) > 0 {
			msgs = append(msgs, message{Blocks: cur})
			cur = nil
		}
	}
	start := 0
	for _, end := range u.ends {
		g := u.blocks[start:end:end]
		start = end
		if len(cur)+len(g) > maxBlocks {
			flush()
		}
		for len(g) > maxBlocks {
			msgs = append(msgs, message{Blocks: g[:maxBlocks:maxBlocks]})
			g = g[maxBlocks:]
		}
		if cur == nil {
			cur = make([]block, 0, min(len(u.blocks)-end+len(g), maxBlocks))
		}
		cur = append(cur, g...)
	}
	flush()
	return msgs
}

// ledeBlocks renders the lede's paragraphs, a blank line apart.
func ledeBlocks(lede []string) []block {
	var b strings.Builder
	n := 0
	for _, p := range lede {
		n += len(p) + 2
	}
	b.Grow(n + 16)
	for _, p := range lede {
		if p = strings.TrimSpace(p); p != "" {
			if b.Len() > 0 {
				b.WriteString("\n\n")
			}
			_, _ = mrkdwnEscaper.WriteString(&b, p)
		}
	}
	if b.Len() <= maxSectionText {
		return oneSection(b.String())
	}
	var lines []string
	for _, p := range lede {
		if p = strings.TrimSpace(p); p != "" {
			lines = append(lines, escapeText(p))
		}
	}
	return sectionBlocks(lines, "\n\n")
}

// sectionOf renders a section: its heading in bold, then its paragraphs
// and bullets, one a line. Written straight into one text, it takes one
// block when it fits in one, as nearly every section does.
func sectionOf(s bot.Section) []block {
	var b strings.Builder
	n := len(s.Heading) + 2
	for _, blk := range s.Blocks {
		n += len(blk.Label) + len(blk.Text) + 8
	}
	b.Grow(n + 16)
	if h := strings.TrimSpace(s.Heading); h != "" {
		writeBold(&b, h)
	}
	for _, blk := range s.Blocks {
		if lineEmpty(blk) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		writeBlockLine(&b, blk)
	}
	if b.Len() <= maxSectionText {
		return oneSection(b.String())
	}
	var lines []string
	if h := boldText(s.Heading); h != "" {
		lines = append(lines, h)
	}
	for _, blk := range s.Blocks {
		if l := blockLine(blk); l != "" {
			lines = append(lines, l)
		}
	}
	return sectionBlocks(lines, "\n")
}

// oneSection is text as one section block: text is within Slack's limit
// in bytes, so in characters too.
func oneSection(text string) []block {
	if text == "" {
		return nil
	}
	return []block{sectionBlock(text)}
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

// blockLine renders one paragraph or bullet as mrkdwn; "" when it is empty.
func blockLine(b bot.Block) string {
	if lineEmpty(b) {
		return ""
	}
	var line strings.Builder
	line.Grow(len(b.Label) + len(b.Text) + 16)
	writeBlockLine(&line, b)
	return line.String()
}

// lineEmpty says whether b has nothing to show.
func lineEmpty(b bot.Block) bool {
	return strings.TrimSpace(b.Label) == "" && strings.TrimSpace(b.Text) == ""
}

// writeBlockLine writes blockLine(b) for a b not lineEmpty.
func writeBlockLine(line *strings.Builder, b bot.Block) {
	text := strings.TrimSpace(b.Text)
	label := strings.TrimSpace(b.Label)
	if b.Bullet {
		line.WriteString("• ")
	}
	switch {
	case label != "" && text != "":
		line.WriteByte('*')
		_, _ = boldEscaper.WriteString(line, label)
		line.WriteString(":* ")
		_, _ = mrkdwnEscaper.WriteString(line, text)
	case label != "":
		writeBold(line, label)
	default:
		_, _ = mrkdwnEscaper.WriteString(line, text)
	}
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
	var b strings.Builder
	if s := strings.TrimSpace(f.Source); s != "" {
		b.Grow(len(s) + 40)
		b.WriteString("Source: ")
		_, _ = mrkdwnEscaper.WriteString(&b, s)
	}
	if !f.Date.IsZero() {
		if b.Len() > 0 {
			b.WriteString(" · ")
		}
		var buf [32]byte
		b.Write(f.Date.AppendFormat(buf[:0], "2 January 2006"))
	}
	return b.String()
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
	if total-len(sep) <= maxSectionText {
		// Fewer bytes than the limit means fewer characters too: one block.
		if text := strings.Join(lines, sep); text != "" {
			return []block{sectionBlock(text)}
		}
		return nil
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
func actionID(i int) string {
	if i < len(queryActionIDs) {
		return queryActionIDs[i]
	}
	return actionQueryPrefix + strconv.Itoa(i)
}

// queryActionIDs are the action IDs of the buttons one actions block holds.
var queryActionIDs = func() (ids [maxActions]string) {
	for i := range ids {
		ids[i] = actionQueryPrefix + strconv.Itoa(i)
	}
	return ids
}()

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
