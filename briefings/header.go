package briefings

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// parseHeader reads what a library indexes a briefing by, its topic,
// aliases and date, from the head of the file alone, when the head settles
// them: for Markdown, front matter naming a title and a valid date, in a
// file that is no CRS page (whose metadata, in the body, adds an alias and
// may date it); for plain text, the title line and the byline and
// datelines under it. The briefing it returns has no lede or sections yet.
// ok is false when only a whole parse can tell; Parse then decides,
// problems included.
func parseHeader(path string, data []byte, modTime time.Time) (b *Briefing, ok bool) {
	if len(data) > MaxFileSize {
		return nil, false
	}
	data, prob := decodeText(path, data)
	if prob != nil {
		return nil, false
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".md", ".markdown":
		b, ok = markdownHeader(path, data, modTime)
	default:
		b, ok = textHeader(path, data, modTime)
	}
	if !ok {
		return nil, false
	}
	// The values are slices of the head's text: keep only them.
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

// textHeader is parseHeader for plain text: textHead over the file's first
// lines, up to its fourth that is not blank, which is all textHead reads.
func textHeader(path string, data []byte, modTime time.Time) (*Briefing, bool) {
	end, nonBlank := 0, 0
	for end < len(data) && nonBlank < 4 {
		line := data[end:]
		if j := bytes.IndexByte(line, '\n'); j >= 0 {
			line = line[:j+1]
		}
		if len(bytes.TrimSpace(line)) > 0 {
			nonBlank++
		}
		end += len(line)
	}
	// Carriage returns are the whole parse's to normalize.
	if bytes.IndexByte(data[:end], '\r') >= 0 {
		return nil, false
	}
	b, _, _ := textHead(strings.Split(string(data[:end]), "\n"))
	if b == nil {
		return nil, false
	}
	b.Path, b.Byline, b.Line = path, "", 0 // the byline and line come with the body
	if _, ok := finishHeader(b, nil, crsMeta{}, modTime, data); !ok {
		return nil, false
	}
	return b, true
}

// markdownHeader is parseHeader for Markdown, from the front matter.
func markdownHeader(path string, data []byte, modTime time.Time) (*Briefing, bool) {
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
	// finishHeader refuses a date that does not parse.
	if prob != nil || strings.TrimSpace(fm.Title) == "" || strings.TrimSpace(fm.Date) == "" {
		return nil, false
	}
	b := &Briefing{Path: path, Title: strings.TrimSpace(fm.Title)}
	if _, ok := finishHeader(b, &fm, crsMeta{}, modTime, data); !ok {
		return nil, false
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
