package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/config"
)

// TestServeSlackAddToSlack runs serve with no bot token, only the OAuth
// keys: a workspace installs through /slack/install, its token lands in
// the SQLite store encrypted, and a mention from it is answered with it.
func TestServeSlackAddToSlack(t *testing.T) {
	posted := make(chan string, 10)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/oauth.v2.access":
			fmt.Fprint(w, `{"ok":true,"access_token":"xoxb-installed","token_type":"bot","bot_user_id":"UB","team":{"id":"TNEW","name":"New"},"authed_user":{"id":"UA"}}`)
		case "/chat.postMessage":
			r.ParseForm()
			posted <- r.Header.Get("Authorization") + r.PostForm.Get("token")
			fmt.Fprint(w, `{"ok":true,"channel":"C9","ts":"1.1"}`)
		default:
			fmt.Fprint(w, `{"ok":true}`)
		}
	}))
	t.Cleanup(fake.Close)
	s := startServeWith(t, map[string]string{
		"BRIEFBOT_SLACK_MODE":           "http",
		"BRIEFBOT_SLACK_SIGNING_SECRET": testSigningSecret,
		"BRIEFBOT_SLACK_CLIENT_ID":      "1.2",
		"BRIEFBOT_SLACK_CLIENT_SECRET":  "secret",
		"BRIEFBOT_SLACK_TOKEN_KEY":      strings.Repeat("5a", 32),
		"BRIEFBOT_SLACK_API_URL":        fake.URL + "/",
	})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get("http://" + s.addr + "/slack/install")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("client_id") != "1.2" {
		t.Fatalf("/slack/install = %d to %s", resp.StatusCode, loc)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+s.addr+"/slack/oauth/callback?"+url.Values{"code": {"c"}, "state": {loc.Query().Get("state")}}.Encode(), nil)
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("callback = %d: %s", resp.StatusCode, page)
	}

	db, err := sql.Open("sqlite", filepath.Join(filepath.Dir(s.dir), "briefbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sealed []byte
	if err := db.QueryRow("SELECT sealed_token FROM workspaces WHERE team = 'TNEW'").Scan(&sealed); err != nil {
		t.Fatalf("installed workspace not in the store: %v", err)
	}
	if len(sealed) == 0 || bytes.Contains(sealed, []byte("xoxb-installed")) {
		t.Errorf("stored token %q is not encrypted", sealed)
	}

	body, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "TNEW", "event_id": "Ev1",
		"event": map[string]any{"type": "app_mention", "user": "U1", "text": "<@UB> mars risks", "channel": "C9", "ts": "1.0"}})
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	ev, _ := http.NewRequest(http.MethodPost, "http://"+s.addr+"/slack/events", bytes.NewReader(body))
	ev.Header.Set("Content-Type", "application/json")
	ev.Header.Set("X-Slack-Request-Timestamp", ts)
	ev.Header.Set("X-Slack-Signature", slack.Sign(testSigningSecret, ts, body))
	if resp, err := http.DefaultClient.Do(ev); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("event: %v %v", resp, err)
	}
	select {
	case auth := <-posted:
		if auth != "xoxb-installed" && auth != "Bearer xoxb-installed" {
			t.Errorf("mention answered with %q, want the installed workspace's token", auth)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("mention not answered:\n%s", s.logs)
	}
	if strings.Contains(s.logs.String(), "xoxb-installed") {
		t.Error("the installed token was logged")
	}
}

// A bad token key stops serve with the key and variable named.
func TestServeSlackBadTokenKey(t *testing.T) {
	_, err := slack.New(slackConfig(config.Slack{ClientID: "1.2", ClientSecret: "s", TokenKey: "short", Mode: "http", SigningSecret: "x"}, nil),
		bot.New(bot.Options{}))
	if got := withConfigKeys(err).Error(); !strings.Contains(got, "slack.token_key (BRIEFBOT_SLACK_TOKEN_KEY) must be 32 bytes") {
		t.Errorf("error = %q", got)
	}
}
