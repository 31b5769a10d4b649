package briefings

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckLibrary(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		// "Korea" is claimed by two topics, on line 3 of each.
		"south-korea.md": "---\ntitle: South Korea\naliases: [Korea, ROK]\ndate: 2026-02-18\n---\n\nSeoul cut rates.\n\n## Risks\n\n- Debt: High.\n",
		"north-korea.md": "---\ntitle: North Korea\naliases: [Korea, DPRK]\ndate: 2026-02-10\n---\n\nPyongyang tested a missile.\n\n## Risks\n\n- Escalation: Possible.\n",
		// Two versions of one topic on one day: only one can be reached.
		"kazakhstan.md":         "---\ntitle: Kazakhstan\ndate: 2026-03-04\n---\n\nAstana joined the accords.\n\n## Outlook\n\n- Signing: Soon.\n",
		"archive/kazakhstan.md": "---\ntitle: Kazakhstan\ndate: 2026-03-04\n---\n\nAn older draft.\n\n## Outlook\n\n- Signing: Later.\n",
		// Another day is another version, and fine.
		"archive/kazakhstan-2025.md": "---\ntitle: Kazakhstan\ndate: 2025-11-07\n---\n\nLast year.\n\n## Outlook\n\n- Talks: Ongoing.\n",
		// Reports sharing the part of their titles before a colon share an
		// alias the parser made: the bot asks which, and nobody is at fault.
		"au-defence.md": "# Australia: Defence Policy\n\nSubmarines.\n\n## Outlook\n\n- AUKUS: Delays.\n",
		"au-trade.md":   "# Australia: Trade Policy\n\nExports.\n\n## Outlook\n\n- China: Recovering.\n",
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
	if err != nil || len(probs) != 0 {
		t.Fatalf("Load: %v, %v", probs, err)
	}
	var got []string
	for _, p := range Check(lib, os.ReadFile) {
		got = append(got, p.Error())
	}
	shown := filepath.Join(dir, "kazakhstan.md")
	hidden := filepath.Join(dir, "archive", "kazakhstan.md")
	if lib.Versions("kazakhstan")[0].Path != shown {
		shown, hidden = hidden, shown
	}
	want := []string{
		hidden + `:2: same topic "Kazakhstan" and date 2026-03-04 as ` + shown + `, which readers get instead: give one of them its own date (a date: in front matter, or a dateline under the title)`,
		filepath.Join(dir, "north-korea.md") + `:3: warning: alias "korea" is claimed by 2 topics: "North Korea" (` + filepath.Join(dir, "north-korea.md") + `), "South Korea" (` + filepath.Join(dir, "south-korea.md") + `); readers typing it get a "which one?" list: keep it on one topic`,
		filepath.Join(dir, "south-korea.md") + `:3: warning: alias "korea" is claimed by 2 topics: "North Korea" (` + filepath.Join(dir, "north-korea.md") + `), "South Korea" (` + filepath.Join(dir, "south-korea.md") + `); readers typing it get a "which one?" list: keep it on one topic`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}

	// Without a reader, aliases are reported on the title line.
	for _, p := range Check(lib, nil) {
		if p.Warning && p.Line != 2 {
			t.Errorf("without a reader: %v, want the title line 2", p)
		}
	}
}
