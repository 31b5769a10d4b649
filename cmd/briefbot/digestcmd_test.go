package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestDigestCommands(t *testing.T) {
	var (
		mu    sync.Mutex
		posts []url.Values
	)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/chat.postMessage" {
			mu.Lock()
			posts = append(posts, r.PostForm)
			mu.Unlock()
		}
		w.Write([]byte(`{"ok":true,"channel":"C0DIGEST","ts":"1.0001"}`))
	}))
	defer api.Close()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "briefbot.yaml"), `store:
  url: sqlite:`+filepath.Join(dir, "b.db")+`
slack:
  bot_token: xoxb-test
  signing_secret: s
  mode: http
  api_url: `+api.URL+`/
digests:
  - id: morning
    platform: slack
    channel: C0DIGEST
    schedule: "0 8 * * 1-5"
    timezone: Asia/Almaty
    topics: [kazakhstan]
    include: all
`)
	env := map[string]string{}

	r := runEnv(t, env, dir, "digest", "list")
	r.wantCode(t, exitOK)
	contains(t, "stdout", r.stdout, "morning: 0 8 * * 1-5 Asia/Almaty")
	contains(t, "stdout", r.stdout, "never delivered")

	r = runEnv(t, env, dir, "digest", "preview", "morning")
	r.wantCode(t, exitOK)
	contains(t, "stdout", r.stdout, "Briefing digest")
	contains(t, "stdout", r.stdout, "Top risk: Domestic and regional backlash")
	contains(t, "stdout", r.stdout, "/brief kazakhstan")
	if strings.Contains(r.stdout, "Red Sea") {
		t.Errorf("preview holds a topic the digest does not follow:\n%s", r.stdout)
	}

	r = runEnv(t, env, dir, "digest", "run", "morning")
	r.wantCode(t, exitOK)
	contains(t, "stdout", r.stdout, "posted digest morning")
	mu.Lock()
	if len(posts) != 1 || posts[0].Get("channel") != "C0DIGEST" || !strings.Contains(posts[0].Get("metadata"), "briefbot_digest") {
		t.Errorf("posts = %v, want one digest with metadata to C0DIGEST", posts)
	}
	mu.Unlock()

	r = runEnv(t, env, dir, "digest", "run", "nosuch")
	r.wantCode(t, exitUsage)
	contains(t, "stderr", r.stderr, `no digest subscription "nosuch"`)
}
