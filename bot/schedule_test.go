package bot_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
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
