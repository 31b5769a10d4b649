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
	run := func(args ...string) (wall, cpu time.Duration, rss int64) {
		out, err := exec.Command(measure, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if _, err := fmt.Sscanf(lines[len(lines)-1], "measure: %d ns %d ns %d bytes", &wall, &cpu, &rss); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return wall, cpu, rss
	}
	var asks, reads, askCPU, readCPU []time.Duration
	var rss, readRSS int64
	for range 9 {
		w, c, r := run(readall, dir)
		reads, readCPU = append(reads, w), append(readCPU, c)
		readRSS = max(readRSS, r)
		w, c, r = run(briefbot, "ask", "--briefings", dir, topic, "risks")
		asks, askCPU = append(asks, w), append(askCPU, c)
		rss = max(rss, r)
	}
	median := func(ds []time.Duration) time.Duration {
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	ask, read := median(asks), median(reads)
	cpuAsk, cpuRead := median(askCPU), median(readCPU)
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("cold ask over %d Markdown briefings (%.1f MB), 9 runs alternating with a minimal reader (os.ReadFile of each file): "+
		"wall median %s vs %s, ratio %.2f (fastest %s vs %s); CPU median %s vs %s, ratio %.2f; "+
		"peak RSS %.1f MB = %.2fx the corpus (reader: %.1f MB); loadavg %s",
		n, float64(corpus)/1e6, ask.Round(time.Millisecond), read.Round(time.Millisecond), ask.Seconds()/read.Seconds(),
		asks[0].Round(time.Millisecond), reads[0].Round(time.Millisecond),
		cpuAsk.Round(time.Millisecond), cpuRead.Round(time.Millisecond), cpuAsk.Seconds()/cpuRead.Seconds(),
		float64(rss)/1e6, float64(rss)/float64(corpus), float64(readRSS)/1e6, strings.TrimSpace(string(load)))
}
