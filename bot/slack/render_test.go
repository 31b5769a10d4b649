package slack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/internal/textsplit"
)

func golden(t *testing.T, name string, msgs []message) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep the goldens readable; Slack decodes both forms
	enc.SetIndent("", "  ")
	if err := enc.Encode(msgs); err != nil {
		t.Fatal(err)
	}
	bottest.Golden(t, filepath.Join("testdata", name+".golden.json"), buf.Bytes())
}

// longReply is a briefing too long for one Slack message: 30 sections, each
// with a paragraph over 3000 characters and a dozen bullets.
func longReply() bot.Reply {
	r := bot.Reply{Kind: bot.KindFull, Topic: "long", Title: "A very long briefing"}
	sentence := "The accession extends the accords beyond the Middle East & North Africa, and its depth will be tested by joint projects in defence, energy and food technology. "
	for i := range 30 {
		s := bot.Section{Heading: fmt.Sprintf("Part %d", i+1)}
		s.Blocks = append(s.Blocks, bot.Block{Text: strings.Repeat(sentence, 22)})
		for j := range 12 {
			s.Blocks = append(s.Blocks, bot.Block{Bullet: true, Label: fmt.Sprintf("Point %d.%d", i+1, j+1), Text: sentence})
		}
		r.Sections = append(r.Sections, s)
	}
	r.Suggestions = []bot.Suggestion{{Label: "Risks", Query: "long risks"}}
	r.Footer = kazakhstanRisks().Footer
	return r
}

func TestRenderGolden(t *testing.T) {
	// Answers carry vote buttons, as they do when analytics are on.
	golden(t, "overview", render(kazakhstanOverview(), renderOptions{ShareQuery: "kazakhstan", Votes: true}))
	golden(t, "risks", render(kazakhstanRisks(), renderOptions{ShareQuery: "kazakhstan risks", Votes: true}))
	golden(t, "long", render(longReply(), renderOptions{}))
}

// TestSeedMirror keeps the hand-built replies honest: every text they
// show must appear in the seed briefing the user's example is about.
func TestSeedMirror(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "seed", "kazakhstan.txt"))
	if os.IsNotExist(err) {
		t.Skip("../shared/seed absent")
	}
	if err != nil {
		t.Fatal(err)
	}
	seed := string(data)
	for _, r := range []bot.Reply{kazakhstanOverview(), kazakhstanRisks()} {
		for _, p := range r.Lede {
			if !strings.Contains(seed, p) {
				t.Errorf("lede not in seed: %q", p)
			}
		}
		for _, s := range r.Sections {
			if !strings.Contains(seed, s.Heading) {
				t.Errorf("heading not in seed: %q", s.Heading)
			}
			for _, b := range s.Blocks {
				if !strings.Contains(seed, b.Label+": "+b.Text) {
					t.Errorf("bullet not in seed: %q", b.Label+": "+b.Text)
				}
			}
		}
	}
}

func TestRenderRisksShape(t *testing.T) {
	msgs := render(kazakhstanRisks(), renderOptions{ShareQuery: "kazakhstan risks"})
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	m := decode(t, msgs[0])
	texts := blockTexts(m)
	want := []string{
		"Kazakhstan — Risks &amp; caveats",
		"*Risks &amp; caveats*\n" +
			"• *Domestic and regional backlash:* Some Muslim-majority countries, and Iran-aligned groups, may view normalisation with Israel skeptically or hostilely.\n" +
			"• *Symbolic vs substantive:* Since Kazakhstan already had ties with Israel, critics view the step as largely gestural; the depth of cooperation moving forward will be telling.\n" +
			"• *Strategic balancing:* Kazakhstan will need to manage relations with Russia and China carefully as it expands ties westwards.",
		"Source: kazakhstan.txt · 6 November 2025",
		"What’s new", "Strategic significance", "Looking ahead", "Share in channel",
	}
	// The header is plain_text, which Slack does not parse: it stays unescaped.
	want[0] = "Kazakhstan — Risks & caveats"
	if diff := cmp.Diff(want, texts); diff != "" {
		t.Errorf("block texts (-want +got):\n%s", diff)
	}
	wantButtons := map[string]string{
		"briefbot_query_0": "kazakhstan what’s new",
		"briefbot_query_1": "kazakhstan strategic significance",
		"briefbot_query_2": "kazakhstan looking ahead",
		"briefbot_share":   "kazakhstan risks",
	}
	if diff := cmp.Diff(wantButtons, buttonValues(m)); diff != "" {
		t.Errorf("buttons (-want +got):\n%s", diff)
	}
	if m["text"] != "Kazakhstan — Risks &amp; caveats" {
		t.Errorf("fallback text = %q", m["text"])
	}
}

func TestRenderEscapesBriefingText(t *testing.T) {
	r := bot.Reply{
		Kind:  bot.KindSection,
		Title: "<!here> title",
		Notes: []string{"Note <@U999> me"},
		Lede:  []string{"Alert <!channel> now & <https://evil|click>"},
		Sections: []bot.Section{{
			Heading: "Bad *heading* <!everyone>",
			Blocks:  []bot.Block{{Bullet: true, Label: "<@U123>", Text: "see <https://evil|click>"}},
		}},
		Items:  []bot.Item{{Title: "<!subteam^S1>", Text: "<#C1>"}},
		Footer: bot.Footer{Source: "<https://evil|source>"},
	}
	for _, m := range render(r, renderOptions{}) {
		dec := decode(t, m)
		raw := []byte(strings.Join(blockTexts(dec), "\n"))
		for i, text := range blockTexts(dec) {
			if i == 0 {
				continue // the plain_text header, which Slack never parses
			}
			for _, bad := range []string{"<!", "<@", "<#", "<http"} {
				if strings.Contains(text, bad) {
					t.Errorf("block text %q contains %q", text, bad)
				}
			}
		}
		for _, want := range []string{"&lt;!channel&gt;", "&lt;https://evil|click&gt;", "&amp;", "&lt;@U123&gt;"} {
			if !bytes.Contains(raw, []byte(want)) {
				t.Errorf("message lacks escaped %q:\n%s", want, raw)
			}
		}
		if text := dec["text"].(string); strings.Contains(text, "<!") {
			t.Errorf("fallback text %q not escaped", text)
		}
		if bytes.Contains(raw, []byte("*Bad *heading")) {
			t.Errorf("a '*' in a heading ends the bold span early:\n%s", raw)
		}
	}
}

// TestRenderLongSplits checks Slack's limits and that splitting neither
// cuts words nor loses any.
func TestRenderLongSplits(t *testing.T) {
	r := longReply()
	msgs := render(r, renderOptions{})
	if len(msgs) < 2 {
		t.Fatalf("got %d messages, want the long reply split", len(msgs))
	}
	checkLimits(t, msgs)
	var all []string
	for _, m := range msgs {
		for _, b := range decode(t, m)["blocks"].([]any) {
			bm := b.(map[string]any)
			if bm["type"] == "section" {
				all = append(all, bm["text"].(map[string]any)["text"].(string))
			}
		}
	}
	gotWords := strings.Fields(strings.Join(all, " "))
	var want []string
	for _, s := range r.Sections {
		want = append(want, strings.Fields("*"+s.Heading+"*")...)
		for _, b := range s.Blocks {
			if b.Bullet {
				want = append(want, "•")
				want = append(want, strings.Fields("*"+b.Label+":*")...)
			}
			want = append(want, strings.Fields(escapeText(b.Text))...)
		}
	}
	if diff := cmp.Diff(want, gotWords); diff != "" {
		t.Errorf("words lost or cut when splitting (-want +got):\n%s", diff)
	}
	last := decode(t, msgs[len(msgs)-1])
	if got := buttonValues(last)["briefbot_query_0"]; got != "long risks" {
		t.Errorf("last message lacks the suggestion button, got %q", got)
	}
	if first := decode(t, msgs[0])["blocks"].([]any)[0].(map[string]any); first["type"] != "header" {
		t.Errorf("first block is %v, want the header", first["type"])
	}
}

func checkLimits(t *testing.T, msgs []message) {
	t.Helper()
	for i, m := range msgs {
		dec := decode(t, m)
		blocks := dec["blocks"].([]any)
		if len(blocks) > maxBlocks || len(blocks) == 0 {
			t.Errorf("message %d has %d blocks", i, len(blocks))
		}
		for _, b := range blocks {
			bm := b.(map[string]any)
			switch bm["type"] {
			case "section":
				if n := runes(bm["text"].(map[string]any)["text"].(string)); n > maxSectionText {
					t.Errorf("message %d: section of %d characters", i, n)
				}
			case "header":
				if n := runes(bm["text"].(map[string]any)["text"].(string)); n > maxHeaderText {
					t.Errorf("message %d: header of %d characters", i, n)
				}
			}
		}
	}
}

func TestRenderLimitsCountCharactersNotBytes(t *testing.T) {
	// 2900 Cyrillic letters are 5800 bytes but fit one 3000-character section.
	para := strings.Repeat("Казахстан ", 290)
	msgs := render(bot.Reply{Kind: bot.KindSection, Lede: []string{para}}, renderOptions{})
	sections := 0
	for _, b := range decode(t, msgs[0])["blocks"].([]any) {
		if b.(map[string]any)["type"] == "section" {
			sections++
		}
	}
	if sections != 1 {
		t.Errorf("got %d sections for a 2900-character paragraph, want 1", sections)
	}
	// A long title is shortened at a word in the header and kept in full below.
	title := strings.Repeat("Ąccords ", 30)
	msgs = render(bot.Reply{Kind: bot.KindSection, Title: title}, renderOptions{})
	checkLimits(t, msgs)
	texts := blockTexts(decode(t, msgs[0]))
	if !strings.HasSuffix(texts[0], "Ąccords…") {
		t.Errorf("header %q not cut at a word", texts[0])
	}
	if !strings.Contains(texts[1], strings.TrimSpace(title)) {
		t.Errorf("full title missing: %q", texts[1])
	}
}

func TestSplitText(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"One two. Three four five.", 12, []string{"One two.", "Three four", "five."}},
		{"alpha beta gamma", 11, []string{"alpha beta", "gamma"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"x &amp;&amp;", 5, []string{"x", "&amp;", "&amp;"}},
	}
	for _, tt := range tests {
		got := textsplit.Split(tt.in, tt.limit, keepEntity)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Split(%q, %d) (-want +got):\n%s", tt.in, tt.limit, diff)
		}
	}
}

func TestStripMentions(t *testing.T) {
	tests := map[string]string{
		"<@U0BOT> kazakhstan risks":       "kazakhstan risks",
		"<@U0BOT|briefbot>   kazakhstan ": "kazakhstan",
		"kazakhstan <@W123ABC> risks":     "kazakhstan risks",
		"no mention":                      "no mention",
		"<@U0BOT>":                        "",
	}
	for in, want := range tests {
		if got := stripMentions(in); got != want {
			t.Errorf("stripMentions(%q) = %q, want %q", in, got, want)
		}
	}
}
