package config

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadFile feeds arbitrary briefbot.yaml files to Load. It must never
// panic, never echo the Slack bot token in an error, and whatever it accepts
// must validate and print as YAML that loads again.
func FuzzLoadFile(f *testing.F) {
	for _, k := range Keys() {
		f.Setenv(EnvVar(k), "")
	}
	f.Add([]byte(digestsYAML))
	f.Add([]byte("log:\n  level: warn\nshutdown:\n  timeout: 3s\n"))
	f.Add([]byte("slack:\n  bot_token: SECRET\n  admins: U1\n"))
	f.Add([]byte("discord:\n  shard_id: 2\n  shard_count: 1\n  register_commands: maybe\n"))
	f.Add([]byte("digests: {a: 1}\n"))
	f.Add([]byte("store:\n  url: postgres://u:pw@h/db\n"))
	token := filepath.Join(f.TempDir(), "token")
	if err := os.WriteFile(token, []byte("discordtoken\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("discord:\n  token_file: " + token + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, FileName)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(Options{File: p})
		if err != nil {
			if c.Slack.BotToken != "" && len(c.Slack.BotToken) > 5 && strings.Contains(err.Error(), c.Slack.BotToken) {
				t.Fatalf("error echoes the bot token: %v", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Load accepted a config that Validate rejects: %v", err)
		}
		var out bytes.Buffer
		if err := c.WriteYAML(&out); err != nil {
			t.Fatalf("WriteYAML: %v", err)
		}
		p2 := filepath.Join(dir, "printed.yaml")
		if err := os.WriteFile(p2, out.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(Options{File: p2}); err != nil {
			t.Fatalf("printed config does not load: %v\ninput:\n%s\nprinted:\n%s", err, data, out.String())
		}
	})
}

// FuzzRedactURL checks that whatever URL an operator writes, the password
// in its user information never survives redaction.
func FuzzRedactURL(f *testing.F) {
	f.Add("https", "user", "hunter2", "slack.example", "/api/", "token=x")
	f.Add("postgres", "bot", "pw", "db:5432", "/briefbot", "sslmode=disable")
	f.Add("http", "", "secretvalue", "[::1]:80", "", "")
	f.Fuzz(func(t *testing.T, scheme, user, password, host, path, query string) {
		if len(password) < 6 {
			return // short strings occur anywhere by chance
		}
		raw := scheme + "://" + user + ":" + password + "@" + host + path
		if query != "" {
			raw += "?" + query
		}
		if strings.Count(strings.ToLower(raw), strings.ToLower(password)) > 1 {
			return // the same text elsewhere in the URL may stay
		}
		if strings.Contains(strings.ToLower(url.PathEscape(user+host+path)+url.QueryEscape(query)), strings.ToLower(password)) {
			return // percent-escaping the rest of the URL spells the same text ("\xb4" + "00" is "%B400")
		}
		got := RedactURL(raw)
		if strings.Contains(got, password) {
			t.Fatalf("RedactURL(%q) = %q keeps the password", raw, got)
		}
	})
}
