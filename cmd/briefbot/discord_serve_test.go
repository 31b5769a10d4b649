package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discord"
)

// discordClient signs interactions as Discord does.
type discordClient struct {
	url  string
	priv ed25519.PrivateKey
}

func (c discordClient) send(t *testing.T, body string, sign bool, at time.Time) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.url, strings.NewReader(body))
	if sign {
		ts := strconv.FormatInt(at.Unix(), 10)
		req.Header.Set("X-Signature-Timestamp", ts)
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(c.priv, []byte(ts+body))))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func slashCommand(typ int, query string) string {
	b, _ := json.Marshal(map[string]any{
		"id": "1", "application_id": "111", "type": typ, "token": "itok", "channel_id": "777", "guild_id": "888",
		"member": map[string]any{"user": map[string]any{"id": "42"}, "permissions": "0"},
		"data": map[string]any{"id": "9", "name": "brief", "type": 1,
			"options": []map[string]any{{"name": "query", "type": 3, "value": query, "focused": typ == 4}}},
	})
	return string(b)
}

// The check: serve in Discord HTTP mode answers PING, /brief and
// autocomplete, and refuses forged and unsigned calls.
func TestServeDiscordHTTP(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := startServeWith(t, map[string]string{
		"BRIEFBOT_DISCORD_MODE":              "http",
		"BRIEFBOT_DISCORD_PUBLIC_KEY":        hex.EncodeToString(pub),
		"BRIEFBOT_DISCORD_APP_ID":            "111",
		"BRIEFBOT_DISCORD_TOKEN":             "discord-test-token",
		"BRIEFBOT_DISCORD_REGISTER_COMMANDS": "false",
		"BRIEFBOT_DISCORD_API_URL":           newFakeSlackAPI(t) + "/",
	})
	c := discordClient{url: "http://" + s.addr + discord.InteractionsPath, priv: priv}
	now := time.Now()

	if code, body := c.send(t, `{"type":1}`, true, now); code != 200 || !strings.Contains(body, `"type":1`) {
		t.Errorf("PING: %d %s, want PONG", code, body)
	}

	code, body := c.send(t, slashCommand(2, "mars risks"), true, now)
	if code != 200 {
		t.Fatalf("/brief mars risks: %d %s", code, body)
	}
	var resp struct {
		Type int `json:"type"`
		Data struct {
			Embeds          []json.RawMessage `json:"embeds"`
			AllowedMentions struct {
				Parse []string `json:"parse"`
			} `json:"allowed_mentions"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil || resp.Type != 4 || len(resp.Data.Embeds) == 0 {
		t.Fatalf("answer is not an embed message: %v %s", err, body)
	}
	if !strings.Contains(body, "Storms cover the planet") || strings.Contains(body, "Sample return") {
		t.Errorf("answer should hold exactly the risks section:\n%s", body)
	}
	if resp.Data.AllowedMentions.Parse == nil || len(resp.Data.AllowedMentions.Parse) != 0 || !strings.Contains(body, `"allowed_mentions":{"parse":[]}`) {
		t.Errorf("allowed_mentions.parse is not an empty list:\n%s", body)
	}

	code, body = c.send(t, slashCommand(4, "mar"), true, now)
	if code != 200 || !strings.Contains(body, `"type":8`) || !strings.Contains(body, `"value":"mars"`) {
		t.Errorf("autocomplete for \"mar\": %d %s, want a Mars choice", code, body)
	}

	forged := discordClient{url: c.url, priv: ed25519.NewKeyFromSeed(make([]byte, 32))}
	if code, _ := forged.send(t, slashCommand(2, "mars"), true, now); code != http.StatusUnauthorized {
		t.Errorf("forged: %d, want 401", code)
	}
	if code, _ := c.send(t, slashCommand(2, "mars"), false, now); code != http.StatusUnauthorized {
		t.Errorf("unsigned: %d, want 401", code)
	}
	if code, _ := c.send(t, slashCommand(2, "mars"), true, now.Add(-10*time.Minute)); code != http.StatusUnauthorized {
		t.Errorf("replayed: %d, want 401", code)
	}
	if strings.Contains(s.logs.String(), "discord-test-token") {
		t.Errorf("the log holds the Discord token")
	}
}

// "briefbot discord register" puts /brief to the configured API, and a
// missing token is reported as the setting to fix.
func TestDiscordRegister(t *testing.T) {
	var got []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[]`)
	}))
	defer api.Close()
	r := runEnv(t, map[string]string{
		"BRIEFBOT_DISCORD_TOKEN":   "tok",
		"BRIEFBOT_DISCORD_APP_ID":  "111",
		"BRIEFBOT_DISCORD_API_URL": api.URL + "/",
	}, "", "discord", "register")
	r.wantCode(t, 0)
	if len(got) != 1 || got[0] != "PUT /applications/111/commands" {
		t.Errorf("API calls %q, want one PUT of the global commands", got)
	}
	contains(t, "stdout", r.stdout, "registered /brief globally")

	r = runEnv(t, map[string]string{"BRIEFBOT_DISCORD_APP_ID": "111", "BRIEFBOT_DISCORD_MODE": "http",
		"BRIEFBOT_DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32), "BRIEFBOT_DISCORD_API_URL": api.URL + "/"}, "", "discord", "register")
	if r.code == 0 {
		t.Fatal("register without a token succeeded")
	}
	contains(t, "stderr", r.stderr, "discord.token (BRIEFBOT_DISCORD_TOKEN)")
}
