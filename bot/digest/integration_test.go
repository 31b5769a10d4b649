package digest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

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
	// URL is the Web API base, ending in a slash.
	URL      string
	mu       sync.Mutex
	messages []fakeMessage
	// hold, when set, is called on each chat.postMessage. record says
	// whether Slack keeps the message; a non-nil wait holds the answer
	// until it closes, and the poster then gets an error: it died mid-post.
	hold func(slot string) (record bool, wait <-chan struct{})
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
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/chat.postMessage":
			var m fakeMessage
			m.Channel = r.Form.Get("channel")
			json.Unmarshal([]byte(r.Form.Get("metadata")), &m.Meta)
			slot, _ := m.Meta.EventPayload["slot"].(string)
			record, wait := true, (<-chan struct{})(nil)
			f.mu.Lock()
			hold := f.hold
			f.mu.Unlock()
			if hold != nil {
				record, wait = hold(slot)
			}
			f.mu.Lock()
			m.TS = strconv.Itoa(1_700_000_000+len(f.messages)) + ".000100"
			if record {
				f.messages = append(f.messages, m)
			}
			f.mu.Unlock()
			if wait != nil {
				<-wait
				http.Error(w, "poster is gone", http.StatusServiceUnavailable)
				return
			}
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
		}
	})
	// slack-go's own test server, with the two methods digests use
	// replaced by ones that keep metadata.
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", handler)
		c.Handle("/conversations.history", handler)
	})
	srv.Start()
	t.Cleanup(srv.Stop)
	f.URL = srv.GetAPIURL()
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
	a, err := slack.New(slack.Config{BotToken: "xoxb-test", SigningSecret: "secret", Mode: slack.ModeHTTP, APIURL: api}, bot.New(bot.Options{}))
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
	sub := bot.Subscription{ID: "morning", Platform: slack.Platform, Channel: "C0DIGEST", Schedule: "@every 1m",
		Include: "all", WhenEmpty: "post", Source: bot.SourceConfig, CreatedAt: clock.Now()}
	if err := db.SaveSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	const lease = 20 * time.Second
	replica := func(name string, st bot.SlotStore) *digest.Scheduler {
		return digest.New(digest.Options{
			Store: st, Composer: bot.New(bot.Options{}), Clock: clock, Owner: name, Lease: lease,
			Posters: map[bot.Platform]bot.Poster{slack.Platform: newSlackPoster(t, api.URL)},
		})
	}
	b, c := replica("b", db), replica("c", db)
	var zombies sync.WaitGroup
	release := make(chan struct{})
	defer func() { close(release); zombies.Wait() }()

	// killDuring starts a fresh replica, lets it claim the next slot and
	// stops it dead in the middle of its post: it never talks to the
	// store again, and Slack may or may not have kept the message.
	killDuring := func(name string, record bool) {
		st := &killableStore{SlotStore: db}
		a := replica(name, st)
		entered := make(chan struct{})
		api.mu.Lock()
		api.hold = func(string) (bool, <-chan struct{}) {
			st.dead.Store(true)
			close(entered)
			return record, release
		}
		api.mu.Unlock()
		zombies.Go(func() { a.Tick(ctx) })
		<-entered
		api.mu.Lock()
		api.hold = nil
		api.mu.Unlock()
	}
	both := func() {
		var wg sync.WaitGroup
		wg.Go(func() { b.Tick(ctx) })
		wg.Go(func() { c.Tick(ctx) })
		wg.Wait()
	}

	for minute := 1; minute <= 6; minute++ {
		clock.Set(time.Date(2026, 3, 1, 8, minute, 0, 0, time.UTC))
		switch minute {
		case 2:
			killDuring("a1", true) // the post reached Slack, the claim was never completed
		case 4:
			killDuring("a2", false) // the post never reached Slack
		}
		both()
		// After the lease, the survivors take over whatever was left behind.
		clock.Advance(lease + time.Second)
		both()
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
		switch d.Slot.Format("15:04") {
		case "08:02": // a1 posted and died: a survivor found its post
			if d.Owner == "a1" || len(d.MessageIDs) != 0 {
				t.Errorf("08:02 completed by %s with messages %v; want a survivor that found a1's post", d.Owner, d.MessageIDs)
			}
		case "08:04": // a2 died before Slack had it: a survivor posted
			if d.Owner == "a2" || len(d.MessageIDs) != 1 {
				t.Errorf("08:04 completed by %s with messages %v; want a survivor's own post", d.Owner, d.MessageIDs)
			}
		}
	}
	if len(ds) != 7 {
		t.Errorf("%d deliveries recorded, want 7", len(ds))
	}
}

// killableStore stands for the store as seen by a replica that may die:
// once dead, nothing it says reaches the store.
type killableStore struct {
	bot.SlotStore
	dead atomic.Bool
}

var errDead = errors.New("replica is dead")

func (s *killableStore) ExtendClaim(ctx context.Context, c bot.Claim, lease time.Duration, now time.Time) (bot.Claim, error) {
	if s.dead.Load() {
		return c, errDead
	}
	return s.SlotStore.ExtendClaim(ctx, c, lease, now)
}

func (s *killableStore) CompleteSlot(ctx context.Context, c bot.Claim, d bot.Delivery) (bot.Subscription, error) {
	if s.dead.Load() {
		return bot.Subscription{}, errDead
	}
	return s.SlotStore.CompleteSlot(ctx, c, d)
}
