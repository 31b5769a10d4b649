package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// testNow is the fixed clock of most tests.
var testNow = time.Date(2025, 11, 7, 9, 30, 0, 0, time.UTC)

// kazakhstanRisks mirrors what the core answers to "kazakhstan risks" for
// /work/shared/seed/kazakhstan.txt.
func kazakhstanRisks() bot.Reply {
	return bot.Reply{
		Kind:  bot.KindSection,
		Topic: "kazakhstan",
		Title: "Kazakhstan — Risks & caveats",
		Sections: []bot.Section{{
			Heading: "Risks & caveats",
			Blocks: []bot.Block{
				{Bullet: true, Label: "Domestic and regional backlash", Text: "Some Muslim-majority countries, and Iran-aligned groups, may view normalisation with Israel skeptically or hostilely."},
				{Bullet: true, Label: "Symbolic vs substantive", Text: "Since Kazakhstan already had ties with Israel, critics view the step as largely gestural; the depth of cooperation moving forward will be telling."},
				{Bullet: true, Label: "Strategic balancing", Text: "Kazakhstan will need to manage relations with Russia and China carefully as it expands ties westwards."},
			},
		}},
		Suggestions: []bot.Suggestion{
			{Label: "What’s new", Query: "kazakhstan what’s new"},
			{Label: "Strategic significance", Query: "kazakhstan strategic significance"},
			{Label: "Looking ahead", Query: "kazakhstan looking ahead"},
		},
		Footer: bot.Footer{Source: "kazakhstan.txt", Date: time.Date(2025, 11, 6, 0, 0, 0, 0, time.UTC)},
	}
}

// kazakhstanOverview mirrors the core's answer to "kazakhstan".
func kazakhstanOverview() bot.Reply {
	return bot.Reply{
		Kind:  bot.KindOverview,
		Topic: "kazakhstan",
		Title: "Kazakhstan",
		Lede: []string{
			"In a landmark diplomatic shift, Kazakhstan has announced its intention to join the Abraham Accords — the U.S.-brokered framework of normalisation between Israel and several Arab and Muslim-majority states.",
			"Launched in 2020 under Donald Trump, the Abraham Accords initially included the UAE and Bahrain, later joined by Morocco and Sudan. Kazakhstan, though having had diplomatic ties with Israel since 1992, had not formally been part of the accords until now.",
		},
		Suggestions: []bot.Suggestion{
			{Label: "What’s new", Query: "kazakhstan what’s new"},
			{Label: "Strategic significance", Query: "kazakhstan strategic significance"},
			{Label: "Risks & caveats", Query: "kazakhstan risks & caveats"},
			{Label: "Looking ahead", Query: "kazakhstan looking ahead"},
			{Label: "Everything", Query: "kazakhstan all"},
		},
		Footer: bot.Footer{Source: "kazakhstan.txt", Date: time.Date(2025, 11, 6, 0, 0, 0, 0, time.UTC)},
	}
}

// fakeAnswerer answers from a table of replies, optionally slowly, and
// records the requests it was asked.
type fakeAnswerer struct {
	mu      sync.Mutex
	replies map[string]bot.Reply
	// hold, when set, keeps every answer back until it is closed.
	hold  chan struct{}
	asked []bot.Request
}

func (f *fakeAnswerer) Handle(ctx context.Context, req bot.Request) bot.Reply {
	f.mu.Lock()
	f.asked = append(f.asked, req)
	r, ok := f.replies[req.Text]
	f.mu.Unlock()
	if f.hold != nil {
		select {
		case <-f.hold:
		case <-ctx.Done():
		}
	}
	if !ok {
		return bot.Reply{Kind: bot.KindNotFound, Title: "Not found", Lede: []string{"No briefing matches."}}
	}
	return r
}

func (f *fakeAnswerer) requests() []bot.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Request(nil), f.asked...)
}

func newFakeAnswerer() *fakeAnswerer {
	return &fakeAnswerer{replies: map[string]bot.Reply{
		"kazakhstan risks": kazakhstanRisks(),
		"kazakhstan":       kazakhstanOverview(),
	}}
}

// signed builds a request signed as Slack would sign it at now.
func signed(t testing.TB, now time.Time, path, contentType, body string) *http.Request {
	t.Helper()
	ts := strconv.FormatInt(now.Unix(), 10)
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", Sign(testSecret, ts, []byte(body)))
	return req
}

func commandForm(text, responseURL string) string {
	return url.Values{
		"token":        {"xyzz0WbapA4vBCDEFasx0q6G"},
		"team_id":      {"T1DC2JH3J"},
		"channel_id":   {"C0123"},
		"channel_name": {"general"},
		"user_id":      {"U2CERLKJA"},
		"user_name":    {"roadrunner"},
		"command":      {"/brief"},
		"text":         {text},
		"response_url": {responseURL},
		"trigger_id":   {newTriggerID()},
	}.Encode()
}

var triggers atomic.Int64

// newTriggerID is a fresh trigger_id, as Slack gives every invocation.
func newTriggerID() string {
	return fmt.Sprintf("398738663015.47445629121.%d", triggers.Add(1))
}

// responseSink is a fake response_url collecting the JSON messages posted to it.
type responseSink struct {
	srv  *httptest.Server
	msgs chan map[string]any
}

func newResponseSink(t *testing.T) *responseSink {
	s := &responseSink{msgs: make(chan map[string]any, 100)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("response_url got Content-Type %q", ct)
		}
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("response_url got invalid JSON: %v", err)
		}
		s.msgs <- m
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *responseSink) next(t *testing.T) map[string]any {
	t.Helper()
	select {
	case m := <-s.msgs:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("nothing posted to response_url")
		return nil
	}
}

func (s *responseSink) none(t *testing.T) {
	t.Helper()
	select {
	case m := <-s.msgs:
		t.Fatalf("unexpected response_url post: %v", m)
	default:
	}
}

// blockTexts returns the text of every block of a decoded message, in order.
func blockTexts(m map[string]any) []string {
	var out []string
	blocks, _ := m["blocks"].([]any)
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		if t, ok := bm["text"].(map[string]any); ok {
			out = append(out, t["text"].(string))
		}
		if els, ok := bm["elements"].([]any); ok {
			for _, e := range els {
				em, _ := e.(map[string]any)
				if t, ok := em["text"].(map[string]any); ok {
					out = append(out, t["text"].(string))
				} else if s, ok := em["text"].(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// buttonValues returns action_id → value of a decoded message's buttons.
func buttonValues(m map[string]any) map[string]string {
	out := map[string]string{}
	blocks, _ := m["blocks"].([]any)
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		if bm["type"] != "actions" {
			continue
		}
		for _, e := range bm["elements"].([]any) {
			em := e.(map[string]any)
			out[em["action_id"].(string)] = em["value"].(string)
		}
	}
	return out
}

// decode round-trips a rendered message through JSON, as Slack receives it.
func decode(t *testing.T, m message) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
