-- Corrections. Each digest posted in full is recorded with its messages
-- (JSON array of platform IDs in part order) and the briefing versions it
-- shows (JSON array of {topic, hash}), so that any replica can edit it
-- when one changes.
CREATE TABLE digest_messages (
    subscription TEXT    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    slot         TIMESTAMPTZ NOT NULL,
    platform     TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    message_ids  TEXT    NOT NULL,
    versions     TEXT    NOT NULL,
    since        TIMESTAMPTZ,
    posted_at    TIMESTAMPTZ NOT NULL,
    corrected_at TIMESTAMPTZ,
    PRIMARY KEY (subscription, slot)
);
CREATE INDEX digest_messages_posted_at ON digest_messages (posted_at);

-- One row per correction of a posted digest to one set of versions
-- (fingerprint): the unique key lets one replica claim it, once.
CREATE TABLE digest_corrections (
    subscription TEXT    NOT NULL,
    slot         TIMESTAMPTZ NOT NULL,
    fingerprint  TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('claimed', 'done')),
    owner        TEXT    NOT NULL,
    expires      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (subscription, slot, fingerprint),
    FOREIGN KEY (subscription, slot) REFERENCES digest_messages (subscription, slot) ON DELETE CASCADE
);

ALTER TABLE subscriptions ADD COLUMN corrections TEXT NOT NULL DEFAULT '';
ALTER TABLE subscriptions ADD COLUMN corrections_window BIGINT NOT NULL DEFAULT 0; -- nanoseconds
