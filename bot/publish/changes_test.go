package publish_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/publish"
	"github.com/briefbot/briefbot/briefings"
)

// A briefing published again replaces the one before in every replica's
// library; the store's history keeps what it said, so "changes" shows the
// difference (as serve wires it: each applied library recorded as seen).
func TestRepublishedBriefingShowsChanges(t *testing.T) {
	db := openSQLite(t)
	srv := newServer(t, db)
	now := clock
	seen := bot.NewFirstSeen(db, func() time.Time { return now })
	core := bot.New(bot.Options{Library: briefings.NewLibrary(nil), Store: db})
	feed := publish.NewFeed(publish.FeedOptions{Store: db, Apply: func(lib *briefings.Library) {
		core.SetLibrary(lib)
		if err := seen.Record(t.Context(), lib); err != nil {
			t.Errorf("Record: %v", err)
		}
	}})

	if code, body := put(t, srv, "kazakhstan.md", ciToken, kazakhstanMD); code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("first publish: %d %s", code, body)
	}
	if err := feed.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	now = now.Add(3 * time.Hour)
	edited := strings.Replace(kazakhstanMD, "- Backlash from Iran-aligned groups.\n", "- Backlash from Iran-aligned groups.\n- Ratification may slip to the autumn.\n", 1)
	if code, body := put(t, srv, "kazakhstan.md", cmsToken, edited); code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("second publish: %d %s", code, body)
	}
	if err := feed.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	lib := core.Library()
	if n := len(lib.Versions("kazakhstan")); n != 1 {
		t.Fatalf("the library holds %d versions of the topic; the test needs the first one gone from it", n)
	}
	r := core.Changes(t.Context(), lib, "kazakhstan", time.Time{})
	want := []bot.Section{{Heading: "Risks", Blocks: []bot.Block{{Bullet: true, Label: bot.LabelAdded, Text: "Ratification may slip to the autumn."}}}}
	if len(r.Sections) != 1 || r.Sections[0].Heading != want[0].Heading || len(r.Sections[0].Blocks) != 1 || r.Sections[0].Blocks[0] != want[0].Blocks[0] {
		t.Errorf("changes after republishing: %+v, want %+v", r.Sections, want)
	}
	if len(r.Notes) != 2 || !strings.Contains(r.Notes[0], "first seen Mon 30 Nov 2026 12:00 UTC") || !strings.Contains(r.Notes[1], "first seen Mon 30 Nov 2026 09:00 UTC") {
		t.Errorf("notes %q, want when each published version was first seen", r.Notes)
	}
}
