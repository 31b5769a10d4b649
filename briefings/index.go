package briefings

import (
	"runtime"
	"sync"
	"unicode"
	"unicode/utf8"
)

// segment is an immutable inverted index over a run of documents, in
// compressed-sparse-row form: the postings of term t are
// docs[offs[t]:offs[t+1]] (segment-local document numbers, ascending) with
// their weighted term frequencies in tfs. Terms are interned once; there is
// no per-term slice or per-posting allocation.
type segment struct {
	docs   []*Briefing
	keys   []string  // topic key of each document, for ties
	docLen []float32 // weighted length of each document
	sumLen float64

	terms map[string]uint32 // stem → term number
	offs  []uint32          // len(terms)+1 offsets into post and tfs
	post  []uint32
	tfs   []uint16
}

// postings returns the documents and frequencies of a stem.
func (s *segment) postings(stem string) ([]uint32, []uint16) {
	if s == nil {
		return nil, nil
	}
	t, ok := s.terms[stem]
	if !ok {
		return nil, nil
	}
	lo, hi := s.offs[t], s.offs[t+1]
	return s.post[lo:hi], s.tfs[lo:hi]
}

// tokenizer turns documents into (term, weighted frequency) pairs. Each
// worker has its own, so that the hot path takes no lock: a word seen
// before costs one map look-up, with no normalizing, stemming or
// allocation.
type tokenizer struct {
	words  map[string]int32 // normalized word → local term, -1 for stop-words
	stems  map[string]int32 // stem → local term
	names  []string         // local term → stem
	counts []uint16         // per local term, for the current document
	seen   []int32          // local terms of the current document
	buf    []byte
	st     *stemmer

	// out holds every document's pairs back to back; doc i's are
	// out[ends[i-1]:ends[i]] of the documents this tokenizer handled.
	out  []termFreq
	docs []docSpan
}

type termFreq struct {
	term int32
	tf   uint16
}

type docSpan struct {
	doc      int32 // index in the documents being indexed
	from, to int32 // range in out
	len      float32
}

func newTokenizer() *tokenizer {
	return &tokenizer{words: map[string]int32{}, stems: map[string]int32{}, st: newStemmer()}
}

// doc tokenizes one briefing, field by field with its weight.
func (tk *tokenizer) doc(i int, b *Briefing) {
	var total float32
	add := func(s string, w uint16) {
		tk.forEachWord(s, func(word []byte) {
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
			total += float32(w)
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
	from := int32(len(tk.out))
	for _, t := range tk.seen {
		tk.out = append(tk.out, termFreq{t, tk.counts[t]})
		tk.counts[t] = 0
	}
	tk.seen = tk.seen[:0]
	tk.docs = append(tk.docs, docSpan{doc: int32(i), from: from, to: int32(len(tk.out)), len: total})
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
	if stopWords[word] {
		tk.words[word] = -1
		return -1
	}
	stem := tk.st.stem(word)
	t, ok := tk.stems[stem]
	if !ok {
		t = int32(len(tk.names))
		tk.stems[stem] = t
		tk.names = append(tk.names, stem)
		tk.counts = append(tk.counts, 0)
	}
	tk.words[word] = t
	return t
}

// forEachWord is forEachWord (normalize.go) for indexing: the same words,
// handed over in a reused buffer. ASCII words are lower-cased in place;
// only words with other letters go through Normalize.
func (tk *tokenizer) forEachWord(s string, fn func(word []byte)) {
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		raw := s[start:end]
		start = -1
		buf := tk.buf[:0]
		for i := 0; i < len(raw); i++ {
			c := raw[i]
			switch {
			case c >= utf8.RuneSelf:
				n := Normalize(raw)
				buf = buf[:0]
				for j := 0; j < len(n); j++ {
					if n[j] != ' ' {
						buf = append(buf, n[j])
					}
				}
				i = len(raw)
			case c >= 'A' && c <= 'Z':
				buf = append(buf, c+('a'-'A'))
			case c == '\'':
			default:
				buf = append(buf, c)
			}
		}
		tk.buf = buf
		if len(buf) > 0 {
			fn(buf)
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '\'' {
				if start < 0 {
					start = i
				}
			} else {
				flush(i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '’' {
			if start < 0 {
				start = i
			}
		} else {
			flush(i)
		}
		i += size
	}
	flush(len(s))
}

// buildSegment indexes docs (with their topic keys) on every CPU: each
// worker tokenizes a share of the documents with its own vocabulary, then
// the vocabularies are merged and the postings laid out in one pass.
func buildSegment(docs []*Briefing, keys []string) *segment {
	s := &segment{docs: docs, keys: keys, docLen: make([]float32, len(docs)), terms: map[string]uint32{}}
	workers := min(runtime.NumCPU(), max(1, len(docs)/64))
	tks := make([]*tokenizer, workers)
	var wg sync.WaitGroup
	for w := range tks {
		tks[w] = newTokenizer()
		wg.Add(1)
		go func(tk *tokenizer) {
			defer wg.Done()
			for i := w; i < len(docs); i += workers {
				tk.doc(i, docs[i])
			}
		}(tks[w])
	}
	wg.Wait()

	// Map each worker's terms to segment terms and count postings.
	global := make([][]uint32, workers)
	var df []uint32
	for w, tk := range tks {
		global[w] = make([]uint32, len(tk.names))
		for lt, stem := range tk.names {
			g, ok := s.terms[stem]
			if !ok {
				g = uint32(len(df))
				s.terms[stem] = g
				df = append(df, 0)
			}
			global[w][lt] = g
		}
		for _, tf := range tk.out {
			df[global[w][tf.term]]++
		}
	}
	s.offs = make([]uint32, len(df)+1)
	for t, n := range df {
		s.offs[t+1] = s.offs[t] + n
	}
	total := s.offs[len(df)]
	s.post = make([]uint32, total)
	s.tfs = make([]uint16, total)
	next := df // reused as the write cursor of each term
	copy(next, s.offs[:len(df)])
	// Documents in order, so that every term's postings ascend.
	spans := make([]int, workers) // next span of each worker
	for i := range docs {
		w := i % workers
		tk := tks[w]
		sp := tk.docs[spans[w]]
		spans[w]++
		s.docLen[i] = sp.len
		s.sumLen += float64(sp.len)
		for _, tf := range tk.out[sp.from:sp.to] {
			g := global[w][tf.term]
			at := next[g]
			next[g]++
			s.post[at] = uint32(i)
			s.tfs[at] = tf.tf
		}
	}
	return s
}
