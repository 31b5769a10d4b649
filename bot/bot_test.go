package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/briefings"
)

func ask(t *testing.T, b *bot.Bot, text string) bot.Reply {
	t.Helper()
	return b.Handle(context.Background(), bot.Request{Platform: bot.Platform("cli"), Text: text})
}

func headings(r bot.Reply) []string {
	var hs []string
	for _, s := range r.Sections {
		hs = append(hs, s.Heading)
	}
	return hs
}

func TestSeedSections(t *testing.T) {
	b := bot.New(bot.Options{})
	tests := []struct {
		query   string
		heading string
	}{
		{"kazakhstan risks", "Risks & caveats"},
		{"Kazakhstan RISKS", "Risks & caveats"},
		{"kazakhstan caveats", "Risks & caveats"},
		{"kazakhstan downside", "Risks & caveats"},
		{"kazakhstan looking ahead", "Looking ahead"},
		{"kazakhstan what to watch", "Looking ahead"},
		{"kazakhstan outlook", "Looking ahead"},
		{"kazakhstan why it matters", "Strategic significance"},
		{"kazakhstan significance", "Strategic significance"},
		{"kazakhstan what's new", "What’s new"},
		{"kazakhstan latest", "What’s new"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := ask(t, b, tt.query)
			if r.Kind != bot.KindSection {
				t.Fatalf("kind = %q, want section; notes %q", r.Kind, r.Notes)
			}
			if diff := cmp.Diff([]string{tt.heading}, headings(r)); diff != "" {
				t.Errorf("sections (-want +got):\n%s", diff)
			}
			if r.Title != "Kazakhstan" {
				t.Errorf("title = %q, want Kazakhstan", r.Title)
			}
		})
	}
}

func TestRisksHoldsOnlyRisks(t *testing.T) {
	r := ask(t, bot.New(bot.Options{}), "kazakhstan risks")
	want := []bot.Block{
		{Bullet: true, Label: "Domestic and regional backlash", Text: "Some Muslim-majority countries, and Iran-aligned groups, may view normalisation with Israel skeptically or hostilely."},
		{Bullet: true, Label: "Symbolic vs substantive", Text: "Since Kazakhstan already had ties with Israel, critics view the step as largely gestural; the depth of cooperation moving forward will be telling."},
		{Bullet: true, Label: "Strategic balancing", Text: "Kazakhstan will need to manage relations with Russia and China carefully as it expands ties westwards."},
	}
	if len(r.Sections) != 1 {
		t.Fatalf("got %d sections, want 1", len(r.Sections))
	}
	if diff := cmp.Diff(want, r.Sections[0].Blocks); diff != "" {
		t.Errorf("risks blocks (-want +got):\n%s", diff)
	}
	if len(r.Lede) != 0 {
		t.Errorf("a section answer carries the lede: %q", r.Lede)
	}
	var labels []string
	for _, s := range r.Suggestions {
		labels = append(labels, s.Label)
	}
	if diff := cmp.Diff([]string{"Overview", "What’s new", "Strategic significance", "Looking ahead"}, labels); diff != "" {
		t.Errorf("suggestions (-want +got):\n%s", diff)
	}
	// Every suggestion leads to the section it names.
	b := bot.New(bot.Options{})
	for _, s := range r.Suggestions[1:] {
		got := ask(t, b, s.Query)
		if diff := cmp.Diff([]string{s.Label}, headings(got)); diff != "" {
			t.Errorf("suggestion %q (query %q) leads elsewhere: %s", s.Label, s.Query, diff)
		}
	}
}

func TestOverviewAndAll(t *testing.T) {
	b := bot.New(bot.Options{})
	r := ask(t, b, "kazakhstan")
	if r.Kind != bot.KindOverview || len(r.Lede) != 2 {
		t.Fatalf("overview: kind %q, %d lede paragraphs; want overview with 2", r.Kind, len(r.Lede))
	}
	if !strings.HasPrefix(r.Lede[0], "In a landmark diplomatic shift") {
		t.Errorf("lede starts %q", r.Lede[0])
	}
	if r.Footer.Source == "" || r.Footer.Date.IsZero() {
		t.Errorf("overview footer lacks source or date: %+v", r.Footer)
	}
	var names []string
	for _, bl := range r.Sections[0].Blocks {
		names = append(names, bl.Text)
	}
	if diff := cmp.Diff([]string{"What’s new", "Strategic significance", "Risks & caveats", "Looking ahead"}, names); diff != "" {
		t.Errorf("overview section names (-want +got):\n%s", diff)
	}

	all := ask(t, b, "kazakhstan all")
	if all.Kind != bot.KindFull || len(all.Sections) != 4 || len(all.Lede) != 2 {
		t.Errorf("all: kind %q, sections %q, lede %d", all.Kind, headings(all), len(all.Lede))
	}
}

func TestTypoIsCorrectedWithNote(t *testing.T) {
	r := ask(t, bot.New(bot.Options{}), "kazakstan risks")
	if r.Kind != bot.KindSection || !r.Corrected {
		t.Fatalf("kind %q corrected %v, want a corrected section answer", r.Kind, r.Corrected)
	}
	if len(r.Notes) == 0 || !strings.Contains(r.Notes[0], "kazakstan") || !strings.Contains(r.Notes[0], "Kazakhstan") {
		t.Errorf("notes = %q, want one naming both spellings", r.Notes)
	}
	if bot.Outcome(r) != "corrected" {
		t.Errorf("outcome = %q", bot.Outcome(r))
	}
}

func TestNeverEmpty(t *testing.T) {
	b := bot.New(bot.Options{})
	for _, q := range []string{"", "help", "list", "topics", "search", "search israel", "zzqx", "xylophone quartet", "kazakhstan zebras", "search zzqxv", "@", "kazakhstan @1999-01-01", "kazakhstan versions"} {
		r := ask(t, b, q)
		if r.Title == "" {
			t.Errorf("%q: reply has no title", q)
		}
		if len(r.Notes)+len(r.Lede)+len(r.Sections)+len(r.Items)+len(r.Suggestions) == 0 {
			t.Errorf("%q: empty reply %+v", q, r)
		}
	}
}

func TestUnknownGetsSuggestions(t *testing.T) {
	b := bot.New(bot.Options{})
	r := ask(t, b, "qqqq zzzz")
	if r.Kind != bot.KindNotFound {
		t.Fatalf("kind = %q, want not_found", r.Kind)
	}
	if len(r.Suggestions) == 0 {
		t.Errorf("no suggestions for an unknown query")
	}

	r = ask(t, b, "kazakhstan zebras")
	if r.Kind != bot.KindNotFound || len(r.Suggestions) < 4 {
		t.Errorf("unknown section: kind %q, %d suggestions; want not_found with the sections", r.Kind, len(r.Suggestions))
	}
}

func TestHelpAndList(t *testing.T) {
	b := bot.New(bot.Options{Command: "/brief"})
	h := ask(t, b, "")
	if h.Kind != bot.KindHelp {
		t.Fatalf("kind %q", h.Kind)
	}
	text := fmt.Sprintf("%+v", h) // every text of the reply, as any renderer shows it
	for _, want := range []string{"/brief <topic> <section>", "/brief search <words>", "Kazakhstan"} {
		if !strings.Contains(text, want) {
			t.Errorf("help lacks %q:\n%s", want, text)
		}
	}

	l := ask(t, b, "list")
	if l.Kind != bot.KindList || len(l.Items) != bot.New(bot.Options{}).Library().Len() && len(l.Items) == 0 {
		t.Fatalf("list: kind %q, %d items", l.Kind, len(l.Items))
	}
	found := false
	for _, it := range l.Items {
		if it.Title == "Kazakhstan" {
			found = true
			if it.Text == "" || it.Date.IsZero() || it.Query != "kazakhstan" {
				t.Errorf("kazakhstan list item incomplete: %+v", it)
			}
		}
	}
	if !found {
		t.Errorf("list lacks Kazakhstan: %+v", l.Items)
	}
}

func TestSearch(t *testing.T) {
	r := ask(t, bot.New(bot.Options{}), "search Central Asia")
	if r.Kind != bot.KindSearch || len(r.Items) == 0 {
		t.Fatalf("kind %q, %d items", r.Kind, len(r.Items))
	}
	found := false
	for _, it := range r.Items {
		if strings.HasPrefix(it.Title, "Kazakhstan") {
			found = true
			if it.Text == "" || !strings.HasPrefix(it.Query, "kazakhstan") {
				t.Errorf("hit lacks snippet or query: %+v", it)
			}
		}
	}
	if !found {
		t.Errorf("hits %+v lack the Kazakhstan briefing", r.Items)
	}
}

func TestSetLibrary(t *testing.T) {
	lib := briefings.NewLibrary([]*briefings.Briefing{{
		Topic: "Mars", Title: "Mars", Path: "mars.txt", Line: 1,
		Lede:     []briefings.Block{{Text: "The red planet.", Line: 2}},
		Sections: []briefings.Section{{Heading: "Risks", Kind: briefings.KindRisks, Line: 3, Blocks: []briefings.Block{{Bullet: true, Label: "Dust", Text: "Storms.", Line: 4}}}},
	}})
	b := bot.New(bot.Options{})
	b.SetLibrary(lib)
	r := ask(t, b, "mars risks")
	if r.Kind != bot.KindSection || r.Sections[0].Blocks[0].Label != "Dust" {
		t.Errorf("after SetLibrary: %+v", r)
	}
	if r := ask(t, b, "kazakhstan"); r.Kind == bot.KindOverview {
		t.Errorf("old library still answers")
	}
}

func TestComplete(t *testing.T) {
	b := bot.New(bot.Options{})
	ctx := context.Background()
	got := b.Complete(ctx, "kaz", 25)
	if len(got) == 0 || got[0].Query != "kazakhstan" {
		t.Fatalf("Complete(kaz) = %+v, want Kazakhstan first", got)
	}
	got = b.Complete(ctx, "kazakhstan ri", 25)
	if len(got) != 1 || got[0].Query != "kazakhstan risks" || got[0].Label != "Kazakhstan — Risks & caveats" {
		t.Errorf("Complete(kazakhstan ri) = %+v", got)
	}
	if got := b.Complete(ctx, "", 3); len(got) != 3 {
		t.Errorf("Complete('') gave %d, want 3", len(got))
	}
}

func FuzzHandle(f *testing.F) {
	for _, s := range []string{"", "kazakhstan risks", "search x", "list", "kazakstan", "@", "a b c d e f", "Казахстан",
		"subscribe weekly monday", "subscribe daily 08:00 Asia/Almaty red sea", "unsubscribe x", "subscriptions", "digest"} {
		f.Add(s)
	}
	// With a store and manage rights, the subscription commands are fuzzed too.
	b := bot.New(bot.Options{Store: bottest.NewStore()})
	f.Fuzz(func(t *testing.T, text string) {
		r := b.Handle(context.Background(), bot.Request{Platform: bot.Platform("slack"), Channel: "C1", Text: text, MayManage: func(context.Context) bool { return true }})
		if r.Kind == bot.KindError && strings.HasPrefix(r.Title, "Sorry") {
			t.Errorf("%q: the core panicked", text)
		}
		if r.Title == "" && len(r.Notes) == 0 {
			t.Errorf("%q: reply without title or notes", text)
		}
	})
}
