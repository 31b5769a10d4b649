package budget

import (
	"testing"
	"time"
)

func TestRaceAnswerInTime(t *testing.T) {
	got, ok := Race(time.Hour, func() string { return "answer" },
		func() { t.Error("ack called for an answer in time") },
		func(string) { t.Error("late called for an answer in time") })
	if !ok || got != "answer" {
		t.Fatalf("Race = %q, %v; want the answer in time", got, ok)
	}
}

// A slow answer is acknowledged while it is still at work: the answer
// here waits for the ack, so only the budget can have sent it. The
// answer then goes to late, after the ack has returned.
func TestRaceLateAnswerFollowsAck(t *testing.T) {
	acked := make(chan struct{})
	ackReturned := make(chan struct{})
	lateGot := make(chan string, 1)
	got, ok := Race(time.Millisecond,
		func() string { <-acked; return "slow" },
		func() { close(acked); time.Sleep(time.Millisecond); close(ackReturned) },
		func(v string) {
			select {
			case <-ackReturned:
			default:
				t.Error("late ran before ack returned")
			}
			lateGot <- v
		})
	if ok || got != "" {
		t.Fatalf("Race = %q, %v; want no answer in time", got, ok)
	}
	if v := <-lateGot; v != "slow" {
		t.Fatalf("late got %q, want the answer", v)
	}
}

// An answer that panics after its budget ran out lets the ack finish
// before the panic leaves Race, so nothing writes behind the caller.
func TestRacePanicWaitsForAck(t *testing.T) {
	acked := make(chan struct{})
	ackReturned := make(chan struct{})
	defer func() {
		if recover() == nil {
			t.Fatal("the answer's panic was swallowed")
		}
		select {
		case <-ackReturned:
		default:
			t.Error("Race panicked out while the ack was still running")
		}
	}()
	Race(time.Millisecond,
		func() string { <-acked; panic("answer failed") },
		func() { close(acked); time.Sleep(time.Millisecond); close(ackReturned) },
		func(string) { t.Error("late called for a panicking answer") })
}
