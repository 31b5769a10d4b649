package slack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/slack-go/slack/slacktest"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
)

// apiFake is slack-go's slacktest server with chat.postMessage recording
// what the adapter posts.
type apiFake struct {
	srv   *slacktest.Server
	posts chan url.Values
	n     atomic.Int64
}

func newAPI(t *testing.T) *apiFake {
	f := &apiFake{posts: make(chan url.Values, 200)}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			if err := r.ParseForm(); err != nil {
				t.Errorf("chat.postMessage: %v", err)
			}
			f.posts <- r.PostForm
			n := f.n.Add(1)
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1762500000.%06d"}`, r.PostForm.Get("channel"), n)
		})
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func (f *apiFake) next(t *testing.T) url.Values {
	t.Helper()
	select {
	case v := <-f.posts:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("nothing posted to chat.postMessage")
		return nil
	}
}

func (f *apiFake) none(t *testing.T) {
	t.Helper()
	select {
	case v := <-f.posts:
		t.Fatalf("unexpected chat.postMessage: channel=%s text=%s", v.Get("channel"), v.Get("text"))
	default:
	}
}

// postedBlocks decodes the blocks of a chat.postMessage form as a message.
func postedBlocks(t *testing.T, v url.Values) map[string]any {
	t.Helper()
	var blocks []any
	if err := json.Unmarshal([]byte(v.Get("blocks")), &blocks); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	return map[string]any{"blocks": blocks, "text": v.Get("text")}
}

type harness struct {
	a    *Adapter
	ans  *fakeAnswerer
	api  *apiFake
	sink *responseSink
	logs *bytes.Buffer
	h    http.Handler
}

func newHarness(t *testing.T, mod func(*Config)) *harness {
	t.Helper()
	hs := &harness{ans: newFakeAnswerer(), api: newAPI(t), sink: newResponseSink(t), logs: &bytes.Buffer{}}
	cfg := Config{
		BotToken:      "xoxb-test-token",
		SigningSecret: testSecret,
		Mode:          ModeHTTP,
		APIURL:        hs.api.srv.GetAPIURL(),
		Clock:         func() time.Time { return testNow },
		Logger:        slog.New(slog.NewJSONHandler(hs.logs, nil)),
	}
	if mod != nil {
		mod(&cfg)
	}
	a, err := New(cfg, hs.ans)
	if err != nil {
		t.Fatal(err)
	}
	fakePace(a, true)
	hs.a = a
	hs.h = a.Handler()
	return hs
}

func (hs *harness) do(t *testing.T, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	hs.h.ServeHTTP(rec, req)
	return rec
}

// doHeld serves req with the core held back until the response has been
// written to, so that only the ack budget can have written it, while the
// core was still at work. wrap, if not nil, stands for middleware around
// the handler's writer.
func (hs *harness) doHeld(t *testing.T, req *http.Request, wrap func(http.ResponseWriter) http.ResponseWriter) *httptest.ResponseRecorder {
	t.Helper()
	spy := bottest.NewWriteSpy()
	var w http.ResponseWriter = spy
	if wrap != nil {
		w = wrap(spy)
	}
	hs.ans.hold = spy.Written
	defer func() { hs.ans.hold = nil }()
	hs.h.ServeHTTP(w, req)
	return spy.ResponseRecorder
}

// wait blocks until every acknowledged request has been answered.
func (hs *harness) wait() { hs.a.inflight.Wait() }

func (hs *harness) command(t *testing.T, text string) *httptest.ResponseRecorder {
	t.Helper()
	return hs.do(t, signed(t, time.Now(), "/slack/commands", "application/x-www-form-urlencoded", commandForm(text, hs.sink.srv.URL)))
}

func decodeBody(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("response %q is not JSON: %v", rec.Body.String(), err)
	}
	return m
}

func TestCommandAnsweredInline(t *testing.T) {
	hs := newHarness(t, nil)
	rec := hs.command(t, " kazakhstan risks ")
	hs.wait()
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	m := decodeBody(t, rec)
	if m["response_type"] != "ephemeral" {
		t.Errorf("response_type = %v, want ephemeral by default", m["response_type"])
	}
	texts := blockTexts(m)
	if len(texts) < 2 || texts[0] != "Kazakhstan — Risks & caveats" || !strings.HasPrefix(texts[1], "*Risks &amp; caveats*\n• *Domestic and regional backlash:*") {
		t.Errorf("unexpected answer blocks: %q", texts)
	}
	if got := buttonValues(m)[actionShare]; got != "kazakhstan risks" {
		t.Errorf("share button value = %q, want the query", got)
	}
	want := []bot.Request{{Platform: Platform, User: "U2CERLKJA", Channel: "C0123", Command: "/brief", Text: "kazakhstan risks"}}
	if diff := cmp.Diff(want, hs.ans.requests(), cmpopts.IgnoreFields(bot.Request{}, "MayManage")); diff != "" {
		t.Errorf("core asked (-want +got):\n%s", diff)
	}
	hs.sink.none(t)
	hs.api.none(t)

	// One log line per handled command, without the question.
	logs := hs.logs.String()
	if n := strings.Count(logs, "slack request handled"); n != 1 {
		t.Errorf("%d handled lines, want 1: %s", n, logs)
	}
	for _, want := range []string{`"platform":"slack"`, `"kind":"section"`, `"outcome":"answered"`, `"duration"`, `"source":"command"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s: %s", want, logs)
		}
	}
	for _, secret := range []string{"kazakhstan", "xoxb-", testSecret, "Domestic"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q: %s", secret, logs)
		}
	}
}

func TestCommandVisibility(t *testing.T) {
	t.Run("in_channel config", func(t *testing.T) {
		hs := newHarness(t, func(c *Config) { c.Reply = ReplyInChannel })
		m := decodeBody(t, hs.command(t, "kazakhstan risks"))
		hs.wait()
		if m["response_type"] != "in_channel" {
			t.Errorf("response_type = %v", m["response_type"])
		}
		if _, ok := buttonValues(m)[actionShare]; ok {
			t.Error("an answer everyone sees has a Share button")
		}
	})
	t.Run("reply asks for private", func(t *testing.T) {
		hs := newHarness(t, func(c *Config) { c.Reply = ReplyInChannel })
		r := kazakhstanRisks()
		r.Visibility = bot.VisibilityPrivate
		hs.ans.replies["kazakhstan risks"] = r
		m := decodeBody(t, hs.command(t, "kazakhstan risks"))
		hs.wait()
		if m["response_type"] != "ephemeral" {
			t.Errorf("response_type = %v", m["response_type"])
		}
	})
	t.Run("reply asks for public", func(t *testing.T) {
		hs := newHarness(t, nil)
		r := kazakhstanRisks()
		r.Visibility = bot.VisibilityPublic
		hs.ans.replies["kazakhstan risks"] = r
		m := decodeBody(t, hs.command(t, "kazakhstan risks"))
		hs.wait()
		if m["response_type"] != "in_channel" {
			t.Errorf("response_type = %v", m["response_type"])
		}
	})
}

// TestCommandSlowAnswerGoesToResponseURL checks over real HTTP, as Slack
// sees it, that a slow answer is acknowledged empty within the budget and
// follows through response_url. The answer is held back until the ack has
// arrived, so only the budget can have sent the ack.
func TestCommandSlowAnswerGoesToResponseURL(t *testing.T) {
	hs := newHarness(t, func(c *Config) { c.AckBudget = time.Millisecond })
	hs.ans.hold = make(chan struct{})
	srv := httptest.NewServer(hs.h)
	defer srv.Close()
	req := signed(t, time.Now(), "/slack/commands", "application/x-www-form-urlencoded", commandForm("kazakhstan risks", hs.sink.srv.URL))
	req.RequestURI = ""
	req.URL, _ = url.Parse(srv.URL + "/slack/commands")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || len(body) != 0 {
		t.Errorf("ack = %d %q, want an empty 200", resp.StatusCode, body)
	}
	close(hs.ans.hold)
	m := hs.sink.next(t)
	hs.wait()
	if m["response_type"] != "ephemeral" {
		t.Errorf("response_type = %v", m["response_type"])
	}
	if texts := blockTexts(m); len(texts) < 2 || !strings.Contains(texts[1], "Strategic balancing") {
		t.Errorf("late answer blocks: %q", texts)
	}
	hs.sink.none(t)
}

// hiddenFlusher is middleware's ResponseWriter that hides Flush.
type hiddenFlusher struct{ w http.ResponseWriter }

func (h hiddenFlusher) Header() http.Header         { return h.w.Header() }
func (h hiddenFlusher) Write(b []byte) (int, error) { return h.w.Write(b) }
func (h hiddenFlusher) WriteHeader(code int)        { h.w.WriteHeader(code) }

// TestCommandUnflushableWriter: behind middleware that hides Flush, fast
// answers are still inline, and a slow one is still acknowledged empty,
// with its answer through response_url: nothing is lost.
func TestCommandUnflushableWriter(t *testing.T) {
	hs := newHarness(t, func(c *Config) { c.AckBudget = time.Hour })
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hs.h.ServeHTTP(hiddenFlusher{w}, r) })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, signed(t, time.Now(), "/slack/commands", "application/x-www-form-urlencoded", commandForm("kazakhstan risks", hs.sink.srv.URL)))
	hs.wait()
	if texts := blockTexts(decodeBody(t, rec)); len(texts) < 2 || !strings.Contains(texts[1], "Strategic balancing") {
		t.Errorf("fast answer not inline: %q", texts)
	}
	hs.sink.none(t)

	hs.a.cfg.AckBudget = time.Millisecond
	rec = hs.doHeld(t, signed(t, time.Now(), "/slack/commands", "application/x-www-form-urlencoded", commandForm("kazakhstan risks", hs.sink.srv.URL)),
		func(w http.ResponseWriter) http.ResponseWriter { return hiddenFlusher{w} })
	if rec.Code != 200 || rec.Body.Len() != 0 {
		t.Errorf("ack = %d %q, want an empty 200", rec.Code, rec.Body.String())
	}
	if texts := blockTexts(hs.sink.next(t)); len(texts) < 2 || !strings.Contains(texts[1], "Strategic balancing") {
		t.Errorf("late answer blocks: %q", texts)
	}
	hs.wait()
}

// A late ack is a whole response on its own while the handler is still
// busy, and does not keep the connection for the next request.
func TestCommandLateAckHeaders(t *testing.T) {
	hs := newHarness(t, func(c *Config) { c.AckBudget = time.Millisecond })
	rec := hs.doHeld(t, signed(t, time.Now(), "/slack/commands", "application/x-www-form-urlencoded", commandForm("kazakhstan risks", hs.sink.srv.URL)), nil)
	hs.sink.next(t)
	hs.wait()
	if got := rec.Header().Get("Content-Length"); got != "0" {
		t.Errorf("late ack Content-Length = %q, want 0", got)
	}
	if got := rec.Header().Get("Connection"); got != "close" {
		t.Errorf("late ack Connection = %q, want close", got)
	}
	if !rec.Flushed {
		t.Error("late ack not flushed")
	}
}

func TestCommandLongAnswerSplits(t *testing.T) {
	hs := newHarness(t, nil)
	hs.ans.replies["long"] = longReply()
	first := decodeBody(t, hs.command(t, "long"))
	hs.wait()
	want := render(longReply(), renderOptions{ShareQuery: "long"})
	if len(want) != 2 {
		t.Fatalf("test expects a two-message answer, got %d", len(want))
	}
	if diff := cmp.Diff(blockTexts(decode(t, want[0])), blockTexts(first)); diff != "" {
		t.Errorf("first message (-want +got):\n%s", diff)
	}
	second := hs.sink.next(t)
	if diff := cmp.Diff(blockTexts(decode(t, want[1])), blockTexts(second)); diff != "" {
		t.Errorf("second message (-want +got):\n%s", diff)
	}
	if second["response_type"] != "ephemeral" {
		t.Errorf("second message response_type = %v", second["response_type"])
	}
	hs.sink.none(t)
}

func eventBody(eventID string, inner map[string]any) string {
	b, _ := json.Marshal(map[string]any{
		"token":      "ignored",
		"team_id":    "T1",
		"api_app_id": "A1",
		"type":       "event_callback",
		"event_id":   eventID,
		"event_time": 1762500000,
		"event":      inner,
	})
	return string(b)
}

func TestEventURLVerification(t *testing.T) {
	hs := newHarness(t, nil)
	body := `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
	rec := hs.do(t, signed(t, time.Now(), "/slack/events", "application/json", body))
	if rec.Code != 200 || rec.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("got %d %q, want the challenge", rec.Code, rec.Body.String())
	}
	// An unsigned handshake is refused like everything else.
	req := httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(body))
	if rec := hs.do(t, req); rec.Code != 401 {
		t.Errorf("unsigned handshake: %d", rec.Code)
	}
}

func TestEventAppMentionAnsweredInThread(t *testing.T) {
	hs := newHarness(t, nil)
	body := eventBody("Ev01", map[string]any{
		"type": "app_mention", "user": "U2CERLKJA", "text": "<@U0BOT> kazakhstan risks",
		"ts": "1762499999.000100", "channel": "C0123", "event_ts": "1762499999.000100",
	})
	rec := hs.do(t, signed(t, time.Now(), "/slack/events", "application/json", body))
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	post := hs.api.next(t)
	hs.wait()
	if post.Get("channel") != "C0123" || post.Get("thread_ts") != "1762499999.000100" {
		t.Errorf("posted to %s thread %q, want C0123 thread 1762499999.000100", post.Get("channel"), post.Get("thread_ts"))
	}
	m := postedBlocks(t, post)
	if texts := blockTexts(m); len(texts) < 2 || !strings.Contains(texts[1], "Symbolic vs substantive") {
		t.Errorf("answer: %q", texts)
	}
	if _, ok := buttonValues(m)[actionShare]; ok {
		t.Error("a visible answer has a Share button")
	}
	if got := hs.ans.requests(); len(got) != 1 || got[0].Text != "kazakhstan risks" {
		t.Errorf("core asked %+v, want the text without the mention", got)
	}
	hs.api.none(t)
}

func TestEventDirectMessage(t *testing.T) {
	hs := newHarness(t, nil)
	body := eventBody("Ev02", map[string]any{
		"type": "message", "channel_type": "im", "user": "U2CERLKJA", "text": "kazakhstan",
		"ts": "1762499999.000200", "channel": "D0456",
	})
	hs.do(t, signed(t, time.Now(), "/slack/events", "application/json", body))
	post := hs.api.next(t)
	hs.wait()
	if post.Get("channel") != "D0456" || post.Get("thread_ts") != "" {
		t.Errorf("posted to %s thread %q, want D0456 without a thread", post.Get("channel"), post.Get("thread_ts"))
	}
	if texts := blockTexts(postedBlocks(t, post)); texts[0] != "Kazakhstan" {
		t.Errorf("answer: %q", texts)
	}
}

func TestEventIgnoresBotsAndNoise(t *testing.T) {
	hs := newHarness(t, nil)
	events := []map[string]any{
		{"type": "message", "channel_type": "im", "bot_id": "B0BOT", "text": "kazakhstan", "channel": "D0456", "ts": "1.1"},
		{"type": "message", "channel_type": "im", "subtype": "bot_message", "text": "kazakhstan", "channel": "D0456", "ts": "1.2"},
		{"type": "message", "channel_type": "im", "subtype": "message_changed", "channel": "D0456", "ts": "1.3"},
		{"type": "app_mention", "bot_id": "B0OTHER", "user": "U9", "text": "<@U0BOT> kazakhstan", "channel": "C0123", "ts": "1.4"},
		// Channel messages arrive as app_mention; a plain one is not for us.
		{"type": "message", "channel_type": "channel", "user": "U2CERLKJA", "text": "kazakhstan", "channel": "C0123", "ts": "1.5"},
	}
	for i, ev := range events {
		rec := hs.do(t, signed(t, time.Now(), "/slack/events", "application/json", eventBody(fmt.Sprintf("EvN%d", i), ev)))
		if rec.Code != 200 {
			t.Errorf("event %d: status %d", i, rec.Code)
		}
	}
	hs.wait()
	hs.api.none(t)
	if got := hs.ans.requests(); len(got) != 0 {
		t.Errorf("core asked %d times, want 0", len(got))
	}
}

func TestEventRetriesAnsweredOnce(t *testing.T) {
	hs := newHarness(t, nil)
	body := eventBody("Ev03", map[string]any{
		"type": "app_mention", "user": "U2CERLKJA", "text": "<@U0BOT> kazakhstan risks", "ts": "5.5", "channel": "C0123",
	})
	for retry := range 3 {
		req := signed(t, time.Now(), "/slack/events", "application/json", body)
		if retry > 0 {
			req.Header.Set("X-Slack-Retry-Num", fmt.Sprint(retry))
			req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
		}
		if rec := hs.do(t, req); rec.Code != 200 {
			t.Errorf("delivery %d: status %d", retry, rec.Code)
		}
	}
	hs.api.next(t)
	hs.wait()
	hs.api.none(t)
	if n := len(hs.ans.requests()); n != 1 {
		t.Errorf("answered %d times, want once", n)
	}
}

func interactionForm(t *testing.T, payload map[string]any) string {
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return url.Values{"payload": {string(b)}}.Encode()
}

func buttonPayload(responseURL, actionID, value string, ephemeral bool, messageTS string) map[string]any {
	return map[string]any{
		"type":         "block_actions",
		"user":         map[string]any{"id": "U2CERLKJA", "username": "roadrunner"},
		"channel":      map[string]any{"id": "C0123", "name": "general"},
		"container":    map[string]any{"type": "message", "channel_id": "C0123", "message_ts": messageTS, "is_ephemeral": ephemeral},
		"response_url": responseURL,
		"trigger_id":   newTriggerID(), // each press has its own
		"actions":      []any{map[string]any{"type": "button", "action_id": actionID, "value": value, "block_id": "b1", "action_ts": "1.1"}},
	}
}

func TestInteractionFollowUpReplacesEphemeral(t *testing.T) {
	hs := newHarness(t, nil)
	form := interactionForm(t, buttonPayload(hs.sink.srv.URL, "briefbot_query_0", "kazakhstan", true, "1762499999.000300"))
	rec := hs.do(t, signed(t, time.Now(), "/slack/interactions", "application/x-www-form-urlencoded", form))
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	m := hs.sink.next(t)
	hs.wait()
	if m["replace_original"] != true || m["response_type"] != "ephemeral" {
		t.Errorf("replace_original=%v response_type=%v, want the ephemeral replaced", m["replace_original"], m["response_type"])
	}
	if texts := blockTexts(m); texts[0] != "Kazakhstan" {
		t.Errorf("answer: %q", texts)
	}
	if got := buttonValues(m)[actionShare]; got != "kazakhstan" {
		t.Errorf("share button = %q", got)
	}
	hs.api.none(t)
}

func TestInteractionFollowUpInThread(t *testing.T) {
	hs := newHarness(t, nil)
	form := interactionForm(t, buttonPayload(hs.sink.srv.URL, "briefbot_query_1", "kazakhstan risks", false, "1762499999.000400"))
	hs.do(t, signed(t, time.Now(), "/slack/interactions", "application/x-www-form-urlencoded", form))
	post := hs.api.next(t)
	hs.wait()
	if post.Get("channel") != "C0123" || post.Get("thread_ts") != "1762499999.000400" {
		t.Errorf("posted to %s thread %q", post.Get("channel"), post.Get("thread_ts"))
	}
	hs.sink.none(t)
}

func TestInteractionShareInChannel(t *testing.T) {
	hs := newHarness(t, nil)
	form := interactionForm(t, buttonPayload(hs.sink.srv.URL, actionShare, "kazakhstan risks", true, "1762499999.000500"))
	hs.do(t, signed(t, time.Now(), "/slack/interactions", "application/x-www-form-urlencoded", form))
	m := hs.sink.next(t)
	hs.wait()
	if m["response_type"] != "in_channel" {
		t.Errorf("response_type = %v, want in_channel", m["response_type"])
	}
	texts := blockTexts(m)
	if len(texts) < 3 || texts[1] != "shared by <@U2CERLKJA>" || !strings.Contains(texts[2], "Strategic balancing") {
		t.Errorf("shared answer: %q", texts)
	}
	if _, ok := buttonValues(m)[actionShare]; ok {
		t.Error("shared answer still has a Share button")
	}
}

func TestEndpointsRefuseUnsigned(t *testing.T) {
	hs := newHarness(t, nil)
	for _, path := range []string{"/slack/commands", "/slack/events", "/slack/interactions"} {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(commandForm("kazakhstan", hs.sink.srv.URL)))
		req.Header.Set("X-Slack-Request-Timestamp", fmt.Sprint(time.Now().Unix()))
		req.Header.Set("X-Slack-Signature", "v0=deadbeef")
		if rec := hs.do(t, req); rec.Code != 401 {
			t.Errorf("%s: status %d, want 401", path, rec.Code)
		}
	}
	hs.wait()
	if n := len(hs.ans.requests()); n != 0 {
		t.Errorf("core asked %d times", n)
	}
}

// Behind a load balancer, Slack's retry may reach another replica; with a
// shared event log it is still answered once.
func TestEventRetryOnAnotherReplicaAnsweredOnce(t *testing.T) {
	log := bottest.NewStore()
	a, b := newHarness(t, nil), newHarness(t, nil)
	a.a.events, b.a.events = log, log
	body := eventBody("Ev09", map[string]any{
		"type": "app_mention", "user": "U2CERLKJA", "text": "<@U0BOT> kazakhstan risks", "ts": "5.5", "channel": "C0123",
	})
	if rec := a.do(t, signed(t, time.Now(), "/slack/events", "application/json", body)); rec.Code != 200 {
		t.Fatalf("first delivery: %d", rec.Code)
	}
	a.wait()
	retry := signed(t, time.Now(), "/slack/events", "application/json", body)
	retry.Header.Set("X-Slack-Retry-Num", "1")
	if rec := b.do(t, retry); rec.Code != 200 {
		t.Fatalf("retry: %d", rec.Code)
	}
	b.wait()
	if n := len(a.ans.requests()) + len(b.ans.requests()); n != 1 {
		t.Errorf("answered %d times across replicas, want once", n)
	}
}
