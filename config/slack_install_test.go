package config

import (
	"strings"
	"testing"
)

// TestSlackInstallKeys: the OAuth keys load from the environment and
// files, never print, and make Slack serve without a bot token.
func TestSlackInstallKeys(t *testing.T) {
	dir := isolate(t)
	key := writeFile(t, t.TempDir(), "token-key", strings.Repeat("ab", 32)+"\n")
	t.Setenv("BRIEFBOT_SLACK_CLIENT_ID", "1234.5678")
	t.Setenv("BRIEFBOT_SLACK_CLIENT_SECRET", "clientsecretvalue")
	t.Setenv("BRIEFBOT_SLACK_TOKEN_KEY_FILE", key)
	t.Setenv("BRIEFBOT_SLACK_SIGNING_SECRET", "signing")
	c, err := Load(Options{SearchPaths: []string{dir}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Slack.ClientID != "1234.5678" || c.Slack.ClientSecret != "clientsecretvalue" || c.Slack.TokenKey != strings.Repeat("ab", 32) {
		t.Errorf("slack install keys = %q, %q, %q", c.Slack.ClientID, c.Slack.ClientSecret, c.Slack.TokenKey)
	}
	if out := c.String(); strings.Contains(out, "clientsecretvalue") || strings.Contains(out, "abab") || !strings.Contains(out, "token_key_file: "+key) {
		t.Errorf("config output leaks a secret or hides its file:\n%s", out)
	}
	if !c.SlackEnabled() {
		t.Error("slack.client_id alone does not enable Slack")
	}
	if err := c.ValidateServe(); err != nil {
		t.Errorf("ValidateServe without slack.bot_token but with slack.client_id: %v", err)
	}
}
