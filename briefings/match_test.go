package briefings

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func namedLibrary(names ...string) *Library {
	var bs []*Briefing
	for _, n := range names {
		bs = append(bs, &Briefing{Topic: n, Title: n, Path: n + ".txt", Lede: []Block{{Text: "About " + n + "."}}})
	}
	return NewLibrary(bs)
}

func TestLongestTopic(t *testing.T) {
	l := namedLibrary("Red Sea", "Red Sea shipping", "Kazakhstan", "Digest of rulings")
	tests := []struct {
		query       string
		start, size int
		topic       string
	}{
		{"what could go wrong in kazakhstan", 5, 1, "kazakhstan"},
		{"risks red sea shipping", 1, 3, "red sea shipping"},
		{"red sea risks", 0, 2, "red sea"},
		{"the digest of rulings outlook", 1, 3, "digest of rulings"},
		{"kazakhstan and red sea", 2, 2, "red sea"},
	}
	for _, tt := range tests {
		run, ok := l.LongestTopic(strings.Fields(tt.query), nil)
		if !ok || run.Start != tt.start || run.Words != tt.size || run.Briefings[0].Key() != tt.topic {
			t.Errorf("LongestTopic(%q) = %d+%d %v, want %d+%d %s", tt.query, run.Start, run.Words, run.Briefings, tt.start, tt.size, tt.topic)
		}
	}
	// Skipped words break a run.
	if run, ok := l.LongestTopic([]string{"red", "@", "sea"}, func(i int) bool { return i == 1 }); ok && run.Words > 1 {
		t.Errorf("run across a skipped word: %+v", run)
	}
	if _, ok := l.LongestTopic([]string{"zebra"}, nil); ok {
		t.Error("zebra names a topic")
	}
}

func TestTopicsNamedBy(t *testing.T) {
	l := namedLibrary("Sahel security", "Elections in Chile", "Elections in Peru", "Search engines and elections", "Russia’s Nuclear Weapons", "Iran and Nuclear Weapons Production")
	keys := func(bs []*Briefing) []string {
		var out []string
		for _, b := range bs {
			out = append(out, b.Key())
		}
		return out
	}
	tests := []struct {
		words []string
		limit int
		want  []string
		more  bool
	}{
		{[]string{"sahel"}, 5, []string{"sahel security"}, false},
		{[]string{"elections"}, 5, []string{"elections in chile", "elections in peru", "search engines and elections"}, false},
		{[]string{"elections"}, 2, []string{"elections in chile", "elections in peru"}, true},
		{[]string{"chile", "elections"}, 5, []string{"elections in chile"}, false},
		{[]string{"nuclear", "weapons"}, 5, []string{"iran and nuclear weapons production", "russias nuclear weapons"}, false},
		{[]string{"russia", "nuclear"}, 5, []string{"russias nuclear weapons"}, false}, // the possessive
		{[]string{"chile", "peru"}, 5, nil, false},
		{[]string{"zebra"}, 5, nil, false},
	}
	for _, tt := range tests {
		got, more := l.TopicsNamedBy(tt.words, tt.limit)
		if diff := cmp.Diff(tt.want, keys(got)); diff != "" || more != tt.more {
			t.Errorf("TopicsNamedBy(%q): more %v (-want +got):\n%s", tt.words, more, diff)
		}
	}
}

func TestOSADistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"kazakhstan", "kazakhstan", 0},
		{"kazakstan", "kazakhstan", 1},
		{"kazakhtsan", "kazakhstan", 1}, // a swap is one edit
		{"iraq", "iran", 1},
		{"zambia", "gambia", 1},
		{"slovakia", "slovenia", 2},
		{"казахстан", "казахтсан", 1},
		{"abc", "", 3},
	} {
		if got := osaDistance(tt.a, tt.b, 5); got != tt.want {
			t.Errorf("osaDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	if got := osaDistance("abcdefgh", "zzzzzzzz", 2); got != 3 {
		t.Errorf("osaDistance past the limit = %d, want limit+1", got)
	}
}

func TestCorrectNameWordTypos(t *testing.T) {
	l := namedLibrary("Kazakhstan", "Slovenia", "Gambia", "Sahel security", "Abraham Accords", "Unemployment insurance")
	for typo, want := range map[string]string{
		"kazakstan":    "kazakhstan",
		"kazakhtsan":   "kazakhstan",
		"kazahkstan":   "kazakhstan",
		"slovena":      "slovenia",
		"gamiba":       "gambia",
		"sahell":       "sahel",
		"abrahm":       "abraham",
		"unemplyment":  "unemployment",
		"accrods":      "accords",
		"kazakhstan":   "", // already a name word
		"sahl":         "", // four letters: too short to guess
		"lazakhstan":   "", // the first letter is kept
		"kzkhstn":      "", // too far
		"k4zakhstan":   "", // digits
		"unenploynent": "unemployment",
	} {
		if got := l.CorrectNameWord(typo).To; got != want {
			t.Errorf("CorrectNameWord(%q) = %q, want %q", typo, got, want)
		}
	}
	// Two names at the same distance: no guess, both offered.
	two := namedLibrary("Marden", "Marken")
	c := two.CorrectNameWord("marlen")
	if c.To != "" || len(c.Maybe) != 2 {
		t.Errorf("CorrectNameWord(marlen) between marden and marken = %+v, want no guess and two offers", c)
	}
}

// TestNoPlaceBecomesAnother checks the whole kind of the iraq→Iran
// mistake: for every place name known to the package, a library holding
// every other place must not correct it into one of them, nor offer one
// as "did you mean".
func TestNoPlaceBecomesAnother(t *testing.T) {
	var singles []string
	for p := range placeNames {
		if !strings.Contains(p, " ") {
			singles = append(singles, p)
		}
	}
	all := namedLibrary(singles...)
	for _, p := range singles {
		l := all.With(nil, []string{p + ".txt"})
		if c := l.CorrectNameWord(p); c.To != "" || len(c.Maybe) > 0 {
			t.Errorf("%q in a library without it: %+v", p, c)
		}
	}
	// And the rule does not depend on the list: a real word of the
	// briefings is not corrected into a name either.
	l := NewLibrary([]*Briefing{{Topic: "Lunaris", Title: "Lunaris", Path: "l.txt", Lede: []Block{{Text: "Lunaria exports wool."}}}})
	if c := l.CorrectNameWord("lunaria"); c.To != "" {
		t.Errorf("lunaria, a word of the briefings, corrected into %q", c.To)
	}
}

func testBriefing() *Briefing {
	return &Briefing{
		Topic: "Kazakhstan", Title: "Kazakhstan", Path: "k.txt",
		Lede: []Block{{Text: "Kazakhstan joins the accords; it has had ties with Israel since 1992."}},
		Sections: []Section{
			{Heading: "What’s new", Kind: KindNew, Blocks: []Block{{Text: "The move is symbolic."}}},
			{Heading: "Strategic significance", Kind: KindSignificance, Blocks: []Block{
				{Bullet: true, Label: "Boost for Israel", Text: "Israel gains a diplomatic boost."},
				{Bullet: true, Label: "Economic & tech cooperation", Text: "New trade and investment."},
			}},
			{Heading: "Risks & caveats", Kind: KindRisks, Blocks: []Block{
				{Bullet: true, Label: "Strategic balancing", Text: "Relations with Russia and China need care."},
				{Bullet: true, Label: "Symbolic vs substantive", Text: "Critics call the step gestural."},
			}},
			{Heading: "History and development", Kind: KindNew, Blocks: []Block{{Text: "Ties began in 1992."}}},
			{Heading: "Looking ahead", Kind: KindOutlook, Blocks: []Block{{Bullet: true, Text: "Formal signing ceremony soon."}}},
		},
	}
}

func TestPartAt(t *testing.T) {
	b := testBriefing()
	tests := []struct {
		words   string
		heading string
		label   string
		n       int
		kind    Kind
	}{
		{"risks", "Risks & caveats", "", 1, KindRisks},
		{"risks and outlook", "Risks & caveats", "", 1, KindRisks},
		{"what to watch", "Looking ahead", "", 3, KindOutlook},
		{"what could go wrong", "Risks & caveats", "", 4, KindRisks},
		{"strategic", "Strategic significance", "", 1, KindSignificance},
		{"strategic balancing", "Risks & caveats", "Strategic balancing", 2, ""},
		{"symbolic substantive", "Risks & caveats", "Symbolic vs substantive", 2, ""},
		{"history", "History and development", "", 1, KindNew}, // the heading beats the kind word
		{"background", "", "", 1, KindBackground},              // a kind the briefing lacks
		{"whats new", "What’s new", "", 2, KindNew},
		{"new", "What’s new", "", 1, KindNew},
	}
	for _, tt := range tests {
		p, ok := b.PartAt(strings.Fields(tt.words))
		var heading, label string
		if p.Section != nil {
			heading = p.Section.Heading
			if p.Block >= 0 {
				label = p.Section.Blocks[p.Block].Label
			}
		}
		if !ok || heading != tt.heading || label != tt.label || p.Words != tt.n || p.Kind != tt.kind {
			t.Errorf("PartAt(%q) = %q %q %d %q, want %q %q %d %q", tt.words, heading, label, p.Words, p.Kind, tt.heading, tt.label, tt.n, tt.kind)
		}
	}
	for _, w := range []string{"israel", "zebras", "the"} {
		if p, ok := b.PartAt([]string{w}); ok {
			t.Errorf("PartAt(%q) = %+v, want nothing: %q names no part", w, p, w)
		}
	}
}

func TestPassages(t *testing.T) {
	b := testBriefing()
	describe := func(ps []Passage) []string {
		var out []string
		for _, p := range ps {
			h := "lede"
			if p.Section != nil {
				h = p.Section.Heading
			}
			out = append(out, fmt.Sprintf("%s/%d", h, p.Block))
		}
		return out
	}
	tests := []struct {
		words string
		want  []string
	}{
		// A label holding the word ranks first, then document order.
		{"israel", []string{"Strategic significance/0", "lede/0"}},
		// Blocks holding more of the words beat those holding fewer.
		{"signing ceremony", []string{"Looking ahead/0"}},
		{"russia china", []string{"Risks & caveats/0"}},
		{"1992", []string{"lede/0", "History and development/0"}},
		{"zebras", nil},
		// Similar stems match: "economy" finds "Economic & tech cooperation".
		{"economy", []string{"Strategic significance/1"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, describe(b.Passages(strings.Fields(tt.words), 5))); diff != "" {
			t.Errorf("Passages(%q) (-want +got):\n%s", tt.words, diff)
		}
	}
	if got := b.Passages([]string{"israel"}, 1); len(got) != 1 {
		t.Errorf("limit 1 gave %d passages", len(got))
	}
}

func TestCorrectSectionWord(t *testing.T) {
	b := testBriefing()
	for typo, want := range map[string]string{
		"risls":       "risks",
		"outlok":      "outlook",
		"signifcance": "significance",
		"rissk":       "risks", // a swap, tied with "risk": the same kind
		"histroy":     "history",
		"risk":        "", // four letters
		"gestural":    "", // a word of the briefing
		"zebras":      "", // nothing near
		"caveets":     "caveats",
	} {
		if got := b.CorrectSectionWord(typo); got != want {
			t.Errorf("CorrectSectionWord(%q) = %q, want %q", typo, got, want)
		}
	}
}
