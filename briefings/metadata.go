package briefings

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Newsrooms put metadata between the title and the lede: a byline
// ("By Aigerim Sultanova") and a dateline ("Updated 3 March 2026, 14:00
// GMT"), and sometimes the date in the title itself ("Kazakhstan — 4
// October 2026"). These lines are short and have no full stop, so without
// this file they would read as headings and take the lede with them.

// titleDateSeps are what stands between a title and a date appended to it.
var titleDateSeps = []string{" — ", " – ", " - ", " | ", ", ", ": ", " ("}

// splitTitleDate cuts a trailing date off a title: "Kazakhstan — 4 October
// 2026" is the topic "Kazakhstan" dated 4 October 2026. The leftmost
// separator after which the rest is a date wins, so that "Kazakhstan,
// October 4, 2026" keeps its comma inside the date.
func splitTitleDate(title string) (head string, date time.Time, warning string, ok bool) {
	if !hasDigitRune(title) {
		return title, time.Time{}, "", false
	}
	best := -1
	for _, sep := range titleDateSeps {
		from := 0
		for {
			i := strings.Index(title[from:], sep)
			if i < 0 {
				break
			}
			i += from
			rest := strings.TrimSpace(title[i+len(sep):])
			if sep == " (" {
				var closed bool
				if rest, closed = strings.CutSuffix(rest, ")"); !closed {
					from = i + len(sep)
					continue
				}
			}
			if d, w, found := readDate(rest); found && i > 0 && (best < 0 || i < best) {
				best, date, warning = i, d, w
			}
			from = i + len(sep)
		}
	}
	if best < 0 {
		return title, time.Time{}, "", false
	}
	head = cleanHeading(title[:best])
	if head == "" {
		return title, time.Time{}, "", false
	}
	return head, date, warning, true
}

func hasDigitRune(s string) bool { return strings.IndexFunc(s, unicode.IsDigit) >= 0 }

var (
	// datelineRE is an optional "Updated", "Published" … lead, an
	// optional weekday, the date, and an optional time of day.
	datelineRE = regexp.MustCompile(`(?i)^(?:(?:last\s+)?updated|published|posted|filed|first published|as of|dated?)?\s*:?\s*(?:on\s+)?` +
		`(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?` +
		`(\d{4}-\d{2}-\d{2}|\d{1,2}\s+\p{L}+\.?,?\s+\d{4}|\p{L}+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\.\d{1,2}\.\d{4})` +
		`(?:,?\s*(?:at\s+)?(\d{1,2})[:.](\d{2})\s*(gmt|utc|z)?)?\s*\.?$`)
	// dateSpaceRE is the spacing people vary inside a date.
	dateSpaceRE = regexp.MustCompile(`\s+`)
)

// readDate reads a date written in any way parseDate knows, tolerating
// "Oct." and "4 October, 2026".
func readDate(s string) (time.Time, string, bool) {
	s = strings.TrimSpace(dateSpaceRE.ReplaceAllString(s, " "))
	if s == "" || !hasDigitRune(s) {
		return time.Time{}, "", false
	}
	if t, w, err := parseDate(s); err == nil {
		return t, w, true
	}
	// "Oct. 4, 2026" and "4 October, 2026".
	alt := strings.Replace(s, ". ", " ", 1)
	if t, w, err := parseDate(alt); err == nil {
		return t, w, true
	}
	if i := strings.Index(alt, ", "); i > 0 && !hasDigitRune(alt[i-1:i]) {
		if t, w, err := parseDate(alt[:i] + alt[i+1:]); err == nil {
			return t, w, true
		}
	}
	return time.Time{}, "", false
}

// parseDateline reads a line that is only a date, with an optional
// "Updated" lead and time of day. A time is kept when it says GMT or UTC;
// otherwise its zone is unknown and the day alone is kept.
func parseDateline(line string) (date time.Time, warning string, ok bool) {
	line = strings.Trim(strings.TrimSpace(line), "*_")
	if utf8.RuneCountInString(line) > 60 {
		return time.Time{}, "", false
	}
	m := datelineRE.FindStringSubmatch(line)
	if m == nil {
		return time.Time{}, "", false
	}
	d, w, found := readDate(m[1])
	if !found {
		return time.Time{}, "", false
	}
	if m[2] != "" && m[4] != "" {
		hour, minute := atoiDigits(m[2]), atoiDigits(m[3])
		if hour < 24 && minute < 60 {
			d = d.Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
		}
	}
	return d, w, true
}

// atoiDigits reads a short run of ASCII digits that a pattern has matched.
func atoiDigits(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// cutByline returns the names of a byline ("By Jane Doe and Ali Khan"):
// "By" and a capitalised name, short, not ending a sentence. A date after
// a bar or dash ("By Jane Doe | 3 March 2026") is returned too.
func cutByline(line string) (names string, date time.Time, warning string, ok bool) {
	line = strings.Trim(strings.TrimSpace(line), "*_")
	rest, found := strings.CutPrefix(line, "By ")
	if !found {
		rest, found = strings.CutPrefix(line, "BY ")
	}
	if !found {
		return "", time.Time{}, "", false
	}
	rest = strings.TrimSpace(rest)
	for _, sep := range []string{" | ", " · ", " — ", " – "} {
		if head, tail, cut := strings.Cut(rest, sep); cut {
			if d, w, dok := parseDateline(tail); dok {
				rest, date, warning = strings.TrimSpace(head), d, w
			}
			break
		}
	}
	r, _ := utf8.DecodeRuneInString(rest)
	if rest == "" || !unicode.IsUpper(r) || countFields(rest) > 12 || utf8.RuneCountInString(rest) > 100 {
		return "", time.Time{}, "", false
	}
	if last, _ := utf8.DecodeLastRuneInString(rest); strings.ContainsRune("!?;:", last) {
		return "", time.Time{}, "", false
	}
	if strings.HasSuffix(rest, ".") {
		words := strings.Fields(rest)
		if len(words[len(words)-1]) > 3 { // "Jr." and "J." end names; longer words end sentences
			return "", time.Time{}, "", false
		}
	}
	// "By contrast, …" and "By 2030 the …" are sentences.
	if first, _, _ := strings.Cut(rest, " "); strings.HasSuffix(first, ",") && countFields(rest) > 4 {
		return "", time.Time{}, "", false
	}
	return rest, date, warning, true
}

// metaLine reads a byline or dateline. names is empty for a dateline;
// date is zero for a byline without a date.
func metaLine(line string) (names string, date time.Time, warning string, ok bool) {
	if names, date, warning, ok = cutByline(line); ok {
		return names, date, warning, true
	}
	if date, warning, ok = parseDateline(line); ok {
		return "", date, warning, true
	}
	return "", time.Time{}, "", false
}
