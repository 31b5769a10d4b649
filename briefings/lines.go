package briefings

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the plain-text heuristics.
const (
	maxHeadingChars = 60
	maxHeadingWords = 8
	maxLabelChars   = 60
	maxLabelWords   = 6
)

// bulletPrefixes start a plain-text bullet.
var bulletPrefixes = []string{"- ", "* ", "• ", "– ", "— "}

// cutBullet returns the text of a bullet line and whether it is one.
func cutBullet(line string) (string, bool) {
	for _, p := range bulletPrefixes {
		if rest, ok := strings.CutPrefix(line, p); ok {
			return strings.TrimSpace(rest), true
		}
	}
	return line, false
}

// isHeadingLine reports whether a line standing on its own reads like a
// heading: short, not a bullet, not ending like a sentence. Longer lines
// must look like Title Case, which tells "Considerations for Congress" from
// a lead-in such as "Issues of potential disagreement include".
func isHeadingLine(line string) bool { return headingLine(line, false) }

// isCaption matches table and figure captions and numbered equations,
// which stand alone like headings but head no section: "(12)", "(A3)",
// "Table 2.", "Figure B-1.", "Exhibit 4.". It is the hand-written form of
// the pattern ^(\([A-Z]?\d+\)|(Table|Figure|Exhibit) [A-Z]?-?\d+\.).
func isCaption(t string) bool {
	if rest, ok := strings.CutPrefix(t, "("); ok {
		rest = skipUpper(rest)
		rest, ok = skipDigits(rest)
		return ok && strings.HasPrefix(rest, ")")
	}
	for _, w := range [...]string{"Table ", "Figure ", "Exhibit "} {
		if rest, ok := strings.CutPrefix(t, w); ok {
			rest = skipUpper(rest)
			rest = strings.TrimPrefix(rest, "-")
			rest, ok = skipDigits(rest)
			return ok && strings.HasPrefix(rest, ".")
		}
	}
	return false
}

// skipUpper drops one leading ASCII capital letter, if any.
func skipUpper(s string) string {
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		return s[1:]
	}
	return s
}

// skipDigits drops leading ASCII digits and reports whether there was one.
func skipDigits(s string) (string, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[i:], i > 0
}

// headingLine is isHeadingLine; with questions, a Title Case question of up
// to 14 words also counts, as in "frequently asked questions" papers
// ("Does the GAOA Expire?").
func headingLine(line string, questions bool) bool {
	line = strings.TrimSpace(line)
	if line == "" || utf8.RuneCountInString(line) > maxHeadingChars {
		return false
	}
	if _, ok := cutBullet(line); ok {
		return false
	}
	t := strings.TrimSpace(strings.TrimSuffix(line, ":"))
	if t == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(t)
	question := questions && last == '?'
	if (!question && strings.ContainsRune(".?!;,", last)) || strings.HasPrefix(t, "|") || strings.HasPrefix(t, "[") {
		return false
	}
	if isCaption(t) || strings.Contains(t, "=") {
		return false
	}
	first, _ := utf8.DecodeRuneInString(t)
	if unicode.IsLower(first) {
		return false
	}
	words := countFields(t)
	if words > maxHeadingWords && !(question && words <= 14) {
		return false
	}
	if strings.Contains(t, ": ") {
		return false // "Label: text" is a sentence, not a heading.
	}
	if words <= 5 && !question {
		return true
	}
	// Every word after the first is capitalised or a small word.
	rest := strings.TrimLeftFunc(t, unicode.IsSpace)
	rest = rest[strings.IndexFunc(rest+" ", unicode.IsSpace):]
	for {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if rest == "" {
			return true
		}
		w := rest
		if end := strings.IndexFunc(rest, unicode.IsSpace); end >= 0 {
			w, rest = rest[:end], rest[end:]
		} else {
			rest = ""
		}
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsLower(r) && !smallTitleWords[strings.ToLower(w)] {
			return false
		}
	}
}

// smallTitleWords stay lower-case in Title Case headings.
var smallTitleWords = map[string]bool{
	"a": true, "an": true, "and": true, "as": true, "at": true, "but": true, "by": true,
	"for": true, "from": true, "in": true, "into": true, "of": true, "on": true, "or": true,
	"the": true, "to": true, "vs": true, "vs.": true, "with": true, "over": true, "under": true,
}

// cleanHeading drops a trailing colon and surrounding space.
func cleanHeading(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(s, ":"))
	return s
}

// splitLabel splits "Label: text" when the label is short; otherwise the
// label is empty and text is s.
func splitLabel(s string) (label, text string) {
	i := strings.Index(s, ": ")
	if i <= 0 {
		return "", s
	}
	l := strings.TrimSpace(s[:i])
	if l == "" || utf8.RuneCountInString(l) > maxLabelChars || countFields(l) > maxLabelWords {
		return "", s
	}
	return l, strings.TrimSpace(s[i+2:])
}

// lineOf returns the 1-based line of byte offset off in data.
func lineOf(data []byte, off int) int {
	if off > len(data) {
		off = len(data)
	}
	n := 1
	for _, c := range data[:off] {
		if c == '\n' {
			n++
		}
	}
	return n
}

// collapseSpace joins runs of white space into single spaces. Text that
// needs no change (the common case) is returned as it is, without copying.
func collapseSpace(s string) string {
	prevSpace := true // so that a leading space counts as a run
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			return strings.Join(strings.Fields(s), " ") // U+00A0 and friends
		case c == ' ':
			if prevSpace {
				return strings.Join(strings.Fields(s), " ")
			}
			prevSpace = true
		case c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
			return strings.Join(strings.Fields(s), " ")
		default:
			prevSpace = false
		}
	}
	if prevSpace && s != "" {
		return strings.Join(strings.Fields(s), " ") // trailing space
	}
	return s
}

// countFields is len(strings.Fields(s)) without building the slice.
func countFields(s string) int {
	n := 0
	inWord := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			inWord = false
		} else if !inWord {
			inWord = true
			n++
		}
	}
	return n
}
