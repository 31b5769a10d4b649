package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/bot"
)

const subscriptionColumns = `id, platform, channel, schedule, timezone, topics, include, when_empty,
	source, created_by, created_at, paused, paused_reason, failures, last_delivered, last_error, last_error_at,
	corrections, corrections_window`

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// validSubscription checks what the store needs to keep s meaningful.
func validSubscription(s bot.Subscription) error {
	switch {
	case s.ID == "":
		return errors.New("subscription has no ID")
	case s.Platform == "":
		return fmt.Errorf("subscription %s has no platform", s.ID)
	case s.Channel == "":
		return fmt.Errorf("subscription %s has no channel", s.ID)
	case s.Schedule == "":
		return fmt.Errorf("subscription %s has no schedule", s.ID)
	case s.Source != bot.SourceConfig && s.Source != bot.SourceChat:
		return fmt.Errorf("subscription %s: source %q is neither %q nor %q", s.ID, s.Source, bot.SourceConfig, bot.SourceChat)
	case !bot.ValidCorrections(s.Corrections):
		return fmt.Errorf("subscription %s: corrections %q is not %q, %q or %q", s.ID, s.Corrections, bot.CorrectionsEdit, bot.CorrectionsFollowUp, bot.CorrectionsOff)
	case s.CorrectionsWindow < 0:
		return fmt.Errorf("subscription %s: corrections window %v is negative", s.ID, s.CorrectionsWindow)
	}
	fields := append([]string{s.ID, string(s.Platform), s.Channel, s.Schedule, s.Timezone, s.Include, s.WhenEmpty, s.CreatedBy}, s.Topics...)
	for _, f := range fields {
		// PostgreSQL refuses both in text; refuse them on SQLite too, so the
		// backends agree and what is saved is what is read back.
		if !utf8.ValidString(f) || strings.ContainsRune(f, 0) {
			return fmt.Errorf("subscription %q: %q is not valid UTF-8 text", s.ID, f)
		}
	}
	return nil
}

// cleanText makes s storable on every backend. It is for text the store must
// record whatever it holds, such as platform error messages.
func cleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// SaveSubscription creates s or replaces its definition, keeping the
// existing subscription's CreatedAt, pause and delivery state.
func (db *DB) SaveSubscription(ctx context.Context, s bot.Subscription) error {
	if err := validSubscription(s); err != nil {
		return fmt.Errorf("save subscription: %w", err)
	}
	if err := db.upsert(ctx, db.sql, s); err != nil {
		return fmt.Errorf("save subscription %s: %w", s.ID, err)
	}
	return nil
}

func (db *DB) upsert(ctx context.Context, q querier, s bot.Subscription) error {
	topics := s.Topics
	if topics == nil {
		topics = []string{}
	}
	tj, err := json.Marshal(topics)
	if err != nil {
		return fmt.Errorf("encode topics: %w", err)
	}
	_, err = q.ExecContext(ctx, `INSERT INTO subscriptions
		(id, platform, channel, schedule, timezone, topics, include, when_empty, source, created_by, created_at,
			corrections, corrections_window)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (id) DO UPDATE SET
			platform = excluded.platform, channel = excluded.channel, schedule = excluded.schedule,
			timezone = excluded.timezone, topics = excluded.topics, include = excluded.include,
			when_empty = excluded.when_empty, source = excluded.source, created_by = excluded.created_by,
			corrections = excluded.corrections, corrections_window = excluded.corrections_window`,
		s.ID, string(s.Platform), s.Channel, s.Schedule, s.Timezone, string(tj), s.Include, s.WhenEmpty,
		s.Source, s.CreatedBy, db.dialect.timeArg(s.CreatedAt), s.Corrections, int64(s.CorrectionsWindow))
	return err
}

// DeleteSubscription removes a subscription with its slots and deliveries.
func (db *DB) DeleteSubscription(ctx context.Context, id string) error {
	res, err := db.sql.ExecContext(ctx, "DELETE FROM subscriptions WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("delete subscription %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete subscription %s: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("delete subscription %s: %w", id, bot.ErrNotFound)
	}
	return nil
}

// Subscription returns the subscription with the given ID.
func (db *DB) Subscription(ctx context.Context, id string) (bot.Subscription, error) {
	s, err := getSubscription(ctx, db.sql, id)
	if err != nil {
		return bot.Subscription{}, fmt.Errorf("get subscription %s: %w", id, err)
	}
	return s, nil
}

func getSubscription(ctx context.Context, q querier, id string) (bot.Subscription, error) {
	row := q.QueryRowContext(ctx, "SELECT "+subscriptionColumns+" FROM subscriptions WHERE id = $1", id)
	s, err := scanSubscription(row)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Subscription{}, bot.ErrNotFound
	}
	return s, err
}

// Subscriptions returns every subscription, sorted by ID.
func (db *DB) Subscriptions(ctx context.Context) ([]bot.Subscription, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT "+subscriptionColumns+" FROM subscriptions ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	defer rows.Close()
	var subs []bot.Subscription
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			return nil, fmt.Errorf("list subscriptions: %w", err)
		}
		subs = append(subs, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	return subs, nil
}

// SyncConfigSubscriptions makes the config-sourced subscriptions equal to
// subs in one transaction, leaving chat-created ones alone.
func (db *DB) SyncConfigSubscriptions(ctx context.Context, subs []bot.Subscription) (err error) {
	want := make(map[string]bool, len(subs))
	for _, s := range subs {
		s.Source = bot.SourceConfig
		if err := validSubscription(s); err != nil {
			return fmt.Errorf("sync config subscriptions: %w", err)
		}
		if want[s.ID] {
			return fmt.Errorf("sync config subscriptions: ID %s appears twice", s.ID)
		}
		want[s.ID] = true
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sync config subscriptions: begin: %w", err)
	}
	defer rollback(tx, &err)

	sources := map[string]string{}
	rows, err := tx.QueryContext(ctx, "SELECT id, source FROM subscriptions")
	if err != nil {
		return fmt.Errorf("sync config subscriptions: %w", err)
	}
	for rows.Next() {
		var id, source string
		if err := rows.Scan(&id, &source); err != nil {
			rows.Close()
			return fmt.Errorf("sync config subscriptions: %w", err)
		}
		sources[id] = source
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sync config subscriptions: %w", err)
	}

	// Rows are written in ID order so that replicas syncing at once lock
	// them in the same order and cannot deadlock.
	subs = slices.SortedFunc(slices.Values(subs), func(a, b bot.Subscription) int { return strings.Compare(a.ID, b.ID) })
	for _, s := range subs {
		s.Source = bot.SourceConfig
		if src, ok := sources[s.ID]; ok && src != bot.SourceConfig {
			return fmt.Errorf("sync config subscriptions: ID %s is taken by a %s subscription", s.ID, src)
		}
		if err := db.upsert(ctx, tx, s); err != nil {
			return fmt.Errorf("sync config subscriptions: save %s: %w", s.ID, err)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(sources)) {
		if sources[id] != bot.SourceConfig || want[id] {
			continue
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM subscriptions WHERE id = $1 AND source = $2", id, bot.SourceConfig); err != nil {
			return fmt.Errorf("sync config subscriptions: delete %s: %w", id, err)
		}
		db.log.Info("config subscription removed", slog.String("subscription", id))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sync config subscriptions: commit: %w", err)
	}
	return nil
}

// SetPaused pauses a subscription with a reason, or resumes it and clears
// its failure count.
func (db *DB) SetPaused(ctx context.Context, id string, paused bool, reason string) error {
	var (
		res sql.Result
		err error
	)
	if paused {
		res, err = db.sql.ExecContext(ctx, "UPDATE subscriptions SET paused = $2, paused_reason = $3 WHERE id = $1", id, true, reason)
	} else {
		res, err = db.sql.ExecContext(ctx, "UPDATE subscriptions SET paused = $2, paused_reason = '', failures = 0 WHERE id = $1", id, false)
	}
	if err != nil {
		return fmt.Errorf("set subscription %s paused=%t: %w", id, paused, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("set subscription %s paused=%t: %w", id, paused, err)
	} else if n == 0 {
		return fmt.Errorf("set subscription %s paused=%t: %w", id, paused, bot.ErrNotFound)
	}
	return nil
}

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface {
	Scan(dest ...any) error
}

func scanSubscription(r scanner) (bot.Subscription, error) {
	var (
		s        bot.Subscription
		platform string
		topics   string
		window   int64
	)
	err := r.Scan(&s.ID, &platform, &s.Channel, &s.Schedule, &s.Timezone, &topics, &s.Include, &s.WhenEmpty,
		&s.Source, &s.CreatedBy, timeScan{&s.CreatedAt}, &s.Paused, &s.PausedReason, &s.Failures,
		timeScan{&s.LastDelivered}, &s.LastError, timeScan{&s.LastErrorAt}, &s.Corrections, &window)
	if err != nil {
		return bot.Subscription{}, err
	}
	s.Platform = bot.Platform(platform)
	s.CorrectionsWindow = time.Duration(window)
	if err := json.Unmarshal([]byte(topics), &s.Topics); err != nil {
		return bot.Subscription{}, fmt.Errorf("subscription %s: decode topics: %w", s.ID, err)
	}
	if len(s.Topics) == 0 {
		s.Topics = nil
	}
	return s, nil
}
