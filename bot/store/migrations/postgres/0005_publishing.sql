-- Briefings published through the API, shared by every replica.
-- published_versions is the history: one row per put or delete, numbered
-- store-wide so a replica catches up by asking for what follows the last
-- version it applied. published_briefings is the current state of each
-- name, a deleted name kept as a tombstone so that replicas learn of it.
-- deleted is 0 or 1, as on SQLite, so both run the same SQL.
CREATE TABLE published_versions (
    version      BIGINT PRIMARY KEY,
    name         TEXT        NOT NULL,
    body         BYTEA       NOT NULL,
    hash         TEXT        NOT NULL,
    topic        TEXT        NOT NULL,
    date         TIMESTAMPTZ,
    published_by TEXT        NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    deleted      INTEGER     NOT NULL DEFAULT 0
);
CREATE INDEX published_versions_name ON published_versions (name, version);

CREATE TABLE published_briefings (
    name         TEXT PRIMARY KEY,
    body         BYTEA       NOT NULL,
    hash         TEXT        NOT NULL,
    topic        TEXT        NOT NULL,
    date         TIMESTAMPTZ,
    published_by TEXT        NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    version      BIGINT      NOT NULL,
    deleted      INTEGER     NOT NULL DEFAULT 0
);
CREATE INDEX published_briefings_version ON published_briefings (version);

-- When each version of a briefing (its topic key and content hash) was
-- first seen by any replica, whether from the folder or the API: what
-- "new" means for digests.
CREATE TABLE briefing_first_seen (
    topic_key  TEXT        NOT NULL,
    hash       TEXT        NOT NULL,
    first_seen TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (topic_key, hash)
);
