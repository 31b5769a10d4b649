package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/store/storetest"
)

// recordingSlack is a Web API that keeps posted messages with their
// metadata and serves them back through conversations.history. Each replica
// uses its own bot token, so the API knows who posts.
type recordingSlack struct {
	mu       sync.Mutex
	messages []map[string]any
	slots    map[string]int
	// onPost, when set, runs before a post is recorded; it may block.
	onPost func(token string)
	// events, when set, is told of every post ("post") and history read
	// ("history"), so tests can wait on what the replicas do.
	events chan string
}

func (f *recordingSlack) tell(event string) {
	if f.events != nil {
		f.events <- event
	}
}

func (f *recordingSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/chat.postMessage":
		f.mu.Lock()
		onPost := f.onPost
		f.mu.Unlock()
		if onPost != nil {
			token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			if token == "" {
				token = r.Form.Get("token")
			}
			onPost(token)
		}
		var meta map[string]any
		json.Unmarshal([]byte(r.Form.Get("metadata")), &meta)
		f.mu.Lock()
		ts := fmt.Sprintf("%d.%06d", time.Now().Unix(), len(f.messages))
		f.messages = append(f.messages, map[string]any{"type": "message", "ts": ts, "text": "digest", "metadata": meta})
		if p, ok := meta["event_payload"].(map[string]any); ok {
			f.slots[fmt.Sprint(p["slot"])]++
		}
		f.mu.Unlock()
		f.tell("post")
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, r.Form.Get("channel"), ts)
	case "/conversations.history":
		f.mu.Lock()
		out := make([]map[string]any, 0, len(f.messages))
		for i := len(f.messages) - 1; i >= 0; i-- {
			out = append(out, f.messages[i])
		}
		f.mu.Unlock()
		f.tell("history")
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "messages": out})
	default:
		fmt.Fprint(w, `{"ok":true}`)
	}
}

// Three "briefbot serve" processes share one PostgreSQL store and post a
// digest every 4 seconds (the issue's own check). One is killed with SIGKILL in the middle of a
// post; every slot still appears in the channel once, never twice.
func TestReplicasPostEachSlotOnceThroughSIGKILL(t *testing.T) {
	pg := storetest.PostgresURL(t)
	dir := t.TempDir()
	api := &recordingSlack{slots: map[string]int{}, events: make(chan string, 10000)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: api}
	go srv.Serve(ln)
	defer srv.Close()

	cfg := filepath.Join(dir, "briefbot.yaml")
	write(t, cfg, fmt.Sprintf(`store:
  url: %q
slack:
  mode: http
  signing_secret: test-secret
  api_url: http://%s/
digests:
  - id: pulse
    platform: slack
    channel: C0DIGEST
    schedule: "@every 4s"
    include: all
    when_empty: post
`, pg, ln.Addr()))

	type replica struct {
		cmd  *exec.Cmd
		logs *syncBuffer
	}
	start := func(i int) replica {
		cmd := exec.Command(os.Args[0])
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "BRIEFBOT_TEST_RUN_MAIN=1", "BRIEFBOT_TEST_ARGS=serve --config "+cfg,
			"BRIEFBOT_SLACK_BOT_TOKEN=xoxb-replica-"+strconv.Itoa(i), "BRIEFBOT_HTTP_ADDR=127.0.0.1:0")
		r := replica{cmd: cmd, logs: &syncBuffer{}}
		cmd.Stderr = r.logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return r
	}
	replicas := []replica{start(1), start(2), start(3)}
	defer func() {
		for _, r := range replicas {
			r.cmd.Process.Kill()
			r.cmd.Wait()
		}
	}()

	// Once all three are serving, the next post is its poster's last: that
	// replica is killed while Slack is receiving the message, before it
	// can record the slot.
	for _, r := range replicas {
		listenAddr(t, r.logs)
	}
	began := time.Now()
	killed := make(chan int, 1)
	var once sync.Once
	api.mu.Lock()
	api.onPost = func(token string) {
		n, err := strconv.Atoi(strings.TrimPrefix(token, "xoxb-replica-"))
		if err != nil || n < 1 || n > len(replicas) {
			return
		}
		once.Do(func() {
			replicas[n-1].cmd.Process.Kill() // SIGKILL
			replicas[n-1].cmd.Wait()
			killed <- n
		})
	}
	api.mu.Unlock()

	// Then wait, on what the survivors do rather than on a clock: for the
	// kill, for a survivor to take the dead replica's claim over (only a
	// takeover reads the channel's history), and for two more slots.
	deadline := time.After(2 * time.Minute)
	var n int
	select {
	case n = <-killed:
		t.Logf("replica %d was killed mid-post", n)
	case <-deadline:
		t.Fatal("no replica posted within 2 minutes")
	}
	for taken, after := false, 0; after < 2; {
		select {
		case ev := <-api.events:
			switch {
			case ev == "history":
				taken = true
			case ev == "post" && taken:
				after++
			}
		case <-deadline:
			t.Fatalf("no survivor took over replica %d's slot and went on posting within 2 minutes", n)
		}
	}
	end := time.Now()

	api.mu.Lock()
	defer api.mu.Unlock()
	var slots []string
	for s, n := range api.slots {
		slots = append(slots, s)
		if n != 1 {
			t.Errorf("slot %s posted %d times", s, n)
		}
	}
	sort.Strings(slots)
	if len(slots) < 4 {
		t.Fatalf("only %d slots posted: %v\nreplica 2 log:\n%s", len(slots), slots, replicas[1].logs)
	}
	// No slot may be missing between the first and the last few seconds.
	first, _ := time.Parse(time.RFC3339, slots[0])
	for s := first; s.Before(end.Add(-5 * time.Second)); s = s.Add(4 * time.Second) {
		if api.slots[s.UTC().Format(time.RFC3339)] != 1 {
			t.Errorf("slot %s: posted %d times, want once", s.UTC().Format(time.RFC3339), api.slots[s.UTC().Format(time.RFC3339)])
		}
	}
	t.Logf("%d slots posted by 3 replicas over %s, one of them killed mid-post", len(slots), end.Sub(began).Round(time.Second))
}
