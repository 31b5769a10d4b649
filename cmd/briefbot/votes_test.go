package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discord"
)

// serve wires votes from Discord's buttons to analytics: a press under an
// answer is counted once per user, and /metrics shows it by outcome.
func TestServeDiscordVotes(t *testing.T) {
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

	_, body := c.send(t, slashCommand(2, "mars risks"), true, now)
	var answer struct {
		Data struct {
			Components []struct {
				Components []struct {
					Label    string `json:"label"`
					CustomID string `json:"custom_id"`
				} `json:"components"`
			} `json:"components"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &answer); err != nil {
		t.Fatal(err, body)
	}
	ids := map[string]string{}
	for _, row := range answer.Data.Components {
		for _, b := range row.Components {
			ids[b.Label] = b.CustomID
		}
	}
	if ids["Helpful"] == "" || ids["Not helpful"] == "" {
		t.Fatalf("answer has no vote buttons: %s", body)
	}
	// Each press is its own interaction, with its own id: a replayed one
	// is refused before it is counted.
	pressID := 1
	press := func(user, customID string) string {
		pressID++
		b, _ := json.Marshal(map[string]any{
			"id": strconv.Itoa(pressID), "application_id": "111", "type": 3, "token": "itok", "channel_id": "777", "guild_id": "888",
			"member":  map[string]any{"user": map[string]any{"id": user}, "permissions": "0"},
			"message": map[string]any{"id": "99", "flags": 64},
			"data":    map[string]any{"custom_id": customID, "component_type": 2},
		})
		code, out := c.send(t, string(b), true, now)
		if code != 200 {
			t.Fatalf("press: %d %s", code, out)
		}
		return out
	}
	if out := press("42", ids["Helpful"]); !strings.Contains(out, "noted as helpful") {
		t.Errorf("first press answered %s", out)
	}
	if out := press("42", ids["Not helpful"]); !strings.Contains(out, "already voted") {
		t.Errorf("second press answered %s", out)
	}
	_, metrics := get(t, "http://"+s.addr+"/metrics")
	for _, want := range []string{
		`briefbot_answer_votes_total{outcome="helpful"} 1`,
		`briefbot_answer_votes_total{outcome="not_helpful"} 0`,
		`briefbot_answer_votes_total{outcome="repeated"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(s.logs.String(), `"42"`) {
		t.Errorf("the log names the voter")
	}
}

// With analytics off, answers carry no vote buttons.
func TestServeDiscordNoVotesWhenAnalyticsOff(t *testing.T) {
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
		"BRIEFBOT_ANALYTICS_ENABLED":         "false",
	})
	c := discordClient{url: "http://" + s.addr + discord.InteractionsPath, priv: priv}
	code, body := c.send(t, slashCommand(2, "mars risks"), true, time.Now())
	if code != 200 || !strings.Contains(body, "Storms cover the planet") {
		t.Fatalf("/brief mars risks: %d %s", code, body)
	}
	if strings.Contains(body, "Helpful") {
		t.Errorf("vote buttons with analytics off: %s", body)
	}
}
