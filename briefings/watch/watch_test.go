package watch_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/watch"
)

const mars = "Mars :\nThe red planet is in the news.\nRisks\n- Dust: Storms cover the planet.\n"

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// risks returns the first risk bullet's label of topic, or "" if absent.
func risks(lib *briefings.Library, topic string) string {
	m, ok := lib.Match(strings.Fields(topic))
	if !ok {
		return ""
	}
	s, ok := m.Briefing.FindSection("risks")
	if !ok || len(s.Blocks) == 0 {
		return ""
	}
	return s.Blocks[0].Label
}

func TestWatcherFollowsEdits(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "mars.txt"), mars)
	lib, problems, err := briefings.Load(dir)
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	reloads := make(chan watch.Reload, 10)
	w := &watch.Watcher{Dir: dir, Debounce: 20 * time.Millisecond, OnReload: func(r watch.Reload) { reloads <- r }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx, lib) }()
	defer func() { cancel(); <-done }()
	time.Sleep(50 * time.Millisecond) // let the watcher start

	next := func(what string) watch.Reload {
		t.Helper()
		select {
		case r := <-reloads:
			return r
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no reload within 5s", what)
			return watch.Reload{}
		}
	}

	write(t, filepath.Join(dir, "venus.txt"), strings.ReplaceAll(mars, "Mars", "Venus"))
	r := next("new file")
	if risks(r.Library, "venus") != "Dust" {
		t.Errorf("new briefing not served after reload")
	}

	write(t, filepath.Join(dir, "mars.txt"), strings.ReplaceAll(mars, "Dust", "Radiation"))
	r = next("changed file")
	if got := risks(r.Library, "mars"); got != "Radiation" {
		t.Errorf("after edit, mars risks = %q, want Radiation", got)
	}

	write(t, filepath.Join(dir, "mars.txt"), "Mars\x00\x01\x02") // binary: broken
	r = next("broken edit")
	if len(r.Problems) != 1 || r.Problems[0].Path != filepath.Join(dir, "mars.txt") || r.Problems[0].Line < 1 {
		t.Errorf("broken edit problems = %v, want one naming mars.txt", r.Problems)
	}
	if got := risks(r.Library, "mars"); got != "Radiation" {
		t.Errorf("after a broken edit, mars risks = %q, want the last good version (Radiation)", got)
	}

	if err := os.Remove(filepath.Join(dir, "venus.txt")); err != nil {
		t.Fatal(err)
	}
	r = next("deleted file")
	if risks(r.Library, "venus") != "" {
		t.Errorf("deleted briefing still served")
	}
	if risks(r.Library, "mars") != "Radiation" {
		t.Errorf("deleting venus lost mars")
	}

	sub := filepath.Join(dir, "moons")
	os.Mkdir(sub, 0o755)
	write(t, filepath.Join(sub, "titan.txt"), strings.ReplaceAll(mars, "Mars", "Titan"))
	deadline := time.After(5 * time.Second)
	for risks(r.Library, "titan") == "" {
		select {
		case r = <-reloads:
		case <-deadline:
			t.Fatal("briefing in a new folder never loaded")
		}
	}
}
