// Package store keeps digest subscriptions, slot claims and delivery history
// (and the Slack workspaces installed through OAuth, with their tokens
// encrypted by the adapter) in SQL, implementing bot.Store, bot.SlotStore
// and bot.WorkspaceStore on two backends:
//
//   - SQLite (the default), an embedded file through the pure-Go
//     modernc.org/sqlite driver, so the binary stays static. One process
//     writes at a time (a single connection, BEGIN IMMEDIATE, WAL).
//   - PostgreSQL through pgx, for several replicas sharing one store.
//
// Both run the same SQL: claims are one INSERT … ON CONFLICT DO UPDATE …
// WHERE the old claim expired, so of any number of concurrent claimers
// exactly one gets a row back. Schema migrations are embedded in the binary
// and applied by Open in one transaction (under an advisory lock on
// PostgreSQL, so replicas starting together do not race).
//
// The contract every backend honours is tested by package storetest.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/briefbot/briefbot/bot"
)

// DefaultSQLitePath is where Open keeps the SQLite database when the URL is
// empty, relative to the working directory.
const DefaultSQLitePath = "data/briefbot.db"

// urlSetting names the setting that holds the store URL, for error messages.
const urlSetting = "store.url (BRIEFBOT_STORE_URL)"

// walCheckpointPages is how many pages (4 KiB each) SQLite's write-ahead
// log may hold before it is copied into the database (SQLite's default is
// 1000); walSizeLimit is the size the log is cut back to afterwards.
const (
	walCheckpointPages = 256
	walSizeLimit       = 1 << 20
)

// migrationLockID is the PostgreSQL advisory lock key taken while migrating.
const migrationLockID int64 = 0x62726965666d6967 // "briefmig"

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// DB is the store on SQLite or PostgreSQL: the core's subscriptions
// (bot.Store), the scheduler's slots (bot.SlotStore) and the Slack event
// log. It is safe for concurrent use.
type DB struct {
	sql     *sql.DB
	dialect dialect
	pool    *pgxpool.Pool // nil on SQLite
	log     *slog.Logger
	// marks counts MarkSeen calls, to prune old events now and then.
	marks atomic.Uint64
	// stop ends the SQLite checkpointer; done is closed when it has.
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

// DefaultConnectTimeout is how long Open waits for PostgreSQL to accept
// connections when Options.ConnectTimeout is zero.
const DefaultConnectTimeout = 60 * time.Second

// DefaultCheckpointInterval is how often the SQLite write-ahead log is
// checkpointed and truncated when Options.CheckpointInterval is zero.
const DefaultCheckpointInterval = 30 * time.Second

// Options tune OpenWith.
type Options struct {
	// Logger receives the store's log lines; nil discards.
	Logger *slog.Logger
	// ConnectTimeout is how long to keep trying a PostgreSQL server that
	// does not accept connections yet (it is starting, or its Service has
	// no endpoint), backing off between attempts; zero means
	// DefaultConnectTimeout. A refused login or an unknown database fails
	// at once.
	ConnectTimeout time.Duration
	// CheckpointInterval is how often SQLite's write-ahead log is copied
	// into the database and truncated; zero means
	// DefaultCheckpointInterval.
	CheckpointInterval time.Duration
}

var (
	_ bot.Store     = (*DB)(nil)
	_ bot.SlotStore = (*DB)(nil)
)

// Open opens the store at url and brings its schema up to date:
//
//   - "" is the SQLite file DefaultSQLitePath (its directory is created);
//   - "sqlite:PATH" (or "sqlite://PATH") is the SQLite file PATH;
//   - "postgres://…" or "postgresql://…" is a PostgreSQL database.
//
// A nil logger discards. Neither logs nor errors show the URL's password.
// Open waits for PostgreSQL as OpenWith does, up to DefaultConnectTimeout.
func Open(ctx context.Context, url string, logger *slog.Logger) (*DB, error) {
	return OpenWith(ctx, url, Options{Logger: logger})
}

// OpenWith is Open with options: how long to wait for PostgreSQL, how often
// to checkpoint SQLite.
func OpenWith(ctx context.Context, url string, opts Options) (*DB, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var (
		db  *DB
		err error
	)
	switch {
	case url == "":
		db, err = openSQLite(DefaultSQLitePath, logger, opts.CheckpointInterval)
	case strings.HasPrefix(url, "sqlite:"):
		p := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//")
		if p == "" {
			return nil, fmt.Errorf("open store: %s: sqlite: URL has no file path", urlSetting)
		}
		db, err = openSQLite(p, logger, opts.CheckpointInterval)
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		db, err = openPostgres(ctx, url, logger, opts.ConnectTimeout)
	default:
		scheme, _, ok := strings.Cut(url, ":")
		if !ok || strings.ContainsAny(scheme, "/@") {
			scheme = "(none)"
		}
		return nil, fmt.Errorf("open store: %s: unsupported scheme %q; want empty (SQLite at %s), sqlite:PATH or postgres://…",
			urlSetting, scheme, DefaultSQLitePath)
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openSQLite(file string, logger *slog.Logger, checkpointEvery time.Duration) (*DB, error) {
	if file != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
			return nil, fmt.Errorf("open store: sqlite %s: %w", file, err)
		}
	}
	// WAL lets readers of other processes proceed during a write; the busy
	// timeout makes a second process wait for the writer instead of failing;
	// BEGIN IMMEDIATE takes the write lock up front so a transaction never
	// fails half-way on lock upgrade.
	//
	// The write-ahead log is checkpointed every walCheckpointPages pages
	// and then cut back to walSizeLimit bytes: SQLite otherwise keeps the
	// log file at its largest size, and on a small volume a log that once
	// filled the disk would hold that space and fail every write after.
	dsn := "file:" + file + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate" +
		fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)&_pragma=journal_size_limit(%d)", walCheckpointPages, walSizeLimit)
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store: sqlite %s: %w", file, err)
	}
	// One connection serialises this process's writers, and keeps a
	// ":memory:" database alive for the life of the DB.
	sqldb.SetMaxOpenConns(1)
	sqldb.SetConnMaxIdleTime(0)
	sqldb.SetConnMaxLifetime(0)
	if err := sqldb.Ping(); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open store: sqlite %s: %w", file, err)
	}
	logger.Info("store opened", slog.String("backend", "sqlite"), slog.String("path", file))
	db := &DB{sql: sqldb, dialect: sqliteDialect, log: logger, stop: make(chan struct{}), done: make(chan struct{})}
	if checkpointEvery <= 0 {
		checkpointEvery = DefaultCheckpointInterval
	}
	go db.checkpointLoop(checkpointEvery)
	return db, nil
}

// checkpointLoop checkpoints and truncates the write-ahead log every
// interval until Close. SQLite's own automatic checkpoints do not shrink
// the log file, so on a small volume the log would keep whatever space it
// once grew into; after the volume filled and space came back, the next
// checkpoint gives the log's space back and writes succeed again.
func (db *DB) checkpointLoop(every time.Duration) {
	defer close(db.done)
	t := time.NewTicker(every)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), every)
		err := db.Checkpoint(ctx)
		cancel()
		switch {
		case err != nil && !failing:
			db.log.Warn("sqlite checkpoint failed; retrying", "err", err)
			failing = true
		case err == nil && failing:
			db.log.Info("sqlite checkpoint succeeded again")
			failing = false
		}
	}
}

func openPostgres(ctx context.Context, url string, logger *slog.Logger, wait time.Duration) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx quotes the URL in its parse errors, redacting a malformed
		// one's password only on a best-effort basis: say less, safely.
		return nil, fmt.Errorf("open store: %s: invalid PostgreSQL URL (want postgres://user:password@host:port/database?options)", urlSetting)
	}
	where := cfg.ConnConfig.Host + "/" + cfg.ConnConfig.Database
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store: postgres %s: %w", where, err)
	}
	sqldb := stdlib.OpenDBFromPool(pool)
	if err := waitForPostgres(ctx, sqldb, where, logger, wait); err != nil {
		sqldb.Close()
		pool.Close()
		return nil, err
	}
	logger.Info("store opened", slog.String("backend", "postgres"),
		slog.String("host", cfg.ConnConfig.Host), slog.String("database", cfg.ConnConfig.Database))
	return &DB{sql: sqldb, dialect: postgresDialect, pool: pool, log: logger}, nil
}

// waitForPostgres pings until the server answers, backing off from a
// quarter second to five seconds between attempts, for at most wait
// (DefaultConnectTimeout when zero). A server that answers but refuses the
// login or does not have the database fails at once: waiting cannot help.
func waitForPostgres(ctx context.Context, sqldb *sql.DB, where string, logger *slog.Logger, wait time.Duration) error {
	if wait <= 0 {
		wait = DefaultConnectTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	backoff := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := sqldb.PingContext(ctx)
		if err == nil {
			return nil
		}
		if permanentPostgresError(err) {
			return fmt.Errorf("open store: postgres %s: %w", where, err)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("open store: postgres %s: not reachable within store.connect_timeout (%s): %w", where, wait, err)
		}
		logger.Warn("waiting for PostgreSQL", "host", where, "attempt", attempt, "retry_in", backoff, "err", err)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("open store: postgres %s: not reachable within store.connect_timeout (%s): %w", where, wait, err)
		case <-t.C:
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// permanentPostgresError reports whether the server refused in a way that
// retrying will not fix: bad credentials (class 28) or no such database
// (3D000). "The database system is starting up" (57P03) is worth waiting for.
func permanentPostgresError(err error) bool {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return false
	}
	return strings.HasPrefix(pg.Code, "28") || pg.Code == "3D000"
}

// Backend names the database in use: "sqlite" or "postgres".
func (db *DB) Backend() string { return db.dialect.name }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s store: %w", db.dialect.name, err)
	}
	return nil
}

// Close closes the database connections.
func (db *DB) Close() error {
	if db.stop != nil {
		db.stopOnce.Do(func() { close(db.stop) })
		<-db.done
	}
	err := db.sql.Close()
	if db.pool != nil {
		db.pool.Close()
	}
	if err != nil {
		return fmt.Errorf("close %s store: %w", db.dialect.name, err)
	}
	return nil
}

// migration is one embedded schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations returns the dialect's migrations in version order.
func loadMigrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		prefix, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(prefix)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s/%s: name must start with a positive version number", dir, e.Name())
		}
		b, err := migrations.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// migrate applies the migrations the database lacks, all in one transaction.
func (db *DB) migrate(ctx context.Context) (err error) {
	ms, err := loadMigrations(db.dialect.name)
	if err != nil {
		return err
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate %s store: begin: %w", db.dialect.name, err)
	}
	defer rollback(tx, &err)
	if db.dialect.name == "postgres" {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLockID); err != nil {
			return fmt.Errorf("migrate postgres store: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name    TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("migrate %s store: create schema_migrations: %w", db.dialect.name, err)
	}
	applied, err := appliedVersions(ctx, tx)
	if err != nil {
		return fmt.Errorf("migrate %s store: %w", db.dialect.name, err)
	}
	known := 0
	for _, m := range ms {
		known = max(known, m.version)
		if applied[m.version] {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migrate %s store: %s: %w", db.dialect.name, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
			return fmt.Errorf("migrate %s store: record %s: %w", db.dialect.name, m.name, err)
		}
		db.log.Info("store migrated", slog.String("backend", db.dialect.name), slog.Int("version", m.version), slog.String("migration", m.name))
	}
	for v := range applied {
		if v > known {
			// A newer replica migrated the schema during a rolling upgrade;
			// migrations only add, so carry on.
			db.log.Warn("store schema is newer than this binary", slog.Int("version", v), slog.Int("known", known))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s store: commit: %w", db.dialect.name, err)
	}
	return nil
}

func appliedVersions(ctx context.Context, tx *sql.Tx) (map[int]bool, error) {
	rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return applied, nil
}

// rollback rolls tx back when the surrounding function fails (*errp != nil).
func rollback(tx *sql.Tx, errp *error) {
	if *errp != nil {
		_ = tx.Rollback()
	}
}

// dialect holds what differs between the backends: how times are stored.
type dialect struct {
	name string
	// timeArg turns a time into a query argument; the zero time becomes NULL.
	timeArg func(time.Time) any
}

var (
	// SQLite keeps times as unix nanoseconds: integers sort and compare
	// exactly, whatever the time zone.
	sqliteDialect = dialect{name: "sqlite", timeArg: func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return normTime(t).UnixNano()
	}}
	postgresDialect = dialect{name: "postgres", timeArg: func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return normTime(t)
	}}
)

// normTime is t as the store keeps it: UTC, to the microsecond (PostgreSQL's
// precision, applied on both backends so they answer alike).
func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// timeScan scans a stored time from either backend into *t; NULL is zero.
type timeScan struct{ t *time.Time }

func (s timeScan) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.t = time.Time{}
	case int64:
		*s.t = time.Unix(0, v).UTC()
	case time.Time:
		*s.t = v.UTC()
	default:
		return fmt.Errorf("scan time: unexpected %T", src)
	}
	return nil
}

// Checkpoint copies SQLite's write-ahead log into the database file and
// truncates the log to zero bytes, giving its space back to the volume.
// It does nothing on PostgreSQL.
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.dialect.name != "sqlite" {
		return nil
	}
	var busy, logFrames, done int
	if err := db.sql.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("checkpoint sqlite store: %w", err)
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint sqlite store: the database was busy")
	}
	return nil
}
