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
	ready := make(chan struct{})
	w := &watch.Watcher{Dir: dir, Debounce: 20 * time.Millisecond, OnReload: func(r watch.Reload) { reloads <- r }, Ready: func() { close(ready) }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx, lib) }()
	defer func() { cancel(); <-done }()
	<-ready

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

// Files written between the load and the start of the watch are not lost.
func TestWatcherCatchesUpAtStart(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "mars.txt"), mars)
	write(t, filepath.Join(dir, "old.txt"), strings.ReplaceAll(mars, "Mars", "Pluto"))
	since := time.Now()
	lib, _, err := briefings.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "venus.txt"), strings.ReplaceAll(mars, "Mars", "Venus"))
	os.Remove(filepath.Join(dir, "old.txt"))
	reloads := make(chan watch.Reload, 1)
	w := &watch.Watcher{Dir: dir, Since: since, OnReload: func(r watch.Reload) { reloads <- r }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx, lib)
	select {
	case r := <-reloads:
		if risks(r.Library, "venus") != "Dust" || risks(r.Library, "pluto") != "" || risks(r.Library, "mars") != "Dust" {
			t.Errorf("after catching up: venus %q, pluto %q, mars %q", risks(r.Library, "venus"), risks(r.Library, "pluto"), risks(r.Library, "mars"))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no catch-up reload")
	}
}

// Editing the aliases file gives topics their new names without a restart.
func TestWatcherReloadsAliases(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "mars.txt"), mars)
	lib, _, err := briefings.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	reloads := make(chan watch.Reload, 4)
	w := &watch.Watcher{Dir: dir, Debounce: 20 * time.Millisecond, Ready: func() { close(ready) }, OnReload: func(r watch.Reload) { reloads <- r }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx, lib)
	<-ready
	write(t, filepath.Join(dir, briefings.AliasesFile), "mars: [Марс, red planet]\n")
	select {
	case r := <-reloads:
		if risks(r.Library, "марс") != "Dust" || risks(r.Library, "red planet") != "Dust" {
			t.Errorf("aliases not applied after reload")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no reload after editing the aliases file")
	}
}
