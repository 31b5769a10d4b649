package index

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// field is a run of text and its weight.
type field struct {
	text   string
	weight uint16
}

// corpus is a set of documents by id, split into words at spaces.
type corpus map[int][]field

func (c corpus) words(id int, add func([]byte, uint16)) {
	for _, f := range c[id] {
		for _, w := range strings.Fields(f.text) {
			add([]byte(w), f.weight)
		}
	}
}

// cfg indexes words as they are but drops "the" and folds a plural s
// ("ports" is "port"), standing in for the caller's stemmer.
var cfg = Config{
	Term: func(w string) (string, bool) {
		if w == "the" {
			return "", false
		}
		return strings.TrimSuffix(w, "s"), true
	},
	K1: 1.2, B: 0.75,
}

// refSearch is BM25 as Search documents it, computed the slow, obvious
// way over the live documents of c.
func refSearch(c corpus, terms []string, limit int) []Result {
	tfs := map[int]map[string]float64{}
	lens := map[int]float64{}
	var sum float64
	for id := range c {
		tf := map[string]float64{}
		c.words(id, func(w []byte, weight uint16) {
			if t, ok := cfg.Term(string(w)); ok {
				tf[t] += float64(weight)
				lens[id] += float64(weight)
			}
		})
		tfs[id] = tf
		sum += lens[id]
	}
	n := float64(len(c))
	avg := max(sum/n, 1)
	scores := map[int]float64{}
	for _, q := range terms {
		df := 0.0
		for _, tf := range tfs {
			if tf[q] > 0 {
				df++
			}
		}
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		for id, tf := range tfs {
			if f := tf[q]; f > 0 {
				scores[id] += idf * f * (cfg.K1 + 1) / (f + cfg.K1*(1-cfg.B+cfg.B*lens[id]/avg))
			}
		}
	}
	var out []Result
	for id, s := range scores {
		out = append(out, Result{ID: id, Score: float32(s)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	return out[:min(limit, len(out))]
}

var vocabulary = strings.Fields("port treaty bank grid reform farmer protest capital reserve rule river dam election court wheat oil gas border")

func randomDoc(r *rand.Rand) []field {
	var fs []field
	for _, w := range []uint16{3, 2, 1, 1} {
		var ws []string
		for range 1 + r.IntN(30) {
			ws = append(ws, vocabulary[r.IntN(len(vocabulary))])
			if r.IntN(4) == 0 {
				ws = append(ws, "the", "ports")
			}
		}
		fs = append(fs, field{strings.Join(ws, " "), w})
	}
	return fs
}

// docs returns the documents of ids, keyed so that ties rank by id as
// refSearch ranks them.
func docs(ids ...int) []Doc {
	var ds []Doc
	for _, id := range ids {
		ds = append(ds, Doc{ID: id, Key: fmt.Sprintf("%06d", id)})
	}
	return ds
}

func checkSearch(t *testing.T, name string, x *Index, c corpus) {
	t.Helper()
	if x.Len() != len(c) {
		t.Errorf("%s: Len = %d, want %d", name, x.Len(), len(c))
	}
	for _, q := range [][]string{{"port"}, {"treaty", "bank"}, {"grid", "reform", "farmer", "protest"}, {"heavy"}, {"nowhere"}} {
		got, want := x.Search(q, 10), refSearch(c, q, 10)
		if len(got) != len(want) {
			t.Fatalf("%s: Search(%q): %d results, want %d", name, q, len(got), len(want))
		}
		for i := range got {
			if got[i].ID != want[i].ID || math.Abs(float64(got[i].Score-want[i].Score)) > 1e-4*float64(want[i].Score) {
				t.Errorf("%s: Search(%q)[%d] = %v, want %v", name, q, i, got[i], want[i])
			}
		}
	}
}

// TestSearchAgreesWithReference checks the compressed postings, the
// frequencies too large for a byte, the masking of removed documents and
// the delta against BM25 computed plainly.
func TestSearchAgreesWithReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	c := corpus{}
	var ids []int
	for id := range 600 {
		c[id*3] = randomDoc(r) // gaps between ids: ids are the caller's
		ids = append(ids, id*3)
	}
	c[5000] = []field{{"heavy", 3}, {strings.Repeat("treaty ", 400), 1}}
	ids = append(ids, 5000)
	x := Build(cfg, c.words, docs(ids...))
	checkSearch(t, "built", x, c)
	if got := x.Search([]string{"treaty"}, 1); len(got) != 1 || got[0].ID != 5000 {
		t.Errorf("Search(treaty) = %v, want the document saying it 400 times first", got)
	}

	// Remove some, replace one under the same id, add new ones.
	next := corpus{}
	for id, fs := range c {
		next[id] = fs
	}
	remove := map[int]bool{0: true, 300: true, 5000: true, 33: true}
	for id := range remove {
		delete(next, id)
	}
	next[33] = []field{{"port treaty", 3}, {"port expansion", 1}}
	next[7001] = randomDoc(r)
	next[7002] = randomDoc(r)
	y := x.With(next.words, remove, docs(33, 7001, 7002))
	if y == nil {
		t.Fatal("With a few changes = nil, want a patched index")
	}
	checkSearch(t, "patched", y, next)
	checkSearch(t, "the original after With", x, c)

	// Again on the patched index: the delta is rebuilt with what it keeps.
	again := corpus{}
	for id, fs := range next {
		again[id] = fs
	}
	delete(again, 7001)
	delete(again, 3)
	again[8000] = randomDoc(r)
	z := y.With(again.words, map[int]bool{7001: true, 3: true}, docs(8000))
	if z == nil {
		t.Fatal("With a few more changes = nil, want a patched index")
	}
	checkSearch(t, "patched twice", z, again)
}

func TestTiesRankByKey(t *testing.T) {
	c := corpus{1: {{"port", 1}}, 2: {{"port", 1}}, 3: {{"port", 1}}}
	x := Build(cfg, c.words, []Doc{{ID: 1, Key: "c"}, {ID: 2, Key: "a"}, {ID: 3, Key: "b"}})
	var got []int
	for _, r := range x.Search([]string{"port"}, 3) {
		got = append(got, r.ID)
	}
	if diff := cmp.Diff([]int{2, 3, 1}, got); diff != "" {
		t.Errorf("ties (-want +got):\n%s", diff)
	}
	if r := x.Search([]string{"port"}, 1); len(r) != 1 || r[0].ID != 2 {
		t.Errorf("Search(port, 1) = %v, want the smallest key", r)
	}
}

func TestHasIgnoresRemovedDocuments(t *testing.T) {
	c := corpus{1: {{"port treaty", 1}}, 2: {{"bank", 1}}}
	x := Build(cfg, c.words, docs(1, 2))
	if !x.Has("port") || x.Has("the") || x.Has("nowhere") {
		t.Errorf("Has(port, the, nowhere) = %v, %v, %v; want true, false, false", x.Has("port"), x.Has("the"), x.Has("nowhere"))
	}
	y := x.With(c.words, map[int]bool{1: true}, nil)
	if y.Has("port") || !y.Has("bank") {
		t.Errorf("after removing the only port document: Has(port, bank) = %v, %v; want false, true", y.Has("port"), y.Has("bank"))
	}
}

func TestWithSharesTheBaseUntilMostlyMasked(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	c := corpus{}
	var ids []int
	for id := range 1200 {
		c[id] = randomDoc(r)
		ids = append(ids, id)
	}
	x := Build(cfg, c.words, docs(ids...))
	remove := map[int]bool{}
	for id := range 200 {
		remove[id] = true
	}
	y := x.With(c.words, remove, nil)
	if y == nil || y.base != x.base || y.nDeleted != 200 {
		t.Fatalf("a few removals: want the base shared with 200 masked, got %+v", y)
	}
	for id := range 200 {
		remove[200+id] = true
	}
	if z := y.With(c.words, remove, nil); z != nil {
		t.Errorf("a third of the base removed: want nil (rebuild), got %d masked", z.nDeleted)
	}
	var add []Doc
	for id := range 300 {
		c[2000+id] = randomDoc(r)
		add = append(add, Doc{ID: 2000 + id, Key: fmt.Sprint(2000 + id)})
	}
	if z := x.With(c.words, nil, add); z != nil {
		t.Errorf("a delta of 300 over a base of 1200: want nil (rebuild), got %d in the delta", len(z.delta.docs))
	}
}

func TestEmpty(t *testing.T) {
	x := Build(cfg, corpus{}.words, nil)
	if got := x.Search([]string{"port"}, 10); got != nil || x.Len() != 0 || x.Has("port") {
		t.Errorf("empty index: Search = %v, Len = %d, Has = %v", got, x.Len(), x.Has("port"))
	}
}
