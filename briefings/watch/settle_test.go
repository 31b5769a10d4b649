package watch

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot/briefings"
)

// A file that grows after it was seen changing is not read until its size
// and modification time hold still; then its whole content is served.
func TestSettleWaitsForSizeAndTime(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mars.txt")
	full := "Mars :\nThe red planet.\nRisks\n- Radiation: A crew would need shielding.\n"
	if err := os.WriteFile(p, []byte("Mars :\nThe red planet.\nRisks\n- Dust: Storms.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lib, _, err := briefings.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var reloads []Reload
	r := newRun(&Watcher{Dir: dir, OnReload: func(rl Reload) { reloads = append(reloads, rl) }}, lib)
	ctx := context.Background()
	if err := r.establish(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.fw.Close()
	r.catchUp(ctx)

	// The writer has written half and closed the file for now.
	if err := os.WriteFile(p, []byte(full[:len(full)/2]), 0o644); err != nil {
		t.Fatal(err)
	}
	r.pending[p] = true
	r.process(ctx)
	if _, ok := r.settling[p]; !ok {
		t.Fatal("a changed file is not waiting to settle")
	}
	// More arrives before the settle period is over.
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(full[len(full)/2:]); err != nil {
		t.Fatal(err)
	}
	f.Close()
	due := func() {
		c := r.settling[p]
		c.due = c.due.Add(-r.settle)
		r.settling[p] = c
	}
	due()
	r.settleDue(ctx)
	if len(reloads) != 0 {
		t.Fatalf("a file that changed while settling was served: %d reloads", len(reloads))
	}
	if c, ok := r.settling[p]; !ok || c.size != int64(len(full)) {
		t.Fatalf("the grown file is not waiting again (%+v, %v)", c, ok)
	}
	due()
	r.settleDue(ctx)
	if len(reloads) != 1 {
		t.Fatalf("%d reloads once the file held still, want 1", len(reloads))
	}
	m, _ := reloads[0].Library.Match([]string{"mars"})
	if s, ok := m.Briefing.FindSection("risks"); !ok || s.Blocks[0].Label != "Radiation" {
		t.Errorf("served %+v, want the whole file", m.Briefing)
	}
}
