package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to manage test schemas

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/bot/store/storetest"
)

// The Slack adapter declares the event log it uses where it uses it; the
// store is one.
var _ slack.EventLog = (*store.DB)(nil)

func TestSQLiteContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return openSQLite(t, filepath.Join(t.TempDir(), "briefbot.db"))
	})
}

func TestPostgresContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, err := store.Open(t.Context(), postgresURL(t), nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return db
	})
}

func openSQLite(t testing.TB, path string) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), "sqlite:"+path, nil)
	if err != nil {
		t.Fatalf("Open(sqlite:%s): %v", path, err)
	}
	return db
}

// postgresURL returns the URL of a schema of the test's own; see
// storetest.PostgresURL.
func postgresURL(t testing.TB) string { return storetest.PostgresURL(t) }

func migrationCount(t *testing.T, dsn, driver string) int {
	t.Helper()
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatalf("count migrations: %v", err)
	}
	return n
}

// restart checks that data survives closing and reopening a store, and that
// migrations are recorded once however often the store is opened.
func restart(t *testing.T, open func() (*store.DB, error), count func() int) {
	ctx := t.Context()
	db, err := open()
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}
	s := bot.Subscription{ID: "kz-morning", Platform: bot.Platform("slack"), Channel: "C1", Schedule: "@daily", Timezone: "Asia/Almaty", Source: bot.SourceChat}
	if err := db.SaveSubscription(ctx, s); err != nil {
		t.Fatal(err)
	}
	slot := time.Date(2025, 3, 10, 3, 0, 0, 0, time.UTC)
	c, ok, err := db.ClaimSlot(ctx, s.ID, slot, "r1", time.Minute, slot)
	if err != nil || !ok {
		t.Fatalf("ClaimSlot = %t, %v", ok, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	want := count()
	if want < 1 {
		t.Fatalf("%d migrations recorded after the first Open, want at least 1", want)
	}

	for i := range 2 {
		db, err = open()
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		if got := count(); got != want {
			t.Errorf("reopen %d: %d migrations recorded, want %d (each applied once)", i, got, want)
		}
		if _, err := db.Subscription(ctx, s.ID); err != nil {
			t.Errorf("reopen %d: subscription lost: %v", i, err)
		}
		if _, ok, _ := db.ClaimSlot(ctx, s.ID, slot, "r2", time.Minute, slot.Add(30*time.Second)); ok {
			t.Errorf("reopen %d: a held claim was lost across the restart", i)
		}
		if i == 1 {
			// The replica that claimed before the restart can still finish.
			if _, err := db.CompleteSlot(ctx, c, bot.Delivery{Outcome: bot.OutcomePosted, At: slot.Add(time.Minute)}); err != nil {
				t.Errorf("CompleteSlot after restart: %v", err)
			}
		}
		db.Close()
	}
}

func TestSQLiteRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "briefbot.db")
	restart(t,
		func() (*store.DB, error) { return store.Open(t.Context(), "sqlite:"+path, nil) },
		func() int { return migrationCount(t, path, "sqlite") })
}

func TestPostgresRestart(t *testing.T) {
	u := postgresURL(t)
	restart(t,
		func() (*store.DB, error) { return store.Open(t.Context(), u, nil) },
		func() int { return migrationCount(t, u, "pgx") })
}

func TestPostgresConcurrentOpen(t *testing.T) {
	u := postgresURL(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			db, err := store.Open(t.Context(), u, nil)
			if err != nil {
				errs <- err
				return
			}
			db.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("replicas starting at once: Open: %v", err)
	}
	db, err := store.Open(t.Context(), u, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Backend() != "postgres" {
		t.Errorf("Backend() = %q, want postgres", db.Backend())
	}
	files, err := os.ReadDir("migrations/postgres")
	if err != nil {
		t.Fatal(err)
	}
	if n := migrationCount(t, u, "pgx"); n != len(files) {
		t.Errorf("%d migrations recorded after concurrent opens, want %d (each applied once)", n, len(files))
	}
}

func TestDefaultPathIsSQLiteInData(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var logs bytes.Buffer
	db, err := store.Open(t.Context(), "", slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("Open(\"\"): %v", err)
	}
	defer db.Close()
	if db.Backend() != "sqlite" {
		t.Errorf("Backend() = %q, want sqlite", db.Backend())
	}
	if err := db.SaveSubscription(t.Context(), bot.Subscription{ID: "a", Platform: bot.Platform("discord"), Channel: "1", Schedule: "@weekly", Source: bot.SourceConfig}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "briefbot.db")); err != nil {
		t.Errorf("default database file: %v", err)
	}
	if !strings.Contains(logs.String(), "store migrated") {
		t.Errorf("first Open did not log the migration:\n%s", logs.String())
	}
}

// Two stores on one SQLite file behave like two processes: claims stay exclusive.
func TestSQLiteTwoProcessesShareClaims(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	a, b := openSQLite(t, path), openSQLite(t, path)
	defer a.Close()
	defer b.Close()
	ctx := t.Context()
	if err := a.SaveSubscription(ctx, bot.Subscription{ID: "x", Platform: bot.Platform("slack"), Channel: "C", Schedule: "@daily", Source: bot.SourceChat}); err != nil {
		t.Fatal(err)
	}
	slot := time.Date(2025, 3, 10, 3, 0, 0, 0, time.UTC)
	for i := range 20 {
		slot := slot.Add(time.Duration(i) * time.Hour)
		var wg sync.WaitGroup
		var wins [2]bool
		for j, db := range []*store.DB{a, b} {
			wg.Go(func() {
				_, ok, err := db.ClaimSlot(ctx, "x", slot, fmt.Sprintf("p%d", j), time.Minute, slot)
				if err != nil {
					t.Errorf("process %d: ClaimSlot: %v", j, err)
				}
				wins[j] = ok
			})
		}
		wg.Wait()
		if wins[0] == wins[1] {
			t.Fatalf("slot %d: wins %v, want exactly one process to win", i, wins)
		}
	}
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	for _, u := range []string{"mysql://bob:hunter2@db/briefbot", "briefbot.db", "sqlite:"} {
		_, err := store.Open(t.Context(), u, nil)
		if err == nil {
			t.Errorf("Open(%q): no error", u)
			continue
		}
		if !strings.Contains(err.Error(), "store.url (BRIEFBOT_STORE_URL)") {
			t.Errorf("Open(%q): error %q does not name the setting", u, err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q): error %q shows the password", u, err)
		}
	}
}

func TestOpenPostgresErrorsHidePassword(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for _, u := range []string{
		"postgres://bob:hunter2@127.0.0.1:1/briefbot?sslmode=disable&connect_timeout=2", // nothing listens on port 1
		"postgres://bob:hunter2@127.0.0.1:notaport/briefbot",
		"postgresql://bob:hunter2@127.0.0.1/briefbot?sslmode=bogus",
	} {
		// Open waits for a server that is not up; the waiting is logged too.
		_, err := store.OpenWith(ctx, u, store.Options{Logger: logger, ConnectTimeout: 300 * time.Millisecond})
		if err == nil {
			t.Errorf("Open(%q): no error", u)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open: error %q shows the password", err)
		}
	}
	if strings.Contains(logs.String(), "hunter2") {
		t.Errorf("the password was logged:\n%s", logs.String())
	}
}

func TestClosedStoreFails(t *testing.T) {
	db := openSQLite(t, filepath.Join(t.TempDir(), "x.db"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	err := db.Ping(t.Context())
	if err == nil || errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Ping after Close: err = %v, want a failure", err)
	}
}

// BenchmarkClaimComplete measures one slot's store work: claim, then complete.
func BenchmarkClaimComplete(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			var db *store.DB
			if backend == "sqlite" {
				db = openSQLite(b, filepath.Join(b.TempDir(), "bench.db"))
			} else {
				u := postgresURL(b)
				var err error
				if db, err = store.Open(b.Context(), u, nil); err != nil {
					b.Fatal(err)
				}
			}
			defer db.Close()
			ctx := b.Context()
			if err := db.SaveSubscription(ctx, bot.Subscription{ID: "x", Platform: bot.Platform("slack"), Channel: "C", Schedule: "@every 1m", Source: bot.SourceChat}); err != nil {
				b.Fatal(err)
			}
			start := time.Date(2025, 3, 10, 3, 0, 0, 0, time.UTC)
			i := 0
			for b.Loop() {
				slot := start.Add(time.Duration(i) * time.Minute)
				i++
				c, ok, err := db.ClaimSlot(ctx, "x", slot, "r1", time.Minute, slot)
				if err != nil || !ok {
					b.Fatalf("ClaimSlot = %t, %v", ok, err)
				}
				if _, err := db.CompleteSlot(ctx, c, bot.Delivery{Outcome: bot.OutcomePosted, MessageIDs: []string{"1"}, At: slot}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
