package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/briefbot/briefbot/bot"
)

var (
	_ bot.PublishedStore    = (*DB)(nil)
	_ bot.PublishedListener = (*DB)(nil)
)

// publishedChannel is the PostgreSQL notification channel told of every
// committed change to the published briefings; the payload is the version.
const publishedChannel = "briefbot_published"

// publishLockID is the PostgreSQL advisory lock key that serialises
// publishers, so versions commit in the order they are numbered and a
// replica that has read version v never misses an earlier one committed
// later. SQLite's write lock does the same.
const publishLockID int64 = 0x6272696566707562 // "briefpub"

const publishedColumns = "name, body, hash, topic, date, published_by, published_at, version, deleted"

// PutPublished stores p's content under p.Name as the next version, unless
// the current content already has p.Hash.
func (db *DB) PutPublished(ctx context.Context, p bot.Published) (stored bot.Published, changed bool, err error) {
	if p.Name == "" || p.Hash == "" {
		return bot.Published{}, false, fmt.Errorf("publish briefing %q: name and hash are required", p.Name)
	}
	p.Name, p.Topic, p.By = cleanText(p.Name), cleanText(p.Topic), cleanText(p.By)
	p.At, p.Date = normTime(p.At), normTime(p.Date)
	p.Deleted = false
	if p.Body == nil {
		p.Body = []byte{}
	}
	err = db.publishTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanPublished(tx.QueryRowContext(ctx, "SELECT "+publishedColumns+" FROM published_briefings WHERE name = $1", p.Name))
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case !cur.Deleted && cur.Hash == p.Hash:
			stored = cur
			return nil
		}
		p.Version, err = db.record(ctx, tx, p)
		stored, changed = p, true
		return err
	})
	if err != nil {
		return bot.Published{}, false, fmt.Errorf("publish briefing %s: %w", p.Name, err)
	}
	return stored, changed, nil
}

// DeletePublished withdraws name as the next version, keeping a tombstone
// so replicas learn of it.
func (db *DB) DeletePublished(ctx context.Context, name, by string, at time.Time) error {
	name = cleanText(name)
	err := db.publishTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanPublished(tx.QueryRowContext(ctx, "SELECT "+publishedColumns+" FROM published_briefings WHERE name = $1", name))
		switch {
		case errors.Is(err, sql.ErrNoRows), err == nil && cur.Deleted:
			return bot.ErrNotPublished
		case err != nil:
			return err
		}
		_, err = db.record(ctx, tx, bot.Published{
			Name: name, Body: []byte{}, Hash: cur.Hash, Topic: cur.Topic, Date: cur.Date,
			By: cleanText(by), At: normTime(at), Deleted: true,
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("delete published briefing %s: %w", name, err)
	}
	return nil
}

// PublishedBriefing returns the current content of name.
func (db *DB) PublishedBriefing(ctx context.Context, name string) (bot.Published, error) {
	p, err := scanPublished(db.sql.QueryRowContext(ctx, "SELECT "+publishedColumns+" FROM published_briefings WHERE name = $1 AND deleted = 0", name))
	if errors.Is(err, sql.ErrNoRows) {
		err = bot.ErrNotPublished
	}
	if err != nil {
		return bot.Published{}, fmt.Errorf("read published briefing %s: %w", name, err)
	}
	return p, nil
}

// ListPublished returns every published briefing, bodies left out.
func (db *DB) ListPublished(ctx context.Context) ([]bot.Published, error) {
	ps, err := db.queryPublished(ctx, `SELECT name, NULL, hash, topic, date, published_by, published_at, version, deleted
		FROM published_briefings WHERE deleted = 0 ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list published briefings: %w", err)
	}
	return ps, nil
}

// PublishedSince returns the names changed after version, in version order.
func (db *DB) PublishedSince(ctx context.Context, version int64) ([]bot.Published, error) {
	ps, err := db.queryPublished(ctx, "SELECT "+publishedColumns+" FROM published_briefings WHERE version > $1 ORDER BY version", version)
	if err != nil {
		return nil, fmt.Errorf("read published briefings since version %d: %w", version, err)
	}
	return ps, nil
}

// ListenPublished calls changed once listening has begun, so the caller
// can catch up on what came before, then after every committed change: on
// PostgreSQL with LISTEN on a connection of its own. SQLite has no
// notifications: replicas sharing the file poll.
func (db *DB) ListenPublished(ctx context.Context, changed func()) error {
	if db.pool == nil {
		return fmt.Errorf("listen for published briefings on %s: %w", db.dialect.name, errors.ErrUnsupported)
	}
	pc, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("listen for published briefings: %w", err)
	}
	// The connection keeps listening for as long as it lives, so it never
	// goes back to the pool.
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+publishedChannel); err != nil {
		return fmt.Errorf("listen for published briefings: %w", err)
	}
	changed()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("listen for published briefings: %w", err)
		}
		changed()
	}
}

// publishTx runs fn in a write transaction that holds the publishers' lock.
func (db *DB) publishTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer rollback(tx, &err)
	if db.pool != nil {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", publishLockID); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// record appends p to the history as the next version and makes it the
// name's current state; on PostgreSQL the commit notifies the listeners.
func (db *DB) record(ctx context.Context, tx *sql.Tx, p bot.Published) (int64, error) {
	var v int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) + 1 FROM published_versions").Scan(&v); err != nil {
		return 0, fmt.Errorf("next version: %w", err)
	}
	deleted := 0
	if p.Deleted {
		deleted = 1
	}
	args := []any{p.Name, p.Body, p.Hash, p.Topic, db.dialect.timeArg(p.Date), p.By, db.dialect.timeArg(p.At), v, deleted}
	if _, err := tx.ExecContext(ctx, "INSERT INTO published_versions ("+publishedColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, args...); err != nil {
		return 0, fmt.Errorf("record version %d: %w", v, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO published_briefings ("+publishedColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (name) DO UPDATE SET body = excluded.body, hash = excluded.hash, topic = excluded.topic,
			date = excluded.date, published_by = excluded.published_by, published_at = excluded.published_at,
			version = excluded.version, deleted = excluded.deleted`, args...); err != nil {
		return 0, fmt.Errorf("update current version: %w", err)
	}
	if db.pool != nil {
		if _, err := tx.ExecContext(ctx, "SELECT pg_notify($1, $2)", publishedChannel, strconv.FormatInt(v, 10)); err != nil {
			return 0, fmt.Errorf("notify: %w", err)
		}
	}
	return v, nil
}

func (db *DB) queryPublished(ctx context.Context, query string, args ...any) ([]bot.Published, error) {
	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bot.Published
	for rows.Next() {
		p, err := scanPublished(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func scanPublished(row interface{ Scan(...any) error }) (bot.Published, error) {
	var (
		p       bot.Published
		deleted int
	)
	err := row.Scan(&p.Name, &p.Body, &p.Hash, &p.Topic, timeScan{&p.Date}, &p.By, timeScan{&p.At}, &p.Version, &deleted)
	p.Deleted = deleted != 0
	return p, err
}
