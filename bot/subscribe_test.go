package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
)

func subscribeBot(t *testing.T) (*bot.Bot, *bottest.Store, *int) {
	t.Helper()
	store := bottest.NewStore()
	changed := 0
	now := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC) // a Monday
	return bot.New(bot.Options{Store: store, SubscriptionsChanged: func() { changed++ }, Now: func() time.Time { return now }}), store, &changed
}

func manage(text string) bot.Request {
	return bot.Request{Platform: bot.Platform("slack"), Channel: "C1", User: "U1", Text: text, MayManage: func(context.Context) bool { return true }}
}

func TestSubscribe(t *testing.T) {
	tests := []struct {
		text               string
		schedule, timezone string
		topics             []string
	}{
		{"subscribe daily 08:00 Asia/Almaty kazakhstan", "0 8 * * *", "Asia/Almaty", []string{"kazakhstan"}},
		{"subscribe weekdays 07:30 utc", "30 7 * * 1-5", "UTC", nil},
		{"subscribe weekly monday 09:15 Europe/Berlin red sea shipping", "15 9 * * 1", "Europe/Berlin", []string{"red sea shipping"}},
		{"subscribe daily 18:00 red sea kazakhstan", "0 18 * * *", "UTC", []string{"red sea", "kazakhstan"}},
		{"subscribe daily 06:00 trade", "0 6 * * *", "UTC", []string{"trade"}}, // a tag
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			b, store, changed := subscribeBot(t)
			r := b.Handle(context.Background(), manage(tt.text))
			if r.Kind != bot.KindSubscriptions {
				t.Fatalf("kind %q, notes %q", r.Kind, r.Notes)
			}
			subs, _ := store.Subscriptions(context.Background())
			if len(subs) != 1 {
				t.Fatalf("%d subscriptions saved", len(subs))
			}
			s := subs[0]
			got := []any{s.Schedule, s.Timezone, s.Topics, s.Channel, s.Platform, s.Source, s.CreatedBy}
			want := []any{tt.schedule, tt.timezone, tt.topics, "C1", bot.Platform("slack"), bot.SourceChat, "U1"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("saved subscription (-want +got):\n%s", diff)
			}
			if *changed != 1 {
				t.Errorf("scheduler woken %d times, want 1", *changed)
			}
			if !strings.Contains(r.Lede[0], "Next:") {
				t.Errorf("confirmation lacks the next run: %q", r.Lede)
			}
		})
	}
}

func TestSubscribeRefusals(t *testing.T) {
	tests := map[string]struct {
		req  bot.Request
		want string
	}{
		"no rights":        {bot.Request{Platform: bot.Platform("slack"), Channel: "C1", Text: "subscribe daily 08:00"}, "manage this channel"},
		"weekly, no time":  {manage("subscribe weekly monday"), "what time"},
		"bad day":          {manage("subscribe weekly someday 08:00"), "not a day of the week"},
		"bad time":         {manage("subscribe daily 25:00"), "not a time of day"},
		"bad zone":         {manage("subscribe daily 08:00 Mars/Olympus"), "not a time zone"},
		"zone abbrev":      {manage("subscribe daily 08:00 EST"), "name the zone in full"},
		"unknown topic":    {manage("subscribe daily 08:00 kazakstan"), "did you mean Kazakhstan"},
		"too short":        {manage("subscribe daily"), "how often and at what time"},
		"unknown schedule": {manage("subscribe hourly 08:00"), "daily, weekdays or weekly"},
		"too many topics":  {manage("subscribe daily 08:00 a b c d e f g h i j k"), "at most 10 topics, not 11"},
		"topic too long":   {manage("subscribe daily 08:00 " + strings.Repeat("x", 65)), "at most 64 characters"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			b, store, _ := subscribeBot(t)
			r := b.Handle(context.Background(), tt.req)
			if r.Kind != bot.KindError || !strings.Contains(strings.Join(r.Notes, " "), tt.want) {
				t.Errorf("kind %q, notes %q; want an error saying %q", r.Kind, r.Notes, tt.want)
			}
			if subs, _ := store.Subscriptions(context.Background()); len(subs) != 0 {
				t.Errorf("a refused subscription was saved: %+v", subs)
			}
		})
	}
}

// A subscribe sent again (a replay, a double click) makes no second
// digest: the same schedule, zone and topics in any order are refused
// with the existing subscription named; another time or topic is not.
func TestSubscribeRefusesIdenticalSubscription(t *testing.T) {
	b, store, changed := subscribeBot(t)
	ctx := context.Background()
	first := b.Handle(ctx, manage("subscribe daily 18:00 red sea kazakhstan"))
	if first.Kind != bot.KindSubscriptions {
		t.Fatalf("first subscribe: %q %q", first.Kind, first.Notes)
	}
	subs, _ := store.Subscriptions(ctx)
	for _, text := range []string{"subscribe daily 18:00 red sea kazakhstan", "subscribe daily 18:00 UTC kazakhstan red sea"} {
		r := b.Handle(ctx, manage(text))
		if r.Kind != bot.KindError || !strings.Contains(strings.Join(r.Notes, " "), "already has this digest: subscription "+subs[0].ID) {
			t.Errorf("%s: kind %q, notes %q; want a refusal naming %s", text, r.Kind, r.Notes, subs[0].ID)
		}
	}
	if r := b.Handle(ctx, manage("subscribe daily 19:00 red sea kazakhstan")); r.Kind != bot.KindSubscriptions {
		t.Errorf("another time refused: %q", r.Notes)
	}
	other := manage("subscribe daily 18:00 red sea kazakhstan")
	other.Channel = "C2"
	if r := b.Handle(ctx, other); r.Kind != bot.KindSubscriptions {
		t.Errorf("another channel refused: %q", r.Notes)
	}
	if subs, _ := store.Subscriptions(ctx); len(subs) != 3 {
		t.Errorf("%d subscriptions, want 3", len(subs))
	}
	if *changed != 3 {
		t.Errorf("scheduler woken %d times, want 3", *changed)
	}
}

func TestSubscriptionsAndUnsubscribe(t *testing.T) {
	b, store, _ := subscribeBot(t)
	ctx := context.Background()
	b.Handle(ctx, manage("subscribe daily 08:00 Asia/Almaty kazakhstan"))
	store.SaveSubscription(ctx, bot.Subscription{ID: "cfg", Platform: bot.Platform("slack"), Channel: "C1", Schedule: "@daily", Source: bot.SourceConfig})
	store.SaveSubscription(ctx, bot.Subscription{ID: "elsewhere", Platform: bot.Platform("slack"), Channel: "C2", Schedule: "@daily", Source: bot.SourceChat})

	list := b.Handle(ctx, bot.Request{Platform: bot.Platform("slack"), Channel: "C1", Text: "subscriptions"})
	if len(list.Items) != 2 {
		t.Fatalf("C1 lists %d subscriptions, want its 2: %+v", len(list.Items), list.Items)
	}
	var chatID string
	for _, it := range list.Items {
		if strings.Contains(it.Title, "elsewhere") {
			t.Errorf("another channel's subscription listed: %+v", it)
		}
		if strings.HasPrefix(it.Title, "sub-") {
			chatID = strings.SplitN(it.Title, ":", 2)[0]
			// 06:00 UTC on Monday is 11:00 in Almaty: the next digest is Tuesday's.
			if !strings.Contains(it.Text, "next Tue 3 Mar 2026 08:00 +05") {
				t.Errorf("item lacks the next run in Almaty: %q", it.Text)
			}
			if !strings.Contains(it.Text, "never delivered") {
				t.Errorf("item lacks the last delivery: %q", it.Text)
			}
		}
	}

	if r := b.Handle(ctx, manage("unsubscribe cfg")); r.Kind != bot.KindError || !strings.Contains(r.Notes[0], "configuration file") {
		t.Errorf("unsubscribing a configured digest: %+v", r)
	}
	if r := b.Handle(ctx, manage("unsubscribe elsewhere")); r.Kind != bot.KindError {
		t.Errorf("unsubscribed another channel's digest: %+v", r)
	}
	if r := b.Handle(ctx, bot.Request{Platform: bot.Platform("slack"), Channel: "C1", Text: "unsubscribe " + chatID}); r.Kind != bot.KindError {
		t.Errorf("unsubscribed without rights: %+v", r)
	}
	if r := b.Handle(ctx, manage("unsubscribe "+chatID)); r.Kind != bot.KindSubscriptions {
		t.Errorf("unsubscribe %s: %+v", chatID, r)
	}
	if _, err := store.Subscription(ctx, chatID); err == nil {
		t.Errorf("subscription %s still stored", chatID)
	}
}

func TestDigestPreviewIsPrivate(t *testing.T) {
	b, _, _ := subscribeBot(t)
	r := b.Handle(context.Background(), bot.Request{Platform: bot.Platform("slack"), Channel: "C1", Text: "digest kazakhstan"})
	if r.Kind != bot.KindDigest || r.Visibility != bot.VisibilityPrivate {
		t.Fatalf("kind %q visibility %q", r.Kind, r.Visibility)
	}
	if len(r.Sections) != 1 || r.Sections[0].Heading != "Kazakhstan" {
		t.Errorf("preview sections %+v, want Kazakhstan only", r.Sections)
	}
}

// panicStore fails in the worst way, to prove one bad command cannot take
// the bot down.
type panicStore struct{ *bottest.Store }

func (panicStore) Subscriptions(context.Context) ([]bot.Subscription, error) { panic("boom") }

func TestHandleSurvivesPanic(t *testing.T) {
	b := bot.New(bot.Options{Store: panicStore{bottest.NewStore()}})
	r := b.Handle(context.Background(), bot.Request{Platform: bot.Platform("slack"), Channel: "C1", Text: "subscriptions"})
	if r.Kind != bot.KindError || len(r.Notes) == 0 {
		t.Errorf("after a panic: %+v, want an error reply", r)
	}
	if r := b.Handle(context.Background(), bot.Request{Text: "kazakhstan risks"}); r.Kind != bot.KindSection {
		t.Errorf("the bot stopped answering after a panic: %+v", r)
	}
}

func TestDigestByTagAndAlias(t *testing.T) {
	b, _, _ := subscribeBot(t)
	for q, want := range map[string]string{"digest shipping": "Red Sea shipping", "digest казахстан": "Kazakhstan"} {
		r := b.Handle(context.Background(), bot.Request{Platform: bot.Platform("slack"), Channel: "C1", Text: q})
		var got []string
		for _, s := range r.Sections {
			got = append(got, s.Heading)
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%q: sections %q, want just %q", q, got, want)
		}
	}
}

// TestRightsAskedOnlyToChangeSubscriptions: the adapter's rights check,
// which may cost a platform call, runs for subscribe and unsubscribe, and
// once for help (which teaches digests to those who may manage them), and
// for nothing else; answers name the command the user typed.
func TestRightsAskedOnlyToChangeSubscriptions(t *testing.T) {
	b, _, _ := subscribeBot(t)
	for _, tt := range []struct {
		text  string
		asked int
	}{
		{"kazakhstan risks", 0},
		{"subscriptions", 0},
		{"digest kazakhstan", 0},
		{"help", 1},
		{"subscribe daily 08:00 kazakhstan", 1},
		{"unsubscribe x", 1},
		{"SUBSCRIBE daily 08:00", 1},
	} {
		asked := 0
		req := bot.Request{Platform: "discord", Channel: "C1", User: "U1", Command: "/briefing", Text: tt.text,
			MayManage: func(context.Context) bool { asked++; return false }}
		r := b.Handle(context.Background(), req)
		if asked != tt.asked {
			t.Errorf("%q asked for rights %d times, want %d", tt.text, asked, tt.asked)
		}
		if tt.text == "subscriptions" && !strings.Contains(strings.Join(r.Notes, " "), "/briefing subscribe") {
			t.Errorf("%q: notes %q do not name the typed command", tt.text, r.Notes)
		}
	}
}

// TestHelpNamesTheTypedCommand: a Discord user is told Discord's command,
// not the one configured for Slack.
func TestHelpNamesTheTypedCommand(t *testing.T) {
	b := bot.New(bot.Options{Command: "/slackbrief"})
	r := b.Handle(context.Background(), bot.Request{Platform: "discord", Command: "/brief", Text: "help"})
	text := strings.Join(r.Lede, " ")
	if !strings.Contains(text, "/brief <topic>") || strings.Contains(text, "/slackbrief") {
		t.Errorf("help lede %q does not name the typed command", r.Lede)
	}
}

// A digest's "More:" lines use the command of the platform it goes to.
func TestDigestUsesRequestCommand(t *testing.T) {
	b := bot.New(bot.Options{Command: "/slackbrief"})
	r, ok := b.Digest(context.Background(), bot.DigestRequest{Subscription: bot.Subscription{Include: "all"}, Command: "/brief"})
	if !ok || len(r.Sections) == 0 {
		t.Fatalf("digest of the samples is empty: %+v", r)
	}
	last := r.Sections[0].Blocks[len(r.Sections[0].Blocks)-1].Text
	if !strings.HasPrefix(last, "More: /brief ") {
		t.Errorf("more line %q, want the request's command", last)
	}
}
