package briefings

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/briefings/briefingstest"
)

// parseGenerated parses briefingstest.Generate(n, seed) in memory.
func parseGenerated(t testing.TB, n int, seed int64) []*Briefing {
	t.Helper()
	var bs []*Briefing
	for _, f := range briefingstest.Generate(n, seed) {
		b, _ := Parse(f.Name, f.Data, DefaultDate)
		if b == nil {
			t.Fatalf("cannot parse %s", f.Name)
		}
		bs = append(bs, b)
	}
	return bs
}

// libraryView is everything a user can observe of a Library, for
// comparing one built by With with one built from scratch.
type libraryView struct {
	Len      int
	Topics   []string
	Versions map[string][]string
	Match    map[string]string
	Complete map[string][]string
	Suggest  map[string][]string
	Search   map[string][]string
}

func viewOf(l *Library) libraryView {
	v := libraryView{Len: l.Len(), Versions: map[string][]string{}, Match: map[string]string{},
		Complete: map[string][]string{}, Suggest: map[string][]string{}, Search: map[string][]string{}}
	paths := func(bs []*Briefing) []string {
		var out []string
		for _, b := range bs {
			out = append(out, b.Path)
		}
		return out
	}
	for _, b := range l.Topics() {
		v.Topics = append(v.Topics, b.Path)
		v.Versions[b.Topic] = paths(l.Versions(b.Topic))
		for _, name := range append([]string{b.Topic}, b.Aliases...) {
			if m, ok := l.Match(strings.Fields(name + " risks")); ok {
				amb := paths(m.Ambiguous)
				v.Match[name] = fmt.Sprintf("%s %d %v", m.Briefing.Path, m.Words, amb)
			}
		}
	}
	for _, p := range []string{"a", "and", "kelmar", "t00", "t001", "grid", "zeph", "renamed", "brand"} {
		v.Complete[p] = paths(l.Complete(p, 20))
		v.Suggest[p] = paths(l.Suggest(p, 5))
	}
	for _, q := range []string{"port expansion risks", "central bank reserve", "treaty", "brand new topic",
		"renamed", "farmers protests capital", "andoria grid"} {
		for _, h := range l.Search(q, 10) {
			sec := ""
			if h.Section != nil {
				sec = h.Section.Heading
			}
			v.Search[q] = append(v.Search[q], fmt.Sprintf("%s %.5f %s %s", h.Briefing.Path, h.Score, sec, h.Snippet))
		}
	}
	return v
}

func TestWithMatchesRebuild(t *testing.T) {
	bs := parseGenerated(t, 400, 5)
	lib := NewLibrary(bs)
	before := viewOf(lib)
	cur := append([]*Briefing(nil), bs...)

	apply := func(l *Library, changed []*Briefing, removed []string) *Library {
		t.Helper()
		drop := map[string]bool{}
		for _, p := range removed {
			drop[p] = true
		}
		for _, b := range changed {
			drop[b.Path] = true
		}
		var next []*Briefing
		for _, b := range cur {
			if !drop[b.Path] {
				next = append(next, b)
			}
		}
		cur = append(next, changed...)
		got := l.With(changed, removed)
		if diff := cmp.Diff(viewOf(NewLibrary(cur)), viewOf(got)); diff != "" {
			t.Fatalf("With differs from NewLibrary (-rebuilt +with):\n%s", diff)
		}
		return got
	}
	mk := func(path, topic, text string, day int) *Briefing {
		b, probs := Parse(path, []byte(fmt.Sprintf("---\ntopic: %s\ndate: 2027-01-%02d\naliases: [%s alias]\n---\n# %s\n\n%s\n\n## Risks\n\n- Port: %s\n", topic, day, topic, topic, text, text)), time.Time{})
		if b == nil {
			t.Fatalf("parse %s: %v", path, probs)
		}
		return b
	}
	l := lib
	// Edit a topic's only version in place.
	l = apply(l, []*Briefing{mk(bs[0].Path, bs[0].Topic, "Treaty talks stall over port expansion.", 1)}, nil)
	// Remove an older version (bs[9] is a newer version of bs[0]'s topic).
	l = apply(l, nil, []string{bs[0].Path})
	// Remove the newest version of a topic that has an older one.
	l = apply(l, nil, []string{bs[19].Path})
	// A brand-new topic, and a file moving to another topic.
	l = apply(l, []*Briefing{mk("new/brand.md", "Brand new topic", "Central bank reserve rules.", 2),
		mk(bs[3].Path, "Renamed place", "Farmers protest in the capital.", 3)}, nil)
	// Remove the only version of a topic, and a path that does not exist.
	l = apply(l, nil, []string{bs[5].Path, "no/such.md"})
	// Many small edits: the delta outgrows its bound and the index is rebuilt.
	for i := 0; i < 30; i++ {
		var ch []*Briefing
		for j := 0; j < 10; j++ {
			k := 20 + i*10 + j
			ch = append(ch, mk(bs[k].Path, bs[k].Topic, fmt.Sprintf("Edit %d of the treaty.", k), 1+k%28))
		}
		l = apply(l, ch, nil)
	}
	// The first library never changed.
	if diff := cmp.Diff(before, viewOf(lib)); diff != "" {
		t.Errorf("With changed the library it was called on (-before +after):\n%s", diff)
	}
}

func TestWithNothingChanged(t *testing.T) {
	lib := Sample()
	if got := lib.With(nil, []string{"no/such/file.md"}); got.Len() != lib.Len() {
		t.Errorf("Len = %d, want %d", got.Len(), lib.Len())
	}
}

// TestWithWhileSearching queries a library from several goroutines while
// new libraries are made from it; run with -race.
func TestWithWhileSearching(t *testing.T) {
	bs := parseGenerated(t, 200, 7)
	lib := NewLibrary(bs)
	want := viewOf(lib)
	done := make(chan bool)
	for g := 0; g < 3; g++ {
		go func() {
			defer func() { done <- true }()
			for i := 0; i < 20; i++ {
				if hits := lib.Search("treaty port", 5); len(hits) == 0 {
					t.Error("no hits")
					return
				}
				lib.Complete("and", 5)
				lib.Match([]string{"t00042"})
			}
		}()
	}
	l := lib
	for i := 0; i < 20; i++ {
		b := bs[i]
		nb := *b
		nb.Summary = fmt.Sprintf("edit %d", i)
		l = l.With([]*Briefing{&nb}, []string{bs[100+i].Path})
		l.Search("treaty port", 5)
	}
	for g := 0; g < 3; g++ {
		<-done
	}
	if diff := cmp.Diff(want, viewOf(lib)); diff != "" {
		t.Errorf("the library changed under its readers (-before +after):\n%s", diff)
	}
}

func TestWithRebuildsAMostlyMaskedIndex(t *testing.T) {
	bs := parseGenerated(t, 700, 9)
	lib := NewLibrary(bs)
	var gone []string
	for _, b := range bs[:150] {
		gone = append(gone, b.Path)
	}
	// A patched index keeps the ids of the removed briefings free; a
	// rebuilt one numbers the briefings afresh. (Whether the full-text
	// index shares and masks its base is index's own test.)
	l := lib.With(nil, gone)
	if free, want := freeIDs(l), len(lib.Topics())-len(l.Topics()); free != want || want == 0 {
		t.Errorf("a few removals: want the index patched with the %d ids of the topics gone free, got %d free", want, free)
	}
	gone = gone[:0]
	for _, b := range bs[150:450] {
		gone = append(gone, b.Path)
	}
	l = l.With(nil, gone)
	if free := freeIDs(l); free != 0 {
		t.Errorf("most removed: want a rebuilt index, got %d ids free", free)
	}
	if diff := cmp.Diff(viewOf(NewLibrary(bs[450:])), viewOf(l)); diff != "" {
		t.Errorf("With differs from NewLibrary (-rebuilt +with):\n%s", diff)
	}
}

// freeIDs is the number of ids of l's search index that no briefing holds.
func freeIDs(l *Library) int {
	n := 0
	for _, b := range l.idx.get().docs {
		if b == nil {
			n++
		}
	}
	return n
}
