package briefings

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSampleLoadsCleanly(t *testing.T) {
	lib := Sample()
	_, probs := LoadFS(mustSub(t))
	if len(probs) != 0 {
		t.Errorf("samples have problems: %v", probs)
	}
	var topics []string
	for _, b := range lib.Topics() {
		topics = append(topics, b.Topic)
	}
	want := []string{"Abraham Accords", "Kazakhstan", "Red Sea", "Sahel security", "South Korea"}
	if diff := cmp.Diff(want, topics); diff != "" {
		t.Errorf("topics (-want +got):\n%s", diff)
	}
	kz := lib.Versions("kazakhstan")[0]
	if !kz.Date.Equal(DefaultDate) {
		t.Errorf("seed date = %v, want DefaultDate", kz.Date)
	}
}

func TestMatch(t *testing.T) {
	lib := Sample()
	tests := []struct {
		query     string
		wantTopic string
		wantWords int
	}{
		{"kazakhstan risks", "Kazakhstan", 1},
		{"KAZAKHSTAN", "Kazakhstan", 1},
		{"red sea risks", "Red Sea", 2},
		{"Red Sea shipping outlook", "Red Sea", 3},
		{"bab el mandeb", "Red Sea", 3},
		{"Bab-el-Mandeb", "Red Sea", 1},
		{"Красное море", "Red Sea", 2},
		{"abraham accords why it matters", "Abraham Accords", 2},
		{"accords d’abraham", "Abraham Accords", 2},
		{"ACCORDS D'ÀBRAHAM", "Abraham Accords", 2},
		{"대한민국 risks", "South Korea", 1},
		{"rok", "South Korea", 1},
	}
	for _, tt := range tests {
		m, ok := lib.Match(strings.Fields(tt.query))
		if !ok {
			t.Errorf("Match(%q) found nothing", tt.query)
			continue
		}
		if m.Briefing.Topic != tt.wantTopic || m.Words != tt.wantWords || m.Distance != 0 {
			t.Errorf("Match(%q) = %s, %d words, distance %d; want %s, %d words", tt.query, m.Briefing.Topic, m.Words, m.Distance, tt.wantTopic, tt.wantWords)
		}
	}
	if m, ok := lib.Match([]string{"atlantis"}); ok {
		t.Errorf("Match(atlantis) = %v, want nothing", m.Briefing.Topic)
	}
}

func TestDiacriticsAndCyrillicAliases(t *testing.T) {
	b := &Briefing{Topic: "Türkiye", Title: "Türkiye", Aliases: []string{"Казахстан-Türkiye ties"}, Path: "t.md"}
	lib := NewLibrary([]*Briefing{b})
	for _, q := range []string{"turkiye", "TÜRKIYE", "Turkiye!"} {
		if _, ok := lib.Match([]string{q}); !ok {
			t.Errorf("Match(%q) found nothing", q)
		}
	}
	if m, ok := lib.Match(strings.Fields("казахстан turkiye ties")); !ok || m.Words != 3 {
		t.Errorf("Cyrillic alias: %+v %v", m, ok)
	}
	if got := Normalize("  Risks &  Caveats — Kazakhstan’s Élan "); got != "risks caveats kazakhstans elan" {
		t.Errorf("Normalize = %q", got)
	}
	if got := Normalize("Казахстан"); got != "казахстан" {
		t.Errorf("Normalize keeps Cyrillic: %q", got)
	}
}

func TestVersionsNewestAnswers(t *testing.T) {
	old := &Briefing{Topic: "Red Sea", Title: "Red Sea", Date: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Path: "old.md"}
	newer := &Briefing{Topic: "red sea", Title: "Red Sea", Date: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Path: "new.md"}
	lib := NewLibrary([]*Briefing{old, newer})
	if lib.Len() != 2 || len(lib.Topics()) != 1 {
		t.Fatalf("Len %d, topics %d; want 2 and 1", lib.Len(), len(lib.Topics()))
	}
	vs := lib.Versions("RED SEA")
	if len(vs) != 2 || vs[0] != newer || vs[1] != old {
		t.Errorf("Versions = %v, want newest first", vs)
	}
	if m, _ := lib.Match([]string{"red", "sea"}); m.Briefing != newer {
		t.Errorf("Match answered with %s, want the newer version", m.Briefing.Path)
	}
	// With replaces one file without touching the other.
	changed := &Briefing{Topic: "Red Sea", Title: "Red Sea", Date: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Path: "old.md"}
	lib2 := lib.With([]*Briefing{changed}, []string{"new.md"})
	if vs := lib2.Versions("red sea"); len(vs) != 1 || vs[0] != changed {
		t.Errorf("after With: %v", vs)
	}
	if lib.Len() != 2 {
		t.Errorf("With changed the original library")
	}
}

func TestAmbiguousAlias(t *testing.T) {
	a := &Briefing{Topic: "Georgia (country)", Aliases: []string{"Georgia"}, Path: "a.md"}
	b := &Briefing{Topic: "Georgia (US state)", Aliases: []string{"Georgia"}, Path: "b.md"}
	lib := NewLibrary([]*Briefing{a, b})
	m, ok := lib.Match([]string{"georgia"})
	if !ok || len(m.Ambiguous) != 1 {
		t.Fatalf("Match(georgia) = %+v, want one ambiguous alternative", m)
	}
}

func TestCorrect(t *testing.T) {
	lib := Sample()
	tests := []struct {
		query    string
		want     string
		words    int
		distance int
	}{
		{"kazakstan risks", "Kazakhstan", 1, 1},
		{"kazahkstan", "Kazakhstan", 1, 2},
		{"abrahm acords", "Abraham Accords", 2, 2},
		{"south corea", "South Korea", 2, 1},
	}
	for _, tt := range tests {
		m, ok := lib.Correct(strings.Fields(tt.query))
		if !ok || m.Briefing.Topic != tt.want || m.Words != tt.words || m.Distance != tt.distance {
			t.Errorf("Correct(%q) = %+v, %v; want %s words=%d distance=%d", tt.query, m, ok, tt.want, tt.words, tt.distance)
		}
	}
	for _, q := range []string{"xyz", "sea", "zzzzzzzzzzzz"} {
		if m, ok := lib.Correct([]string{q}); ok {
			t.Errorf("Correct(%q) = %s, want no guess", q, m.Briefing.Topic)
		}
	}
	// Two topics equally close: no guess.
	two := NewLibrary([]*Briefing{{Topic: "Mali", Path: "a"}, {Topic: "Male", Path: "b"}, {Topic: "Malta", Path: "c"}})
	if m, ok := two.Correct([]string{"malx"}); ok {
		t.Errorf("Correct(malx) = %s, want no guess between Mali and Male", m.Briefing.Topic)
	}
}

func TestSuggestAndComplete(t *testing.T) {
	lib := Sample()
	if got := lib.Suggest("korea sout", 3); len(got) == 0 || got[0].Topic != "South Korea" {
		t.Errorf("Suggest(korea sout) = %v", topicsOf(got))
	}
	if got := lib.Suggest("kazak", 3); len(got) == 0 || got[0].Topic != "Kazakhstan" {
		t.Errorf("Suggest(kazak) = %v", topicsOf(got))
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"ka", []string{"Kazakhstan"}},
		{"RE", []string{"Red Sea", "South Korea"}},                  // "Republic of Korea"
		{"s", []string{"Sahel security", "South Korea", "Red Sea"}}, // then word matches
		{"sea", []string{"Red Sea"}},                                // a word of "red sea"
		{"accords", []string{"Abraham Accords"}},
		{"кра", []string{"Red Sea"}},
	}
	for _, tt := range tests {
		if got := topicsOf(lib.Complete(tt.prefix, 5)); !cmp.Equal(got, tt.want) {
			t.Errorf("Complete(%q) = %v, want %v", tt.prefix, got, tt.want)
		}
	}
	if got := lib.Complete("", 2); len(got) != 2 {
		t.Errorf("Complete(\"\", 2) gave %d", len(got))
	}
}

func topicsOf(bs []*Briefing) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Topic)
	}
	return out
}

func TestFindSection(t *testing.T) {
	lib := Sample()
	kz := lib.Versions("kazakhstan")[0]
	tests := []struct {
		query string
		want  string
	}{
		{"risks", "Risks & caveats"},
		{"Risks & Caveats", "Risks & caveats"},
		{"caveats", "Risks & caveats"},
		{"downside", "Risks & caveats"},
		{"why it matters", "Strategic significance"},
		{"significance", "Strategic significance"},
		{"looking ahead", "Looking ahead"},
		{"what to watch", "Looking ahead"},
		{"next steps", "Looking ahead"},
		{"whats new", "What’s new"},
		{"what's new", "What’s new"},
		{"latest", "What’s new"},
	}
	for _, tt := range tests {
		s, ok := kz.FindSection(tt.query)
		if !ok || s.Heading != tt.want {
			t.Errorf("FindSection(%q) = %v, want %q", tt.query, s, tt.want)
		}
	}
	if s, ok := kz.FindSection("background"); ok {
		t.Errorf("FindSection(background) = %q, want none", s.Heading)
	}
	econ := &Briefing{Sections: []Section{{Heading: "Politics"}, {Heading: "Economic overview"}}}
	if s, ok := econ.FindSection("economy"); !ok || s.Heading != "Economic overview" {
		t.Errorf("FindSection(economy) = %v", s)
	}
	sk := lib.Versions("south korea")[0]
	if s, ok := sk.FindSection("outlook"); !ok || s.Heading != "What to watch" {
		t.Errorf("South Korea outlook = %v", s)
	}
	for q, want := range map[string]Kind{"downside": KindRisks, "what to watch": KindOutlook, "history": KindBackground, "why": KindSignificance, "Strategic Outlook": KindOutlook, "weather": KindOther} {
		if got := KindOf(q); got != want {
			t.Errorf("KindOf(%q) = %q, want %q", q, got, want)
		}
	}
}

func TestHeadline(t *testing.T) {
	lib := Sample()
	kz := lib.Versions("kazakhstan")[0]
	want := "In a landmark diplomatic shift, Kazakhstan has announced its intention to join the Abraham Accords — the U.S.-brokered framework of normalisation between Israel and several Arab and Muslim-majority states."
	if got := kz.Headline(); got != want {
		t.Errorf("Headline = %q", got)
	}
	if got := lib.Versions("red sea")[0].Headline(); !strings.HasPrefix(got, "Attacks near the Bab el-Mandeb") {
		t.Errorf("Headline uses summary: %q", got)
	}
}

func TestSearch(t *testing.T) {
	lib := Sample()
	hits := lib.Search("insurance premiums for ships", 3)
	if len(hits) == 0 || hits[0].Briefing.Topic != "Red Sea" {
		t.Fatalf("Search ranked %v first, want Red Sea", hitTopics(hits))
	}
	if h := hits[0]; h.Section == nil || h.Section.Heading != "Risks" {
		t.Errorf("best section = %v, want Risks", h.Section)
	}
	if !strings.Contains(strings.ToLower(hits[0].Snippet), "insur") || len([]rune(hits[0].Snippet)) > 202 {
		t.Errorf("snippet %q", hits[0].Snippet)
	}
	// A title word outranks the same word in passing.
	hits = lib.Search("kazakhstan", 5)
	if len(hits) < 2 || hits[0].Briefing.Topic != "Kazakhstan" || hits[1].Briefing.Topic != "Abraham Accords" {
		t.Errorf("Search(kazakhstan) = %v", hitTopics(hits))
	}
	// Stemming: "normalising" finds "normalisation".
	if hits := lib.Search("normalising", 5); len(hits) == 0 {
		t.Error("Search(normalising) found nothing")
	}
	if hits := lib.Search("the and of", 5); len(hits) != 0 {
		t.Errorf("stop-words only gave %v", hitTopics(hits))
	}
	if hits := lib.Search("semiconductor", 5); len(hits) != 1 || hits[0].Briefing.Topic != "South Korea" {
		t.Errorf("Search(semiconductor) = %v", hitTopics(hits))
	}
}

func hitTopics(hs []Hit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Briefing.Topic)
	}
	return out
}

func TestSnippetCutsAtWords(t *testing.T) {
	text := strings.Repeat("alpha beta gamma delta ", 30) + "target word here " + strings.Repeat("epsilon zeta ", 30)
	got := snippet(text, map[string]bool{"target": true}, newStemmer())
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || !strings.Contains(got, "target") {
		t.Errorf("snippet = %q", got)
	}
	inner := strings.Trim(got, "…")
	for _, w := range strings.Fields(inner) {
		if !strings.Contains(text, " "+w+" ") && !strings.HasPrefix(text, w+" ") {
			t.Errorf("snippet cut a word: %q", w)
		}
	}
}
