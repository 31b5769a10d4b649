package bot

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff spaces the attempts of something that keeps failing (a gateway
// connection, a command registration): each wait doubles from Base up to
// Max, and is drawn at random from its upper half, so that replicas that
// failed together do not retry together. The zero value waits 1 s to 5 min.
// It is not safe for concurrent use.
type Backoff struct {
	// Base is the first wait; zero means 1 s.
	Base time.Duration
	// Max caps every wait; zero means 5 min.
	Max time.Duration
	// Rand returns a number in [0, 1); nil means math/rand/v2.
	Rand func() float64

	failures int
}

// Next counts a failure and returns how long to wait before the next attempt.
func (b *Backoff) Next() time.Duration {
	base, ceiling := b.Base, b.Max
	if base <= 0 {
		base = time.Second
	}
	if ceiling <= 0 {
		ceiling = 5 * time.Minute
	}
	d := base
	for i := 0; i < b.failures && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	b.failures++
	r := rand.Float64
	if b.Rand != nil {
		r = b.Rand
	}
	return d/2 + time.Duration(r()*float64(d/2))
}

// Reset starts again from Base, after a success.
func (b *Backoff) Reset() { b.failures = 0 }

// Wait waits Next() or until ctx is done, and returns ctx's error if it is.
func (b *Backoff) Wait(ctx context.Context) error {
	t := time.NewTimer(b.Next())
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
