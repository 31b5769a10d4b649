package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

func TestRegisterCommands(t *testing.T) {
	// /brief for everyone, in servers, DMs and user installs; /brief-manage
	// for moderators (Manage Channels, 16) in servers only.
	const want = `[{"name":"brief","type":1,"description":"Read a news briefing, e.g. /brief kazakhstan risks",
		"name_localizations":{"de":"briefing","es-ES":"informe"},
		"description_localizations":{"de":"Ein Nachrichten-Briefing lesen, z. B. /briefing kazakhstan risks","es-ES":"Lee un informe de noticias, p. ej. /informe kazakhstan risks"},
		"options":[{"type":3,"name":"query","description":"A topic, a topic and section, list, search <words> or help","required":false,"autocomplete":true,
			"description_localizations":{"de":"Ein Thema, Thema und Abschnitt, list, search <Wörter> oder help","es-ES":"Un tema, un tema y una sección, list, search <palabras> o help"}}],
		"default_member_permissions":null,"contexts":[0,1,2],"integration_types":[0,1]},
		{"name":"brief-manage","type":1,"description":"Manage this channel's daily briefing digests",
		"description_localizations":{"de":"Die täglichen Briefing-Digests dieses Kanals verwalten","es-ES":"Gestiona los resúmenes diarios de este canal"},
		"options":[{"type":3,"name":"query","description":"subscribe daily 08:00 Europe/Berlin kazakhstan | subscriptions | unsubscribe ID","required":true,"autocomplete":false}],
		"default_member_permissions":"16","contexts":[0],"integration_types":[0]}]`
	for _, tc := range []struct{ guild, path string }{
		{"", "/applications/111/commands"},
		{"888", "/applications/111/guilds/888/commands"},
	} {
		api := newFakeDiscord(t)
		api.respond = func(int, recorded) (int, string) { return 200, "[]" }
		a := newTestAdapter(t, newSigner(t), api.URL, &fakeAnswerer{}, func(c *Config) { c.GuildID = tc.guild })
		if err := a.RegisterCommands(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := api.requests()
		if len(got) != 1 || got[0].Method != http.MethodPut || got[0].Path != tc.path || got[0].Auth != "Bot test-token" {
			t.Fatalf("guild %q: requests %+v, want one PUT %s", tc.guild, got, tc.path)
		}
		if diff := cmp.Diff(jsonValue(t, want), jsonValue(t, got[0].Body)); diff != "" {
			t.Errorf("guild %q: body (-want +got):\n%s", tc.guild, diff)
		}
	}
}

func TestPost(t *testing.T) {
	api := newFakeDiscord(t)
	a := newTestAdapter(t, newSigner(t), api.URL, &fakeAnswerer{}, nil)
	ids, err := post(a, context.Background(), "777", kazakhstanRisksReply(), PostOptions{Nonce: "sub-1/2025-11-07T08:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"90001"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	got := api.requests()
	if len(got) != 1 || got[0].Method != http.MethodPost || got[0].Path != "/channels/777/messages" || got[0].Auth != "Bot test-token" {
		t.Fatalf("requests %+v", got)
	}
	m := renderReply(kazakhstanRisksReply())[0]
	m.Nonce, m.EnforceNonce = partNonce("sub-1/2025-11-07T08:00:00Z", 0), true
	want, _ := json.Marshal(m)
	if diff := cmp.Diff(jsonValue(t, string(want)), jsonValue(t, got[0].Body)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	var body map[string]any
	json.Unmarshal([]byte(got[0].Body), &body)
	if diff := cmp.Diff(map[string]any{"parse": []any{}}, body["allowed_mentions"]); diff != "" {
		t.Errorf("allowed_mentions (-want +got):\n%s", diff)
	}
	if n, _ := body["nonce"].(string); len(n) != 25 || body["enforce_nonce"] != true {
		t.Errorf("nonce %q enforce_nonce %v, want 25 characters and true", n, body["enforce_nonce"])
	}
	if _, ok := body["flags"]; ok {
		t.Errorf("a channel post must not be ephemeral: %s", got[0].Body)
	}
}

func TestPostSplitNonces(t *testing.T) {
	api := newFakeDiscord(t)
	a := newTestAdapter(t, newSigner(t), api.URL, &fakeAnswerer{}, nil)
	ids, err := post(a, context.Background(), "777", longReply(), PostOptions{Nonce: "n"})
	if err != nil {
		t.Fatal(err)
	}
	parts := len(renderReply(longReply()))
	if len(ids) != parts {
		t.Fatalf("%d ids for %d parts", len(ids), parts)
	}
	seen := map[string]bool{}
	for i, r := range api.requests() {
		var m message
		json.Unmarshal([]byte(r.Body), &m)
		if m.Nonce != partNonce("n", i) || !m.EnforceNonce || seen[m.Nonce] {
			t.Errorf("part %d: nonce %q enforce %v", i, m.Nonce, m.EnforceNonce)
		}
		seen[m.Nonce] = true
	}
	// The same digest posted again carries the same nonces, so Discord
	// returns the earlier messages instead of posting twice.
	before := len(api.requests())
	post(a, context.Background(), "777", longReply(), PostOptions{Nonce: "n"})
	for i, r := range api.requests()[before:] {
		var m message
		json.Unmarshal([]byte(r.Body), &m)
		if m.Nonce != partNonce("n", i) {
			t.Errorf("retry part %d: nonce %q differs", i, m.Nonce)
		}
	}
}

func TestPostRetriesRateLimit(t *testing.T) {
	api := newFakeDiscord(t)
	api.respond = func(n int, _ recorded) (int, string) {
		if n <= 2 {
			return http.StatusTooManyRequests, `{"message":"You are being rate limited.","retry_after":0.01,"global":false}`
		}
		return 200, `{"id":"123"}`
	}
	a := newTestAdapter(t, newSigner(t), api.URL, &fakeAnswerer{}, nil)
	ids, err := post(a, context.Background(), "777", kazakhstanRisksReply(), PostOptions{})
	if err != nil || len(ids) != 1 || ids[0] != "123" {
		t.Fatalf("Post = %v, %v; want the message after two 429s", ids, err)
	}
	if n := len(api.requests()); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}

	// Always limited: give up after maxAttempts.
	api.respond = func(int, recorded) (int, string) {
		return http.StatusTooManyRequests, `{"message":"limited","retry_after":0.001}`
	}
	before := len(api.requests())
	_, err = post(a, context.Background(), "777", kazakhstanRisksReply(), PostOptions{})
	if err == nil || !strings.Contains(err.Error(), "channel 777") || !strings.Contains(err.Error(), "gave up after 5 attempts") {
		t.Errorf("err = %v, want a bounded failure naming the channel", err)
	}
	if n := len(api.requests()) - before; n != 5 {
		t.Errorf("%d attempts, want 5", n)
	}

	// A retry_after beyond the context's deadline fails at once, without
	// waiting: the deadline is an hour away, the retry two.
	api.respond = func(int, recorded) (int, string) {
		return http.StatusTooManyRequests, `{"message":"limited","retry_after":7200}`
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	before = len(api.requests())
	if _, err := post(a, ctx, "777", kazakhstanRisksReply(), PostOptions{}); err == nil || !strings.Contains(err.Error(), "rate limited for 2h0m0s") && !strings.Contains(err.Error(), "would pass the deadline") {
		t.Errorf("err = %v, want a failure saying the retry is too far", err)
	}
	if n := len(api.requests()) - before; n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

func TestPostPermanentErrors(t *testing.T) {
	for _, tc := range []struct {
		status    int
		body      string
		permanent bool
	}{
		{404, `{"message":"Unknown Channel","code":10003}`, true},
		{403, `{"message":"Missing Access","code":50001}`, true},
		{403, `{"message":"Missing Permissions","code":50013}`, true},
		{400, `{"message":"Invalid Form Body","code":50035}`, false},
		{503, `upstream down`, false},
	} {
		api := newFakeDiscord(t)
		api.respond = func(int, recorded) (int, string) { return tc.status, tc.body }
		a := newTestAdapter(t, newSigner(t), api.URL, &fakeAnswerer{}, nil)
		_, err := post(a, context.Background(), "777", kazakhstanRisksReply(), PostOptions{})
		if err == nil || !strings.Contains(err.Error(), "777") {
			t.Fatalf("%s: err = %v, want an error naming the channel", tc.body, err)
		}
		var pe *PermanentError
		if errors.As(err, &pe) != tc.permanent || bot.IsPermanent(err) != tc.permanent {
			t.Errorf("%s: permanent = %v, want %v (%v)", tc.body, errors.As(err, &pe), tc.permanent, err)
		}
		if tc.permanent && pe.Channel != "777" {
			t.Errorf("PermanentError.Channel = %q", pe.Channel)
		}
	}
}

func TestMention(t *testing.T) {
	api := newFakeDiscord(t)
	ans := &fakeAnswerer{replies: map[string]bot.Reply{"kazakhstan risks": kazakhstanRisksReply()}}
	a := newTestAdapter(t, newSigner(t), api.URL, ans, nil)
	a.selfID.Store("500")
	ctx := context.Background()
	base := mention{ID: "m1", ChannelID: "777", GuildID: "888", AuthorID: "42", Content: "<@!500> kazakhstan   risks", Mentioned: []string{"500"}}

	ignored := []mention{
		func() mention { m := base; m.AuthorBot = true; return m }(),
		func() mention { m := base; m.AuthorID = "500"; return m }(),
		func() mention { m := base; m.Content = "<@600> kazakhstan"; m.Mentioned = []string{"600"}; return m }(),
	}
	for _, m := range ignored {
		a.handleMention(ctx, m)
	}
	if n := len(api.requests()); n != 0 {
		t.Fatalf("%d posts for messages that must be ignored", n)
	}

	a.handleMention(ctx, base)
	got := api.requests()
	if len(got) != 1 || got[0].Path != "/channels/777/messages" {
		t.Fatalf("requests %+v", got)
	}
	m := renderReply(kazakhstanRisksReply())[0]
	m.MessageReference = &messageReference{MessageID: "m1", ChannelID: "777", GuildID: "888"}
	want, _ := json.Marshal(m)
	if diff := cmp.Diff(jsonValue(t, string(want)), jsonValue(t, got[0].Body)); diff != "" {
		t.Errorf("reply body (-want +got):\n%s", diff)
	}
	if q := ans.requests(); len(q) != 1 || q[0].Text != "kazakhstan risks" || q[0].User != "42" {
		t.Errorf("core asked %+v", q)
	}
}

func TestNewErrors(t *testing.T) {
	key := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{AppID: "1"}, "Token is required in gateway mode"},
		{Config{Token: "t", Mode: "http", AppID: "1"}, "PublicKey is required in http mode"},
		{Config{Mode: "http", AppID: "1", PublicKey: "xyz"}, "PublicKey is not valid hex"},
		{Config{Mode: "http", AppID: "1", PublicKey: "abcd"}, "PublicKey must be 32 bytes"},
		{Config{Token: "t"}, "AppID is required"},
		{Config{Token: "t", AppID: "x1"}, "AppID must be a numeric id"},
		{Config{Token: "t", AppID: "1", Mode: "webhook"}, "Mode must be"},
		{Config{Token: "t", AppID: "1", Reply: "loud"}, "Reply must be"},
		{Config{Token: "t", AppID: "1", ShardID: 2, ShardCount: 2}, "ShardID 2 must be below"},
		{Config{Token: "t", AppID: "1", ShardID: 1}, "ShardID is set but ShardCount is not"},
		{Config{Token: "t", AppID: "1", APIURL: "discord.com"}, "APIURL must be"},
		{Config{Token: "t", AppID: "1", GuildID: "guild"}, `GuildID must be a numeric id, not "guild"`},
		{Config{Mode: "http", AppID: "1", PublicKey: key, RegisterCommands: true}, "Token is required to register"},
	} {
		_, err := New(tc.cfg, &fakeAnswerer{})
		var fe *FieldError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(tc.want, fe.Field) {
			t.Errorf("New(%+v) = %v, want a *FieldError %q", tc.cfg, err, tc.want)
		}
	}
	a, err := New(Config{Mode: "http", AppID: "1", PublicKey: key}, &fakeAnswerer{})
	if err != nil {
		t.Fatalf("http mode without a token: %v", err)
	}
	if _, err := post(a, context.Background(), "1", bot.Reply{}, PostOptions{}); err == nil || !errors.Is(err, errNoToken) {
		t.Errorf("Post without a token: %v", err)
	}
}

// TestCheckReportsEveryField: an operator fixes every wrong field in one
// go, and Check agrees with New.
func TestCheckReportsEveryField(t *testing.T) {
	cfg := Config{Mode: "http", AppID: "x1", GuildID: "g", PublicKey: "abcd", ShardID: 3, ShardCount: 2, APIURL: "ftp://x"}
	err := cfg.Check()
	var fields []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *FieldError
		if !errors.As(e, &fe) {
			t.Fatalf("%v is not a *FieldError", e)
		}
		fields = append(fields, fe.Field)
	}
	if diff := cmp.Diff([]string{"AppID", "GuildID", "PublicKey", "ShardID", "APIURL"}, fields); diff != "" {
		t.Errorf("fields reported (-want +got):\n%s", diff)
	}
	if _, nerr := New(cfg, &fakeAnswerer{}); nerr == nil || nerr.Error() != err.Error() {
		t.Errorf("New = %v, want Check's error %v", nerr, err)
	}
	if err := (Config{Token: "t", AppID: "1"}).Check(); err != nil {
		t.Errorf("a gateway config: %v", err)
	}
}

// TestTwoAdaptersTwoAPIs: two adapters in one process each send
// discordgo's REST calls (here the gateway lookup that opening a session
// makes) to their own API base, and discordgo's package variables stay
// as they were.
func TestTwoAdaptersTwoAPIs(t *testing.T) {
	endpoint := discordgo.EndpointAPI
	apis := []*fakeDiscord{newFakeDiscord(t), newFakeDiscord(t)}
	for i, api := range apis {
		api.respond = func(int, recorded) (int, string) {
			return 200, fmt.Sprintf(`{"url":"wss://gateway-%d.invalid","shards":1}`, i)
		}
	}
	var sessions []*discordgo.Session
	for _, api := range apis {
		a := newTestAdapter(t, newSigner(t), api.URL, &fakeAnswerer{}, nil)
		s, err := a.newSession()
		if err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, s)
	}
	for i, s := range sessions {
		gw, err := s.GatewayBot()
		if err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
		if want := fmt.Sprintf("wss://gateway-%d.invalid/", i); gw.URL != want {
			t.Errorf("session %d got gateway %q from the wrong API, want %q", i, gw.URL, want)
		}
	}
	for i, api := range apis {
		reqs := api.requests()
		if len(reqs) != 1 || reqs[0].Path != "/gateway/bot" {
			t.Errorf("API %d received %+v, want one gateway/bot request", i, reqs)
		}
	}
	if discordgo.EndpointAPI != endpoint {
		t.Errorf("discordgo.EndpointAPI changed to %q", discordgo.EndpointAPI)
	}
}

// post renders r and posts it to channel, as a digest does without its
// footer.
func post(a *Adapter, ctx context.Context, channel string, r bot.Reply, opts PostOptions) ([]string, error) {
	if err := a.checkPostable(channel); err != nil {
		return nil, err
	}
	return a.postMessages(ctx, channel, renderReply(r), opts, nil)
}
