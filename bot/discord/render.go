package discord

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/internal/textsplit"
)

// Discord's documented limits, counted in characters (runes here).
const (
	maxTitle         = 256
	maxDescription   = 4096
	maxFields        = 25
	maxFieldName     = 256
	maxFieldValue    = 1024
	maxFooter        = 2048
	maxEmbedsTotal   = 6000
	maxEmbeds        = 10
	maxContent       = 2000
	maxButtonLabel   = 80
	maxCustomID      = 100
	maxButtonsPerRow = 5
	maxRows          = 5
	maxChoices       = 25
	maxChoiceLen     = 100
	maxNonce         = 25
)

// Message flags and component types from Discord's API.
const (
	flagEphemeral       = 1 << 6
	componentActionRow  = 1
	componentButton     = 2
	buttonStyleSecondar = 2
)

// customIDPrefix marks the buttons this adapter made; the rest of the
// custom_id is the query the button asks.
const customIDPrefix = "q:"

// message is the JSON body of every message the adapter creates or edits
// (channel posts, interaction responses, webhook edits and follow-ups).
type message struct {
	Content          string            `json:"content,omitempty"`
	Embeds           []embed           `json:"embeds"`
	Components       []actionRow       `json:"components"`
	Flags            int               `json:"flags,omitempty"`
	AllowedMentions  allowedMentions   `json:"allowed_mentions"`
	Nonce            string            `json:"nonce,omitempty"`
	EnforceNonce     bool              `json:"enforce_nonce,omitempty"`
	MessageReference *messageReference `json:"message_reference,omitempty"`
}

// allowedMentions always serializes as {"parse":[]}: nothing the bot sends
// may ping anyone, whatever the briefing text says.
type allowedMentions struct{}

func (allowedMentions) MarshalJSON() ([]byte, error) { return []byte(`{"parse":[]}`), nil }

type messageReference struct {
	MessageID       string `json:"message_id"`
	ChannelID       string `json:"channel_id,omitempty"`
	GuildID         string `json:"guild_id,omitempty"`
	FailIfNotExists bool   `json:"fail_if_not_exists"`
}

type embed struct {
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	Color       int          `json:"color,omitempty"`
	Fields      []embedField `json:"fields,omitempty"`
	Footer      *embedFooter `json:"footer,omitempty"`
}

type embedField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

type embedFooter struct {
	Text string `json:"text"`
}

type actionRow struct {
	Type       int      `json:"type"`
	Components []button `json:"components"`
}

type button struct {
	Type     int    `json:"type"`
	Style    int    `json:"style"`
	Label    string `json:"label"`
	CustomID string `json:"custom_id"`
}

// size is what the embed counts towards the 6000-character message limit.
func (e embed) size() int {
	n := runes(e.Title) + runes(e.Description)
	for _, f := range e.Fields {
		n += runes(f.Name) + runes(f.Value)
	}
	if e.Footer != nil {
		n += runes(e.Footer.Text)
	}
	return n
}

// colours per kind of answer, so a glance tells an error from a briefing.
func colour(k bot.Kind) int {
	switch k {
	case bot.KindError:
		return 0xC0392B
	case bot.KindNotFound:
		return 0xD68910
	case bot.KindHelp:
		return 0x27AE60
	case bot.KindList:
		return 0x7F8C8D
	case bot.KindSearch:
		return 0x16A085
	}
	return 0x2E6DB4
}

// renderReply turns a reply into one or more messages that each fit
// Discord's limits. Text is split at section, then paragraph, then word
// boundaries; nothing is dropped. Buttons go on the last message. Flags,
// nonces and references are left to the caller.
func renderReply(r bot.Reply) []message {
	units := replyUnits(r)
	embeds := descriptionEmbeds(units)
	embeds = addItemFields(embeds, r.Items)
	if len(embeds) == 0 {
		embeds = []embed{{Description: "No answer."}}
	}
	footer := footerText(r.Footer)
	title := truncate(escape(r.Title), maxTitle)
	msgs := packMessages(embeds, runes(footer))
	for i := range msgs {
		es := msgs[i].Embeds
		switch {
		case i == 0:
			es[0].Title = title
		case r.Title != "":
			es[0].Title = truncate(title+" (continued)", maxTitle)
		}
		for j := range es {
			es[j].Color = colour(r.Kind)
		}
		es[len(es)-1].Footer = &embedFooter{Text: footer}
		msgs[i].Components = []actionRow{}
	}
	msgs[len(msgs)-1].Components = buttons(r)
	return msgs
}

// unit is one paragraph of an embed description.
type unit struct {
	text    string
	heading bool // starts a section; kept with the unit after it
	bullet  bool
	prefix  string // bullet marker and label, never split from the first word
}

func replyUnits(r bot.Reply) []unit {
	var us []unit
	for _, n := range r.Notes {
		if n = strings.TrimSpace(n); n != "" {
			us = append(us, unit{text: "*" + escape(n) + "*"})
		}
	}
	for _, p := range r.Lede {
		if p = strings.TrimSpace(p); p != "" {
			us = append(us, unit{text: escape(p)})
		}
	}
	for _, s := range r.Sections {
		if h := strings.TrimSpace(s.Heading); h != "" {
			us = append(us, unit{text: "**" + truncate(escape(h), maxTitle) + "**", heading: true})
		}
		for _, b := range s.Blocks {
			u := unit{text: escape(strings.TrimSpace(b.Text)), bullet: b.Bullet}
			if b.Bullet {
				u.prefix = "• "
			}
			if l := strings.TrimSpace(b.Label); l != "" {
				u.prefix += "**" + escape(l) + ":** "
			}
			us = append(us, u)
		}
	}
	return us
}

// descriptionEmbeds lays units out in embed descriptions of at most
// maxDescription characters. A section that does not fit in the current
// embed but fits in a fresh one starts a fresh one.
func descriptionEmbeds(us []unit) []embed {
	var (
		out  []embed
		cur  strings.Builder
		n    int // runes in cur
		prev *unit
	)
	flush := func() {
		if n > 0 {
			out = append(out, embed{Description: cur.String()})
		}
		cur.Reset()
		n, prev = 0, nil
	}
	sep := func(u *unit) string {
		switch {
		case prev == nil:
			return ""
		case prev.heading || (prev.bullet && u.bullet):
			return "\n"
		}
		return "\n\n"
	}
	add := func(u *unit, s string) {
		sp := sep(u)
		cur.WriteString(sp)
		cur.WriteString(s)
		n += runes(sp) + runes(s)
		prev = u
	}
	for i := range us {
		u := &us[i]
		whole := u.prefix + u.text
		if u.heading {
			// Keep a section together when it fits an embed of its own,
			// and never leave a heading alone at the end of one.
			sec := sectionRunes(us[i:])
			if n > 0 && n+2+sec > maxDescription && sec <= maxDescription {
				flush()
			}
			if next := i + 1; next < len(us) && n > 0 {
				nr := runes(us[next].prefix) + runes(us[next].text)
				if nr+1+runes(whole) <= maxDescription && n+2+runes(whole)+1+nr > maxDescription {
					flush()
				}
			}
		}
		if n+runes(sep(u))+runes(whole) <= maxDescription {
			add(u, whole)
			continue
		}
		if runes(whole) <= maxDescription {
			flush()
			add(u, whole)
			continue
		}
		// Longer than a whole description: fill what is left of this embed
		// (so a heading keeps its text), then whole embeds, splitting at
		// sentence and word boundaries.
		room := maxDescription - n - runes(sep(u)) - runes(u.prefix)
		if room < 200 {
			flush()
			room = maxDescription - runes(u.prefix)
		}
		first := splitWords(u.text, room)[0]
		add(u, u.prefix+first)
		rest := strings.TrimLeftFunc(u.text[len(first):], unicode.IsSpace)
		if rest == "" {
			continue
		}
		for _, p := range splitWords(rest, maxDescription) {
			flush()
			add(u, p)
		}
	}
	flush()
	return out
}

// sectionRunes is the length of the section starting at us[0] as laid out.
func sectionRunes(us []unit) int {
	n := runes(us[0].text)
	for i := 1; i < len(us) && !us[i].heading; i++ {
		n += 2 + runes(us[i].prefix) + runes(us[i].text)
	}
	return n
}

// addItemFields appends list and search items as embed fields, starting in
// the last embed and opening new ones after 25 fields or when the embed
// would outgrow what a message may carry.
func addItemFields(es []embed, items []bot.Item) []embed {
	if len(items) == 0 {
		return es
	}
	if len(es) == 0 {
		es = append(es, embed{})
	}
	const budget = maxEmbedsTotal - maxTitle - 300 // room for title and footer
	for _, it := range items {
		name := truncate(escape(strings.TrimSpace(it.Title)), maxFieldName)
		if name == "" {
			name = "\u200b"
		}
		var v []string
		if t := strings.TrimSpace(it.Text); t != "" {
			v = append(v, escape(t))
		}
		if !it.Date.IsZero() {
			v = append(v, it.Date.Format("2 Jan 2006"))
		}
		if q := strings.TrimSpace(it.Query); q != "" {
			v = append(v, "`/brief "+strings.ReplaceAll(q, "`", "'")+"`")
		}
		value := strings.Join(v, " · ")
		if value == "" {
			value = "\u200b"
		}
		for i, part := range splitWords(value, maxFieldValue) {
			f := embedField{Name: name, Value: part}
			if i > 0 {
				f.Name = "\u200b"
			}
			last := &es[len(es)-1]
			if len(last.Fields) >= maxFields || last.size()+runes(f.Name)+runes(f.Value) > budget {
				es = append(es, embed{})
				last = &es[len(es)-1]
			}
			last.Fields = append(last.Fields, f)
		}
	}
	return es
}

// packMessages puts embeds into messages of at most 10 embeds and 6000
// characters, reserving room for a title and a footer on each.
func packMessages(es []embed, footer int) []message {
	var msgs []message
	total := 0
	for _, e := range es {
		sz := e.size()
		if len(msgs) == 0 || len(msgs[len(msgs)-1].Embeds) >= maxEmbeds || total+sz > maxEmbedsTotal-footer-maxTitle {
			msgs = append(msgs, message{})
			total = 0
		}
		m := &msgs[len(msgs)-1]
		m.Embeds = append(m.Embeds, e)
		total += sz
	}
	return msgs
}

func footerText(f bot.Footer) string {
	var parts []string
	if s := strings.TrimSpace(f.Source); s != "" {
		parts = append(parts, truncate(neutralizeMentions(s), 512))
	}
	if !f.Date.IsZero() {
		parts = append(parts, f.Date.Format("2 January 2006"))
	}
	if len(parts) == 0 {
		return "briefbot"
	}
	return truncate(strings.Join(parts, " · "), maxFooter)
}

// buttons renders the reply's suggestions, then its items' queries, as up to
// 25 buttons in rows of five. A query too long for a custom_id gets no
// button rather than a wrong one.
func buttons(r bot.Reply) []actionRow {
	type choice struct{ label, query string }
	var cs []choice
	for _, s := range r.Suggestions {
		cs = append(cs, choice{s.Label, s.Query})
	}
	for _, it := range r.Items {
		cs = append(cs, choice{it.Title, it.Query})
	}
	rows := []actionRow{}
	seen := map[string]bool{}
	for _, c := range cs {
		q := strings.TrimSpace(c.query)
		id := customIDPrefix + q
		if q == "" || runes(id) > maxCustomID || seen[id] {
			continue
		}
		if len(rows) == maxRows && len(rows[maxRows-1].Components) == maxButtonsPerRow {
			break
		}
		seen[id] = true
		label := strings.TrimSpace(c.label)
		if label == "" {
			label = q
		}
		b := button{Type: componentButton, Style: buttonStyleSecondar, Label: truncate(neutralizeMentions(label), maxButtonLabel), CustomID: id}
		if len(rows) == 0 || len(rows[len(rows)-1].Components) == maxButtonsPerRow {
			rows = append(rows, actionRow{Type: componentActionRow})
		}
		rows[len(rows)-1].Components = append(rows[len(rows)-1].Components, b)
	}
	return rows
}

// escape masks Markdown that would change the meaning of briefing text in
// Discord: emphasis, strike-through, code, spoilers, masked links, mentions
// of the form <@id>, and block quotes, headings and lists at line starts.
// Discord drops a backslash before any punctuation, so escaped text reads
// the same. @everyone and @here also get a zero-width space, in case a
// client ignores allowed_mentions.
func escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	return escapeAll(s)
}

// escapeAll is escape without the fast path.
func escapeAll(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	lineStart := true
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n':
			lineStart = true
			b.WriteByte('\n')
			i += w
			continue
		case lineStart && (r == ' ' || r == '\t'):
			b.WriteRune(r)
			i += w
			continue
		}
		if lineStart {
			lineStart = false
			if r == '>' || r == '#' || r == '-' || r == '+' {
				b.WriteByte('\\')
				b.WriteRune(r)
				i += w
				continue
			}
			if j := digitsEnd(s, i); j > i && j < len(s) && (s[j] == '.' || s[j] == ')') {
				b.WriteString(s[i:j])
				b.WriteByte('\\')
				b.WriteByte(s[j])
				i = j + 1
				continue
			}
		}
		switch r {
		case '\\', '*', '_', '~', '`', '|', '[', ']', '<':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '@':
			b.WriteByte('@')
			if rest := s[i+1:]; hasPrefixFold(rest, "everyone") || hasPrefixFold(rest, "here") {
				b.WriteString("\u200b")
			}
		default:
			b.WriteRune(r)
		}
		i += w
	}
	return b.String()
}

// needsEscape reports whether escape might change s: it looks for every
// character escape treats specially, anywhere, and for what is special at
// the start of the text. Most briefing text has none of them.
func needsEscape(s string) bool {
	if s == "" {
		return false
	}
	switch c := s[0]; {
	case c == ' ' || c == '\t' || c == '>' || c == '#' || c == '-' || c == '+' || '0' <= c && c <= '9':
		return true
	}
	// Invalid UTF-8 takes the slow path too, which replaces it.
	return strings.ContainsAny(s, "\n\\*_~`|[]<@") || !utf8.ValidString(s)
}

// neutralizeMentions breaks @everyone and @here in text Discord shows
// without Markdown (button labels, footers, choices).
func neutralizeMentions(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '@' && (hasPrefixFold(s[i+1:], "everyone") || hasPrefixFold(s[i+1:], "here")) {
			b.WriteString("\u200b")
		}
	}
	return b.String()
}

func digitsEnd(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func runes(s string) int { return textsplit.Runes(s) }

// keepEscape is where a hard cut of escaped Markdown may end: never
// between a backslash and the character it escapes.
func keepEscape(head string) int {
	n := len(head) - len(strings.TrimRight(head, `\`))
	if n%2 == 1 {
		return len(head) - 1
	}
	return 0
}

// truncate shortens escaped text to at most n characters, at a word where
// possible, ending in an ellipsis when cut.
func truncate(s string, n int) string { return textsplit.Shorten(s, n, keepEscape) }

// splitWords splits escaped text into pieces of at most n characters.
func splitWords(s string, n int) []string { return textsplit.Split(s, n, keepEscape) }
