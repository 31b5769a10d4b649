package slack

import (
	"strings"
	"testing"
)

func TestNewValidatesConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr []string // substrings; none means valid
		mode    string
	}{
		{"socket", Config{BotToken: "xoxb-1", AppToken: "xapp-1"}, nil, ModeSocket},
		{"http", Config{BotToken: "xoxb-1", SigningSecret: "s"}, nil, ModeHTTP},
		{"http without secret", Config{BotToken: "xoxb-1", Mode: "http"}, []string{"SigningSecret is required in http mode"}, ""},
		{"socket without app token", Config{BotToken: "xoxb-1", Mode: "socket"}, []string{"AppToken is required in socket mode"}, ""},
		{"user token as bot token", Config{BotToken: "xoxp-1", AppToken: "xapp-1"}, []string{"BotToken must be a bot token starting with xoxb-"}, ""},
		{"bot token as app token", Config{BotToken: "xoxb-1", AppToken: "xoxb-2", Mode: "socket"}, []string{"AppToken must be an app-level token starting with xapp-"}, ""},
		{"no bot token", Config{AppToken: "xapp-1"}, []string{"BotToken is required"}, ""},
		{"bad mode", Config{BotToken: "xoxb-1", Mode: "webhook"}, []string{`Mode must be "socket" or "http", not "webhook"`}, ""},
		{"bad reply", Config{BotToken: "xoxb-1", AppToken: "xapp-1", Reply: "public"}, []string{"Reply"}, ""},
		{"bad command", Config{BotToken: "xoxb-1", AppToken: "xapp-1", Command: "brief"}, []string{"Command"}, ""},
		{"api url without scheme", Config{BotToken: "xoxb-1", AppToken: "xapp-1", APIURL: "slack.com/api"}, []string{`APIURL must be an absolute http(s) URL, not "slack.com/api/"`}, ""},
		{"empty admin", Config{BotToken: "xoxb-1", AppToken: "xapp-1", Admins: []string{"U1", " "}}, []string{"Admins entry 1 is empty"}, ""},
		{"all at once", Config{BotToken: "nope", Mode: "http", Reply: "x"}, []string{"BotToken", "SigningSecret", "Reply"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(tt.cfg, newFakeAnswerer())
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if a.cfg.Mode != tt.mode {
					t.Errorf("mode %q, want %q", a.cfg.Mode, tt.mode)
				}
				return
			}
			if err == nil {
				t.Fatal("New accepted an invalid config")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, secret := range []string{"xoxb-2", "xoxp-1"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q reveals a token", err)
				}
			}
		})
	}
}

func TestIsAdmin(t *testing.T) {
	a, err := New(Config{BotToken: "xoxb-1", AppToken: "xapp-1", Admins: []string{"U1", "U2"}}, newFakeAnswerer())
	if err != nil {
		t.Fatal(err)
	}
	if !a.isAdmin("U2") || a.isAdmin("U3") {
		t.Error("IsAdmin does not follow Config.Admins")
	}
}
