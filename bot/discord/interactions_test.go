package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/briefbot/briefbot/bot"
)

func commandBody(query string) string {
	return fmt.Sprintf(`{"id":"555","application_id":"111","type":2,"token":"itok","channel_id":"777","guild_id":"888",
		"member":{"user":{"id":"42"},"permissions":"16"},
		"data":{"name":"brief","options":[{"name":"query","type":3,"value":%q}]}}`, query)
}

func TestInteractionSignature(t *testing.T) {
	s := newSigner(t)
	a := newTestAdapter(t, s, "http://127.0.0.1:1/", &fakeAnswerer{}, nil)
	ping := `{"id":"1","type":1,"token":"t","application_id":"111"}`
	other := newSigner(t)

	for _, tc := range []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"valid ping", func() *http.Request { return s.request(ping, testNow) }, http.StatusOK},
		{"unsigned", func() *http.Request {
			return httptest.NewRequest(http.MethodPost, InteractionsPath, strings.NewReader(ping))
		}, http.StatusUnauthorized},
		{"forged by another key", func() *http.Request { return other.request(ping, testNow) }, http.StatusUnauthorized},
		{"body changed after signing", func() *http.Request {
			r := s.request(ping, testNow)
			r.Body = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Replace(ping, `"1"`, `"2"`, 1))).Body
			return r
		}, http.StatusUnauthorized},
		{"replayed 6 minutes later", func() *http.Request { return s.request(ping, testNow.Add(-6*time.Minute)) }, http.StatusUnauthorized},
		{"from 6 minutes ahead", func() *http.Request { return s.request(ping, testNow.Add(6*time.Minute)) }, http.StatusUnauthorized},
		{"4 minutes old is fine", func() *http.Request { return s.request(ping, testNow.Add(-4*time.Minute)) }, http.StatusOK},
		{"bad hex signature", func() *http.Request {
			r := s.request(ping, testNow)
			r.Header.Set("X-Signature-Ed25519", "zz")
			return r
		}, http.StatusUnauthorized},
		{"over 1 MiB", func() *http.Request { return s.request(`{"x":"`+strings.Repeat("a", 1<<20)+`"}`, testNow) }, http.StatusRequestEntityTooLarge},
		{"signed garbage", func() *http.Request { return s.request(`not json`, testNow) }, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(a, tc.req())
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.want, w.Body)
			}
			if tc.want == http.StatusOK {
				if diff := cmp.Diff(jsonValue(t, `{"type":1}`), jsonValue(t, w.Body.String())); diff != "" {
					t.Errorf("PING answer (-want +got):\n%s", diff)
				}
			}
		})
	}
	if w := serve(a, httptest.NewRequest(http.MethodGet, InteractionsPath, nil)); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d, want 405", w.Code)
	}
}

func TestCommandAnsweredAtOnce(t *testing.T) {
	s := newSigner(t)
	api := newFakeDiscord(t)
	ans := &fakeAnswerer{replies: map[string]bot.Reply{"kazakhstan risks": kazakhstanRisksReply()}}
	a := newTestAdapter(t, s, api.URL, ans, nil)

	w := serve(a, s.request(commandBody("  kazakhstan risks "), testNow))
	a.inflight.Wait()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var resp struct {
		Type int     `json:"type"`
		Data message `json:"data"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Type != responseMessage || resp.Data.Flags != flagEphemeral {
		t.Errorf("response type %d flags %d, want type 4 with the ephemeral flag", resp.Type, resp.Data.Flags)
	}
	if diff := cmp.Diff(renderReply(kazakhstanRisksReply())[0].Embeds, resp.Data.Embeds); diff != "" {
		t.Errorf("embeds (-want +got):\n%s", diff)
	}
	if !strings.Contains(w.Body.String(), `"allowed_mentions":{"parse":[]}`) {
		t.Errorf("response lacks allowed_mentions.parse []: %s", w.Body)
	}
	want := []bot.Request{{Platform: Platform, User: "42", Channel: "777", Command: "/brief", Text: "kazakhstan risks"}}
	got := ans.requests()
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(bot.Request{}, "MayManage")); diff != "" {
		t.Errorf("core asked (-want +got):\n%s", diff)
	}
	if len(got) == 1 && (got[0].MayManage == nil || !got[0].MayManage(context.Background())) {
		t.Error("a member with Manage Channels may not manage digests")
	}
	if got := api.requests(); len(got) != 0 {
		t.Errorf("a one-part answer made REST calls: %+v", got)
	}
}

func TestCommandPublicVisibility(t *testing.T) {
	s := newSigner(t)
	r := kazakhstanRisksReply()
	r.Visibility = bot.VisibilityPrivate
	ans := &fakeAnswerer{replies: map[string]bot.Reply{"a": kazakhstanRisksReply(), "b": r}}
	a := newTestAdapter(t, s, "http://127.0.0.1:1/", ans, func(c *Config) { c.Reply = ReplyPublic })
	for q, wantFlags := range map[string]int{"a": 0, "b": flagEphemeral} {
		w := serve(a, s.request(commandBody(q), testNow))
		var resp struct{ Data message }
		json.Unmarshal(w.Body.Bytes(), &resp)
		if resp.Data.Flags != wantFlags {
			t.Errorf("query %q: flags %d, want %d", q, resp.Data.Flags, wantFlags)
		}
	}
}

func TestCommandDeferredAndSplit(t *testing.T) {
	s := newSigner(t)
	api := newFakeDiscord(t)
	// The answer is held until the response has been written: only the
	// deferral budget can have answered.
	ans := &fakeAnswerer{replies: map[string]bot.Reply{"digest": longReply()}}
	a := newTestAdapter(t, s, api.URL, ans, func(c *Config) { c.DeferAfter = time.Millisecond })

	w := serveHeld(a, ans, s.request(commandBody("digest"), testNow))
	if !w.Flushed || w.Header().Get("Content-Length") == "" {
		t.Errorf("deferral not sent whole on its own: flushed %v, Content-Length %q", w.Flushed, w.Header().Get("Content-Length"))
	}
	if diff := cmp.Diff(jsonValue(t, `{"type":5,"data":{"flags":64}}`), jsonValue(t, w.Body.String())); diff != "" {
		t.Fatalf("initial response (-want +got):\n%s", diff)
	}
	a.inflight.Wait()

	msgs := renderReply(longReply())
	got := api.requests()
	if len(got) != len(msgs) {
		t.Fatalf("%d REST calls, want %d (edit + follow-ups): %+v", len(got), len(msgs), got)
	}
	if got[0].Method != http.MethodPatch || got[0].Path != "/webhooks/111/itok/messages/@original" {
		t.Errorf("first call %s %s, want PATCH of @original", got[0].Method, got[0].Path)
	}
	first, _ := json.Marshal(msgs[0])
	if diff := cmp.Diff(jsonValue(t, string(first)), jsonValue(t, got[0].Body)); diff != "" {
		t.Errorf("edit-original body (-want +got):\n%s", diff)
	}
	for i, r := range got[1:] {
		if r.Method != http.MethodPost || r.Path != "/webhooks/111/itok" || r.Auth != "" {
			t.Errorf("follow-up %d: %s %s auth %q", i, r.Method, r.Path, r.Auth)
		}
		m := msgs[i+1]
		m.Flags = flagEphemeral
		want, _ := json.Marshal(m)
		if diff := cmp.Diff(jsonValue(t, string(want)), jsonValue(t, r.Body)); diff != "" {
			t.Errorf("follow-up %d body (-want +got):\n%s", i, diff)
		}
		if !strings.Contains(r.Body, `"allowed_mentions":{"parse":[]}`) {
			t.Errorf("follow-up %d lacks allowed_mentions", i)
		}
	}
}

func TestImmediateSplitSendsFollowUps(t *testing.T) {
	s := newSigner(t)
	api := newFakeDiscord(t)
	ans := &fakeAnswerer{replies: map[string]bot.Reply{"digest": longReply()}}
	a := newTestAdapter(t, s, api.URL, ans, nil)
	w := serve(a, s.request(commandBody("digest"), testNow))
	a.inflight.Wait()
	if !strings.HasPrefix(w.Body.String(), `{"type":4,`) {
		t.Fatalf("initial response %.60s, want type 4", w.Body)
	}
	if got, want := len(api.requests()), len(renderReply(longReply()))-1; got != want {
		t.Errorf("%d follow-ups, want %d", got, want)
	}
}

func TestButtonPress(t *testing.T) {
	s := newSigner(t)
	ans := &fakeAnswerer{replies: map[string]bot.Reply{"kazakhstan looking ahead": kazakhstanRisksReply()}}
	a := newTestAdapter(t, s, "http://127.0.0.1:1/", ans, nil)
	body := func(flags int) string {
		return fmt.Sprintf(`{"id":"5","application_id":"111","type":3,"token":"t","channel_id":"7","user":{"id":"42"},
			"message":{"id":"99","flags":%d},"data":{"custom_id":"q:kazakhstan looking ahead","component_type":2}}`, flags)
	}
	for _, tc := range []struct {
		name      string
		flags     int
		wantType  int
		wantFlags int
	}{
		{"on an ephemeral answer: update it", flagEphemeral, responseUpdate, 0},
		{"on a public post: new private answer", 0, responseMessage, flagEphemeral},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(a, s.request(body(tc.flags), testNow))
			var resp struct {
				Type int
				Data message
			}
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
				t.Fatal(err, w.Body)
			}
			if resp.Type != tc.wantType || resp.Data.Flags != tc.wantFlags {
				t.Errorf("type %d flags %d, want type %d flags %d", resp.Type, resp.Data.Flags, tc.wantType, tc.wantFlags)
			}
			if len(resp.Data.Embeds) == 0 || !strings.Contains(resp.Data.Embeds[0].Description, "Risks") {
				t.Errorf("answer lacks the requested section: %+v", resp.Data.Embeds)
			}
		})
	}
	if got := ans.requests(); len(got) != 2 || got[0].Text != "kazakhstan looking ahead" {
		t.Errorf("core asked %+v", got)
	}
	// A button this adapter did not make gets a kind refusal, not an answer.
	w := serve(a, s.request(strings.Replace(body(0), "q:kazakhstan", "legacy:kazakhstan", 1), testNow))
	if !strings.Contains(w.Body.String(), "not supported") || len(ans.requests()) != 2 {
		t.Errorf("foreign button: %s", w.Body)
	}
}

func TestAutocomplete(t *testing.T) {
	s := newSigner(t)
	ans := &fakeAnswerer{}
	ans.complete = append(ans.complete,
		bot.Suggestion{Label: "Kazakhstan", Query: "kazakhstan"},
		bot.Suggestion{Label: "Kazakhstan — Risks & caveats", Query: "kazakhstan risks"},
		bot.Suggestion{Label: "Kazakhstan — Risks & caveats", Query: "kazakhstan risks"}, // duplicate
		bot.Suggestion{Label: strings.Repeat("é", 120), Query: strings.Repeat("ü", 120)},
	)
	for i := 0; i < 40; i++ {
		ans.complete = append(ans.complete, bot.Suggestion{Label: fmt.Sprint("Topic ", i), Query: fmt.Sprint("topic ", i)})
	}
	a := newTestAdapter(t, s, "http://127.0.0.1:1/", ans, nil)
	body := `{"id":"5","application_id":"111","type":4,"token":"t","channel_id":"7","user":{"id":"42"},
		"data":{"name":"brief","options":[{"name":"query","type":3,"value":"kaz","focused":true}]}}`
	w := serve(a, s.request(body, testNow))
	var resp struct {
		Type int
		Data struct{ Choices []choice }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err, w.Body)
	}
	// The core was asked for 25; one duplicate is dropped.
	if resp.Type != responseAutocomplete || len(resp.Data.Choices) != maxChoices-1 {
		t.Fatalf("type %d with %d choices, want type 8 with 24", resp.Type, len(resp.Data.Choices))
	}
	want := []choice{{"Kazakhstan", "kazakhstan"}, {"Kazakhstan — Risks & caveats", "kazakhstan risks"},
		{strings.Repeat("é", 99) + "…", strings.Repeat("ü", 100)}}
	if diff := cmp.Diff(want, resp.Data.Choices[:3]); diff != "" {
		t.Errorf("choices (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"kaz"}, ans.typed); diff != "" {
		t.Errorf("core asked to complete (-want +got):\n%s", diff)
	}
}

func TestRoutesWithoutPublicKey(t *testing.T) {
	a, err := New(Config{Token: "t", AppID: "1"}, &fakeAnswerer{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Routes(mux)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, InteractionsPath, strings.NewReader("{}")))
	if w.Code != http.StatusNotFound {
		t.Errorf("status %d, want 404 when interactions are not configured", w.Code)
	}
}

func FuzzInteractionHandler(f *testing.F) {
	s := newSigner(f)
	a := newTestAdapter(f, s, "http://127.0.0.1:1/", &fakeAnswerer{replies: map[string]bot.Reply{"x": kazakhstanRisksReply()}}, nil)
	f.Add([]byte(`{"type":1}`), true)
	f.Add([]byte(commandBody("x")), true)
	f.Add([]byte(`{"type":3,"data":{"custom_id":"q:x"},"message":{"flags":64}}`), true)
	f.Add([]byte(`{"type":4,"data":{"options":[{"name":"query","value":7,"focused":true}]}}`), false)
	f.Add([]byte(`{"type":2,"data":{"name":"brief","options":[{"name":"query","value":null}]}}`), true)
	f.Fuzz(func(t *testing.T, body []byte, signed bool) {
		var r *http.Request
		if signed {
			r = s.request(string(body), testNow)
		} else {
			r = httptest.NewRequest(http.MethodPost, InteractionsPath, strings.NewReader(string(body)))
			r.Header.Set("X-Signature-Timestamp", fmt.Sprint(testNow.Unix()))
		}
		w := serve(a, r)
		a.inflight.Wait()
		if !signed && w.Code != http.StatusUnauthorized {
			t.Fatalf("unsigned request got %d", w.Code)
		}
		if signed && w.Code == http.StatusUnauthorized {
			t.Fatalf("signed request got 401")
		}
	})
}

// TestCommandLogLine checks the one log line per command: its outcome and
// size, never the query or the token.
func TestCommandLogLine(t *testing.T) {
	var buf strings.Builder
	s := newSigner(t)
	ans := &fakeAnswerer{replies: map[string]bot.Reply{"kazakhstan risks": kazakhstanRisksReply()}}
	a := newTestAdapter(t, s, "http://127.0.0.1:1/", ans, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&buf, nil))
	})
	if w := serve(a, s.request(commandBody("kazakhstan risks"), testNow)); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	w := serve(a, s.request(autocompleteBody("kaz"), testNow))
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	log := buf.String()
	for _, want := range []string{"platform=discord kind=section outcome=answered", "parts=1", "kind=autocomplete outcome=answered"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	for _, secret := range []string{"kazakhstan", "itok", "kaz"} {
		if strings.Contains(log, secret) {
			t.Errorf("log reveals %q:\n%s", secret, log)
		}
	}
}

// blockingAnswerer answers only once released.
type blockingAnswerer struct {
	fakeAnswerer
	release chan struct{}
}

func (b *blockingAnswerer) Handle(ctx context.Context, req bot.Request) bot.Reply {
	<-b.release
	return bot.Reply{Kind: bot.KindSection, Title: "Late"}
}

// Over a real connection, a slow answer's deferred response reaches Discord
// while the core is still working, not when it finishes.
func TestDeferredResponseIsSentBeforeTheAnswer(t *testing.T) {
	s := newSigner(t)
	api := newFakeDiscord(t)
	ans := &blockingAnswerer{release: make(chan struct{})}
	a := newTestAdapter(t, s, api.URL, ans, func(c *Config) { c.DeferAfter = 5 * time.Millisecond })
	mux := http.NewServeMux()
	a.Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	req := s.request(commandBody("kazakhstan risks"), testNow)
	req.URL, _ = url.Parse(srv.URL + InteractionsPath)
	req.RequestURI = ""
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		close(ans.release)
		t.Fatalf("no deferred response while the core was busy: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	close(ans.release)
	if err != nil {
		t.Fatalf("the deferred response did not end while the core was busy: %v", err)
	}
	if diff := cmp.Diff(jsonValue(t, `{"type":5,"data":{"flags":64}}`), jsonValue(t, string(body))); diff != "" {
		t.Errorf("deferred response (-want +got):\n%s", diff)
	}
	a.inflight.Wait() // the edit is made before the answer counts as done
	if got := api.requests(); len(got) != 1 || got[0].Method != http.MethodPatch {
		t.Errorf("after the answer: %+v, want one edit of the original", got)
	}
}
