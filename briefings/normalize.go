package briefings

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// Normalize folds case and diacritics and collapses punctuation and space,
// for comparing names. Latin letters lose their accents ("Türkiye" and
// "turkiye" are equal); other scripts are kept as they are, so a Cyrillic
// alias such as "Казахстан" still matches itself. Apostrophes vanish rather
// than split words, so "What’s new" becomes "whats new".
func Normalize(s string) string {
	if out, ok := normalizeASCII(s); ok {
		return out
	}
	return normalizeUnicode(s)
}

// normalizeUnicode is Normalize for any text.
func normalizeUnicode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	emit := func(r rune) {
		if pendingSpace && b.Len() > 0 {
			b.WriteByte(' ')
		}
		pendingSpace = false
		b.WriteRune(r)
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		s = norm.NFD.String(s)
	}
	var prevBase rune
	for _, r := range s {
		switch {
		case r == '\'' || r == '’' || r == 'ʼ' || r == '‘':
			// "Kazakhstan’s" → "kazakhstans".
		case unicode.Is(unicode.Mn, r):
			if !isLatin(prevBase) {
				emit(r)
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			prevBase = r
			emit(unicode.ToLower(r))
		default:
			prevBase = 0
			pendingSpace = true
		}
	}
	out := b.String()
	if !ascii {
		out = norm.NFC.String(out)
	}
	return out
}

// normalizeASCII is Normalize for pure ASCII text, the common case, without
// per-rune Unicode tables. It returns s itself when s is already normal.
func normalizeASCII(s string) (string, bool) {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			return "", false
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == ' ' && i > 0 && i < len(s)-1 && s[i-1] != ' ':
		default:
			clean = false
		}
	}
	if clean {
		return s, true
	}
	b := make([]byte, 0, len(s))
	pendingSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', 'A' <= c && c <= 'Z':
			if pendingSpace && len(b) > 0 {
				b = append(b, ' ')
			}
			pendingSpace = false
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		default:
			pendingSpace = true
		}
	}
	return string(b), true
}

func isLatin(r rune) bool {
	return r != 0 && (r < 0x250 || unicode.Is(unicode.Latin, r))
}

// stopWords are dropped from search terms and from section queries.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an and are as at be been but by can could did do does for from
		had has have he her his how i if in into is it its may might more most no not of on or our
		over s so such than that the their them then there these they this those to too under up
		us was we were what when where which while who whom why will with would you your also
		about after before between during per via`) {
		m[w] = true
	}
	return m
}()

// stemmer stems English words, remembering earlier answers in a cache
// shared by all goroutines, because the Snowball stemmer costs about a
// microsecond a word and a corpus repeats its vocabulary endlessly.
type stemmer struct{}

var (
	stemCache     sync.Map // word → stem
	stemCacheSize atomic.Int64
)

// maxStemCache bounds the cache against a stream of never-seen words.
const maxStemCache = 1 << 20

func newStemmer() *stemmer { return &stemmer{} }

// stem returns the stem of a normalized word.
func (*stemmer) stem(w string) string {
	if st, ok := stemCache.Load(w); ok {
		return st.(string)
	}
	st := stemWord(w)
	if stemCacheSize.Load() < maxStemCache {
		if _, loaded := stemCache.LoadOrStore(strings.Clone(w), st); !loaded {
			stemCacheSize.Add(1)
		}
	}
	return st
}

func stemWord(w string) string {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf || (w[i] >= '0' && w[i] <= '9') {
			return w // Snowball English knows only Latin words.
		}
	}
	return english.Stem(w, true)
}

// forEachWord calls fn with each normalized word of s and the byte offset in
// s where the word starts. It splits queries, passages and snippets; the
// search index splits with forEachWordBytes, which gives the same words.
// Both must agree with Normalize on what a word is.
func forEachWord(s string, fn func(word string, off int)) { forEachWordStarting(s, nil, fn) }

// forEachWordBytes is forEachWord for the search index, whose hot path it
// is: the same words, handed over in buf, reused from word to word, and
// returned for reuse. ASCII words are lower-cased in place; only words
// with other letters go through Normalize.
func forEachWordBytes(s string, buf []byte, fn func(word []byte)) []byte {
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		raw := s[start:end]
		start = -1
		buf = buf[:0]
		for i := 0; i < len(raw); i++ {
			c := raw[i]
			switch {
			case c >= utf8.RuneSelf:
				n := Normalize(raw)
				buf = buf[:0]
				for j := 0; j < len(n); j++ {
					if n[j] != ' ' {
						buf = append(buf, n[j])
					}
				}
				i = len(raw)
			case c >= 'A' && c <= 'Z':
				buf = append(buf, c+('a'-'A'))
			case c == '\'':
			default:
				buf = append(buf, c)
			}
		}
		if len(buf) > 0 {
			fn(buf)
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '\'' {
				if start < 0 {
					start = i
				}
			} else {
				flush(i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '’' {
			if start < 0 {
				start = i
			}
		} else {
			flush(i)
		}
		i += size
	}
	flush(len(s))
	return buf
}

// forEachWordStarting is forEachWord for only the words whose first letter,
// lowercased, is marked in firsts (nil: every word). Words starting with
// other ASCII letters are skipped before they are normalized; words
// starting with any other character are always passed on, as folding may
// change their first letter.
func forEachWordStarting(s string, firsts *[256]bool, fn func(word string, off int)) {
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		raw := s[start:end]
		if c := raw[0]; firsts != nil && c < utf8.RuneSelf && c != '\'' {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if !firsts[c] {
				start = -1
				return
			}
		}
		w := raw
		simple := true
		for i := 0; i < len(raw); i++ {
			c := raw[i]
			if c >= utf8.RuneSelf || (c >= 'A' && c <= 'Z') || c == '\'' {
				simple = false
				break
			}
		}
		if !simple {
			w = strings.ReplaceAll(Normalize(raw), " ", "")
		}
		if w != "" {
			fn(w, start)
		}
		start = -1
	}
	for i, r := range s {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) ||
			r == '\'' || r == '’'
		if word {
			if start < 0 {
				start = i
			}
		} else {
			flush(i)
		}
	}
	flush(len(s))
}

// queryStems returns the distinct stems of the words of q, stop-words dropped.
func queryStems(q string) []string {
	st := newStemmer()
	var out []string
	seen := map[string]bool{}
	forEachWord(q, func(w string, _ int) {
		if stopWords[w] {
			return
		}
		s := st.stem(w)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	})
	return out
}

// similarStems reports whether two stems name the same idea: equal, or one
// a prefix of the other when both are long enough ("econom", "economi").
func similarStems(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	return len(a) >= 5 && strings.HasPrefix(b, a)
}
