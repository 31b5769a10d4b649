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
// here waits for the ack, so only the budget can have sent it. The answer
// then goes to late, after the ack has returned: ackDone is written at the
// ack's end and read by late without a lock of their own, so under -race
// a late that did not follow the ack is reported.
func TestRaceLateAnswerFollowsAck(t *testing.T) {
	acked := make(chan struct{})
	ackDone := false
	lateGot := make(chan string, 1)
	got, ok := Race(time.Millisecond,
		func() string { <-acked; return "slow" },
		func() { close(acked); ackDone = true },
		func(v string) {
			if !ackDone {
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
// before the panic leaves Race, so nothing writes behind the caller;
// ackDone is read without a lock, as above.
func TestRacePanicWaitsForAck(t *testing.T) {
	acked := make(chan struct{})
	ackDone := false
	defer func() {
		if recover() == nil {
			t.Fatal("the answer's panic was swallowed")
		}
		if !ackDone {
			t.Error("Race panicked out while the ack was still running")
		}
	}()
	Race(time.Millisecond,
		func() string { <-acked; panic("answer failed") },
		func() { close(acked); ackDone = true },
		func(string) { t.Error("late called for a panicking answer") })
}
