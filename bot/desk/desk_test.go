package desk_test

import (
	"context"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/desk"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/bot/publish"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/briefings"
)

const deskSecret = "desk-secret-0123456789"

// now is the tests' clock: 2026-11-30 09:00 UTC.
var now = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// fixture builds a desk over the sample briefings, with gaps, votes, a
// digest that ran and one that failed, and the real Slack and Discord
// renderings.
func fixture(t testing.TB, mod func(*desk.Options)) *desk.Handler {
	t.Helper()
	ctx := t.Context()
	core := bot.New(bot.Options{Now: func() time.Time { return now }})
	slackR := desk.Renderer{Platform: slack.Platform, Name: "Slack", Render: slack.Messages, Parts: desk.SlackParts}
	discordR := desk.Renderer{Platform: discord.Platform, Name: "Discord", Render: discord.Messages, Parts: desk.DiscordParts}
	an := bottest.NewAnalytics()
	for _, g := range []bot.Gap{
		{Question: "uzbekistan risks", Outcome: bot.GapUnanswered, Suggestions: []string{"Kazakhstan"}},
		{Question: "uzbekistan risks", Outcome: bot.GapUnanswered, Suggestions: []string{"Kazakhstan"}},
		{Question: "kazakstan", Outcome: bot.GapGuessed, Suggestions: []string{"Risks & caveats"}},
	} {
		if err := an.RecordGap(ctx, g, now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	for i, helpful := range []bool{false, false, true} {
		if _, err := an.RecordVote(ctx, string(rune('a'+i)), "kazakhstan", "Risks & caveats", helpful, now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	st := bottest.NewStore()
	for _, s := range []bot.Subscription{
		{ID: "morning", Platform: bot.Platform("slack"), Channel: "C0123", Schedule: "0 8 * * 1-5", Timezone: "Asia/Almaty", Include: "new", WhenEmpty: "skip", Source: bot.SourceConfig},
		{ID: "weekly", Platform: bot.Platform("discord"), Channel: "42", Schedule: "@weekly", Include: "all", WhenEmpty: "post", Source: bot.SourceChat, CreatedBy: "U1"},
	} {
		if err := st.SaveSubscription(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	complete := func(sub string, slot time.Time, d bot.Delivery) {
		c, ok, err := st.ClaimSlot(ctx, sub, slot, "r1", time.Minute, slot)
		if err != nil || !ok {
			t.Fatalf("claim %s: %v %v", sub, ok, err)
		}
		d.Subscription, d.Slot, d.Owner, d.At = sub, slot, "r1", slot
		if _, err := st.CompleteSlot(ctx, c, d); err != nil {
			t.Fatal(err)
		}
	}
	complete("morning", time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC), bot.Delivery{Outcome: bot.OutcomePosted, MessageIDs: []string{"1.2"}})
	complete("weekly", time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC), bot.Delivery{Outcome: bot.OutcomeFailed, Error: "channel_not_found", Permanent: true})

	opts := desk.Options{
		Core:      core,
		Renderers: []desk.Renderer{slackR, discordR},
		Tokens:    []publish.Token{{Name: "desk", Secret: deskSecret}},
		FirstSeen: bot.NewFirstSeen(bottest.NewFirstSeen(), func() time.Time { return now.Add(-48 * time.Hour) }),
		Analytics: an,
		Digests:   st,
		Now:       func() time.Time { return now },
	}
	if mod != nil {
		mod(&opts)
	}
	h, err := desk.NewHandler(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.SetProblems([]briefings.Problem{
		{Path: "briefings/empty.txt", Line: 1, Message: "empty file"},
		{Path: "briefings/sahel.md", Line: 3, Message: "no date in front matter", Warning: true},
	})
	return h
}

// get serves path with a bearer token, as from a remote address.
func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	r.Header.Set("Authorization", "Bearer "+deskSecret)
	return serve(h, r)
}

func serve(h http.Handler, r *http.Request) (int, string) {
	mux := http.NewServeMux()
	h.(*desk.Handler).Routes(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, r)
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

// onLocal marks r as having arrived on the local address addr.
func onLocal(r *http.Request, addr string) *http.Request {
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		panic(err)
	}
	return r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, a))
}

func TestDeskNeedsAToken(t *testing.T) {
	h := fixture(t, nil)
	for _, tt := range []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"no token", func() *http.Request { return httptest.NewRequest("GET", "/desk/", nil) }, http.StatusUnauthorized},
		{"wrong bearer", func() *http.Request {
			r := httptest.NewRequest("GET", "/desk/", nil)
			r.Header.Set("Authorization", "Bearer not-the-desk-secret")
			return r
		}, http.StatusUnauthorized},
		{"bearer", func() *http.Request {
			r := httptest.NewRequest("GET", "/desk/", nil)
			r.Header.Set("Authorization", "Bearer "+deskSecret)
			return r
		}, http.StatusOK},
		{"basic naming the token", func() *http.Request {
			r := httptest.NewRequest("GET", "/desk/topic/kazakhstan", nil)
			r.SetBasicAuth("desk", deskSecret)
			return r
		}, http.StatusOK},
		{"basic naming another token", func() *http.Request {
			r := httptest.NewRequest("GET", "/desk/", nil)
			r.SetBasicAuth("editors-ci", deskSecret)
			return r
		}, http.StatusUnauthorized},
		// Without Loopback, even a request from loopback needs a token.
		{"loopback, desk not bound there", func() *http.Request {
			return onLocal(httptest.NewRequest("GET", "/desk/", nil), "127.0.0.1:8080")
		}, http.StatusUnauthorized},
	} {
		code, body := serve(h, tt.req())
		if code != tt.want {
			t.Errorf("%s: status %d, want %d\n%s", tt.name, code, tt.want, body)
		}
		if code == http.StatusUnauthorized && strings.Contains(body, "Kazakhstan") {
			t.Errorf("%s: a refused request was shown the desk", tt.name)
		}
	}
	r := httptest.NewRequest("GET", "/desk/", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic ") {
		t.Errorf("WWW-Authenticate = %q, want Basic so a browser asks for the token", got)
	}
}

func TestDeskOnLoopbackNeedsNoToken(t *testing.T) {
	h := fixture(t, func(o *desk.Options) { o.Loopback = true; o.Tokens = nil })
	for addr, want := range map[string]int{
		"127.0.0.1:8080": http.StatusOK,
		"[::1]:8080":     http.StatusOK,
		// A desk told it is on loopback still refuses what came in elsewhere.
		"192.0.2.10:8080": http.StatusUnauthorized,
	} {
		code, _ := serve(h, onLocal(httptest.NewRequest("GET", "/desk/", nil), addr))
		if code != want {
			t.Errorf("request on %s: status %d, want %d", addr, code, want)
		}
	}
	if code, _ := serve(h, httptest.NewRequest("GET", "/desk/", nil)); code != http.StatusUnauthorized {
		t.Errorf("request with no local address: status %d, want 401", code)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "[::1]:0": true, "0.0.0.0:8080": false, "[::]:8080": false, "192.0.2.1:80": false} {
		a, _ := net.ResolveTCPAddr("tcp", addr)
		if got := desk.IsLoopback(a); got != want {
			t.Errorf("IsLoopback(%s) = %v, want %v", addr, got, want)
		}
	}
}

// text strips tags and collapses white space, for checking what a page says.
func text(html string) string {
	html = regexp.MustCompile(`(?s)<details>.*?</details>|<style>.*?</style>`).ReplaceAllString(html, " ")
	html = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html, " ")
	for _, e := range [][2]string{{"&amp;", "&"}, {"&#34;", `"`}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}} {
		html = strings.ReplaceAll(html, e[0], e[1])
	}
	return strings.Join(strings.Fields(html), " ")
}

func TestDeskFrontPage(t *testing.T) {
	code, body := get(t, fixture(t, nil), "/desk/")
	if code != http.StatusOK {
		t.Fatalf("status %d\n%s", code, body)
	}
	txt := text(body)
	for _, want := range []string{
		"Kazakhstan 1",                                       // a topic and its versions
		"2026-11-28 09:00 UTC",                               // first seen
		"briefings/empty.txt:1: empty file",                  // a check problem
		"briefings/sahel.md:3: warning: no date",             // a warning
		"2 uzbekistan risks unanswered Kazakhstan",           // a gap, counted, with the suggestion
		"1 kazakstan guessed Risks & caveats",                // a guess
		"kazakhstan Risks & caveats 2 1",                     // votes
		"morning config slack C0123",                         // a digest …
		"2026-12-01 03:00 UTC",                               // … its next run (08:00 in Almaty)
		"posted for 2026-11-30 03:00 UTC",                    // … and last result
		"failed for 2026-11-29 00:00 UTC: channel_not_found", // a failure
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("front page lacks %q:\n%s", want, txt)
		}
	}
}

func TestDeskTopicPreview(t *testing.T) {
	h := fixture(t, nil)
	code, body := get(t, h, "/desk/topic/kazakhstan?section=Risks+%26+caveats")
	if code != http.StatusOK {
		t.Fatalf("status %d\n%s", code, body)
	}
	for _, id := range []string{`id="preview-slack"`, `id="preview-discord"`} {
		if !strings.Contains(body, id) {
			t.Errorf("topic page lacks %s", id)
		}
	}
	slackPart := body[strings.Index(body, `id="preview-slack"`):strings.Index(body, `id="preview-discord"`)]
	discordPart := body[strings.Index(body, `id="preview-discord"`):]
	for name, part := range map[string]string{"Slack": slackPart, "Discord": discordPart} {
		txt := text(part)
		for _, want := range []string{"Risks & caveats", "Symbolic vs substantive"} {
			if !strings.Contains(txt, want) {
				t.Errorf("%s preview lacks %q:\n%s", name, want, txt)
			}
		}
		if strings.Contains(txt, "Looking ahead Formal signing") {
			t.Errorf("%s preview of one section shows another section's text", name)
		}
	}
	if raw := html.UnescapeString(body); !strings.Contains(raw, `"type": "header"`) || !strings.Contains(raw, `"embeds"`) {
		t.Error("the payloads as sent are not shown")
	}
	if code, _ := get(t, h, "/desk/topic/atlantis"); code != http.StatusNotFound {
		t.Errorf("unknown topic: status %d, want 404", code)
	}
	if code, _ := get(t, h, "/desk/topic/kazakhstan?section=nope"); code != http.StatusNotFound {
		t.Errorf("unknown section: status %d, want 404", code)
	}
}

func TestDeskAskSideBySide(t *testing.T) {
	h := fixture(t, nil)
	code, body := get(t, h, "/desk/ask?q=kazakstan+risks")
	if code != http.StatusOK {
		t.Fatalf("status %d\n%s", code, body)
	}
	txt := text(body)
	if strings.Count(txt, `Showing Kazakhstan for "kazakstan"`) != 2 {
		t.Errorf("the typo note is not in both renderings:\n%s", txt)
	}
	if !strings.Contains(body, `value="kazakstan risks"`) {
		t.Error("the ask box does not keep the question")
	}
	if code, _ := get(t, h, "/desk/ask?q="+strings.Repeat("x", 3000)); code != http.StatusBadRequest {
		t.Errorf("a 3000-byte question: status %d, want 400", code)
	}
	// A long answer is split as the platforms split it.
	_, body = get(t, h, "/desk/ask?q=help")
	if !strings.Contains(body, "How to ask") {
		t.Error("help is not shown")
	}
}

func TestDeskEscapesBriefingText(t *testing.T) {
	lib := briefings.NewLibrary([]*briefings.Briefing{{
		Topic: "Scripted", Title: "Scripted", Date: now,
		Lede:     []briefings.Block{{Text: `<script>alert(1)</script> & <img src=x onerror=alert(2)>`}},
		Sections: []briefings.Section{{Heading: "Risks", Kind: briefings.KindRisks, Blocks: []briefings.Block{{Bullet: true, Text: "</pre><script>x</script>"}}}},
		Path:     "scripted.txt",
	}})
	h := fixture(t, func(o *desk.Options) { o.Core.SetLibrary(lib) })
	for _, path := range []string{"/desk/", "/desk/topic/scripted", "/desk/topic/scripted?section=Risks", "/desk/topic/scripted?section=all", "/desk/ask?q=%3Cscript%3E"} {
		code, body := get(t, h, path)
		if code != http.StatusOK && code != http.StatusNotFound {
			t.Errorf("%s: status %d", path, code)
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "<img") {
			t.Errorf("%s: briefing text reached the page as markup", path)
		}
	}
}
