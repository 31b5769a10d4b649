package bot_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
)

func slotsBetween(t *testing.T, spec, zone, from, to string) []string {
	t.Helper()
	s, err := bot.ParseSchedule(spec, zone)
	if err != nil {
		t.Fatal(err)
	}
	start, _ := time.Parse(time.RFC3339, from)
	end, _ := time.Parse(time.RFC3339, to)
	var out []string
	for at := s.Next(start); !at.IsZero() && at.Before(end); at = s.Next(at) {
		out = append(out, at.Format(time.RFC3339))
	}
	return out
}

func TestScheduleAcrossDaylightSaving(t *testing.T) {
	tests := []struct {
		name, spec, zone, from, to string
		want                       []string
	}{
		{
			// 02:30 does not exist in New York on 10 March 2024: it fires when the clocks jump (03:00 EDT).
			"skipped local time", "30 2 * * *", "America/New_York", "2024-03-09T00:00:00Z", "2024-03-12T00:00:00Z",
			[]string{"2024-03-09T07:30:00Z", "2024-03-10T07:00:00Z", "2024-03-11T06:30:00Z"},
		},
		{
			// 01:30 happens twice in New York on 3 November 2024: it fires once.
			"repeated local time", "30 1 * * *", "America/New_York", "2024-11-02T00:00:00Z", "2024-11-05T00:00:00Z",
			[]string{"2024-11-02T05:30:00Z", "2024-11-03T05:30:00Z", "2024-11-04T06:30:00Z"},
		},
		{
			// Havana skips midnight on 10 March 2024.
			"skipped midnight", "0 0 * * *", "America/Havana", "2024-03-09T00:00:00Z", "2024-03-11T12:00:00Z",
			[]string{"2024-03-09T05:00:00Z", "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z"},
		},
		{
			"daily descriptor", "@daily", "America/Santiago", "2024-09-07T00:00:00Z", "2024-09-09T12:00:00Z",
			[]string{"2024-09-07T04:00:00Z", "2024-09-08T04:00:00Z", "2024-09-09T03:00:00Z"},
		},
		{
			"weekdays in Almaty", "0 8 * * 1-5", "Asia/Almaty", "2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z",
			[]string{"2026-03-06T03:00:00Z", "2026-03-09T03:00:00Z"},
		},
		{
			"every is aligned to the epoch", "@every 25m", "Asia/Almaty", "2026-03-06T00:07:00Z", "2026-03-06T01:00:00Z",
			[]string{"2026-03-06T00:30:00Z", "2026-03-06T00:55:00Z"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, slotsBetween(t, tt.spec, tt.zone, tt.from, tt.to)); diff != "" {
				t.Errorf("slots (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseScheduleErrors(t *testing.T) {
	for _, tt := range []struct{ spec, zone string }{
		{"0 0 30 2 *", "UTC"},         // 30 February never comes
		{"0 8 * *", "UTC"},            // four fields
		{"@every 0s", "UTC"},          // no interval
		{"0 8 * * *", "Mars/Olympus"}, // no such zone
		{"TZ=UTC 0 8 * * *", ""},
	} {
		if _, err := bot.ParseSchedule(tt.spec, tt.zone); err == nil {
			t.Errorf("ParseSchedule(%q, %q) = nil error", tt.spec, tt.zone)
		}
	}
}

func TestOldestUnposted(t *testing.T) {
	ctx := t.Context()
	st := bottest.NewStore()
	created := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	for _, s := range []bot.Subscription{
		{ID: "hourly", Platform: bot.Platform("slack"), Channel: "C1", Schedule: "0 * * * *", Source: bot.SourceChat, CreatedAt: created},
		{ID: "daily", Platform: bot.Platform("slack"), Channel: "C2", Schedule: "0 8 * * *", Source: bot.SourceChat, CreatedAt: created},
	} {
		if err := st.SaveSubscription(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	at := func(h, m int) time.Time { return time.Date(2026, 3, 2, h, m, 0, 0, time.UTC) }

	// Before 08:00 nothing is due.
	if got, err := bot.OldestUnposted(ctx, st, at(7, 59)); err != nil || !got.IsZero() {
		t.Fatalf("at 07:59: %v, %v; want nothing due", got, err)
	}
	// At 09:30 the 08:00 slots of both and the 09:00 slot of hourly are due.
	if got, _ := bot.OldestUnposted(ctx, st, at(9, 30)); !got.Equal(at(8, 0)) {
		t.Errorf("at 09:30 oldest = %v, want 08:00", got)
	}
	// Posting hourly's 08:00 and daily's 08:00 leaves hourly's 09:00.
	for _, id := range []string{"hourly", "daily"} {
		c, won, err := st.ClaimSlot(ctx, id, at(8, 0), "r1", time.Minute, at(9, 30))
		if err != nil || !won {
			t.Fatalf("claim %s: %v %v", id, won, err)
		}
		if _, err := st.CompleteSlot(ctx, c, bot.Delivery{Outcome: bot.OutcomePosted, At: at(9, 30)}); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := bot.OldestUnposted(ctx, st, at(9, 30)); !got.Equal(at(9, 0)) {
		t.Errorf("after posting 08:00: oldest = %v, want 09:00", got)
	}
	// A replica that claimed 09:00 and died leaves it unposted once the lease ends.
	if _, won, err := st.ClaimSlot(ctx, "hourly", at(9, 0), "r2", time.Minute, at(9, 30)); err != nil || !won {
		t.Fatalf("claim 09:00: %v %v", won, err)
	}
	if got, _ := bot.OldestUnposted(ctx, st, at(9, 45)); !got.Equal(at(9, 0)) {
		t.Errorf("with an expired claim: oldest = %v, want 09:00", got)
	}
	// A paused subscription is not lag.
	if err := st.SetPaused(ctx, "hourly", true, "test"); err != nil {
		t.Fatal(err)
	}
	if got, _ := bot.OldestUnposted(ctx, st, at(9, 45)); !got.IsZero() {
		t.Errorf("paused: oldest = %v, want nothing due", got)
	}
}
