package briefings

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func mustParse(t testing.TB, path, text string) *Briefing {
	t.Helper()
	b, problems := Parse(path, []byte(text), time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	if b == nil {
		t.Fatalf("parse %s: %v", path, problems)
	}
	return b
}

// ignoreLines: where a block sits in its file is no part of what changed.
var ignoreLines = cmpopts.IgnoreFields(Block{}, "Line")

func TestCompare(t *testing.T) {
	const base = "Kazakhstan\nJoins the accords.\n\nWhat's new\n- Signing: set for spring.\n- Talks: continue.\n\nRisks\n- Backlash: from Iran.\n\nLooking ahead\n- Ceremony.\n"
	tests := []struct {
		name     string
		old, new string
		want     Diff
	}{{
		name: "same text",
		old:  base, new: base,
		want: Diff{},
	}, {
		name: "re-wrapped and re-spaced: no change",
		old:  base,
		new:  "Kazakhstan\nJoins   the\naccords.\n\nWhat's new\n-   Signing:   set for\n  spring.\n- Talks: continue.\n\nRisks\n- Backlash: from Iran.\n\n\nLooking ahead\n- Ceremony.\n",
		want: Diff{},
	}, {
		name: "blocks moved within a section: no change",
		old:  base,
		new:  strings.Replace(base, "- Signing: set for spring.\n- Talks: continue.\n", "- Talks: continue.\n- Signing: set for spring.\n", 1),
		want: Diff{},
	}, {
		name: "a bullet added, one reworded, the lede extended",
		old:  base,
		new:  "Kazakhstan\nJoins the accords.\n\nIt is the first in Central Asia.\n\nWhat's new\n- Signing: set for June.\n- Talks: continue.\n- Visit: Netanyahu to Astana.\n\nRisks\n- Backlash: from Iran.\n\nLooking ahead\n- Ceremony.\n",
		want: Diff{
			Lede: BlockChanges{Added: []Block{{Text: "It is the first in Central Asia."}}},
			Sections: []SectionDiff{{
				Heading: "What's new", Kind: KindNew, Change: SectionChanged,
				Blocks: BlockChanges{
					Added:   []Block{{Bullet: true, Label: "Signing", Text: "set for June."}, {Bullet: true, Label: "Visit", Text: "Netanyahu to Astana."}},
					Removed: []Block{{Bullet: true, Label: "Signing", Text: "set for spring."}},
				},
			}},
		},
	}, {
		name: "a section renamed is matched by kind",
		old:  base,
		new:  strings.Replace(base, "Risks\n- Backlash: from Iran.\n", "Risks & caveats\n- Backlash: from Iran.\n- Cost: high.\n", 1),
		want: Diff{Sections: []SectionDiff{{
			Heading: "Risks & caveats", OldHeading: "Risks", Kind: KindRisks, Change: SectionChanged,
			Blocks: BlockChanges{Added: []Block{{Bullet: true, Label: "Cost", Text: "high."}}},
		}}},
	}, {
		name: "sections added and removed, each where it was",
		old:  base,
		new:  "Kazakhstan\nJoins the accords.\n\nWhat's new\n- Signing: set for spring.\n- Talks: continue.\n\nBackground\nTies since 1992.\n\nLooking ahead\n- Ceremony.\n",
		want: Diff{Sections: []SectionDiff{
			{Heading: "Risks", Kind: KindRisks, Change: SectionRemoved, Blocks: BlockChanges{Removed: []Block{{Bullet: true, Label: "Backlash", Text: "from Iran."}}}},
			{Heading: "Background", Kind: KindBackground, Change: SectionAdded, Blocks: BlockChanges{Added: []Block{{Text: "Ties since 1992."}}}},
		}},
	}, {
		name: "a repeated bullet said once less",
		old:  "T\n\nRisks\n- Same.\n- Other.\n- Same.\n",
		new:  "T\n\nRisks\n- Same.\n- Other.\n",
		want: Diff{Sections: []SectionDiff{{
			Heading: "Risks", Kind: KindRisks, Change: SectionChanged,
			Blocks: BlockChanges{Removed: []Block{{Bullet: true, Text: "Same."}}},
		}}},
	}, {
		name: "a label is part of what a bullet says, a bullet mark is not",
		old:  "T\n\nRisks\n- Cost: high.\nCost: high.\n",
		new:  "T\n\nRisks\nCost: high.\n- Cost high.\n",
		want: Diff{Sections: []SectionDiff{{
			Heading: "Risks", Kind: KindRisks, Change: SectionChanged,
			Blocks: BlockChanges{Added: []Block{{Bullet: true, Text: "Cost high."}}, Removed: []Block{{Text: "Cost: high."}}},
		}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compare(mustParse(t, "kz.txt", tt.old), mustParse(t, "kz.txt", tt.new))
			got.OldDate, got.NewDate = time.Time{}, time.Time{}
			if diff := cmp.Diff(tt.want, got, ignoreLines, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Compare (-want +got):\n%s", diff)
			}
			if got.Empty() != cmp.Equal(tt.want, Diff{}, cmpopts.EquateEmpty()) {
				t.Errorf("Empty() = %t for %+v", got.Empty(), got)
			}
		})
	}
}

func TestCompareTitleSummaryAndDates(t *testing.T) {
	old := mustParse(t, "kz.md", "---\ndate: 2026-11-20\nsummary: Kazakhstan joins.\n---\n# Kazakhstan\n\nLede.\n")
	new := mustParse(t, "kz.md", "---\ndate: 2026-11-30\nsummary: Kazakhstan signs.\n---\n# Kazakhstan joins the accords\n\nLede.\n")
	d := Compare(old, new)
	want := Diff{
		OldDate: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), NewDate: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		OldTitle: "Kazakhstan", NewTitle: "Kazakhstan joins the accords",
		OldSummary: "Kazakhstan joins.", NewSummary: "Kazakhstan signs.",
	}
	if diff := cmp.Diff(want, d, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Compare (-want +got):\n%s", diff)
	}
	if d.Empty() {
		t.Error("a new title and summary make an empty diff")
	}
}

// seedText is the seed briefing, or the bundled copy of it when the shared
// folder is absent, as in a user's clone.
func seedText(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "shared", "seed", "kazakhstan.txt"))
	if os.IsNotExist(err) {
		t.Skip("../shared/seed absent")
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// Real edits an editor makes to the seed: a development added to the news,
// a risk struck out, the outlook reworded, the text re-wrapped.
func TestCompareSeedEdits(t *testing.T) {
	seed := seedText(t)
	old := mustParse(t, "kazakhstan.txt", seed)
	edited := strings.NewReplacer(
		"Looking ahead\n", "Looking ahead\n- Parliamentary ratification, due in the spring session.\n",
		"- Strategic balancing: Kazakhstan will need to manage relations with Russia and China carefully as it expands ties westwards.\n", "",
		"Formal signing ceremony and detailed MoU to be expected soon.", "The signing ceremony took place in Washington on 28 November.",
		// Re-wrapped: no change.
		"The U.S. has characterised the step as a major building-block in global peace efforts,", "The U.S. has characterised the step\nas a major building-block in global peace efforts,",
	).Replace(seed)
	if edited == seed {
		t.Fatal("the edits did not apply to the seed")
	}
	d := Compare(old, mustParse(t, "kazakhstan.txt", edited))
	type got struct {
		Heading        string
		Added, Removed []string
	}
	var have []got
	for _, s := range d.Sections {
		g := got{Heading: s.Heading}
		for _, b := range s.Blocks.Added {
			g.Added = append(g.Added, b.Text)
		}
		for _, b := range s.Blocks.Removed {
			g.Removed = append(g.Removed, b.Text)
		}
		have = append(have, g)
	}
	want := []got{
		{Heading: "Risks & caveats", Removed: []string{"Kazakhstan will need to manage relations with Russia and China carefully as it expands ties westwards."}},
		{Heading: "Looking ahead",
			Added:   []string{"Parliamentary ratification, due in the spring session.", "The signing ceremony took place in Washington on 28 November."},
			Removed: []string{"Formal signing ceremony and detailed MoU to be expected soon."}},
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("changes to the seed (-want +got):\n%s", diff)
	}
	if !d.Lede.Empty() {
		t.Errorf("the lede did not change, the diff says %+v", d.Lede)
	}
}

// Every bundled sample, edited the way editors do, shows exactly the edit.
func TestCompareSampleEdits(t *testing.T) {
	sub := mustSub(t)
	names, err := fs.Glob(sub, "*.*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, name := range names {
		if ext := filepath.Ext(name); ext != ".md" && ext != ".txt" {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			data, err := fs.ReadFile(sub, name)
			if err != nil {
				t.Fatal(err)
			}
			text := string(data)
			old := mustParse(t, name, text)
			if d := Compare(old, mustParse(t, name, text)); !d.Empty() {
				t.Fatalf("a file compared with itself changed: %+v", d)
			}
			// Strike the last bullet or paragraph of the last section and
			// add a section at the end.
			last := old.Sections[len(old.Sections)-1]
			struck := last.Blocks[len(last.Blocks)-1]
			lines := strings.Split(text, "\n")
			lines = append(lines[:struck.Line-1], lines[struck.Line:]...)
			heading := "Corrections"
			if filepath.Ext(name) == ".md" {
				heading = "## " + heading
			}
			edited := strings.Join(lines, "\n") + "\n\n" + heading + "\n\nAn earlier version misdated the vote.\n"
			d := Compare(old, mustParse(t, name, edited))
			if len(d.Sections) != 2 {
				t.Fatalf("got %d changed sections, want the struck one and the added one: %+v", len(d.Sections), d.Sections)
			}
			if s := d.Sections[0]; s.Heading != last.Heading || s.Change != SectionChanged || len(s.Blocks.Added) != 0 ||
				len(s.Blocks.Removed) != 1 || s.Blocks.Removed[0].Text != struck.Text {
				t.Errorf("first change %+v, want %q struck from %q", s, struck.Text, last.Heading)
			}
			if s := d.Sections[1]; s.Heading != "Corrections" || s.Change != SectionAdded || len(s.Blocks.Added) != 1 {
				t.Errorf("second change %+v, want the Corrections section added", s)
			}
		})
	}
	if n == 0 {
		t.Fatal("no samples")
	}
}

// FuzzCompare: comparing any two parsed briefings never panics; a briefing
// compared with itself, or with the same words re-wrapped, has no changes;
// what is added one way is removed the other.
func FuzzCompare(f *testing.F) {
	f.Add([]byte("Kazakhstan\nLede.\n\nRisks\n- A: b.\n"), []byte("Kazakhstan\nLede.\n\nRisks & caveats\n- A: c.\n\nOutlook\nx\n"), false)
	f.Add([]byte("---\ntitle: T\n---\n# T\n\n## Risks\n\n- x\n- x\n"), []byte("# T\n\n## Risks\n\n- x\n"), true)
	f.Add([]byte("T\n\nRisks\nRisks\n\nRisks\n- a\n"), []byte("T\n\nRisks\n- a\n"), false)
	f.Fuzz(func(t *testing.T, a, b []byte, md bool) {
		name := "f.txt"
		if md {
			name = "f.md"
		}
		x, _ := Parse(name, a, time.Time{})
		y, _ := Parse(name, b, time.Time{})
		if x == nil || y == nil {
			return
		}
		if d := Compare(x, x); !d.Empty() {
			t.Fatalf("Compare(a, a) = %+v, want no change", d)
		}
		xy, yx := Compare(x, y), Compare(y, x)
		if xy.Empty() != yx.Empty() {
			t.Fatalf("one way empty, the other not: %+v / %+v", xy, yx)
		}
		if x.VersionHash() == y.VersionHash() && !xy.Empty() {
			t.Fatalf("same version hash, yet changes: %+v", xy)
		}
		if diff := cmp.Diff(blockWordsOf(xy.Lede.Added), blockWordsOf(yx.Lede.Removed)); diff != "" {
			t.Fatalf("lede added one way is not removed the other (-a→b +b→a):\n%s", diff)
		}
		if added, removed := countBlocks(xy, true), countBlocks(yx, false); added != removed {
			t.Fatalf("%d blocks added one way, %d removed the other", added, removed)
		}
	})
}

func blockWordsOf(bs []Block) []string {
	var out []string
	for _, b := range bs {
		out = append(out, blockWords(b))
	}
	return out
}

func countBlocks(d Diff, added bool) int {
	n := 0
	for _, s := range d.Sections {
		if added {
			n += len(s.Blocks.Added)
		} else {
			n += len(s.Blocks.Removed)
		}
	}
	return n
}
