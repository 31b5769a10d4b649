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

func TestRaceLateAnswerFollowsAck(t *testing.T) {
	release := make(chan struct{})
	acked := make(chan struct{})
	lateGot := make(chan string, 1)
	got, ok := Race(time.Millisecond,
		func() string { <-release; return "slow" },
		func() { close(acked) },
		func(v string) {
			select {
			case <-acked:
			default:
				t.Error("late ran before ack")
			}
			lateGot <- v
		})
	if ok || got != "" {
		t.Fatalf("Race = %q, %v; want no answer in time", got, ok)
	}
	select {
	case <-acked:
	default:
		t.Fatal("Race returned before acknowledging")
	}
	close(release)
	if v := <-lateGot; v != "slow" {
		t.Fatalf("late got %q, want the answer", v)
	}
}
