package briefings

import (
	"math"
	"sort"
	"strings"
	"testing"
)

// refSearch is BM25 as Search documents it, computed the slow, obvious
// way: for checking the index's compressed postings and tie-breaking.
func refSearch(l *Library, query string, limit int) []Hit {
	st := newStemmer()
	docs := l.Topics()
	tfs := make([]map[string]float64, len(docs))
	lens := make([]float64, len(docs))
	var sum float64
	for i, b := range docs {
		tf := map[string]float64{}
		add := func(s string, w float64) {
			forEachWord(s, func(word string, _ int) {
				if !stopWords[word] {
					tf[st.stem(word)] += w
					lens[i] += w
				}
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
		tfs[i] = tf
		sum += lens[i]
	}
	n := float64(len(docs))
	avg := max(sum/n, 1)
	scores := make([]float64, len(docs))
	for _, q := range queryStems(query) {
		df := 0.0
		for _, tf := range tfs {
			if tf[q] > 0 {
				df++
			}
		}
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		for i, tf := range tfs {
			if f := tf[q]; f > 0 {
				scores[i] += idf * f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*lens[i]/avg))
			}
		}
	}
	var hits []Hit
	for i, s := range scores {
		if s > 0 {
			hits = append(hits, Hit{Briefing: docs[i], Score: s})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	return hits[:min(limit, len(hits))]
}

func TestSearchAgreesWithReference(t *testing.T) {
	bs := parseGenerated(t, 600, 11)
	// A briefing repeating a word hundreds of times: its frequency does
	// not fit the index's byte.
	heavy, _ := Parse("heavy.txt", []byte("Heavy\n\n"+strings.Repeat("treaty ", 400)+"ends.\n"), DefaultDate)
	bs = append(bs, heavy)
	lib := NewLibrary(bs)
	// And the same after hot reloads, with documents masked and a delta.
	changed, _ := Parse(bs[10].Path, []byte("Kelmar port\n\nTreaty port expansion.\n\nRisks\n- Port: treaty.\n"), DefaultDate)
	lib2 := lib.With([]*Briefing{changed}, []string{bs[20].Path, bs[33].Path})
	for _, l := range []*Library{lib, lib2} {
		for _, q := range []string{"treaty", "port expansion risks", "central bank reserve requirements", "Andoria grid reform 42",
			"farmers protests capital", "heavy"} {
			got, want := l.Search(q, 10), refSearch(l, q, 10)
			if len(got) != len(want) {
				t.Fatalf("Search(%q): %d hits, want %d", q, len(got), len(want))
			}
			for i := range got {
				if math.Abs(got[i].Score-want[i].Score) > 1e-4*want[i].Score {
					t.Errorf("Search(%q)[%d] = %s %.6f, want %s %.6f", q, i, got[i].Briefing.Topic, got[i].Score, want[i].Briefing.Topic, want[i].Score)
				}
				// Ties aside, the same briefings in the same order.
				if got[i].Briefing != want[i].Briefing && math.Abs(got[i].Score-want[i].Score) > 1e-4*want[i].Score {
					t.Errorf("Search(%q)[%d] = %s, want %s", q, i, got[i].Briefing.Topic, want[i].Briefing.Topic)
				}
			}
		}
	}
	if hits := lib.Search("treaty", 1); len(hits) != 1 || hits[0].Briefing != heavy {
		t.Errorf("Search(treaty) did not put the briefing saying it 400 times first")
	}
}
