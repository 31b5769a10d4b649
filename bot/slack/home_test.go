package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
)

type fixedSubscriptions []bot.Subscription

func (f fixedSubscriptions) Subscriptions(context.Context) ([]bot.Subscription, error) { return f, nil }

// TestHomeTab publishes the Home tab with the workspace's token: how to
// ask and the topics for everyone, the workspace's digests only for those
// who may manage them.
func TestHomeTab(t *testing.T) {
	f := newFakeSlack(t)
	store := bottest.NewWorkspaces()
	subs := fixedSubscriptions{
		{ID: "morning", Platform: Platform, Channel: "CALPHA", Schedule: "0 8 * * 1-5", Timezone: "Asia/Almaty", Topics: []string{"kazakhstan"}},
		{ID: "other-team", Platform: Platform, Channel: "CBETA", Schedule: "@daily"},
		{ID: "on-discord", Platform: "discord", Channel: "123", Schedule: "@daily"},
	}
	a := oauthAdapter(t, f, store, bottest.NewClock(testNow), WithSubscriptions(subs))
	ans := a.answerer.(*fakeAnswerer)
	ans.replies["help"] = bot.Reply{Kind: bot.KindHelp, Title: "How to ask briefbot", Lede: []string{"Ask /brief kazakhstan risks."}}
	ans.replies["list"] = bot.Reply{Kind: bot.KindList, Title: "Topics", Items: []bot.Item{{Title: "Kazakhstan", Text: "Joins the accords"}}}
	h := a.Handler()
	for _, code := range []string{"code-alpha", "code-beta"} {
		if resp := installThroughOAuth(t, h, code); resp.StatusCode != http.StatusOK {
			t.Fatalf("install %s = %d", code, resp.StatusCode)
		}
	}
	for _, ch := range []struct{ id, team string }{{"CALPHA", "TALPHA"}, {"CBETA", "TBETA"}} {
		if err := store.SetChannelWorkspace(t.Context(), Platform, ch.id, "", ch.team); err != nil {
			t.Fatal(err)
		}
	}
	home := func(user, eventID string, admin bool) string {
		t.Helper()
		f.mu.Lock()
		f.admins["xoxb-alpha"] = admin
		f.mu.Unlock()
		sendEvent(t, h, teamEventBody("TALPHA", "", eventID, map[string]any{"type": "app_home_opened", "user": user, "tab": "home", "channel": "DALPHA"}))
		c := f.next(t, "views.publish")
		if c.token != "xoxb-alpha" || c.json["user_id"] != user {
			t.Errorf("views.publish by %q for %v, want xoxb-alpha for %s", c.token, c.json["user_id"], user)
		}
		view, _ := json.Marshal(c.json["view"])
		return string(view)
	}
	admin := home("UALICE", "EvHome1", true)
	for _, want := range []string{`"type":"home"`, "How to ask briefbot", "Kazakhstan", "\\u003c#CALPHA\\u003e", "morning", "Asia/Almaty", "/brief subscribe"} {
		if !strings.Contains(admin, want) {
			t.Errorf("admin's home tab lacks %s:\n%s", want, admin)
		}
	}
	for _, notWant := range []string{"other-team", "on-discord", `"actions"`} {
		if strings.Contains(admin, notWant) {
			t.Errorf("admin's home tab shows %s:\n%s", notWant, admin)
		}
	}
	member := home("UMEMBER", "EvHome2", false)
	if strings.Contains(member, "morning") || !strings.Contains(member, "Workspace admins") || !strings.Contains(member, "Kazakhstan") {
		t.Errorf("member's home tab:\n%s", member)
	}
}
