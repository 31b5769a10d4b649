package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/briefingstest"
)

// BenchmarkPoll10k is one poll of an unchanged 10,000-briefing folder: the
// walk and one stat per file, what briefings.poll_interval costs each time.
func BenchmarkPoll10k(b *testing.B) {
	dir := b.TempDir()
	if err := briefingstest.WriteGenerated(dir, 10_000); err != nil {
		b.Fatal(err)
	}
	// Files written a moment ago are "racily clean" and would be hashed
	// again; a library at rest has older times.
	old := time.Now().Add(-time.Hour)
	if err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			err = os.Chtimes(p, old, old)
		}
		return err
	}); err != nil {
		b.Fatal(err)
	}
	lib, _, err := briefings.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	r := newRun(&Watcher{Dir: dir, PollInterval: time.Minute}, lib)
	if err := r.establish(ctx); err != nil {
		b.Fatal(err)
	}
	defer r.fw.Close()
	r.catchUp(ctx)
	if len(r.pending) > 0 {
		b.Fatalf("%d files pending after catching up", len(r.pending))
	}
	for b.Loop() {
		r.hashRacy = true
		if removed := r.scanChanges(ctx); len(removed)+len(r.settling) > 0 {
			b.Fatalf("an unchanged folder: %d removed, %d to read", len(removed), len(r.settling))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/poll")
}

// BenchmarkSettledReload10k is the path Run takes for one edited file in a
// 10,000-briefing library, the settle period itself left out: the event's
// stat, the settle check (stat and, on Linux, the writer check), the read,
// hash, parse and the new library.
func BenchmarkSettledReload10k(b *testing.B) {
	dir := b.TempDir()
	if err := briefingstest.WriteGenerated(dir, 10_000); err != nil {
		b.Fatal(err)
	}
	lib, _, err := briefings.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	files := briefingstest.Generate(10_000, 1)
	target := filepath.Join(dir, files[len(files)/2].Name)
	original, err := os.ReadFile(target)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var last Reload
	r := newRun(&Watcher{Dir: dir, OnReload: func(rl Reload) { last = rl }}, lib)
	if err := r.establish(ctx); err != nil {
		b.Fatal(err)
	}
	defer r.fw.Close()
	r.catchUp(ctx)
	clear(r.pending)
	i := 0
	for b.Loop() {
		i++
		edited := strings.Replace(string(original), ".", fmt.Sprintf(" (edit %d).", i), 1)
		if err := os.WriteFile(target, []byte(edited), 0o644); err != nil {
			b.Fatal(err)
		}
		r.pending[target] = true
		r.process(ctx)
		c := r.settling[target]
		c.due = time.Time{}
		r.settling[target] = c
		r.settleDue(ctx)
		if last.Changed != 1 || len(r.settling) > 0 {
			b.Fatalf("reload: changed %d, %d still settling", last.Changed, len(r.settling))
		}
		last = Reload{}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/reload")
}
