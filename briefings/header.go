package briefings

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// parseHeader reads what a library indexes a briefing by, its topic,
// aliases and date, from the front matter alone, when the front matter
// settles them: a Markdown file whose front matter names a title and a
// valid date, and that is no CRS page (whose metadata, in the body, adds an
// alias and may date it). The briefing it returns has no lede or sections
// yet. ok is false when only a whole parse can tell; Parse then decides,
// problems included.
func parseHeader(path string, data []byte, modTime time.Time) (b *Briefing, ok bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".md", ".markdown":
	default:
		return nil, false
	}
	if len(data) > MaxFileSize {
		return nil, false
	}
	data, prob := decodeText(path, data)
	if prob != nil {
		return nil, false
	}
	end := frontMatterEnd(data)
	// Carriage returns are the whole parse's to normalize.
	if end < 0 || bytes.IndexByte(data[:end], '\r') >= 0 || mayBeCRS(data) {
		return nil, false
	}
	yamlText, _, found, prob := splitFrontMatter(string(data[:end]))
	if !found || prob != nil {
		return nil, false
	}
	fm, _, prob := parseFrontMatter(yamlText)
	if prob != nil || strings.TrimSpace(fm.Title) == "" || strings.TrimSpace(fm.Date) == "" {
		return nil, false
	}
	if _, _, err := parseDate(fm.Date); err != nil {
		return nil, false
	}
	b = &Briefing{Path: path, Title: strings.TrimSpace(fm.Title)}
	if _, ok := finishHeader(b, &fm, crsMeta{}, modTime, data); !ok {
		return nil, false
	}
	// The front matter's values are slices of its whole text: keep only them.
	same := b.Topic == b.Title
	b.Title, b.Topic = strings.Clone(b.Title), strings.Clone(b.Topic)
	if same {
		b.Topic = b.Title
	}
	b.Summary, b.Source = strings.Clone(b.Summary), strings.Clone(b.Source)
	for _, list := range [][]string{b.Aliases, b.Tags} {
		for i := range list {
			list[i] = strings.Clone(list[i])
		}
	}
	return b, true
}

// frontMatterEnd is the offset just past the line that closes the front
// matter at the start of data, or -1 when there is none.
func frontMatterEnd(data []byte) int {
	line, rest, _ := bytes.Cut(data, []byte("\n"))
	if string(bytes.TrimRight(line, " \t\r")) != "---" {
		return -1
	}
	off := len(line) + 1
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		off += len(line) + 1
		if t := string(bytes.TrimRight(line, " \t\r")); t == "---" || t == "..." {
			return min(off, len(data))
		}
	}
	return -1
}

// pendingBody completes a briefing known by its header from its file, on
// first use.
type pendingBody struct {
	once sync.Once
	read func(buf []byte) ([]byte, time.Time, error) // the file's job.read
}

// fill parses b's file whole and gives b what the header left out. The
// header's fields (path, title, topic, aliases, date, and the front
// matter's tags, summary and source) stay as the library indexed them. A file that no longer parses leaves b without
// lede or sections: the library answers with what it indexed.
func (z *pendingBody) fill(b *Briefing) {
	z.once.Do(func() {
		data, mod, err := z.read(nil)
		z.read = nil
		if err != nil {
			return
		}
		full, _ := parseWith(b.Path, data, mod, nil)
		if full == nil {
			return
		}
		b.Byline, b.Lede, b.Sections, b.Line = full.Byline, full.Lede, full.Sections, full.Line
	})
}
