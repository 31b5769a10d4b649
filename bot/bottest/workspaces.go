package bottest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// Workspaces is an in-memory bot.WorkspaceStore.
type Workspaces struct {
	mu       sync.Mutex
	installs map[[3]string]bot.Workspace
	channels map[[2]string][2]string
}

var _ bot.WorkspaceStore = (*Workspaces)(nil)

// NewWorkspaces returns an empty Workspaces.
func NewWorkspaces() *Workspaces {
	return &Workspaces{installs: map[[3]string]bot.Workspace{}, channels: map[[2]string][2]string{}}
}

// SaveWorkspace implements bot.WorkspaceStore.
func (s *Workspaces) SaveWorkspace(_ context.Context, w bot.Workspace) error {
	if w.Platform == "" || w.Team == "" && w.Enterprise == "" || len(w.SealedToken) == 0 {
		return fmt.Errorf("save workspace %q/%q: platform, a team or enterprise, and a token are required", w.Enterprise, w.Team)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w.SealedToken = slices.Clone(w.SealedToken)
	w.InstalledAt = w.InstalledAt.UTC().Truncate(time.Microsecond)
	s.installs[[3]string{string(w.Platform), w.Enterprise, w.Team}] = w
	return nil
}

// FindWorkspace implements bot.WorkspaceStore.
func (s *Workspaces) FindWorkspace(_ context.Context, platform bot.Platform, enterprise, team string) (bot.Workspace, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if team != "" {
		for k, w := range s.installs {
			if k[0] == string(platform) && k[2] == team {
				return w, nil
			}
		}
	}
	if enterprise != "" {
		if w, ok := s.installs[[3]string{string(platform), enterprise, ""}]; ok {
			return w, nil
		}
	}
	return bot.Workspace{}, bot.ErrNoWorkspace
}

// DeleteWorkspace implements bot.WorkspaceStore.
func (s *Workspaces) DeleteWorkspace(_ context.Context, platform bot.Platform, enterprise, team string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [3]string{string(platform), enterprise, team}
	_, ok := s.installs[k]
	delete(s.installs, k)
	return ok, nil
}

// Workspaces implements bot.WorkspaceStore.
func (s *Workspaces) Workspaces(_ context.Context, platform bot.Platform) ([]bot.Workspace, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bot.Workspace
	for k, w := range s.installs {
		if k[0] == string(platform) {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b bot.Workspace) int {
		if c := strings.Compare(a.Enterprise, b.Enterprise); c != 0 {
			return c
		}
		return strings.Compare(a.Team, b.Team)
	})
	return out, nil
}

// SetChannelWorkspace implements bot.WorkspaceStore.
func (s *Workspaces) SetChannelWorkspace(_ context.Context, platform bot.Platform, channel, enterprise, team string) error {
	if channel == "" || team == "" {
		return fmt.Errorf("record channel %q of workspace %q: channel and team are required", channel, team)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[[2]string{string(platform), channel}] = [2]string{enterprise, team}
	return nil
}

// ChannelWorkspace implements bot.WorkspaceStore.
func (s *Workspaces) ChannelWorkspace(_ context.Context, platform bot.Platform, channel string) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.channels[[2]string{string(platform), channel}]
	if !ok {
		return "", "", bot.ErrNoWorkspace
	}
	return v[0], v[1], nil
}

// Close does nothing; it lets Workspaces stand in for a store.
func (s *Workspaces) Close() error { return nil }
