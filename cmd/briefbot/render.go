package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/bot"
)

// writeText renders a reply as plain text for a terminal.
func writeText(w io.Writer, r bot.Reply) error {
	bw := bufio.NewWriter(w)
	if r.Title != "" {
		fmt.Fprintf(bw, "%s\n%s\n", r.Title, strings.Repeat("=", max(3, utf8.RuneCountInString(r.Title))))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(bw, "Note: %s\n", n)
	}
	for _, p := range r.Lede {
		fmt.Fprintf(bw, "\n%s\n", p)
	}
	for _, s := range r.Sections {
		fmt.Fprintf(bw, "\n%s\n%s\n", s.Heading, strings.Repeat("-", max(3, utf8.RuneCountInString(s.Heading))))
		for _, bl := range s.Blocks {
			switch {
			case bl.Bullet && bl.Label != "":
				fmt.Fprintf(bw, "- %s: %s\n", bl.Label, bl.Text)
			case bl.Bullet:
				fmt.Fprintf(bw, "- %s\n", bl.Text)
			default:
				fmt.Fprintf(bw, "%s\n", bl.Text)
			}
		}
	}
	if len(r.Items) > 0 {
		bw.WriteString("\n")
		for _, it := range r.Items {
			line := "- " + it.Title
			if !it.Date.IsZero() {
				line += " (" + it.Date.Format(time.DateOnly) + ")"
			}
			if it.Text != "" {
				line += ": " + it.Text
			}
			fmt.Fprintln(bw, line)
			if it.Query != "" {
				fmt.Fprintf(bw, "    ask: %s\n", it.Query)
			}
		}
	}
	if f := footerText(r.Footer); f != "" {
		fmt.Fprintf(bw, "\n%s\n", f)
	}
	if len(r.Suggestions) > 0 {
		bw.WriteString("\nMore:\n")
		for _, s := range r.Suggestions {
			fmt.Fprintf(bw, "  %s  (ask: %s)\n", s.Label, s.Query)
		}
	}
	return bw.Flush()
}

// writeMarkdown renders a reply as CommonMark. Every text taken from a
// briefing is escaped, so it cannot add links, images or markup.
func writeMarkdown(w io.Writer, r bot.Reply) error {
	bw := bufio.NewWriter(w)
	if r.Title != "" {
		fmt.Fprintf(bw, "# %s\n", escapeMarkdown(r.Title))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(bw, "\n> %s\n", escapeMarkdown(n))
	}
	for _, p := range r.Lede {
		fmt.Fprintf(bw, "\n%s\n", escapeMarkdown(p))
	}
	for _, s := range r.Sections {
		fmt.Fprintf(bw, "\n## %s\n\n", escapeMarkdown(s.Heading))
		prevBullet := true
		for _, bl := range s.Blocks {
			switch {
			case bl.Bullet && bl.Label != "":
				fmt.Fprintf(bw, "- **%s:** %s\n", escapeMarkdown(bl.Label), escapeMarkdown(bl.Text))
			case bl.Bullet:
				fmt.Fprintf(bw, "- %s\n", escapeMarkdown(bl.Text))
			default:
				if !prevBullet {
					bw.WriteString("\n")
				}
				fmt.Fprintf(bw, "%s\n", escapeMarkdown(bl.Text))
			}
			prevBullet = bl.Bullet
		}
	}
	if len(r.Items) > 0 {
		bw.WriteString("\n")
		for _, it := range r.Items {
			fmt.Fprintf(bw, "- **%s**", escapeMarkdown(it.Title))
			if !it.Date.IsZero() {
				fmt.Fprintf(bw, " (%s)", it.Date.Format(time.DateOnly))
			}
			if it.Text != "" {
				fmt.Fprintf(bw, ": %s", escapeMarkdown(it.Text))
			}
			if it.Query != "" {
				fmt.Fprintf(bw, " — `%s`", codeSpan(it.Query))
			}
			bw.WriteString("\n")
		}
	}
	if f := footerText(r.Footer); f != "" {
		fmt.Fprintf(bw, "\n_%s_\n", escapeMarkdown(f))
	}
	if len(r.Suggestions) > 0 {
		bw.WriteString("\nMore: ")
		for i, s := range r.Suggestions {
			if i > 0 {
				bw.WriteString(" · ")
			}
			fmt.Fprintf(bw, "%s (`%s`)", escapeMarkdown(s.Label), codeSpan(s.Query))
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}

// writeJSON renders a reply as indented JSON.
func writeJSON(w io.Writer, r bot.Reply) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func footerText(f bot.Footer) string {
	var parts []string
	if f.Source != "" {
		parts = append(parts, "Source: "+f.Source)
	}
	if !f.Date.IsZero() {
		parts = append(parts, "Date: "+f.Date.Format(time.DateOnly))
	}
	return strings.Join(parts, " · ")
}

// markdownEscaper backslash-escapes every ASCII punctuation character that
// CommonMark may read as markup. CommonMark allows escaping any ASCII
// punctuation, so the rendered text is unchanged.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `#`, `\#`, `|`, `\|`, `~`, `\~`, `!`, `\!`,
	`(`, `\(`, `)`, `\)`, `{`, `\{`, `}`, `\}`, `+`, `\+`, `=`, `\=`,
	`&`, `\&`,
)

// escapeMarkdown makes s render as itself in CommonMark: no emphasis, links,
// images, HTML, headings or list markers come from it.
func escapeMarkdown(s string) string {
	s = markdownEscaper.Replace(s)
	// A leading "-" or "1." would start a list; escape the marker.
	if strings.HasPrefix(s, "-") {
		s = `\` + s
	} else if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && i < 10 && s[i] == '.' {
		s = s[:i] + `\` + s[i:]
	}
	return s
}

// codeSpan keeps a query inside a single-backtick code span.
func codeSpan(q string) string { return strings.ReplaceAll(q, "`", "'") }
