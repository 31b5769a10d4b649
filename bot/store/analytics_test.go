package store_test

import (
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/bot/store/storetest"
)

func TestSQLiteAnalyticsContract(t *testing.T) {
	storetest.RunAnalytics(t, func(t *testing.T) storetest.AnalyticsStore {
		return openSQLite(t, filepath.Join(t.TempDir(), "briefbot.db"))
	})
}

func TestPostgresAnalyticsContract(t *testing.T) {
	storetest.RunAnalytics(t, func(t *testing.T) storetest.AnalyticsStore {
		db, err := store.Open(t.Context(), postgresURL(t), nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return db
	})
}
