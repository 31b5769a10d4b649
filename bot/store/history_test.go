package store_test

import (
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/bot/store/storetest"
)

func TestSQLiteHistoryContract(t *testing.T) {
	storetest.RunHistory(t, func(t *testing.T) storetest.HistoryStore {
		return openSQLite(t, filepath.Join(t.TempDir(), "briefbot.db"))
	})
}

func TestPostgresHistoryContract(t *testing.T) {
	storetest.RunHistory(t, func(t *testing.T) storetest.HistoryStore {
		db, err := store.Open(t.Context(), postgresURL(t), nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return db
	})
}
