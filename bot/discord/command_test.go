package discord

import (
	"context"
	"fmt"
	"net/http"
	"testing"
)

// TestManageCommand: /brief-manage lets whoever Discord delivers it to
// (by default_member_permissions or the server's Integrations settings)
// manage digests; /brief still needs Manage Channels; a member's locale
// names the command in the help they get.
func TestManageCommand(t *testing.T) {
	body := func(name, perms, guild, locale string) string {
		return fmt.Sprintf(`{"id":"556","application_id":"111","type":2,"token":"itok","channel_id":"777","guild_id":%q,"locale":%q,
			"member":{"user":{"id":"42"},"permissions":%q},
			"data":{"name":%q,"options":[{"name":"query","type":3,"value":"subscriptions"}]}}`, guild, locale, perms, name)
	}
	for _, tc := range []struct {
		name, cmd, perms, guild, locale string
		mayManage                       bool
		command                         string
	}{
		{"brief-manage granted to a role without Manage Channels", manageCommandName, "0", "888", "", true, "/brief"},
		{"brief without Manage Channels", commandName, "0", "888", "", false, "/brief"},
		{"brief with Manage Channels", commandName, "16", "888", "de", true, "/briefing"},
		{"brief-manage outside a server", manageCommandName, "0", "", "es-ES", false, "/informe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSigner(t)
			ans := &fakeAnswerer{}
			a := newTestAdapter(t, s, "http://127.0.0.1:1/", ans, nil)
			w := serve(a, s.request(body(tc.cmd, tc.perms, tc.guild, tc.locale), testNow))
			a.inflight.Wait()
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			got := ans.requests()
			if len(got) != 1 {
				t.Fatalf("core asked %d times, want once", len(got))
			}
			if m := got[0].MayManage(context.Background()); m != tc.mayManage {
				t.Errorf("MayManage = %v, want %v", m, tc.mayManage)
			}
			if got[0].Command != tc.command || got[0].Text != "subscriptions" {
				t.Errorf("request command %q text %q, want %q", got[0].Command, got[0].Text, tc.command)
			}
		})
	}
}
