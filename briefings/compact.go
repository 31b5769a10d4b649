package briefings

import "strings"

// compact lays a parsed briefing out tightly, so that a library of them
// takes little more memory than their text, and returns the new copy.
// Every string of the briefing becomes a slice of one string, every block
// a slice of one array, with no slack left by appending. Parsing leaves
// many small allocations behind, each rounded up to its size class, and
// slices with up to twice the capacity they use.
//
// With a slab, the pieces are carved from the slab's large chunks instead
// of being allocated one by one: short-lived parsing garbage then does not
// share memory spans with what the library keeps, which would otherwise
// keep the spans, and so the garbage's memory, in use.
func compact(b *Briefing, a *slab) *Briefing {
	size, nBlocks := len(b.Path), len(b.Lede)
	eachString(b, func(s *string, _ bool) { size += len(*s) })
	for i := range b.Sections {
		nBlocks += len(b.Sections[i].Blocks)
	}
	if a == nil {
		a = &slab{}
	}
	nb := a.briefing()
	*nb = *b
	b = nb
	// Copy the text into one string; headings, labels and tags repeat
	// from one briefing to the next and are shared instead.
	sb := a.text(size)
	sameTopic := b.Topic == b.Title
	cut := func(s *string, common bool) {
		n := len(*s)
		if n == 0 {
			*s = ""
			return
		}
		if common && a.chunked && n <= maxInterned {
			if t, ok := a.interned[*s]; ok {
				*s = t
				return
			}
		}
		from := sb.Len()
		sb.WriteString(*s)
		*s = sb.String()[from : from+n] // stays valid: sb has room, and only appends
		if common && a.chunked && n <= maxInterned && len(a.interned) < maxInternedStrings {
			if a.interned == nil {
				a.interned = map[string]string{}
			}
			a.interned[*s] = *s
		}
	}
	cut(&b.Path, false)
	eachString(b, cut)
	if sameTopic {
		b.Topic = b.Title
	}
	// One array for all the blocks.
	blocks := a.blocks(nBlocks)
	take := func(bs []Block) []Block {
		if len(bs) == 0 {
			return bs[:0:0] // nil stays nil, empty stays empty
		}
		from := len(blocks)
		blocks = append(blocks, bs...)
		return blocks[from:len(blocks):len(blocks)]
	}
	b.Lede = take(b.Lede)
	if len(b.Sections) > 0 {
		secs := a.sections(len(b.Sections))
		copy(secs, b.Sections)
		for i := range secs {
			secs[i].Blocks = take(secs[i].Blocks)
		}
		b.Sections = secs
	}
	if len(b.Aliases) > 0 {
		b.Aliases = append(a.strings(len(b.Aliases)), b.Aliases...)
	}
	if len(b.Tags) > 0 {
		b.Tags = append(a.strings(len(b.Tags)), b.Tags...)
	}
	return b
}

// eachString calls fn with every string of b that compact shares out;
// common is true for the short strings that tend to repeat across
// briefings (headings, labels, tags, kinds). Topic is skipped when it equals
// Title, which it then shares.
func eachString(b *Briefing, fn func(s *string, common bool)) {
	fn(&b.Title, false)
	if b.Topic != b.Title {
		fn(&b.Topic, false)
	}
	for i := range b.Aliases {
		fn(&b.Aliases[i], false)
	}
	for i := range b.Tags {
		fn(&b.Tags[i], true)
	}
	fn(&b.Summary, false)
	fn(&b.Source, false)
	fn(&b.Byline, false)
	for i := range b.Lede {
		fn(&b.Lede[i].Label, true)
		fn(&b.Lede[i].Text, false)
	}
	for i := range b.Sections {
		s := &b.Sections[i]
		fn(&s.Heading, true)
		for j := range s.Blocks {
			fn(&s.Blocks[j].Label, true)
			fn(&s.Blocks[j].Text, false)
		}
	}
}

// slab hands out memory for the briefings one parsing worker keeps, from
// chunks. The zero slab allocates every request exactly (no chunk), which
// is what a briefing parsed on its own wants. A slab is not safe for
// concurrent use.
type slab struct {
	chunked  bool
	interned map[string]string // short common strings already laid out
	readBuf  []byte            // the worker's buffer for reading files
	sb       strings.Builder
	bl       []Block
	secs     []Section
	strs     []string
	briefs   []Briefing
}

// Chunk sizes of a chunked slab, and the bounds of its string sharing.
const (
	maxInterned        = 64
	maxInternedStrings = 1 << 14

	slabText     = 256 << 10
	slabBlocks   = 2048
	slabSections = 512
	slabStrings  = 512
	slabBriefs   = 128
)

// text returns a builder with room for n more bytes. Strings taken from it
// stay valid: a Builder only ever appends.
func (a *slab) text(n int) *strings.Builder {
	if !a.chunked || a.sb.Cap()-a.sb.Len() < n {
		a.sb = strings.Builder{}
		if a.chunked {
			a.sb.Grow(max(n, slabText))
		} else {
			a.sb.Grow(n)
		}
	}
	return &a.sb
}

// blocks returns an empty slice with room for n blocks.
func (a *slab) blocks(n int) []Block {
	if !a.chunked || cap(a.bl)-len(a.bl) < n {
		if !a.chunked || n > slabBlocks/4 {
			return make([]Block, 0, n)
		}
		a.bl = make([]Block, 0, slabBlocks)
	}
	out := a.bl[len(a.bl) : len(a.bl) : len(a.bl)+n]
	a.bl = a.bl[:len(a.bl)+n]
	return out
}

// sections returns n zero sections.
func (a *slab) sections(n int) []Section {
	if !a.chunked || cap(a.secs)-len(a.secs) < n {
		if !a.chunked || n > slabSections/4 {
			return make([]Section, n)
		}
		a.secs = make([]Section, 0, slabSections)
	}
	a.secs = a.secs[:len(a.secs)+n]
	return a.secs[len(a.secs)-n : len(a.secs) : len(a.secs)]
}

// strings returns an empty slice with room for n strings.
func (a *slab) strings(n int) []string {
	if !a.chunked || cap(a.strs)-len(a.strs) < n {
		if !a.chunked || n > slabStrings/4 {
			return make([]string, 0, n)
		}
		a.strs = make([]string, 0, slabStrings)
	}
	out := a.strs[len(a.strs) : len(a.strs) : len(a.strs)+n]
	a.strs = a.strs[:len(a.strs)+n]
	return out
}

func (a *slab) briefing() *Briefing {
	if !a.chunked {
		return &Briefing{}
	}
	if len(a.briefs) == cap(a.briefs) {
		a.briefs = make([]Briefing, 0, slabBriefs)
	}
	a.briefs = a.briefs[:len(a.briefs)+1]
	return &a.briefs[len(a.briefs)-1]
}
