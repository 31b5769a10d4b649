package briefings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAliasesFile(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"kz.txt":      "Kazakhstan :\nA lede.\nRisks\n- One: two.\n",
		"red-sea.txt": "Red Sea\nA lede.\nRisks\n- One: two.\n",
		AliasesFile:   "# other names\nkazakhstan: [Казахстан, Qazaqstan]\nRed Sea: Bab el-Mandeb\natlantis: [Atlantide]\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lib, problems, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"казахстан", "qazaqstan", "bab el mandeb"} {
		if _, ok := lib.Match(strings.Fields(q)); !ok {
			t.Errorf("%q does not name a topic", q)
		}
	}
	want := []string{filepath.Join(dir, AliasesFile) + ":4: warning: no briefing has the topic \"atlantis\""}
	var got []string
	for _, p := range problems {
		got = append(got, p.Error())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestAliasesFileErrors(t *testing.T) {
	for name, tt := range map[string]struct {
		text string
		line int
	}{
		"bad yaml":    {"kazakhstan: [Казахстан\nx: y\n", 1}, // the line the YAML parser names
		"not a map":   {"- kazakhstan\n", 1},
		"nested list": {"\nkazakhstan: [[a, b]]\n", 2},
	} {
		t.Run(name, func(t *testing.T) {
			problems := applyAliases("aliases.yaml", []byte(tt.text), nil, nil)
			if len(problems) == 0 || problems[0].Warning || problems[0].Line != tt.line {
				t.Errorf("problems = %v, want an error at line %d", problems, tt.line)
			}
		})
	}
}

func TestSampleAliases(t *testing.T) {
	m, ok := Sample().Match([]string{"Казахстан"})
	if !ok || m.Briefing.Topic != "Kazakhstan" {
		t.Errorf("Казахстан = %+v, %v; want the Kazakhstan sample", m.Briefing, ok)
	}
}
