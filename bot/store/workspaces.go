package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/briefbot/briefbot/bot"
)

var _ bot.WorkspaceStore = (*DB)(nil)

const workspaceColumns = "platform, enterprise, team, name, bot_user_id, sealed_token, scopes, installed_by, installed_at"

// SaveWorkspace creates or replaces the installation keyed by
// (Platform, Enterprise, Team).
func (db *DB) SaveWorkspace(ctx context.Context, w bot.Workspace) error {
	if w.Platform == "" || w.Team == "" && w.Enterprise == "" || len(w.SealedToken) == 0 {
		return fmt.Errorf("save workspace %q/%q: platform, a team or enterprise, and a token are required", w.Enterprise, w.Team)
	}
	_, err := db.sql.ExecContext(ctx, `INSERT INTO workspaces (`+workspaceColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (platform, enterprise, team) DO UPDATE SET
			name = excluded.name, bot_user_id = excluded.bot_user_id, sealed_token = excluded.sealed_token,
			scopes = excluded.scopes, installed_by = excluded.installed_by, installed_at = excluded.installed_at`,
		string(w.Platform), cleanText(w.Enterprise), cleanText(w.Team), cleanText(w.Name), cleanText(w.BotUserID),
		w.SealedToken, cleanText(w.Scopes), cleanText(w.InstalledBy), db.dialect.timeArg(w.InstalledAt))
	if err != nil {
		return fmt.Errorf("save workspace %q/%q: %w", w.Enterprise, w.Team, err)
	}
	return nil
}

// FindWorkspace returns the team's own installation, else the org-wide one
// of its enterprise.
func (db *DB) FindWorkspace(ctx context.Context, platform bot.Platform, enterprise, team string) (bot.Workspace, error) {
	// A team's own install sorts before its organisation's (team '').
	row := db.sql.QueryRowContext(ctx, `SELECT `+workspaceColumns+` FROM workspaces
		WHERE platform = $1 AND ((team = $2 AND $2 <> '') OR (enterprise = $3 AND $3 <> '' AND team = ''))
		ORDER BY team DESC LIMIT 1`, string(platform), team, enterprise)
	w, err := scanWorkspace(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return bot.Workspace{}, bot.ErrNoWorkspace
	case err != nil:
		return bot.Workspace{}, fmt.Errorf("find workspace %q/%q: %w", enterprise, team, err)
	}
	return w, nil
}

// DeleteWorkspace removes the installation keyed exactly by the arguments.
func (db *DB) DeleteWorkspace(ctx context.Context, platform bot.Platform, enterprise, team string) (bool, error) {
	res, err := db.sql.ExecContext(ctx, "DELETE FROM workspaces WHERE platform = $1 AND enterprise = $2 AND team = $3",
		string(platform), enterprise, team)
	if err != nil {
		return false, fmt.Errorf("delete workspace %q/%q: %w", enterprise, team, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("delete workspace %q/%q: %w", enterprise, team, err)
	}
	return n > 0, nil
}

// Workspaces lists the platform's installations by enterprise and team.
func (db *DB) Workspaces(ctx context.Context, platform bot.Platform) ([]bot.Workspace, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT "+workspaceColumns+" FROM workspaces WHERE platform = $1 ORDER BY enterprise, team", string(platform))
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	defer rows.Close()
	var out []bot.Workspace
	for rows.Next() {
		w, err := scanWorkspace(rows)
		if err != nil {
			return nil, fmt.Errorf("list workspaces: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	return out, nil
}

// SetChannelWorkspace records which workspace channel belongs to.
func (db *DB) SetChannelWorkspace(ctx context.Context, platform bot.Platform, channel, enterprise, team string) error {
	if channel == "" || team == "" {
		return fmt.Errorf("record channel %q of workspace %q: channel and team are required", channel, team)
	}
	_, err := db.sql.ExecContext(ctx, `INSERT INTO workspace_channels (platform, channel, enterprise, team) VALUES ($1, $2, $3, $4)
		ON CONFLICT (platform, channel) DO UPDATE SET enterprise = excluded.enterprise, team = excluded.team`,
		string(platform), cleanText(channel), cleanText(enterprise), cleanText(team))
	if err != nil {
		return fmt.Errorf("record channel %s of workspace %s: %w", channel, team, err)
	}
	return nil
}

// ChannelWorkspace returns the workspace recorded for channel.
func (db *DB) ChannelWorkspace(ctx context.Context, platform bot.Platform, channel string) (string, string, error) {
	var enterprise, team string
	err := db.sql.QueryRowContext(ctx, "SELECT enterprise, team FROM workspace_channels WHERE platform = $1 AND channel = $2",
		string(platform), channel).Scan(&enterprise, &team)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", "", bot.ErrNoWorkspace
	case err != nil:
		return "", "", fmt.Errorf("find workspace of channel %s: %w", channel, err)
	}
	return enterprise, team, nil
}

func scanWorkspace(row interface{ Scan(...any) error }) (bot.Workspace, error) {
	var w bot.Workspace
	var platform string
	err := row.Scan(&platform, &w.Enterprise, &w.Team, &w.Name, &w.BotUserID, &w.SealedToken, &w.Scopes, &w.InstalledBy, timeScan{&w.InstalledAt})
	w.Platform = bot.Platform(platform)
	return w, err
}
