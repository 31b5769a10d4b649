-- Platform events already taken by some replica, so that a retry landing
-- on another replica is not answered twice.
CREATE TABLE seen_events (
    event_key TEXT PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX seen_events_at ON seen_events (at);
