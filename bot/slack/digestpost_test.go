package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

// TestSubscribeNeedsAdmin: the rights the core asks for come from the
// configured admins or Slack's users.info, and Slack is asked only when
// the core asks.
func TestSubscribeNeedsAdmin(t *testing.T) {
	tests := []struct {
		name    string
		admins  []string
		isAdmin bool
		text    string
		want    bool
	}{
		{"configured admin", []string{"U2CERLKJA"}, false, "subscribe daily 08:00", true},
		{"workspace admin", nil, true, "unsubscribe sub-1", true},
		{"member", nil, false, "subscribe daily 08:00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lookups atomic.Int32
			api := slackAPI(t, func(w http.ResponseWriter, r *http.Request) {
				lookups.Add(1)
				fmt.Fprintf(w, `{"ok":true,"user":{"id":"U2CERLKJA","is_admin":%v}}`, tt.isAdmin)
			}, "users.info")
			hs := newHarness(t, func(c *Config) { c.Admins = tt.admins; c.APIURL = api })
			hs.command(t, tt.text)
			hs.wait()
			reqs := hs.ans.requests()
			if len(reqs) != 1 {
				t.Fatalf("core asked %d times", len(reqs))
			}
			if n := lookups.Load(); n != 0 {
				t.Fatalf("Slack asked %d times before the core asked for rights", n)
			}
			if got := reqs[0].MayManage != nil && reqs[0].MayManage(context.Background()); got != tt.want {
				t.Errorf("MayManage = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDigestPostCarriesSlotMetadata(t *testing.T) {
	api := newAPI(t)
	a := newPoster(t, api.srv.GetAPIURL())
	ref := bot.SlotRef{Subscription: "morning", Slot: time.Date(2026, 3, 1, 8, 0, 0, 0, time.FixedZone("x", 3600))}
	if _, err := a.PostDigest(context.Background(), "C0DIGEST", bot.Reply{Kind: bot.KindDigest, Title: "Digest"}, ref, nil); err != nil {
		t.Fatal(err)
	}
	post := api.next(t)
	want := `{"event_type":"briefbot_digest","event_payload":{"part":1,"parts":1,"slot":"2026-03-01T07:00:00Z","subscription":"morning"}}`
	if got := post.Get("metadata"); got != want {
		t.Errorf("metadata = %s, want %s", got, want)
	}
}

// historyAPI keeps what is posted, metadata included, and serves it back
// through conversations.history; failAt makes that post fail.
type historyAPI struct {
	mu     sync.Mutex
	posts  []map[string]any
	calls  int
	failAt int
}

func (h *historyAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	w.Header().Set("Content-Type", "application/json")
	h.mu.Lock()
	defer h.mu.Unlock()
	switch r.URL.Path {
	case "/chat.postMessage":
		h.calls++
		if h.calls == h.failAt {
			fmt.Fprint(w, `{"ok":false,"error":"internal_error"}`)
			return
		}
		var md map[string]any
		json.Unmarshal([]byte(r.Form.Get("metadata")), &md)
		h.posts = append(h.posts, map[string]any{"type": "message", "ts": fmt.Sprintf("1.%06d", len(h.posts)), "metadata": md})
		fmt.Fprintf(w, `{"ok":true,"channel":"C1","ts":"1.%06d"}`, len(h.posts))
	case "/conversations.history":
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "messages": h.posts})
	}
}

// A digest cut off between its parts is completed on the next try, and
// the part already in the channel is not posted again.
func TestHalfPostedDigestIsCompleted(t *testing.T) {
	api := &historyAPI{failAt: 2}
	a := newPoster(t, slackAPI(t, api.ServeHTTP, "chat.postMessage", "conversations.history"))
	ctx := context.Background()
	ref := bot.SlotRef{Subscription: "morning", Slot: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	long := longReply()
	parts := len(render(long, renderOptions{}))
	if parts < 2 {
		t.Fatalf("the long reply renders as %d message(s), want several", parts)
	}

	if _, err := a.PostDigest(ctx, "C1", long, ref, nil); err == nil {
		t.Fatal("the second part was meant to fail")
	}
	got, err := a.PostedParts(ctx, "C1", ref)
	if err != nil {
		t.Fatal(err)
	}
	if want := (bot.Parts{Found: map[int]bool{1: true}, Total: parts}); !cmp.Equal(got, want) {
		t.Fatalf("PostedParts of a half-posted digest = %+v, want %+v", got, want)
	}
	if _, err := a.PostDigest(ctx, "C1", long, ref, got.Found); err != nil {
		t.Fatal(err)
	}
	seen := map[float64]int{}
	for _, p := range api.posts {
		payload := p["metadata"].(map[string]any)["event_payload"].(map[string]any)
		seen[payload["part"].(float64)]++
	}
	for i := 1; i <= parts; i++ {
		if seen[float64(i)] != 1 {
			t.Errorf("part %d of %d posted %d times", i, parts, seen[float64(i)])
		}
	}
	if got, err := a.PostedParts(ctx, "C1", ref); err != nil || !got.Whole() {
		t.Errorf("PostedParts of the completed digest = %+v, %v; want whole", got, err)
	}
}

func TestConnected(t *testing.T) {
	httpMode, err := New(Config{BotToken: "xoxb-t", SigningSecret: "s", Mode: ModeHTTP}, newFakeAnswerer())
	if err != nil {
		t.Fatal(err)
	}
	socket, err := New(Config{BotToken: "xoxb-t", AppToken: "xapp-t", Mode: ModeSocket}, newFakeAnswerer())
	if err != nil {
		t.Fatal(err)
	}
	if !httpMode.Connected() {
		t.Error("an http-mode adapter is not ready")
	}
	if socket.Connected() {
		t.Error("a socket-mode adapter that never connected says it is connected")
	}
}
