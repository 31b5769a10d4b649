package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

// WorkspaceStore is what the workspaces suite tests.
type WorkspaceStore interface {
	bot.WorkspaceStore
	Close() error
}

// RunWorkspaces runs the contract of bot.WorkspaceStore. open must return
// a new, empty store for each call; RunWorkspaces closes it.
func RunWorkspaces(t *testing.T, open func(t *testing.T) WorkspaceStore) {
	runSuite(t, open, []suiteCase[WorkspaceStore]{
		{"SaveFindDelete", testWorkspaceSaveFindDelete},
		{"OrgWideInstall", testWorkspaceOrgWide},
		{"Channels", testWorkspaceChannels},
		{"Invalid", testWorkspaceInvalid},
	})
}

const slackPlatform bot.Platform = "slack"

func workspace(enterprise, team, token string) bot.Workspace {
	return bot.Workspace{
		Platform: slackPlatform, Enterprise: enterprise, Team: team, Name: "Team " + team,
		BotUserID: "UBOT" + team, SealedToken: []byte(token), Scopes: "commands,chat:write",
		InstalledBy: "UADMIN", InstalledAt: base.In(time.FixedZone("X", 3600)).Add(123 * time.Nanosecond),
	}
}

func saveWorkspace(t *testing.T, s WorkspaceStore, w bot.Workspace) {
	t.Helper()
	if err := s.SaveWorkspace(t.Context(), w); err != nil {
		t.Fatalf("SaveWorkspace: %v", err)
	}
}

func wantStored(w bot.Workspace) bot.Workspace {
	w.InstalledAt = w.InstalledAt.UTC().Truncate(time.Microsecond)
	return w
}

func testWorkspaceSaveFindDelete(t *testing.T, s WorkspaceStore) {
	a, b := workspace("", "T1", "sealed-a\x00\xff"), workspace("", "T2", "sealed-b")
	saveWorkspace(t, s, a)
	saveWorkspace(t, s, b)
	got, err := s.FindWorkspace(t.Context(), slackPlatform, "", "T1")
	if err != nil {
		t.Fatalf("FindWorkspace(T1): %v", err)
	}
	if diff := cmp.Diff(wantStored(a), got); diff != "" {
		t.Errorf("FindWorkspace(T1) (-want +got):\n%s", diff)
	}
	if _, err := s.FindWorkspace(t.Context(), "discord", "", "T1"); !errors.Is(err, bot.ErrNoWorkspace) {
		t.Errorf("FindWorkspace on another platform = %v, want ErrNoWorkspace", err)
	}
	// Reinstalling replaces the token.
	a2 := a
	a2.SealedToken, a2.InstalledBy = []byte("sealed-a2"), "UOTHER"
	saveWorkspace(t, s, a2)
	got, _ = s.FindWorkspace(t.Context(), slackPlatform, "", "T1")
	if diff := cmp.Diff(wantStored(a2), got); diff != "" {
		t.Errorf("after reinstall (-want +got):\n%s", diff)
	}
	list, err := s.Workspaces(t.Context(), slackPlatform)
	if err != nil {
		t.Fatalf("Workspaces: %v", err)
	}
	if diff := cmp.Diff([]bot.Workspace{wantStored(a2), wantStored(b)}, list); diff != "" {
		t.Errorf("Workspaces (-want +got):\n%s", diff)
	}
	ok, err := s.DeleteWorkspace(t.Context(), slackPlatform, "", "T1")
	if err != nil || !ok {
		t.Fatalf("DeleteWorkspace(T1) = %v, %v; want true", ok, err)
	}
	if ok, _ := s.DeleteWorkspace(t.Context(), slackPlatform, "", "T1"); ok {
		t.Error("second DeleteWorkspace(T1) reported a deletion")
	}
	if _, err := s.FindWorkspace(t.Context(), slackPlatform, "", "T1"); !errors.Is(err, bot.ErrNoWorkspace) {
		t.Errorf("FindWorkspace after delete = %v, want ErrNoWorkspace", err)
	}
	if _, err := s.FindWorkspace(t.Context(), slackPlatform, "", "T2"); err != nil {
		t.Errorf("T2 went with T1: %v", err)
	}
}

func testWorkspaceOrgWide(t *testing.T, s WorkspaceStore) {
	org := workspace("E1", "", "sealed-org")
	own := workspace("E1", "T9", "sealed-own")
	saveWorkspace(t, s, org)
	// Any team of the organisation is served by the org-wide install ...
	got, err := s.FindWorkspace(t.Context(), slackPlatform, "E1", "T5")
	if err != nil || string(got.SealedToken) != "sealed-org" {
		t.Fatalf("FindWorkspace(E1/T5) = %q, %v; want the org-wide install", got.SealedToken, err)
	}
	// ... unless the team has an install of its own.
	saveWorkspace(t, s, own)
	got, err = s.FindWorkspace(t.Context(), slackPlatform, "E1", "T9")
	if err != nil || string(got.SealedToken) != "sealed-own" {
		t.Fatalf("FindWorkspace(E1/T9) = %q, %v; want the team's own install", got.SealedToken, err)
	}
	// A team outside any organisation is not served by one.
	if _, err := s.FindWorkspace(t.Context(), slackPlatform, "", "T5"); !errors.Is(err, bot.ErrNoWorkspace) {
		t.Errorf("FindWorkspace(/T5) = %v, want ErrNoWorkspace", err)
	}
	if ok, err := s.DeleteWorkspace(t.Context(), slackPlatform, "E1", ""); err != nil || !ok {
		t.Fatalf("DeleteWorkspace(E1) = %v, %v", ok, err)
	}
	if _, err := s.FindWorkspace(t.Context(), slackPlatform, "E1", "T5"); !errors.Is(err, bot.ErrNoWorkspace) {
		t.Errorf("FindWorkspace(E1/T5) after org uninstall = %v, want ErrNoWorkspace", err)
	}
	if got, err := s.FindWorkspace(t.Context(), slackPlatform, "E1", "T9"); err != nil || string(got.SealedToken) != "sealed-own" {
		t.Errorf("the team's own install went with the org's: %q, %v", got.SealedToken, err)
	}
}

func testWorkspaceChannels(t *testing.T, s WorkspaceStore) {
	if _, _, err := s.ChannelWorkspace(t.Context(), slackPlatform, "C1"); !errors.Is(err, bot.ErrNoWorkspace) {
		t.Fatalf("ChannelWorkspace(unknown) = %v, want ErrNoWorkspace", err)
	}
	for _, c := range []struct{ ch, ent, team string }{{"C1", "", "T1"}, {"C2", "E1", "T2"}, {"C1", "", "T3"}} {
		if err := s.SetChannelWorkspace(t.Context(), slackPlatform, c.ch, c.ent, c.team); err != nil {
			t.Fatalf("SetChannelWorkspace(%s): %v", c.ch, err)
		}
	}
	for _, c := range []struct{ ch, ent, team string }{{"C1", "", "T3"}, {"C2", "E1", "T2"}} {
		ent, team, err := s.ChannelWorkspace(t.Context(), slackPlatform, c.ch)
		if err != nil || ent != c.ent || team != c.team {
			t.Errorf("ChannelWorkspace(%s) = %q, %q, %v; want %q, %q", c.ch, ent, team, err, c.ent, c.team)
		}
	}
	if _, _, err := s.ChannelWorkspace(t.Context(), "discord", "C1"); !errors.Is(err, bot.ErrNoWorkspace) {
		t.Errorf("ChannelWorkspace on another platform = %v, want ErrNoWorkspace", err)
	}
}

func testWorkspaceInvalid(t *testing.T, s WorkspaceStore) {
	for _, w := range []bot.Workspace{
		workspace("", "", "sealed"),
		workspace("", "T1", ""),
		{Team: "T1", SealedToken: []byte("x")},
	} {
		if err := s.SaveWorkspace(t.Context(), w); err == nil {
			t.Errorf("SaveWorkspace(%+v) succeeded", w)
		}
	}
	if err := s.SetChannelWorkspace(t.Context(), slackPlatform, "C1", "", ""); err == nil {
		t.Error("SetChannelWorkspace without a team succeeded")
	}
}
