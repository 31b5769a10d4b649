// Package budget answers a chat command within the platform's
// acknowledgement budget, or acknowledges it first and answers later.
//
// Slack wants a slash command acknowledged within 3 seconds and Discord an
// interaction within 3 seconds; both adapters ask the core with Race, so
// the rule for who answers, and when, lives here once.
package budget

import "time"

// Race runs answer in a new goroutine and waits up to d for it.
//
// When the answer comes in time, Race returns it and true; late is never
// called. Otherwise Race calls ack (to acknowledge the command now), and
// returns the zero T and false once ack has returned. The answer is then
// handed to late, in another goroutine, never before ack has returned.
//
// The caller's goroutine is free as soon as Race returns, so an HTTP
// handler can return and let its response go out.
func Race[T any](d time.Duration, answer func() T, ack func(), late func(T)) (T, bool) {
	ready := make(chan T, 1)
	go func() { ready <- answer() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case v := <-ready:
		return v, true
	case <-t.C:
	}
	ack()
	go func() { late(<-ready) }()
	var zero T
	return zero, false
}
