package desk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"

	"github.com/briefbot/briefbot/bot"
)

// Preview is one platform's rendering of a reply, ready for the page.
type Preview struct {
	// Platform is the platform's display name ("Slack").
	Platform string
	// ID is the platform's name for HTML ids ("slack").
	ID       string
	Messages []Message
	// Err says why there is no rendering.
	Err string
}

// Message is one posted message.
type Message struct {
	Parts []Part
	// Raw is the payload as sent, indented.
	Raw string
}

// Part is one visible piece of a message: a Slack block or a Discord
// message's content, embed or row of buttons.
type Part struct {
	// Kind is "header", "text", "context", "divider", "buttons" or "embed".
	Kind    string
	Text    []Line
	Buttons []string
	// Embed parts.
	Title  string
	Fields []Field
	Footer string
	Colour template.CSS
}

// Field is a Discord embed field.
type Field struct {
	Name  string
	Value []Line
}

// Line is one line of formatted text, as runs of plain and bold text.
type Line []Run

// Run is a stretch of text, plain, bold or in italics.
type Run struct {
	Text   string
	Bold   bool
	Italic bool
}

// preview renders reply with every renderer.
func preview(ctx context.Context, rs []Renderer, reply bot.Reply) []Preview {
	out := make([]Preview, 0, len(rs))
	for _, r := range rs {
		p := Preview{Platform: r.Name, ID: string(r.Platform)}
		msgs, err := r.Render(reply)
		if err != nil {
			p.Err = err.Error()
			out = append(out, p)
			continue
		}
		for _, raw := range msgs {
			m, err := decode(r.Parts, raw)
			if err != nil {
				p.Err = fmt.Sprintf("cannot read the %s payload: %v", p.Platform, err)
				break
			}
			p.Messages = append(p.Messages, m)
		}
		out = append(out, p)
	}
	return out
}

func decode(parts func(json.RawMessage) ([]Part, error), raw json.RawMessage) (Message, error) {
	var m Message
	var ind bytes.Buffer
	if err := json.Indent(&ind, raw, "", "  "); err != nil {
		return m, err
	}
	m.Raw = ind.String()
	var err error
	m.Parts, err = parts(raw)
	return m, err
}

// slackText is a text object, or the plain string some elements carry.
type slackText struct {
	Text string `json:"text"`
}

func (t *slackText) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &t.Text)
	}
	var obj struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	t.Text = obj.Text
	return nil
}

type slackBlock struct {
	Type     string       `json:"type"`
	Text     *slackText   `json:"text"`
	Fields   []slackText  `json:"fields"`
	Elements []slackBlock `json:"elements"`
}

// SlackParts reads a chat.postMessage payload ({"text", "blocks"}) for the
// page: headers, mrkdwn text with its bold and italics, context and
// buttons.
func SlackParts(raw json.RawMessage) ([]Part, error) {
	var msg struct {
		Text   string       `json:"text"`
		Blocks []slackBlock `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &msg); err != nil {
		return nil, err
	}
	if len(msg.Blocks) == 0 {
		return []Part{{Kind: "text", Text: slackLines(msg.Text)}}, nil
	}
	var parts []Part
	for _, b := range msg.Blocks {
		switch b.Type {
		case "header":
			if b.Text != nil {
				parts = append(parts, Part{Kind: "header", Text: []Line{{{Text: b.Text.Text}}}})
			}
		case "section":
			p := Part{Kind: "text"}
			if b.Text != nil {
				p.Text = slackLines(b.Text.Text)
			}
			for _, f := range b.Fields {
				p.Text = append(p.Text, slackLines(f.Text)...)
			}
			parts = append(parts, p)
		case "context":
			p := Part{Kind: "context"}
			for _, e := range b.Elements {
				if e.Text != nil {
					p.Text = append(p.Text, slackLines(e.Text.Text)...)
				}
			}
			parts = append(parts, p)
		case "divider":
			parts = append(parts, Part{Kind: "divider"})
		case "actions":
			p := Part{Kind: "buttons"}
			for _, e := range b.Elements {
				if e.Text != nil {
					p.Buttons = append(p.Buttons, e.Text.Text)
				}
			}
			parts = append(parts, p)
		}
	}
	return parts, nil
}

// slackLines reads Slack mrkdwn: "*bold*" runs, "<url|label>" links shown
// by their label, and Slack's three escapes.
func slackLines(s string) []Line {
	var out []Line
	for _, l := range strings.Split(s, "\n") {
		l = unlink(l)
		out = append(out, emphasis(l, "*", "_", slackUnescape))
	}
	return out
}

var slackUnescape = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace

// unlink replaces Slack's "<url|label>" with label and "<url>" with url.
func unlink(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		link := s[i+1 : i+j]
		if _, label, ok := strings.Cut(link, "|"); ok {
			link = label
		}
		b.WriteString(link)
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// emphasis splits l into runs at pairs of the bold mark, then each run at
// pairs of the italic mark, each run unescaped.
func emphasis(l, bold, italic string, unescape func(string) string) Line {
	var line Line
	for _, b := range pairs(l, bold) {
		for _, it := range pairs(b.Text, italic) {
			line = append(line, Run{Text: unescape(it.Text), Bold: b.Bold, Italic: it.Bold})
		}
	}
	return line
}

// pairs splits l at pairs of mark; runs between a pair are marked (Bold).
// A mark without its pair is text.
func pairs(l, mark string) []Run {
	var runs []Run
	on := false
	for {
		i := strings.Index(l, mark)
		if i < 0 || (!on && !strings.Contains(l[i+len(mark):], mark)) {
			break
		}
		if i > 0 {
			runs = append(runs, Run{Text: l[:i], Bold: on})
		}
		on = !on
		l = l[i+len(mark):]
	}
	if l != "" || len(runs) == 0 {
		runs = append(runs, Run{Text: l, Bold: on})
	}
	return runs
}

type discordMessage struct {
	Content string `json:"content"`
	Embeds  []struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		Color       int    `json:"color"`
		Fields      []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"fields"`
		Footer *struct {
			Text string `json:"text"`
		} `json:"footer"`
	} `json:"embeds"`
	Components []struct {
		Components []struct {
			Label string `json:"label"`
		} `json:"components"`
	} `json:"components"`
}

// DiscordParts reads a Discord message object for the page: its content,
// each embed's title, description, fields and footer, and its buttons.
func DiscordParts(raw json.RawMessage) ([]Part, error) {
	var m discordMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	var parts []Part
	if m.Content != "" {
		parts = append(parts, Part{Kind: "text", Text: discordLines(m.Content)})
	}
	for _, e := range m.Embeds {
		p := Part{Kind: "embed", Title: discordUnescape(e.Title), Text: discordLines(e.Description), Colour: template.CSS(fmt.Sprintf("#%06x", e.Color&0xffffff))}
		for _, f := range e.Fields {
			p.Fields = append(p.Fields, Field{Name: discordUnescape(f.Name), Value: discordLines(f.Value)})
		}
		if e.Footer != nil {
			p.Footer = discordUnescape(e.Footer.Text)
		}
		parts = append(parts, p)
	}
	for _, row := range m.Components {
		p := Part{Kind: "buttons"}
		for _, c := range row.Components {
			p.Buttons = append(p.Buttons, c.Label)
		}
		parts = append(parts, p)
	}
	return parts, nil
}

// discordLines reads Discord markdown: "**bold**" runs and backslash
// escapes.
func discordLines(s string) []Line {
	if s == "" {
		return nil
	}
	var out []Line
	for _, l := range strings.Split(s, "\n") {
		out = append(out, emphasis(l, "**", "*", discordUnescape))
	}
	return out
}

// discordUnescape drops the backslashes that escape markdown characters.
func discordUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\*_~`|>#-[]()<:.!+=", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
