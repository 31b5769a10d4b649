-- What each briefing version said, so that what changed can be shown after
-- a folder file is edited in place or a published briefing is replaced:
-- the parsed briefing as JSON, under the version's topic key and content
-- hash (as in briefing_first_seen). date is the briefing's own date. A
-- kept version never changes.
CREATE TABLE briefing_texts (
    topic_key TEXT        NOT NULL,
    hash      TEXT        NOT NULL,
    date      TIMESTAMPTZ,
    briefing  TEXT        NOT NULL,
    PRIMARY KEY (topic_key, hash)
);
