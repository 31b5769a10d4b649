package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeDiscordGateway is Discord's REST API and gateway as far as serve
// needs them: /gateway names the websocket, which says Hello, reads the
// Identify and closes with closeCode, as Discord does for an intent the
// application may not have.
type fakeDiscordGateway struct {
	*httptest.Server
	closeCode  int
	intents    atomic.Int64 // the last Identify's intents
	identifies atomic.Int32
}

func newFakeDiscordGateway(t *testing.T, closeCode int) *fakeDiscordGateway {
	f := &fakeDiscordGateway{closeCode: closeCode}
	up := websocket.Upgrader{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/gateway" || r.URL.Path == "/gateway/bot":
			fmt.Fprintf(w, `{"url":"ws://%s/ws","shards":1}`, r.Host)
		case strings.TrimSuffix(r.URL.Path, "/") == "/ws":
			c, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer c.Close()
			_ = c.WriteJSON(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}})
			var identify struct {
				Op int `json:"op"`
				D  struct {
					Intents int64 `json:"intents"`
				} `json:"d"`
			}
			if err := c.ReadJSON(&identify); err != nil {
				return
			}
			f.intents.Store(identify.D.Intents)
			f.identifies.Add(1)
			_ = c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(f.closeCode, "Disallowed intent(s)."))
		default: // command registration and anything else
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `[]`)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

// The check: Discord refusing the gateway (4014) leaves the
// process up and Slack answering; /readyz stays 200 with the gateway's
// trouble in its detail, and says 503 once the gateway is required.
func TestDiscordRefusedLeavesSlackServing(t *testing.T) {
	gw := newFakeDiscordGateway(t, 4014)
	env := map[string]string{
		"BRIEFBOT_SLACK_MODE":           "http",
		"BRIEFBOT_SLACK_SIGNING_SECRET": testSigningSecret,
		"BRIEFBOT_SLACK_BOT_TOKEN":      testBotToken,
		"BRIEFBOT_SLACK_API_URL":        newFakeSlackAPI(t) + "/",
		"BRIEFBOT_DISCORD_MODE":         "gateway",
		"BRIEFBOT_DISCORD_TOKEN":        "discord-test-token",
		"BRIEFBOT_DISCORD_APP_ID":       "111",
		"BRIEFBOT_DISCORD_API_URL":      gw.URL + "/",
	}
	s := startServeWith(t, env)
	base := "http://" + s.addr

	var body string
	eventually(t, "the refusal in /readyz", func() bool {
		var code int
		code, body = get(t, base+"/readyz")
		return code == http.StatusOK && strings.Contains(body, "4014")
	})
	for _, want := range []string{"ready\n", "http: ok", "store: ok", "briefings: ok", "gateway: discord stopped", "Privileged Gateway Intents", "(not required)"} {
		if !strings.Contains(body, want) {
			t.Errorf("/readyz lacks %q:\n%s", want, body)
		}
	}
	if gw.intents.Load()&(1<<15) != 0 {
		t.Errorf("identified with Message Content (intents %b)", gw.intents.Load())
	}
	if code, answer := s.command(t, "mars risks", time.Now()); code != 200 || !strings.Contains(answer, "Storms cover the planet") {
		t.Errorf("Slack while Discord is refused: %d %s", code, answer)
	}
	select {
	case code := <-s.done:
		t.Fatalf("serve exited with %d:\n%s", code, s.logs)
	default:
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "platform stopped; starting it again") || !strings.Contains(logs, "retry_in") {
		t.Errorf("the restart is not logged with its reason:\n%s", logs)
	}
	_, metrics := get(t, base+"/metrics")
	for _, want := range []string{`briefbot_platform_connected{platform="discord",shard="0"} 0`, `briefbot_platform_connected{platform="slack",shard="0"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	eventually(t, "a second attempt", func() bool { return gw.identifies.Load() >= 2 })

	env["BRIEFBOT_READINESS_REQUIRE"] = "http,briefings,store,gateway"
	strict := startServeWith(t, env)
	eventually(t, "503 when the gateway is required", func() bool {
		code, body := get(t, "http://"+strict.addr+"/readyz")
		return code == http.StatusServiceUnavailable && strings.HasPrefix(body, "not ready\n") && strings.Contains(body, "4014")
	})
}

// A store that answers but cannot write makes /readyz 503: here another
// process holds SQLite's write lock.
func TestReadyzStoreMustWrite(t *testing.T) {
	s := startServe(t)
	base := "http://" + s.addr
	if code, body := get(t, base+"/readyz"); code != 200 {
		t.Fatalf("/readyz = %d %q", code, body)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(filepath.Dir(s.dir), "briefbot.db")+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	// Usually the write probe is refused; on a busy machine a background
	// writer waiting on the lock may hold SQLite's connection, and then
	// the ping gives up first. Either way the store is named.
	code, body := get(t, base+"/readyz")
	if code != http.StatusServiceUnavailable || !(strings.Contains(body, "store: store cannot write") || strings.Contains(body, "store: store unreachable")) {
		t.Errorf("/readyz with the store locked = %d %q, want 503 naming the store", code, body)
	}
	if _, err := conn.ExecContext(t.Context(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz after the lock went = %d %q", code, body)
	}
}

// A command registration that keeps failing is shown in /readyz but does
// not make it 503: the commands Discord already has still work, and the
// interactions this process receives are still answered.
func TestRegistrationFailureIsANoteNotAFailure(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Missing Access","code":50001}`)
	}))
	defer api.Close()
	s := startServeWith(t, map[string]string{
		"BRIEFBOT_DISCORD_MODE":       "http",
		"BRIEFBOT_DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32),
		"BRIEFBOT_DISCORD_APP_ID":     "111",
		"BRIEFBOT_DISCORD_TOKEN":      "discord-test-token",
		"BRIEFBOT_DISCORD_API_URL":    api.URL + "/",
	})
	eventually(t, "the failing registration in /readyz", func() bool {
		code, body := get(t, "http://"+s.addr+"/readyz")
		return code == http.StatusOK && strings.Contains(body, "http: ok; discord: command registration failing") && strings.Contains(body, "Missing Access")
	})
	if !strings.Contains(s.logs.String(), "discord command registration failed; retrying") {
		t.Errorf("the failure is not logged:\n%s", s.logs)
	}
}
