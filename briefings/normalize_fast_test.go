package briefings

import (
	"slices"
	"testing"
)

// normalizeSlow is Normalize without its ASCII fast path.
func normalizeSlow(s string) string {
	return normalizeUnicode(s)
}

func FuzzNormalizeASCII(f *testing.F) {
	for _, s := range []string{"", "Kazakhstan", "What's new", "  red   sea ", "a-b_c", "x\x00y", "Risks & caveats", "kazakhstan risks", "a ", " a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := normalizeASCII(s)
		if !ok {
			return
		}
		if slow := normalizeSlow(s); fast != slow {
			t.Errorf("Normalize(%q): fast path %q, general path %q", s, fast, slow)
		}
	})
}

// FuzzForEachWordBytes checks the search index's word splitter against
// forEachWord, which queries, passages and snippets use: a word indexed
// must be the word searched for.
func FuzzForEachWordBytes(f *testing.F) {
	for _, s := range []string{"", "Kazakhstan's oil", "What’s new", "Türkiye, KAZAKHSTAN; Казахстан", "a-b_c 42x", "naïve café\u0301", "x\x00y\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want, got []string
		forEachWord(s, func(w string, _ int) { want = append(want, w) })
		forEachWordBytes(s, nil, func(w []byte) { got = append(got, string(w)) })
		if !slices.Equal(got, want) {
			t.Errorf("words of %q: forEachWordBytes %q, forEachWord %q", s, got, want)
		}
	})
}
