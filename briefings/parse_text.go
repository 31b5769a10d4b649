package briefings

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// parseText parses a plain-text briefing: the first non-empty line is the
// title, paragraphs up to the first heading are the lede, and each heading
// line starts a section of paragraphs and "- " bullets. A paragraph is one
// line, or several wrapped lines that do not end a sentence.
func parseText(data string) (*Briefing, []Problem) {
	lines := strings.Split(data, "\n")
	b := &Briefing{}
	var probs []Problem

	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i == len(lines) {
		return nil, []Problem{{Line: 1, Message: "empty file"}}
	}
	title := cleanHeading(strings.TrimLeft(strings.TrimSpace(lines[i]), "# "))
	if title == "" {
		return nil, []Problem{{Line: i + 1, Message: "no title: the first line must name the topic"}}
	}
	b.Title, b.Topic, b.Line = title, title, i+1
	i++

	var (
		cur     *Block // paragraph or bullet being built
		curEnds bool   // cur's last line ended a sentence
		section *Section
	)
	flush := func() {
		if cur == nil {
			return
		}
		cur.Text = collapseSpace(cur.Text) // compact copies it out of data
		if cur.Bullet {
			cur.Label, cur.Text = splitLabel(cur.Text)
		}
		if section != nil {
			section.Blocks = append(section.Blocks, *cur)
		} else {
			b.Lede = append(b.Lede, *cur)
		}
		cur = nil
	}
	for ; i < len(lines); i++ {
		raw := strings.TrimRight(lines[i], " \t\r")
		line := strings.TrimSpace(raw)
		if line == "" {
			flush()
			continue
		}
		if text, ok := cutBullet(line); ok {
			flush()
			cur = &Block{Bullet: true, Text: text, Line: i + 1}
			curEnds = endsSentence(text)
			continue
		}
		if (cur == nil || curEnds) && isHeadingLine(line) && followedByContent(lines, i) && !wrapsOn(lines, i) {
			flush()
			b.Sections = append(b.Sections, Section{Heading: cleanHeading(line), Line: i + 1})
			section = &b.Sections[len(b.Sections)-1]
			continue
		}
		if cur != nil && (!curEnds || startsLower(line)) {
			cur.Text += " " + line
			curEnds = endsSentence(line)
			continue
		}
		flush()
		cur = &Block{Text: line, Line: i + 1}
		curEnds = endsSentence(line)
	}
	flush()
	return b, probs
}

// followedByContent reports whether a non-heading line follows line i
// (blank lines skipped), so that a lone last line is not taken as a heading.
func followedByContent(lines []string, i int) bool {
	for j := i + 1; j < len(lines); j++ {
		if t := strings.TrimSpace(lines[j]); t != "" {
			return true
		}
	}
	return false
}

func endsSentence(s string) bool {
	s = strings.TrimRight(s, " \t\"”’)]*_")
	if s == "" {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(".!?:;…", r)
}

func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

// wrapsOn reports whether line i continues on the next line, as a wrapped
// paragraph does: the next line is not blank and starts in lower case.
func wrapsOn(lines []string, i int) bool {
	if i+1 >= len(lines) {
		return false
	}
	next := strings.TrimSpace(lines[i+1])
	if _, bullet := cutBullet(next); bullet || next == "" {
		return false
	}
	return startsLower(next)
}
