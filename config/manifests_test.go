package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestManifestsNameRealVariables checks that every BRIEFBOT_ variable the
// Kubernetes manifests set is one briefbot reads, so a renamed key cannot
// leave a manifest setting nothing.
func TestManifestsNameRealVariables(t *testing.T) {
	known := map[string]bool{}
	for _, k := range Keys() {
		known[EnvVar(k)] = true
	}
	variable := regexp.MustCompile(`BRIEFBOT_[A-Z0-9_]+`)
	seen := 0
	err := filepath.WalkDir("kubernetes", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, v := range variable.FindAllString(string(b), -1) {
			seen++
			if !known[v] {
				t.Errorf("%s sets %s, which is no configuration variable", path, v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Fatal("no BRIEFBOT_ variable found in the manifests")
	}
}
