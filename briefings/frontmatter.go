package briefings

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
	"go.yaml.in/yaml/v3"
)

// frontMatter is the YAML block at the top of a Markdown briefing.
type frontMatter struct {
	Title   string     `yaml:"title"`
	Topic   string     `yaml:"topic"`
	Aliases stringList `yaml:"aliases"`
	Tags    stringList `yaml:"tags"`
	Date    string     `yaml:"date"`
	Summary string     `yaml:"summary"`
	Source  string     `yaml:"source"`
}

// stringList accepts a YAML list of strings or a single string, because
// people write both "aliases: Red Sea" and "aliases: [Red Sea, Bab el-Mandeb]".
type stringList []string

func (s *stringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if v := strings.TrimSpace(n.Value); v != "" {
			*s = stringList{v}
		}
		return nil
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: want a list of strings", c.Line)
			}
			if v := strings.TrimSpace(c.Value); v != "" {
				out = append(out, v)
			}
		}
		*s = out
		return nil
	}
	return fmt.Errorf("line %d: want a string or a list of strings", n.Line)
}

// splitFrontMatter finds a front matter block opened by "---" on the first
// line. It returns the YAML text, the number of lines the block takes
// (fences included) and ok=false with a problem when the block is never closed.
func splitFrontMatter(data string) (yamlText string, lines int, found bool, prob *Problem) {
	first, rest, _ := strings.Cut(data, "\n")
	if strings.TrimRight(first, " \t\r") != "---" {
		return "", 0, false, nil
	}
	// The YAML is the lines between the fences, as they stand in data.
	start := len(first) + 1
	end := start
	n := 1
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		n++
		t := strings.TrimRight(line, " \t\r")
		if t == "---" || t == "..." {
			return data[start:end], n, true, nil
		}
		end += len(line) + 1
	}
	return "", 0, true, &Problem{Line: 1, Message: `front matter opened with "---" is never closed`}
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// parseFrontMatter decodes the YAML; problem lines count from the file's
// first line (the opening fence). warnings name the keys it does not know,
// whose values are ignored.
func parseFrontMatter(text string) (frontMatter, []Problem, *Problem) {
	if fm, ok := simpleFrontMatter(text); ok {
		return fm, nil, nil
	}
	return yamlFrontMatter(text)
}

// yamlFrontMatter is parseFrontMatter for front matter that only the YAML
// decoder can read.
func yamlFrontMatter(text string) (fm frontMatter, warnings []Problem, prob *Problem) {
	var root yaml.Node
	err := yaml.Unmarshal([]byte(text), &root)
	if err == nil && root.Kind != 0 {
		err = root.Decode(&fm)
	}
	if err != nil {
		line := 1
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			if n, convErr := strconv.Atoi(m[1]); convErr == nil {
				line = n + 1
			}
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = yamlLineRE.ReplaceAllString(msg, "")
		msg = strings.TrimLeft(msg, ": ")
		return fm, nil, &Problem{Line: line, Message: "bad front matter: " + msg}
	}
	if len(root.Content) == 1 && root.Content[0].Kind == yaml.MappingNode {
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := m.Content[i]
			if knownFrontMatterKey(k.Value) {
				continue
			}
			msg := fmt.Sprintf("unknown front-matter key %q is ignored", k.Value)
			if s := suggestFrontMatterKey(k.Value); s != "" {
				msg += fmt.Sprintf(": did you mean %q?", s)
			} else {
				msg += " (known keys: " + strings.Join(frontMatterKeys, ", ") + ")"
			}
			warnings = append(warnings, Problem{Line: k.Line + 1, Message: msg, Warning: true})
		}
	}
	return fm, warnings, nil
}

// frontMatterKeys are the keys frontMatter reads, in the order README lists them.
var frontMatterKeys = []string{"title", "topic", "aliases", "tags", "date", "summary", "source"}

func knownFrontMatterKey(k string) bool { return slices.Contains(frontMatterKeys, k) }

// frontMatterSynonyms are keys other tools use for what briefbot calls
// by another name.
var frontMatterSynonyms = map[string]string{
	"updated": "date", "published": "date", "pubdate": "date", "created": "date", "modified": "date",
	"description": "summary", "abstract": "summary", "excerpt": "summary", "lede": "summary",
	"keywords": "tags", "categories": "tags", "category": "tags", "labels": "tags",
	"url": "source", "link": "source", "sources": "source", "citation": "source",
	"name": "title", "headline": "title", "subject": "topic", "topics": "topic",
	"synonyms": "aliases", "aka": "aliases", "also_known_as": "aliases",
}

// suggestFrontMatterKey returns the known key that k was probably meant to
// be ("dte" → date, "alias" → aliases, "Title" → title), or "".
func suggestFrontMatterKey(k string) string {
	l := strings.ToLower(strings.TrimSpace(k))
	if knownFrontMatterKey(l) {
		return l
	}
	if s, ok := frontMatterSynonyms[l]; ok {
		return s
	}
	best, bestD := "", 3
	for _, known := range frontMatterKeys {
		d := levenshtein.ComputeDistance(l, known)
		if strings.HasPrefix(known, l) && len(l) >= 3 {
			d = min(d, 1) // "alias", "summ"
		}
		if d < bestD || (d == bestD && best == "") {
			best, bestD = known, d
		}
	}
	if bestD > 2 || bestD >= len(l) {
		return ""
	}
	return best
}

var dateLayouts = []string{
	"2006-01-02",
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2 January 2006",
	"2 Jan 2006",
	"January 2, 2006",
	"January 2 2006",
	"Jan 2, 2006",
	"Jan. 2, 2006",
	"02.01.2006", // day first, as Europe writes it with dots
}

var slashDateRE = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})$`)

// parseDate reads the date formats people put in front matter and
// datelines. A date such as 03/04/2026, which is 4 March in the United
// States and 3 April nearly everywhere else, is read month first as before,
// with a warning that says so; 25/12/2026 can only be day first.
func parseDate(s string) (t time.Time, warning string, err error) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, "", nil
		}
	}
	if m := slashDateRE.FindStringSubmatch(s); m != nil {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		month, day := a, b
		if a > 12 {
			month, day = b, a
		}
		t := time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		if month >= 1 && month <= 12 && t.Day() == day {
			if a <= 12 && b <= 12 && a != b {
				other := time.Date(y, time.Month(b), a, 0, 0, 0, 0, time.UTC)
				warning = fmt.Sprintf("ambiguous date %q: read as %s (month first), but it could be %s; write %s",
					s, t.Format("2 January 2006"), other.Format("2 January 2006"), t.Format(time.DateOnly))
			}
			return t, warning, nil
		}
	}
	return time.Time{}, "", fmt.Errorf("bad date %q: want YYYY-MM-DD", s)
}

// simpleFrontMatter decodes the common, simple front matter (one
// "key: value" line per known key, values plain or double-quoted scalars or
// flow lists of them) without the YAML decoder, which costs more than
// parsing the rest of the file. ok is false for anything else — comments,
// block lists, escapes, unknown or repeated keys, values YAML would read
// as null — which then goes to the YAML decoder. Where it answers, it
// answers exactly as the YAML decoder would (see TestSimpleFrontMatter).
func simpleFrontMatter(text string) (fm frontMatter, ok bool) {
	var seen [7]bool
	if !printableText(text) {
		return fm, false
	}
	for text != "" {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		if strings.TrimLeft(line, " ") == "" {
			if line != "" {
				return fm, false
			}
			continue
		}
		key, v, found := strings.Cut(line, ": ")
		if !found || strings.ContainsAny(line, "\t\r") {
			return fm, false
		}
		v = strings.Trim(v, " ")
		k := -1
		switch key {
		case "title":
			k = 0
		case "topic":
			k = 1
		case "aliases":
			k = 2
		case "tags":
			k = 3
		case "date":
			k = 4
		case "summary":
			k = 5
		case "source":
			k = 6
		}
		if k < 0 || seen[k] {
			return fm, false
		}
		seen[k] = true
		switch k {
		case 2, 3:
			list, ok := simpleList(v)
			if !ok {
				return fm, false
			}
			if k == 2 {
				fm.Aliases = list
			} else {
				fm.Tags = list
			}
			continue
		}
		sv, ok := simpleScalar(v, false)
		if !ok {
			return fm, false
		}
		switch k {
		case 0:
			fm.Title = sv
		case 1:
			fm.Topic = sv
		case 4:
			fm.Date = sv
		case 5:
			fm.Summary = sv
		case 6:
			fm.Source = sv
		}
	}
	return fm, true
}

// simpleList decodes "[a, "b"]" or a single scalar as stringList does.
func simpleList(v string) (stringList, bool) {
	inner, isFlow := strings.CutPrefix(v, "[")
	if !isFlow {
		s, ok := simpleScalar(v, false)
		if !ok {
			return nil, false
		}
		// As stringList does: a quoted scalar may be blank ("").
		if s = strings.TrimSpace(s); s == "" {
			return nil, true
		}
		return stringList{s}, true
	}
	inner, closed := strings.CutSuffix(inner, "]")
	if !closed {
		return nil, false
	}
	if strings.Trim(inner, " ") == "" {
		return nil, true
	}
	var out stringList
	for _, item := range strings.Split(inner, ",") {
		s, ok := simpleScalar(strings.Trim(item, " "), true)
		if !ok {
			return nil, false
		}
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, true
}

// simpleScalar decodes a plain scalar that YAML reads as itself, or a
// double-quoted one without escapes. inFlow is true inside "[...]", where
// more characters are special.
func simpleScalar(v string, inFlow bool) (string, bool) {
	if v == "" {
		return "", false
	}
	if q, ok := strings.CutPrefix(v, `"`); ok {
		q, ok = strings.CutSuffix(q, `"`)
		if !ok || strings.ContainsAny(q, `"\`) || (!inFlow && strings.ContainsAny(q, "[]{},")) {
			return "", false
		}
		return q, true
	}
	if strings.ContainsRune("-?:,[]{}#&*!|>'\"%@`", rune(v[0])) ||
		strings.Contains(v, ": ") || strings.Contains(v, " #") || strings.HasSuffix(v, ":") {
		return "", false
	}
	if inFlow && strings.ContainsAny(v, ",[]{}:#") {
		return "", false
	}
	switch v {
	case "~", "null", "Null", "NULL":
		return "", false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < ' ' || v[i] == 0x7f {
			return "", false
		}
	}
	return v, true
}

// printableText reports whether s is valid UTF-8 free of the characters
// YAML refuses or treats specially (controls other than newline, the byte
// order mark, non-characters).
func printableText(s string) bool {
	for _, r := range s {
		switch {
		case r == '\n':
		case r < ' ' || r == 0x7f || r == utf8.RuneError:
			return false
		case r >= 0x80 && r <= 0x9f, r == 0xfeff, r >= 0xfffe:
			return false
		}
	}
	return true
}
