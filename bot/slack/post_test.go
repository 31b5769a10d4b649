package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack/slacktest"

	"github.com/briefbot/briefbot/bot"
)

func newPoster(t *testing.T, apiURL string, opts ...Option) *Adapter {
	t.Helper()
	a, err := New(Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: apiURL, Clock: func() time.Time { return testNow }}, newFakeAnswerer(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	fakePace(a, true)
	return a
}

func TestPostCarriesMetadataOnEveryMessage(t *testing.T) {
	api := newAPI(t)
	a := newPoster(t, api.srv.GetAPIURL())
	pace := fakePace(a, true)
	payload := map[string]any{"subscription": 42, "slot": "2025-11-07T09:00"}
	tss, err := post(a, context.Background(), "C0DIGEST", longReply(), PostOptions{EventType: "briefbot_digest", EventPayload: payload})
	if err != nil {
		t.Fatal(err)
	}
	if len(tss) != 2 || tss[0] == tss[1] {
		t.Errorf("timestamps %q, want two distinct", tss)
	}
	for i := range 2 {
		post := api.next(t)
		if post.Get("channel") != "C0DIGEST" {
			t.Errorf("message %d went to %s", i, post.Get("channel"))
		}
		var md struct {
			EventType    string         `json:"event_type"`
			EventPayload map[string]any `json:"event_payload"`
		}
		if err := json.Unmarshal([]byte(post.Get("metadata")), &md); err != nil {
			t.Fatalf("message %d metadata %q: %v", i, post.Get("metadata"), err)
		}
		want := map[string]any{"subscription": float64(42), "slot": "2025-11-07T09:00"}
		if md.EventType != "briefbot_digest" || !cmp.Equal(want, md.EventPayload) {
			t.Errorf("message %d metadata = %+v", i, md)
		}
	}
	api.none(t)
	// Both messages go to one channel: the second waited Slack's second.
	if diff := cmp.Diff([]time.Duration{DefaultPostInterval}, pace.recorded()); diff != "" {
		t.Errorf("pacing waits (-want +got):\n%s", diff)
	}
}

// fakeAPI is a bare Web API counting calls: the first `limited` calls are
// rate limited with Retry-After: 7, then it answers with `final`.
type fakeAPI struct {
	calls   atomic.Int64
	limited int64
	final   string
}

// slackAPI serves h as the given Web API methods on slacktest's server and
// returns the API URL.
func slackAPI(t *testing.T, h http.HandlerFunc, methods ...string) string {
	t.Helper()
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		for _, m := range methods {
			c.Handle("/"+m, h)
		}
	})
	srv.Start()
	t.Cleanup(srv.Stop)
	return srv.GetAPIURL()
}

// url serves f as chat.postMessage and conversations.history.
func (f *fakeAPI) url(t *testing.T) string {
	return slackAPI(t, f.ServeHTTP, "chat.postMessage", "conversations.history")
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.calls.Add(1) <= f.limited {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, f.final)
}

// recordedSleep replaces waiting in tests and records the waits asked for.
type recordedSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *recordedSleep) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func TestPostRetriesAfterRateLimit(t *testing.T) {
	f := &fakeAPI{limited: 2, final: `{"ok":true,"channel":"C1","ts":"1.000001"}`}
	var s recordedSleep
	a := newPoster(t, f.url(t), WithRetry(3, s.sleep))
	tss, err := post(a, context.Background(), "C1", kazakhstanRisks(), PostOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"1.000001"}, tss); diff != "" {
		t.Errorf("timestamps (-want +got):\n%s", diff)
	}
	if got := f.calls.Load(); got != 3 {
		t.Errorf("%d calls, want 3", got)
	}
	if diff := cmp.Diff([]time.Duration{7 * time.Second, 7 * time.Second}, s.waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestPostGivesUpAfterMaxAttempts(t *testing.T) {
	f := &fakeAPI{limited: 100}
	var s recordedSleep
	a := newPoster(t, f.url(t), WithRetry(3, s.sleep))
	_, err := post(a, context.Background(), "C1", kazakhstanRisks(), PostOptions{})
	if err == nil || !strings.HasPrefix(err.Error(), "post to slack channel C1: ") {
		t.Fatalf("err = %v", err)
	}
	if got := f.calls.Load(); got != 3 {
		t.Errorf("%d calls, want 3", got)
	}
	if errors.As(err, new(*PermanentError)) {
		t.Error("a rate limit is not permanent")
	}
}

// A post waiting out a rate limit (with the real timer: Retry-After is
// 7 s) stops when its context ends, and makes no further call.
func TestPostStopsWaitingWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &fakeAPI{limited: 100}
	api := slackAPI(t, func(w http.ResponseWriter, r *http.Request) {
		f.ServeHTTP(w, r)
		cancel() // the caller gives up while Slack says to wait
	}, "chat.postMessage")
	a := newPoster(t, api)
	_, err := post(a, ctx, "C1", kazakhstanRisks(), PostOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want the cancellation", err)
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("%d calls, want 1: the wait must end with the context", n)
	}
}

func TestPostPermanentError(t *testing.T) {
	for _, tt := range []struct {
		code      string
		permanent bool
	}{{"channel_not_found", true}, {"not_in_channel", true}, {"is_archived", true}, {"invalid_auth", true}, {"missing_scope", true}, {"msg_too_long", false}} {
		f := &fakeAPI{final: fmt.Sprintf(`{"ok":false,"error":%q}`, tt.code)}
		a := newPoster(t, f.url(t))
		_, err := post(a, context.Background(), "C123", kazakhstanRisks(), PostOptions{})
		if err == nil || err.Error() != "post to slack channel C123: "+tt.code {
			t.Errorf("%s: err = %v", tt.code, err)
		}
		var pe *PermanentError
		if got := errors.As(err, &pe); got != tt.permanent {
			t.Errorf("%s: permanent = %v, want %v", tt.code, got, tt.permanent)
		}
	}
}

func TestFindPosted(t *testing.T) {
	var gotParams []string
	var mu sync.Mutex
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/conversations.history", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			mu.Lock()
			gotParams = append(gotParams, fmt.Sprintf("channel=%s oldest=%s meta=%s cursor=%s", r.Form.Get("channel"), r.Form.Get("oldest"), r.Form.Get("include_all_metadata"), r.Form.Get("cursor")))
			mu.Unlock()
			if r.Form.Get("cursor") == "" {
				fmt.Fprint(w, `{"ok":true,"has_more":true,"response_metadata":{"next_cursor":"page2"},"messages":[
					{"type":"message","ts":"1762500100.000001","text":"chatter"},
					{"type":"message","ts":"1762500090.000001","text":"old digest","metadata":{"event_type":"briefbot_digest","event_payload":{"subscription":42,"slot":"2025-11-06T09:00"}}},
					{"type":"message","ts":"1762500080.000001","text":"other app","metadata":{"event_type":"other","event_payload":{"subscription":42,"slot":"2025-11-07T09:00"}}}]}`)
				return
			}
			fmt.Fprint(w, `{"ok":true,"has_more":false,"messages":[
				{"type":"message","ts":"1762500000.000001","text":"digest","metadata":{"event_type":"briefbot_digest","event_payload":{"subscription":42,"slot":"2025-11-07T09:00","part":1}}}]}`)
		})
	})
	srv.Start()
	defer srv.Stop()
	a := newPoster(t, srv.GetAPIURL())
	since := time.Unix(1762490000, 0)

	found, err := findPosted(a, context.Background(), "C0DIGEST", "briefbot_digest", map[string]any{"subscription": 42, "slot": "2025-11-07T09:00"}, since)
	if err != nil || !found {
		t.Errorf("findPosted = %v, %v; want the digest on page 2", found, err)
	}
	want := []string{
		"channel=C0DIGEST oldest=1762490000.000000 meta=1 cursor=",
		"channel=C0DIGEST oldest=1762490000.000000 meta=1 cursor=page2",
	}
	if diff := cmp.Diff(want, gotParams); diff != "" {
		t.Errorf("history calls (-want +got):\n%s", diff)
	}

	found, err = findPosted(a, context.Background(), "C0DIGEST", "briefbot_digest", map[string]any{"subscription": 42, "slot": "2025-11-08T09:00"}, since)
	if err != nil || found {
		t.Errorf("findPosted for another slot = %v, %v; want false", found, err)
	}
}

func TestFindPostedErrorNamesChannel(t *testing.T) {
	f := &fakeAPI{final: `{"ok":false,"error":"not_in_channel"}`}
	a := newPoster(t, f.url(t))
	_, err := findPosted(a, context.Background(), "C9", "briefbot_digest", nil, time.Time{})
	var pe *PermanentError
	if err == nil || !strings.Contains(err.Error(), "C9") || !errors.As(err, &pe) || pe.Code != "not_in_channel" {
		t.Errorf("err = %v", err)
	}
}

// post renders r and posts it to channel.
func post(a *Adapter, ctx context.Context, channel string, r bot.Reply, opts PostOptions) ([]string, error) {
	return a.postMessages(ctx, channel, render(r, renderOptions{}), opts)
}

// findPosted reports whether scanPosted finds a match.
func findPosted(a *Adapter, ctx context.Context, channel, eventType string, match map[string]any, since time.Time) (bool, error) {
	found := false
	err := a.scanPosted(ctx, channel, eventType, match, since, func(map[string]any) bool {
		found = true
		return false
	})
	return found, err
}
