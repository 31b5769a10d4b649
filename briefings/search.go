package briefings

import (
	"math"
	"strings"
	"sync"
	"unicode/utf8"
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

// index is an inverted index over the newest briefing of each topic. It is
// immutable and made of a large base segment, shared from one Library to
// the next, a small delta segment holding the documents added or changed
// since the base was built, and a mask of the base documents that have
// been replaced or removed since. Document numbers run through the base,
// then the delta.
type index struct {
	base     *segment
	delta    *segment // nil when empty
	deleted  []uint64 // bit per base document; nil when none
	nDeleted int
	delLen   float64 // summed length of the deleted base documents
	pool     *sync.Pool
}

func newIndex(base, delta *segment, deleted []uint64, nDeleted int, delLen float64) *index {
	idx := &index{base: base, delta: delta, deleted: deleted, nDeleted: nDeleted, delLen: delLen}
	n := idx.size()
	idx.pool = &sync.Pool{New: func() any {
		return &searchBuf{scores: make([]float32, n)}
	}}
	return idx
}

// buildIndex indexes docs, whose topic keys are keys, in one base segment.
func buildIndex(docs []*Briefing, keys []string) *index {
	return newIndex(buildSegment(docs, keys), nil, nil, 0, 0)
}

// size is the number of document numbers, deleted ones included.
func (x *index) size() int {
	n := len(x.base.docs)
	if x.delta != nil {
		n += len(x.delta.docs)
	}
	return n
}

// live is the number of documents searched.
func (x *index) live() int { return x.size() - x.nDeleted }

func (x *index) isDeleted(d uint32) bool {
	return int(d) < len(x.base.docs) && x.deleted != nil && x.deleted[d/64]&(1<<(d%64)) != 0
}

// doc returns the briefing, topic key and length of document d.
func (x *index) doc(d uint32) (*Briefing, string, float32) {
	if n := uint32(len(x.base.docs)); d >= n {
		d -= n
		return x.delta.docs[d], x.delta.keys[d], x.delta.docLen[d]
	}
	return x.base.docs[d], x.base.keys[d], x.base.docLen[d]
}

// searchBuf is the per-query scratch space, pooled so that a query
// allocates nothing in proportion to the library.
type searchBuf struct {
	scores  []float32
	touched []uint32
	heap    []scoredDoc
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
	if len(qs) == 0 || limit <= 0 || x == nil || x.live() == 0 {
		return nil
	}
	buf := x.pool.Get().(*searchBuf)
	defer x.pool.Put(buf)
	scores, touched := buf.scores, buf.touched[:0]
	n := float64(x.live())
	avgLen := float32((x.base.sumLen - x.delLen) / n)
	if x.delta != nil {
		avgLen = float32((x.base.sumLen - x.delLen + x.delta.sumLen) / n)
	}
	normK := bm25K1 * bm25B / max(avgLen, 1)
	normC := float32(bm25K1 * (1 - bm25B))
	baseN := uint32(len(x.base.docs))
	for _, q := range qs {
		bp, dp := x.base.postings(q), x.delta.postings(q)
		df := bp.len() + dp.len()
		if df == 0 {
			continue
		}
		if x.nDeleted > 0 {
			probe := bp
			for range probe.len() {
				if x.isDeleted(probe.next()) {
					df--
				}
			}
			if df == 0 {
				continue
			}
		}
		idf := float32(math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5)))
		w := idf * (bm25K1 + 1)
		lens := x.base.docLen
		for i := range bp.len() {
			d := bp.next()
			if x.nDeleted > 0 && x.isDeleted(d) {
				continue
			}
			if scores[d] == 0 {
				touched = append(touched, d)
			}
			tf := bp.tf(i)
			scores[d] += w * tf / (tf + normC + normK*lens[d])
		}
		if x.delta != nil {
			lens = x.delta.docLen
			for i := range dp.len() {
				ld := dp.next()
				d := ld + baseN
				if scores[d] == 0 {
					touched = append(touched, d)
				}
				tf := dp.tf(i)
				scores[d] += w * tf / (tf + normC + normK*lens[ld])
			}
		}
	}
	// Top limit by a bounded min-heap: the weakest of the best so far on top.
	h := hitHeap{x: x, h: buf.heap[:0]}
	for _, d := range touched {
		sd := scoredDoc{d, scores[d]}
		scores[d] = 0
		if len(h.h) < limit {
			h.push(sd)
		} else if sd.score >= h.h[0].score && h.less(h.h[0], sd) {
			h.h[0] = sd
			h.down(0)
		}
	}
	buf.touched = touched[:0]
	hits := make([]Hit, len(h.h))
	m := newStemMatcher(qs)
	for i := len(hits) - 1; i >= 0; i-- {
		sd := h.pop()
		b, _, _ := x.doc(sd.doc)
		sec, snip := bestPlace(b, m)
		hits[i] = Hit{Briefing: b, Section: sec, Snippet: snip, Score: float64(sd.score)}
	}
	buf.heap = h.h[:0]
	return hits
}

type scoredDoc struct {
	doc   uint32
	score float32
}

// hitHeap is a min-heap of scored documents: lower score first, and on
// equal scores the later topic key first, so that ties rank by topic.
type hitHeap struct {
	x *index
	h []scoredDoc
}

// less reports whether a ranks below b.
func (h *hitHeap) less(a, b scoredDoc) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	_, ka, _ := h.x.doc(a.doc)
	_, kb, _ := h.x.doc(b.doc)
	if ka != kb {
		return ka > kb
	}
	return a.doc > b.doc
}

func (h *hitHeap) push(sd scoredDoc) {
	h.h = append(h.h, sd)
	for i := len(h.h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(h.h[i], h.h[p]) {
			break
		}
		h.h[i], h.h[p] = h.h[p], h.h[i]
		i = p
	}
}

func (h *hitHeap) pop() scoredDoc {
	top := h.h[0]
	last := len(h.h) - 1
	h.h[0] = h.h[last]
	h.h = h.h[:last]
	if last > 0 {
		h.down(0)
	}
	return top
}

func (h *hitHeap) down(i int) {
	n := len(h.h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.less(h.h[r], h.h[l]) {
			m = r
		}
		if !h.less(h.h[m], h.h[i]) {
			return
		}
		h.h[i], h.h[m] = h.h[m], h.h[i]
		i = m
	}
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
