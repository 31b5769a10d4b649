package briefings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParseMarkdown(t *testing.T) {
	date := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want *Briefing
	}{{
		name: "front matter, headings, labelled bullets, links dropped",
		in: "---\ntitle: Red Sea shipping\ntopic: Red Sea\naliases: [Bab el-Mandeb]\ntags: shipping\ndate: 2026-03-02\nsummary: Ships go round Africa.\nsource: https://example.org\n---\n\n" +
			"# Red Sea shipping\n\nTraffic is *down* [sharply](https://x.example).\n\n## Risks & caveats\n\n- **Insurance shock:** cover could go.\n- Renewed attacks: one strike\n  would do it.\n\n---\n\n### What to watch\n\n1. Schedules\n",
		want: &Briefing{Topic: "Red Sea", Title: "Red Sea shipping", Aliases: []string{"Bab el-Mandeb", "Red Sea shipping"},
			Tags: []string{"shipping"}, Date: date, Summary: "Ships go round Africa.", Source: "https://example.org",
			Lede: []Block{{Text: "Traffic is down sharply.", Line: 13}},
			Sections: []Section{
				{Heading: "Risks & caveats", Kind: KindRisks, Line: 15, Blocks: []Block{
					{Bullet: true, Label: "Insurance shock", Text: "cover could go.", Line: 17},
					{Bullet: true, Label: "Renewed attacks", Text: "one strike would do it.", Line: 18},
				}},
				{Heading: "What to watch", Kind: KindOutlook, Line: 23, Depth: 1, Blocks: []Block{{Bullet: true, Text: "Schedules", Line: 25}}},
			},
			Line: 2,
		},
	}, {
		name: "no front matter: first # heading is the title; plain-text headings are sections",
		in:   "# Australia: Background\n\nIntro paragraph.\n\nStrategic Outlook\n\nThreats grew.\n\n**Australia-China Relations**\n\nTrade recovered.\n\nIssues of potential disagreement or contention include\n\n- Tariffs\n",
		want: &Briefing{Topic: "Australia: Background", Title: "Australia: Background", Aliases: []string{"Australia"}, Date: date, Line: 1,
			Lede: []Block{{Text: "Intro paragraph.", Line: 3}},
			Sections: []Section{
				{Heading: "Strategic Outlook", Kind: KindOutlook, Line: 5, Blocks: []Block{{Text: "Threats grew.", Line: 7}}},
				{Heading: "Australia-China Relations", Line: 9, Blocks: []Block{
					{Text: "Trade recovered.", Line: 11},
					{Text: "Issues of potential disagreement or contention include", Line: 13},
					{Bullet: true, Text: "Tariffs", Line: 15},
				}},
			},
		},
	}, {
		name: "GFM table rows and figure placeholders",
		in:   "# T\n\n## Data\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n| Figure 1. A chart\n|  \n\nAfter.\n",
		want: &Briefing{Topic: "T", Title: "T", Date: date, Line: 1,
			Sections: []Section{{Heading: "Data", Line: 3, Blocks: []Block{
				{Text: "a | b", Line: 5}, {Text: "1 | 2", Line: 7}, {Text: "After.", Line: 12},
			}}},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, probs := Parse("x.md", []byte(tt.in), date)
			for _, p := range probs {
				t.Errorf("problem: %v", p)
			}
			tt.want.Path = "x.md"
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// checkParse holds the invariants every parse keeps, whatever the input.
func checkParse(t *testing.T, path string, data []byte) {
	b, probs := Parse(path, data, time.Time{})
	for _, p := range probs {
		if p.Line < 1 || p.Path != path || p.Message == "" {
			t.Fatalf("bad problem %+v", p)
		}
		if !p.Warning && b != nil {
			t.Fatalf("error %v but a briefing was returned", p)
		}
	}
	if b == nil {
		if len(probs) == 0 {
			t.Fatal("no briefing and no problem")
		}
		return
	}
	lines := strings.Count(string(data), "\n") + 1
	check := func(s string) {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 out: %q", s)
		}
	}
	check(b.Topic)
	check(b.Title)
	if strings.TrimSpace(b.Topic) == "" || b.Date.IsZero() {
		t.Fatalf("briefing without topic or date: %+v", b)
	}
	all := append([]Block(nil), b.Lede...)
	for i, s := range b.Sections {
		check(s.Heading)
		if strings.TrimSpace(s.Heading) == "" {
			t.Fatalf("section without a heading at line %d", s.Line)
		}
		if s.Line < 1 || s.Line > lines {
			t.Fatalf("section %q line %d of %d", s.Heading, s.Line, lines)
		}
		// Depths nest one level at a time, from 0.
		if prev := -1; i > 0 {
			prev = b.Sections[i-1].Depth
			if s.Depth < 0 || s.Depth > prev+1 {
				t.Fatalf("section %q depth %d after depth %d", s.Heading, s.Depth, prev)
			}
		} else if s.Depth != 0 {
			t.Fatalf("first section %q has depth %d", s.Heading, s.Depth)
		}
		// Every section shown has something to show: text, or subsections.
		if len(s.Blocks) == 0 && len(b.Subsections(&b.Sections[i])) == 0 {
			t.Fatalf("section %q has no blocks and no subsections", s.Heading)
		}
		if p := b.Parent(&b.Sections[i]); (p == nil) != (s.Depth == 0) || (p != nil && p.Depth >= s.Depth) {
			t.Fatalf("section %q (depth %d) has parent %+v", s.Heading, s.Depth, p)
		}
		all = append(all, s.Blocks...)
	}
	for _, blk := range all {
		check(blk.Text)
		check(blk.Label)
		if blk.Line < 1 || blk.Line > lines {
			t.Fatalf("block line %d of %d", blk.Line, lines)
		}
	}
	// Look-ups on whatever came out must not panic either.
	if sec, ok := b.FindSection("risks"); ok {
		if got := b.SectionWithSubsections(sec); len(got) == 0 || got[0].Heading != sec.Heading {
			t.Fatalf("SectionWithSubsections(%q) = %+v", sec.Heading, got)
		}
	}
	b.Headline()
	NewLibrary([]*Briefing{b}).Search(b.Topic, 3)
}

// addShapeSeeds seeds a fuzz test with the briefings of testdata/shapes
// that end in ext.
func addShapeSeeds(f *testing.F, ext string) {
	paths, err := filepath.Glob(filepath.Join("testdata", "shapes", "*"+ext))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds in testdata/shapes: %v", err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzParseText(f *testing.F) {
	f.Add([]byte("Kazakhstan :\nLede.\nRisks & caveats\n- A: b.\n"))
	f.Add([]byte("T\n\nwrapped\nline\n\nHeading\n\n* x\n  y\n"))
	f.Add([]byte("\xff\x00"))
	f.Add([]byte(""))
	f.Add([]byte("\xff\xfeT\x00\n\x00"))
	f.Add([]byte("T — 4 October 2026\nBy A B\nUpdated 3 March 2026, 14:00 GMT\nLede.\n== K ==\nx\n# S\ny\n"))
	f.Add([]byte("T\nLede.\nIII. Risks/Caveats\n1. a\n2. b\nWhat happens next?\nRisks: The main risk.\n"))
	addShapeSeeds(f, ".txt")
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, "f.txt", data) })
}

func FuzzParseMarkdown(f *testing.F) {
	f.Add([]byte("---\ntitle: x\ndate: 2026-01-01\naliases: [a, b]\n---\n# T\n\n## Risks\n\n- **L:** t\n"))
	f.Add([]byte("---\ntitle: [\n---\n"))
	f.Add([]byte("# T\n\n**Report No.:** IF1\n\n[Listen](x)T (IF1)\n\nOverview\n\nText.\n\n| Figure 1. x\n"))
	f.Add([]byte("| a |\n|---|\n| b |\n"))
	f.Add([]byte("---\ntopic: T\ndte: 03/04/2026\n---\n# T — 4 October 2026\n\n_By A_\n\n## R\n\n### S\n\nx\n\n#### U\n\ny\n\n## O\n\nz\n"))
	addShapeSeeds(f, ".md")
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, "f.md", data) })
}
