package briefings

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxFileSize is the largest briefing file Parse accepts.
const MaxFileSize = 1 << 20

// DefaultDate dates briefings that name no date when the file's
// modification time is zero, as it is for files embedded with go:embed
// (the bundled samples). It is fixed so that answers do not change from one
// build to the next.
var DefaultDate = time.Date(2025, time.November, 7, 0, 0, 0, 0, time.UTC)

// Parse parses one briefing file. b is nil when the file cannot be used;
// problems lists everything wrong, warnings included. The shape is chosen by
// extension: ".md" and ".markdown" are Markdown with optional YAML front
// matter, anything else is plain text.
func Parse(path string, data []byte, modTime time.Time) (b *Briefing, problems []Problem) {
	return parseWith(path, data, modTime, nil)
}

// parseWith is Parse keeping the briefing in memory from a (nil: its own).
func parseWith(path string, data []byte, modTime time.Time, a *slab) (b *Briefing, problems []Problem) {
	b, problems = parse(path, data, modTime, a)
	slices.SortStableFunc(problems, func(a, b Problem) int { return a.Line - b.Line })
	for i := range problems {
		problems[i].Path = path
		if problems[i].Line < 1 {
			problems[i].Line = 1
		}
	}
	return b, problems
}

func parse(p string, data []byte, modTime time.Time, a *slab) (*Briefing, []Problem) {
	if len(data) > MaxFileSize {
		return nil, []Problem{{Line: 1, Message: "file is larger than 1 MiB"}}
	}
	data, prob := decodeText(p, data)
	if prob != nil {
		return nil, []Problem{*prob}
	}
	// The text is read where it lies: a copy only to drop carriage returns.
	if bytes.Contains(data, []byte("\r\n")) {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []Problem{{Line: 1, Message: "empty file"}}
	}

	var (
		b       *Briefing
		probs   []Problem
		fmProbs []Problem // warnings about the front matter
		guessed []int     // lines of headings known by their shape alone
		fm      *frontMatter
		meta    crsMeta
	)
	switch strings.ToLower(filepath.Ext(p)) {
	case ".md", ".markdown":
		head := data // the front matter, when it is closed
		if end := frontMatterEnd(data); end >= 0 {
			head = data[:end]
		}
		yamlText, n, found, prob := splitFrontMatter(string(head))
		if prob != nil {
			return nil, []Problem{*prob}
		}
		body, skipped := data, 0
		if found {
			f, warnings, prob := parseFrontMatter(yamlText)
			if prob != nil {
				return nil, []Problem{*prob}
			}
			fmProbs = warnings
			fm = &f
			// The Markdown starts after the front matter; its line
			// numbers count from the file's first line.
			body, skipped = data[len(head):], n
		}
		b, meta, probs, guessed = parseMarkdown(body, skipped, mayBeCRS(data), fm)
		if b.Title == "" {
			return nil, append(probs, Problem{Line: 1, Message: `no title: add a "# Title" line or "title:" front matter`})
		}
		if b.Line == 0 && fm != nil {
			// The title came from front matter.
			b.Line = frontMatterKeyLine(data, "title")
			if b.Line == 0 {
				b.Line = frontMatterKeyLine(data, "topic")
			}
		}
		if b.Line == 0 {
			b.Line = 1
		}
	default:
		b, probs, guessed = parseText(string(data))
		if b == nil {
			return nil, probs
		}
	}

	probs = append(fmProbs, probs...)
	b.Path = p
	hprobs, ok := finishHeader(b, fm, meta, modTime, data)
	probs = append(probs, hprobs...)
	if !ok {
		return nil, probs
	}

	for i := range b.Sections {
		b.Sections[i].Kind = kindOfHeading(b.Sections[i].Heading)
	}
	probs = append(probs, dropEmptySections(b)...)
	if len(b.Sections) == 0 {
		probs = append(probs, Problem{Line: b.Line, Message: "no sections: only the whole briefing can be shown", Warning: true})
	} else if len(b.Lede) == 0 && slices.Contains(guessed, b.Sections[0].Line) && readsLikeSentence(b.Sections[0]) {
		s := b.Sections[0]
		probs = append(probs, Problem{Line: s.Line, Warning: true, Message: fmt.Sprintf(
			"no lede: the heading %q comes straight after the title, so the overview opens with no summary; "+
				"put the opening paragraph above it, or end the line with a full stop if it is a sentence", s.Heading)})
	}
	return compact(b, a), probs
}

// finishHeader works out what a library indexes b by, its topic, aliases
// and date, with the front matter's other fields, from b.Title and the
// front matter, the CRS page's metadata and the file's modification time
// (data is the file, for the lines of problems). ok is false when the file
// cannot be used. Parse and the header reader both call it, so they
// cannot disagree.
func finishHeader(b *Briefing, fm *frontMatter, meta crsMeta, modTime time.Time, data []byte) (probs []Problem, ok bool) {
	b.Topic = b.Title
	if fm != nil {
		if t := strings.TrimSpace(fm.Topic); t != "" {
			b.Topic = t
		}
		b.Aliases = append(b.Aliases, fm.Aliases...)
		b.Tags = append(b.Tags, fm.Tags...)
		b.Summary = strings.TrimSpace(fm.Summary)
		b.Source = strings.TrimSpace(fm.Source)
		if strings.TrimSpace(fm.Date) != "" {
			d, warning, err := parseDate(fm.Date)
			if err != nil {
				return append(probs, Problem{Line: dateLine(data), Message: err.Error()}), false
			}
			if warning != "" {
				probs = append(probs, Problem{Line: dateLine(data), Message: warning, Warning: true})
			}
			b.Date = d
		}
	}
	if meta.Source != "" && b.Source == "" {
		b.Source = meta.Source
	}
	if meta.ReportNo != "" {
		b.Aliases = append(b.Aliases, meta.ReportNo)
	}
	if b.Date.IsZero() {
		b.Date = meta.Date
	}
	if b.Date.IsZero() {
		b.Date = modTime
	}
	if b.Date.IsZero() {
		b.Date = DefaultDate
	}
	// "Australia: Background and U.S. Relations" is also reachable as "Australia".
	if fm == nil || strings.TrimSpace(fm.Topic) == "" {
		if head, _, ok := strings.Cut(b.Title, ": "); ok && countFields(head) <= maxLabelWords {
			b.Aliases = append(b.Aliases, strings.TrimSpace(head))
		}
	}
	if b.Title != b.Topic {
		b.Aliases = append(b.Aliases, b.Title)
	}
	b.Aliases = dedupeAliases(b.Topic, b.Aliases)
	return probs, true
}

// readsLikeSentence tells a line that became a heading but reads like a
// headline or a sentence ("Niger uranium deal faces review") from a
// heading an author meant as one: a section word ("Summary", "Background")
// or a Title Case heading ("Program Status").
func readsLikeSentence(s Section) bool {
	if s.Kind != KindOther || strings.HasSuffix(s.Heading, "?") {
		return false
	}
	words := strings.Fields(s.Heading)
	if len(words) < 3 {
		return false
	}
	lower := 0
	for _, w := range words[1:] {
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsLower(r) && !smallTitleWords[strings.ToLower(w)] {
			lower++
		}
	}
	return lower*2 >= len(words)-1
}

// dropEmptySections drops headings with nothing under them, neither text
// nor subsections: they are usually the lead-in of a list the parser could
// not see, a placeholder, or navigation. Each is reported, since readers
// asking for it get another section.
func dropEmptySections(b *Briefing) []Problem {
	if !slices.ContainsFunc(b.Sections, func(s Section) bool { return len(s.Blocks) == 0 }) {
		return nil // the common case, without allocating
	}
	var probs []Problem
	keep := make([]bool, len(b.Sections))
	// From the end, so that a parent knows whether a subsection was kept.
	for i := len(b.Sections) - 1; i >= 0; i-- {
		s := &b.Sections[i]
		keep[i] = len(s.Blocks) > 0
		for j := i + 1; !keep[i] && j < len(b.Sections) && b.Sections[j].Depth > s.Depth; j++ {
			keep[i] = keep[j]
		}
		if !keep[i] {
			probs = append(probs, Problem{Line: s.Line, Warning: true, Message: fmt.Sprintf(
				"section %q has no content and is left out: add text under it or remove the heading", s.Heading)})
		}
	}
	slices.Reverse(probs)
	kept := b.Sections[:0]
	for i, sec := range b.Sections {
		if keep[i] {
			kept = append(kept, sec)
		}
	}
	b.Sections = kept
	return probs
}

// cutLines splits s after its first n lines.
func cutLines(s string, n int) (head, rest string, ok bool) {
	i := 0
	for k := 0; k < n; k++ {
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			return s, "", false
		}
		i += j + 1
	}
	return s[:i], s[i:], true
}

// dateLine finds the "date:" line of the front matter.
func dateLine(data []byte) int { return max(1, frontMatterKeyLine(data, "date")) }

// frontMatterKeyLine finds the line of a top-level front matter key, or 0.
func frontMatterKeyLine(data []byte, key string) int {
	rest := data
	for i := 0; len(rest) > 0; i++ {
		l := rest
		if j := bytes.IndexByte(rest, '\n'); j >= 0 {
			l, rest = rest[:j], rest[j+1:]
		} else {
			rest = nil
		}
		if i == 0 {
			continue
		}
		if len(l) > len(key) && l[len(key)] == ':' && string(l[:len(key)]) == key {
			return i + 1
		}
		if string(bytes.TrimSpace(l)) == "---" {
			break
		}
	}
	return 0
}

func dedupeAliases(topic string, aliases []string) []string {
	if len(aliases) == 0 {
		return nil
	}
	// A briefing has a few aliases: a list beats a map.
	seen := make([]string, 1, len(aliases)+1)
	seen[0] = Normalize(topic)
	var out []string
	for _, a := range aliases {
		a = strings.TrimSpace(a)
		k := Normalize(a)
		if k == "" || slices.Contains(seen, k) {
			continue
		}
		seen = append(seen, k)
		out = append(out, a)
	}
	return out
}
