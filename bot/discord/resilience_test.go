package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/gorilla/websocket"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/telemetry"
)

// Replicas connected to one shard all receive a mention; through the
// shared log one of them answers. A direct message needs no mention.
func TestMentionAnsweredOnceAcrossReplicas(t *testing.T) {
	api := newFakeDiscord(t)
	ans := &fakeAnswerer{replies: map[string]bot.Reply{"kazakhstan risks": kazakhstanRisksReply()}}
	log := bottest.NewStore()
	var replicas []*Adapter
	for range 3 {
		a := newTestAdapter(t, newSigner(t), api.URL, ans, func(c *Config) { c.Events = log })
		a.selfID.Store("500")
		replicas = append(replicas, a)
	}
	m := mention{ID: "m1", ChannelID: "777", GuildID: "888", AuthorID: "42", Content: "<@500> kazakhstan risks", Mentioned: []string{"500"}}
	for _, a := range replicas {
		a.handleMention(context.Background(), m)
	}
	if n := len(api.requests()); n != 1 {
		t.Errorf("%d replies from three replicas, want 1", n)
	}

	dm := mention{ID: "m2", ChannelID: "999", AuthorID: "42", Content: "kazakhstan risks"}
	replicas[1].handleMention(context.Background(), dm)
	got := api.requests()
	if len(got) != 2 || got[1].Path != "/channels/999/messages" || strings.Contains(got[1].Body, "message_reference") {
		t.Errorf("direct message answer: %+v", got[1:])
	}
}

// A signed interaction replayed runs once: the replay is told it was
// answered already, and the core is not asked again.
func TestReplayedInteractionRunsOnce(t *testing.T) {
	s := newSigner(t)
	api := newFakeDiscord(t)
	ans := &fakeAnswerer{replies: map[string]bot.Reply{"kazakhstan risks": kazakhstanRisksReply()}}
	log := bottest.NewStore()
	one := newTestAdapter(t, s, api.URL, ans, func(c *Config) { c.Events = log })
	two := newTestAdapter(t, s, api.URL, ans, func(c *Config) { c.Events = log })
	body := commandBody("kazakhstan risks")
	first := serve(one, s.request(body, testNow))
	again := serve(one, s.request(body, testNow))
	other := serve(two, s.request(body, testNow))
	one.inflight.Wait()
	two.inflight.Wait()
	if first.Code != http.StatusOK || !strings.Contains(first.Body.String(), "Risks") {
		t.Fatalf("first delivery: %d %s", first.Code, first.Body)
	}
	for _, w := range []string{again.Body.String(), other.Body.String()} {
		if !strings.Contains(w, "answered already") {
			t.Errorf("replay answered with %s", w)
		}
	}
	if n := len(ans.requests()); n != 1 {
		t.Errorf("core asked %d times, want once", n)
	}
}

// Registration reads the commands first and writes only when they differ
// from /brief: a deployment of many replicas writes once.
func TestSyncCommandsWritesOnlyOnChange(t *testing.T) {
	api := newFakeDiscord(t)
	var registered atomic.Value
	registered.Store("[]")
	api.respond = func(_ int, r recorded) (int, string) {
		if r.Method == http.MethodPut {
			// Discord answers with what it stored, ids and defaults added.
			registered.Store(strings.Replace(r.Body, `"name":"brief"`, `"id":"1","version":"2","application_id":"111","default_member_permissions":null,"nsfw":false,"name":"brief"`, 1))
		}
		return http.StatusOK, registered.Load().(string)
	}
	a := newTestAdapter(t, newSigner(t), api.URL, &fakeAnswerer{}, nil)
	for i, wantChanged := range []bool{true, false, false} {
		changed, err := a.SyncCommands(context.Background())
		if err != nil || changed != wantChanged {
			t.Fatalf("sync %d: changed %v, err %v; want changed %v", i, changed, err, wantChanged)
		}
	}
	var methods []string
	for _, r := range api.requests() {
		methods = append(methods, r.Method+" "+r.Path)
	}
	want := []string{"GET /applications/111/commands", "PUT /applications/111/commands", "GET /applications/111/commands", "GET /applications/111/commands"}
	if diff := cmp.Diff(want, methods); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// A failing registration is retried in the background and shown as
// trouble meanwhile; it never stops Run.
func TestRegistrationRetriedNeverFatal(t *testing.T) {
	api := newFakeDiscord(t)
	var calls atomic.Int32
	api.respond = func(int, recorded) (int, string) {
		if calls.Add(1) <= 2 {
			return http.StatusUnauthorized, `{"message":"401: Unauthorized","code":0}`
		}
		return http.StatusOK, "[]"
	}
	logged := make(chan string, 16)
	a := newTestAdapter(t, newSigner(t), api.URL, &fakeAnswerer{}, func(c *Config) {
		c.RegisterCommands = true
		c.Logger = slog.New(messages(logged))
	})
	a.registerBase = time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	// Registration logs its success once it has recorded it.
	for msg := ""; msg != "discord commands registered"; {
		select {
		case msg = <-logged:
		case <-time.After(10 * time.Second):
			t.Fatalf("registration not retried to success: %+v", api.requests())
		}
	}
	if n := len(api.requests()); n < 4 { // two refused reads, a read, the write
		t.Errorf("%d registration requests, want at least 4: %+v", n, api.requests())
	}
	if tr := a.Trouble(); tr != "" {
		t.Errorf("trouble after success: %q", tr)
	}
	select {
	case err := <-done:
		t.Fatalf("Run returned while registration failed: %v", err)
	default:
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// A gateway closed with 4014 is explained with its fix.
func TestGatewayErrorExplainsDisallowedIntent(t *testing.T) {
	err := gatewayError(&websocket.CloseError{Code: 4014, Text: "Disallowed intent(s)."})
	if err.Code != 4014 || !strings.Contains(err.Error(), "Privileged Gateway Intents") {
		t.Errorf("4014: %v", err)
	}
	if gatewayIntents&(1<<15) != 0 { // MESSAGE_CONTENT
		t.Error("the default intents ask for Message Content")
	}
	if plain := gatewayError(errors.New("dial tcp: connection refused")); plain.Code != 0 || plain.Fix != "" {
		t.Errorf("a network error: %+v", plain)
	}
}

// A follow-up that fails with a 5xx is retried past the attempts a
// channel post gets, until it is taken, within the token's life.
func TestFollowUpRetriedUntilTaken(t *testing.T) {
	s := newSigner(t)
	api := newFakeDiscord(t)
	var fails atomic.Int32
	api.respond = func(n int, r recorded) (int, string) {
		if r.Method == http.MethodPost && fails.Add(1) <= 7 {
			return http.StatusBadGateway, "bad gateway"
		}
		return http.StatusOK, fmt.Sprintf(`{"id":"9%d"}`, n)
	}
	ans := &fakeAnswerer{replies: map[string]bot.Reply{"digest": longReply()}}
	a := newTestAdapter(t, s, api.URL, ans, nil)
	serve(a, s.request(commandBody("digest"), testNow))
	a.inflight.Wait()
	posts := 0
	for _, r := range api.requests() {
		if r.Method == http.MethodPost {
			posts++
		}
	}
	want := len(renderReply(longReply())) - 1 + 7
	if posts != want {
		t.Errorf("%d follow-up calls, want %d (7 refused, then every part)", posts, want)
	}
}

// spanTree is each span's name under its parent's name.
func spanTree(spans []sdktrace.ReadOnlySpan) []string {
	names := map[string]string{}
	for _, s := range spans {
		names[s.SpanContext().SpanID().String()] = s.Name()
	}
	var out []string
	for _, s := range spans {
		parent := "-"
		if s.Parent().IsValid() {
			parent = names[s.Parent().SpanID().String()]
		}
		out = append(out, parent+" > "+s.Name())
	}
	return out
}

// A slash command over HTTP is one trace: receive, verify, the command
// with its core, render and platform calls.
func TestCommandSpanTree(t *testing.T) {
	rec := tracetest.NewInMemoryExporter()
	telemetry.Install(sdktrace.NewTracerProvider(sdktrace.WithSyncer(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })

	s := newSigner(t)
	api := newFakeDiscord(t)
	ans := &fakeAnswerer{replies: map[string]bot.Reply{"digest": longReply()}}
	a := newTestAdapter(t, s, api.URL, ans, nil)
	a.client.Transport = telemetry.Transport(nil)
	mux := http.NewServeMux()
	a.Routes(mux)
	h := telemetry.Handler(mux)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, s.request(commandBody("digest"), testNow))
	a.inflight.Wait()

	got := spanTree(rec.GetSpans().Snapshots())
	parts := len(renderReply(longReply()))
	want := []string{
		"- > POST /discord/interactions",
		"POST /discord/interactions > discord.verify",
		"POST /discord/interactions > discord.command",
		"discord.command > discord.core",
		"discord.command > discord.render",
		"discord.command > discord.send", // the response
		"discord.command > discord.send", // the follow-ups
	}
	for range parts - 1 {
		// The test's token "itok" reads as a word to the route namer; a
		// real token does not.
		want = append(want, "discord.send > POST /webhooks/{id}/itok")
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("span tree (-want +got):\n%s", diff)
	}
}

// A digest to a malformed channel id can never be posted: it is a
// permanent failure, so the digest pauses instead of being retried, and
// Discord is not called.
func TestMalformedChannelIsPermanent(t *testing.T) {
	api := newFakeDiscord(t)
	a := newTestAdapter(t, newSigner(t), api.URL, &fakeAnswerer{}, nil)
	for _, channel := range []string{"#general", "<#123>", "12345678901234567890123"} {
		_, err := post(a, context.Background(), channel, kazakhstanRisksReply(), PostOptions{})
		if !bot.IsPermanent(err) || !strings.Contains(err.Error(), "not a channel id") {
			t.Errorf("%q: err = %v, want a permanent error saying it is not a channel id", channel, err)
		}
	}
	if n := len(api.requests()); n != 0 {
		t.Errorf("%d API calls for malformed channels", n)
	}
}

// messages is a log handler that sends each record's message to ch,
// dropping it when ch is full: tests wait on a message, not a clock.
type messages chan string

func (m messages) Enabled(context.Context, slog.Level) bool { return true }
func (m messages) WithAttrs([]slog.Attr) slog.Handler       { return m }
func (m messages) WithGroup(string) slog.Handler            { return m }
func (m messages) Handle(_ context.Context, r slog.Record) error {
	select {
	case m <- r.Message:
	default:
	}
	return nil
}
