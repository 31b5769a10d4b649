package slack

import (
	"fmt"
	"testing"
	"time"
)

func TestDedupe(t *testing.T) {
	now := testNow
	d := newDedupe(time.Minute, 3, func() time.Time { return now })
	if !d.first("Ev1") || d.first("Ev1") {
		t.Fatal("a repeated event ID is not recognised")
	}
	now = now.Add(59 * time.Second)
	if d.first("Ev1") {
		t.Error("forgot Ev1 within the ttl")
	}
	now = now.Add(2 * time.Second)
	if !d.first("Ev1") {
		t.Error("Ev1 still remembered after the ttl")
	}
	// Bounded: the oldest is forgotten when the set is full.
	for i := range 3 {
		d.first(fmt.Sprint("Ev", i+2))
	}
	if !d.first("Ev1") {
		t.Error("set grew past its bound")
	}
	if len(d.seen) > 3 {
		t.Errorf("%d IDs kept, bound is 3", len(d.seen))
	}
	for range 2 {
		if !d.first("") {
			t.Error("events without an ID must never be dropped")
		}
	}
}
