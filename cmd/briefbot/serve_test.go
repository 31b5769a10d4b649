package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/config"
)

// syncBuffer is a bytes.Buffer safe for a server's logger and a test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

const (
	testSigningSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	testBotToken      = "xoxb-1234-5678-secretbottoken"
)

const marsBriefing = `Mars :
The red planet is back in the news. <!channel> look at <https://evil.example|this>.
Risks
- Dust: Storms cover the planet for weeks.
Looking ahead
- Sample return: The next launch window opens in 2028.
`

// listenAddr finds the address a child "briefbot serve" listens on, from
// its log line `msg="briefbot serving" addr=…`.
func listenAddr(t *testing.T, logs *syncBuffer) string {
	t.Helper()
	var addr string
	eventually(t, "serve listening", func() bool {
		_, rest, ok := strings.Cut(logs.String(), `msg="briefbot serving" addr=`)
		if ok {
			addr, _, _ = strings.Cut(rest, " ")
		}
		return ok
	})
	return addr
}

// server is a running "briefbot serve" in this process.
type server struct {
	addr string
	logs *syncBuffer
	stop context.CancelFunc
	done chan int
	dir  string
}

// startServe runs serve with Slack in HTTP mode over a folder holding
// the Mars briefing.
func startServe(t *testing.T) *server {
	t.Helper()
	slackAPI := newFakeSlackAPI(t)
	return startServeWith(t, map[string]string{
		"BRIEFBOT_SLACK_MODE":           "http",
		"BRIEFBOT_SLACK_SIGNING_SECRET": testSigningSecret,
		"BRIEFBOT_SLACK_BOT_TOKEN":      testBotToken,
		"BRIEFBOT_SLACK_API_URL":        slackAPI + "/",
	})
}

// startServeWith runs serve with the platform settings in env.
func startServeWith(t *testing.T, env map[string]string) *server {
	t.Helper()
	dir := t.TempDir()
	briefings := filepath.Join(dir, "briefings")
	os.Mkdir(briefings, 0o755)
	write(t, filepath.Join(briefings, "mars.txt"), marsBriefing)
	s := &server{logs: &syncBuffer{}, done: make(chan int, 1), dir: briefings}
	for _, k := range config.Keys() {
		t.Setenv(config.EnvVar(k), "")
	}
	for k, v := range map[string]string{
		"BRIEFBOT_HTTP_ADDR":     "127.0.0.1:0",
		"BRIEFBOT_BRIEFINGS_DIR": briefings,
		"BRIEFBOT_STORE_URL":     "sqlite:" + filepath.Join(dir, "briefbot.db"),
		"BRIEFBOT_LOG_LEVEL":     "debug",
	} {
		t.Setenv(k, v)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	listening := make(chan net.Addr, 1)
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: s.logs, ConfigSearchPaths: []string{dir},
		Listening: func(a net.Addr) { listening <- a }}
	go func() { s.done <- m.Run(ctx, []string{"serve"}) }()
	select {
	case a := <-listening:
		s.addr = a.String()
	case code := <-s.done:
		t.Fatalf("serve exited with %d before listening:\n%s", code, s.logs)
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not listen within 10s:\n%s", s.logs)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	})
	return s
}

func newFakeSlackAPI(t *testing.T) string {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// command sends a signed /brief slash command and returns the JSON answer.
func (s *server) command(t *testing.T, text string, at time.Time) (int, string) {
	t.Helper()
	body := url.Values{"command": {"/brief"}, "text": {text}, "user_id": {"U1"}, "channel_id": {"C1"},
		"response_url": {"http://127.0.0.1:1/unused"}, "team_id": {"T1"}}.Encode()
	ts := strconv.FormatInt(at.Unix(), 10)
	req, _ := http.NewRequest(http.MethodPost, "http://"+s.addr+"/slack/commands", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slack.Sign(testSigningSecret, ts, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// eventually retries check for up to 5 s.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestServeSlackHTTP(t *testing.T) {
	s := startServe(t)
	base := "http://" + s.addr

	if code, body := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d %q", code, body)
	}

	code, body := s.command(t, "mars risks", time.Now())
	if code != 200 {
		t.Fatalf("signed command: %d %s", code, body)
	}
	var answer struct {
		Blocks []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(body), &answer); err != nil || len(answer.Blocks) == 0 {
		t.Fatalf("answer is not Block Kit: %v %s", err, body)
	}
	if !strings.Contains(body, "Storms cover the planet") || strings.Contains(body, "Sample return") {
		t.Errorf("answer should hold exactly the risks section:\n%s", body)
	}

	// Briefing text cannot notify the channel or forge links.
	_, overview := s.command(t, "mars", time.Now())
	if strings.Contains(overview, "<!channel>") || strings.Contains(overview, "<https://evil") {
		t.Errorf("briefing text reached Slack unescaped:\n%s", overview)
	}
	if !strings.Contains(overview, "&lt;!channel&gt;") && !strings.Contains(overview, `\u0026lt;!channel\u0026gt;`) {
		t.Errorf("escaped text missing from the overview:\n%s", overview)
	}

	// Forged, stale and oversized requests are refused.
	for name, req := range map[string]func() *http.Request{
		"unsigned": func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader("text=mars"))
			return r
		},
		"forged": func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader("text=mars"))
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			r.Header.Set("X-Slack-Request-Timestamp", ts)
			r.Header.Set("X-Slack-Signature", slack.Sign("wrong secret", ts, []byte("text=mars")))
			return r
		},
		"stale": func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader("text=mars"))
			ts := strconv.FormatInt(time.Now().Add(-10*time.Minute).Unix(), 10)
			r.Header.Set("X-Slack-Request-Timestamp", ts)
			r.Header.Set("X-Slack-Signature", slack.Sign(testSigningSecret, ts, []byte("text=mars")))
			return r
		},
	} {
		resp, err := http.DefaultClient.Do(req())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s request: %d, want 401", name, resp.StatusCode)
		}
	}
	big := strings.Repeat("x", 2<<20)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	r, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(big))
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", slack.Sign(testSigningSecret, ts, []byte(big)))
	if resp, err := http.DefaultClient.Do(r); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized request: %d, want 413", resp.StatusCode)
		}
	}

	// Metrics count what was answered.
	_, metrics := get(t, base+"/metrics")
	for _, want := range []string{`briefbot_commands_total{kind="section",outcome="answered",platform="slack"}`, "briefbot_briefings_loaded 1", "go_goroutines"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// Hot reload: a new file is answered, a broken edit keeps the last good
	// version, a deleted file stops being served.
	write(t, filepath.Join(s.dir, "venus.txt"), strings.ReplaceAll(marsBriefing, "Mars", "Venus"))
	eventually(t, "new briefing served", func() bool {
		_, b := s.command(t, "venus risks", time.Now())
		return strings.Contains(b, "Storms cover")
	})
	write(t, filepath.Join(s.dir, "mars.txt"), "\x00\x01 not text")
	eventually(t, "broken edit logged", func() bool { return strings.Contains(s.logs.String(), "mars.txt:1") })
	if _, b := s.command(t, "mars risks", time.Now()); !strings.Contains(b, "Storms cover") {
		t.Errorf("a broken edit lost the last good version:\n%s", b)
	}
	os.Remove(filepath.Join(s.dir, "venus.txt"))
	eventually(t, "deleted briefing gone", func() bool {
		_, b := s.command(t, "venus risks", time.Now())
		return !strings.Contains(b, `"text":"Venus"`)
	})
	// The deletion's reload touched no broken file; mars.txt still counts,
	// and the 401s above are counted by reason.
	eventually(t, "broken file still counted", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, "briefbot_briefing_load_errors 1\n")
	})
	_, metrics = get(t, base+"/metrics")
	for _, want := range []string{
		`briefbot_requests_unauthorized_total{platform="slack",reason="bad_signature"}`,
		`briefbot_platform_connected{platform="slack",shard="0"} 1`,
		`briefbot_build_info{`,
		`briefbot_digest_lag_seconds 0`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// The log holds neither the signing secret nor the token, even at debug.
	logs := s.logs.String()
	for _, secret := range []string{testSigningSecret, testBotToken, "Storms cover"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log holds %q", secret)
		}
	}
	if !strings.Contains(logs, "handled command") {
		t.Errorf("no line per handled command in the log:\n%s", logs)
	}

	s.stop()
	select {
	case code := <-s.done:
		if code != 0 {
			t.Errorf("serve exited %d after shutdown, want 0\n%s", code, s.logs)
		}
		s.done <- code
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10s")
	}
}

// The real process stops cleanly on SIGTERM: the test binary re-runs
// itself as briefbot serve.
func TestServeSIGTERM(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BRIEFBOT_TEST_RUN_MAIN=1", "BRIEFBOT_TEST_ARGS=serve",
		"BRIEFBOT_SLACK_MODE=http", "BRIEFBOT_SLACK_SIGNING_SECRET=s", "BRIEFBOT_SLACK_BOT_TOKEN=xoxb-x",
		"BRIEFBOT_HTTP_ADDR=127.0.0.1:0", "BRIEFBOT_STORE_URL=sqlite:"+filepath.Join(dir, "b.db"), "BRIEFBOT_BRIEFINGS_DIR=")
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := listenAddr(t, &logs)
	if code, _ := get(t, "http://"+addr+"/healthz"); code != 200 {
		t.Fatalf("/healthz = %d", code)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("after SIGTERM: %v, want exit 0\n%s", err, logs.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no exit within 10s of SIGTERM")
	}
}

// TestAdapterErrorsNameConfigKeys: the adapters name their own fields;
// serve restates them as the keys and variables an operator sets.
func TestAdapterErrorsNameConfigKeys(t *testing.T) {
	_, err := discord.New(discordConfig(config.Discord{Token: "t", AppID: "x1"}), bot.New(bot.Options{}))
	if got, want := withConfigKeys(err).Error(), `discord.app_id (BRIEFBOT_DISCORD_APP_ID) must be a numeric id, not "x1"`; got != want {
		t.Errorf("discord error = %q, want %q", got, want)
	}
	_, err = slack.New(slackConfig(config.Slack{BotToken: "nope", Mode: "http"}, nil), bot.New(bot.Options{}))
	got := withConfigKeys(err).Error()
	for _, want := range []string{
		"slack.bot_token (BRIEFBOT_SLACK_BOT_TOKEN) must be a bot token starting with xoxb-",
		"slack.signing_secret (BRIEFBOT_SLACK_SIGNING_SECRET) is required in http mode",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("slack error %q lacks %q", got, want)
		}
	}
}
