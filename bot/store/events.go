package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// pruneEvery is how many MarkSeen calls pass between prunings of old events.
const pruneEvery = 1000

// MarkSeen records key as seen at now. A key seen before, less than ttl
// ago, is a repeat: of any number of concurrent callers with one key,
// exactly one is told it is first.
func (db *DB) MarkSeen(ctx context.Context, key string, now time.Time, ttl time.Duration) (bool, error) {
	now = normTime(now)
	cutoff := db.dialect.timeArg(now.Add(-ttl))
	var got string
	err := db.sql.QueryRowContext(ctx, `INSERT INTO seen_events (event_key, at) VALUES ($1, $2)
		ON CONFLICT (event_key) DO UPDATE SET at = excluded.at WHERE seen_events.at <= $3
		RETURNING event_key`, cleanText(key), db.dialect.timeArg(now), cutoff).Scan(&got)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("mark event seen: %w", err)
	}
	if db.marks.Add(1)%pruneEvery == 0 {
		if _, err := db.sql.ExecContext(ctx, "DELETE FROM seen_events WHERE at <= $1", cutoff); err != nil {
			db.log.WarnContext(ctx, "prune seen events", "err", err)
		}
	}
	return true, nil
}
