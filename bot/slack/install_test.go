package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
)

const testTokenKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// slackCall is one Web API call the fake Slack received.
type slackCall struct {
	method, token string
	form          url.Values
	json          map[string]any
}

// fakeSlack is Slack's Web API for several workspaces: oauth.v2.access
// hands out each workspace's token for its code, and the other methods
// record which token called them.
type fakeSlack struct {
	srv   *httptest.Server
	calls chan slackCall
	// installs maps an OAuth code to the oauth.v2.access answer.
	installs map[string]map[string]any
	// admins are the tokens whose users.info says "admin".
	mu     sync.Mutex
	admins map[string]bool
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{calls: make(chan slackCall, 100), admins: map[string]bool{}, installs: map[string]map[string]any{
		"code-alpha": {"ok": true, "access_token": "xoxb-alpha", "token_type": "bot", "scope": "commands,chat:write",
			"bot_user_id": "UBOTA", "team": map[string]any{"id": "TALPHA", "name": "Alpha & Co"}, "authed_user": map[string]any{"id": "UALICE"}},
		"code-beta": {"ok": true, "access_token": "xoxb-beta", "token_type": "bot", "scope": "commands,chat:write",
			"bot_user_id": "UBOTB", "team": map[string]any{"id": "TBETA", "name": "Beta"}, "authed_user": map[string]any{"id": "UBOB"}},
		"code-org": {"ok": true, "access_token": "xoxb-org", "token_type": "bot", "scope": "commands,chat:write",
			"bot_user_id": "UBOTE", "team": nil, "enterprise": map[string]any{"id": "EORG", "name": "Org"},
			"is_enterprise_install": true, "authed_user": map[string]any{"id": "UCAROL"}},
	}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c := slackCall{method: strings.TrimPrefix(r.URL.Path, "/"), token: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(body, &c.json)
	} else {
		c.form, _ = url.ParseQuery(string(body))
		if c.token == "" {
			c.token = c.form.Get("token")
		}
	}
	w.Header().Set("Content-Type", "application/json")
	var answer any = map[string]any{"ok": true}
	switch c.method {
	case "oauth.v2.access":
		if c.form.Get("client_id") != "CLIENT" || c.form.Get("client_secret") != "SECRET" {
			answer = map[string]any{"ok": false, "error": "invalid_client_id"}
		} else if a, ok := f.installs[c.form.Get("code")]; ok {
			answer = a
		} else {
			answer = map[string]any{"ok": false, "error": "invalid_code"}
		}
	case "chat.postMessage":
		answer = map[string]any{"ok": true, "channel": c.form.Get("channel"), "ts": "1.000001"}
	case "users.info":
		f.mu.Lock()
		admin := f.admins[c.token]
		f.mu.Unlock()
		answer = map[string]any{"ok": true, "user": map[string]any{"id": c.form.Get("user"), "is_admin": admin}}
	}
	_ = json.NewEncoder(w).Encode(answer)
	select {
	case f.calls <- c:
	default: // a fuzz run's calls; tests make fewer than the buffer holds
	}
}

// next returns the next call to method, skipping others.
func (f *fakeSlack) next(t *testing.T, method string) slackCall {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case c := <-f.calls:
			if c.method == method {
				return c
			}
		case <-deadline:
			t.Fatalf("no %s call reached Slack", method)
		}
	}
}

// oauthAdapter is an http-mode adapter installing through OAuth, with no
// bot token of its own.
func oauthAdapter(t *testing.T, f *fakeSlack, ws bot.WorkspaceStore, clock *bottest.Clock, opts ...Option) *Adapter {
	t.Helper()
	cfg := Config{SigningSecret: testSecret, ClientID: "CLIENT", ClientSecret: "SECRET", TokenKey: testTokenKey,
		APIURL: f.srv.URL + "/", PostInterval: -1, Clock: clock.Now}
	a, err := New(cfg, newFakeAnswerer(), append([]Option{WithWorkspaces(ws)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// installThroughOAuth runs the browser's side of "Add to Slack": the
// install link, Slack's consent page (skipped: it sends the browser back
// with code), and the callback. It returns the callback's response.
func installThroughOAuth(t *testing.T, h http.Handler, code string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slack/install", nil))
	if rec.Code != http.StatusFound {
		t.Fatalf("GET /slack/install = %d, want 302", rec.Code)
	}
	loc, err := url.Parse(rec.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != "https://slack.com/oauth/v2/authorize" {
		t.Errorf("redirected to %s, want Slack's authorize page", got)
	}
	q := loc.Query()
	if q.Get("client_id") != "CLIENT" || q.Get("scope") != strings.Join(BotScopes, ",") || q.Get("state") == "" {
		t.Errorf("authorize URL query = %v", q)
	}
	cookies := rec.Result().Cookies()
	req := httptest.NewRequest(http.MethodGet, "/slack/oauth/callback?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func teamEventBody(team, enterprise, eventID string, event map[string]any) string {
	b, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": team, "enterprise_id": enterprise, "event_id": eventID, "event": event})
	return string(b)
}

func mention(channel, user string) map[string]any {
	return map[string]any{"type": "app_mention", "user": user, "text": "<@UBOT> kazakhstan risks", "channel": channel, "ts": "1700000000.000100"}
}

func sendEvent(t *testing.T, h http.Handler, body string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, signed(t, time.Now(), "/slack/events", "application/json", body))
	if rec.Code != http.StatusOK {
		t.Fatalf("POST /slack/events = %d", rec.Code)
	}
}

// TestTwoWorkspacesThroughOAuth installs the app in two workspaces and
// checks each is answered, and sent digests, with its own token, and that
// uninstalling one leaves the other working.
func TestTwoWorkspacesThroughOAuth(t *testing.T) {
	f := newFakeSlack(t)
	store := bottest.NewWorkspaces()
	clock := bottest.NewClock(testNow)
	a := oauthAdapter(t, f, store, clock)
	h := a.Handler()

	for _, code := range []string{"code-alpha", "code-beta"} {
		resp := installThroughOAuth(t, h, code)
		page, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "installed") {
			t.Fatalf("callback for %s = %d: %s", code, resp.StatusCode, page)
		}
		if code == "code-alpha" && !strings.Contains(string(page), "Alpha &amp; Co") {
			t.Errorf("install page does not name the workspace, escaped: %s", page)
		}
		f.next(t, "oauth.v2.access")
	}
	installed, _ := store.Workspaces(t.Context(), Platform)
	if len(installed) != 2 {
		t.Fatalf("installed workspaces = %+v, want two", installed)
	}
	for _, ws := range installed {
		if bytes.Contains(ws.SealedToken, []byte("xoxb-")) {
			t.Errorf("workspace %s: token stored in the clear", ws.Team)
		}
	}

	// Each workspace's question is answered with its own token, in its channel.
	for _, tc := range []struct{ team, channel, token string }{{"TALPHA", "CALPHA", "xoxb-alpha"}, {"TBETA", "CBETA", "xoxb-beta"}} {
		sendEvent(t, h, teamEventBody(tc.team, "", "Ev"+tc.team, mention(tc.channel, "U1")))
		c := f.next(t, "chat.postMessage")
		if c.token != tc.token || c.form.Get("channel") != tc.channel || !strings.Contains(c.form.Get("blocks"), "Risks") {
			t.Errorf("answer to %s: token %q, channel %q; want %q in %s", tc.team, c.token, c.form.Get("channel"), tc.token, tc.channel)
		}
	}

	// A digest has no request behind it: the channel's workspace picks the token.
	if _, err := a.PostDigest(t.Context(), "CBETA", kazakhstanRisks(), bot.SlotRef{Subscription: "d1", Slot: testNow}, nil); err != nil {
		t.Fatalf("PostDigest: %v", err)
	}
	if c := f.next(t, "chat.postMessage"); c.token != "xoxb-beta" {
		t.Errorf("digest to CBETA posted with %q, want xoxb-beta", c.token)
	}

	// Uninstalling Alpha forgets its token; Beta carries on.
	sendEvent(t, h, teamEventBody("TALPHA", "", "EvUninstall", map[string]any{"type": "app_uninstalled"}))
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := store.FindWorkspace(t.Context(), Platform, "", "TALPHA"); errors.Is(err, bot.ErrNoWorkspace) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("app_uninstalled did not forget TALPHA's token")
		}
		time.Sleep(10 * time.Millisecond) // polling for an observed state, with a deadline
	}
	_, err := a.PostDigest(t.Context(), "CALPHA", kazakhstanRisks(), bot.SlotRef{Subscription: "d2", Slot: testNow}, nil)
	if pe, ok := errors.AsType[*PermanentError](err); !ok || pe.Code != "not_installed" {
		t.Errorf("a digest to the uninstalled workspace's channel: err = %v, want a permanent not_installed", err)
	}
	sendEvent(t, h, teamEventBody("TBETA", "", "EvBeta2", mention("CBETA", "U2")))
	if c := f.next(t, "chat.postMessage"); c.token != "xoxb-beta" {
		t.Errorf("after Alpha's uninstall, Beta answered with %q", c.token)
	}
	// tokens_revoked for Beta's bot forgets it too.
	sendEvent(t, h, teamEventBody("TBETA", "", "EvRevoke", map[string]any{"type": "tokens_revoked", "tokens": map[string]any{"bot": []string{"UBOTB"}}}))
	deadline = time.Now().Add(5 * time.Second)
	for {
		if list, _ := store.Workspaces(t.Context(), Platform); len(list) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("tokens_revoked did not forget TBETA's token")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOrgWideInstall routes every workspace of an Enterprise Grid
// organisation to the org-wide install's token.
func TestOrgWideInstall(t *testing.T) {
	f := newFakeSlack(t)
	store := bottest.NewWorkspaces()
	a := oauthAdapter(t, f, store, bottest.NewClock(testNow))
	h := a.Handler()
	if resp := installThroughOAuth(t, h, "code-org"); resp.StatusCode != http.StatusOK {
		t.Fatalf("org install callback = %d", resp.StatusCode)
	}
	if _, err := store.FindWorkspace(t.Context(), Platform, "EORG", ""); err != nil {
		t.Fatalf("org-wide install not stored under its enterprise: %v", err)
	}
	form := commandForm("kazakhstan risks", "")
	form += "&enterprise_id=EORG"
	form = strings.Replace(form, "team_id=T1DC2JH3J", "team_id=TANY", 1)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, signed(t, time.Now(), "/slack/commands", "application/x-www-form-urlencoded", form))
	if rec.Code != http.StatusOK {
		t.Fatalf("command = %d", rec.Code)
	}
	// The channel is now known to be TANY's, so digests there use the org token.
	if _, err := a.PostDigest(t.Context(), "C0123", kazakhstanRisks(), bot.SlotRef{Subscription: "d", Slot: testNow}, nil); err != nil {
		t.Fatalf("PostDigest: %v", err)
	}
	if c := f.next(t, "chat.postMessage"); c.token != "xoxb-org" {
		t.Errorf("digest posted with %q, want the org-wide token", c.token)
	}
}

// TestInstallRefusesBadState: a forged, tampered, expired or
// other-browser state never reaches oauth.v2.access.
func TestInstallRefusesBadState(t *testing.T) {
	f := newFakeSlack(t)
	store := bottest.NewWorkspaces()
	clock := bottest.NewClock(testNow)
	a := oauthAdapter(t, f, store, clock)
	h := a.Handler()

	start := func() (string, []*http.Cookie) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slack/install", nil))
		loc, _ := url.Parse(rec.Header().Get("Location"))
		return loc.Query().Get("state"), rec.Result().Cookies()
	}
	callback := func(state string, cookies []*http.Cookie) int {
		req := httptest.NewRequest(http.MethodGet, "/slack/oauth/callback?"+url.Values{"code": {"code-alpha"}, "state": {state}}.Encode(), nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	state, cookies := start()
	tampered := []byte(state)
	tampered[3] ^= 1
	other := &http.Cookie{Name: stateCookie, Value: string(tampered)}
	cases := []struct {
		name    string
		state   string
		cookies []*http.Cookie
		advance time.Duration
	}{
		{"forged", "abc.def", []*http.Cookie{{Name: stateCookie, Value: "abc.def"}}, 0},
		{"tampered", string(tampered), []*http.Cookie{other}, 0},
		{"no cookie", state, nil, 0},
		{"another browser's cookie", state, []*http.Cookie{other}, 0},
		{"expired", state, cookies, stateTTL + time.Second},
	}
	for _, tc := range cases {
		clock.Set(testNow.Add(tc.advance))
		if code := callback(tc.state, tc.cookies); code != http.StatusBadRequest {
			t.Errorf("%s state: callback = %d, want 400", tc.name, code)
		}
	}
	select {
	case c := <-f.calls:
		t.Errorf("Slack was called: %s", c.method)
	default:
	}
	if list, _ := store.Workspaces(t.Context(), Platform); len(list) != 0 {
		t.Errorf("installed %+v with a bad state", list)
	}
	// The user pressing Cancel gets a page, not an error.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slack/oauth/callback?error=access_denied&state="+state, nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "cancelled") {
		t.Errorf("cancelled install = %d: %s", rec.Code, rec.Body.String())
	}
}

func TestSingleTokenModeMountsNoInstall(t *testing.T) {
	// serve always hands the store over; without a client ID it is unused.
	a, err := New(Config{BotToken: "xoxb-1", SigningSecret: testSecret}, newFakeAnswerer(), WithWorkspaces(bottest.NewWorkspaces()))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slack/install", nil))
	if rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /slack/install in single-token mode = %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, signed(t, time.Now(), "/slack/commands", "application/x-www-form-urlencoded", commandForm("kazakhstan risks", "")))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Risks") {
		t.Errorf("single-token command = %d %s", rec.Code, rec.Body.String())
	}
}

func TestOAuthConfigErrors(t *testing.T) {
	cases := []struct {
		cfg   Config
		field string
	}{
		{Config{SigningSecret: "s", ClientID: "C", TokenKey: testTokenKey}, "ClientSecret"},
		{Config{SigningSecret: "s", ClientID: "C", ClientSecret: "S"}, "TokenKey"},
		{Config{SigningSecret: "s", ClientID: "C", ClientSecret: "S", TokenKey: "too-short"}, "TokenKey"},
		{Config{SigningSecret: "s", BotToken: "xoxb-1", ClientSecret: "S"}, "ClientID"},
		{Config{SigningSecret: "s"}, "BotToken"},
	}
	for _, tc := range cases {
		_, err := New(tc.cfg, newFakeAnswerer(), WithWorkspaces(bottest.NewWorkspaces()))
		fe, ok := errors.AsType[*FieldError](err)
		if !ok || fe.Field != tc.field {
			t.Errorf("New(%+v) = %v, want a FieldError on %s", tc.cfg, err, tc.field)
		}
	}
	if _, err := New(Config{SigningSecret: "s", ClientID: "C", ClientSecret: "S", TokenKey: testTokenKey}, newFakeAnswerer()); err == nil {
		t.Error("OAuth without a workspace store was accepted")
	}
}

func TestTokenSealing(t *testing.T) {
	for _, k := range []string{testTokenKey, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"} {
		key, err := parseTokenKey(k)
		if err != nil || len(key) != 32 || key[31] != 0x1f {
			t.Errorf("parseTokenKey(%q) = %x, %v", k, key, err)
		}
	}
	key, _ := parseTokenKey(testTokenKey)
	kr, err := newKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	a, b := kr.seal("xoxb-secret", "", "T1"), kr.seal("xoxb-secret", "", "T1")
	if bytes.Equal(a, b) {
		t.Error("two seals of one token are equal: the nonce is not random")
	}
	if got, err := kr.open(a, "", "T1"); err != nil || got != "xoxb-secret" {
		t.Errorf("open = %q, %v", got, err)
	}
	if _, err := kr.open(a, "", "T2"); err == nil {
		t.Error("a token sealed for T1 opened as T2's")
	}
	other, _ := newKeyring(bytes.Repeat([]byte{7}, 32))
	if _, err := other.open(a, "", "T1"); err == nil {
		t.Error("a token opened with another key")
	}
}

// FuzzOAuthCallback: no state but one the adapter signed within its
// lifetime gets as far as Slack, and nothing panics.
func FuzzOAuthCallback(f *testing.F) {
	key, _ := parseTokenKey(testTokenKey)
	kr, _ := newKeyring(key)
	good := kr.newState(testNow)
	f.Add(good, "code-alpha")
	f.Add(good+"x", "code-alpha")
	f.Add("..", "")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.", "c")
	fs := newFakeSlack(f)
	f.Fuzz(func(t *testing.T, state, code string) {
		a := oauthAdapter(t, fs, bottest.NewWorkspaces(), bottest.NewClock(testNow))
		req := httptest.NewRequest(http.MethodGet, "/slack/oauth/callback?"+url.Values{"code": {code}, "state": {state}}.Encode(), nil)
		req.AddCookie(&http.Cookie{Name: stateCookie, Value: state})
		rec := httptest.NewRecorder()
		a.Handler().ServeHTTP(rec, req)
		if rec.Code == http.StatusOK && kr.checkState(state, testNow) != nil {
			t.Fatalf("state %q was accepted", state)
		}
	})
}

// TestButtonAnsweredWithItsWorkspaceToken: a button pressed under a
// visible answer is answered in its thread with the token of the
// workspace it was pressed in.
func TestButtonAnsweredWithItsWorkspaceToken(t *testing.T) {
	f := newFakeSlack(t)
	a := oauthAdapter(t, f, bottest.NewWorkspaces(), bottest.NewClock(testNow))
	h := a.Handler()
	for _, code := range []string{"code-alpha", "code-beta"} {
		if resp := installThroughOAuth(t, h, code); resp.StatusCode != http.StatusOK {
			t.Fatalf("install %s = %d", code, resp.StatusCode)
		}
	}
	for _, tc := range []struct{ team, token string }{{"TBETA", "xoxb-beta"}, {"TALPHA", "xoxb-alpha"}} {
		p := buttonPayload("", "briefbot_query_0", "kazakhstan risks", false, "1762499999.000300")
		p["team"] = map[string]any{"id": tc.team, "domain": "x"}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, signed(t, time.Now(), "/slack/interactions", "application/x-www-form-urlencoded", interactionForm(t, p)))
		if rec.Code != http.StatusOK {
			t.Fatalf("button = %d", rec.Code)
		}
		c := f.next(t, "chat.postMessage")
		if c.token != tc.token || c.form.Get("thread_ts") != "1762499999.000300" {
			t.Errorf("button in %s answered with %q in thread %q, want %q", tc.team, c.token, c.form.Get("thread_ts"), tc.token)
		}
	}
}
