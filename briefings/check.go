package briefings

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Check reports what readers of lib would meet that no single file shows:
//
//   - an alias that two topics claim (warning): readers typing it get a
//     "which one?" list instead of an answer;
//   - two files with the same topic and date (error): readers asking for
//     that date, or for the newest briefing, get one of them, chosen by
//     file name, and can never reach the other.
//
// read, when not nil, reads a briefing's file so that an alias can be
// reported on the line that declares it; otherwise, and for aliases that
// come from elsewhere (aliases.yaml), the title line is used. Problems come
// sorted by path and line.
func Check(lib *Library, read func(path string) ([]byte, error)) []Problem {
	lib.parsePending()
	var probs []Problem
	for _, t := range lib.topics {
		// Versions are newest first; a version dated the same day as the
		// one before it is the one readers cannot reach.
		for i := 1; i < len(t.versions); i++ {
			shown, hidden := t.version(i-1), t.version(i)
			if !sameDay(shown.Date, hidden.Date) {
				continue
			}
			probs = append(probs, Problem{Path: hidden.Path, Line: hidden.Line, Message: fmt.Sprintf(
				"same topic %q and date %s as %s, which readers get instead: give one of them its own date "+
					"(a date: in front matter, or a dateline under the title)",
				hidden.Topic, hidden.Date.Format(time.DateOnly), shown.Path)})
		}
	}
	for k, ts := range lib.byAlias {
		if len(ts) < 2 {
			continue
		}
		names := make([]string, len(ts))
		for i, t := range ts {
			names[i] = fmt.Sprintf("%q (%s)", t.newest().Topic, t.newest().Path)
		}
		for _, t := range ts {
			if t.key == k {
				continue // a topic's own name is not the alias at fault
			}
			b := aliasOwner(t, k)
			if b == nil || derivedAlias(b, k) {
				continue
			}
			probs = append(probs, Problem{Path: b.Path, Line: aliasLine(b, k, read), Warning: true, Message: fmt.Sprintf(
				"alias %q is claimed by %d topics: %s; readers typing it get a \"which one?\" list: keep it on one topic",
				k, len(ts), strings.Join(names, ", "))})
		}
	}
	slices.SortStableFunc(probs, func(a, b Problem) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	return probs
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// aliasOwner returns the newest version of t that declares alias key k.
func aliasOwner(t *topic, k string) *Briefing {
	for i, v := range t.versions {
		for _, a := range v.Aliases {
			if Normalize(a) == k {
				return t.version(i)
			}
		}
	}
	return nil
}

// derivedAlias reports whether alias k of b is one the parser made up
// rather than one an editor wrote: the title, or its part before a colon
// ("Australia" of "Australia: Background and U.S. Relations"). Two reports
// on one country share such an alias by design, and the bot asks which.
func derivedAlias(b *Briefing, k string) bool {
	if Normalize(b.Title) == k {
		return true
	}
	head, _, ok := strings.Cut(b.Title, ": ")
	return ok && Normalize(head) == k
}

// aliasLine finds the line of b's file that names alias k, else b's title line.
func aliasLine(b *Briefing, k string, read func(string) ([]byte, error)) int {
	if read == nil {
		return b.Line
	}
	data, err := read(b.Path)
	if err != nil {
		return b.Line
	}
	for i, line := range strings.Split(string(data), "\n") {
		if i+1 == b.Line {
			continue
		}
		if strings.Contains(" "+Normalize(line)+" ", " "+k+" ") {
			return i + 1
		}
	}
	return b.Line
}
