package briefings

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings/briefingstest"
)

func benchFiles(ext string) [][]byte {
	var out [][]byte
	for _, f := range briefingstest.Generate(200, 3) {
		if strings.HasSuffix(f.Name, ext) {
			out = append(out, f.Data)
		}
	}
	return out
}

func benchParse(b *testing.B, name string, files [][]byte) {
	total := 0
	for _, f := range files {
		total += len(f)
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for b.Loop() {
		for _, f := range files {
			if br, _ := Parse(name, f, DefaultDate); br == nil {
				b.Fatal("parse failed")
			}
		}
	}
}

func BenchmarkParseText(b *testing.B)     { benchParse(b, "x.txt", benchFiles(".txt")) }
func BenchmarkParseMarkdown(b *testing.B) { benchParse(b, "x.md", benchFiles(".md")) }

func BenchmarkParseCRS(b *testing.B) {
	dir := crsDir(b)
	var files [][]byte
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".md") && !strings.HasSuffix(p, "README.md") {
			data, _ := os.ReadFile(p)
			files = append(files, data)
		}
		return nil
	})
	benchParse(b, "x.md", files)
}

var (
	loadDirOnce sync.Once
	loadDir     string
	loadBytes   int64
)

// generatedDir writes 10,000 briefings once per test binary.
func generatedDir(b *testing.B) string {
	loadDirOnce.Do(func() {
		dir, err := os.MkdirTemp("", "briefbench")
		if err != nil {
			b.Fatal(err)
		}
		if err := briefingstest.WriteGenerated(dir, 10000); err != nil {
			b.Fatal(err)
		}
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				info, _ := d.Info()
				loadBytes += info.Size()
			}
			return nil
		})
		loadDir = dir
	})
	return loadDir
}

// BenchmarkLoad10k is a cold Load: parsing and look-up tables. The search
// index is built on first use (see BenchmarkLoadIndexed10k).
func BenchmarkLoad10k(b *testing.B) {
	dir := generatedDir(b)
	b.SetBytes(loadBytes)
	b.ResetTimer()
	var lib *Library
	cpu := processCPU()
	for b.Loop() {
		var err error
		lib, _, err = Load(dir)
		if err != nil || lib.Len() != 10000 {
			b.Fatalf("Load: %v, %d briefings", err, lib.Len())
		}
	}
	b.StopTimer()
	reportCPU(b, processCPU()-cpu)
	lib = nil
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	lib, _, _ = Load(dir)
	lib.PrepareSearch() // memory counts the whole library, index included
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapInuse) - float64(before.HeapInuse)
	b.ReportMetric(heap/(1<<20), "lib-heap-MB")
	b.ReportMetric(heap/float64(loadBytes), "heap/corpus")
	runtime.KeepAlive(lib)
}

// BenchmarkLoadIndexed10k is Load followed by building the search index,
// what a server does at start.
func BenchmarkLoadIndexed10k(b *testing.B) {
	dir := generatedDir(b)
	b.SetBytes(loadBytes)
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		lib, _, err := Load(dir)
		if err != nil || lib.Len() != 10000 {
			b.Fatalf("Load: %v", err)
		}
		lib.PrepareSearch()
	}
	b.StopTimer()
	reportCPU(b, processCPU()-cpu)
}

// BenchmarkReadFiles10k is the baseline for BenchmarkLoad10k: walking the
// same folder and reading every file, nothing more.
func BenchmarkReadFiles10k(b *testing.B) {
	dir := generatedDir(b)
	b.SetBytes(loadBytes)
	b.ResetTimer()
	cpu := processCPU()
	defer func() { reportCPU(b, processCPU()-cpu) }()
	for b.Loop() {
		n := 0
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			n += len(data)
			return err
		})
		if err != nil || int64(n) != loadBytes {
			b.Fatal(err)
		}
	}
}

// reportCPU reports the process CPU time (all threads, user and system)
// per operation: on a shared machine it tells the work done from the
// waiting for a turn on a CPU, which wall time mixes in.
func reportCPU(b *testing.B, cpu time.Duration) {
	if cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}

var (
	libMu  sync.Mutex
	libByN = map[int]*Library{}
)

// generatedLibrary parses n generated briefings in memory, once per size.
func generatedLibrary(b *testing.B, n int) *Library {
	libMu.Lock()
	defer libMu.Unlock()
	if l := libByN[n]; l != nil {
		return l
	}
	files := briefingstest.Generate(n, 1)
	bs := make([]*Briefing, len(files))
	var wg sync.WaitGroup
	workers := runtime.NumCPU()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(files); i += workers {
				bs[i], _ = Parse(files[i].Name, files[i].Data, DefaultDate)
			}
		}(w)
	}
	wg.Wait()
	l := NewLibrary(bs)
	l.PrepareSearch()
	libByN[n] = l
	return l
}

// answer is what the bot does for "/brief <topic> <section>".
func answer(l *Library, words []string) bool {
	m, ok := l.Match(words)
	if !ok {
		return false
	}
	_, ok = m.Briefing.FindSection(strings.Join(words[m.Words:], " "))
	return ok
}

func benchAnswer(b *testing.B, n int) {
	l := generatedLibrary(b, n)
	topics := l.Topics()
	queries := make([][]string, 0, 256)
	sections := []string{"risks", "what to watch", "why it matters", "latest"}
	for i := 0; i < 256; i++ {
		t := topics[(i*7919)%len(topics)]
		queries = append(queries, strings.Fields(t.Topic+" "+sections[i%len(sections)]))
	}
	lat := make([]time.Duration, 0, 4096)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		start := time.Now()
		if !answer(l, queries[i%len(queries)]) {
			b.Fatalf("no answer for %q", queries[i%len(queries)])
		}
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(start))
		}
		i++
	}
	reportMedian(b, lat)
}

func reportMedian(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "median-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1000, "p99-µs")
}

func BenchmarkAnswer10k(b *testing.B)  { benchAnswer(b, 10000) }
func BenchmarkAnswer100k(b *testing.B) { benchAnswer(b, 100000) }

func benchSearch(b *testing.B, n int) {
	l := generatedLibrary(b, n)
	queries := []string{"port expansion risks", "central bank reserve requirements", "farmers protests capital",
		"Andoria grid reform", "supply contract creditors", "treaty"}
	lat := make([]time.Duration, 0, 4096)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		start := time.Now()
		if hits := l.Search(queries[i%len(queries)], 10); len(hits) == 0 {
			b.Fatal("no hits")
		}
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(start))
		}
		i++
	}
	reportMedian(b, lat)
}

func BenchmarkSearch10k(b *testing.B)  { benchSearch(b, 10000) }
func BenchmarkSearch100k(b *testing.B) { benchSearch(b, 100000) }

func BenchmarkComplete100k(b *testing.B) {
	l := generatedLibrary(b, 100000)
	prefixes := []string{"a", "and", "kelmar", "Zeph", "T0", "t012", "port", "andoria grid re"}
	lat := make([]time.Duration, 0, 4096)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		p := prefixes[i%len(prefixes)]
		start := time.Now()
		if got := l.Complete(p, 25); len(got) == 0 {
			b.Fatalf("no completion for %q", p)
		}
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(start))
		}
		i++
	}
	reportMedian(b, lat)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if loadDir != "" {
		os.RemoveAll(loadDir)
	}
	os.Exit(code)
}

// BenchmarkWith10k is the hot-reload step: one edited file in a library of
// 10,000 briefings.
func BenchmarkWith10k(b *testing.B) {
	l := generatedLibrary(b, 10000)
	files := briefingstest.Generate(10000, 1)
	f := files[4242]
	data := append([]byte(nil), f.Data...)
	data = append(data, "\n- Edited: a new line about the treaty.\n"...)
	changed, _ := Parse(f.Name, data, DefaultDate)
	if changed == nil {
		b.Fatal("parse failed")
	}
	lat := make([]time.Duration, 0, 4096)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		nl := l.With([]*Briefing{changed}, nil)
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(start))
		}
		if nl.Len() != l.Len() {
			b.Fatalf("Len %d, want %d", nl.Len(), l.Len())
		}
	}
	reportMedian(b, lat)
}
