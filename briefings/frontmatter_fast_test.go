package briefings

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// TestSimpleFrontMatter checks that the fast front matter decoder either
// declines or answers exactly as the YAML decoder does.
func TestSimpleFrontMatter(t *testing.T) {
	cases := []struct {
		text string
		fast bool // whether the fast path must answer
	}{
		{"title: Andoria grid reform 0\naliases: [\"T00000\"]\ntags: [grid reform, Andoria]\ndate: 2024-01-01\n", true},
		{"title: Red Sea shipping\ntopic: Red Sea\naliases: Bab el-Mandeb\nsummary: Attacks on ships.\nsource: https://example.org/x\n", true},
		{"title: \"Quoted: title\"\n", true},
		{"tags: []\n", true},
		{"tags: [ a ,  b c ]\n\ntitle: x\n", true},
		{"title: yes\ndate: 2024\n", true},
		{"title: 3.14\n", true},
		{"title: Türkiye\n", true},
		{"title: ~\n", false},
		{"title: null\n", false},
		{"title:\n", false},
		{"title: a # comment\n", false},
		{"# comment\ntitle: a\n", false},
		{"title: a\ntitle: b\n", false},
		{"other: x\n", false},
		{"tags:\n  - a\n  - b\n", false},
		{"title: 'single'\n", false},
		{"title: \"esc\\\"aped\"\n", false},
		{"title: a: b\n", false},
		{"tags: [a, [b]]\n", false},
		{"tags: [a, b\n", false},
		{"title: - x\n", false},
		{"title: *alias\n", false},
		{"title: &anchor x\n", false},
		{"title: !!str x\n", false},
		{"title:\tx\n", false},
		{"aliases: [\"T1\", T2, \"\"]\n", true},
	}
	for _, c := range cases {
		got, ok := simpleFrontMatter(c.text)
		if ok != c.fast {
			t.Errorf("simpleFrontMatter(%q) ok = %v, want %v", c.text, ok, c.fast)
		}
		if !ok {
			continue
		}
		var want frontMatter
		if err := yaml.Unmarshal([]byte(c.text), &want); err != nil {
			t.Errorf("fast path accepted %q, which YAML refuses: %v", c.text, err)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("simpleFrontMatter(%q) differs from YAML (-yaml +fast):\n%s", c.text, diff)
		}
	}
}

func FuzzSimpleFrontMatter(f *testing.F) {
	f.Add("title: a\ntags: [b, \"c\"]\n")
	f.Add("aliases: x y\ndate: 2024-01-01\n")
	f.Fuzz(func(t *testing.T, text string) {
		got, ok := simpleFrontMatter(text)
		if !ok {
			return
		}
		var want frontMatter
		if err := yaml.Unmarshal([]byte(text), &want); err != nil {
			t.Fatalf("fast path accepted %q, which YAML refuses: %v", text, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("simpleFrontMatter(%q) differs from YAML (-yaml +fast):\n%s", text, diff)
		}
	})
}
