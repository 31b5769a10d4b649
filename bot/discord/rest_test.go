package discord

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

func TestRegisterCommands(t *testing.T) {
	const want = `[{"name":"brief","type":1,"description":"Read a news briefing, e.g. /brief kazakhstan risks",
		"options":[{"type":3,"name":"query","description":"A topic, a topic and section, list, search <words> or help","required":false,"autocomplete":true}]}]`
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
	ids, err := a.Post(context.Background(), "777", kazakhstanRisksReply(), PostOptions{Nonce: "sub-1/2025-11-07T08:00:00Z"})
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
	ids, err := a.Post(context.Background(), "777", longReply(), PostOptions{Nonce: "n"})
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
	a.Post(context.Background(), "777", longReply(), PostOptions{Nonce: "n"})
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
	ids, err := a.Post(context.Background(), "777", kazakhstanRisksReply(), PostOptions{})
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
	_, err = a.Post(context.Background(), "777", kazakhstanRisksReply(), PostOptions{})
	if err == nil || !strings.Contains(err.Error(), "channel 777") || !strings.Contains(err.Error(), "gave up after 5 attempts") {
		t.Errorf("err = %v, want a bounded failure naming the channel", err)
	}
	if n := len(api.requests()) - before; n != 5 {
		t.Errorf("%d attempts, want 5", n)
	}

	// A retry_after beyond the context's deadline fails at once.
	api.respond = func(int, recorded) (int, string) {
		return http.StatusTooManyRequests, `{"message":"limited","retry_after":30}`
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	if _, err := a.Post(ctx, "777", kazakhstanRisksReply(), PostOptions{}); err == nil || time.Since(start) > 500*time.Millisecond {
		t.Errorf("err = %v after %s, want a quick failure", err, time.Since(start))
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
		_, err := a.Post(context.Background(), "777", kazakhstanRisksReply(), PostOptions{})
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
		func() mention { m := base; m.GuildID = ""; return m }(),
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
		{Config{AppID: "1"}, "BRIEFBOT_DISCORD_TOKEN is required in gateway mode"},
		{Config{Token: "t", Mode: "http", AppID: "1"}, "BRIEFBOT_DISCORD_PUBLIC_KEY is required in http mode"},
		{Config{Mode: "http", AppID: "1", PublicKey: "xyz"}, "BRIEFBOT_DISCORD_PUBLIC_KEY is not valid hex"},
		{Config{Mode: "http", AppID: "1", PublicKey: "abcd"}, "BRIEFBOT_DISCORD_PUBLIC_KEY must be 32 bytes"},
		{Config{Token: "t"}, "BRIEFBOT_DISCORD_APP_ID is required"},
		{Config{Token: "t", AppID: "x1"}, "BRIEFBOT_DISCORD_APP_ID must be a numeric id"},
		{Config{Token: "t", AppID: "1", Mode: "webhook"}, "BRIEFBOT_DISCORD_MODE must be"},
		{Config{Token: "t", AppID: "1", Reply: "loud"}, "BRIEFBOT_DISCORD_REPLY must be"},
		{Config{Token: "t", AppID: "1", ShardID: 2, ShardCount: 2}, "BRIEFBOT_DISCORD_SHARD_ID 2 must be below"},
		{Config{Token: "t", AppID: "1", ShardID: 1}, "BRIEFBOT_DISCORD_SHARD_COUNT is not"},
		{Config{Token: "t", AppID: "1", APIURL: "discord.com"}, "BRIEFBOT_DISCORD_API_URL must be"},
		{Config{Mode: "http", AppID: "1", PublicKey: key, RegisterCommands: true}, "BRIEFBOT_DISCORD_TOKEN is required to register"},
	} {
		_, err := New(tc.cfg, &fakeAnswerer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want %q", tc.cfg, err, tc.want)
		}
	}
	a, err := New(Config{Mode: "http", AppID: "1", PublicKey: key}, &fakeAnswerer{})
	if err != nil {
		t.Fatalf("http mode without a token: %v", err)
	}
	if _, err := a.Post(context.Background(), "1", bot.Reply{}, PostOptions{}); err == nil || !strings.Contains(err.Error(), "BRIEFBOT_DISCORD_TOKEN") {
		t.Errorf("Post without a token: %v", err)
	}
}

func TestUseAPIURL(t *testing.T) {
	old := discordgo.EndpointAPI
	t.Cleanup(func() { useAPIURL(old) })
	if err := useAPIURL("http://127.0.0.1:9/api/v10/"); err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]string{
		"GatewayBot":           discordgo.EndpointGatewayBot,
		"ChannelMessages":      discordgo.EndpointChannelMessages("1"),
		"GlobalCommands":       discordgo.EndpointApplicationGlobalCommands("2"),
		"GuildCommands":        discordgo.EndpointApplicationGuildCommands("2", "3"),
		"InteractionResponse":  discordgo.EndpointInteractionResponse("4", "tok"),
		"WebhookMessage":       discordgo.EndpointWebhookMessage("5", "tok", "@original"),
		"User":                 discordgo.EndpointUser("@me"),
		"Guild":                discordgo.EndpointGuild("6"),
		"OAuth2Applications":   discordgo.EndpointOAuth2Applications,
		"Oauth2 (deprecated)":  discordgo.EndpointOauth2Applications,
		"VoiceRegions":         discordgo.EndpointVoiceRegions,
		"StickerPacks":         discordgo.EndpointNitroStickersPacks,
		"ApplicationRoleConns": discordgo.EndpointApplicationRoleConnectionMetadata("7"),
	} {
		if !strings.HasPrefix(got, "http://127.0.0.1:9/api/v10/") {
			t.Errorf("%s = %q, not under the configured base", name, got)
		}
	}
}
