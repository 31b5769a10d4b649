package discord

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
)

// kazakhstanFull mirrors /work/shared/seed/kazakhstan.txt as the core
// answers "/brief kazakhstan all".
func kazakhstanFull() bot.Reply {
	return bot.Reply{
		Kind:  bot.KindFull,
		Topic: "kazakhstan",
		Title: "Kazakhstan",
		Lede: []string{
			"In a landmark diplomatic shift, Kazakhstan has announced its intention to join the Abraham Accords — the U.S.-brokered framework of normalisation between Israel and several Arab and Muslim-majority states.",
			"Launched in 2020 under Donald Trump, the Abraham Accords initially included the UAE and Bahrain, later joined by Morocco and Sudan. Kazakhstan, though having had diplomatic ties with Israel since 1992, had not formally been part of the accords until now.",
		},
		Sections: []bot.Section{
			{Heading: "What’s new", Blocks: []bot.Block{
				{Text: "The move by Kazakhstan is largely symbolic — the country already has full diplomatic relations with Israel. However, its formal accession marks the first Central Asian country to join the accords, extending the reach beyond the Middle East/North Africa region."},
				{Text: "The U.S. has characterised the step as a major building-block in global peace efforts, and has highlighted cooperation in defence, cybersecurity, energy and food technology between Israel and Kazakhstan."},
			}},
			{Heading: "Strategic significance", Blocks: []bot.Block{
				{Bullet: true, Label: "Regional diplomacy shift", Text: "Central Asia has traditionally been a Russian and Chinese sphere of influence; Kazakhstan’s move signals a diversification of its foreign policy and alignment possibilities."},
				{Bullet: true, Label: "Boost for Israel", Text: "Amid international criticism over its Gaza campaign, Israel gains a further diplomatic boost and reduces its perceived isolation. Kazakhstan’s participation strengthens the legitimacy of the accords."},
				{Bullet: true, Label: "Economic & tech cooperation", Text: "The framework includes potential new trade, infrastructure investment, critical-minerals cooperation and supply-chain diversification — areas of strategic interest for Kazakhstan and Israel."},
			}},
			kazakhstanRisks(),
			{Heading: "Looking ahead", Blocks: []bot.Block{
				{Bullet: true, Text: "Formal signing ceremony and detailed MoU to be expected soon."},
				{Bullet: true, Text: "Implementation of joint projects—defence, tech, energy—will test the durability of the accord."},
				{Bullet: true, Text: "Whether other Central Asian or Muslim-majority states follow Kazakhstan’s lead, potentially accelerating a wider normalisation wave."},
			}},
		},
		Footer: bot.Footer{Source: "seed/kazakhstan.txt", Date: time.Date(2025, 11, 7, 0, 0, 0, 0, time.UTC)},
	}
}

func kazakhstanRisks() bot.Section {
	return bot.Section{Heading: "Risks & caveats", Blocks: []bot.Block{
		{Bullet: true, Label: "Domestic and regional backlash", Text: "Some Muslim-majority countries, and Iran-aligned groups, may view normalisation with Israel skeptically or hostilely."},
		{Bullet: true, Label: "Symbolic vs substantive", Text: "Since Kazakhstan already had ties with Israel, critics view the step as largely gestural; the depth of cooperation moving forward will be telling."},
		{Bullet: true, Label: "Strategic balancing", Text: "Kazakhstan will need to manage relations with Russia and China carefully as it expands ties westwards."},
	}}
}

// kazakhstanRisksReply is the user's example: /brief kazakhstan risks.
func kazakhstanRisksReply() bot.Reply {
	full := kazakhstanFull()
	return bot.Reply{
		Kind:     bot.KindSection,
		Topic:    "kazakhstan",
		Title:    "Kazakhstan",
		Sections: []bot.Section{kazakhstanRisks()},
		Suggestions: []bot.Suggestion{
			{Label: "What’s new", Query: "kazakhstan what's new"},
			{Label: "Strategic significance", Query: "kazakhstan strategic significance"},
			{Label: "Looking ahead", Query: "kazakhstan looking ahead"},
			{Label: "Whole briefing", Query: "kazakhstan all"},
		},
		Footer: full.Footer,
	}
}

// longReply is an answer far beyond one message: many sections, a
// paragraph longer than an embed description, and a list of items.
func longReply() bot.Reply {
	r := kazakhstanFull()
	r.Kind = bot.KindFull
	r.Title = "Central Asia digest"
	para := strings.Repeat("Kazakhstan’s accession is symbolic yet carries weight in regional diplomacy and trade. ", 60) // ~5200 runes
	for i := 0; i < 6; i++ {
		r.Sections = append(r.Sections, bot.Section{
			Heading: "Annex " + string(rune('A'+i)),
			Blocks: []bot.Block{
				{Text: para[:1500+300*i]},
				{Bullet: true, Label: "Note", Text: "Each annex closes with a labelled bullet that must stay whole."},
			},
		})
	}
	r.Sections = append(r.Sections, bot.Section{Heading: "One very long paragraph", Blocks: []bot.Block{{Text: para}}})
	for i := 0; i < 30; i++ {
		r.Items = append(r.Items, bot.Item{Title: "Topic " + string(rune('A'+i%26)) + strings.Repeat("x", i), Text: "A one-line headline.", Query: "topic " + string(rune('a'+i%26))})
	}
	return r
}

func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	bottest.Golden(t, filepath.Join("testdata", name), got)
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply bot.Reply
		parts int
	}{
		{"kazakhstan_risks.json", kazakhstanRisksReply(), 1},
		{"kazakhstan_full.json", kazakhstanFull(), 1},
		{"long_split.json", longReply(), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msgs := renderReply(tc.reply)
			checkLimits(t, msgs)
			if tc.parts > 0 && len(msgs) != tc.parts {
				t.Errorf("%d messages, want %d", len(msgs), tc.parts)
			}
			checkGolden(t, tc.name, msgs)
		})
	}
}

// The seed briefing in /work/shared must keep fitting one message.
func TestRenderSeedFileFitsOneMessage(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "seed", "kazakhstan.txt"))
	if err != nil {
		t.Skip("shared seed not available:", err)
	}
	// Every line of the seed, as sections of paragraphs: a rough stand-in
	// for the parser that checks the whole text fits and is kept.
	var blocks []bot.Block
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			blocks = append(blocks, bot.Block{Text: l})
		}
	}
	msgs := renderReply(bot.Reply{Kind: bot.KindFull, Title: "Kazakhstan", Sections: []bot.Section{{Heading: "All", Blocks: blocks}}})
	checkLimits(t, msgs)
	if len(msgs) != 1 {
		t.Errorf("seed briefing took %d messages, want 1", len(msgs))
	}
	text := unescape(allText(msgs))
	for _, b := range blocks {
		if !strings.Contains(text, b.Text) {
			t.Errorf("rendered text lacks %q", b.Text)
		}
	}
}

func TestRenderLongReplySplitsWithoutLoss(t *testing.T) {
	r := longReply()
	msgs := renderReply(r)
	if len(msgs) < 3 {
		t.Fatalf("long reply rendered as %d messages, want it split into several", len(msgs))
	}
	checkLimits(t, msgs)
	text := unescape(allText(msgs))
	// Every word of every block arrives, in order.
	flat := strings.Fields(text)
	pos := 0
	for _, s := range r.Sections {
		for _, b := range s.Blocks {
			for _, w := range strings.Fields(b.Text) {
				for pos < len(flat) && !strings.Contains(flat[pos], w) {
					pos++
				}
				if pos == len(flat) {
					t.Fatalf("word %q of section %q is missing or out of order", w, s.Heading)
				}
			}
		}
	}
	for _, it := range r.Items {
		if !strings.Contains(text, it.Title) {
			t.Errorf("item %q dropped", it.Title)
		}
	}
	// Buttons only on the last message; every part carries the footer.
	for i, m := range msgs {
		if (len(m.Components) > 0) != (i == len(msgs)-1) {
			t.Errorf("message %d has %d button rows", i, len(m.Components))
		}
		if f := m.Embeds[len(m.Embeds)-1].Footer; f == nil || !strings.Contains(f.Text, "7 November 2025") {
			t.Errorf("message %d lacks the footer: %+v", i, f)
		}
	}
}

// checkLimits asserts Discord's documented limits and that no description
// piece ends inside a word.
func checkLimits(t *testing.T, msgs []message) {
	t.Helper()
	for i, m := range msgs {
		if len(m.Embeds) == 0 || len(m.Embeds) > maxEmbeds {
			t.Errorf("message %d: %d embeds", i, len(m.Embeds))
		}
		if n := runes(m.Content); n > maxContent {
			t.Errorf("message %d: content of %d", i, n)
		}
		total := 0
		for j, e := range m.Embeds {
			total += e.size()
			if runes(e.Title) > maxTitle || runes(e.Description) > maxDescription || len(e.Fields) > maxFields {
				t.Errorf("message %d embed %d over limits: title %d, description %d, fields %d", i, j, runes(e.Title), runes(e.Description), len(e.Fields))
			}
			for _, f := range e.Fields {
				if runes(f.Name) > maxFieldName || runes(f.Value) > maxFieldValue || f.Name == "" || f.Value == "" {
					t.Errorf("message %d embed %d: bad field %q/%d", i, j, f.Name, runes(f.Value))
				}
			}
			if d := e.Description; d != "" && !utf8.ValidString(d) {
				t.Errorf("message %d embed %d: invalid UTF-8", i, j)
			}
		}
		if total > maxEmbedsTotal {
			t.Errorf("message %d: embeds total %d characters", i, total)
		}
		if len(m.Components) > maxRows {
			t.Errorf("message %d: %d rows", i, len(m.Components))
		}
		for _, row := range m.Components {
			if len(row.Components) > maxButtonsPerRow {
				t.Errorf("message %d: row of %d buttons", i, len(row.Components))
			}
			for _, b := range row.Components {
				if runes(b.CustomID) > maxCustomID || runes(b.Label) > maxButtonLabel {
					t.Errorf("message %d: button %q over limits", i, b.CustomID)
				}
			}
		}
	}
}

func allText(msgs []message) string {
	var b strings.Builder
	for _, m := range msgs {
		for _, e := range m.Embeds {
			b.WriteString(e.Title + "\n" + e.Description + "\n")
			for _, f := range e.Fields {
				b.WriteString(f.Name + "\n" + f.Value + "\n")
			}
		}
	}
	return b.String()
}

// unescape undoes escape, as Discord's renderer does.
func unescape(s string) string {
	s = strings.ReplaceAll(s, "\u200b", "")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"@everyone look", "@\u200beveryone look"},
		{"ping @here now", "ping @\u200bhere now"},
		{"see [x](https://evil)", `see \[x\](https://evil)`},
		{"**bold** _it_ ~~s~~ `c` ||spoiler||", `\*\*bold\*\* \_it\_ \~\~s\~\~ \` + "`c\\`" + ` \|\|spoiler\|\|`},
		{"> quote\n# heading\n- item\n1. first", "\\> quote\n\\# heading\n\\- item\n1\\. first"},
		{"U.S.-brokered, 2020 > 1992 # 1", "U.S.-brokered, 2020 > 1992 # 1"},
		{"hi <@123> and <@&456>", `hi \<@123> and \<@&456>`},
		{`back\slash`, `back\\slash`},
		{"Kazakhstan’s move — plain text", "Kazakhstan’s move — plain text"},
	} {
		if got := escape(tc.in); got != tc.want {
			t.Errorf("escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := unescape(escape(tc.in)); got != tc.in {
			t.Errorf("escape(%q) does not read back as itself: %q", tc.in, got)
		}
	}
}

func TestRenderEscapesBriefingText(t *testing.T) {
	msgs := renderReply(bot.Reply{
		Kind:        bot.KindSection,
		Title:       "@everyone [Title](https://evil)",
		Sections:    []bot.Section{{Heading: "@here", Blocks: []bot.Block{{Text: "Click [x](https://evil) @everyone"}}}},
		Suggestions: []bot.Suggestion{{Label: "@everyone", Query: "kazakhstan risks"}},
		Footer:      bot.Footer{Source: "@everyone"},
	})
	data, err := json.Marshal(msgs)
	if err != nil {
		t.Fatal(err)
	}
	var plain []any
	json.Unmarshal(data, &plain)
	s := strings.ReplaceAll(string(data), `\u200b`, "\u200b")
	for _, bad := range []string{"@everyone", "@here", "[x](", "[Title]("} {
		if strings.Contains(s, bad) {
			t.Errorf("rendered message still contains %q: %s", bad, s)
		}
	}
	if !strings.Contains(s, `"allowed_mentions":{"parse":[]}`) {
		t.Errorf("allowed_mentions.parse is not an empty array: %s", s)
	}
}

func TestButtons(t *testing.T) {
	r := bot.Reply{Kind: bot.KindList, Title: "Topics"}
	for i := 0; i < 40; i++ {
		r.Suggestions = append(r.Suggestions, bot.Suggestion{Label: strings.Repeat("L", 90), Query: "topic " + strings.Repeat("q", i)})
	}
	r.Suggestions = append([]bot.Suggestion{
		{Label: "dup", Query: "topic "},
		{Label: "too long", Query: strings.Repeat("z", 99)},
	}, r.Suggestions...)
	rows := buttons(r)
	var ids []string
	for _, row := range rows {
		for _, b := range row.Components {
			ids = append(ids, b.CustomID)
			if strings.HasPrefix(b.Label, "L") && runes(b.Label) != maxButtonLabel {
				t.Errorf("label of %d runes, want truncation to %d", runes(b.Label), maxButtonLabel)
			}
		}
	}
	if len(rows) != 5 || len(ids) != 25 {
		t.Fatalf("%d rows, %d buttons; want 5 rows of 5", len(rows), len(ids))
	}
	if ids[0] != "q:topic" || ids[1] != "q:topic q" {
		t.Errorf("first buttons %q, want the duplicate and the overlong query skipped", ids[:2])
	}
}

func TestSplitWords(t *testing.T) {
	long := strings.Repeat("word ", 30) + strings.Repeat("ж", 25)
	pieces := splitWords(long, 20)
	want := strings.Repeat("word ", 30) + strings.Repeat("ж", 20) + " " + strings.Repeat("ж", 5)
	if diff := cmp.Diff(want, strings.Join(pieces, " ")); diff != "" {
		t.Errorf("words changed (-want +got):\n%s", diff)
	}
	for _, p := range pieces[:len(pieces)-2] {
		if runes(p) > 20 || strings.HasSuffix(p, "wor") {
			t.Errorf("bad piece %q", p)
		}
	}
	// A single word longer than the limit is cut at rune boundaries.
	if got := pieces[len(pieces)-2:]; runes(got[0]) != 20 || got[1] != strings.Repeat("ж", 5) || !utf8.ValidString(got[0]) {
		t.Errorf("overlong word split as %q", got)
	}
	if got := truncate("Kazakhstan’s", 11); got != "Kazakhstan…" {
		t.Errorf("truncate = %q", got)
	}
}

// FuzzEscapeFastPath checks that text escape passes through unchanged
// really needs no escaping.
func FuzzEscapeFastPath(f *testing.F) {
	for _, s := range []string{"plain words", "1. list", "-dash", "a-b", "x <@1>", "@everyone", " indented", "> quote", "tab\there", "#h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !needsEscape(s) && escapeAll(s) != s {
			t.Fatalf("fast path kept %q, escaping gives %q", s, escapeAll(s))
		}
	})
}
