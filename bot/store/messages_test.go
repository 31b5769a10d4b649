package store_test

import (
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/bot/store/storetest"
)

func TestSQLiteCorrectionsContract(t *testing.T) {
	storetest.RunCorrections(t, func(t *testing.T) storetest.CorrectionStore {
		return openSQLite(t, filepath.Join(t.TempDir(), "briefbot.db"))
	})
}

func TestPostgresCorrectionsContract(t *testing.T) {
	storetest.RunCorrections(t, func(t *testing.T) storetest.CorrectionStore {
		db, err := store.Open(t.Context(), postgresURL(t), nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return db
	})
}
