package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/bot/store/storetest"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/briefingstest"
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

// BenchmarkRecordKeepsTexts measures what recording a library of 10,000
// briefings costs on SQLite with their texts kept: "first" is the first
// start, which keeps every text; "restart" is a process meeting a library
// whose every version is seen and kept already. The "no texts" runs are
// the same with a store that keeps no texts, for comparison.
func BenchmarkRecordKeepsTexts(b *testing.B) {
	files := briefingstest.Generate(10_000, 1)
	bs := make([]*briefings.Briefing, 0, len(files))
	for _, f := range files {
		br, _ := briefings.Parse(f.Name, f.Data, time.Time{})
		bs = append(bs, br)
	}
	lib := briefings.NewLibrary(bs)
	now := func() time.Time { return time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC) }
	for _, texts := range []bool{true, false} {
		name := "texts"
		wrap := func(db *store.DB) bot.FirstSeenStore { return db }
		if !texts {
			name = "no texts"
			wrap = func(db *store.DB) bot.FirstSeenStore { return firstSeenOnly{db} }
		}
		b.Run(name, func(b *testing.B) { benchmarkRecord(b, lib, now, wrap) })
	}
}

// firstSeenOnly hides the store's history.
type firstSeenOnly struct{ bot.FirstSeenStore }

func benchmarkRecord(b *testing.B, lib *briefings.Library, now func() time.Time, wrap func(*store.DB) bot.FirstSeenStore) {
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			db := openSQLite(b, filepath.Join(b.TempDir(), "briefbot.db"))
			b.StartTimer()
			if err := bot.NewFirstSeen(wrap(db), now).Record(b.Context(), lib); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
	})
	b.Run("restart", func(b *testing.B) {
		db := openSQLite(b, filepath.Join(b.TempDir(), "briefbot.db"))
		defer db.Close()
		if err := bot.NewFirstSeen(wrap(db), now).Record(b.Context(), lib); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := bot.NewFirstSeen(wrap(db), now).Record(b.Context(), lib); err != nil {
				b.Fatal(err)
			}
		}
	})
}
