-- Installations of the app (Slack workspaces, or org-wide installs with an
-- empty team_id), with their bot token encrypted by the adapter; and which
-- workspace each channel belongs to, so digests post with the right token.
CREATE TABLE workspaces (
    platform     TEXT    NOT NULL,
    enterprise   TEXT    NOT NULL,
    team         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    bot_user_id  TEXT    NOT NULL,
    sealed_token BLOB    NOT NULL,
    scopes       TEXT    NOT NULL,
    installed_by TEXT    NOT NULL,
    installed_at INTEGER NOT NULL,
    PRIMARY KEY (platform, enterprise, team)
);
CREATE INDEX workspaces_team ON workspaces (platform, team);
CREATE TABLE workspace_channels (
    platform   TEXT NOT NULL,
    channel    TEXT NOT NULL,
    enterprise TEXT NOT NULL,
    team       TEXT NOT NULL,
    PRIMARY KEY (platform, channel)
);
