package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// FirstSeenStore is what the first-seen suite tests: the store and a way
// to close it.
type FirstSeenStore interface {
	bot.FirstSeenStore
	Close() error
}

// RunFirstSeen runs the contract of bot.FirstSeenStore. open must return a
// new, empty store for each call; RunFirstSeen closes it when the test ends.
func RunFirstSeen(t *testing.T, open func(t *testing.T) FirstSeenStore) {
	runSuite(t, open, []suiteCase[FirstSeenStore]{
		{"FirstRecordStands", testFirstRecordStands},
		{"ManyVersions", testFirstSeenMany},
		{"ConcurrentReplicasAgree", testFirstSeenConcurrent},
	})
}

func testFirstRecordStands(t *testing.T, s FirstSeenStore) {
	kz1 := bot.BriefingVersion{Topic: "kazakhstan", Hash: "h1"}
	kz2 := bot.BriefingVersion{Topic: "kazakhstan", Hash: "h2"}
	sahel := bot.BriefingVersion{Topic: "sahel", Hash: "h1"}
	// A zone and nanoseconds the store must normalise away.
	first := base.In(time.FixedZone("Almaty", 5*3600)).Add(999 * time.Nanosecond)
	got, err := s.SeeBriefings(t.Context(), []bot.BriefingVersion{kz1, sahel, kz1}, first)
	if err != nil {
		t.Fatalf("SeeBriefings: %v", err)
	}
	if len(got) != 2 || !got[kz1].Equal(base) || !got[sahel].Equal(base) || got[kz1].Location() != time.UTC {
		t.Fatalf("first SeeBriefings = %v, want kazakhstan@h1 and sahel@h1 at %s UTC", got, base)
	}
	// A restart, a fresh checkout or another replica sees them later: the
	// first record stands, and only the new version is new.
	later := base.Add(24 * time.Hour)
	got, err = s.SeeBriefings(t.Context(), []bot.BriefingVersion{kz1, kz2, sahel}, later)
	if err != nil {
		t.Fatal(err)
	}
	want := map[bot.BriefingVersion]time.Time{kz1: base, kz2: later, sahel: base}
	for v, at := range want {
		if !got[v].Equal(at) {
			t.Errorf("%v first seen %s, want %s", v, got[v], at)
		}
	}
	if len(got) != len(want) {
		t.Errorf("SeeBriefings returned %d versions, want %d", len(got), len(want))
	}
	got, err = s.SeeBriefings(t.Context(), nil, later)
	if err != nil || len(got) != 0 {
		t.Errorf("SeeBriefings(nil) = %v, %v; want nothing", got, err)
	}
}

func testFirstSeenMany(t *testing.T, s FirstSeenStore) {
	var vs []bot.BriefingVersion
	for i := range 1201 {
		vs = append(vs, bot.BriefingVersion{Topic: fmt.Sprintf("topic %d", i%700), Hash: fmt.Sprintf("h%d", i)})
	}
	got, err := s.SeeBriefings(t.Context(), vs[:600], base)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 600 {
		t.Fatalf("got %d versions, want 600", len(got))
	}
	got, err = s.SeeBriefings(t.Context(), vs, base.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(vs) {
		t.Fatalf("got %d versions, want %d", len(got), len(vs))
	}
	for i, v := range vs {
		want := base
		if i >= 600 {
			want = base.Add(time.Hour)
		}
		if !got[v].Equal(want) {
			t.Fatalf("%v first seen %s, want %s", v, got[v], want)
		}
	}
}

func testFirstSeenConcurrent(t *testing.T, s FirstSeenStore) {
	vs := []bot.BriefingVersion{{Topic: "kazakhstan", Hash: "a"}, {Topic: "sahel", Hash: "b"}}
	const replicas = 6
	results := make([]map[bot.BriefingVersion]time.Time, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			got, err := s.SeeBriefings(t.Context(), vs, base.Add(time.Duration(i)*time.Minute))
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
			results[i] = got
		})
	}
	wg.Wait()
	for i := 1; i < replicas; i++ {
		for _, v := range vs {
			if !results[i][v].Equal(results[0][v]) {
				t.Errorf("replicas disagree on when %v was first seen: %s and %s", v, results[0][v], results[i][v])
			}
		}
	}
}
