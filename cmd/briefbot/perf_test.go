package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/briefingstest"
)

// TestLoadColdAsk runs "briefbot ask" (the built command) as a fresh
// process over 10,000 generated Markdown briefings (about 3 KB each),
// alternating with a minimal Go program that reads every file with
// os.ReadFile (testdata/readall), built in the same run, and prints their
// median wall times, the ratio, and the answering process's peak resident
// memory against the corpus size. The ratio is the one the issue sets:
// cold ask within 2x the minimal reader, peak RSS under 2x the corpus. Run it with BRIEFBOT_LOADTEST=1.
func TestLoadColdAsk(t *testing.T) {
	if os.Getenv("BRIEFBOT_LOADTEST") != "1" {
		t.Skip("set BRIEFBOT_LOADTEST=1 to run the cold-start measurement")
	}
	tmp := t.TempDir()
	briefbot, readall, measure := filepath.Join(tmp, "briefbot"), filepath.Join(tmp, "readall"), filepath.Join(tmp, "measure")
	for bin, pkg := range map[string]string{briefbot: ".", readall: "./testdata/readall", measure: "./testdata/measure"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}

	// The generator alternates plain text and Markdown; keep the Markdown.
	dir := filepath.Join(tmp, "briefings")
	const n = 10_000
	var corpus int64
	var topic string
	for _, f := range briefingstest.Generate(2*n, 1) {
		if filepath.Ext(f.Name) != ".md" {
			continue
		}
		if topic == "" {
			b, problems := briefings.Parse(f.Name, f.Data, time.Now())
			if b == nil {
				t.Fatalf("generated briefing does not parse: %v", problems)
			}
			topic = b.Key()
		}
		p := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		corpus += int64(len(f.Data))
	}

	// Each process is started by testdata/measure, which reports its wall
	// time and peak memory.
	run := func(args ...string) (time.Duration, int64) {
		out, err := exec.Command(measure, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		var ns, rss int64
		if _, err := fmt.Sscanf(lines[len(lines)-1], "measure: %d ns %d bytes", &ns, &rss); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return time.Duration(ns), rss
	}
	var asks, reads []time.Duration
	var rss, readRSS int64
	for range 7 {
		d, r := run(readall, dir)
		reads = append(reads, d)
		readRSS = max(readRSS, r)
		d, r = run(briefbot, "ask", "--briefings", dir, topic, "risks")
		asks = append(asks, d)
		rss = max(rss, r)
	}
	slices.Sort(asks)
	slices.Sort(reads)
	ask, read := asks[len(asks)/2], reads[len(reads)/2]
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("cold ask over %d Markdown briefings (%.1f MB): median %s; minimal reader (os.ReadFile of each): median %s; ratio %.2f; "+
		"peak RSS %.1f MB = %.2fx the corpus (reader: %.1f MB); loadavg %s",
		n, float64(corpus)/1e6, ask.Round(time.Millisecond), read.Round(time.Millisecond), ask.Seconds()/read.Seconds(),
		float64(rss)/1e6, float64(rss)/float64(corpus), float64(readRSS)/1e6, strings.TrimSpace(string(load)))
}
