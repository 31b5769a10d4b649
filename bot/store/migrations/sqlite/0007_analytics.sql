-- What readers asked that no briefing answers, and how they rated answers.
-- No row names a user or a channel. gap_questions counts each normalised
-- question per UTC day and outcome (unanswered or guessed), with the
-- suggestions last given as a JSON list. answer_votes holds one vote per
-- voter, a salted hash of who voted on which answer, so a vote counts once;
-- helpful is 0 or 1. analytics_salt holds that salt, one row shared by
-- every replica. Times are unix nanoseconds.
CREATE TABLE gap_questions (
    day         INTEGER NOT NULL,
    question    TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    asked       INTEGER NOT NULL,
    suggestions TEXT    NOT NULL,
    last_asked  INTEGER NOT NULL,
    PRIMARY KEY (day, question, outcome)
);
CREATE INDEX gap_questions_last_asked ON gap_questions (last_asked);

CREATE TABLE answer_votes (
    voter   TEXT PRIMARY KEY,
    topic   TEXT    NOT NULL,
    section TEXT    NOT NULL,
    helpful INTEGER NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX answer_votes_at ON answer_votes (at);

CREATE TABLE analytics_salt (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    salt BLOB    NOT NULL
);
