package digest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/digest"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/bot/store"
)

// rateLimitedSlack enforces Slack's limits as a real workspace would: one
// message per second per channel, and at most perSecond messages a second
// over the workspace; beyond either it answers 429 with Retry-After.
type rateLimitedSlack struct {
	perSecond int
	mu        sync.Mutex
	lastPost  map[string]time.Time
	window    time.Time
	inWindow  int
	posted    map[string]int // channel/slot → posts
	limited   int
}

func (f *rateLimitedSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path != "/chat.postMessage" {
		fmt.Fprint(w, `{"ok":false,"error":"unknown_method"}`)
		return
	}
	now := time.Now()
	ch := r.Form.Get("channel")
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.Sub(f.window) >= time.Second {
		f.window, f.inWindow = now, 0
	}
	wait := time.Duration(0)
	if last, ok := f.lastPost[ch]; ok && now.Sub(last) < time.Second {
		wait = time.Second - now.Sub(last)
	}
	if f.inWindow >= f.perSecond {
		wait = max(wait, time.Second-now.Sub(f.window))
	}
	if wait > 0 {
		f.limited++
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds()+0.999)))
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"ok":false,"error":"ratelimited"}`)
		return
	}
	f.lastPost[ch] = now
	f.inWindow++
	f.posted[ch+" "+r.Form.Get("metadata")]++
	fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"%d.000100"}`, ch, now.UnixNano())
}

// 1,000 subscriptions fall due in the same minute, over 100 channels. All
// are delivered, none twice, close to the floor the rate limits set.
// Run with BRIEFBOT_LOADTEST=1; it prints the figures for the README.
func TestLoadThousandDigests(t *testing.T) {
	if os.Getenv("BRIEFBOT_LOADTEST") == "" {
		t.Skip("set BRIEFBOT_LOADTEST=1 to run the digest load test")
	}
	const (
		subs      = 1000
		channels  = 100
		perSecond = 150 // the workspace limit of the fake
	)
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "load.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	due := time.Now().Truncate(time.Minute)
	for i := range subs {
		err := db.SaveSubscription(ctx, bot.Subscription{
			ID: fmt.Sprintf("s%04d", i), Platform: bot.Platform("slack"), Channel: fmt.Sprintf("C%03d", i%channels),
			Schedule: "* * * * *", Include: "all", WhenEmpty: "post", Source: bot.SourceConfig, CreatedAt: due.Add(-time.Second),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	api := &rateLimitedSlack{perSecond: perSecond, lastPost: map[string]time.Time{}, posted: map[string]int{}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	poster, err := slack.New(slack.Config{BotToken: "xoxb-test", SigningSecret: "secret", Mode: slack.ModeHTTP, APIURL: srv.URL + "/"}, bot.New(bot.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	sched := digest.New(digest.Options{
		Store: db, Composer: bot.New(bot.Options{}), Owner: "load",
		Posters: map[bot.Platform]bot.Poster{bot.Platform("slack"): poster},
		Clock:   fixedClock{due},
	})

	start := time.Now()
	if _, err := sched.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)

	perChannel := subs / channels
	floor := max(time.Duration(perChannel-1)*time.Second, time.Duration(subs/perSecond-1)*time.Second)
	twice := 0
	for _, n := range api.posted {
		if n > 1 {
			twice++
		}
	}
	t.Logf("digest load: %d subscriptions over %d channels, workspace limit %d/s: delivered %d (%d twice) in %s; rate-limit floor %s; ratio %.2f; 429s seen %d",
		subs, channels, perSecond, len(api.posted), twice, took.Round(time.Millisecond), floor, took.Seconds()/floor.Seconds(), api.limited)
	if len(api.posted) != subs || twice != 0 {
		t.Errorf("delivered %d distinct digests (%d twice), want %d once each", len(api.posted), twice, subs)
	}
	if took > floor*12/10 {
		t.Errorf("took %s, more than 1.2x the floor of %s", took, floor)
	}
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                         { return c.t }
func (c fixedClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
