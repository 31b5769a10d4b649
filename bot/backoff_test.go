package bot_test

import (
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// Waits double up to the cap and each is drawn from the upper half of its
// step: never zero, never over the cap, never two replicas in lockstep.
func TestBackoff(t *testing.T) {
	for _, r := range []float64{0, 0.999999} {
		b := bot.Backoff{Base: time.Second, Max: 10 * time.Second, Rand: func() float64 { return r }}
		var got []time.Duration
		for range 6 {
			got = append(got, b.Next().Round(time.Millisecond))
		}
		full := []time.Duration{1, 2, 4, 8, 10, 10}
		for i, step := range full {
			step *= time.Second
			if got[i] < step/2 || got[i] > step {
				t.Errorf("rand %v: wait %d = %s, want within [%s, %s]", r, i, got[i], step/2, step)
			}
		}
		b.Reset()
		if d := b.Next(); d > time.Second {
			t.Errorf("after Reset: %s, want at most Base", d)
		}
	}
}
