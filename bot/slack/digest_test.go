package slack

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
)

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
		{"not a subscription command", []string{"U2CERLKJA"}, true, "kazakhstan risks", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/users.info" {
					http.NotFound(w, r)
					return
				}
				fmt.Fprintf(w, `{"ok":true,"user":{"id":"U2CERLKJA","is_admin":%v}}`, tt.isAdmin)
			}))
			defer api.Close()
			hs := newHarness(t, func(c *Config) { c.Admins = tt.admins; c.APIURL = api.URL + "/" })
			hs.command(t, tt.text)
			hs.wait()
			reqs := hs.ans.requests()
			if len(reqs) != 1 {
				t.Fatalf("core asked %d times", len(reqs))
			}
			if reqs[0].CanManage != tt.want {
				t.Errorf("CanManage = %v, want %v", reqs[0].CanManage, tt.want)
			}
		})
	}
}

func TestDigestPostCarriesSlotMetadata(t *testing.T) {
	api := newAPI(t)
	a := newPoster(t, api.srv.GetAPIURL())
	ref := bot.SlotRef{Subscription: "morning", Slot: time.Date(2026, 3, 1, 8, 0, 0, 0, time.FixedZone("x", 3600))}
	if _, err := a.PostDigest(context.Background(), "C0DIGEST", bot.Reply{Kind: bot.KindDigest, Title: "Digest"}, ref); err != nil {
		t.Fatal(err)
	}
	post := api.next(t)
	want := `{"event_type":"briefbot_digest","event_payload":{"slot":"2026-03-01T07:00:00Z","subscription":"morning"}}`
	if got := post.Get("metadata"); got != want {
		t.Errorf("metadata = %s, want %s", got, want)
	}
}
