package publish_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/publish"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/briefingstest"
)

// BenchmarkFeedApplyOneChange measures what one publish costs each replica
// that follows it: reading the change from the store, parsing it and
// laying the published briefings over a folder of 10,000 briefings.
func BenchmarkFeedApplyOneChange(b *testing.B) {
	for _, published := range []int{1, 100} {
		b.Run(fmt.Sprintf("published=%d", published), func(b *testing.B) {
			files := briefingstest.Generate(10_000+published, 1)
			var bs []*briefings.Briefing
			for _, f := range files[:10_000] {
				br, _ := briefings.Parse(f.Name, f.Data, time.Time{})
				bs = append(bs, br)
			}
			folder := briefings.NewLibrary(bs)
			db := openSQLite(b)
			put := func(i int, body []byte) {
				name := fmt.Sprintf("published-%d.md", i)
				br, _ := briefings.Parse(name, body, time.Time{})
				if _, _, err := db.PutPublished(b.Context(), bot.Published{Name: name, Body: body, Hash: publish.ContentHash(body), Topic: br.Topic, By: "bench", At: time.Now()}); err != nil {
					b.Fatal(err)
				}
			}
			for i, f := range files[10_000:] {
				put(i, f.Data)
			}
			feed := publish.NewFeed(publish.FeedOptions{Store: db, Folder: folder})
			if err := feed.Refresh(b.Context()); err != nil {
				b.Fatal(err)
			}
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				put(0, fmt.Appendf(nil, "# Published briefing\n\nEdit %d.\n", i))
				b.StartTimer()
				if err := feed.Refresh(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
