package digest_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/digest"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/bot/store/storetest"
	"github.com/briefbot/briefbot/briefings"
)

const (
	kzBriefing  = "Kazakhstan\nAstana signs a transit accord with the EU.\n\nRisks & caveats\n- Sanctions exposure.\n"
	kzCorrected = "Kazakhstan\nAstana signs a transit accord with the EU and China.\n\nRisks & caveats\n- Sanctions exposure.\n"
	kzAgain     = "Kazakhstan\nAstana signs a transit accord with the EU, China and Turkey.\n\nRisks & caveats\n- Sanctions exposure.\n"
	uzBriefing  = "Uzbekistan\nTashkent opens its gas market.\n\nRisks & caveats\n- Currency controls.\n"
)

// correctionStore is a store the scheduler can correct digests with,
// which keeps the briefings' history, as store.DB does.
type correctionStore interface {
	bot.SlotStore
	bot.Store
	bot.CorrectionStore
	bot.FirstSeenStore
	bot.HistoryStore
}

// fakeStores is the in-memory correctionStore.
type fakeStores struct {
	*bottest.Store
	*bottest.History
}

// seenComposer composes digests with first-seen times, as cmd's does.
type seenComposer struct {
	core *bot.Bot
	seen *bot.FirstSeen
}

func (c seenComposer) Digest(ctx context.Context, dr bot.DigestRequest) (bot.Reply, bool) {
	dr.FirstSeen = c.seen
	return c.core.Digest(ctx, dr)
}

func (c seenComposer) Correction(ctx context.Context, cr bot.CorrectionRequest) (bot.Reply, []bot.BriefingVersion, bool) {
	cr.Digest.FirstSeen = c.seen
	return c.core.Correction(ctx, cr)
}

// correctionStores opens one store shared by the replicas of a test: the
// in-memory fake, SQLite, and PostgreSQL when BRIEFBOT_TEST_POSTGRES_URL
// is set.
var correctionStores = map[string]func(t *testing.T) correctionStore{
	"fake": func(t *testing.T) correctionStore { return fakeStores{bottest.NewStore(), bottest.NewHistory()} },
	"sqlite": func(t *testing.T) correctionStore {
		db, err := store.Open(t.Context(), "sqlite://"+filepath.Join(t.TempDir(), "briefbot.db"), nil)
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	},
	"postgres": func(t *testing.T) correctionStore {
		db, err := store.Open(t.Context(), storetest.PostgresURL(t), nil)
		if err != nil {
			t.Fatalf("open postgres: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	},
}

// newsroom is replicas sharing one store and one channel, each with its
// own core, all reading the same briefings.
type newsroom struct {
	store  correctionStore
	clock  *bottest.Clock
	poster *bottest.Poster
	cores  []*bot.Bot
	scheds []*digest.Scheduler
}

func newNewsroom(t *testing.T, st correctionStore, replicas int, texts ...string) *newsroom {
	t.Helper()
	n := &newsroom{store: st, clock: bottest.NewClock(date("2026-11-30T07:59:00Z")), poster: &bottest.Poster{}}
	for i := range replicas {
		core := bot.New(bot.Options{Library: n.library(t, texts...), Now: n.clock.Now, Store: st})
		n.cores = append(n.cores, core)
		n.scheds = append(n.scheds, digest.New(digest.Options{
			Store: st, Composer: seenComposer{core, bot.NewFirstSeen(st, n.clock.Now)}, Clock: n.clock, Owner: string(rune('A' + i)),
			Posters: map[bot.Platform]bot.Poster{"slack": n.poster},
		}))
	}
	return n
}

func (n *newsroom) library(t *testing.T, texts ...string) *briefings.Library {
	t.Helper()
	var bs []*briefings.Briefing
	for _, text := range texts {
		name := strings.ToLower(strings.SplitN(text, "\n", 2)[0]) + ".txt"
		b, problems := briefings.Parse(name, []byte(text), date("2026-11-30T06:00:00Z"))
		if b == nil {
			t.Fatalf("parse %s: %v", name, problems)
		}
		bs = append(bs, b)
	}
	return briefings.NewLibrary(bs)
}

// publish gives every replica the new briefings, as a reload does.
func (n *newsroom) publish(t *testing.T, texts ...string) {
	t.Helper()
	for _, c := range n.cores {
		c.SetLibrary(n.library(t, texts...))
	}
}

// tickAll runs a pass on every replica at once.
func (n *newsroom) tickAll(t *testing.T) {
	t.Helper()
	var wg sync.WaitGroup
	for _, s := range n.scheds {
		wg.Go(func() {
			if _, err := s.Tick(t.Context()); err != nil {
				t.Errorf("Tick: %v", err)
			}
		})
	}
	wg.Wait()
}

func (n *newsroom) subscribe(t *testing.T, mode string, window time.Duration) {
	t.Helper()
	sub := bot.Subscription{ID: "morning", Platform: "slack", Channel: "C1", Schedule: "0 8 * * *", Include: "new",
		WhenEmpty: "skip", Source: bot.SourceChat, CreatedAt: n.clock.Now(), Corrections: mode, CorrectionsWindow: window}
	if err := n.store.SaveSubscription(t.Context(), sub); err != nil {
		t.Fatal(err)
	}
}

func headings(r bot.Reply) []string {
	var out []string
	for _, s := range r.Sections {
		out = append(out, s.Heading)
	}
	return out
}

func replyText(r bot.Reply) string {
	parts := append([]string{r.Title}, r.Notes...)
	for _, s := range r.Sections {
		parts = append(parts, s.Heading)
		for _, b := range s.Blocks {
			parts = append(parts, b.Label, b.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// A briefing corrected after its digest went out edits the digest's
// message once, whichever of the replicas gets there first, and a later
// correction edits it again, once.
func TestCorrectionEditsPostedDigestOnce(t *testing.T) {
	for name, open := range correctionStores {
		t.Run(name, func(t *testing.T) {
			n := newNewsroom(t, open(t), 3, kzBriefing, uzBriefing)
			n.subscribe(t, "", 0)
			n.clock.Set(date("2026-11-30T08:00:00Z"))
			n.tickAll(t)
			posts := n.poster.Posts()
			if len(posts) != 1 {
				t.Fatalf("%d digests posted, want 1", len(posts))
			}
			n.tickAll(t)
			if edits := n.poster.Edits(); len(edits) != 0 {
				t.Fatalf("nothing changed, yet %d edits: %+v", len(edits), edits)
			}

			n.clock.Advance(2 * time.Hour)
			n.publish(t, kzCorrected, uzBriefing)
			n.tickAll(t)
			n.tickAll(t)
			edits := n.poster.Edits()
			if len(edits) != 1 {
				t.Fatalf("after one correction, %d edits, want 1: %+v", len(edits), edits)
			}
			e := edits[0]
			if e.Channel != "C1" || len(e.IDs) != 1 || e.IDs[0] != "m1" || e.Ref.Subscription != "morning" || !e.Ref.Slot.Equal(date("2026-11-30T08:00:00Z")) {
				t.Errorf("edit went to %s %v for %+v; want the digest's message m1 in C1", e.Channel, e.IDs, e.Ref)
			}
			if len(e.Reply.Notes) == 0 || e.Reply.Notes[0] != "Corrected Mon 30 Nov 10:00 UTC: Kazakhstan changed after this digest was posted." {
				t.Errorf("corrected digest's notes %q, want the Corrected marker first", e.Reply.Notes)
			}
			text := replyText(e.Reply)
			if !strings.Contains(text, "EU and China") || !strings.Contains(text, "Tashkent") {
				t.Errorf("corrected digest does not read as the digest does now:\n%s", text)
			}
			if got := headings(e.Reply); len(got) != 2 {
				t.Errorf("corrected digest shows %q, want Kazakhstan and Uzbekistan as posted", got)
			}

			n.clock.Advance(time.Hour)
			n.publish(t, kzAgain, uzBriefing)
			n.tickAll(t)
			n.tickAll(t)
			if edits := n.poster.Edits(); len(edits) != 2 || !strings.Contains(replyText(edits[1].Reply), "Turkey") {
				t.Errorf("after a second correction, %d edits, want 2, the last with it: %+v", len(edits), edits)
			}
			if posts := n.poster.Posts(); len(posts) != 1 {
				t.Errorf("corrections posted %d new digests, want none", len(posts)-1)
			}
		})
	}
}

// A briefing published after the digest is not a correction of it: the
// digest is only corrected for what it showed.
func TestNewBriefingIsNotACorrection(t *testing.T) {
	n := newNewsroom(t, correctionStores["fake"](t), 1, kzBriefing)
	n.subscribe(t, "", 0)
	n.clock.Set(date("2026-11-30T08:00:00Z"))
	n.tickAll(t)
	n.clock.Advance(time.Hour)
	n.publish(t, kzBriefing, uzBriefing)
	n.tickAll(t)
	if edits := n.poster.Edits(); len(edits) != 0 {
		t.Errorf("a new briefing edited the digest: %+v", edits)
	}
	n.publish(t, kzCorrected, uzBriefing)
	n.tickAll(t)
	edits := n.poster.Edits()
	if len(edits) != 1 {
		t.Fatalf("%d edits, want 1", len(edits))
	}
	if got := headings(edits[0].Reply); len(got) != 1 || got[0] != "Kazakhstan" {
		t.Errorf("corrected digest shows %q, want only Kazakhstan, as posted", got)
	}
}

// follow_up answers the digest in its thread with what changed, once.
func TestCorrectionFollowUp(t *testing.T) {
	for name, open := range correctionStores {
		t.Run(name, func(t *testing.T) {
			n := newNewsroom(t, open(t), 2, kzBriefing, uzBriefing)
			n.subscribe(t, bot.CorrectionsFollowUp, 0)
			n.clock.Set(date("2026-11-30T08:00:00Z"))
			n.tickAll(t)
			n.clock.Advance(30 * time.Minute)
			n.publish(t, kzCorrected, uzBriefing)
			n.tickAll(t)
			n.tickAll(t)
			if edits := n.poster.Edits(); len(edits) != 0 {
				t.Errorf("follow_up edited the digest: %+v", edits)
			}
			fs := n.poster.FollowUps()
			if len(fs) != 1 {
				t.Fatalf("%d follow-ups, want 1", len(fs))
			}
			f := fs[0]
			if f.Channel != "C1" || f.ID != "m1" {
				t.Errorf("follow-up replied to %s in %s, want m1 in C1", f.ID, f.Channel)
			}
			if f.Reply.Title != "Correction to the digest of Monday 30 November 2026" {
				t.Errorf("follow-up title %q", f.Reply.Title)
			}
			if got := headings(f.Reply); len(got) != 1 || got[0] != "Kazakhstan — "+bot.UpdatedMark {
				t.Errorf("follow-up shows %q, want Kazakhstan marked updated", got)
			}
			if text := replyText(f.Reply); !strings.Contains(text, "EU and China") || !strings.Contains(text, "Corrected Mon 30 Nov 08:30 UTC") {
				t.Errorf("follow-up does not show the change and when:\n%s", text)
			}
		})
	}
}

// corrections: off, and changes after the window, leave the digest alone.
func TestNoCorrectionWhenOffOrLate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mode   string
		window time.Duration
		after  time.Duration
	}{
		{"off", bot.CorrectionsOff, 0, time.Hour},
		{"after the default window", "", 0, 24*time.Hour + time.Minute},
		{"after a short window", "", 30 * time.Minute, 31 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNewsroom(t, correctionStores["fake"](t), 1, kzBriefing)
			n.subscribe(t, tc.mode, tc.window)
			n.clock.Set(date("2026-11-30T08:00:00Z"))
			n.tickAll(t)
			n.clock.Advance(tc.after)
			n.publish(t, kzCorrected)
			n.tickAll(t)
			if edits, fs := n.poster.Edits(), n.poster.FollowUps(); len(edits)+len(fs) != 0 {
				t.Errorf("digest corrected: %d edits, %d follow-ups", len(edits), len(fs))
			}
		})
	}
}

// A failed edit is tried again once its claim expires, and then only once.
func TestFailedCorrectionIsRetried(t *testing.T) {
	n := newNewsroom(t, correctionStores["fake"](t), 2, kzBriefing)
	n.subscribe(t, "", 0)
	n.clock.Set(date("2026-11-30T08:00:00Z"))
	n.tickAll(t)
	var (
		mu   sync.Mutex
		fail = true
	)
	n.poster.Fail = func(channel string, ref bot.SlotRef) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return errors.New("slack is down")
		}
		return nil
	}
	n.clock.Advance(time.Hour)
	n.publish(t, kzCorrected)
	n.tickAll(t)
	mu.Lock()
	fail = false
	mu.Unlock()
	n.tickAll(t)
	if edits := n.poster.Edits(); len(edits) != 0 {
		t.Fatalf("edited while the failed claim still held: %+v", edits)
	}
	n.clock.Advance(3 * time.Minute) // past the claim's lease (PostTimeout)
	n.tickAll(t)
	n.tickAll(t)
	if edits := n.poster.Edits(); len(edits) != 1 {
		t.Errorf("%d edits after the retry, want 1", len(edits))
	}
}

// A replica that starts after the digest went out, on the same database,
// corrects it: the message references are in the store.
func TestCorrectionAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "briefbot.db")
	open := func() correctionStore {
		db, err := store.Open(t.Context(), "sqlite://"+path, nil)
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		return db
	}
	before := open()
	n := newNewsroom(t, before, 1, kzBriefing)
	n.subscribe(t, "", 0)
	n.clock.Set(date("2026-11-30T08:00:00Z"))
	n.tickAll(t)
	if err := before.(*store.DB).Close(); err != nil {
		t.Fatal(err)
	}

	after := open()
	t.Cleanup(func() { after.(*store.DB).Close() })
	restarted := newNewsroom(t, after, 1, kzCorrected)
	restarted.poster = n.poster
	restarted.scheds[0] = digest.New(digest.Options{
		Store: after, Composer: seenComposer{restarted.cores[0], bot.NewFirstSeen(after, n.clock.Now)}, Clock: n.clock, Owner: "restarted",
		Posters: map[bot.Platform]bot.Poster{"slack": n.poster},
	})
	n.clock.Advance(time.Hour)
	restarted.tickAll(t)
	if edits := n.poster.Edits(); len(edits) != 1 || len(edits[0].IDs) != 1 || edits[0].IDs[0] != "m1" {
		t.Errorf("after a restart, edits %+v; want the posted message m1 edited once", edits)
	}
}

// slackEdits is a Slack Web API (slacktest) that posts and records every
// chat.update.
type slackEdits struct {
	mu      sync.Mutex
	posted  []string // ts of each chat.postMessage
	updates []url.Values
}

// Two replicas on one SQLite database, posting through the Slack
// adapter: the digest's message is updated with chat.update once.
func TestCorrectionThroughSlack(t *testing.T) {
	api := &slackEdits{}
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			api.mu.Lock()
			ts := fmt.Sprintf("1764489600.%06d", len(api.posted)+1)
			api.posted = append(api.posted, ts)
			api.mu.Unlock()
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, r.Form.Get("channel"), ts)
		})
		c.Handle("/chat.update", func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			api.mu.Lock()
			api.updates = append(api.updates, r.Form)
			api.mu.Unlock()
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, r.Form.Get("channel"), r.Form.Get("ts"))
		})
	})
	srv.Start()
	t.Cleanup(srv.Stop)
	poster, err := slack.New(slack.Config{BotToken: "xoxb-test", SigningSecret: "secret", Mode: slack.ModeHTTP,
		APIURL: srv.GetAPIURL(), PostInterval: -1}, bot.New(bot.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	n := newNewsroom(t, correctionStores["sqlite"](t), 2, kzBriefing)
	for i := range n.scheds {
		n.scheds[i] = digest.New(digest.Options{
			Store: n.store, Composer: seenComposer{n.cores[i], bot.NewFirstSeen(n.store, n.clock.Now)}, Clock: n.clock,
			Owner: fmt.Sprint("replica-", i), Posters: map[bot.Platform]bot.Poster{"slack": poster},
		})
	}
	n.subscribe(t, "", 0)
	n.clock.Set(date("2026-11-30T08:00:00Z"))
	n.tickAll(t)
	n.clock.Advance(time.Hour)
	n.publish(t, kzCorrected)
	n.tickAll(t)
	n.tickAll(t)

	api.mu.Lock()
	defer api.mu.Unlock()
	if len(api.posted) != 1 || len(api.updates) != 1 {
		t.Fatalf("%d posts and %d updates, want one of each", len(api.posted), len(api.updates))
	}
	u := api.updates[0]
	if u.Get("channel") != "C1" || u.Get("ts") != api.posted[0] {
		t.Errorf("chat.update of %s in %s, want the digest %s in C1", u.Get("ts"), u.Get("channel"), api.posted[0])
	}
	if blocks := u.Get("blocks"); !strings.Contains(blocks, "Corrected Mon 30 Nov 09:00 UTC") || !strings.Contains(blocks, "EU and China") {
		t.Errorf("chat.update blocks lack the marker or the corrected text: %s", blocks)
	}
}

// discordMessages is Discord's REST API for one channel: it posts,
// edits, and records each request.
type discordMessages struct {
	mu   sync.Mutex
	reqs []string // "POST /channels/…/messages {body}"
}

func (d *discordMessages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	d.mu.Lock()
	d.reqs = append(d.reqs, r.Method+" "+r.URL.Path+" "+string(body))
	n := len(d.reqs)
	d.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"9000%d"}`, n)
}

func (d *discordMessages) requests() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.reqs...)
}

// On Discord, edit mode edits the digest message and follow_up posts a
// reply referencing it, each once across two replicas.
func TestCorrectionThroughDiscord(t *testing.T) {
	const channel = "123456789012345678"
	for _, mode := range []string{bot.CorrectionsEdit, bot.CorrectionsFollowUp} {
		t.Run(mode, func(t *testing.T) {
			api := &discordMessages{}
			srv := httptest.NewServer(api)
			t.Cleanup(srv.Close)
			pub, _, err := ed25519.GenerateKey(nil)
			if err != nil {
				t.Fatal(err)
			}
			poster, err := discord.New(discord.Config{Token: "test-token", AppID: "111", PublicKey: hex.EncodeToString(pub),
				Mode: discord.ModeHTTP, APIURL: srv.URL + "/"}, bot.New(bot.Options{}))
			if err != nil {
				t.Fatal(err)
			}
			n := newNewsroom(t, correctionStores["sqlite"](t), 2, kzBriefing)
			for i := range n.scheds {
				n.scheds[i] = digest.New(digest.Options{
					Store: n.store, Composer: seenComposer{n.cores[i], bot.NewFirstSeen(n.store, n.clock.Now)}, Clock: n.clock,
					Owner: fmt.Sprint("replica-", i), Posters: map[bot.Platform]bot.Poster{"discord": poster},
				})
			}
			sub := bot.Subscription{ID: "morning", Platform: "discord", Channel: channel, Schedule: "0 8 * * *", Include: "new",
				WhenEmpty: "skip", Source: bot.SourceChat, CreatedAt: n.clock.Now(), Corrections: mode}
			if err := n.store.SaveSubscription(t.Context(), sub); err != nil {
				t.Fatal(err)
			}
			n.clock.Set(date("2026-11-30T08:00:00Z"))
			n.tickAll(t)
			n.clock.Advance(time.Hour)
			n.publish(t, kzCorrected)
			n.tickAll(t)
			n.tickAll(t)

			reqs := api.requests()
			if len(reqs) != 2 || !strings.HasPrefix(reqs[0], "POST /channels/"+channel+"/messages ") {
				t.Fatalf("requests %q, want the digest's post and one correction", reqs)
			}
			want := "PATCH /channels/" + channel + "/messages/90001 "
			if mode == bot.CorrectionsFollowUp {
				want = "POST /channels/" + channel + "/messages "
				if !strings.Contains(reqs[1], `"message_reference":{"message_id":"90001"`) {
					t.Errorf("follow-up does not reference the digest: %s", reqs[1])
				}
			}
			if !strings.HasPrefix(reqs[1], want) || !strings.Contains(reqs[1], "Corrected Mon 30 Nov 09:00 UTC") {
				t.Errorf("correction %s, want %s… with the marker", reqs[1], want)
			}
		})
	}
}
