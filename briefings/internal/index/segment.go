package index

import (
	"runtime"
	"sync"
)

// segment is an immutable inverted index over a run of documents, laid
// out flat: the postings of term t are its document numbers (segment-local,
// ascending), stored as varint gaps in gaps[gapOffs[t]:gapOffs[t+1]], with
// their weighted term frequencies in tfs[tfOffs[t]:tfOffs[t+1]]. A
// frequency of 255 or more is stored as 255 and kept exactly in bigTF.
// Terms are interned once; there is no per-term slice or per-posting
// allocation, and a posting takes about two bytes.
type segment struct {
	docs   []Doc
	docLen []float32 // weighted length of each document
	sumLen float64

	terms   map[string]uint32 // term → term number
	gapOffs []uint32          // len(terms)+1 offsets into gaps
	tfOffs  []uint32          // len(terms)+1 offsets into tfs
	gaps    []byte
	tfs     []uint8
	bigTF   map[uint32]uint16 // index in tfs → frequency, where tfs holds 255
}

// postings returns the postings of a term, empty when it has none.
func (s *segment) postings(term string) postings {
	if s == nil {
		return postings{}
	}
	t, ok := s.terms[term]
	if !ok {
		return postings{}
	}
	lo, hi := s.tfOffs[t], s.tfOffs[t+1]
	return postings{gaps: s.gaps[s.gapOffs[t]:s.gapOffs[t+1]], tfs: s.tfs[lo:hi], first: lo, seg: s}
}

// postings is one term's postings in a segment, read in order with next.
type postings struct {
	gaps  []byte
	tfs   []uint8
	first uint32 // index of tfs[0] in the segment's tfs
	seg   *segment
	p     int    // read position in gaps
	doc   uint32 // last document read
}

func (ps *postings) len() int { return len(ps.tfs) }

// next returns the next document; call it len() times.
func (ps *postings) next() uint32 {
	b := ps.gaps[ps.p]
	ps.p++
	if b < 0x80 {
		ps.doc += uint32(b)
		return ps.doc
	}
	return ps.nextLong(b)
}

func (ps *postings) nextLong(b byte) uint32 {
	v := uint32(b & 0x7f)
	for shift := 7; ; shift += 7 {
		b = ps.gaps[ps.p]
		ps.p++
		v |= uint32(b&0x7f) << shift
		if b < 0x80 {
			break
		}
	}
	ps.doc += v
	return ps.doc
}

// tf is the frequency of the i-th posting.
func (ps *postings) tf(i int) float32 {
	if f := ps.tfs[i]; f < 0xff {
		return float32(f)
	}
	return float32(ps.seg.bigTF[ps.first+uint32(i)])
}

func uvarintLen(v uint32) uint32 {
	n := uint32(1)
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// tokenizer turns documents into (term, weighted frequency) pairs. Each
// worker has its own, so that the hot path takes no lock: a word seen
// before costs one map look-up, with no call to Config.Term and no
// allocation.
type tokenizer struct {
	term   func(word string) (string, bool)
	words  map[string]int32 // normalized word → local term, -1 for words not indexed
	terms  map[string]int32 // term → local term
	names  []string         // local term → term
	counts []uint16         // per local term, for the current document
	seen   []int32          // local terms of the current document
	total  float32          // weighted length of the current document
	add    func(word []byte, weight uint16)

	// chunks hold every document's pairs back to back, in chunks so
	// that growing never copies; docs say where each document's are.
	chunks [][]termFreq
	docs   []docSpan
}

type termFreq struct {
	term int32
	tf   uint16
}

type docSpan struct {
	chunk, from, to int32 // range in chunks[chunk]
	len             float32
}

const tokenChunk = 1 << 16

func newTokenizer(term func(string) (string, bool)) *tokenizer {
	tk := &tokenizer{term: term, words: map[string]int32{}, terms: map[string]int32{}}
	tk.add = tk.addWord
	return tk
}

func (tk *tokenizer) addWord(word []byte, w uint16) {
	t, ok := tk.words[string(word)]
	if !ok {
		t = tk.intern(string(word))
	}
	if t < 0 {
		return
	}
	if tk.counts[t] == 0 {
		tk.seen = append(tk.seen, t)
	}
	tk.counts[t] = satAdd(tk.counts[t], w)
	tk.total += float32(w)
}

// doc tokenizes one document.
func (tk *tokenizer) doc(words Words, id int) {
	tk.total = 0
	words(id, tk.add)
	last := len(tk.chunks) - 1
	if last < 0 || cap(tk.chunks[last])-len(tk.chunks[last]) < len(tk.seen) {
		tk.chunks = append(tk.chunks, make([]termFreq, 0, max(tokenChunk, len(tk.seen))))
		last++
	}
	out := tk.chunks[last]
	from := len(out)
	for _, t := range tk.seen {
		out = append(out, termFreq{t, tk.counts[t]})
		tk.counts[t] = 0
	}
	tk.chunks[last] = out
	tk.seen = tk.seen[:0]
	tk.docs = append(tk.docs, docSpan{chunk: int32(last), from: int32(from), to: int32(len(out)), len: tk.total})
}

func satAdd(a, b uint16) uint16 {
	if s := uint32(a) + uint32(b); s <= 0xffff {
		return uint16(s)
	}
	return 0xffff
}

// intern gives a never-seen normalized word its local term.
func (tk *tokenizer) intern(word string) int32 {
	word = string([]byte(word)) // the caller's bytes are reused
	term, ok := tk.term(word)
	if !ok {
		tk.words[word] = -1
		return -1
	}
	t, ok := tk.terms[term]
	if !ok {
		t = int32(len(tk.names))
		tk.terms[term] = t
		tk.names = append(tk.names, term)
		tk.counts = append(tk.counts, 0)
	}
	tk.words[word] = t
	return t
}

// buildSegment indexes docs on every CPU: each worker tokenizes a share of
// the documents with its own vocabulary, then the vocabularies are merged
// and the postings laid out in one pass.
func buildSegment(cfg *Config, words Words, docs []Doc) *segment {
	s := &segment{docs: docs, docLen: make([]float32, len(docs)), terms: map[string]uint32{}}
	workers := min(runtime.NumCPU(), max(1, len(docs)/64))
	tks := make([]*tokenizer, workers)
	var wg sync.WaitGroup
	for w := range tks {
		tks[w] = newTokenizer(cfg.Term)
		wg.Add(1)
		go func(tk *tokenizer) {
			defer wg.Done()
			for i := w; i < len(docs); i += workers {
				tk.doc(words, docs[i].ID)
			}
		}(tks[w])
	}
	wg.Wait()

	// Map each worker's terms to segment terms and count postings.
	global := make([][]uint32, workers)
	var df []uint32
	for w, tk := range tks {
		global[w] = make([]uint32, len(tk.names))
		for lt, term := range tk.names {
			g, ok := s.terms[term]
			if !ok {
				g = uint32(len(df))
				s.terms[term] = g
				df = append(df, 0)
			}
			global[w][lt] = g
		}
		for _, c := range tk.chunks {
			for _, tf := range c {
				df[global[w][tf.term]]++
			}
		}
	}
	// Lay out the postings: count the bytes of each term's gaps, then
	// write them, documents in order so that every term's postings ascend.
	nTerms := len(df)
	s.tfOffs = make([]uint32, nTerms+1)
	for t, n := range df {
		s.tfOffs[t+1] = s.tfOffs[t] + n
	}
	last := make([]uint32, nTerms) // last document of each term so far
	gapLen := make([]uint32, nTerms)
	forEachPosting := func(fn func(doc uint32, g uint32, tf uint16)) {
		spans := make([]int, workers) // next span of each worker
		for i := range docs {
			w := i % workers
			tk := tks[w]
			sp := tk.docs[spans[w]]
			spans[w]++
			for _, tf := range tk.chunks[sp.chunk][sp.from:sp.to] {
				fn(uint32(i), global[w][tf.term], tf.tf)
			}
		}
	}
	forEachPosting(func(doc, g uint32, _ uint16) {
		gapLen[g] += uvarintLen(doc - last[g])
		last[g] = doc
	})
	s.gapOffs = make([]uint32, nTerms+1)
	for t, n := range gapLen {
		s.gapOffs[t+1] = s.gapOffs[t] + n
	}
	s.gaps = make([]byte, s.gapOffs[nTerms])
	s.tfs = make([]uint8, s.tfOffs[nTerms])
	clear(last)
	gapAt := gapLen // reused as the write cursors
	copy(gapAt, s.gapOffs[:nTerms])
	tfAt := df
	copy(tfAt, s.tfOffs[:nTerms])
	forEachPosting(func(doc, g uint32, tf uint16) {
		v := doc - last[g]
		last[g] = doc
		at := gapAt[g]
		for v >= 0x80 {
			s.gaps[at] = byte(v) | 0x80
			v >>= 7
			at++
		}
		s.gaps[at] = byte(v)
		gapAt[g] = at + 1
		if tf < 0xff {
			s.tfs[tfAt[g]] = uint8(tf)
		} else {
			s.tfs[tfAt[g]] = 0xff
			if s.bigTF == nil {
				s.bigTF = map[uint32]uint16{}
			}
			s.bigTF[tfAt[g]] = tf
		}
		tfAt[g]++
	})
	spans := make([]int, workers)
	for i := range docs {
		w := i % workers
		sp := tks[w].docs[spans[w]]
		spans[w]++
		s.docLen[i] = sp.len
		s.sumLen += float64(sp.len)
	}
	return s
}
