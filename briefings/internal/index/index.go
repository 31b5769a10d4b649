// Package index is an in-memory BM25 full-text index. Documents, known by
// integer ids, are indexed from their words and ranked for a query's terms.
//
// It knows nothing of what the documents are or what a word is: the caller
// hands over each document's words, already normalized, with the weight of
// the field each is in (Words), and says how a word becomes a term, such as
// its stem, or that it is not indexed (Config.Term). The rules for words
// thus stay in one place, with the caller.
//
// An Index is immutable and safe for concurrent use. It is made of a large
// base segment, shared from one Index to the next by With, a small delta
// segment holding the documents added since the base was built, and a mask
// of the base documents removed since.
package index

import (
	"math"
	"sync"
)

// Config says how the index turns words into terms and scores them.
type Config struct {
	// Term returns the term a normalized word is indexed and searched
	// under, and false for a word that is not indexed (a stop-word). It is
	// called concurrently, once per distinct word for each indexing worker.
	Term func(word string) (term string, ok bool)
	// K1 and B are the BM25 parameters: how fast a term's weight saturates
	// with its frequency, and how much a document's length discounts it.
	K1, B float64
}

// Words calls add with each normalized word of document id and the weight
// of the field it is in. The word's bytes may be reused once add returns.
// It is called concurrently for different documents.
type Words func(id int, add func(word []byte, weight uint16))

// Doc is a document to index.
type Doc struct {
	ID int
	// Key orders documents of equal score: the smaller key ranks first.
	Key string
}

// Result is a ranked document.
type Result struct {
	ID    int
	Score float32
}

// Index is an inverted index over documents. Document numbers, internal to
// the index, run through the base, then the delta.
type Index struct {
	cfg      *Config
	base     *segment
	delta    *segment // nil when empty
	deleted  []uint64 // bit per base document; nil when none
	nDeleted int
	delLen   float64 // summed length of the deleted base documents
	pool     *sync.Pool
}

// Build indexes docs, whose words are told by words, on every CPU.
func Build(cfg Config, words Words, docs []Doc) *Index {
	return newIndex(&cfg, buildSegment(&cfg, words, docs), nil, nil, 0, 0)
}

func newIndex(cfg *Config, base, delta *segment, deleted []uint64, nDeleted int, delLen float64) *Index {
	x := &Index{cfg: cfg, base: base, delta: delta, deleted: deleted, nDeleted: nDeleted, delLen: delLen}
	n := x.size()
	x.pool = &sync.Pool{New: func() any {
		return &searchBuf{scores: make([]float32, n)}
	}}
	return x
}

// size is the number of document numbers, deleted ones included.
func (x *Index) size() int {
	n := len(x.base.docs)
	if x.delta != nil {
		n += len(x.delta.docs)
	}
	return n
}

// Len is the number of documents searched.
func (x *Index) Len() int { return x.size() - x.nDeleted }

func (x *Index) isDeleted(d uint32) bool {
	return int(d) < len(x.base.docs) && x.deleted != nil && x.deleted[d/64]&(1<<(d%64)) != 0
}

// doc returns document d.
func (x *Index) doc(d uint32) Doc {
	if n := uint32(len(x.base.docs)); d >= n {
		return x.delta.docs[d-n]
	}
	return x.base.docs[d]
}

// Has reports whether some document holds term.
func (x *Index) Has(term string) bool {
	bp, dp := x.base.postings(term), x.delta.postings(term)
	if dp.len() > 0 {
		return true
	}
	for range bp.len() {
		if !x.isDeleted(bp.next()) {
			return true
		}
	}
	return false
}

// With returns the index without the documents whose ids are in remove
// and with add, whose words (and those of the documents it keeps) are told
// by words; it shares the base segment. It returns nil when the delta
// would grow too large, or too much of the base be masked, and the whole
// index should be built again instead. An id may be both removed and
// added: the new document replaces the old.
func (x *Index) With(words Words, remove map[int]bool, add []Doc) *Index {
	deleted, nDeleted, delLen := x.deleted, x.nDeleted, x.delLen
	if len(remove) > 0 {
		deleted = make([]uint64, (len(x.base.docs)+63)/64)
		copy(deleted, x.deleted)
		for i, d := range x.base.docs {
			if remove[d.ID] && deleted[i/64]&(1<<(i%64)) == 0 {
				deleted[i/64] |= 1 << (i % 64)
				nDeleted++
				delLen += float64(x.base.docLen[i])
			}
		}
	}
	var docs []Doc
	if x.delta != nil {
		for _, d := range x.delta.docs {
			if !remove[d.ID] {
				docs = append(docs, d)
			}
		}
	}
	docs = append(docs, add...)
	if len(docs) > max(256, (len(x.base.docs)-nDeleted)/8) || nDeleted > max(256, len(x.base.docs)/4) {
		return nil
	}
	var delta *segment
	if len(docs) > 0 {
		delta = buildSegment(x.cfg, words, docs)
	}
	return newIndex(x.cfg, x.base, delta, deleted, nDeleted, delLen)
}

// searchBuf is the per-query scratch space, pooled so that a query
// allocates nothing in proportion to the index.
type searchBuf struct {
	scores  []float32
	touched []uint32
	heap    []scoredDoc
}

// Search returns the limit documents that score best for terms by BM25,
// best first: the sum over the terms of the term's inverse document
// frequency times its saturated weighted frequency in the document,
// discounted by the document's weighted length. Terms should be distinct.
// Ties rank by key, then by order of indexing.
func (x *Index) Search(terms []string, limit int) []Result {
	if len(terms) == 0 || limit <= 0 || x.Len() == 0 {
		return nil
	}
	buf := x.pool.Get().(*searchBuf)
	defer x.pool.Put(buf)
	scores, touched := buf.scores, buf.touched[:0]
	n := float64(x.Len())
	avgLen := float32((x.base.sumLen - x.delLen) / n)
	if x.delta != nil {
		avgLen = float32((x.base.sumLen - x.delLen + x.delta.sumLen) / n)
	}
	k1, b := x.cfg.K1, x.cfg.B
	normK := float32(k1*b) / max(avgLen, 1)
	normC := float32(k1 * (1 - b))
	baseN := uint32(len(x.base.docs))
	for _, q := range terms {
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
		w := idf * float32(k1+1)
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
	h := resultHeap{x: x, h: buf.heap[:0]}
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
	out := make([]Result, len(h.h))
	for i := len(out) - 1; i >= 0; i-- {
		sd := h.pop()
		out[i] = Result{ID: x.doc(sd.doc).ID, Score: sd.score}
	}
	buf.heap = h.h[:0]
	return out
}

type scoredDoc struct {
	doc   uint32
	score float32
}

// resultHeap is a min-heap of scored documents: lower score first, and on
// equal scores the later key first, so that ties rank by key.
type resultHeap struct {
	x *Index
	h []scoredDoc
}

// less reports whether a ranks below b.
func (h *resultHeap) less(a, b scoredDoc) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	ka, kb := h.x.doc(a.doc).Key, h.x.doc(b.doc).Key
	if ka != kb {
		return ka > kb
	}
	return a.doc > b.doc
}

func (h *resultHeap) push(sd scoredDoc) {
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

func (h *resultHeap) pop() scoredDoc {
	top := h.h[0]
	last := len(h.h) - 1
	h.h[0] = h.h[last]
	h.h = h.h[:last]
	if last > 0 {
		h.down(0)
	}
	return top
}

func (h *resultHeap) down(i int) {
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
