package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

// A digest post carries a nonce and a footer naming its slot; after a
// crash, PostedParts finds it in the channel's history and only it.
func TestDigestPostAndLookup(t *testing.T) {
	api := newFakeDiscord(t)
	var (
		mu     sync.Mutex
		posted []json.RawMessage
	)
	api.respond = func(n int, r recorded) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodPost {
			var m struct {
				Nonce        string          `json:"nonce"`
				EnforceNonce bool            `json:"enforce_nonce"`
				Embeds       json.RawMessage `json:"embeds"`
			}
			json.Unmarshal([]byte(r.Body), &m)
			if m.Nonce == "" || !m.EnforceNonce {
				t.Errorf("digest post without an enforced nonce: %s", r.Body)
			}
			posted = append(posted, json.RawMessage(`{"author":{"id":"1","bot":true},"embeds":`+string(m.Embeds)+`}`))
			return 200, `{"id":"42"}`
		}
		if r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/channels/123456789012345678/messages") {
			out, _ := json.Marshal(posted)
			return 200, string(out)
		}
		return 404, `{"code":10003,"message":"Unknown Channel"}`
	}
	a := newTestAdapter(t, newSigner(t), api.URL+"/", &fakeAnswerer{}, nil)
	ctx := context.Background()
	ref := bot.SlotRef{Subscription: "morning", Slot: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	other := bot.SlotRef{Subscription: "morning", Slot: ref.Slot.Add(24 * time.Hour)}

	if got, err := a.PostedParts(ctx, "123456789012345678", ref); err != nil || got.Total != 0 {
		t.Fatalf("before posting: PostedParts = %+v, %v", got, err)
	}
	ids, err := a.PostDigest(ctx, "123456789012345678", bot.Reply{Kind: bot.KindDigest, Title: "Briefing digest"}, ref, nil)
	if err != nil || len(ids) != 1 {
		t.Fatalf("PostDigest = %v, %v", ids, err)
	}
	got, err := a.PostedParts(ctx, "123456789012345678", ref)
	if want := (bot.Parts{Found: map[int]bool{1: true}, Total: 1}); err != nil || !cmp.Equal(got, want) {
		t.Errorf("after posting: PostedParts = %+v, %v; want %+v (numbered from 1, as on Slack)", got, err, want)
	}
	if got, _ := a.PostedParts(ctx, "123456789012345678", other); got.Total != 0 {
		t.Errorf("PostedParts found a slot that was never posted: %+v", got)
	}
}

// A digest cut off between its parts is completed on the next try, and
// the part already in the channel is not posted again.
func TestHalfPostedDigestIsCompleted(t *testing.T) {
	api := newFakeDiscord(t)
	var (
		mu      sync.Mutex
		posted  []string // footers of the messages in the channel
		failing = true
	)
	api.respond = func(n int, r recorded) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodGet {
			var out []map[string]any
			for _, f := range posted {
				out = append(out, map[string]any{"author": map[string]any{"bot": true}, "embeds": []any{map[string]any{"footer": map[string]any{"text": f}}}})
			}
			b, _ := json.Marshal(out)
			return 200, string(b)
		}
		var m struct {
			Embeds []struct {
				Footer *struct {
					Text string `json:"text"`
				} `json:"footer"`
			} `json:"embeds"`
		}
		json.Unmarshal([]byte(r.Body), &m)
		footer := m.Embeds[len(m.Embeds)-1].Footer.Text
		if failing && len(posted) == 1 {
			return 500, `{"code":0,"message":"server error"}`
		}
		posted = append(posted, footer)
		return 200, `{"id":"1"}`
	}
	a := newTestAdapter(t, newSigner(t), api.URL+"/", &fakeAnswerer{}, nil)
	ctx := context.Background()
	ref := bot.SlotRef{Subscription: "morning", Slot: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	long := longReply()
	if _, err := a.PostDigest(ctx, "123456789012345678", long, ref, nil); err == nil {
		t.Fatal("the second part was meant to fail")
	}
	parts := len(renderReply(long))
	got, err := a.PostedParts(ctx, "123456789012345678", ref)
	if want := (bot.Parts{Found: map[int]bool{1: true}, Total: parts}); err != nil || !cmp.Equal(got, want) {
		t.Fatalf("PostedParts of a half-posted digest = %+v, %v; want %+v", got, err, want)
	}
	mu.Lock()
	failing = false
	mu.Unlock()
	if _, err := a.PostDigest(ctx, "123456789012345678", long, ref, got.Found); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, f := range posted {
		seen[f]++
	}
	if len(seen) != parts {
		t.Errorf("%d distinct parts in the channel, want %d: %v", len(seen), parts, posted)
	}
	for f, n := range seen {
		if n != 1 {
			t.Errorf("%q posted %d times", f, n)
		}
	}
	if got, _ := a.PostedParts(ctx, "123456789012345678", ref); !got.Whole() {
		t.Errorf("PostedParts of the completed digest = %+v, want whole", got)
	}
}

func TestConnected(t *testing.T) {
	s := newSigner(t)
	httpMode := newTestAdapter(t, s, "http://127.0.0.1:1/", &fakeAnswerer{}, nil)
	gateway := newTestAdapter(t, s, "http://127.0.0.1:1/", &fakeAnswerer{}, func(c *Config) { c.Mode = ModeGateway })
	if !httpMode.Connected() {
		t.Error("an http-mode adapter is not ready")
	}
	if gateway.Connected() {
		t.Error("a gateway adapter that never connected says it is connected")
	}
}
