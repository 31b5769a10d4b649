package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAPITokensFromFile(t *testing.T) {
	dir := isolate(t)
	writeFile(t, dir, FileName, `api:
  tokens:
    - name: editors-ci
      token: ci-secret-0123456789
    - name: cms
      token: cms-secret-0123456789
`)
	got, err := Load(Options{SearchPaths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	want := []APIToken{{Name: "editors-ci", Token: "ci-secret-0123456789"}, {Name: "cms", Token: "cms-secret-0123456789"}}
	if diff := cmp.Diff(want, got.API.Tokens); diff != "" {
		t.Errorf("api.tokens (-want +got):\n%s", diff)
	}
}

func TestAPITokensFromEnvironment(t *testing.T) {
	for _, value := range []string{
		`[{"name": "editors-ci", "token": "ci-secret-0123456789"}]`,
		"- name: editors-ci\n  token: ci-secret-0123456789\n",
	} {
		dir := isolate(t)
		t.Setenv("BRIEFBOT_API_TOKENS", value)
		got, err := Load(Options{SearchPaths: []string{dir}})
		if err != nil {
			t.Fatalf("BRIEFBOT_API_TOKENS=%q: %v", value, err)
		}
		want := []APIToken{{Name: "editors-ci", Token: "ci-secret-0123456789"}}
		if diff := cmp.Diff(want, got.API.Tokens); diff != "" {
			t.Errorf("BRIEFBOT_API_TOKENS=%q (-want +got):\n%s", value, diff)
		}
	}
	dir := isolate(t)
	t.Setenv("BRIEFBOT_API_TOKENS", "{not a list")
	if _, err := Load(Options{SearchPaths: []string{dir}}); err == nil || !strings.Contains(err.Error(), "BRIEFBOT_API_TOKENS") {
		t.Errorf("a malformed BRIEFBOT_API_TOKENS gave %v, want an error naming it", err)
	}
}

func TestAPITokensNeverPrint(t *testing.T) {
	dir := isolate(t)
	t.Setenv("BRIEFBOT_API_TOKENS", `[{"name": "editors-ci", "token": "ci-secret-0123456789"}]`)
	c, err := Load(Options{SearchPaths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var yaml strings.Builder
	if err := c.WriteYAML(&yaml); err != nil {
		t.Fatal(err)
	}
	for what, out := range map[string]string{
		"WriteYAML": yaml.String(),
		"fmt %v":    fmt.Sprintf("%v %+v", c.API.Tokens, c.API.Tokens[0]),
		"String":    c.String(),
	} {
		if strings.Contains(out, "ci-secret") {
			t.Errorf("%s shows the token:\n%s", what, out)
		}
		if !strings.Contains(out, "editors-ci") {
			t.Errorf("%s lacks the token's name:\n%s", what, out)
		}
	}
}
