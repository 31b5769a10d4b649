package briefings

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/briefings/briefingstest"
)

// lazyFolder writes generated briefings (plain text and Markdown with
// front matter) and files whose header does not settle their topic,
// aliases or date, so that LoadLazy parses those whole at once.
// Plain-text files are known by their head.
func lazyFolder(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		// No date in the front matter: dated by a dateline under the title.
		"dateline.md": "---\ntitle: Dateline Land\n---\n# Dateline Land\n\nUpdated 3 March 2025\n\nLede.\n\n## Risks\n\n- Floods.\n",
		// No front matter: the title is the first heading.
		"plain.md": "# Plain Heading: A Review\n\nLede.\n\n## Outlook\n\nCalm.\n",
		// A CRS page: its report number becomes an alias.
		"crs.md": "---\ntitle: Canal Treaty\ndate: 2025-01-02\n---\n**Report No.:** R12345\n\n# Canal Treaty\n\nLede.\n\n## Background\n\nText.\n",
		// Topic and aliases in front matter, and aliases.yaml adds one.
		"topic.md": "---\ntopic: Andes\ntitle: \"Andes: Water and Power\"\naliases: [Cordillera]\ndate: 2025-05-06\nsummary: Dams.\n---\n# Andes: Water and Power\n\nLede.\n\n## Risks\n\n- Drought.\n",
		// An older version of the same topic.
		"topic-old.md": "---\ntopic: Andes\ntitle: Andes\ndate: 2024-05-06\n---\n# Andes\n\nOld lede.\n\n## Risks\n\n- Old drought.\n",
		// Plain text dated by its dateline, under a byline.
		"dated.txt": "Dated Place: Floods — 3 March 2025\n\nBy A. Writer\nUpdated 5 March 2025\n\nLede.\n\nRisks\n- Floods.\n",
		// A bad date is a problem either way.
		"bad-date.md": "---\ntitle: Bad Date\ndate: someday\n---\n# Bad Date\n\nText.\n",
		AliasesFile:   "Andes: [Andean states]\n",
	}
	writeFiles(t, dir, files)
	for _, f := range briefingstest.Generate(60, 5) {
		writeFiles(t, dir, map[string]string{f.Name: string(f.Data)})
	}
	return dir
}

// TestLoadLazyAnswersAsLoad: a library loaded lazily hands out the same
// briefings, whole, as one loaded whole, by every way of reaching them.
func TestLoadLazyAnswersAsLoad(t *testing.T) {
	dir := lazyFolder(t)
	whole, wantProbs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	lazy, probs, err := LoadLazy(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(lazy.pending) == 0 || len(lazy.pending) == lazy.Len() {
		t.Fatalf("%d of %d briefings pending: want the generated briefings pending and the others parsed", len(lazy.pending), lazy.Len())
	}
	// The problems of the files parsed at load are reported.
	if !strings.Contains(fmtProblems(probs), "bad-date.md") || len(probs) > len(wantProbs) {
		t.Errorf("lazy problems:\n%s\nwant bad-date.md's, and no more than Load's:\n%s", fmtProblems(probs), fmtProblems(wantProbs))
	}
	for _, tt := range []string{"andes", "cordillera", "andean states", "r12345", "dateline land", "plain heading", "t00013", "Belmar grid reform 1", "Andoria grid reform 0", "dated place"} {
		want, _ := whole.Match(strings.Fields(Normalize(tt)))
		got, ok := lazy.Match(strings.Fields(Normalize(tt)))
		if !ok || want.Briefing == nil {
			t.Errorf("Match(%q): lazy found %v, whole %v", tt, ok, want.Briefing != nil)
			continue
		}
		if diff := cmp.Diff(want.Briefing, got.Briefing); diff != "" {
			t.Errorf("Match(%q) (-whole +lazy):\n%s", tt, diff)
		}
		if diff := cmp.Diff(whole.Versions(tt), lazy.Versions(tt)); diff != "" {
			t.Errorf("Versions(%q) (-whole +lazy):\n%s", tt, diff)
		}
	}
	if diff := cmp.Diff(whole.Topics(), lazy.Topics()); diff != "" {
		t.Errorf("Topics (-whole +lazy):\n%s", diff)
	}
	if diff := cmp.Diff(whole.Search("drought", 5), lazy.Search("drought", 5)); diff != "" {
		t.Errorf("Search (-whole +lazy):\n%s", diff)
	}
}

// TestLoadLazyParsesWhatItAnswers: answering one topic parses that
// topic's newest briefing, no other, and only once.
func TestLoadLazyParsesWhatItAnswers(t *testing.T) {
	lib, _, err := LoadLazy(lazyFolder(t))
	if err != nil {
		t.Fatal(err)
	}
	parsed := func() (n int) {
		for _, z := range lib.pending {
			if z.read == nil {
				n++
			}
		}
		return n
	}
	m, ok := lib.Match([]string{"t00013"})
	if !ok || len(m.Briefing.Sections) == 0 {
		t.Fatalf("Match t00013: %v, %+v", ok, m.Briefing)
	}
	if _, ok := m.Briefing.FindSection("risks"); !ok {
		t.Errorf("%s has no risks section once parsed", m.Briefing.Path)
	}
	if n := parsed(); n != 1 {
		t.Errorf("%d briefings parsed to answer one topic, want 1", n)
	}
	lib.Match([]string{"t00013"})
	if n := parsed(); n != 1 {
		t.Errorf("%d briefings parsed after asking again, want 1", n)
	}
	if got := filepath.Base(m.Briefing.Path); !strings.HasSuffix(got, ".md") {
		t.Errorf("answered from %s, want a Markdown briefing", got)
	}
}

func fmtProblems(ps []Problem) string {
	var sb strings.Builder
	for _, p := range ps {
		sb.WriteString(p.Error() + "\n")
	}
	return sb.String()
}

// FuzzHeaderAgreesWithParse: whenever the header reader settles a file's
// topic, aliases and date, Parse accepts the file and agrees on them, so
// a lazily loaded library indexes every briefing as Load would.
func FuzzHeaderAgreesWithParse(f *testing.F) {
	for _, fl := range briefingstest.Generate(4, 9) {
		f.Add(fl.Data)
	}
	f.Add([]byte("---\ntitle: \"Andes: Water\"\ntopic: Andes\naliases: [A, a, Andes]\ndate: 2025-05-06\n---\n# Other\n\nText.\n"))
	f.Add([]byte("---\ntitle: Canal\ndate: 2025-01-02\n---\n**Report No.:** R1\n# Canal\n"))
	f.Add([]byte("---\r\ntitle: X\r\ndate: 2025-01-02\r\n---\r\n# X\r\n"))
	f.Add([]byte("---\ntitle: X\ndate: 2025-13-45\n---\n"))
	f.Add([]byte("Kazakhstan: Reform — 3 March 2025\n\nBy A. Writer\n\nUpdated 4 March 2025\n\nLede.\n"))
	f.Add([]byte("\n\n== Title ==\nBy X\n\n\nUpdated 2024-01-02\nRisks\n- a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, path := range []string{"f.md", "f.txt"} {
			h, ok := parseHeader(path, data, time.Time{})
			if !ok {
				continue
			}
			b, probs := Parse(path, data, time.Time{})
			if b == nil {
				t.Fatalf("%s: the header reader took a file Parse refuses: %v", path, probs)
			}
			type header struct {
				Topic, Title, Summary, Source string
				Aliases, Tags                 []string
				Date                          time.Time
			}
			want := header{b.Topic, b.Title, b.Summary, b.Source, b.Aliases, b.Tags, b.Date}
			got := header{h.Topic, h.Title, h.Summary, h.Source, h.Aliases, h.Tags, h.Date}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: header (-Parse +parseHeader):\n%s", path, diff)
			}
		}
	})
}
