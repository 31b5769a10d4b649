package briefings

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// Library is an immutable, indexed set of briefings; safe for concurrent use.
//
// A topic is the set of briefings whose Topic normalizes to the same key;
// the newest by Date answers for the topic and Versions lists them all.
type Library struct {
	all      []*Briefing // every version, by key then newest first
	topics   []*topic    // by key
	byKey    map[string]*topic
	byAlias  map[string][]*topic // normalized topic and aliases
	maxWords int                 // most words in any alias key
	prefixes []completion        // alias keys, sorted, for Complete
	words    []completion        // every word of every alias key, sorted
	idx      *index
}

type topic struct {
	key      string
	versions []*Briefing // newest first
}

func (t *topic) newest() *Briefing { return t.versions[0] }

type completion struct {
	key string
	t   *topic
}

// NewLibrary indexes already-parsed briefings. Briefings with an empty
// topic are ignored.
func NewLibrary(bs []*Briefing) *Library {
	l := &Library{byKey: map[string]*topic{}, byAlias: map[string][]*topic{}}
	for _, b := range bs {
		if b == nil {
			continue
		}
		k := b.Key()
		if k == "" {
			continue
		}
		t := l.byKey[k]
		if t == nil {
			t = &topic{key: k}
			l.byKey[k] = t
			l.topics = append(l.topics, t)
		}
		t.versions = append(t.versions, b)
	}
	sort.Slice(l.topics, func(i, j int) bool { return l.topics[i].key < l.topics[j].key })
	seenWord := map[completion]bool{}
	for _, t := range l.topics {
		sort.SliceStable(t.versions, func(i, j int) bool {
			if !t.versions[i].Date.Equal(t.versions[j].Date) {
				return t.versions[i].Date.After(t.versions[j].Date)
			}
			return t.versions[i].Path > t.versions[j].Path
		})
		l.all = append(l.all, t.versions...)
		keys := map[string]bool{t.key: true}
		for _, v := range t.versions {
			for _, a := range v.Aliases {
				if k := Normalize(a); k != "" {
					keys[k] = true
				}
			}
		}
		for k := range keys {
			l.byAlias[k] = append(l.byAlias[k], t)
			l.prefixes = append(l.prefixes, completion{k, t})
			if n := strings.Count(k, " ") + 1; n > l.maxWords {
				l.maxWords = n
			}
			for _, w := range strings.Fields(k) {
				c := completion{w, t}
				if !seenWord[c] {
					seenWord[c] = true
					l.words = append(l.words, c)
				}
			}
		}
	}
	// An alias that is some topic's own key names that topic first.
	for k, ts := range l.byAlias {
		if len(ts) > 1 {
			sort.SliceStable(ts, func(i, j int) bool {
				return (ts[i].key == k) && (ts[j].key != k)
			})
		}
	}
	byKeyThenTopic := func(cs []completion) func(i, j int) bool {
		return func(i, j int) bool {
			if cs[i].key != cs[j].key {
				return cs[i].key < cs[j].key
			}
			return cs[i].t.key < cs[j].t.key
		}
	}
	sort.Slice(l.prefixes, byKeyThenTopic(l.prefixes))
	sort.Slice(l.words, byKeyThenTopic(l.words))
	newest := make([]*Briefing, len(l.topics))
	for i, t := range l.topics {
		newest[i] = t.newest()
	}
	l.idx = buildIndex(newest)
	return l
}

// With returns a new Library in which the briefings from removedPaths and
// from the paths of changed are replaced by changed. It is the hook for hot
// reload: unchanged briefings are shared, not re-read or re-parsed; the
// look-up tables and the search index are rebuilt from them, which costs
// a fraction of a cold Load (no I/O, no parsing).
func (l *Library) With(changed []*Briefing, removedPaths []string) *Library {
	drop := map[string]bool{}
	for _, p := range removedPaths {
		drop[p] = true
	}
	for _, b := range changed {
		if b != nil {
			drop[b.Path] = true
		}
	}
	bs := make([]*Briefing, 0, len(l.all)+len(changed))
	for _, b := range l.all {
		if !drop[b.Path] {
			bs = append(bs, b)
		}
	}
	bs = append(bs, changed...)
	return NewLibrary(bs)
}

// Len is the number of briefings, all versions counted.
func (l *Library) Len() int { return len(l.all) }

// Topics returns the newest briefing of each topic, sorted by topic.
func (l *Library) Topics() []*Briefing {
	out := make([]*Briefing, len(l.topics))
	for i, t := range l.topics {
		out[i] = t.newest()
	}
	return out
}

// Versions returns every briefing of a topic, newest first. topic may be
// any alias of the topic.
func (l *Library) Versions(topic string) []*Briefing {
	k := Normalize(topic)
	t := l.byKey[k]
	if t == nil {
		if ts := l.byAlias[k]; len(ts) > 0 {
			t = ts[0]
		}
	}
	if t == nil {
		return nil
	}
	return append([]*Briefing(nil), t.versions...)
}

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
func (l *Library) Match(words []string) (Match, bool) {
	n := min(len(words), l.maxWords)
	for k := n; k >= 1; k-- {
		key := Normalize(strings.Join(words[:k], " "))
		if ts := l.byAlias[key]; len(ts) > 0 {
			return l.match(ts, k, 0), true
		}
	}
	return Match{}, false
}

func (l *Library) match(ts []*topic, words, dist int) Match {
	m := Match{Briefing: ts[0].newest(), Words: words, Distance: dist}
	for _, t := range ts[1:] {
		m.Ambiguous = append(m.Ambiguous, t.newest())
	}
	return m
}

// typoBudget is how many edits a name of n letters may carry and still be
// recognised: none for short names, where one edit makes another word.
func typoBudget(n int) int {
	switch {
	case n <= 3:
		return 0
	case n <= 7:
		return 1
	case n <= 12:
		return 2
	default:
		return 3
	}
}

// Correct is like Match but tolerates typos; it answers only when one
// topic is clearly the closest.
func (l *Library) Correct(words []string) (Match, bool) {
	if m, ok := l.Match(words); ok {
		return m, true
	}
	type cand struct{ dist, words int }
	bestBy := map[*topic]cand{}
	n := min(len(words), l.maxWords)
	for k := n; k >= 1; k-- {
		q := Normalize(strings.Join(words[:k], " "))
		budget := typoBudget(utf8.RuneCountInString(q))
		if budget == 0 {
			continue
		}
		for _, c := range l.prefixes {
			if abs(len(c.key)-len(q)) > budget*2 { // bytes: multi-byte letters count twice
				continue
			}
			d := levenshtein.ComputeDistance(q, c.key)
			if d > budget {
				continue
			}
			if old, ok := bestBy[c.t]; !ok || d < old.dist {
				bestBy[c.t] = cand{d, k}
			}
		}
	}
	var best *topic
	bestD, secondD := -1, -1
	for t, c := range bestBy {
		switch {
		case best == nil || c.dist < bestD || (c.dist == bestD && t.key < best.key):
			if best != nil {
				secondD = bestD
			}
			best, bestD = t, c.dist
		case secondD < 0 || c.dist < secondD:
			secondD = c.dist
		}
	}
	if best == nil || secondD == bestD {
		return Match{}, false
	}
	return Match{Briefing: best.newest(), Words: bestBy[best].words, Distance: bestD}, true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Suggest returns up to n topics close to query, best first ("did you
// mean"): names that start with the query, then names within a few edits of
// it or of one of its words.
func (l *Library) Suggest(query string, n int) []*Briefing {
	q := Normalize(query)
	if q == "" || n <= 0 {
		return nil
	}
	qWords := strings.Fields(q)
	type scored struct {
		t     *topic
		score int
	}
	bestBy := map[*topic]int{}
	consider := func(t *topic, s int) {
		if old, ok := bestBy[t]; !ok || s < old {
			bestBy[t] = s
		}
	}
	budget := max(2, typoBudget(utf8.RuneCountInString(q)))
	for _, c := range l.prefixes {
		if strings.HasPrefix(c.key, q) {
			consider(c.t, 0)
			continue
		}
		if abs(len(c.key)-len(q)) <= budget*2 {
			if d := levenshtein.ComputeDistance(q, c.key); d <= budget {
				consider(c.t, d)
				continue
			}
		}
		for _, kw := range strings.Fields(c.key) {
			for _, qw := range qWords {
				b := typoBudget(utf8.RuneCountInString(qw))
				if b == 0 || abs(len(kw)-len(qw)) > b*2 {
					continue
				}
				if d := levenshtein.ComputeDistance(qw, kw); d <= b {
					consider(c.t, d+1)
				}
			}
		}
	}
	var all []scored
	for t, s := range bestBy {
		all = append(all, scored{t, s})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score < all[j].score
		}
		return all[i].t.key < all[j].t.key
	})
	var out []*Briefing
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, all[i].t.newest())
	}
	return out
}

// Complete returns up to n topics for autocompletion, as their newest
// briefings: first those whose normalized topic or alias starts with the
// normalized prefix, then those with any word starting with it, each group
// in key order. It binary-searches sorted keys, so it costs the same at a
// hundred briefings and at a hundred thousand.
func (l *Library) Complete(prefix string, n int) []*Briefing {
	p := Normalize(prefix)
	if n <= 0 {
		return nil
	}
	var out []*Briefing
	seen := map[*topic]bool{}
	collect := func(cs []completion) {
		i := sort.Search(len(cs), func(i int) bool { return cs[i].key >= p })
		for ; i < len(cs) && len(out) < n && strings.HasPrefix(cs[i].key, p); i++ {
			if !seen[cs[i].t] {
				seen[cs[i].t] = true
				out = append(out, cs[i].t.newest())
			}
		}
	}
	collect(l.prefixes)
	if len(out) < n && p != "" {
		collect(l.words)
	}
	return out
}
