package briefings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// crsDir locates the shared CRS corpus from the package directory.
func crsDir(t testing.TB) string {
	dir := filepath.Join("..", "..", "shared", "corpora", "crs")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("CRS corpus not available: %v", err)
	}
	return dir
}

func TestCRSCorpus(t *testing.T) {
	dir := crsDir(t)
	lib, probs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		if !p.Warning {
			t.Errorf("problem: %v", p)
		}
	}
	inFocus := 0
	for _, b := range lib.all {
		if filepath.Base(b.Path) == "README.md" {
			continue
		}
		if os.Getenv("BRIEFBOT_DUMP") != "" {
			t.Logf("%s | %s | %v | %s | lede=%d", filepath.Base(b.Path), b.Topic, b.Aliases, b.Date.Format("2006-01-02"), len(b.Lede))
			for _, s := range b.Sections {
				t.Logf("    %d %q [%s] %d", s.Line, s.Heading, s.Kind, len(s.Blocks))
			}
		}
		check := func(where, text string) {
			for _, cruft := range []string{"crsreports.congress.gov", "Report No.", "[Listen]", "Hide Overview", "CRS PRODUCT", "Disclaimer:", "| Figure"} {
				if strings.Contains(text, cruft) {
					t.Errorf("%s: %s holds cruft %q: %.80s", b.Path, where, cruft, text)
				}
			}
		}
		for _, blk := range b.Lede {
			check("lede", blk.Text)
		}
		for _, s := range b.Sections {
			check("heading", s.Heading)
			for _, blk := range s.Blocks {
				check("section "+s.Heading, blk.Label+" "+blk.Text)
			}
		}
		if b.Source == "" || !strings.HasPrefix(b.Source, "https://www.congress.gov/") {
			t.Errorf("%s: source %q", b.Path, b.Source)
		}
		if b.Date.Year() < 1990 {
			t.Errorf("%s: date %v, want the publication date", b.Path, b.Date)
		}
		if !strings.Contains(b.Path, "in-focus") {
			continue
		}
		inFocus++
		if b.Topic == "" || len(b.Sections) < 2 {
			t.Errorf("%s: topic %q with %d sections, want a topic and ≥ 2 sections", b.Path, b.Topic, len(b.Sections))
		}
	}
	if inFocus != 38 {
		t.Errorf("loaded %d in-focus documents, want 38", inFocus)
	}

	m, ok := lib.Match(strings.Fields("australia strategic outlook"))
	if !ok || m.Words != 1 || m.Briefing.Topic != "Australia: Background and U.S. Relations" {
		t.Fatalf("Match(australia ...) = %+v, %v", m, ok)
	}
	sec, ok := m.Briefing.FindSection("strategic outlook")
	if !ok || sec.Heading != "Strategic Outlook" || sec.Kind != KindOutlook {
		t.Errorf("FindSection(strategic outlook) = %+v, %v", sec, ok)
	}
	if sec, ok := m.Briefing.FindSection("outlook"); !ok || sec.Heading != "Strategic Outlook" {
		t.Errorf("FindSection(outlook) = %+v", sec)
	}
	if m, ok := lib.Match([]string{"IF10491"}); !ok || m.Briefing.Topic != "Australia: Background and U.S. Relations" {
		t.Errorf("report number is not an alias: %+v %v", m, ok)
	}
	if got := m.Briefing.Date.Format("2006-01-02"); got != "2026-04-10" {
		t.Errorf("Australia date = %s, want the publication date 2026-04-10", got)
	}

	// Two versions of ENERGY STAR are one topic; the newer answers.
	vs := lib.Versions("energy star program")
	if len(vs) != 2 {
		t.Fatalf("Versions(energy star) = %d briefings, want 2", len(vs))
	}
	if !strings.Contains(vs[0].Path, "IF10753v7") || vs[0].Date.Before(vs[1].Date) {
		t.Errorf("newest version = %s (%v), want v7", vs[0].Path, vs[0].Date)
	}
}
