package bot_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/briefings"
)

// historyStores is a Store whose history is kept, as store.DB's is.
type historyStores struct {
	*bottest.Store
	*bottest.History
}

func (s historyStores) Close() error { return nil }

func newHistoryStores() historyStores {
	return historyStores{Store: bottest.NewStore(), History: bottest.NewHistory()}
}

func parseAt(t *testing.T, path, text string, mod time.Time) *briefings.Briefing {
	t.Helper()
	b, problems := briefings.Parse(path, []byte(text), mod)
	if b == nil {
		t.Fatalf("parse %s: %v", path, problems)
	}
	return b
}

// seedText is the seed briefing; tests reading it skip in a user's clone.
func seedText(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "shared", "seed", "kazakhstan.txt"))
	if os.IsNotExist(err) {
		t.Skip("../shared/seed absent")
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// editSeed is what an editor does to the seed the morning after the
// signing: a development added, a risk struck out.
func editSeed(t *testing.T, seed string) string {
	t.Helper()
	edited := strings.NewReplacer(
		"Looking ahead\n", "Looking ahead\n- Parliamentary ratification, due in the spring session.\n",
		"- Strategic balancing: Kazakhstan will need to manage relations with Russia and China carefully as it expands ties westwards.\n", "",
	).Replace(seed)
	if edited == seed {
		t.Fatal("the edits did not apply to the seed")
	}
	return edited
}

var (
	nov29 = time.Date(2026, 11, 29, 14, 2, 0, 0, time.UTC)
	nov30 = time.Date(2026, 11, 30, 9, 10, 0, 0, time.UTC)
)

// The seed edited in place: same file, new content. The folder has lost
// the old text; the store's history has it.
func TestChangesSeedEditedInPlace(t *testing.T) {
	seed := seedText(t)
	stores := newHistoryStores()
	before := briefings.NewLibrary([]*briefings.Briefing{parseAt(t, "briefings/kazakhstan.txt", seed, nov29)})
	if err := bot.NewFirstSeen(stores.History, func() time.Time { return nov29 }).Record(t.Context(), before); err != nil {
		t.Fatal(err)
	}
	after := before.With([]*briefings.Briefing{parseAt(t, "briefings/kazakhstan.txt", editSeed(t, seed), nov30)}, nil)
	// A restart in between: another FirstSeen, as another process would have.
	if err := bot.NewFirstSeen(stores.History, func() time.Time { return nov30 }).Record(t.Context(), after); err != nil {
		t.Fatal(err)
	}
	if n := len(after.Versions("kazakhstan")); n != 1 {
		t.Fatalf("the library holds %d versions; the test needs the old text gone from it", n)
	}

	b := bot.New(bot.Options{Library: after, Store: stores})
	r := b.Changes(t.Context(), after, "kazakhstan", time.Time{})
	want := bot.Reply{
		Kind: bot.KindChanges, Topic: "kazakhstan", Title: "Kazakhstan: what changed",
		Notes: []string{
			"This version: dated Mon 30 Nov 2026, first seen Mon 30 Nov 2026 09:10 UTC.",
			"Previous version: dated Sun 29 Nov 2026, first seen Sun 29 Nov 2026 14:02 UTC.",
		},
		Sections: []bot.Section{
			{Heading: "Risks & caveats", Blocks: []bot.Block{{Bullet: true, Label: "Removed", Text: "Strategic balancing: Kazakhstan will need to manage relations with Russia and China carefully as it expands ties westwards."}}},
			{Heading: "Looking ahead", Blocks: []bot.Block{{Bullet: true, Label: "Added", Text: "Parliamentary ratification, due in the spring session."}}},
		},
		Footer:      bot.Footer{Source: "kazakhstan.txt", Date: nov30},
		Suggestions: []bot.Suggestion{{Label: "Whole briefing", Query: "kazakhstan all"}, {Label: "Overview", Query: "kazakhstan"}},
	}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("Changes (-want +got):\n%s", diff)
	}

	// Since a time before the edit: the same; since after it: nothing.
	if r := b.Changes(t.Context(), after, "kazakhstan", nov29.Add(time.Hour)); len(r.Sections) != 2 {
		t.Errorf("changes since before the edit show %v, want the two changed sections", headings(r))
	}
	r = b.Changes(t.Context(), after, "kazakhstan", nov30.Add(time.Hour))
	if len(r.Sections) != 0 || !strings.HasPrefix(r.Notes[0], "Nothing in the Kazakhstan briefing has changed since Mon 30 Nov 2026 10:10 UTC") {
		t.Errorf("changes since after the edit: %v %v, want nothing changed", r.Notes, headings(r))
	}

	// Without a history the old text is gone, and the reply says so.
	r = bot.New(bot.Options{Library: after, Store: bottest.NewStore()}).Changes(t.Context(), after, "kazakhstan", time.Time{})
	if len(r.Sections) != 0 || !strings.Contains(r.Notes[0], "No earlier version of the Kazakhstan briefing is known") || len(r.Suggestions) < 3 {
		t.Errorf("without a history: %v, sections %v, suggestions %v; want no earlier version and the sections suggested", r.Notes, headings(r), r.Suggestions)
	}
}

// Two files on one topic, the older archived beside the newer: the
// library alone holds both versions, no store needed (as in briefbot ask).
func TestChangesBetweenFilesOfOneTopic(t *testing.T) {
	old := parseAt(t, "kazakhstan-2026-11-20.md", "---\ndate: 2026-11-20\n---\n# Kazakhstan\n\nKazakhstan says it will join the accords.\n\n## Risks\n\n- Backlash: from Iran.\n- Cost: unclear.\n", time.Time{})
	cur := parseAt(t, "kazakhstan.md", "---\ndate: 2026-11-30\nsummary: Kazakhstan signed.\n---\n# Kazakhstan\n\nKazakhstan signed the accords in Washington.\n\n## Risks & caveats\n\n- Backlash: from Iran.\n\n## Looking ahead\n\n- Ratification in spring.\n", time.Time{})
	lib := briefings.NewLibrary([]*briefings.Briefing{old, cur})
	b := bot.New(bot.Options{Library: lib})
	r := b.Changes(t.Context(), lib, "Kazakhstan", time.Time{})
	wantSections := []bot.Section{
		{Heading: "Summary", Blocks: []bot.Block{{Bullet: true, Label: "Added", Text: "Kazakhstan signed."}}},
		{Heading: "Introduction", Blocks: []bot.Block{
			{Bullet: true, Label: "Added", Text: "Kazakhstan signed the accords in Washington."},
			{Bullet: true, Label: "Removed", Text: "Kazakhstan says it will join the accords."},
		}},
		{Heading: "Risks & caveats (was Risks)", Blocks: []bot.Block{{Bullet: true, Label: "Removed", Text: "Cost: unclear."}}},
		{Heading: "Looking ahead (new section)", Blocks: []bot.Block{{Bullet: true, Label: "Added", Text: "Ratification in spring."}}},
	}
	if diff := cmp.Diff(wantSections, r.Sections); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	wantNotes := []string{"This version: dated Mon 30 Nov 2026.", "Previous version: dated Fri 20 Nov 2026."}
	if diff := cmp.Diff(wantNotes, r.Notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
}

func TestChangesWithoutEarlierText(t *testing.T) {
	stores := newHistoryStores()
	v1 := parseAt(t, "kazakhstan.txt", "Kazakhstan\nJoins.\n", nov29)
	v2 := parseAt(t, "kazakhstan.txt", "Kazakhstan\nSigned.\n", nov30)
	// v1 was seen before texts were kept.
	if _, err := stores.History.SeeBriefings(t.Context(), []bot.BriefingVersion{bot.VersionOf(v1)}, nov29); err != nil {
		t.Fatal(err)
	}
	lib := briefings.NewLibrary([]*briefings.Briefing{v2})
	r := bot.New(bot.Options{Library: lib, Store: stores}).Changes(t.Context(), lib, "kazakhstan", time.Time{})
	if len(r.Sections) != 0 || len(r.Notes) != 3 || !strings.Contains(r.Notes[0], "not at hand") || r.Notes[2] != "Previous version: first seen Sun 29 Nov 2026 14:02 UTC." {
		t.Errorf("notes %q, sections %v; want the change told, with when the earlier version was seen", r.Notes, headings(r))
	}
}

func TestChangesUnknownTopic(t *testing.T) {
	b := bot.New(bot.Options{})
	// A typo is understood as in any question, and said.
	r := b.Changes(t.Context(), b.Library(), "kazakstan", time.Time{})
	if r.Kind != bot.KindChanges || !r.Corrected || len(r.Notes) == 0 || !strings.Contains(r.Notes[0], "Kazakhstan") {
		t.Errorf("a typo: kind %s, corrected %v, notes %q; want the changes of Kazakhstan, the guess noted", r.Kind, r.Corrected, r.Notes)
	}
	r = b.Changes(t.Context(), b.Library(), "atlantis", time.Time{})
	if r.Kind != bot.KindNotFound || len(r.Suggestions)+len(r.Items) == 0 {
		t.Errorf("unknown topic: kind %s, suggestions %v, items %v; want not found with somewhere to go next", r.Kind, r.Suggestions, r.Items)
	}
	// The bundled samples have one version each.
	r = b.Changes(t.Context(), b.Library(), "kazakhstan", time.Time{})
	if r.Kind != bot.KindChanges || len(r.Sections) != 0 || !strings.Contains(r.Notes[0], "No earlier version") {
		t.Errorf("a single version: %v", r.Notes)
	}
}

// failingHistory is a history store that is down.
type failingHistory struct{ historyStores }

func (failingHistory) BriefingHistory(context.Context, string) ([]bot.SeenVersion, error) {
	return nil, errors.New("connection refused")
}

// A history store that fails does not fail the answer: the library's
// versions still count.
func TestChangesHistoryDown(t *testing.T) {
	lib := briefings.NewLibrary([]*briefings.Briefing{
		parseAt(t, "archive/kazakhstan.txt", kzBefore, nov29),
		parseAt(t, "kazakhstan.txt", kzAfter, nov30),
	})
	b := bot.New(bot.Options{Library: lib, Store: failingHistory{newHistoryStores()}})
	r := b.Changes(t.Context(), lib, "kazakhstan", time.Time{})
	if r.Kind != bot.KindChanges || len(r.Sections) != 2 {
		t.Errorf("with the history down: %s %v %v, want the changes between the two files", r.Kind, r.Notes, headings(r))
	}
}
