// Package textsplit cuts text to the length limits of chat platforms,
// counted in characters (runes), as Slack and Discord count them. Both
// adapters split and shorten text here; each says only how its own markup
// must not be cut (an HTML entity on Slack, a backslash escape on Discord).
package textsplit

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Runes counts characters as platform limits do.
func Runes(s string) int { return utf8.RuneCountInString(s) }

// Prefix returns the first n characters of s.
func Prefix(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// HardCut says where a cut inside a word may end, for a head of text that
// has no space to cut at: it returns how many bytes of head to keep so
// that no escape sequence is cut in two. Nil, or a result of 0, keeps all
// of head.
type HardCut func(head string) int

// Split splits s into pieces of at most limit characters: after the end of
// a sentence in the second half of the window where there is one, else at
// the last space. Only a single word longer than limit is cut inside,
// where hard allows. The white space at each cut is dropped; nothing else is.
func Split(s string, limit int, hard HardCut) []string {
	var out []string
	for Runes(s) > limit {
		head := Prefix(s, limit)
		// A space just after the head is a clean cut too.
		window := Prefix(s, limit+1)
		cut := sentenceEnd(window, len(head)/2)
		if cut <= 0 {
			cut = strings.LastIndexFunc(window, unicode.IsSpace)
		}
		if cut <= 0 {
			cut = hardCut(head, hard)
			out = append(out, s[:cut])
			s = s[cut:]
			continue
		}
		if piece := strings.TrimRightFunc(s[:cut], unicode.IsSpace); piece != "" {
			out = append(out, piece)
		}
		s = strings.TrimLeftFunc(s[cut:], unicode.IsSpace)
	}
	if s != "" || len(out) == 0 {
		out = append(out, s)
	}
	return out
}

// Shorten returns s if it has at most n characters, else its start, cut
// at a space where there is one and ended with "…", in n characters at
// most.
func Shorten(s string, n int, hard HardCut) string {
	if Runes(s) <= n {
		return s
	}
	if n <= 1 {
		return Prefix("…", n)
	}
	head := Prefix(s, n-1)
	cut := strings.LastIndexFunc(Prefix(s, n), unicode.IsSpace)
	if cut <= 0 {
		cut = hardCut(head, hard)
	}
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace) + "…"
}

func hardCut(head string, hard HardCut) int {
	if hard != nil {
		if c := hard(head); c > 0 && c <= len(head) {
			return c
		}
	}
	return len(head)
}

// sentenceEnd returns the byte offset of the last white space in s that
// ends a sentence (after '.', '!', '?' or ';') or is a line break, if it
// lies beyond from; else -1.
func sentenceEnd(s string, from int) int {
	for i := len(s); i > from; {
		r, w := utf8.DecodeLastRuneInString(s[:i])
		i -= w
		if i <= from || !unicode.IsSpace(r) {
			continue
		}
		if r == '\n' {
			return i
		}
		if p, _ := utf8.DecodeLastRuneInString(s[:i]); strings.ContainsRune(".!?;", p) {
			return i
		}
	}
	return -1
}
