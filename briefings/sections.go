package briefings

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
)

// kindSynonyms are the words people use for each kind of section, in order
// of precedence: a heading naming two kinds ("Strategic Outlook") takes the
// earlier one, because the more specific word wins over the general
// "strategic".
var kindSynonyms = []struct {
	kind  Kind
	words []string
}{
	{KindRisks, []string{"risks", "risk", "caveats", "downside", "downsides", "dangers", "threats", "uncertainties", "risks and caveats"}},
	{KindOutlook, []string{"outlook", "ahead", "looking ahead", "next", "next steps", "what to watch", "watch", "future", "prospects"}},
	{KindNew, []string{"new", "whats new", "what is new", "latest", "what happened", "summary", "key points", "developments", "update"}},
	{KindBackground, []string{"background", "context", "history"}},
	{KindSignificance, []string{"why", "why it matters", "significance", "impact", "strategic", "matters", "implications"}},
}

// kindPhrases holds each synonym as a sequence of stems.
var kindPhrases = func() [][][]string {
	st := newStemmer()
	out := make([][][]string, len(kindSynonyms))
	for i, ks := range kindSynonyms {
		for _, w := range ks.words {
			var stems []string
			for _, f := range strings.Fields(w) {
				stems = append(stems, st.stem(f))
			}
			out[i] = append(out[i], stems)
		}
	}
	return out
}()

// allStems returns the stems of every word of s, stop-words included,
// because "what to watch" and "why it matters" are made of them.
func allStems(s string) []string {
	st := newStemmer()
	var out []string
	for _, w := range strings.Fields(Normalize(s)) {
		out = append(out, st.stem(w))
	}
	return out
}

// KindOf returns the section kind that a user's words name ("downside" →
// KindRisks, "what to watch" → KindOutlook), or KindOther.
func KindOf(query string) Kind {
	return kindOfStems(allStems(query))
}

// kindOfHeading is KindOf for headings, which repeat endlessly across a
// corpus ("Risks", "What's new"): answers are remembered, up to a bound.
func kindOfHeading(h string) Kind {
	if k, ok := kindCache.Load(h); ok {
		return k.(Kind)
	}
	k := KindOf(h)
	if kindCacheSize.Load() < maxKindCache {
		if _, loaded := kindCache.LoadOrStore(strings.Clone(h), k); !loaded {
			kindCacheSize.Add(1)
		}
	}
	return k
}

var (
	kindCache     sync.Map // heading → Kind
	kindCacheSize atomic.Int64
)

const maxKindCache = 1 << 16

// wholeOnly are synonyms so common in other senses that they name a kind
// only when they are all there is: "new" is a kind, but "New York" and
// "New sanctions" are not.
var wholeOnly = map[string]bool{"new": true}

func kindOfStems(words []string) Kind {
	for i, phrases := range kindPhrases {
		for j, ph := range phrases {
			if kindWholeOnly[i][j] {
				if len(words) == len(ph) && containsPhrase(words, ph) {
					return kindSynonyms[i].kind
				}
				continue
			}
			if containsPhrase(words, ph) {
				return kindSynonyms[i].kind
			}
		}
	}
	return KindOther
}

// kindWholeOnly marks the entries of kindPhrases listed in wholeOnly.
var kindWholeOnly = func() [][]bool {
	out := make([][]bool, len(kindSynonyms))
	for i, ks := range kindSynonyms {
		out[i] = make([]bool, len(ks.words))
		for j, w := range ks.words {
			out[i][j] = wholeOnly[w]
		}
	}
	return out
}()

func containsPhrase(words, phrase []string) bool {
	if len(phrase) == 0 || len(phrase) > len(words) {
		return false
	}
outer:
	for i := 0; i+len(phrase) <= len(words); i++ {
		for j, p := range phrase {
			if words[i+j] != p {
				continue outer
			}
		}
		return true
	}
	return false
}

// FindSection returns the section that query's words name, by heading,
// canonical kind synonym or stemmed heading words. In order: a heading equal
// to the query; a heading holding every query word; the first section of
// the kind the query names; the heading sharing most stemmed words.
func (b *Briefing) FindSection(query string) (*Section, bool) {
	q := Normalize(query)
	if q == "" || len(b.Sections) == 0 {
		return nil, false
	}
	headings := make([]*headingInfo, len(b.Sections))
	for i := range b.Sections {
		headings[i] = headingInfoOf(b.Sections[i].Heading)
		if headings[i].key == q {
			return &b.Sections[i], true
		}
	}
	qs := queryStems(q)
	headingStems := make([][]string, len(b.Sections))
	for i, h := range headings {
		headingStems[i] = h.stems
	}
	if len(qs) > 0 {
		for i := range b.Sections {
			if coversAll(headingStems[i], qs) {
				return &b.Sections[i], true
			}
		}
	}
	if k := KindOf(q); k != KindOther {
		for i := range b.Sections {
			if b.Sections[i].Kind == k {
				return &b.Sections[i], true
			}
		}
	}
	best, bestN := -1, 0
	for i := range b.Sections {
		n := 0
		for _, s := range qs {
			for _, h := range headingStems[i] {
				if similarStems(s, h) {
					n++
					break
				}
			}
		}
		if n > bestN {
			best, bestN = i, n
		}
	}
	if best >= 0 {
		return &b.Sections[best], true
	}
	return nil, false
}

// sectionIndex returns the index of s in b.Sections, or -1 when s is not
// one of them.
func (b *Briefing) sectionIndex(s *Section) int {
	for i := range b.Sections {
		if &b.Sections[i] == s {
			return i
		}
	}
	return -1
}

// Subsections returns the sections nested in s, at any depth, in document
// order: for a Markdown "## Risks" they are the "###" (and deeper) sections
// under it. It is empty when s has none or is not one of b's sections.
func (b *Briefing) Subsections(s *Section) []Section {
	i := b.sectionIndex(s)
	if i < 0 {
		return nil
	}
	end := i + 1
	for end < len(b.Sections) && b.Sections[end].Depth > s.Depth {
		end++
	}
	return b.Sections[i+1 : end : end]
}

// SectionWithSubsections returns s followed by its subsections: what a
// reader asking for s should see. For a section without subsections it is
// just s. It is nil when s is not one of b's sections.
func (b *Briefing) SectionWithSubsections(s *Section) []Section {
	i := b.sectionIndex(s)
	if i < 0 {
		return nil
	}
	end := i + 1 + len(b.Subsections(s))
	return b.Sections[i:end:end]
}

// Parent returns the section that s is nested in, or nil for a top-level
// section (depth 0) or a section that is not b's.
func (b *Briefing) Parent(s *Section) *Section {
	i := b.sectionIndex(s)
	if i < 0 || s.Depth == 0 {
		return nil
	}
	for j := i - 1; j >= 0; j-- {
		if b.Sections[j].Depth < s.Depth {
			return &b.Sections[j]
		}
	}
	return nil
}

func coversAll(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if h == w {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Key is the normalized topic, the identity of a topic in a Library.
func (b *Briefing) Key() string { return Normalize(b.Topic) }

// Headline is a one-line summary: the summary, else the lede's first
// sentence, else the first sentence of the first section.
func (b *Briefing) Headline() string {
	if b.Summary != "" {
		return b.Summary
	}
	for _, blk := range b.Lede {
		if blk.Text != "" {
			return firstSentence(blk.Text)
		}
	}
	for _, s := range b.Sections {
		for _, blk := range s.Blocks {
			if blk.Text != "" {
				return firstSentence(blk.Text)
			}
		}
	}
	return ""
}

// firstSentence cuts s after its first full stop that is followed by a
// space and a capital letter, so "U.S.-brokered" does not end a sentence.
func firstSentence(s string) string {
	rs := []rune(s)
	for i := 0; i+2 < len(rs); i++ {
		if (rs[i] == '.' || rs[i] == '!' || rs[i] == '?') && rs[i+1] == ' ' && unicode.IsUpper(rs[i+2]) {
			if i >= 2 && rs[i-2] == '.' { // "U.S. Army" keeps going
				continue
			}
			return string(rs[:i+1])
		}
	}
	return s
}

// headingInfo is what FindSection needs of a heading, worked out once per
// distinct heading: most briefings share a handful of headings.
type headingInfo struct {
	key   string   // Normalize(heading)
	stems []string // queryStems(heading); never modified
}

// maxHeadingCache bounds the headings remembered; past it, headings are
// worked out on every call, as before.
const maxHeadingCache = 10_000

var (
	headingCache  sync.Map // heading → *headingInfo
	headingCached atomic.Int64
)

func headingInfoOf(h string) *headingInfo {
	if v, ok := headingCache.Load(h); ok {
		return v.(*headingInfo)
	}
	hi := &headingInfo{key: Normalize(h), stems: queryStems(h)}
	if headingCached.Load() < maxHeadingCache {
		if _, loaded := headingCache.LoadOrStore(h, hi); !loaded {
			headingCached.Add(1)
		}
	}
	return hi
}
