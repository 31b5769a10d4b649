package briefingstest_test

import (
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/briefingstest"
)

func TestGenerateParses(t *testing.T) {
	files := briefingstest.Generate(40, 7)
	again := briefingstest.Generate(40, 7)
	total := 0
	var bs []*briefings.Briefing
	for i, f := range files {
		if string(f.Data) != string(again[i].Data) {
			t.Fatalf("Generate is not deterministic for %s", f.Name)
		}
		total += len(f.Data)
		b, probs := briefings.Parse(f.Name, f.Data, time.Time{})
		if b == nil || len(probs) > 0 {
			t.Fatalf("%s: %v", f.Name, probs)
		}
		if len(b.Sections) != 4 || len(b.Lede) != 2 {
			t.Errorf("%s: %d sections, %d lede paragraphs; want 4 and 2", f.Name, len(b.Sections), len(b.Lede))
		}
		if _, ok := b.FindSection("risks"); !ok {
			t.Errorf("%s: no risks section", f.Name)
		}
		bs = append(bs, b)
	}
	if avg := total / len(files); avg < 2000 || avg > 4500 {
		t.Errorf("average size %d bytes, want about 3 KB", avg)
	}
	lib := briefings.NewLibrary(bs)
	if got := len(lib.Topics()); got != 36 {
		t.Errorf("%d topics, want 36 (every tenth file is a newer version)", got)
	}
}
