package store_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/store"
)

// smallVolume mounts a tmpfs of size bytes for the test, or skips when it
// cannot (not root, no mount permission in a container).
func smallVolume(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// TestSQLiteSurvivesAFullVolume fills a small volume until the store's
// writes fail, frees the space, and expects the store to give back the
// space its write-ahead log grew into and to write again, without being
// reopened. Before the store checkpointed its log, the log kept growing
// into the freed space and every write failed until a restart.
func TestSQLiteSurvivesAFullVolume(t *testing.T) {
	dir := smallVolume(t, 2<<20)
	path := filepath.Join(dir, "briefbot.db")
	db, err := store.OpenWith(t.Context(), "sqlite:"+path, store.Options{CheckpointInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := t.Context()
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	n := 0
	write := func() error {
		n++
		_, err := db.MarkSeen(ctx, fmt.Sprintf("event-%06d-%s", n, strings.Repeat("x", 200)), now, time.Hour)
		return err
	}

	// Leave the store half a megabyte and write until it is gone.
	ballast := filepath.Join(dir, "ballast")
	fill(t, ballast, 1<<20+512<<10)
	var full error
	for range 100000 {
		if full = write(); full != nil {
			break
		}
	}
	if full == nil {
		t.Fatal("the volume never filled")
	}
	t.Logf("full after %d events: %v", n, full)

	// Space returns. The checkpointer truncates the log...
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	walEmpty := func() bool {
		st, err := os.Stat(path + "-wal")
		return err == nil && st.Size() == 0
	}
	waitFor(t, "the log truncated after space returned", walEmpty)
	// ...and writes go on, many times what the volume holds, as the
	// checkpointer gives the log's space back again and again.
	for i := range 300 {
		if err := write(); err != nil {
			t.Fatalf("write %d after space returned: %v", i, err)
		}
		if i%10 == 9 {
			waitFor(t, "the log truncated", walEmpty)
		}
	}
}

// waitFor polls cond until it holds, failing the test after 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			out, _ := exec.Command("sh", "-c", "ls -la "+filepath.Dir(t.TempDir())+"/*").CombinedOutput()
			t.Fatalf("waited 10s for %s\n%s", what, out)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func fill(t *testing.T, path string, size int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for n := 0; n < size; n += len(buf) {
		if _, err := f.Write(buf); err != nil {
			return // full already: fine, the point is to leave little
		}
	}
}
