package bot_test

import (
	"context"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/briefingstest"
)

func BenchmarkHandle(b *testing.B) {
	core := bot.New(bot.Options{})
	ctx := context.Background()
	for _, q := range []string{"kazakhstan risks", "kazakhstan", "kazakstan risks", "search central asia", "zzqx",
		"what could go wrong in kazakhstan?", "sahel risks and outlook", "kazakhstan signing ceremony"} {
		b.Run(q, func(b *testing.B) {
			req := bot.Request{Platform: bot.Platform("slack"), Text: q}
			b.ReportAllocs()
			for b.Loop() {
				core.Handle(ctx, req)
			}
		})
	}
}

var (
	bigOnce sync.Once
	bigLib  *briefings.Library
)

// generatedLibrary parses 100,000 generated briefings in memory, once,
// with the search index built, as serve has it.
func generatedLibrary() *briefings.Library {
	bigOnce.Do(func() {
		files := briefingstest.Generate(100_000, 1)
		bs := make([]*briefings.Briefing, len(files))
		var wg sync.WaitGroup
		workers := runtime.NumCPU()
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(files); i += workers {
					bs[i], _ = briefings.Parse(files[i].Name, files[i].Data, briefings.DefaultDate)
				}
			}()
		}
		wg.Wait()
		bigLib = briefings.NewLibrary(bs)
		bigLib.PrepareSearch()
	})
	return bigLib
}

// BenchmarkHandle100k measures the core's whole reply at 100,000
// briefings for each way of asking the grammar accepts, reporting the
// median and 99th percentile of single replies; "mix" interleaves them
// all, over 256 different topics.
func BenchmarkHandle100k(b *testing.B) {
	lib := generatedLibrary()
	core := bot.New(bot.Options{Library: lib})
	ctx := context.Background()
	topics := lib.Topics()
	forms := []struct {
		name string
		q    func(t *briefings.Briefing) string
	}{
		{"exact", func(t *briefings.Briefing) string { return t.Topic + " risks" }},
		{"filler", func(t *briefings.Briefing) string { return "what could go wrong in " + t.Topic + "?" }},
		{"sections", func(t *briefings.Briefing) string { return t.Topic + " risks and outlook" }},
		{"date", func(t *briefings.Briefing) string { return t.Topic + " risks @" + t.Date.Format("2006-01") }},
		{"month", func(t *briefings.Briefing) string { return t.Topic + " " + t.Date.Format("January 2006") + " risks" }},
		{"passage", func(t *briefings.Briefing) string { return t.Topic + " " + passageWords(t) }},
		{"no-such-passage", func(t *briefings.Briefing) string { return t.Topic + " zebras" }},
		{"label", func(t *briefings.Briefing) string { return t.Topic + " fiscal pressure" }},
		{"section-typo", func(t *briefings.Briefing) string { return t.Topic + " risls" }},
		{"topic-typo", func(t *briefings.Briefing) string { return typo(t.Topic) + " risks" }},
		{"partial", func(t *briefings.Briefing) string { return "risks " + partialName(t.Topic) }},
		{"place-not-covered", func(*briefings.Briefing) string { return "iraq risks" }},
	}
	queries := func(f func(*briefings.Briefing) string) []string {
		out := make([]string, 256)
		for i := range out {
			out[i] = f(topics[(i*7919)%len(topics)])
		}
		return out
	}
	run := func(b *testing.B, qs []string) {
		lat := make([]time.Duration, 0, 1<<14)
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			req := bot.Request{Platform: bot.Platform("slack"), Text: qs[i%len(qs)]}
			start := time.Now()
			core.Handle(ctx, req)
			if len(lat) < cap(lat) {
				lat = append(lat, time.Since(start))
			}
			i++
		}
		reportLatency(b, lat)
	}
	var mix []string
	for _, f := range forms {
		qs := queries(f.q)
		mix = append(mix, qs[:32]...)
		b.Run(f.name, func(b *testing.B) { run(b, qs) })
	}
	b.Run("mix", func(b *testing.B) { run(b, mix) })
}

// passageWords are two words from the middle of the briefing's first
// section, as someone who half remembers a passage would type them.
func passageWords(t *briefings.Briefing) string {
	for _, s := range t.Sections {
		for _, bl := range s.Blocks {
			if w := strings.Fields(bl.Text); len(w) > 4 {
				return strings.Trim(w[2]+" "+w[3], ".,;")
			}
		}
	}
	return "ministry"
}

// typo swaps two letters in the middle of the topic's first word.
func typo(topic string) string {
	r := []rune(topic)
	if len(r) > 4 {
		r[2], r[3] = r[3], r[2]
	}
	return string(r)
}

// partialName drops the first word of a topic ("grid reform 42").
func partialName(topic string) string {
	for i, c := range topic {
		if c == ' ' {
			return topic[i+1:]
		}
	}
	return topic
}

func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "median-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1000, "p99-µs")
}

// TestBenchQueriesAnswer keeps the benchmark honest: every form it times
// gets the answer it stands for, on a small generated library.
func TestBenchQueriesAnswer(t *testing.T) {
	var bs []*briefings.Briefing
	for _, f := range briefingstest.Generate(200, 1) {
		b, err := briefings.Parse(f.Name, f.Data, briefings.DefaultDate)
		if err != nil {
			t.Fatal(err)
		}
		bs = append(bs, b)
	}
	lib := briefings.NewLibrary(bs)
	core := bot.New(bot.Options{Library: lib})
	t0 := lib.Topics()[17]
	for q, kind := range map[string]bot.Kind{
		t0.Topic + " risks":                               bot.KindSection,
		"what could go wrong in " + t0.Topic:              bot.KindSection,
		t0.Topic + " risks and outlook":                   bot.KindSection,
		t0.Topic + " risks @" + t0.Date.Format("2006-01"): bot.KindSection,
		t0.Topic + " privatisation plan":                  bot.KindSection,
		t0.Topic + " risls":                               bot.KindSection,
		typo(t0.Topic) + " risks":                         bot.KindSection,
		"risks " + partialName(t0.Topic):                  bot.KindSection,
		"iraq risks":                                      bot.KindNotFound,
	} {
		r := core.Handle(context.Background(), bot.Request{Text: q})
		if r.Kind != kind || (kind == bot.KindSection && r.Topic != t0.Key()) {
			t.Errorf("%q: %s about %q, want %s about %q; notes %q", q, r.Kind, r.Topic, kind, t0.Key(), r.Notes)
		}
	}
}
