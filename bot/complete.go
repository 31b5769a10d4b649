package bot

import (
	"context"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// Complete suggests up to limit completions of a partly typed query, for
// autocomplete: topics first, then "topic section" pairs. Labels are for
// people ("Kazakhstan — Risks & caveats"), queries for Handle.
func (b *Bot) Complete(ctx context.Context, text string, limit int) []Suggestion {
	if limit <= 0 {
		return nil
	}
	lib := b.lib.Load()
	words := strings.Fields(text)
	var out []Suggestion
	seen := make(map[string]bool)
	add := func(s Suggestion) bool {
		if seen[s.Query] {
			return len(out) < limit
		}
		seen[s.Query] = true
		out = append(out, s)
		return len(out) < limit
	}

	// A complete topic followed by (part of) a section name.
	if m, ok := lib.Match(words); ok && len(m.Ambiguous) == 0 {
		br := m.Briefing
		rest := briefings.Normalize(strings.Join(words[m.Words:], " "))
		q := b.topicQuery(lib, br)
		if rest == "" && !add(Suggestion{Label: br.Topic, Query: q}) {
			return out
		}
		for i := range br.Sections {
			s := &br.Sections[i]
			sq := sectionQuery(br, s)
			if rest != "" && !strings.HasPrefix(sq, rest) && !wordPrefix(briefings.Normalize(s.Heading), rest) {
				continue
			}
			if !add(Suggestion{Label: br.Topic + " — " + s.Heading, Query: q + " " + sq}) {
				return out
			}
		}
		if len(out) > 0 {
			return out
		}
	}

	// Topics whose names start with what was typed, then their sections.
	var topics []*briefings.Briefing
	if len(words) == 0 {
		topics = lib.Topics()
		if len(topics) > limit {
			topics = topics[:limit]
		}
	} else {
		topics = lib.Complete(text, limit)
	}
	for _, br := range topics {
		if !add(Suggestion{Label: br.Topic, Query: b.topicQuery(lib, br)}) {
			return out
		}
	}
	for _, br := range topics {
		q := b.topicQuery(lib, br)
		for i := range br.Sections {
			s := &br.Sections[i]
			if !add(Suggestion{Label: br.Topic + " — " + s.Heading, Query: q + " " + sectionQuery(br, s)}) {
				return out
			}
		}
	}
	return out
}

// wordPrefix reports whether any word of s starts with prefix.
func wordPrefix(s, prefix string) bool {
	for _, w := range strings.Fields(s) {
		if strings.HasPrefix(w, prefix) {
			return true
		}
	}
	return strings.HasPrefix(s, prefix)
}
