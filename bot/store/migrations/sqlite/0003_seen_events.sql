-- Platform events already taken by some replica, so that a retry landing
-- on another replica is not answered twice. at is unix nanoseconds.
CREATE TABLE seen_events (
    event_key TEXT PRIMARY KEY,
    at        INTEGER NOT NULL
);
CREATE INDEX seen_events_at ON seen_events (at);
