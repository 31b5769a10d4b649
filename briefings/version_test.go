package briefings

import (
	"testing"
	"time"
)

func TestVersionHash(t *testing.T) {
	parse := func(path, text string, mod time.Time) *Briefing {
		t.Helper()
		b, problems := Parse(path, []byte(text), mod)
		if b == nil {
			t.Fatalf("parse %s: %v", path, problems)
		}
		return b
	}
	const text = "Kazakhstan\nJoins the accords.\n\nRisks & caveats\n- Backlash: from Iran-aligned groups.\n"
	a := parse("briefings/kazakhstan.txt", text, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	// A fresh checkout: another path, another modification time.
	checkout := parse("/srv/checkout/asia/kazakhstan.txt", text, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	if a.VersionHash() != checkout.VersionHash() {
		t.Errorf("the same text in a fresh checkout has another hash")
	}
	edited := parse("briefings/kazakhstan.txt", text+"- Symbolic: ties exist since 1992.\n", a.Date)
	if a.VersionHash() == edited.VersionHash() {
		t.Errorf("an added bullet kept the hash")
	}
	// Moving text between fields is a change, however the bytes line up.
	x := &Briefing{Title: "A", Lede: []Block{{Text: "bc"}}}
	y := &Briefing{Title: "Ab", Lede: []Block{{Text: "c"}}}
	if x.VersionHash() == y.VersionHash() {
		t.Errorf("field boundaries do not count")
	}
	p := &Briefing{Title: "A", Lede: []Block{{Text: "x", Bullet: true}}}
	q := &Briefing{Title: "A", Lede: []Block{{Text: "x"}}}
	if p.VersionHash() == q.VersionHash() {
		t.Errorf("a paragraph turned bullet kept the hash")
	}
}
