package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

const digestChannel = "123456789012345678"

var correctionRef = bot.SlotRef{Subscription: "morning", Slot: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}

// A correction edits the digest's message (PATCH), keeping the footer that
// names the digest and its part, with the marker and the new text.
func TestEditDigestEditsMessage(t *testing.T) {
	api := newFakeDiscord(t)
	a := newTestAdapter(t, newSigner(t), api.URL+"/", &fakeAnswerer{}, nil)
	r := bot.Reply{Kind: bot.KindDigest, Title: "Briefing digest",
		Notes:    []string{"Corrected Mon 30 Nov 10:00 UTC: Kazakhstan changed after this digest was posted."},
		Sections: []bot.Section{{Heading: "Kazakhstan", Blocks: []bot.Block{{Text: "Astana signs with the EU and China."}}}}}
	ids, err := a.EditDigest(context.Background(), digestChannel, []string{"555"}, r, correctionRef)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(ids, []string{"555"}) {
		t.Errorf("EditDigest = %v, want the same message", ids)
	}
	reqs := api.requests()
	if len(reqs) != 1 || reqs[0].Method != http.MethodPatch || reqs[0].Path != "/channels/"+digestChannel+"/messages/555" {
		t.Fatalf("requests %+v, want one PATCH of message 555", reqs)
	}
	body := reqs[0].Body
	for _, want := range []string{"Corrected Mon 30 Nov 10:00 UTC", "EU and China", digestMarker(correctionRef) + " · part 1/1"} {
		if !strings.Contains(body, want) {
			t.Errorf("edit lacks %q: %s", want, body)
		}
	}
	if strings.Contains(body, "nonce") {
		t.Errorf("an edit carries a nonce: %s", body)
	}
}

// A correction that needs more messages posts the extra parts; one that
// needs fewer deletes the surplus.
func TestEditDigestGrowsAndShrinksOnDiscord(t *testing.T) {
	api := newFakeDiscord(t)
	a := newTestAdapter(t, newSigner(t), api.URL+"/", &fakeAnswerer{}, nil)
	long := longReply()
	parts := len(digestMessages(long, correctionRef))
	if parts < 2 {
		t.Fatalf("the long reply renders as %d message(s)", parts)
	}
	grown, err := a.EditDigest(context.Background(), digestChannel, []string{"555"}, long, correctionRef)
	if err != nil {
		t.Fatal(err)
	}
	reqs := api.requests()
	if len(grown) != parts || grown[0] != "555" || len(reqs) != parts || reqs[0].Method != http.MethodPatch {
		t.Fatalf("growing to %d parts: ids %v, requests %d", parts, grown, len(reqs))
	}
	for _, r := range reqs[1:] {
		var m struct {
			Nonce string `json:"nonce"`
		}
		json.Unmarshal([]byte(r.Body), &m)
		if r.Method != http.MethodPost || m.Nonce == "" {
			t.Errorf("extra part sent as %s with nonce %q, want a POST with a nonce", r.Method, m.Nonce)
		}
	}
	shrunk, err := a.EditDigest(context.Background(), digestChannel, grown, bot.Reply{Kind: bot.KindDigest, Title: "Briefing digest"}, correctionRef)
	if err != nil {
		t.Fatal(err)
	}
	reqs = api.requests()[parts:]
	if !cmp.Equal(shrunk, []string{"555"}) || len(reqs) != parts {
		t.Fatalf("shrinking: ids %v, requests %+v", shrunk, reqs)
	}
	for i, r := range reqs[1:] {
		if r.Method != http.MethodDelete || r.Path != "/channels/"+digestChannel+"/messages/"+grown[i+1] {
			t.Errorf("request %d: %s %s, want DELETE of %s", i+1, r.Method, r.Path, grown[i+1])
		}
	}
}

// A deleted digest message cannot be corrected: the error says so.
func TestEditDeletedDigestIsPermanent(t *testing.T) {
	api := newFakeDiscord(t)
	api.respond = func(n int, r recorded) (int, string) { return 404, `{"code":10008,"message":"Unknown Message"}` }
	a := newTestAdapter(t, newSigner(t), api.URL+"/", &fakeAnswerer{}, nil)
	_, err := a.EditDigest(context.Background(), digestChannel, []string{"555"}, bot.Reply{Kind: bot.KindDigest}, correctionRef)
	if !bot.IsPermanent(err) {
		t.Errorf("EditDigest of a deleted message = %v, want a permanent error", err)
	}
}

// follow_up posts a reply that references the digest message.
func TestFollowUpDigestReferencesDigest(t *testing.T) {
	api := newFakeDiscord(t)
	a := newTestAdapter(t, newSigner(t), api.URL+"/", &fakeAnswerer{}, nil)
	note := bot.Reply{Kind: bot.KindDigest, Title: "Correction to the digest of Monday 30 November 2026", Notes: []string{"Corrected Mon 30 Nov 10:00 UTC: Kazakhstan changed."}}
	if err := a.FollowUpDigest(context.Background(), digestChannel, "555", note); err != nil {
		t.Fatal(err)
	}
	reqs := api.requests()
	if len(reqs) != 1 || reqs[0].Method != http.MethodPost {
		t.Fatalf("requests %+v, want one post", reqs)
	}
	var m struct {
		Ref struct {
			MessageID string `json:"message_id"`
			ChannelID string `json:"channel_id"`
		} `json:"message_reference"`
	}
	if err := json.Unmarshal([]byte(reqs[0].Body), &m); err != nil {
		t.Fatal(err)
	}
	if m.Ref.MessageID != "555" || m.Ref.ChannelID != digestChannel || !strings.Contains(reqs[0].Body, "Correction to the digest") {
		t.Errorf("follow-up %s does not reply to message 555", reqs[0].Body)
	}
}
