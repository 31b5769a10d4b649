package briefings

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings/internal/index"
)

// Field weights: a word in a title or heading says more about a briefing
// than the same word in passing.
const (
	weightTitle   = 3
	weightHeading = 2
	weightTag     = 2
	weightBody    = 1

	bm25K1 = 1.2
	bm25B  = 0.75

	snippetChars = 200
)

// searchIndex is the search index over the newest briefing of each topic:
// the full-text index, which knows documents by id, and the briefing of
// each id. It is immutable; With patches a copy.
type searchIndex struct {
	x    *index.Index
	docs []*Briefing // by id; nil where an id is free
}

// searchConfig is how briefings are searched: by stemmed words, stop-words
// dropped, ranked by BM25 with its usual parameters.
var searchConfig = index.Config{Term: searchTerm, K1: bm25K1, B: bm25B}

// searchTerm is the term a normalized word is indexed under: its stem, or
// none for a stop-word. queryStems gives the same for a query.
func searchTerm(word string) (string, bool) {
	if stopWords[word] {
		return "", false
	}
	return newStemmer().stem(word), true
}

// buildSearchIndex indexes docs, whose topic keys are keys, on every CPU.
func buildSearchIndex(docs []*Briefing, keys []string) *searchIndex {
	s := &searchIndex{docs: docs}
	ds := make([]index.Doc, len(docs))
	for i := range docs {
		ds[i] = index.Doc{ID: i, Key: keys[i]}
	}
	s.x = index.Build(searchConfig, s.words, ds)
	return s
}

// words hands the index the words of a briefing, field by field with its
// weight.
func (s *searchIndex) words(id int, add func(word []byte, weight uint16)) {
	b := s.docs[id]
	var buf []byte
	field := func(text string, w uint16) {
		buf = forEachWordBytes(text, buf, func(word []byte) { add(word, w) })
	}
	field(b.Title, weightTitle)
	if b.Topic != b.Title {
		field(b.Topic, weightTitle)
	}
	for _, a := range b.Aliases {
		field(a, weightTitle)
	}
	for _, t := range b.Tags {
		field(t, weightTag)
	}
	field(b.Summary, weightBody)
	for _, blk := range b.Lede {
		field(blk.Label, weightBody)
		field(blk.Text, weightBody)
	}
	for _, sec := range b.Sections {
		field(sec.Heading, weightHeading)
		for _, blk := range sec.Blocks {
			field(blk.Label, weightBody)
			field(blk.Text, weightBody)
		}
	}
}

// with returns the index without the briefings in remove and with add
// (whose topic keys are addKeys), sharing the bulk of the full-text index.
// It returns nil when the whole index should be built again instead. The
// ids of removed briefings are given to added ones, so that the table of
// ids does not grow with every reload.
func (s *searchIndex) with(remove map[*Briefing]bool, add []*Briefing, addKeys []string) *searchIndex {
	n := &searchIndex{docs: slices.Clone(s.docs)}
	var removeIDs map[int]bool
	var free []int
	for id, b := range n.docs {
		if b != nil && remove[b] {
			if removeIDs == nil {
				removeIDs = map[int]bool{}
			}
			removeIDs[id] = true
			b = nil
			n.docs[id] = nil
		}
		if b == nil {
			free = append(free, id)
		}
	}
	ds := make([]index.Doc, len(add))
	for i, b := range add {
		id := len(n.docs)
		if len(free) > 0 {
			id, free = free[0], free[1:]
			n.docs[id] = b
		} else {
			n.docs = append(n.docs, b)
		}
		ds[i] = index.Doc{ID: id, Key: addKeys[i]}
	}
	if n.x = s.x.With(n.words, removeIDs, ds); n.x == nil {
		return nil
	}
	return n
}

// Hit is one search result.
type Hit struct {
	Briefing *Briefing
	// Section is the section that matched best, nil for the title or lede.
	Section *Section
	Snippet string
	Score   float64
}

// Search ranks briefings for query over titles, ledes and sections with
// BM25 over stemmed words (stop-words dropped), a title or heading word
// counting more than a word in the text. Only the newest briefing of each
// topic is searched.
func (l *Library) Search(query string, limit int) []Hit {
	qs := queryStems(query)
	if len(qs) == 0 || limit <= 0 {
		return nil
	}
	x := l.idx.get()
	if x == nil {
		return nil
	}
	rs := x.x.Search(qs, limit)
	hits := make([]Hit, len(rs))
	m := newStemMatcher(qs)
	for i, r := range rs {
		b := x.docs[r.ID]
		sec, snip := bestPlace(b, m)
		hits[i] = Hit{Briefing: b, Section: sec, Snippet: snip, Score: float64(r.Score)}
	}
	return hits
}

// bestPlace picks the section whose heading and text hold most of the
// query's stems (nil when the title and lede hold more) and a snippet
// around the first matching word there.
func bestPlace(b *Briefing, m *stemMatcher) (*Section, string) {
	best, bestN := -1, m.countBlocks(b.Lede)
	for i := range b.Sections {
		s := &b.Sections[i]
		n := m.count(s.Heading)*2 + m.countBlocks(s.Blocks)
		if n > bestN {
			best, bestN = i, n
		}
	}
	if best < 0 {
		text := blocksText(b.Lede)
		if text == "" {
			text = b.Summary
		}
		return nil, snippetAt(text, m.match)
	}
	s := &b.Sections[best]
	return s, snippetAt(blocksText(s.Blocks), m.match)
}

// stemMatcher tells which words stem to one of a query's stems,
// remembering its answers for the words of the hits of one query.
type stemMatcher struct {
	stems map[string]int // query stem → its number
	order []string       // the query stems by number
	// firsts marks the first bytes of the query stems: stemming keeps a
	// word's first letter, so a word starting otherwise is no match and
	// need not be stemmed.
	firsts [256]bool
	memo   map[string]int // normalized word → stem number, -1 for none
	st     *stemmer
	seen   []uint32 // per stem, the count call that last found it
	gen    uint32
	// similar also matches words whose stem is similar to a query stem
	// ("economy" and "economic"), for passages inside one briefing.
	similar bool
}

func newStemMatcher(qs []string) *stemMatcher {
	m := &stemMatcher{stems: make(map[string]int, len(qs)), memo: map[string]int{}, st: newStemmer(), seen: make([]uint32, len(qs))}
	m.order = qs
	for i, q := range qs {
		m.stems[q] = i
		if q != "" {
			m.firsts[q[0]] = true
		}
	}
	return m
}

func (m *stemMatcher) stemOf(w string) int {
	if w == "" || !m.firsts[w[0]] {
		return -1
	}
	if i, ok := m.memo[w]; ok {
		return i
	}
	st := m.st.stem(w)
	i, ok := m.stems[st]
	if !ok {
		i = -1
		if m.similar {
			for n, q := range m.order {
				if similarStems(q, st) {
					i = n
					break
				}
			}
		}
	}
	m.memo[w] = i
	return i
}

func (m *stemMatcher) match(w string) bool { return m.stemOf(w) >= 0 }

// count is how many distinct query stems the texts hold.
func (m *stemMatcher) count(texts ...string) int {
	m.gen++
	n := 0
	for _, t := range texts {
		n += m.countMore(t)
	}
	return n
}

func (m *stemMatcher) countMore(t string) int {
	n := 0
	forEachWordStarting(t, &m.firsts, func(w string, _ int) {
		if i := m.stemOf(w); i >= 0 && m.seen[i] != m.gen {
			m.seen[i] = m.gen
			n++
		}
	})
	return n
}

// countBlocks is count over the labels and texts of blocks, which are the
// words of blocksText(bs).
func (m *stemMatcher) countBlocks(bs []Block) int {
	m.gen++
	n := 0
	for _, b := range bs {
		n += m.countMore(b.Label) + m.countMore(b.Text)
	}
	return n
}

func blocksText(bs []Block) string {
	var sb strings.Builder
	for _, b := range bs {
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		if b.Label != "" {
			sb.WriteString(b.Label)
			sb.WriteString(": ")
		}
		sb.WriteString(b.Text)
	}
	return sb.String()
}

// snippet returns about snippetChars of text around the first word whose
// stem is wanted, cut at word boundaries, with "…" where text was cut.
func snippet(text string, want map[string]bool, st *stemmer) string {
	return snippetAt(text, func(w string) bool { return want[st.stem(w)] })
}

// snippetAt is snippet with the wanted words told by match.
func snippetAt(text string, match func(word string) bool) string {
	at := -1
	forEachWord(text, func(w string, off int) {
		if at < 0 && match(w) {
			at = off
		}
	})
	if at < 0 {
		at = 0
	}
	// Start a little before the match, at a word boundary.
	start := at
	for back := 0; start > 0 && back < 60; back++ {
		_, size := utf8.DecodeLastRuneInString(text[:start])
		start -= size
	}
	if start > 0 {
		if sp := strings.IndexByte(text[start:at], ' '); sp >= 0 {
			start += sp + 1
		} else {
			start = at
		}
	}
	end := start
	for n := 0; end < len(text) && n < snippetChars; n++ {
		_, size := utf8.DecodeRuneInString(text[end:])
		end += size
	}
	if end < len(text) {
		if sp := strings.LastIndexByte(text[start:end], ' '); sp > 0 {
			end = start + sp
		}
	}
	out := strings.TrimSpace(text[start:end])
	if start > 0 {
		out = "…" + out
	}
	if end < len(text) {
		out += "…"
	}
	return out
}
