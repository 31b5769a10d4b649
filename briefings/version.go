package briefings

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
)

// VersionHash identifies what a briefing says: lower-case hex SHA-256 of
// its title, summary, source, lede and sections (headings, bullets, labels
// and text). Where it came from does not count, nor when: not the path,
// the line numbers, the date (a plain-text file's is its modification
// time, new on every checkout), the aliases or the tags. Two files saying
// the same thing have the same hash; any change to the text gives another.
func (b *Briefing) VersionHash() string {
	h := sha256.New()
	field := func(s string) {
		var n [binary.MaxVarintLen64]byte
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	field(b.Title)
	field(b.Summary)
	field(b.Source)
	hashBlocks(h, field, b.Lede)
	for _, s := range b.Sections {
		field("\x00section")
		field(s.Heading)
		hashBlocks(h, field, s.Blocks)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func hashBlocks(h hash.Hash, field func(string), bs []Block) {
	field("\x00blocks")
	for _, bl := range bs {
		if bl.Bullet {
			field("-")
		} else {
			field("¶")
		}
		field(bl.Label)
		field(bl.Text)
	}
}
