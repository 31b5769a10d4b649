package briefings

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// outline renders what a reader can reach in b, one line per fact, so
// that the table below reads like the briefings it describes.
func outline(b *Briefing, probs []Problem) string {
	var sb strings.Builder
	for _, p := range probs {
		fmt.Fprintf(&sb, "problem %d: %s\n", p.Line, p.Message)
	}
	if b == nil {
		return sb.String()
	}
	fmt.Fprintf(&sb, "topic %q, title %q, date %s\n", b.Topic, b.Title, b.Date.Format("2006-01-02 15:04"))
	if b.Byline != "" {
		fmt.Fprintf(&sb, "byline %q\n", b.Byline)
	}
	for _, blk := range b.Lede {
		fmt.Fprintf(&sb, "lede %d: %s\n", blk.Line, blk.Text)
	}
	for _, s := range b.Sections {
		fmt.Fprintf(&sb, "%s%s %d: %s (%s)\n", strings.Repeat("  ", s.Depth), strings.Repeat("#", s.Depth+2), s.Line, s.Heading, s.Kind)
		for _, blk := range s.Blocks {
			text := blk.Text
			if blk.Label != "" {
				text = "[" + blk.Label + "] " + text
			}
			if blk.Bullet {
				text = "- " + text
			}
			fmt.Fprintf(&sb, "%s  %d: %s\n", strings.Repeat("  ", s.Depth), blk.Line, text)
		}
	}
	return sb.String()
}

func TestBriefingShapes(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{{
		file: "questions.txt",
		want: `topic "Moldova", title "Moldova", date 2025-11-07 00:00
lede 2: Moldova's government survived a confidence vote on Tuesday after a week of protests.
## 4: What happens next? (outlook)
  5: Parliament votes on the budget in December.
## 7: Why does it matter? (significance)
  8: - [Energy] The budget sets gas subsidies for the winter.
`,
	}, {
		file: "numbered.txt", // a lone "2. Outlook" is a heading; "1." "2." in a row are a list
		want: `topic "Georgia", title "Georgia", date 2025-11-07 00:00
lede 2: Georgia's ruling party won the October election, which observers called uneven.
## 4: Background (background)
  5: The party has governed since 2012.
## 7: Outlook (outlook)
  8: - Opposition rallies every weekend.
  9: - Parliament meets in December.
`,
	}, {
		file: "lettered.txt",
		want: `topic "Serbia", title "Serbia", date 2025-11-07 00:00
lede 2: Students have led protests in Belgrade since November.
## 4: Background (background)
  5: A canopy collapse in Novi Sad killed sixteen people.
## 7: What's new (new)
  8: The prime minister resigned in January.
`,
	}, {
		file: "roman.txt",
		want: `topic "Venezuela", title "Venezuela", date 2025-11-07 00:00
lede 2: The opposition disputes the result of July's election.
## 4: Background (background)
  5: Both sides claim victory.
## 7: What's new (new)
  8: The electoral council has published no tallies.
## 10: Risks/Caveats (risks)
  11: - [Migration] Another wave of emigration would strain Colombia.
`,
	}, {
		file: "wiki.txt",
		want: `topic "Suez Canal", title "Suez Canal", date 2025-11-07 00:00
lede 2: Container traffic through the canal remains at half its 2023 level.
## 4: Key figures ()
  5: - [Transits] 35 ships a day, against 70 in 2023.
## 7: Sources ()
  8: - Lloyd's List, 2 March 2026.
`,
	}, {
		file: "labels.txt", // "Note:" names no section; the bullet keeps its label
		want: `topic "Iran talks", title "Iran talks", date 2025-11-07 00:00
lede 2: Negotiators met in Muscat for a third round of indirect talks.
lede 3: Note: the talks are indirect, through Omani mediators.
## 5: Risks (risks)
  5: The main risk is that hardliners on both sides walk away before a deal is drafted.
## 7: Outlook (outlook)
  7: A fourth round is planned for May, and both sides say a framework is possible.
  9: - [Sanctions] Relief remains the key demand.
`,
	}, {
		file: "labels.md",
		want: `topic "Gulf talks", title "Gulf talks", date 2025-11-07 00:00
lede 3: Negotiators met in Muscat for a third round of indirect talks.
## 5: Risks (risks)
  5: The main risk is that hardliners walk away before a deal is drafted.
## 8: Outlook (outlook)
  8: A fourth round is planned for May.
  10: - [Sanctions] Relief remains the key demand.
`,
	}, {
		file: "byline.txt",
		want: `topic "Kazakhstan", title "Kazakhstan", date 2026-03-03 14:00
byline "Aigerim Sultanova"
lede 4: Kazakhstan has announced its intention to join the Abraham Accords.
## 5: What's new (new)
  6: The announcement came after a call with Washington.
`,
	}, {
		file: "title-date.txt",
		want: `topic "Kazakhstan", title "Kazakhstan", date 2026-10-04 00:00
lede 3: Kazakhstan hosts a summit of Central Asian leaders this week.
## 5: Outlook (outlook)
  6: - [Trade] A customs agreement is expected.
`,
	}, {
		file: "not-headings.txt", // "By contrast," is no byline; sentences and "Why?" lines are no headings
		want: `topic "Baltic ports", title "Baltic ports", date 2025-11-07 00:00
lede 2: By contrast, Gdansk handled record volumes last year.
## 4: Risks (risks)
  5: - [Cables cut] Three undersea cables were damaged this winter.
  6: - [Weather] Ice closed Riga for a week.
  7: Risks are rising across the region.
  8: Why? Nobody has claimed the attacks.
`,
	}, {
		file: "nested.md", // front matter names the topic only: the H1 is the title
		want: `topic "Baltic security", title "Baltic security: cables and drills", date 2026-02-01 00:00
lede 8: Undersea cables were cut three times this winter.
## 10: Risks (risks)
  ### 12: Sabotage ()
    14: - [Cables] Ships dragged anchors across three cables.
  ### 16: Escalation ()
    18: Drills near the border are larger than last year.
## 20: Outlook (outlook)
  22: NATO patrols the sea through the spring.
`,
	}, {
		file: "byline.md", // the dateline is newer than the date in the title
		want: `topic "Sahel security", title "Sahel security", date 2026-01-14 00:00
byline "Moussa Diallo and Anna Weber"
lede 7: Military governments in Mali, Burkina Faso and Niger deepened their break with the regional bloc.
## 9: Risks (risks)
  11: - [Food] Blockades cut off markets.
`,
	}, {
		file: "frontmatter-problems.md",
		want: `problem 3: unknown front-matter key "dte" is ignored: did you mean "date"?
problem 4: unknown front-matter key "alias" is ignored: did you mean "aliases"?
problem 5: unknown front-matter key "author" is ignored (known keys: title, topic, aliases, tags, date, summary, source)
topic "Arctic shipping", title "Arctic shipping", date 2025-11-07 00:00
lede 10: Ice-free summers open the Northern Sea Route for longer.
## 12: Outlook (outlook)
  14: - [Traffic] Transits could double by 2030.
`,
	}, {
		file: "ambiguous-date.md",
		want: `problem 3: ambiguous date "03/04/2026": read as 4 March 2026 (month first), but it could be 3 April 2026; write 2026-03-04
topic "Chad", title "Chad", date 2026-03-04 00:00
lede 6: Chad's transition ended with a contested presidential election.
## 8: Risks (risks)
  10: - [Refugees] More than half a million Sudanese refugees live in the east.
`,
	}, {
		file: "problems.txt",
		want: `problem 2: no lede: the heading "Niger uranium deal faces review" comes straight after the title, so the overview opens with no summary; put the opening paragraph above it, or end the line with a full stop if it is a sentence
problem 5: section "Background" has no content and is left out: add text under it or remove the heading
topic "Niger", title "Niger", date 2025-11-07 00:00
## 2: Niger uranium deal faces review ()
  3: The junta reviews the uranium licences held by foreign companies.
## 7: Outlook (outlook)
  8: - [Licences] A decision is due by June.
`,
	}, {
		file: "summary-first.txt", // a section word first is meant as a heading: no warning
		want: `topic "Chile", title "Chile", date 2025-11-07 00:00
## 2: Summary (new)
  3: Chile's congress approved the pension reform after two years of debate.
## 5: Outlook (outlook)
  6: - [Markets] Pension funds shift to bonds.
`,
	}, {
		file: "deep.md", // topic only and no "# " line: the topic is the title
		want: `topic "Ukraine grain", title "Ukraine grain", date 2025-11-07 00:00
lede 5: Black Sea exports recovered after the corridor opened.
## 7: Risks (risks)
  ### 9: Shipping ()
    #### 11: Insurance ()
      13: - [Premiums] War-risk cover costs 1% of hull value.
  ### 15: Ports ()
    17: Drone strikes hit Odesa's terminals twice in March.
## 19: Sources ()
  21: - Ministry of Agrarian Policy
`,
	}}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "shapes", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b, probs := Parse(path, data, DefaultDate)
			for _, p := range probs {
				if !p.Warning {
					t.Errorf("error, want only warnings: %v", p)
				}
			}
			if diff := cmp.Diff(tt.want, outline(b, probs)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.file, diff)
			}
			checkParse(t, path, data)
		})
	}
}

func TestNestedSections(t *testing.T) {
	data, err := os.ReadFile("testdata/shapes/nested.md")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Parse("nested.md", data, DefaultDate)
	headings := func(ss []Section) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Heading)
		}
		return out
	}
	for _, tt := range []struct {
		query      string
		found      string
		withSubs   []string
		parent     string
		subsection []string
	}{
		{query: "risks", found: "Risks", withSubs: []string{"Risks", "Sabotage", "Escalation"}, subsection: []string{"Sabotage", "Escalation"}},
		{query: "sabotage", found: "Sabotage", withSubs: []string{"Sabotage"}, parent: "Risks"},
		{query: "escalation", found: "Escalation", withSubs: []string{"Escalation"}, parent: "Risks"},
		{query: "what to watch", found: "Outlook", withSubs: []string{"Outlook"}},
	} {
		sec, ok := b.FindSection(tt.query)
		if !ok || sec.Heading != tt.found {
			t.Errorf("FindSection(%q) = %v, %v; want %q", tt.query, sec, ok, tt.found)
			continue
		}
		if diff := cmp.Diff(tt.withSubs, headings(b.SectionWithSubsections(sec))); diff != "" {
			t.Errorf("SectionWithSubsections(%q) (-want +got):\n%s", tt.found, diff)
		}
		if diff := cmp.Diff(tt.subsection, headings(b.Subsections(sec))); diff != "" {
			t.Errorf("Subsections(%q) (-want +got):\n%s", tt.found, diff)
		}
		got := ""
		if p := b.Parent(sec); p != nil {
			got = p.Heading
		}
		if got != tt.parent {
			t.Errorf("Parent(%q) = %q, want %q", tt.found, got, tt.parent)
		}
	}
	// A section that is not the briefing's own has no relatives.
	other := Section{Heading: "Risks", Depth: 1}
	if b.SectionWithSubsections(&other) != nil || b.Subsections(&other) != nil || b.Parent(&other) != nil {
		t.Error("a foreign section has relatives")
	}
}

func TestEncodings(t *testing.T) {
	const text = "Zürich\nSwitzerland’s banks face new capital rules.\nRisks\n- Exodus: UBS may move abroad.\n"
	utf8Briefing, _ := Parse("z.txt", []byte(text), DefaultDate)
	encode := func(t *testing.T, e interface{ Bytes([]byte) ([]byte, error) }, s string) []byte {
		t.Helper()
		out, err := e.Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"UTF-16LE with BOM", encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder(), text)},
		{"UTF-16BE with BOM", encode(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder(), text)},
		{"UTF-16LE with BOM and CRLF", encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder(), strings.ReplaceAll(text, "\n", "\r\n"))},
		{"UTF-8 with BOM", append([]byte("\ufeff"), text...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, probs := Parse("z.txt", tt.data, DefaultDate)
			if len(probs) != 0 {
				t.Fatalf("problems: %v", probs)
			}
			if diff := cmp.Diff(outline(utf8Briefing, nil), outline(b, nil)); diff != "" {
				t.Errorf("decoded briefing differs from the UTF-8 one (-utf8 +got):\n%s", diff)
			}
		})
	}

	for _, tt := range []struct {
		name string
		data []byte
		want []string
	}{{
		name: "Windows-1252",
		data: encode(t, charmap.Windows1252.NewEncoder(), "Zürich\nBanks face “new” rules.\n"),
		want: []string{"z.txt:1: not UTF-8", "Windows-1252", "convert it with iconv -f WINDOWS-1252 -t UTF-8 z.txt > z.txt.utf8 && mv z.txt.utf8 z.txt"},
	}, {
		name: "Latin-1 on line 3",
		data: encode(t, charmap.ISO8859_1.NewEncoder(), "Zurich\nBanks.\nCafé owners complain.\n"),
		want: []string{"z.txt:3: not UTF-8 (byte 0xE9", "ISO-8859-1 or Windows-1252", "iconv -f WINDOWS-1252 -t UTF-8"},
	}, {
		name: "Cyrillic Windows-1251",
		data: encode(t, charmap.Windows1251.NewEncoder(), "Казахстан\nНовости.\n"),
		want: []string{"z.txt:1: not UTF-8", "Windows-1251", "iconv -f ENCODING -t UTF-8"},
	}, {
		name: "UTF-16 without BOM",
		data: encode(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder(), text),
		want: []string{"z.txt:1: looks like UTF-16 without a byte-order mark", "iconv -f UTF-16LE -t UTF-8 z.txt > z.txt.utf8"},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			b, probs := Parse("z.txt", tt.data, DefaultDate)
			if b != nil || len(probs) != 1 || probs[0].Warning {
				t.Fatalf("Parse = %v, %v; want one error", b, probs)
			}
			for _, w := range tt.want {
				if !strings.Contains(probs[0].Error(), w) {
					t.Errorf("problem %q lacks %q", probs[0].Error(), w)
				}
			}
		})
	}
}

func TestConvertCommandQuotes(t *testing.T) {
	for path, want := range map[string]string{
		"kz.txt":              "iconv -f WINDOWS-1252 -t UTF-8 kz.txt > kz.txt.utf8 && mv kz.txt.utf8 kz.txt",
		"Central Asia/kz.txt": `iconv -f WINDOWS-1252 -t UTF-8 'Central Asia/kz.txt' > 'Central Asia/kz.txt'.utf8 && mv 'Central Asia/kz.txt'.utf8 'Central Asia/kz.txt'`,
		"it's.txt":            `iconv -f WINDOWS-1252 -t UTF-8 'it'\''s.txt' > 'it'\''s.txt'.utf8 && mv 'it'\''s.txt'.utf8 'it'\''s.txt'`,
	} {
		if got := convertCommand("WINDOWS-1252", path); got != want {
			t.Errorf("convertCommand(%q) =\n%s\nwant\n%s", path, got, want)
		}
	}
}

func TestTitleDatesAndDatelines(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		title string
		head  string
		date  time.Time
	}{
		{"Kazakhstan — 4 October 2026", "Kazakhstan", day(2026, 10, 4)},
		{"Kazakhstan – 4 Oct 2026", "Kazakhstan", day(2026, 10, 4)},
		{"Kazakhstan, October 4, 2026", "Kazakhstan", day(2026, 10, 4)},
		{"Red Sea shipping (2026-03-02)", "Red Sea shipping", day(2026, 3, 2)},
		{"Sahel security: 12 January 2026", "Sahel security", day(2026, 1, 12)},
		{"Australia: Background and U.S. Relations", "Australia: Background and U.S. Relations", time.Time{}},
		{"G20 summit 2026", "G20 summit 2026", time.Time{}},
		{"Section 702 — 2026 reauthorisation", "Section 702 — 2026 reauthorisation", time.Time{}},
	} {
		head, d, _, _ := splitTitleDate(tt.title)
		if head != tt.head || !d.Equal(tt.date) {
			t.Errorf("splitTitleDate(%q) = %q, %v; want %q, %v", tt.title, head, d, tt.head, tt.date)
		}
	}
	for line, want := range map[string]time.Time{
		"Updated 3 March 2026, 14:00 GMT":     time.Date(2026, 3, 3, 14, 0, 0, 0, time.UTC),
		"Published: Tuesday, 3 March 2026":    day(2026, 3, 3),
		"Last updated March 3, 2026 at 09:30": day(2026, 3, 3), // no zone: the day alone
		"2026-03-03":                          day(2026, 3, 3),
		"Updated daily":                       {},
		"3 March 2026 was a quiet day.":       {},
	} {
		d, _, ok := parseDateline(line)
		if ok != !want.IsZero() || !d.Equal(want) {
			t.Errorf("parseDateline(%q) = %v, %v; want %v", line, d, ok, want)
		}
	}
	for line, want := range map[string]string{
		"By Aigerim Sultanova":                "Aigerim Sultanova",
		"BY JANE DOE":                         "JANE DOE",
		"By Jane Doe Jr.":                     "Jane Doe Jr.",
		"By Jane Doe | 3 March 2026":          "Jane Doe",
		"By contrast, the talks failed":       "",
		"By 2030 exports could double":        "",
		"By Tuesday the talks had collapsed.": "",
	} {
		got, _, _, _ := cutByline(line)
		if got != want {
			t.Errorf("cutByline(%q) = %q, want %q", line, got, want)
		}
	}
}

func TestFrontMatterKeySuggestions(t *testing.T) {
	for k, want := range map[string]string{
		"dte": "date", "alias": "aliases", "Title": "title", "tag": "tags", "sumary": "summary",
		"updated": "date", "description": "summary", "keywords": "tags", "author": "", "x": "",
	} {
		if got := suggestFrontMatterKey(k); got != want {
			t.Errorf("suggestFrontMatterKey(%q) = %q, want %q", k, got, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]struct {
		date      string
		ambiguous bool
	}{
		"2026-03-04": {"2026-03-04", false},
		"03/04/2026": {"2026-03-04", true},
		"25/12/2026": {"2026-12-25", false},
		"12/25/2026": {"2026-12-25", false},
		"04/04/2026": {"2026-04-04", false},
		"04.03.2026": {"2026-03-04", false},
		"4 Mar 2026": {"2026-03-04", false},
	} {
		d, w, err := parseDate(in)
		if err != nil || d.Format(time.DateOnly) != want.date || (w != "") != want.ambiguous {
			t.Errorf("parseDate(%q) = %v, %q, %v; want %s, ambiguous %v", in, d, w, err, want.date, want.ambiguous)
		}
	}
	for _, bad := range []string{"13/13/2026", "31/02/2026", "soon"} {
		if _, _, err := parseDate(bad); err == nil {
			t.Errorf("parseDate(%q) succeeded", bad)
		}
	}
}

func TestMarkdownTitleAfterText(t *testing.T) {
	// Without front matter the first "# " heading is the title wherever it
	// stands; the text above it is the lede.
	b, probs := Parse("late.md", []byte("An intro line before the title.\n\n# Late title\n\nText.\n\n## Risks\n\n- A: b.\n"), DefaultDate)
	want := `topic "Late title", title "Late title", date 2025-11-07 00:00
lede 1: An intro line before the title.
lede 5: Text.
## 7: Risks (risks)
  9: - [A] b.
`
	if diff := cmp.Diff(want, outline(b, probs)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
