package slack

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/socketmode"
)

// fakeAcker records Socket Mode acknowledgements.
type fakeAcker struct {
	mu   sync.Mutex
	acks []ackRecord
	// changed is closed and replaced on every ack.
	changed chan struct{}
}

type ackRecord struct {
	envelope string
	payload  []any
}

func (f *fakeAcker) Ack(req socketmode.Request, payload ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.acks = append(f.acks, ackRecord{req.EnvelopeID, payload})
	if f.changed != nil {
		close(f.changed)
		f.changed = nil
	}
	return nil
}

// waitFor waits until n acks have been sent.
func (f *fakeAcker) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		f.mu.Lock()
		if len(f.acks) >= n {
			f.mu.Unlock()
			return
		}
		if f.changed == nil {
			f.changed = make(chan struct{})
		}
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("waited 10s for %d acks", n)
		}
	}
}

func (f *fakeAcker) all() []ackRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ackRecord(nil), f.acks...)
}

func socketEvent(typ socketmode.EventType, envelope, payload string) socketmode.Event {
	return socketmode.Event{Type: typ, Request: &socketmode.Request{Type: string(typ), EnvelopeID: envelope, Payload: json.RawMessage(payload)}}
}

func TestSocketSlashCommandAckCarriesAnswer(t *testing.T) {
	hs := newHarness(t, nil)
	var ack fakeAcker
	payload, _ := json.Marshal(map[string]string{"user_id": "U2CERLKJA", "channel_id": "C0123", "command": "/brief", "text": "kazakhstan risks", "response_url": hs.sink.srv.URL})
	hs.a.handleSocketEvent(&ack, socketEvent(socketmode.EventTypeSlashCommand, "env-1", string(payload)))
	hs.wait()
	acks := ack.all()
	if len(acks) != 1 || acks[0].envelope != "env-1" || len(acks[0].payload) != 1 {
		t.Fatalf("acks = %+v, want one carrying the answer", acks)
	}
	m := decode(t, *acks[0].payload[0].(*message))
	if m["response_type"] != "ephemeral" || !strings.Contains(strings.Join(blockTexts(m), "\n"), "Strategic balancing") {
		t.Errorf("ack payload = %v", m)
	}
	hs.sink.none(t)
}

func TestSocketSlowSlashCommandUsesResponseURL(t *testing.T) {
	// The answer is held back until the ack is seen: only the budget can
	// have sent it.
	hs := newHarness(t, func(c *Config) { c.AckBudget = time.Millisecond })
	hs.ans.hold = make(chan struct{})
	var ack fakeAcker
	payload, _ := json.Marshal(map[string]string{"user_id": "U1", "channel_id": "C1", "text": "kazakhstan", "response_url": hs.sink.srv.URL})
	hs.a.handleSocketEvent(&ack, socketEvent(socketmode.EventTypeSlashCommand, "env-2", string(payload)))
	ack.waitFor(t, 1)
	close(hs.ans.hold)
	m := hs.sink.next(t)
	hs.wait()
	if acks := ack.all(); len(acks) != 1 || len(acks[0].payload) != 0 {
		t.Errorf("acks = %+v, want one empty ack", acks)
	}
	if blockTexts(m)[0] != "Kazakhstan" {
		t.Errorf("late answer = %v", m)
	}
}

func TestSocketEventsRedeliveredAnsweredOnce(t *testing.T) {
	hs := newHarness(t, nil)
	var ack fakeAcker
	body := eventBody("EvS1", map[string]any{"type": "app_mention", "user": "U1", "text": "<@U0BOT> kazakhstan", "ts": "9.9", "channel": "C0123"})
	hs.a.handleSocketEvent(&ack, socketEvent(socketmode.EventTypeEventsAPI, "env-3", body))
	hs.a.handleSocketEvent(&ack, socketEvent(socketmode.EventTypeEventsAPI, "env-4", body))
	post := hs.api.next(t)
	hs.wait()
	hs.api.none(t)
	if post.Get("thread_ts") != "9.9" {
		t.Errorf("thread_ts = %q", post.Get("thread_ts"))
	}
	if n := len(ack.all()); n != 2 {
		t.Errorf("%d acks, want every delivery acked", n)
	}
}

func TestSocketInteractive(t *testing.T) {
	hs := newHarness(t, nil)
	var ack fakeAcker
	payload, _ := json.Marshal(buttonPayload(hs.sink.srv.URL, "briefbot_query_2", "kazakhstan", true, "1.1"))
	hs.a.handleSocketEvent(&ack, socketEvent(socketmode.EventTypeInteractive, "env-5", string(payload)))
	m := hs.sink.next(t)
	hs.wait()
	if m["replace_original"] != true || blockTexts(m)[0] != "Kazakhstan" {
		t.Errorf("button answer = %v", m)
	}
	if len(ack.all()) != 1 {
		t.Error("interaction not acked")
	}
}

func TestSocketBigAnswerNotInAck(t *testing.T) {
	hs := newHarness(t, nil)
	hs.ans.replies["long"] = longReply()
	var ack fakeAcker
	payload, _ := json.Marshal(map[string]string{"user_id": "U1", "channel_id": "C1", "text": "long", "response_url": hs.sink.srv.URL})
	hs.a.handleSocketEvent(&ack, socketEvent(socketmode.EventTypeSlashCommand, "env-6", string(payload)))
	first, second := hs.sink.next(t), hs.sink.next(t)
	hs.wait()
	if acks := ack.all(); len(acks) != 1 || len(acks[0].payload) != 0 {
		t.Errorf("acks = %+v; an answer over Slack's 20 KB socket limit must not ride in the ack", acks)
	}
	want := render(longReply(), renderOptions{ShareQuery: "long"})
	if blockTexts(first)[0] != "A very long briefing" || len(blockTexts(second)) != len(blockTexts(decode(t, want[1]))) {
		t.Errorf("messages out of order or incomplete")
	}
}

// A Socket Mode connection that cannot be made is logged with its reason,
// the ticket in the connection URL cut out, and shown as the adapter's
// trouble until it connects.
func TestSocketConnectionErrorLoggedWithReason(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// A websocket nobody listens on: the dial is refused.
		io.WriteString(w, `{"ok":true,"url":"ws://127.0.0.1:1/link/?ticket=secret-ticket-123&app_id=A1"}`)
	}))
	defer api.Close()
	logs := &syncLog{}
	a, err := New(Config{BotToken: "xoxb-t", AppToken: "xapp-t", APIURL: api.URL + "/", Logger: slog.New(slog.NewJSONHandler(logs, nil))}, newFakeAnswerer())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "slack socket mode connection failed") {
		if time.Now().After(deadline) {
			t.Fatalf("no connection error logged:\n%s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	out := logs.String()
	if !strings.Contains(out, `"reason":"`) || !strings.Contains(out, "connection refused") {
		t.Errorf("the log lacks the reason:\n%s", out)
	}
	if strings.Contains(out, "secret-ticket-123") {
		t.Errorf("the log holds the connection ticket:\n%s", out)
	}
	if tr := a.Trouble(); !strings.Contains(tr, "connection refused") {
		t.Errorf("Trouble() = %q", tr)
	}
}

// syncLog is a log buffer safe for the adapter's goroutines and the test.
type syncLog struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// A slash command Socket Mode delivers again (the same trigger_id) is
// acknowledged and not run again.
func TestSocketSlashCommandRedeliveredRunsOnce(t *testing.T) {
	hs := newHarness(t, nil)
	var ack fakeAcker
	payload, _ := json.Marshal(map[string]string{"trigger_id": "1.2.socket", "user_id": "U1", "channel_id": "C1", "command": "/brief", "text": "kazakhstan", "response_url": hs.sink.srv.URL})
	for _, env := range []string{"env-5", "env-6"} {
		hs.a.handleSocketEvent(&ack, socketEvent(socketmode.EventTypeSlashCommand, env, string(payload)))
	}
	ack.waitFor(t, 2)
	hs.wait()
	if n := len(hs.ans.requests()); n != 1 {
		t.Errorf("core asked %d times, want once", n)
	}
}
