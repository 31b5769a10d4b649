package store

import (
	"context"
	"fmt"
	"time"
)

// probeKey is the one row ProbeWrite keeps rewriting. It lives among the
// events (a key no platform uses), so it needs no table of its own, and
// MarkSeen's pruning removes it once probes stop.
const probeKey = "briefbot:write-probe"

// ProbeWrite checks that the store takes a write, not only that it
// answers: a full disk, a read-only file system or a PostgreSQL standby
// answer a ping and refuse every write. It upserts one tiny row.
func (db *DB) ProbeWrite(ctx context.Context, now time.Time) error {
	_, err := db.sql.ExecContext(ctx, `INSERT INTO seen_events (event_key, at) VALUES ($1, $2)
		ON CONFLICT (event_key) DO UPDATE SET at = excluded.at`, probeKey, db.dialect.timeArg(normTime(now)))
	if err != nil {
		return fmt.Errorf("write to %s store: %w", db.dialect.name, err)
	}
	return nil
}
