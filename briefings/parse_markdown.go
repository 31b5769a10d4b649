package briefings

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// mdParser is shared: goldmark parsers keep no state between calls.
var mdParser = goldmark.New(goldmark.WithExtensions(extension.Table)).Parser()

// mdDoc is the state of one Markdown walk.
type mdDoc struct {
	src     []byte
	starts  []int // byte offsets where lines start
	b       *Briefing
	section *Section
	crs     bool
	skip    bool // inside a CRS navigation section

	// levels holds the Markdown heading level (2 for "##") of each
	// section that new headings may nest in, outermost first; a section
	// started by a plain-text heading line has level 0 and a sibling's depth.
	levels   []int
	levelBuf [6]int // levels' first array: Markdown has six levels
	// wantH1 is set when front matter named the topic but no title: the
	// first "# " heading is then the title.
	wantH1 bool
	// afterTitle is true until the first block after the title, where a
	// byline and a dateline may stand.
	afterTitle bool
	guessed    []int // lines of headings before any text, known by their shape alone
	content    bool  // a block has been added, to the lede or a section
	probs      []Problem

	tkey, tkeyOf string // Normalize(tkeyOf), remembered
	skipped      int    // lines of front matter before src
}

// titleKey is Normalize(d.b.Title), worked out once per title.
func (d *mdDoc) titleKey() string {
	if d.tkeyOf != d.b.Title || d.tkey == "" {
		d.tkeyOf, d.tkey = d.b.Title, Normalize(d.b.Title)
	}
	return d.tkey
}

// parseMarkdown parses a Markdown briefing with goldmark and walks its AST.
// When front matter names the title, a first "# " heading is an ordinary
// section; when it names only the topic, the first "# " heading is the
// title. guessed lists the lines of headings that were paragraphs of
// Markdown, known as headings by their shape.
//
// src is the Markdown after the front matter, which took the file's first
// skipped lines; it is read, never kept or changed. crs is whether the
// file may be a CRS page (mayBeCRS of the whole file).
func parseMarkdown(src []byte, skipped int, crs bool, fm *frontMatter) (*Briefing, crsMeta, []Problem, []int) {
	var (
		meta  crsMeta
		isCRS bool
	)
	if crs {
		// A CRS page is rewritten, its cruft blanked: the one copy.
		lines := strings.Split(string(src), "\n")
		meta, isCRS = stripCRS(lines)
		src = []byte(strings.Join(lines, "\n"))
	}

	d := &mdDoc{src: src, b: &Briefing{}, crs: isCRS, starts: lineStarts(src), skipped: skipped}
	d.levels = d.levelBuf[:0]
	if fm != nil {
		d.b.Title = strings.TrimSpace(fm.Title)
		if d.b.Title == "" && strings.TrimSpace(fm.Topic) != "" {
			d.wantH1 = true
		}
		d.afterTitle = d.b.Title != ""
	}
	doc := mdParser.Parse(text.NewReader(src))
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		d.block(n)
	}
	if d.b.Title == "" && d.wantH1 {
		d.b.Title = strings.TrimSpace(fm.Topic)
	}
	return d.b, meta, d.probs, d.guessed
}

// setTitle takes h, at line, as the title; a date at its end becomes the
// briefing's date.
func (d *mdDoc) setTitle(h string, line int) {
	if head, date, w, ok := splitTitleDate(h); ok {
		h, d.b.Date = head, date
		if w != "" {
			d.probs = append(d.probs, Problem{Line: line, Message: w, Warning: true})
		}
	}
	d.b.Title, d.b.Line = h, line
	d.wantH1 = false
	d.afterTitle = true
}

// metadata takes paragraph n, just under the title, as a byline and
// dateline when every line of it is one.
func (d *mdDoc) metadata(n ast.Node) bool {
	ls := n.Lines()
	if ls.Len() == 0 || ls.Len() > 3 {
		return false
	}
	var tmp Briefing
	var probs []Problem
	tmp.Byline = d.b.Byline
	for i := 0; i < ls.Len(); i++ {
		seg := ls.At(i)
		line := strings.TrimSpace(string(seg.Value(d.src)))
		if !applyMeta(&tmp, line, d.lineAt(seg.Start), &probs) {
			return false
		}
	}
	d.b.Byline = tmp.Byline
	if !tmp.Date.IsZero() {
		d.b.Date = tmp.Date
	}
	d.probs = append(d.probs, probs...)
	return true
}

func (d *mdDoc) block(n ast.Node) {
	switch n := n.(type) {
	case *ast.Heading:
		h := cleanHeading(d.inline(n))
		if h == "" {
			return
		}
		if n.Level == 1 && (d.b.Title == "" && !d.wantH1 || d.wantH1 && d.section == nil && len(d.b.Lede) == 0) {
			d.setTitle(h, d.line(n))
			return
		}
		d.afterTitle = false
		if d.section == nil && Normalize(h) == d.titleKey() {
			return // a repeated title
		}
		d.startSection(h, d.line(n), n.Level)
	case *ast.Paragraph, *ast.TextBlock:
		t := d.inline(n)
		if t == "" {
			return
		}
		if d.afterTitle && d.section == nil && len(d.b.Lede) == 0 && d.metadata(n) {
			return
		}
		d.afterTitle = false
		if strings.HasPrefix(t, "|") {
			d.pipeRows(n)
			return
		}
		if h := cleanHeading(strings.Trim(t, "*_ ")); h != "" && d.isHeadingParagraph(n, t) {
			if d.b.Title == "" && !d.wantH1 {
				d.setTitle(h, d.line(n))
				return
			}
			if !d.content {
				// Only a heading before any text can take the lede.
				d.guessed = append(d.guessed, d.line(n))
			}
			d.startSection(h, d.line(n), 0)
			return
		}
		// "**Risks:** The main risk is …" is a section of its own, as in
		// plain text. Not in CRS pages, whose "Latest DOJ Action: …"
		// paragraphs are text.
		if label, rest, ok := labelSection(t); ok && !d.crs {
			d.startSection(label, d.line(n), 0)
			d.add(Block{Text: rest, Line: d.line(n)})
			return
		}
		d.add(Block{Text: t, Line: d.line(n)})
	case *ast.List:
		for it := n.FirstChild(); it != nil; it = it.NextSibling() {
			d.listItem(it)
		}
	case *ast.Blockquote:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			d.block(c)
		}
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		var sb strings.Builder
		ls := n.Lines()
		for i := 0; i < ls.Len(); i++ {
			seg := ls.At(i)
			sb.Write(seg.Value(d.src))
		}
		if t := strings.TrimSpace(sb.String()); t != "" {
			d.add(Block{Text: t, Line: d.line(n)})
		}
	case *east.Table:
		for row := n.FirstChild(); row != nil; row = row.NextSibling() {
			var cells []string
			for c := row.FirstChild(); c != nil; c = c.NextSibling() {
				if t := d.inline(c); t != "" {
					cells = append(cells, t)
				}
			}
			if len(cells) > 0 {
				d.add(Block{Text: strings.Join(cells, " | "), Line: d.line(row)})
			}
		}
	}
	// Thematic breaks, HTML blocks and link reference definitions carry no text.
}

// isHeadingParagraph tells plain-text headings ("Strategic Outlook") and
// bold-only lines ("**Australia-China Relations**") from ordinary paragraphs.
func (d *mdDoc) isHeadingParagraph(n ast.Node, t string) bool {
	if n.Lines().Len() != 1 || n.NextSibling() == nil {
		return false
	}
	if headingLine(t, true) {
		return true
	}
	// A paragraph that is nothing but one bold run.
	c := n.FirstChild()
	if c != nil && c.NextSibling() == nil {
		if e, ok := c.(*ast.Emphasis); ok && e.Level == 2 {
			s := strings.TrimSpace(t)
			return utf8.RuneCountInString(s) <= maxHeadingChars && !endsSentenceStrict(s)
		}
	}
	return false
}

func endsSentenceStrict(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(".!?;,", r)
}

// pipeRows handles paragraphs of "| a | b" lines, which is how converted
// pages carry tables without delimiter rows: figure placeholders are
// dropped, other rows kept as text.
func (d *mdDoc) pipeRows(n ast.Node) {
	ls := n.Lines()
	for i := 0; i < ls.Len(); i++ {
		seg := ls.At(i)
		row := strings.TrimSpace(string(seg.Value(d.src)))
		if isFigurePlaceholder(row) {
			return
		}
		var cells []string
		for _, c := range strings.Split(row, "|") {
			if c = strings.TrimSpace(strings.ReplaceAll(c, "**", "")); c != "" {
				cells = append(cells, c)
			}
		}
		if len(cells) > 0 {
			d.add(Block{Text: strings.Join(cells, " | "), Line: d.lineAt(seg.Start)})
		}
	}
}

func (d *mdDoc) listItem(it ast.Node) {
	var parts []string
	label := ""
	for c := it.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Paragraph, *ast.TextBlock:
			if len(parts) == 0 && label == "" {
				label = leadingStrong(c, d)
			}
			if t := d.inline(c); t != "" {
				parts = append(parts, t)
			}
		case *ast.List:
			for sub := c.FirstChild(); sub != nil; sub = sub.NextSibling() {
				d.listItem(sub)
			}
		default:
			d.block(c)
		}
	}
	t := strings.Join(parts, " ")
	if t == "" {
		return
	}
	blk := Block{Bullet: true, Line: d.line(it)}
	if label != "" && strings.HasPrefix(t, label) {
		rest := strings.TrimSpace(t[len(label):])
		l := strings.TrimSpace(strings.TrimRight(label, ".: "))
		if rest != "" && l != "" && countFields(l) <= maxLabelWords {
			rest = strings.TrimSpace(strings.TrimLeft(rest, ".:"))
			blk.Label, blk.Text = l, rest
			d.add(blk)
			return
		}
	}
	blk.Label, blk.Text = splitLabel(t)
	d.add(blk)
}

// leadingStrong returns the text of a bold run opening a paragraph
// ("**Sanctions.** President ..."), the label of a CRS-style bullet.
func leadingStrong(p ast.Node, d *mdDoc) string {
	c := p.FirstChild()
	if e, ok := c.(*ast.Emphasis); ok && e.Level == 2 && c.NextSibling() != nil {
		return d.inline(e)
	}
	return ""
}

// startSection starts a section headed h at line. level is the Markdown
// heading level, or 0 for a plain-text heading line, which becomes a
// sibling of the current section. A "###" after a "##" is its subsection.
func (d *mdDoc) startSection(h string, line, level int) {
	if d.crs {
		if crsSkipHeadings[Normalize(h)] {
			d.skip = true
			d.section = nil
			d.levels = d.levels[:0]
			return
		}
		d.skip = false
	}
	if level == 0 {
		if len(d.levels) > 0 {
			d.levels = d.levels[:len(d.levels)-1]
		}
	} else {
		for len(d.levels) > 0 && (d.levels[len(d.levels)-1] >= level || d.levels[len(d.levels)-1] == 0) {
			d.levels = d.levels[:len(d.levels)-1]
		}
	}
	depth := len(d.levels)
	d.levels = append(d.levels, level)
	d.b.Sections = append(d.b.Sections, Section{Heading: h, Line: line, Depth: depth})
	d.section = &d.b.Sections[len(d.b.Sections)-1]
}

func (d *mdDoc) add(blk Block) {
	if d.skip || blk.Text == "" {
		return
	}
	d.content = true
	if d.section != nil {
		d.section.Blocks = append(d.section.Blocks, blk)
		return
	}
	d.b.Lede = append(d.b.Lede, blk)
}

// line returns the 1-based source line where block n starts.
func (d *mdDoc) line(n ast.Node) int {
	for c := n; c != nil; c = c.FirstChild() {
		if c.Type() == ast.TypeBlock || c.Type() == ast.TypeDocument {
			if ls := c.Lines(); ls != nil && ls.Len() > 0 {
				return d.lineAt(ls.At(0).Start)
			}
		}
		if c.Type() == ast.TypeInline {
			if t, ok := c.(*ast.Text); ok {
				return d.lineAt(t.Segment.Start)
			}
		}
	}
	if p := n.Parent(); p != nil && p.Type() == ast.TypeBlock && p != n {
		if ls := p.Lines(); ls != nil && ls.Len() > 0 {
			return d.lineAt(ls.At(0).Start)
		}
	}
	return 1
}

// inline returns the plain text of n's inline content: link targets,
// images and raw HTML dropped, emphasis markers gone, spaces collapsed.
func (d *mdDoc) inline(n ast.Node) string {
	var sb strings.Builder
	d.writeInline(&sb, n)
	return collapseSpace(sb.String())
}

func (d *mdDoc) writeInline(sb *strings.Builder, n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			sb.Write(c.Segment.Value(d.src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				sb.WriteByte(' ')
			}
		case *ast.String:
			sb.Write(c.Value)
		case *ast.AutoLink:
			sb.Write(c.Label(d.src))
		case *ast.Image, *ast.RawHTML:
		default:
			d.writeInline(sb, c)
		}
	}
}

func lineStarts(src []byte) []int {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineAt returns the 1-based line, in the file, of byte offset off of src.
func (d *mdDoc) lineAt(off int) int {
	return d.skipped + sort.Search(len(d.starts), func(i int) bool { return d.starts[i] > off })
}
