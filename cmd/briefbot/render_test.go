package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/briefings"
)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	bottest.Golden(t, filepath.Join("testdata", name), got)
}

func TestRenderGolden(t *testing.T) {
	b := bot.New(bot.Options{})
	renderers := map[string]func(*bytes.Buffer, bot.Reply) error{
		"txt":  func(w *bytes.Buffer, r bot.Reply) error { return writeText(w, r) },
		"md":   func(w *bytes.Buffer, r bot.Reply) error { return writeMarkdown(w, r) },
		"json": func(w *bytes.Buffer, r bot.Reply) error { return writeJSON(w, r) },
	}
	for _, q := range []string{"kazakhstan", "kazakhstan risks", "kazakstan looking ahead"} {
		r := b.Handle(t.Context(), bot.Request{Text: q})
		for ext, render := range renderers {
			var buf bytes.Buffer
			if err := render(&buf, r); err != nil {
				t.Fatal(err)
			}
			golden(t, strings.ReplaceAll(q, " ", "_")+"."+ext, buf.Bytes())
		}
	}
}

// A changes reply labels every bullet, so each renderer shows Added and
// Removed.
func TestRenderChangesGolden(t *testing.T) {
	parse := func(path, text string) *briefings.Briefing {
		b, problems := briefings.Parse(path, []byte(text), time.Time{})
		if b == nil {
			t.Fatalf("parse %s: %v", path, problems)
		}
		return b
	}
	old := parse("kazakhstan-2026-11-20.md", "---\ndate: 2026-11-20\n---\n# Kazakhstan\n\nKazakhstan says it will join the accords.\n\n## Risks\n\n- Backlash: from Iran.\n- Cost: unclear.\n")
	cur := parse("kazakhstan.md", "---\ndate: 2026-11-30\nsummary: Kazakhstan signed.\n---\n# Kazakhstan\n\nKazakhstan signed the accords in Washington.\n\n## Risks & caveats\n\n- Backlash: from Iran.\n\n## Looking ahead\n\n- Ratification in spring.\n")
	lib := briefings.NewLibrary([]*briefings.Briefing{old, cur})
	r := bot.New(bot.Options{Library: lib}).Changes(t.Context(), lib, "Kazakhstan", time.Time{})
	if len(r.Sections) == 0 {
		t.Fatalf("no changes found between the two versions: %v", r.Notes)
	}
	for ext, write := range map[string]func(*bytes.Buffer, bot.Reply) error{
		"txt": func(w *bytes.Buffer, r bot.Reply) error { return writeText(w, r) },
		"md":  func(w *bytes.Buffer, r bot.Reply) error { return writeMarkdown(w, r) },
	} {
		var out bytes.Buffer
		if err := write(&out, r); err != nil {
			t.Fatal(err)
		}
		golden(t, "kazakhstan_changes."+ext, out.Bytes())
	}
}

// Briefing text must not turn into links, images, HTML or emphasis.
func TestMarkdownEscapesBriefingText(t *testing.T) {
	hostile := "[click](https://evil.example) ![img](x.png) <b>bold</b> *em* _u_ `code` <https://auto.link> @everyone"
	r := bot.Reply{
		Title: "# Heading? " + hostile,
		Lede:  []string{hostile, "- not a list", "1. not a list"},
		Sections: []bot.Section{{Heading: hostile, Blocks: []bot.Block{
			{Bullet: true, Label: "[x](y)", Text: hostile},
		}}},
	}
	var buf bytes.Buffer
	if err := writeMarkdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	src := buf.Bytes()
	doc := goldmark.New().Parser().Parse(text.NewReader(src))
	lists := 0
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if e, ok := n.(*ast.Emphasis); ok && e.Level == 2 {
			return ast.WalkContinue, nil // the renderer's own bold labels
		}
		switch n.Kind() {
		case ast.KindLink, ast.KindImage, ast.KindAutoLink, ast.KindRawHTML, ast.KindHTMLBlock, ast.KindEmphasis, ast.KindCodeSpan:
			t.Errorf("briefing text became %s in:\n%s", n.Kind(), src)
		case ast.KindList:
			lists++
		}
		return ast.WalkContinue, nil
	})
	if lists != 1 { // only the section's own bullet list
		t.Errorf("got %d lists, want 1:\n%s", lists, src)
	}
}
