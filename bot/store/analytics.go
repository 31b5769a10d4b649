package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/bot"
)

var _ bot.AnalyticsStore = (*DB)(nil)

// saltLen is the length of the vote-key salt, in bytes.
const saltLen = 32

// day is the start of t's UTC day: questions are counted per day.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// RecordGap counts one more asking of g.Question with g.Outcome on at's
// UTC day, keeping g.Suggestions as the latest given.
func (db *DB) RecordGap(ctx context.Context, g bot.Gap, at time.Time) error {
	sugs := make([]string, 0, len(g.Suggestions))
	for _, s := range g.Suggestions {
		sugs = append(sugs, cleanText(s))
	}
	js, err := json.Marshal(sugs)
	if err != nil {
		return fmt.Errorf("record question: %w", err)
	}
	_, err = db.sql.ExecContext(ctx, `INSERT INTO gap_questions (day, question, outcome, asked, suggestions, last_asked)
		VALUES ($1, $2, $3, 1, $4, $5)
		ON CONFLICT (day, question, outcome) DO UPDATE SET
			asked = gap_questions.asked + 1,
			suggestions = excluded.suggestions,
			last_asked = CASE WHEN excluded.last_asked > gap_questions.last_asked THEN excluded.last_asked ELSE gap_questions.last_asked END`,
		db.dialect.timeArg(day(at)), cleanText(g.Question), cleanText(g.Outcome), string(js), db.dialect.timeArg(at))
	if err != nil {
		return fmt.Errorf("record question: %w", err)
	}
	return nil
}

// Gaps returns the questions asked on or after since's UTC day, most asked
// first, with the suggestions given the last time each was asked.
func (db *DB) Gaps(ctx context.Context, since time.Time, limit int) ([]bot.GapCount, error) {
	q := `SELECT g.question, g.outcome, CAST(SUM(g.asked) AS BIGINT) AS n, MAX(g.last_asked),
			(SELECT s.suggestions FROM gap_questions s
			 WHERE s.question = g.question AND s.outcome = g.outcome AND s.day >= $1
			 ORDER BY s.last_asked DESC LIMIT 1)
		FROM gap_questions g WHERE g.day >= $1
		GROUP BY g.question, g.outcome
		ORDER BY n DESC, g.question, g.outcome`
	args := []any{db.dialect.timeArg(day(since))}
	if limit > 0 {
		q += " LIMIT $2"
		args = append(args, limit)
	}
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read questions: %w", err)
	}
	defer rows.Close()
	var out []bot.GapCount
	for rows.Next() {
		var (
			g    bot.GapCount
			sugs string
		)
		if err := rows.Scan(&g.Question, &g.Outcome, &g.Count, timeScan{&g.LastAsked}, &sugs); err != nil {
			return nil, fmt.Errorf("read questions: %w", err)
		}
		if err := json.Unmarshal([]byte(sugs), &g.Suggestions); err != nil {
			return nil, fmt.Errorf("read questions: suggestions of %q: %w", g.Question, err)
		}
		if len(g.Suggestions) == 0 {
			g.Suggestions = nil
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read questions: %w", err)
	}
	return out, nil
}

// AnalyticsSalt returns the store-wide salt for vote keys, creating it on
// first use. Of replicas creating it at once, the first insert stands.
func (db *DB) AnalyticsSalt(ctx context.Context) ([]byte, error) {
	fresh := make([]byte, saltLen)
	rand.Read(fresh)
	if _, err := db.sql.ExecContext(ctx, "INSERT INTO analytics_salt (id, salt) VALUES (1, $1) ON CONFLICT (id) DO NOTHING", fresh); err != nil {
		return nil, fmt.Errorf("create analytics salt: %w", err)
	}
	var salt []byte
	if err := db.sql.QueryRowContext(ctx, "SELECT salt FROM analytics_salt WHERE id = 1").Scan(&salt); err != nil {
		return nil, fmt.Errorf("read analytics salt: %w", err)
	}
	return salt, nil
}

// RecordVote records voter's vote; the first returns true, a later one
// replaces it and returns false.
func (db *DB) RecordVote(ctx context.Context, voter, topic, section string, helpful bool, at time.Time) (bool, error) {
	h := 0
	if helpful {
		h = 1
	}
	var got string
	err := db.sql.QueryRowContext(ctx, `INSERT INTO answer_votes (voter, topic, section, helpful, at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (voter) DO NOTHING RETURNING voter`,
		cleanText(voter), cleanText(topic), cleanText(section), h, db.dialect.timeArg(at)).Scan(&got)
	switch {
	case err == nil:
		return true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("record vote: %w", err)
	}
	if _, err := db.sql.ExecContext(ctx, "UPDATE answer_votes SET helpful = $2, at = $3 WHERE voter = $1",
		cleanText(voter), h, db.dialect.timeArg(at)); err != nil {
		return false, fmt.Errorf("record vote: %w", err)
	}
	return false, nil
}

// Votes returns the votes cast since since, by topic and section, most
// "Not helpful" first.
func (db *DB) Votes(ctx context.Context, since time.Time) ([]bot.VoteCount, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT topic, section, CAST(SUM(helpful) AS BIGINT), CAST(SUM(1 - helpful) AS BIGINT) AS bad
		FROM answer_votes WHERE at >= $1
		GROUP BY topic, section
		ORDER BY bad DESC, topic, section`, db.dialect.timeArg(since))
	if err != nil {
		return nil, fmt.Errorf("read votes: %w", err)
	}
	defer rows.Close()
	var out []bot.VoteCount
	for rows.Next() {
		var v bot.VoteCount
		if err := rows.Scan(&v.Topic, &v.Section, &v.Helpful, &v.NotHelpful); err != nil {
			return nil, fmt.Errorf("read votes: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read votes: %w", err)
	}
	return out, nil
}

// PruneAnalytics removes the questions last asked, and the votes cast,
// before before.
func (db *DB) PruneAnalytics(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	for _, q := range []string{
		"DELETE FROM gap_questions WHERE last_asked < $1",
		"DELETE FROM answer_votes WHERE at < $1",
	} {
		res, err := db.sql.ExecContext(ctx, q, db.dialect.timeArg(before))
		if err != nil {
			return n, fmt.Errorf("remove old analytics: %w", err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return n, fmt.Errorf("remove old analytics: %w", err)
		}
		n += k
	}
	return n, nil
}
