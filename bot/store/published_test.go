package store_test

import (
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/bot/store/storetest"
)

func TestSQLitePublishedContract(t *testing.T) {
	storetest.RunPublished(t, func(t *testing.T) storetest.PublishedStore {
		return openSQLite(t, filepath.Join(t.TempDir(), "briefbot.db"))
	})
}

func TestPostgresPublishedContract(t *testing.T) {
	storetest.RunPublished(t, func(t *testing.T) storetest.PublishedStore {
		db, err := store.Open(t.Context(), postgresURL(t), nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return db
	})
}

func TestSQLiteFirstSeenContract(t *testing.T) {
	storetest.RunFirstSeen(t, func(t *testing.T) storetest.FirstSeenStore {
		return openSQLite(t, filepath.Join(t.TempDir(), "briefbot.db"))
	})
}

func TestPostgresFirstSeenContract(t *testing.T) {
	storetest.RunFirstSeen(t, func(t *testing.T) storetest.FirstSeenStore {
		db, err := store.Open(t.Context(), postgresURL(t), nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return db
	})
}
