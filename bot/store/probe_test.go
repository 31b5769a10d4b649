package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/store"
)

// ProbeWrite fails where Ping does not: while another process holds
// SQLite's write lock the store answers reads and takes no write, which
// is what /readyz has to tell apart.
func TestProbeWriteSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "probe.db")
	db := openSQLite(t, path)
	ctx := t.Context()
	if err := db.ProbeWrite(ctx, time.Now()); err != nil {
		t.Fatalf("ProbeWrite on a writable store: %v", err)
	}
	if err := db.ProbeWrite(ctx, time.Now()); err != nil {
		t.Fatalf("second ProbeWrite (the row exists): %v", err)
	}

	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("take the write lock: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := db.Ping(short); err != nil {
		t.Fatalf("Ping while another holds the write lock: %v (reads should still work)", err)
	}
	if err := db.ProbeWrite(short, time.Now()); err == nil {
		t.Fatal("ProbeWrite succeeded while another process held the write lock")
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if err := db.ProbeWrite(ctx, time.Now()); err != nil {
		t.Errorf("ProbeWrite after the lock was released: %v", err)
	}
}

func TestProbeWritePostgres(t *testing.T) {
	db, err := store.Open(t.Context(), postgresURL(t), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.ProbeWrite(t.Context(), time.Now()); err != nil {
		t.Fatalf("ProbeWrite: %v", err)
	}
	db.Close()
	if err := db.ProbeWrite(t.Context(), time.Now()); err == nil {
		t.Error("ProbeWrite on a closed store succeeded")
	}
}

// While another session holds a lock that blocks writes, PostgreSQL
// answers Ping and ProbeWrite fails within its deadline.
func TestProbeWritePostgresLocked(t *testing.T) {
	u := postgresURL(t)
	db, err := store.Open(t.Context(), u, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	other, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(t.Context(), "LOCK TABLE seen_events IN EXCLUSIVE MODE"); err != nil {
		t.Fatalf("lock: %v", err)
	}
	short, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if err := db.Ping(short); err != nil {
		t.Fatalf("Ping while writes are locked out: %v", err)
	}
	if err := db.ProbeWrite(short, time.Now()); err == nil {
		t.Error("ProbeWrite succeeded while writes were locked out")
	}
	tx.Rollback()
	if err := db.ProbeWrite(t.Context(), time.Now()); err != nil {
		t.Errorf("ProbeWrite after the lock went: %v", err)
	}
}

var _ interface {
	ProbeWrite(context.Context, time.Time) error
} = (*store.DB)(nil)
