-- Subscriptions, slot claims and delivery history for scheduled digests.
-- Times are timestamptz; NULL means "never".

CREATE TABLE subscriptions (
    id             TEXT PRIMARY KEY,
    platform       TEXT NOT NULL,
    channel        TEXT NOT NULL,
    schedule       TEXT NOT NULL,
    timezone       TEXT NOT NULL DEFAULT '',
    topics         TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    include        TEXT NOT NULL DEFAULT '',
    when_empty     TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL CHECK (source IN ('config', 'chat')),
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ,
    paused         BOOLEAN NOT NULL DEFAULT FALSE,
    paused_reason  TEXT NOT NULL DEFAULT '',
    failures       INTEGER NOT NULL DEFAULT 0,
    last_delivered TIMESTAMPTZ,
    last_error     TEXT NOT NULL DEFAULT '',
    last_error_at  TIMESTAMPTZ
);

-- One row per slot ever claimed: status 'claimed' while a replica holds
-- the lease, 'done' once the slot is completed (never claimable again).
CREATE TABLE slots (
    subscription TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    slot         TIMESTAMPTZ NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('claimed', 'done')),
    owner        TEXT NOT NULL,
    expires      TIMESTAMPTZ NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 1,
    previous_owner TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (subscription, slot)
);

CREATE TABLE deliveries (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    slot         TIMESTAMPTZ NOT NULL,
    outcome      TEXT NOT NULL,
    error        TEXT NOT NULL DEFAULT '',
    permanent    BOOLEAN NOT NULL DEFAULT FALSE,
    message_ids  TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    owner        TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL
);

CREATE INDEX deliveries_by_subscription ON deliveries (subscription, slot DESC, id DESC);
