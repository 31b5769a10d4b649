package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/briefings"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		text string
		want []string // norms; "," for a separator, "@x" for a date after @
	}{
		{"what could go wrong in kazakhstan?", []string{"what", "could", "go", "wrong", "in", "kazakhstan"}},
		{"kazakhstan's risks", []string{"kazakhstan", "risks"}},
		{"what's new in kazakhstan", []string{"whats", "new", "in", "kazakhstan"}},
		{"Kazakhstan’s outlook!", []string{"kazakhstan", "outlook"}},
		{"risks, outlook", []string{"risks", ",", "outlook"}},
		{"outlook + risks", []string{"outlook", ",", "risks"}},
		{"risks/outlook", []string{"risks", ",", "outlook"}},
		{"risks & caveats", []string{"risks", ",", "caveats"}},
		{"kazakhstan @2025-11-07 risks", []string{"kazakhstan", "@2025-11-07", "risks"}},
		{"kazakhstan risks 2025-11", []string{"kazakhstan", "risks", "2025-11"}},
		{"U.S.-Iran ceasefire", []string{"u", "s", "iran", "ceasefire"}},
		{"Казахстан", []string{"казахстан"}},
		{"  ", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, tok := range tokenize(tt.text) {
			switch {
			case tok.at:
				got = append(got, "@"+tok.norm)
			case tok.sep():
				got = append(got, ",")
			default:
				got = append(got, tok.norm)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("tokenize(%q) (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestParseISODate(t *testing.T) {
	for s, want := range map[string]string{
		"2025":       "2025",
		"2025-11":    "November 2025",
		"2025-11-07": "2025-11-07",
	} {
		d, ok := parseISODate(s)
		if !ok || d.String() != want {
			t.Errorf("parseISODate(%q) = %v, %v; want %s", s, d, ok, want)
		}
	}
	for _, s := range []string{"1850", "2025-13", "2025-11-32", "20251", "2025-1-1-1", "abcd", "2025-", "12345"} {
		if d, ok := parseISODate(s); ok {
			t.Errorf("parseISODate(%q) = %v, want no date", s, d)
		}
	}
}

// testLibrary holds the topics that the whole kinds of question below
// need: countries one letter apart, names inside other places' names,
// topics sharing words, command words in titles, several versions.
func testLibrary(t testing.TB) *briefings.Library {
	t.Helper()
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	mk := func(topic, date string, aliases ...string) *briefings.Briefing {
		return &briefings.Briefing{
			Topic: topic, Title: topic, Aliases: aliases, Date: day(date), Path: briefings.Normalize(topic) + date + ".md",
			Lede: []briefings.Block{{Text: topic + " is in the news."}},
			Sections: []briefings.Section{
				{Heading: "What's new", Kind: briefings.KindNew, Blocks: []briefings.Block{{Bullet: true, Label: "Talks", Text: "Negotiators met in " + topic + "."}}},
				{Heading: "Risks", Kind: briefings.KindRisks, Blocks: []briefings.Block{{Bullet: true, Label: "Strategic balancing", Text: "Relations with neighbours are delicate."}, {Bullet: true, Text: "A formal signing ceremony may slip."}}},
				{Heading: "Outlook", Kind: briefings.KindOutlook, Blocks: []briefings.Block{{Text: "More talks are due."}}},
			},
		}
	}
	return briefings.NewLibrary([]*briefings.Briefing{
		mk("Iran", "2026-01-12"), mk("Iran", "2025-11-07"),
		mk("Gambia", "2026-01-01"), mk("Slovenia", "2026-01-01"), mk("Niger", "2026-01-01"),
		mk("South Sudan", "2026-01-01"), mk("South Korea", "2026-01-01", "Korea"),
		mk("Sahel security", "2026-01-01"), mk("Kazakhstan", "2025-11-07"),
		mk("Search engines and elections", "2026-01-01"), mk("Digest of rulings", "2026-01-01"),
		mk("Elections in Chile", "2026-01-01"), mk("Elections in Peru", "2026-01-01"),
	})
}

// TestUnderstanding checks what a question is taken to ask, for every
// kind of phrasing the grammar accepts.
func TestUnderstanding(t *testing.T) {
	b := New(Options{Library: testLibrary(t)})
	type want struct {
		kind     Kind
		topic    string
		sections []string
		date     string // footer date
		note     string // a note holding this
	}
	tests := []struct {
		query string
		want  want
	}{
		// The topic anywhere, filler ignored.
		{"what could go wrong in kazakhstan?", want{KindSection, "kazakhstan", []string{"Risks"}, "", ""}},
		{"risks kazakhstan", want{KindSection, "kazakhstan", []string{"Risks"}, "", ""}},
		{"brief me on kazakhstan", want{KindOverview, "kazakhstan", nil, "", ""}},
		{"latest on kazakhstan", want{KindOverview, "kazakhstan", nil, "", ""}},
		{"kazakhstan latest", want{KindSection, "kazakhstan", []string{"What's new"}, "", ""}},
		{"tell me about the risks in kazakhstan please", want{KindSection, "kazakhstan", []string{"Risks"}, "", ""}},
		// The longest name wins.
		{"south korea risks", want{KindSection, "south korea", []string{"Risks"}, "", ""}},
		{"korea risks", want{KindSection, "south korea", []string{"Risks"}, "", ""}},
		// Part of a name.
		{"sahel risks", want{KindSection, "sahel security", []string{"Risks"}, "", "Showing Sahel security"}},
		{"security in the sahel", want{KindOverview, "sahel security", nil, "", "Showing Sahel security"}},
		{"chile elections outlook", want{KindSection, "elections in chile", []string{"Outlook"}, "", "Showing Elections in Chile"}},
		{"elections risks", want{KindNotFound, "", nil, "", "Which one did you mean?"}},
		// Typos, safely.
		{"kazakstan risks", want{KindSection, "kazakhstan", []string{"Risks"}, "", `Showing Kazakhstan for "kazakstan"`}},
		{"kazakhtsan", want{KindOverview, "kazakhstan", nil, "", `"kazakhtsan"`}},
		{"kazakhstan risls", want{KindSection, "kazakhstan", []string{"Risks"}, "", `"risls"`}},
		{"kazakhstan outlok", want{KindSection, "kazakhstan", []string{"Outlook"}, "", `"outlok"`}},
		{"iraq risks", want{KindNotFound, "", nil, "", ""}},
		{"zambia", want{KindNotFound, "", nil, "", ""}},
		{"slovakia", want{KindNotFound, "", nil, "", ""}},
		{"nigeria", want{KindNotFound, "", nil, "", ""}},
		{"north korea risks", want{KindNotFound, "", nil, "", ""}},
		{"sudan", want{KindNotFound, "", nil, "", "Did you mean"}},
		// The word for a people stands for its place, with the same care.
		{"iranian risks", want{KindSection, "iran", []string{"Risks"}, "", `Showing Iran for "iranian"`}},
		{"north korean risks", want{KindNotFound, "", nil, "", ""}},
		{"sudanese risks", want{KindNotFound, "", nil, "", "Did you mean"}},
		// Several sections, in the briefing's order, the missing named.
		{"kazakhstan risks and outlook", want{KindSection, "kazakhstan", []string{"Risks", "Outlook"}, "", ""}},
		{"kazakhstan outlook + risks", want{KindSection, "kazakhstan", []string{"Risks", "Outlook"}, "", ""}},
		{"kazakhstan risks, outlook", want{KindSection, "kazakhstan", []string{"Risks", "Outlook"}, "", ""}},
		{"kazakhstan risks and background", want{KindSection, "kazakhstan", []string{"Risks"}, "", "no background section"}},
		{"kazakhstan risks and zebras", want{KindSection, "kazakhstan", []string{"Risks"}, "", `"zebras"`}},
		// Dates anywhere.
		{"iran risks @2025-11-07", want{KindSection, "iran", []string{"Risks"}, "2025-11-07", ""}},
		{"iran @2025-11 risks", want{KindSection, "iran", []string{"Risks"}, "2025-11-07", ""}},
		{"iran november risks", want{KindSection, "iran", []string{"Risks"}, "2025-11-07", ""}},
		{"iran risks jan 2026", want{KindSection, "iran", []string{"Risks"}, "2026-01-12", ""}},
		{"iran previous", want{KindOverview, "iran", nil, "2025-11-07", "previous"}},
		{"iran risks @2024", want{KindSection, "iran", []string{"Risks"}, "2025-11-07", "No Iran briefing is dated 2024"}},
		{"iran may risks", want{KindSection, "iran", []string{"Risks"}, "2026-01-12", ""}},
		// Passages and labels.
		{"kazakhstan strategic balancing", want{KindSection, "kazakhstan", []string{"Risks"}, "", ""}},
		{"kazakhstan signing ceremony", want{KindSection, "kazakhstan", []string{"Risks"}, "", "signing ceremony"}},
		{"kazakhstan negotiators", want{KindSection, "kazakhstan", []string{"What's new"}, "", "negotiators"}},
		{"kazakhstan zebras", want{KindNotFound, "kazakhstan", nil, "", `"zebras"`}},
		// Command words inside names.
		{"search engines and elections risks", want{KindSection, "search engines and elections", []string{"Risks"}, "", ""}},
		{"digest of rulings", want{KindOverview, "digest of rulings", nil, "", ""}},
		{"search iran", want{KindSearch, "", nil, "", ""}},
		// No topic at all.
		{"risks and outlook?", want{KindNotFound, "", nil, "", "Name a topic as well"}},
		// Versions and the whole briefing.
		{"iran versions", want{KindList, "iran", nil, "", ""}},
		{"iran previous versions", want{KindList, "iran", nil, "", ""}},
		{"older versions of iran", want{KindList, "iran", nil, "", ""}},
		{"everything about iran", want{KindFull, "iran", nil, "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := b.Handle(context.Background(), Request{Platform: Platform("cli"), Text: tt.query})
			var hs []string
			for _, s := range r.Sections {
				hs = append(hs, s.Heading)
			}
			if r.Kind != tt.want.kind || r.Topic != tt.want.topic {
				t.Fatalf("kind %q topic %q, want %q %q; notes %q", r.Kind, r.Topic, tt.want.kind, tt.want.topic, r.Notes)
			}
			if tt.want.kind == KindSection {
				if diff := cmp.Diff(tt.want.sections, hs); diff != "" {
					t.Errorf("sections (-want +got):\n%s", diff)
				}
			}
			if tt.want.date != "" && r.Footer.Date.Format(time.DateOnly) != tt.want.date {
				t.Errorf("version %s, want %s", r.Footer.Date.Format(time.DateOnly), tt.want.date)
			}
			if tt.want.note != "" && !strings.Contains(strings.Join(r.Notes, "\n"), tt.want.note) {
				t.Errorf("notes %q lack %q", r.Notes, tt.want.note)
			}
		})
	}
}

// TestEveryGuessSaysSo: a reply that guessed (part of a name, a typo, a
// section word corrected, a missing version) carries a note, and an
// exact question carries none.
func TestEveryGuessSaysSo(t *testing.T) {
	b := New(Options{Library: testLibrary(t)})
	for q, guessed := range map[string]bool{
		"kazakhstan risks":           false,
		"risks kazakhstan":           false,
		"sahel risks":                true,
		"kazakstan risks":            true,
		"kazakhstan risls":           true,
		"iran risks @2024":           true,
		"kazakhstan signing":         true,
		"kazakhstan risks and gold":  true,
		"kazakhstan risks and ahead": false,
		"kazakhstan may risks":       false,
	} {
		r := b.Handle(context.Background(), Request{Text: q})
		if got := len(r.Notes) > 0; got != guessed {
			t.Errorf("%q: notes %q; want a note: %v", q, r.Notes, guessed)
		}
	}
}

func FuzzQuestion(f *testing.F) {
	for _, s := range []string{"what could go wrong in kazakhstan?", "iran risks @2025-11", "kazakhstan risks, outlook + zebras",
		"iran jan 2026 previous version", "@", "@@2025", "sahel", "north korea", "search engines and elections", "7 november",
		"’s", "'s 's", "kazakhstan may 2025 7", ",,,+&/", "iran versions older"} {
		f.Add(s)
	}
	b := New(Options{Library: testLibrary(f)})
	f.Fuzz(func(t *testing.T, text string) {
		r := b.Handle(context.Background(), Request{Platform: Platform("cli"), Text: text})
		if r.Kind == KindError {
			t.Fatalf("%q: error reply %q", text, r.Notes)
		}
		if r.Title == "" && len(r.Notes) == 0 {
			t.Errorf("%q: reply without title or notes", text)
		}
		if (r.Kind == KindSection || r.Kind == KindOverview || r.Kind == KindFull) && r.Topic == "" {
			t.Errorf("%q: %s answer about no topic", text, r.Kind)
		}
	})
}

// TestIssueExamples asks, over the bundled samples, what people typed in
// the report that started this grammar, and checks the answer a person
// expects (the exit code follows: ask exits 0 for the answers, 1 for the
// not-found ones).
func TestIssueExamples(t *testing.T) {
	b := New(Options{})
	tests := []struct {
		query    string
		kind     Kind
		topic    string
		sections []string
		note     string
		contains string
	}{
		{"what could go wrong in kazakhstan?", KindSection, "kazakhstan", []string{"Risks & caveats"}, "", ""},
		{"risks kazakhstan", KindSection, "kazakhstan", []string{"Risks & caveats"}, "", ""},
		{"brief me on kazakhstan", KindOverview, "kazakhstan", []string{"In this briefing"}, "", ""},
		{"what's new in kazakhstan", KindSection, "kazakhstan", []string{"What’s new"}, "", ""},
		{"sahel risks", KindSection, "sahel security", []string{"Risks"}, "Showing Sahel security", ""},
		{"accords background", KindSection, "abraham accords", []string{"Background"}, "Showing Abraham Accords", ""},
		{"kazakhstan risls", KindSection, "kazakhstan", []string{"Risks & caveats"}, `"risls"`, ""},
		{"kazakhstan outlok", KindSection, "kazakhstan", []string{"Looking ahead"}, `"outlok"`, ""},
		{"kazakhstan risks and outlook", KindSection, "kazakhstan", []string{"Risks & caveats", "Looking ahead"}, "", ""},
		{"kazakhstan israel", KindSection, "kazakhstan", nil, `"israel"`, "Boost for Israel"},
		{"kazakhstan signing ceremony", KindSection, "kazakhstan", []string{"Looking ahead"}, "", "Formal signing ceremony"},
		{"kazakhstan risks @2026-01-10", KindSection, "kazakhstan", []string{"Risks & caveats"}, "No Kazakhstan briefing is dated 2026-01-10; showing the nearest, of 2025-11-07", ""},
		{"kazakhstan january risks", KindSection, "kazakhstan", []string{"Risks & caveats"}, "No Kazakhstan briefing is dated January", ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := b.Handle(context.Background(), Request{Platform: Platform("cli"), Text: tt.query})
			if r.Kind != tt.kind || r.Topic != tt.topic {
				t.Fatalf("kind %q topic %q, want %q %q; notes %q", r.Kind, r.Topic, tt.kind, tt.topic, r.Notes)
			}
			if tt.sections != nil {
				var hs []string
				for _, s := range r.Sections {
					hs = append(hs, s.Heading)
				}
				if diff := cmp.Diff(tt.sections, hs); diff != "" {
					t.Errorf("sections (-want +got):\n%s", diff)
				}
			}
			if tt.note != "" && !strings.Contains(strings.Join(r.Notes, "\n"), tt.note) {
				t.Errorf("notes %q lack %q", r.Notes, tt.note)
			}
			if tt.contains != "" {
				text := fmt.Sprintf("%+v", r) // every text of the reply, as any renderer shows it
				if !strings.Contains(text, tt.contains) {
					t.Errorf("answer lacks %q:\n%s", tt.contains, text)
				}
			}
		})
	}
	// In a library holding Iran and no briefing on Iraq, "iraq risks" gets
	// no answer at all; the topics whose titles begin with command words
	// are reachable.
	lib := testLibrary(t)
	withIran := New(Options{Library: lib})
	if r := withIran.Handle(context.Background(), Request{Text: "iraq risks"}); r.Kind != KindNotFound || r.Topic != "" || len(r.Suggestions) > 0 && r.Suggestions[0].Label == "Iran" {
		t.Errorf("iraq risks: %s about %q, suggestions %+v; want no answer and no Iran", r.Kind, r.Topic, r.Suggestions)
	}
	for q, topic := range map[string]string{"search engines and elections": "search engines and elections", "digest of rulings risks": "digest of rulings"} {
		if r := withIran.Handle(context.Background(), Request{Text: q}); r.Topic != topic {
			t.Errorf("%q: topic %q, want %q", q, r.Topic, topic)
		}
	}
}
