package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule is a parsed digest schedule in its time zone.
type Schedule struct {
	spec  string
	loc   *time.Location
	cron  cron.Schedule
	every time.Duration
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a 5-field cron expression, a descriptor such as
// "@daily" or "@weekly", or "@every D", read in the IANA zone tz
// (empty means UTC).
//
// "@every D" slots are multiples of D since the Unix epoch, so every replica
// computes the same slots whenever it started.
func ParseSchedule(spec, tz string) (Schedule, error) {
	loc := time.UTC
	if tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return Schedule{}, fmt.Errorf("unknown time zone %q (want an IANA name such as Europe/Berlin)", tz)
		}
		loc = l
	}
	spec = strings.TrimSpace(spec)
	s := Schedule{spec: spec, loc: loc}
	if rest, ok := strings.CutPrefix(spec, "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil {
			return Schedule{}, fmt.Errorf("schedule %q: bad duration: %v", spec, err)
		}
		if d < time.Second {
			return Schedule{}, fmt.Errorf("schedule %q: interval must be at least 1s", spec)
		}
		s.every = d
		return s, nil
	}
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return Schedule{}, fmt.Errorf("schedule %q: set the time zone in the timezone field, not in the schedule", spec)
	}
	c, err := cronParser.Parse(spec)
	if err != nil {
		return Schedule{}, fmt.Errorf("schedule %q: %v", spec, err)
	}
	s.cron = c
	if s.Next(time.Now()).IsZero() {
		return Schedule{}, fmt.Errorf("schedule %q never fires", spec)
	}
	return s, nil
}

// Next returns the first slot strictly after t, in UTC.
func (s Schedule) Next(t time.Time) time.Time {
	if s.every > 0 {
		d := int64(s.every)
		n := t.UnixNano()
		next := (n/d + 1) * d
		if n < 0 && n%d != 0 {
			next = (n / d) * d
		}
		return time.Unix(0, next).UTC()
	}
	if s.cron == nil {
		return time.Time{}
	}
	// The cron expression is read on the wall clock of the zone, which
	// daylight saving time bends: a local time skipped in spring fires at
	// the moment the clocks jump, and a local time repeated in autumn
	// fires once. So the expression is evaluated on a DST-free copy of
	// the wall clock (the same fields in UTC) and mapped back to the zone.
	wall := wallClock(t.In(s.loc))
	for range 1000 {
		w := s.cron.Next(wall)
		if w.IsZero() {
			return time.Time{}
		}
		at := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, s.loc)
		if got := wallClock(at); !got.Equal(w) {
			// w does not exist in the zone: fire when the clocks jump.
			// time.Date lands on one side of the gap; the transition is
			// the bound of that side's zone period facing w.
			start, end := at.ZoneBounds()
			if got.Before(w) {
				at = end
			} else {
				at = start
			}
		}
		if at.After(t) {
			return at.UTC()
		}
		wall = w
	}
	return time.Time{}
}

// wallClock is t's local date and time, as the same fields in UTC.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// Location is the schedule's time zone.
func (s Schedule) Location() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// String returns the schedule as written.
func (s Schedule) String() string { return s.spec }

// FirstUnclaimed is the first slot no replica has claimed yet: the first
// after last, the subscription's latest claimed slot (zero if none), or
// else after created, when the subscription began.
func (s Schedule) FirstUnclaimed(created, last time.Time) time.Time {
	from := created
	if !last.IsZero() && !last.Before(from) {
		from = last
	}
	return s.Next(from)
}

// OldestUnposted returns the due time of the oldest slot, at or before
// now, that is not posted yet: the first unclaimed slot of every running
// subscription, and every claim whose replica died before finishing. It
// returns the zero time when nothing is overdue. Now minus it is the
// digest lag an operator watches.
func OldestUnposted(ctx context.Context, st SlotStore, now time.Time) (time.Time, error) {
	subs, err := st.Subscriptions(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("read subscriptions: %w", err)
	}
	last, err := st.LastSlots(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("read last slots: %w", err)
	}
	expired, err := st.ExpiredClaims(ctx, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("read expired claims: %w", err)
	}
	var oldest time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && !t.After(now) && (oldest.IsZero() || t.Before(oldest)) {
			oldest = t
		}
	}
	running := make(map[string]bool, len(subs))
	for _, sub := range subs {
		if sub.Paused {
			continue
		}
		running[sub.ID] = true
		sched, err := ParseSchedule(sub.Schedule, sub.Timezone)
		if err != nil {
			continue // never due: the scheduler logs it
		}
		consider(sched.FirstUnclaimed(sub.CreatedAt, last[sub.ID]))
	}
	for _, c := range expired {
		if running[c.Subscription] {
			consider(c.Slot)
		}
	}
	return oldest, nil
}
