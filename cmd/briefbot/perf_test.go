package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/briefingstest"
)

// TestLoadColdAsk runs "briefbot ask" as a fresh process over 10,000
// generated briefings (about 3 KB each), beside a process that merely reads
// the same files, and prints wall times, their ratio and the answering
// process's peak resident memory against the corpus size.
// Run it with BRIEFBOT_LOADTEST=1.
func TestLoadColdAsk(t *testing.T) {
	if dir := os.Getenv("BRIEFBOT_TEST_READ_ALL"); dir != "" {
		readAll(t, dir)
		return
	}
	if os.Getenv("BRIEFBOT_LOADTEST") != "1" {
		t.Skip("set BRIEFBOT_LOADTEST=1 to run the cold-start measurement")
	}
	dir := t.TempDir()
	const n = 10_000
	if err := briefingstest.WriteGenerated(dir, n); err != nil {
		t.Fatal(err)
	}
	first := briefingstest.Generate(1, 1)[0]
	b, _ := briefings.Parse(first.Name, first.Data, time.Now())
	if b == nil {
		t.Fatal("generated briefing does not parse")
	}
	var corpus int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			info, _ := d.Info()
			corpus += info.Size()
		}
		return nil
	})

	run := func(env ...string) (time.Duration, int64) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLoadColdAsk$")
		cmd.Env = append(os.Environ(), env...)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		took := time.Since(start)
		if err != nil {
			t.Fatalf("%v: %v\n%s", env, err, out)
		}
		return took, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024
	}
	var asks, reads []time.Duration
	var rss int64
	for range 5 {
		d, _ := run("BRIEFBOT_TEST_READ_ALL=" + dir)
		reads = append(reads, d)
		d, r := run("BRIEFBOT_TEST_RUN_MAIN=1", "BRIEFBOT_TEST_ARGS=ask --briefings "+dir+" "+b.Key()+" risks")
		asks = append(asks, d)
		rss = max(rss, r)
	}
	slices.Sort(asks)
	slices.Sort(reads)
	ask, read := asks[len(asks)/2], reads[len(reads)/2]
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("cold ask over %d briefings (%.1f MB): median %s; merely reading the files: median %s; ratio %.2f; peak RSS %.1f MB = %.2fx the corpus; loadavg %s",
		n, float64(corpus)/1e6, ask.Round(time.Millisecond), read.Round(time.Millisecond), ask.Seconds()/read.Seconds(),
		float64(rss)/1e6, float64(rss)/float64(corpus), strings.TrimSpace(string(load)))
}

// readAll reads every file below dir, as the baseline of a cold load.
func readAll(t *testing.T, dir string) {
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			n += len(data)
		}
		return nil
	})
	if n == 0 {
		t.Fatal("read nothing")
	}
}
