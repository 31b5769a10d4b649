-- Briefings published through the API, shared by every replica.
-- published_versions is the history: one row per put or delete, numbered
-- store-wide so a replica catches up by asking for what follows the last
-- version it applied. published_briefings is the current state of each
-- name, a deleted name kept as a tombstone so that replicas learn of it.
-- Times are unix nanoseconds; deleted is 0 or 1.
CREATE TABLE published_versions (
    version      INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    body         BLOB    NOT NULL,
    hash         TEXT    NOT NULL,
    topic        TEXT    NOT NULL,
    date         INTEGER,
    published_by TEXT    NOT NULL,
    published_at INTEGER NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX published_versions_name ON published_versions (name, version);

CREATE TABLE published_briefings (
    name         TEXT PRIMARY KEY,
    body         BLOB    NOT NULL,
    hash         TEXT    NOT NULL,
    topic        TEXT    NOT NULL,
    date         INTEGER,
    published_by TEXT    NOT NULL,
    published_at INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX published_briefings_version ON published_briefings (version);

-- When each version of a briefing (its topic key and content hash) was
-- first seen by any replica, whether from the folder or the API: what
-- "new" means for digests. first_seen is unix nanoseconds.
CREATE TABLE briefing_first_seen (
    topic_key  TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (topic_key, hash)
);
