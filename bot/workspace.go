package bot

import (
	"context"
	"errors"
	"time"
)

// ErrNoWorkspace means no installation serves the given workspace.
var ErrNoWorkspace = errors.New("workspace not installed")

// Workspace is one installation of the app on a platform that installs
// per workspace (Slack): a single workspace (team), or a whole Enterprise
// Grid organisation for an org-wide install (Team empty).
type Workspace struct {
	Platform Platform
	// Enterprise is the Enterprise Grid organisation's ID, empty outside one.
	Enterprise string
	// Team is the workspace's ID; empty for an org-wide install.
	Team string
	// Name is the workspace's or organisation's name, for logs and pages.
	Name string
	// BotUserID is the app's bot user in the workspace.
	BotUserID string
	// SealedToken is the bot token encrypted by the adapter; the store
	// never sees a token in the clear.
	SealedToken []byte
	// Scopes are the scopes granted, comma-separated as the platform sends them.
	Scopes string
	// InstalledBy is the user who installed (or last reinstalled) the app.
	InstalledBy string
	// InstalledAt is when.
	InstalledAt time.Time
}

// WorkspaceStore keeps installations, shared by every replica, and which
// workspace each channel belongs to, so that a digest posted with no
// request to route it by still goes out with its workspace's token.
type WorkspaceStore interface {
	// SaveWorkspace creates or replaces the installation keyed by
	// (Platform, Enterprise, Team).
	SaveWorkspace(ctx context.Context, w Workspace) error
	// FindWorkspace returns the installation serving team: the team's own,
	// else its organisation's org-wide one. It returns ErrNoWorkspace if
	// neither exists.
	FindWorkspace(ctx context.Context, platform Platform, enterprise, team string) (Workspace, error)
	// DeleteWorkspace removes the installation keyed exactly by
	// (platform, enterprise, team), reporting whether it existed. Channel
	// records stay: which workspace a channel is in does not change.
	DeleteWorkspace(ctx context.Context, platform Platform, enterprise, team string) (bool, error)
	// Workspaces lists the platform's installations, by enterprise and team.
	Workspaces(ctx context.Context, platform Platform) ([]Workspace, error)
	// SetChannelWorkspace records that channel belongs to team (of
	// enterprise).
	SetChannelWorkspace(ctx context.Context, platform Platform, channel, enterprise, team string) error
	// ChannelWorkspace returns the enterprise and team recorded for
	// channel, or ErrNoWorkspace.
	ChannelWorkspace(ctx context.Context, platform Platform, channel string) (enterprise, team string, err error)
}
