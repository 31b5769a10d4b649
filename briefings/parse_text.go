package briefings

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// parseText parses a plain-text briefing: the first non-empty line is the
// title, a byline and a dateline may follow it, paragraphs up to the first
// heading are the lede, and each heading line starts a section of
// paragraphs and "- " bullets. A paragraph is one line, or several wrapped
// lines that do not end a sentence. Headings are short lines of their own
// (see textHeading); a paragraph opening with a section word and a colon
// ("Risks: The main risk is …") starts a section too.
//
// guessed lists the lines of headings before any text that only their
// shape made headings, as opposed to "# " and "== ==" markup.
func parseText(data string) (b *Briefing, probs []Problem, guessed []int) {
	lines := strings.Split(data, "\n")
	b, i, probs := textHead(lines)
	if b == nil {
		return nil, probs, nil
	}

	var (
		cur     *Block // paragraph or bullet being built
		curEnds bool   // cur's last line ended a sentence
		section *Section
		content bool // a block has been added, to the lede or a section
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
		cur, content = nil, true
	}
	startSection := func(heading string, line int) {
		b.Sections = append(b.Sections, Section{Heading: heading, Line: line})
		section = &b.Sections[len(b.Sections)-1]
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
		if text, ok := enumItem(lines, i, line); ok {
			flush()
			cur = &Block{Bullet: true, Text: text, Line: i + 1}
			curEnds = endsSentence(text)
			continue
		}
		if cur == nil || curEnds {
			if h, marked, ok := textHeading(lines, i, line); ok {
				flush()
				startSection(h, i+1)
				if !marked && !content {
					// Only a heading before any text can take the lede.
					guessed = append(guessed, i+1)
				}
				continue
			}
			if label, text, ok := labelSection(line); ok {
				flush()
				startSection(label, i+1)
				cur = &Block{Text: text, Line: i + 1}
				curEnds = endsSentence(line)
				continue
			}
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
	return b, probs, guessed
}

// textMetadata reads the byline and dateline lines under the title, from
// line i, into b, and returns the line where the lede starts.
func textMetadata(b *Briefing, lines []string, i int, probs *[]Problem) int {
	for n := 0; n < 3; n++ {
		j := i
		for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
			j++
		}
		if j == len(lines) || !applyMeta(b, lines[j], j+1, probs) {
			return i
		}
		i = j + 1
	}
	return i
}

// textHead reads the head of a plain-text briefing: the title on the
// first line that is not blank, with a date at its end, and the byline
// and datelines under it (textMetadata). It looks no further than the
// fourth line that is not blank, so the header reader can give it the
// file's first lines alone. i is the line after the head; b is nil, with
// the problem, when there is no title.
func textHead(lines []string) (b *Briefing, i int, probs []Problem) {
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i == len(lines) {
		return nil, 0, []Problem{{Line: 1, Message: "empty file"}}
	}
	title := strings.TrimSpace(lines[i])
	if h, ok := cutEqualsHeading(title); ok {
		title = h
	}
	title = cleanHeading(strings.TrimLeft(title, "# "))
	if title == "" {
		return nil, 0, []Problem{{Line: i + 1, Message: "no title: the first line must name the topic"}}
	}
	b = &Briefing{}
	if head, d, w, ok := splitTitleDate(title); ok {
		title, b.Date = head, d
		if w != "" {
			probs = append(probs, Problem{Line: i + 1, Message: w, Warning: true})
		}
	}
	b.Title, b.Topic, b.Line = title, title, i+1
	i++
	i = textMetadata(b, lines, i, &probs)
	return b, i, probs
}

// applyMeta takes line as a byline or dateline of b, if it is one.
func applyMeta(b *Briefing, line string, lineNo int, probs *[]Problem) bool {
	names, d, w, ok := metaLine(line)
	if !ok || (names != "" && b.Byline != "") {
		return false
	}
	if names != "" {
		b.Byline = names
	}
	if !d.IsZero() {
		// A dateline ("Updated …") is newer than a date in the title.
		b.Date = d
	}
	if w != "" {
		*probs = append(*probs, Problem{Line: lineNo, Message: w, Warning: true})
	}
	return true
}

// textHeading reports whether line i starts a section, and its heading:
// "== Key figures ==", "# Sources", "2. Outlook", "A. Background",
// "III. Risks/Caveats", "What happens next?", or a short line that reads
// like a heading (isHeadingLine). A heading is followed by content and does
// not wrap on into a lower-case line. marked is true for headings marked
// up as such ("==", "#"), false for those known by their shape alone.
func textHeading(lines []string, i int, line string) (heading string, marked, ok bool) {
	if !followedByContent(lines, i) || wrapsOn(lines, i) {
		return "", false, false
	}
	if h, ok := cutEqualsHeading(line); ok {
		return h, true, true
	}
	if rest, ok := cutHashes(line); ok {
		line, marked = rest, true
	} else if rest, _, _, ok := cutEnumerator(line); ok {
		line = rest
	}
	if isHeadingLine(line) || isQuestionHeading(line) {
		return cleanHeading(line), marked, true
	}
	return "", false, false
}

// cutEqualsHeading reads a wiki-style heading, "== Key figures ==".
func cutEqualsHeading(line string) (string, bool) {
	if !strings.HasPrefix(line, "=") || !strings.HasSuffix(line, "=") {
		return "", false
	}
	h := strings.TrimSpace(strings.Trim(line, "="))
	if h == "" || strings.Contains(h, "=") || utf8.RuneCountInString(h) > maxHeadingChars {
		return "", false
	}
	return cleanHeading(h), true
}

// cutHashes reads a Markdown-style heading in a text file, "# Sources".
func cutHashes(line string) (string, bool) {
	rest := strings.TrimLeft(line, "#")
	if len(rest) == len(line) || len(line)-len(rest) > 6 || !strings.HasPrefix(rest, " ") {
		return "", false
	}
	rest = strings.TrimSpace(strings.TrimRight(rest, "# "))
	return rest, rest != ""
}

// questionWords open the question headings newsrooms use ("What happens
// next?", "Why does it matter?").
var questionWords = map[string]bool{
	"what": true, "what's": true, "what’s": true, "why": true, "how": true, "who": true, "when": true,
	"where": true, "which": true, "will": true, "would": true, "is": true, "are": true, "can": true,
	"could": true, "should": true, "does": true, "do": true, "did": true, "has": true, "have": true,
}

// isQuestionHeading matches a short question on a line of its own, opened
// by a question word and capitalised: "What happens next?".
func isQuestionHeading(line string) bool {
	t := strings.TrimSpace(line)
	if !strings.HasSuffix(t, "?") || utf8.RuneCountInString(t) > maxHeadingChars || countFields(t) > maxHeadingWords {
		return false
	}
	first, _, _ := strings.Cut(t, " ")
	r, _ := utf8.DecodeRuneInString(first)
	return unicode.IsUpper(r) && questionWords[strings.ToLower(first)] && !strings.Contains(t, ": ")
}

// enumeration styles of cutEnumerator.
const (
	enumNumber = iota + 1
	enumLetter
	enumRoman
)

// cutEnumerator cuts "2. ", "2) ", "2.1 ", "A. ", "III. " off the start of
// line and returns the rest and the enumerator's style and value.
func cutEnumerator(line string) (rest string, style, value int, ok bool) {
	i := 0
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	switch {
	case i > 0 && i <= 3:
		value = atoiDigits(line[:i])
		style = enumNumber
		// "2.1 Outlook": sub-numbers, then a space.
		j := i
		for j+1 < len(line) && line[j] == '.' && line[j+1] >= '0' && line[j+1] <= '9' {
			j++
			for j < len(line) && line[j] >= '0' && line[j] <= '9' {
				j++
			}
		}
		if j > i && j < len(line) && line[j] == ' ' {
			return strings.TrimSpace(line[j:]), style, value, true
		}
	case i == 0:
		for i < len(line) && strings.IndexByte("IVXLC", line[i]) >= 0 {
			i++
		}
		punct := func(k int) bool { return k+1 < len(line) && (line[k] == '.' || line[k] == ')') && line[k+1] == ' ' }
		if i == 0 || i > 6 || !punct(i) {
			i = 0
		}
		if v := romanValue(line[:i]); v > 0 {
			style, value = enumRoman, v
		} else if len(line) > 0 && line[0] >= 'A' && line[0] <= 'Z' && punct(1) {
			i, style, value = 1, enumLetter, int(line[0]-'A')+1
		} else {
			return line, 0, 0, false
		}
	default:
		return line, 0, 0, false
	}
	if i+1 < len(line) && (line[i] == '.' || line[i] == ')') && line[i+1] == ' ' {
		return strings.TrimSpace(line[i+1:]), style, value, true
	}
	return line, 0, 0, false
}

// romanValue is the value of a well-formed Roman numeral below 100
// ("III", "XIV"), else 0.
func romanValue(s string) int {
	if s == "" || len(s) > 8 {
		return 0
	}
	val := func(c byte) int {
		switch c {
		case 'I':
			return 1
		case 'V':
			return 5
		case 'X':
			return 10
		case 'L':
			return 50
		case 'C':
			return 100
		}
		return 0
	}
	n := 0
	for i := 0; i < len(s); i++ {
		v := val(s[i])
		if v == 0 {
			return 0
		}
		if i+1 < len(s) && val(s[i+1]) > v {
			n -= v
		} else {
			n += v
		}
	}
	// Only the canonical spelling counts: "IIII" and "VX" are not numerals.
	if n <= 0 || n >= 100 || canonicalRoman(n) != s {
		return 0
	}
	return n
}

// romanTens and romanUnits spell numbers below 100.
var (
	romanTens  = [...]string{"", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"}
	romanUnits = [...]string{"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"}
)

// canonicalRoman spells n (1–99) in Roman numerals. It allocates only for
// numbers with both tens and units.
func canonicalRoman(n int) string {
	t, u := romanTens[n/10], romanUnits[n%10]
	switch {
	case t == "":
		return u
	case u == "":
		return t
	}
	return t + u
}

// enumItem reports whether line i is an item of a numbered or lettered
// list, and its text: the nearest non-blank line before or after it is
// enumerated in the same style with the previous or next value. A lone
// "2. Outlook" between paragraphs is a heading instead.
func enumItem(lines []string, i int, line string) (string, bool) {
	rest, style, _, ok := cutEnumerator(line)
	if !ok {
		return "", false
	}
	mine, nMine := enumValues(line)
	near := func(j, step int) bool {
		for ; j >= 0 && j < len(lines); j += step {
			t := strings.TrimSpace(lines[j])
			if t == "" {
				continue
			}
			_, s, _, ok := cutEnumerator(t)
			if !ok || (s == enumNumber) != (style == enumNumber) {
				return false
			}
			vs, n := enumValues(t)
			for _, v := range vs[:n] {
				for _, m := range mine[:nMine] {
					if v == m+step {
						return true
					}
				}
			}
			return false
		}
		return false
	}
	if near(i-1, -1) || near(i+1, 1) {
		return rest, true
	}
	return "", false
}

// enumValues is the value of an enumerator, or both when a single letter
// may also be a Roman numeral ("I." is 9th as a letter, 1st as a numeral).
func enumValues(line string) (vs [2]int, n int) {
	_, style, v, _ := cutEnumerator(line)
	if style != enumNumber && len(line) > 1 && (line[1] == '.' || line[1] == ')') {
		vs[0] = int(line[0]-'A') + 1
		if r := romanValue(line[:1]); r > 0 {
			vs[1] = r
			return vs, 2
		}
		return vs, 1
	}
	vs[0] = v
	return vs, 1
}

// labelSection matches a paragraph that opens with a section word and a
// colon, "Risks: The main risk is …": the label becomes a section heading
// and the rest its first paragraph. Only labels that name a section kind
// count, so "Note: …" or "Astana: …" stay paragraphs.
func labelSection(line string) (label, text string, ok bool) {
	label, text = splitLabel(line)
	if label == "" || text == "" || countFields(label) > 4 || strings.ContainsAny(label, ".,;") {
		return "", "", false
	}
	r, _ := utf8.DecodeRuneInString(label)
	if !unicode.IsUpper(r) || kindOfHeading(label) == KindOther {
		return "", "", false
	}
	return label, text, true
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
