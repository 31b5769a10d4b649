package briefings

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestLoadBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	seed, err := os.ReadFile("samples/kazakhstan.txt")
	if err != nil {
		t.Fatal(err)
	}
	write("good/kazakhstan.txt", seed)
	write("good/red.md", []byte("---\ntitle: Red Sea\ndate: 2026-01-02\n---\n\nLede.\n\n## Risks\n\n- A: b.\n"))
	write("good/nosections.md", []byte("# Lonely\n\nJust a paragraph.\n"))
	write("ignored/notes.pdf", []byte{0, 1, 2})
	write("ignored/image.png", []byte{0x89, 'P', 'N', 'G', 0})
	write("bad/empty.txt", nil)
	write("bad/blank.md", []byte("\n  \n\t\n"))
	write("bad/binary.txt", []byte("Title\nline two\nbad\x00byte\n"))
	write("bad/invalid.md", []byte("# Title\n\nok\n\n\xff\xfe broken\n"))
	write("bad/huge.txt", []byte("Huge\n"+strings.Repeat("x", MaxFileSize)))
	write("bad/unterminated.md", []byte("---\ntitle: Never closed\n\n# Body\n"))
	write("bad/baddate.md", []byte("---\ntitle: When\ndate: next tuesday\n---\n\n# When\n\ntext\n"))
	write("bad/badyaml.md", []byte("---\ntitle: x\n  bad: : y\n---\n\ntext\n"))
	write("bad/notitle.md", []byte("Just some text without any heading at all.\n"))
	if err := os.Symlink("..", filepath.Join(dir, "bad", "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("self.md", filepath.Join(dir, "bad", "self.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "good"), filepath.Join(dir, "linked")); err != nil {
		t.Fatal(err)
	}

	lib, probs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	wantLines := map[string]int{
		"bad/empty.txt": 1, "bad/blank.md": 1, "bad/binary.txt": 3, "bad/invalid.md": 5,
		"bad/huge.txt": 1, "bad/unterminated.md": 1, "bad/baddate.md": 3, "bad/badyaml.md": 3,
		"bad/notitle.md": 1, "bad/loop": 1, "bad/self.md": 1,
	}
	got := map[string]int{}
	var warnings []string
	for _, p := range probs {
		rel, _ := filepath.Rel(dir, p.Path)
		if p.Warning {
			warnings = append(warnings, rel)
			continue
		}
		if _, dup := got[rel]; dup {
			t.Errorf("%s reported twice", rel)
		}
		got[rel] = p.Line
		if !strings.HasPrefix(p.Error(), p.Path+":") || p.Message == "" {
			t.Errorf("Error() = %q, want path:line: message", p.Error())
		}
		t.Logf("%s", p.Error())
	}
	for name, line := range wantLines {
		if l, ok := got[name]; !ok {
			t.Errorf("%s: no problem reported", name)
		} else if l != line {
			t.Errorf("%s: reported at line %d, want %d", name, l, line)
		}
	}
	for name := range got {
		if _, ok := wantLines[name]; !ok {
			t.Errorf("unexpected problem for %s", name)
		}
	}
	sort.Strings(warnings)
	if want := []string{"good/nosections.md"}; strings.Join(warnings, ",") != strings.Join(want, ",") {
		t.Errorf("warnings for %v, want %v", warnings, want)
	}
	// Good files load, once each: the linked folder holds the same three
	// files again.
	if lib.Len() != 3 {
		t.Errorf("loaded %d briefings, want 3", lib.Len())
	}
	for _, q := range []string{"kazakhstan", "red sea", "lonely"} {
		if _, ok := lib.Match(strings.Fields(q)); !ok {
			t.Errorf("%s did not load", q)
		}
	}
	if _, _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("Load of a missing folder gave no error")
	}
}

func TestProblemError(t *testing.T) {
	p := Problem{Path: "briefings/kz.txt", Line: 4, Message: "no title"}
	if got := p.Error(); got != "briefings/kz.txt:4: no title" {
		t.Errorf("Error() = %q", got)
	}
	if got := (Problem{Path: "a.md", Message: "x"}).Error(); got != "a.md:1: x" {
		t.Errorf("line 0 printed as %q, want line 1", got)
	}
}

func TestLoadSkipsFolderDocumentation(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"README.md":        "# About this folder\n\nHow to write briefings.\n\n## Risks\n\n- None: really.\n",
		"sub/readme.md":    "# Readme\n\nNotes.\n\n## Risks\n\n- None: really.\n",
		"LICENSE.md":       "# License\n\nCC-BY.\n\n## Terms\n\n- Use: freely.\n",
		"CHANGELOG.md":     "# Changelog\n\nv2.\n\n## Latest\n\n- Added: things.\n",
		"CONTRIBUTING.md":  "# Contributing\n\nSend a pull request.\n\n## Risks\n\n- None: really.\n",
		".github/bug.md":   "# Bug report\n\nWhat happened.\n\n## Risks\n\n- None: really.\n",
		"..data/copy.md":   "# Kazakhstan copy\n\nLede.\n\n## Risks\n\n- Oil: prices.\n",
		"kazakhstan.md":    "# Kazakhstan\n\nLede.\n\n## Risks\n\n- Oil: prices.\n",
		"readme-notes.txt": "Readme notes\n\nA briefing whose name only starts like readme.\n\nRisks\n- Confusion: none.\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lib, probs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 0 {
		t.Errorf("problems: %v", probs)
	}
	var got []string
	for _, b := range lib.Topics() {
		got = append(got, b.Topic)
	}
	if want := []string{"Kazakhstan", "Readme notes"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("topics = %q, want %q", got, want)
	}
}
