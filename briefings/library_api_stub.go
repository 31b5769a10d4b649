package briefings

// TEMPORARY: signatures only, so that other packages compile while the
// implementation is written. The briefings helper replaces this file.

import (
	"io/fs"
	"time"
)

// Problem is one thing wrong with one briefing file, printed "path:line: message".
type Problem struct {
	Path    string
	Line    int
	Message string
	// Warning problems do not stop the file from loading.
	Warning bool
}

func (p Problem) Error() string { panic("stub") }

// Parse parses one briefing file. b is nil when the file cannot be used;
// problems lists everything wrong, warnings included.
func Parse(path string, data []byte, modTime time.Time) (b *Briefing, problems []Problem) {
	panic("stub")
}

// Library is an immutable, indexed set of briefings; safe for concurrent use.
type Library struct{}

// Load reads a folder recursively. err is non-nil only when dir itself
// cannot be read; bad files are reported in problems and skipped.
func Load(dir string) (lib *Library, problems []Problem, err error) { panic("stub") }

// LoadFS is Load over any file system (root "."), used for the embedded samples.
func LoadFS(fsys fs.FS) (lib *Library, problems []Problem) { panic("stub") }

// Sample returns the bundled sample library (embedded with go:embed).
func Sample() *Library { panic("stub") }

// NewLibrary indexes already-parsed briefings.
func NewLibrary(bs []*Briefing) *Library { panic("stub") }

// Len is the number of briefings, all versions counted.
func (l *Library) Len() int { panic("stub") }

// Topics returns the newest briefing of each topic, sorted by topic.
func (l *Library) Topics() []*Briefing { panic("stub") }

// Match is a topic found at the start of a query.
type Match struct {
	Briefing *Briefing
	// Words is how many leading query words named the topic.
	Words int
	// Distance is the edit distance of a typo-corrected match; 0 when exact.
	Distance int
	// Ambiguous lists the other topics that share the matched alias.
	Ambiguous []*Briefing
}

// Match finds the longest run of leading words that names a topic or
// alias exactly (case- and diacritics-insensitive).
func (l *Library) Match(words []string) (Match, bool) { panic("stub") }

// Correct is like Match but tolerates typos; it answers only when one
// topic is clearly the closest.
func (l *Library) Correct(words []string) (Match, bool) { panic("stub") }

// Suggest returns up to n topics close to query, best first ("did you mean").
func (l *Library) Suggest(query string, n int) []*Briefing { panic("stub") }

// Versions returns every briefing of a topic, newest first.
func (l *Library) Versions(topic string) []*Briefing { panic("stub") }

// Hit is one search result.
type Hit struct {
	Briefing *Briefing
	// Section is the section that matched best, nil for the title or lede.
	Section *Section
	Snippet string
	Score   float64
}

// Search ranks briefings for query over titles, ledes and sections.
func (l *Library) Search(query string, limit int) []Hit { panic("stub") }

// Key is the normalized topic, the identity of a topic in a Library.
func (b *Briefing) Key() string { panic("stub") }

// Headline is a one-line summary: the summary, else the lede's first sentence.
func (b *Briefing) Headline() string { panic("stub") }

// FindSection returns the section that query's words name, by heading,
// canonical kind synonym or stemmed heading words.
func (b *Briefing) FindSection(query string) (*Section, bool) { panic("stub") }

// Normalize folds case and diacritics and collapses punctuation and space,
// for comparing names.
func Normalize(s string) string { panic("stub") }
