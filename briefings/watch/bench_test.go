package watch_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/briefingstest"
	"github.com/briefbot/briefbot/briefings/watch"
)

// BenchmarkReloadOneFile10k edits one file of a 10,000-briefing library and
// reloads it, while queries run against whichever library is current. It
// reports the reload time per edit and the slowest single query seen.
func BenchmarkReloadOneFile10k(b *testing.B) {
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
	topics := lib.Topics()
	queries := make([][]string, 0, 64)
	for i := 0; i < len(topics) && len(queries) < 64; i += len(topics) / 64 {
		queries = append(queries, strings.Fields(topics[i].Key()))
	}

	var current atomic.Pointer[briefings.Library]
	current.Store(lib)
	stop := make(chan struct{})
	var (
		wg       sync.WaitGroup
		worstNs  atomic.Int64
		answered atomic.Int64
		lat      = make([]int64, 0, 1<<20)
	)
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			l := current.Load()
			if m, ok := l.Match(queries[i%len(queries)]); ok {
				m.Briefing.FindSection("risks")
			}
			d := time.Since(start).Nanoseconds()
			answered.Add(1)
			if len(lat) < cap(lat) {
				lat = append(lat, d)
			}
			for {
				w := worstNs.Load()
				if d <= w || worstNs.CompareAndSwap(w, d) {
					break
				}
			}
		}
	})

	b.ResetTimer()
	for i := range b.N {
		edited := bytes.Replace(original, []byte("."), []byte(" (edit "+string(rune('a'+i%26))+")."), 1)
		if err := os.WriteFile(target, edited, 0o644); err != nil {
			b.Fatal(err)
		}
		r := watch.Apply(current.Load(), []string{target})
		if r.Changed != 1 || len(r.Problems) > 0 {
			b.Fatalf("reload: changed %d, problems %v", r.Changed, r.Problems)
		}
		current.Store(r.Library)
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/reload")
	b.ReportMetric(float64(worstNs.Load())/1e3, "worst-query-µs")
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*999/1000])/1e3, "p999-query-µs")
		over := len(lat) - sort.Search(len(lat), func(i int) bool { return lat[i] > int64(time.Millisecond) })
		b.ReportMetric(float64(over), "queries>1ms")
	}
	b.ReportMetric(float64(answered.Load()), "queries")
	if got := current.Load().Len(); got != lib.Len() {
		b.Errorf("library has %d briefings after reloads, want %d", got, lib.Len())
	}
}
