package slack

import (
	"os"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestManifest checks the shipped app manifest asks for what the adapter uses.
func TestManifest(t *testing.T) {
	data, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			AppHome struct {
				HomeTab bool `yaml:"home_tab_enabled"`
			} `yaml:"app_home"`
			BotUser struct {
				DisplayName string `yaml:"display_name"`
			} `yaml:"bot_user"`
			SlashCommands []struct {
				Command   string `yaml:"command"`
				UsageHint string `yaml:"usage_hint"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				BotEvents []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool `yaml:"is_enabled"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("manifest.yaml: %v", err)
	}
	// Exactly the scopes the code uses, which "Add to Slack" asks for too.
	got, want := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot)), slices.Sorted(slices.Values(BotScopes))
	if !slices.Equal(got, want) {
		t.Errorf("manifest scopes = %v, want those the adapter uses: %v", got, want)
	}
	if !m.Features.AppHome.HomeTab {
		t.Error("the Home tab is off")
	}
	for _, e := range []string{"app_mention", "message.im", "app_home_opened", "app_uninstalled", "tokens_revoked"} {
		if !slices.Contains(m.Settings.Events.BotEvents, e) {
			t.Errorf("event %s missing", e)
		}
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != DefaultCommand || m.Features.SlashCommands[0].UsageHint == "" {
		t.Errorf("slash commands = %+v", m.Features.SlashCommands)
	}
	if m.Features.BotUser.DisplayName != "briefbot" || !m.Settings.Interactivity.Enabled || !m.Settings.SocketMode {
		t.Errorf("manifest = %+v", m)
	}
}
