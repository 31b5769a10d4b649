package briefings

import (
	"container/heap"
	"math"
	"runtime"
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

// index is an inverted index over the newest briefing of each topic.
type index struct {
	docs     []*Briefing
	postings map[string][]posting
	docLen   []float32
	avgLen   float32
	docNorm  []float32 // BM25 length normalisation per document, precomputed
	pool     sync.Pool // of *[]float32 score buffers
}

type posting struct {
	doc int32
	tf  float32 // weighted term frequency
}

// docTerms is what tokenizing one briefing yields.
type docTerms struct {
	terms []string
	tfs   []float32
	len   float32
}

func tokenizeDoc(b *Briefing, st *stemmer, tf map[string]float32) docTerms {
	clear(tf)
	var total float32
	add := func(s string, w float32) {
		forEachWord(s, func(word string, _ int) {
			if stopWords[word] {
				return
			}
			tf[st.stem(word)] += w
			total += w
		})
	}
	add(b.Title, weightTitle)
	if b.Topic != b.Title {
		add(b.Topic, weightTitle)
	}
	for _, a := range b.Aliases {
		add(a, weightTitle)
	}
	for _, t := range b.Tags {
		add(t, weightTag)
	}
	add(b.Summary, weightBody)
	for _, blk := range b.Lede {
		add(blk.Label, weightBody)
		add(blk.Text, weightBody)
	}
	for _, s := range b.Sections {
		add(s.Heading, weightHeading)
		for _, blk := range s.Blocks {
			add(blk.Label, weightBody)
			add(blk.Text, weightBody)
		}
	}
	d := docTerms{terms: make([]string, 0, len(tf)), tfs: make([]float32, 0, len(tf)), len: total}
	for t, f := range tf {
		d.terms = append(d.terms, t)
		d.tfs = append(d.tfs, f)
	}
	return d
}

// buildIndex tokenizes the briefings on every CPU and merges the results.
func buildIndex(docs []*Briefing) *index {
	idx := &index{docs: docs, postings: map[string][]posting{}, docLen: make([]float32, len(docs))}
	terms := make([]docTerms, len(docs))
	workers := min(runtime.NumCPU(), max(1, len(docs)/64))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			st := newStemmer()
			tf := map[string]float32{}
			for i := w; i < len(docs); i += workers {
				terms[i] = tokenizeDoc(docs[i], st, tf)
			}
		}(w)
	}
	wg.Wait()
	var sum float64
	for i, d := range terms {
		idx.docLen[i] = d.len
		sum += float64(d.len)
		for j, t := range d.terms {
			idx.postings[t] = append(idx.postings[t], posting{int32(i), d.tfs[j]})
		}
		terms[i] = docTerms{}
	}
	if len(docs) > 0 {
		idx.avgLen = float32(sum / float64(len(docs)))
	}
	idx.docNorm = make([]float32, len(docs))
	for i, l := range idx.docLen {
		idx.docNorm[i] = bm25K1 * (1 - bm25B + bm25B*l/max(idx.avgLen, 1))
	}
	// Trim the slack append left behind; it is most of the index otherwise.
	for t, ps := range idx.postings {
		if cap(ps) > len(ps) {
			idx.postings[t] = append(make([]posting, 0, len(ps)), ps...)
		}
	}
	return idx
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
	idx := l.idx
	if len(qs) == 0 || limit <= 0 || idx == nil || len(idx.docs) == 0 {
		return nil
	}
	var scores []float32
	if p, ok := idx.pool.Get().(*[]float32); ok {
		scores = *p
	} else {
		scores = make([]float32, len(idx.docs))
	}
	defer func() { idx.pool.Put(&scores) }()
	var touched []int32
	n := float64(len(idx.docs))
	for _, q := range qs {
		ps := idx.postings[q]
		if len(ps) == 0 {
			continue
		}
		df := float64(len(ps))
		idf := float32(math.Log(1 + (n-df+0.5)/(df+0.5)))
		norms := idx.docNorm
		for _, p := range ps {
			if scores[p.doc] == 0 {
				touched = append(touched, p.doc)
			}
			scores[p.doc] += idf * p.tf * (bm25K1 + 1) / (p.tf + norms[p.doc])
		}
	}
	h := &hitHeap{}
	for _, d := range touched {
		s := scores[d]
		scores[d] = 0
		if h.Len() < limit {
			heap.Push(h, scoredDoc{d, s})
		} else if s > (*h)[0].score || (s == (*h)[0].score && d < (*h)[0].doc) {
			(*h)[0] = scoredDoc{d, s}
			heap.Fix(h, 0)
		}
	}
	hits := make([]Hit, h.Len())
	for i := len(hits) - 1; i >= 0; i-- {
		sd := heap.Pop(h).(scoredDoc)
		b := idx.docs[sd.doc]
		sec, snip := bestPlace(b, qs)
		hits[i] = Hit{Briefing: b, Section: sec, Snippet: snip, Score: float64(sd.score)}
	}
	return hits
}

type scoredDoc struct {
	doc   int32
	score float32
}

// hitHeap is a min-heap: the weakest of the best hits so far on top.
type hitHeap []scoredDoc

func (h hitHeap) Len() int { return len(h) }
func (h hitHeap) Less(i, j int) bool {
	if h[i].score != h[j].score {
		return h[i].score < h[j].score
	}
	return h[i].doc > h[j].doc
}
func (h hitHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)   { *h = append(*h, x.(scoredDoc)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// bestPlace picks the section whose heading and text hold most of the
// query's stems (nil when the title and lede hold more) and a snippet
// around the first matching word there.
func bestPlace(b *Briefing, qs []string) (*Section, string) {
	st := newStemmer()
	want := map[string]bool{}
	for _, q := range qs {
		want[q] = true
	}
	count := func(texts ...string) int {
		found := map[string]bool{}
		for _, t := range texts {
			forEachWord(t, func(w string, _ int) {
				if s := st.stem(w); want[s] {
					found[s] = true
				}
			})
		}
		return len(found)
	}
	ledeText := blocksText(b.Lede)
	best, bestN := -1, count(ledeText)
	for i := range b.Sections {
		s := &b.Sections[i]
		n := count(s.Heading)*2 + count(blocksText(s.Blocks))
		if n > bestN {
			best, bestN = i, n
		}
	}
	if best < 0 {
		text := ledeText
		if text == "" {
			text = b.Summary
		}
		return nil, snippet(text, want, st)
	}
	s := &b.Sections[best]
	return s, snippet(blocksText(s.Blocks), want, st)
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
	at := -1
	forEachWord(text, func(w string, off int) {
		if at < 0 && want[st.stem(w)] {
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
