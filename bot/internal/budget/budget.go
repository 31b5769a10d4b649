// Package budget answers a chat command within the platform's
// acknowledgement budget, or acknowledges it first and answers later.
//
// Slack wants a slash command acknowledged within 3 seconds and Discord an
// interaction within 3 seconds; both adapters ask the core with Race, so
// the rule for who answers, and when, lives here once.
package budget

import "time"

// Race runs answer on the caller's goroutine and gives it d.
//
// When answer returns within d, Race returns its value and true; ack and
// late are never called. Almost every answer does: the core answers from
// memory in microseconds, and a goroutine per command would cost more than
// the answer.
//
// Otherwise, once d has passed, ack is called on another goroutine while
// answer is still at work, to acknowledge the command on its own: an HTTP
// handler's ack writes a whole response (with its Content-Length) and
// flushes it, since the handler itself is still busy. When answer returns,
// Race waits for ack to return, hands the value to late on a new
// goroutine, and returns the zero T and false, so the caller returns at
// once and late is never called before ack has returned.
func Race[T any](d time.Duration, answer func() T, ack func(), late func(T)) (T, bool) {
	acked := make(chan struct{})
	timer := time.AfterFunc(d, func() {
		defer close(acked)
		ack()
	})
	returned := false
	defer func() {
		// A panicking answer must not leave an ack writing behind it.
		if !returned && !timer.Stop() {
			<-acked
		}
	}()
	v := answer()
	returned = true
	if timer.Stop() {
		return v, true
	}
	<-acked
	go late(v)
	var zero T
	return zero, false
}
