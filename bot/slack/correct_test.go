package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

// editAPI records chat.postMessage, chat.update and chat.delete calls as
// slack-go sends them to slacktest; updateErr makes chat.update fail.
type editAPI struct {
	mu        sync.Mutex
	calls     []editCall
	posted    int
	updateErr string
}

type editCall struct {
	Method, Channel, TS, ThreadTS, Text string
	Part, Parts                         float64
}

func (e *editAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	w.Header().Set("Content-Type", "application/json")
	e.mu.Lock()
	defer e.mu.Unlock()
	c := editCall{Method: strings.TrimPrefix(r.URL.Path, "/"), Channel: r.Form.Get("channel"), TS: r.Form.Get("ts"),
		ThreadTS: r.Form.Get("thread_ts"), Text: r.Form.Get("text") + r.Form.Get("blocks")}
	var md struct {
		Payload map[string]any `json:"event_payload"`
	}
	if json.Unmarshal([]byte(r.Form.Get("metadata")), &md) == nil {
		c.Part, _ = md.Payload["part"].(float64)
		c.Parts, _ = md.Payload["parts"].(float64)
	}
	switch c.Method {
	case "chat.postMessage":
		e.posted++
		c.TS = fmt.Sprintf("1762500000.%06d", e.posted)
	case "chat.update":
		if e.updateErr != "" {
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, e.updateErr)
			return
		}
	}
	e.calls = append(e.calls, c)
	fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, c.Channel, c.TS)
}

func (e *editAPI) recorded() []editCall {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := append([]editCall(nil), e.calls...)
	e.calls = nil
	return out
}

func newEditAPI(t *testing.T) (*editAPI, *Adapter) {
	api := &editAPI{}
	return api, newPoster(t, slackAPI(t, api.ServeHTTP, "chat.postMessage", "chat.update", "chat.delete"))
}

func corrected(r bot.Reply) bot.Reply {
	r.Notes = append([]string{"Corrected Mon 30 Nov 10:00 UTC: Kazakhstan changed after this digest was posted."}, r.Notes...)
	return r
}

// A correction edits the digest's message in place (chat.update), with
// its marker and the digest's metadata.
func TestEditDigestUpdatesInPlace(t *testing.T) {
	api, a := newEditAPI(t)
	ctx := context.Background()
	ref := bot.SlotRef{Subscription: "morning", Slot: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
	digest := bot.Reply{Kind: bot.KindDigest, Title: "Briefing digest", Sections: []bot.Section{{Heading: "Kazakhstan", Blocks: []bot.Block{{Text: "Astana signs."}}}}}
	ids, err := a.PostDigest(ctx, "C1", digest, ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	api.recorded()
	digest.Sections[0].Blocks[0].Text = "Astana signs with the EU and China."
	got, err := a.EditDigest(ctx, "C1", ids, corrected(digest), ref)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(got, ids) {
		t.Errorf("EditDigest = %v, want the same message %v", got, ids)
	}
	calls := api.recorded()
	if len(calls) != 1 || calls[0].Method != "chat.update" || calls[0].Channel != "C1" || calls[0].TS != ids[0] {
		t.Fatalf("calls %+v, want one chat.update of %s in C1", calls, ids[0])
	}
	if c := calls[0]; !strings.Contains(c.Text, "Corrected Mon 30 Nov 10:00 UTC") || !strings.Contains(c.Text, "EU and China") || c.Part != 1 || c.Parts != 1 {
		t.Errorf("update %+v lacks the marker, the new text or the digest's metadata", c)
	}
}

// A correction that needs more messages posts the extra parts; one that
// needs fewer deletes the surplus.
func TestEditDigestGrowsAndShrinks(t *testing.T) {
	api, a := newEditAPI(t)
	ctx := context.Background()
	ref := bot.SlotRef{Subscription: "morning", Slot: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
	long := longReply()
	parts := len(render(long, renderOptions{}))
	grown, err := a.EditDigest(ctx, "C1", []string{"1762400000.000001"}, long, ref)
	if err != nil {
		t.Fatal(err)
	}
	calls := api.recorded()
	if len(grown) != parts || grown[0] != "1762400000.000001" || len(calls) != parts {
		t.Fatalf("growing to %d parts: ids %v, %d calls", parts, grown, len(calls))
	}
	for i, c := range calls {
		want := "chat.postMessage"
		if i == 0 {
			want = "chat.update"
		}
		if c.Method != want || c.Part != float64(i+1) || c.Parts != float64(parts) {
			t.Errorf("call %d: %s part %v/%v, want %s part %d/%d", i, c.Method, c.Part, c.Parts, want, i+1, parts)
		}
	}
	shrunk, err := a.EditDigest(ctx, "C1", grown, bot.Reply{Kind: bot.KindDigest, Title: "Briefing digest"}, ref)
	if err != nil {
		t.Fatal(err)
	}
	calls = api.recorded()
	if !cmp.Equal(shrunk, grown[:1]) || len(calls) != parts || calls[0].Method != "chat.update" {
		t.Fatalf("shrinking: ids %v, calls %+v", shrunk, calls)
	}
	for i, c := range calls[1:] {
		if c.Method != "chat.delete" || c.TS != grown[i+1] {
			t.Errorf("call %d: %s %s, want chat.delete %s", i+1, c.Method, c.TS, grown[i+1])
		}
	}
}

// A digest message that is gone cannot be corrected: the error says so.
func TestEditDigestOfDeletedMessageIsPermanent(t *testing.T) {
	api, a := newEditAPI(t)
	api.updateErr = "message_not_found"
	_, err := a.EditDigest(context.Background(), "C1", []string{"1.000001"}, bot.Reply{Kind: bot.KindDigest}, bot.SlotRef{Subscription: "s", Slot: time.Now()})
	if !bot.IsPermanent(err) {
		t.Errorf("EditDigest of a deleted message = %v, want a permanent error", err)
	}
}

// follow_up replies in the digest's thread.
func TestFollowUpDigestRepliesInThread(t *testing.T) {
	api, a := newEditAPI(t)
	note := bot.Reply{Kind: bot.KindDigest, Title: "Correction to the digest of Monday 30 November 2026", Notes: []string{"Corrected Mon 30 Nov 10:00 UTC: Kazakhstan changed."}}
	if err := a.FollowUpDigest(context.Background(), "C1", "1762500000.000001", note); err != nil {
		t.Fatal(err)
	}
	calls := api.recorded()
	if len(calls) != 1 || calls[0].Method != "chat.postMessage" || calls[0].ThreadTS != "1762500000.000001" || !strings.Contains(calls[0].Text, "Correction to the digest") {
		t.Errorf("calls %+v, want one reply in the thread of 1762500000.000001", calls)
	}
}
