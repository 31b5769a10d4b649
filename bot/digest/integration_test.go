package digest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/digest"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/bot/store/storetest"
)

// fakeSlack is a Web API that keeps the messages posted to it, with their
// metadata, and serves them back through conversations.history. A test can
// hold a post midway with hold.
type fakeSlack struct {
	*httptest.Server
	mu       sync.Mutex
	messages []fakeMessage
	// hold, when set, is called on each chat.postMessage before it is
	// answered; it may block. record says whether the message is kept, as
	// if Slack had received it before the poster died.
	hold func(slot string) (record bool)
}

type fakeMessage struct {
	Channel string
	TS      string
	Meta    struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/chat.postMessage":
			var m fakeMessage
			m.Channel = r.Form.Get("channel")
			json.Unmarshal([]byte(r.Form.Get("metadata")), &m.Meta)
			slot, _ := m.Meta.EventPayload["slot"].(string)
			record := true
			f.mu.Lock()
			hold := f.hold
			f.mu.Unlock()
			if hold != nil {
				record = hold(slot)
			}
			f.mu.Lock()
			m.TS = strconv.Itoa(1_700_000_000+len(f.messages)) + ".000100"
			if record {
				f.messages = append(f.messages, m)
			}
			f.mu.Unlock()
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, m.Channel, m.TS)
		case "/conversations.history":
			f.mu.Lock()
			var out []map[string]any
			for i := len(f.messages) - 1; i >= 0; i-- {
				m := f.messages[i]
				if m.Channel == r.Form.Get("channel") {
					out = append(out, map[string]any{"type": "message", "ts": m.TS, "text": "digest",
						"metadata": map[string]any{"event_type": m.Meta.EventType, "event_payload": m.Meta.EventPayload}})
				}
			}
			f.mu.Unlock()
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "has_more": false, "messages": out})
		default:
			fmt.Fprint(w, `{"ok":false,"error":"unknown_method"}`)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

// slots counts the digests in the channel by the slot in their metadata.
func (f *fakeSlack) slots() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int)
	for _, m := range f.messages {
		if m.Meta.EventType == slack.DigestEventType {
			out[m.Meta.EventPayload["slot"].(string)]++
		}
	}
	return out
}

func newSlackPoster(t *testing.T, api string) *slack.Adapter {
	t.Helper()
	a, err := slack.New(slack.Config{BotToken: "xoxb-test", SigningSecret: "secret", Mode: slack.ModeHTTP, APIURL: api + "/"}, bot.New(bot.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Three schedulers share one PostgreSQL store and one Slack workspace. One
// is killed in the middle of a post, once after Slack received the message
// and once before; every slot still appears in the channel exactly once.
func TestReplicasOnPostgresSurviveAKilledPoster(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.PostgresURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	api := newFakeSlack(t)
	clock := bottest.NewClock(time.Date(2026, 3, 1, 7, 59, 30, 0, time.UTC))
	sub := bot.Subscription{ID: "morning", Platform: bot.PlatformSlack, Channel: "C0DIGEST", Schedule: "@every 1m",
		Include: "all", WhenEmpty: "post", Source: bot.SourceConfig, CreatedAt: clock.Now()}
	if err := db.SaveSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	const lease = 20 * time.Second
	replica := func(name string) *digest.Scheduler {
		return digest.New(digest.Options{
			Store: db, Composer: bot.New(bot.Options{}), Clock: clock, Owner: name, Lease: lease,
			Posters: map[bot.Platform]bot.Poster{bot.PlatformSlack: newSlackPoster(t, api.URL)},
		})
	}
	a, b, c := replica("a"), replica("b"), replica("c")
	all := func() {
		var wg sync.WaitGroup
		for _, r := range []*digest.Scheduler{a, b, c} {
			wg.Go(func() { r.Tick(ctx) })
		}
		wg.Wait()
	}
	// killDuring runs a's tick, holds its post in the fake Slack, and
	// cancels a's context there, as if the process died mid-post.
	killDuring := func(record bool) {
		entered, release := make(chan struct{}), make(chan struct{})
		api.mu.Lock()
		api.hold = func(string) bool { close(entered); <-release; return record }
		api.mu.Unlock()
		actx, kill := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { a.Tick(actx); close(done) }()
		<-entered
		kill()
		<-done
		api.mu.Lock()
		api.hold = nil
		api.mu.Unlock()
		close(release)
	}

	for minute := 1; minute <= 6; minute++ {
		clock.Set(time.Date(2026, 3, 1, 8, minute, 0, 0, time.UTC))
		switch minute {
		case 2:
			killDuring(true) // the post reached Slack, the claim was never completed
		case 4:
			killDuring(false) // the post never reached Slack
		}
		all()
		// After the lease, the survivors take over whatever a left behind.
		clock.Advance(lease + time.Second)
		all()
	}

	got := api.slots()
	var slots []string
	for s, n := range got {
		slots = append(slots, s)
		if n != 1 {
			t.Errorf("slot %s posted %d times", s, n)
		}
	}
	sort.Strings(slots)
	if len(slots) != 7 {
		t.Errorf("posted slots %v, want the seven from 08:00 to 08:06", slots)
	}
	ds, err := db.Deliveries(ctx, "morning", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if !d.Outcome.Delivered() {
			t.Errorf("slot %s: outcome %s", d.Slot, d.Outcome)
		}
	}
	if len(ds) != 7 {
		t.Errorf("%d deliveries recorded, want 7", len(ds))
	}
}
