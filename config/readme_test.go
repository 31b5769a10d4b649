package config

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestREADMEListsEveryKey checks README's configuration reference table
// against Keys: every key briefbot reads is documented with its variable,
// and every documented key exists.
func TestREADMEListsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Skipf("no README: %v", err)
	}
	_, section, ok := strings.Cut(string(b), "\n### Configuration\n")
	if !ok {
		t.Fatal(`README has no "### Configuration" section`)
	}
	section, _, _ = strings.Cut(section, "\n#")
	row := regexp.MustCompile("(?m)^\\| `([a-z_.]+)` \\| `([A-Z0-9_]+)`")
	var documented []string
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		documented = append(documented, m[1])
		if m[2] != EnvVar(m[1]) {
			t.Errorf("README gives %s the variable %s, want %s", m[1], m[2], EnvVar(m[1]))
		}
	}
	keys := Keys()
	slices.Sort(keys)
	slices.Sort(documented)
	if diff := cmp.Diff(keys, documented); diff != "" {
		t.Errorf("README's configuration table (+) against the keys briefbot reads (-):\n%s", diff)
	}
}
