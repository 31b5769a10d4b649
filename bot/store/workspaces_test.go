package store_test

import (
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/bot/store/storetest"
)

func TestSQLiteWorkspacesContract(t *testing.T) {
	storetest.RunWorkspaces(t, func(t *testing.T) storetest.WorkspaceStore {
		return openSQLite(t, filepath.Join(t.TempDir(), "briefbot.db"))
	})
}

func TestPostgresWorkspacesContract(t *testing.T) {
	storetest.RunWorkspaces(t, func(t *testing.T) storetest.WorkspaceStore {
		db, err := store.Open(t.Context(), postgresURL(t), nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return db
	})
}
