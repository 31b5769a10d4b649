package briefings

import (
	"maps"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// Library is an immutable, indexed set of briefings; safe for concurrent use.
//
// A topic is the set of briefings whose Topic normalizes to the same key;
// the newest by Date answers for the topic and Versions lists them all.
type Library struct {
	all       []*Briefing // every version, by key then newest first
	topics    []*topic    // by key
	byKey     map[string]*topic
	byAlias   map[string][]*topic // normalized topic and aliases
	maxWords  int                 // most words in any alias key
	names     *nameLists          // alias keys and their words, sorted; built on first use
	idx       *lazyIndex
	typoWords vocabulary // for typo correction, built on first use (match.go)
	// pending holds the briefings LoadLazy knows by their headers alone,
	// each parsed whole on first use; nil when every one was parsed whole.
	// Read-only, and shared with the libraries With derives.
	pending   map[*Briefing]*pendingBody
	allParsed sync.Once // parsePending has run
}

// lazyIndex is the search index, built on first use: answering a topic and
// section (a cold "briefbot ask") needs no full-text index. A long-running
// server builds it at once with PrepareSearch.
type lazyIndex struct {
	once  sync.Once
	build func() *searchIndex
	x     *searchIndex
}

func (z *lazyIndex) get() *searchIndex {
	z.once.Do(func() {
		z.x = z.build()
		z.build = nil
	})
	return z.x
}

func builtIndex(x *searchIndex) *lazyIndex {
	z := &lazyIndex{x: x}
	z.once.Do(func() {})
	return z
}

// PrepareSearch builds the search index now rather than on the first
// search; a server calls it after loading so that no user waits for it.
func (l *Library) PrepareSearch() { l.idx.get() }

type topic struct {
	key string
	// versions are newest first. Their path, topic, title, aliases and
	// date are always known; the rest only once version returns them.
	versions []*Briefing
	pending  map[*Briefing]*pendingBody // the library's
}

func (t *topic) newest() *Briefing { return t.version(0) }

// parsePending parses every briefing still known by its header alone, on
// every CPU, for what needs them all at once: the list of topics, the
// search index, Check.
func (l *Library) parsePending() {
	l.allParsed.Do(func() {
		if len(l.pending) == 0 {
			return
		}
		work := make(chan *Briefing)
		var wg sync.WaitGroup
		for range min(runtime.NumCPU(), len(l.pending)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := range work {
					l.pending[b].fill(b)
				}
			}()
		}
		for b := range l.pending {
			work <- b
		}
		close(work)
		wg.Wait()
	})
}

// version returns the i-th version, newest first, parsed whole: every
// briefing the library hands out comes through here.
func (t *topic) version(i int) *Briefing {
	b := t.versions[i]
	if z := t.pending[b]; z != nil {
		z.fill(b)
	}
	return b
}

type completion struct {
	key string
	t   *topic
}

// nameLists are the sorted lists that completion, typo correction and
// naming a topic by part of its name search. Answering a topic named in
// full needs neither, so a cold "briefbot ask" does not sort them.
type nameLists struct {
	once     sync.Once
	build    func() ([]completion, []completion)
	prefixes []completion // every topic key and alias key
	words    []completion // every word of those, once per topic
}

func (n *nameLists) get() *nameLists {
	n.once.Do(func() {
		n.prefixes, n.words = n.build()
		n.build = nil
	})
	return n
}

// prefixes returns the alias keys, sorted, for Complete and Correct.
func (l *Library) prefixes() []completion { return l.names.get().prefixes }

// words returns every word of every alias key, sorted.
func (l *Library) words() []completion { return l.names.get().words }

// NewLibrary indexes already-parsed briefings. Briefings with an empty
// topic are ignored.
func NewLibrary(bs []*Briefing) *Library { return newLibrary(bs, nil, nil) }

// newLibrary is NewLibrary with the briefings' keys, when the caller has
// them already (keys[i] is bs[i].Key(); keys may be nil), and the
// briefings known by their headers alone (pending may be nil).
func newLibrary(bs []*Briefing, keys []string, pending map[*Briefing]*pendingBody) *Library {
	l := &Library{byKey: make(map[string]*topic, len(bs)), byAlias: make(map[string][]*topic, len(bs)), pending: pending}
	for i, b := range bs {
		if b == nil {
			continue
		}
		var k string
		if keys != nil {
			k = keys[i]
		} else {
			k = b.Key()
		}
		if k == "" {
			continue
		}
		t := l.byKey[k]
		if t == nil {
			t = &topic{key: k, pending: pending}
			l.byKey[k] = t
			l.topics = append(l.topics, t)
		}
		t.versions = append(t.versions, b)
	}
	slices.SortFunc(l.topics, func(a, b *topic) int { return strings.Compare(a.key, b.key) })
	l.all = make([]*Briefing, 0, len(bs))
	for _, t := range l.topics {
		sortVersions(t.versions)
		l.all = append(l.all, t.versions...)
	}
	l.idx = &lazyIndex{build: l.fullIndex}
	for _, t := range l.topics {
		for _, k := range t.aliasKeys() {
			l.byAlias[k] = append(l.byAlias[k], t)
			l.maxWords = max(l.maxWords, strings.Count(k, " ")+1)
		}
	}
	for k, ts := range l.byAlias {
		sortAliasTopics(k, ts)
	}
	l.names = &nameLists{build: l.nameLists}
	return l
}

// nameLists builds the sorted alias keys and their words.
func (l *Library) nameLists() (prefixes, words []completion) {
	// Sized for a name and an alias of a few words each, the common case.
	prefixes = make([]completion, 0, 2*len(l.topics))
	words = make([]completion, 0, 6*len(l.topics))
	for _, t := range l.topics {
		first := len(words) // this topic's words, each once
		for _, k := range t.aliasKeys() {
			prefixes = append(prefixes, completion{k, t})
			for _, w := range strings.Fields(k) {
				if !slices.ContainsFunc(words[first:], func(c completion) bool { return c.key == w }) {
					words = append(words, completion{w, t})
				}
			}
		}
	}
	sortCompletions(prefixes)
	sortCompletions(words)
	return prefixes, words
}

// fullIndex indexes the newest briefing of every topic.
func (l *Library) fullIndex() *searchIndex {
	l.parsePending()
	newest := make([]*Briefing, len(l.topics))
	keys := make([]string, len(l.topics))
	for i, t := range l.topics {
		newest[i], keys[i] = t.newest(), t.key
	}
	return buildSearchIndex(newest, keys)
}

func sortVersions(vs []*Briefing) {
	if len(vs) < 2 {
		return
	}
	sort.SliceStable(vs, func(i, j int) bool {
		if !vs[i].Date.Equal(vs[j].Date) {
			return vs[i].Date.After(vs[j].Date)
		}
		return vs[i].Path > vs[j].Path
	})
}

// aliasKeys returns the topic's key and the normalized aliases of all its
// versions, each once.
func (t *topic) aliasKeys() []string {
	keys := []string{t.key}
	for _, v := range t.versions {
		for _, a := range v.Aliases {
			if k := Normalize(a); k != "" && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// sortAliasTopics orders the topics sharing alias k: in key order, except
// that a topic whose own key is k names it first.
func sortAliasTopics(k string, ts []*topic) {
	if len(ts) < 2 {
		return
	}
	sort.Slice(ts, func(i, j int) bool {
		if oi, oj := ts[i].key == k, ts[j].key == k; oi != oj {
			return oi
		}
		return ts[i].key < ts[j].key
	})
}

func compareCompletions(a, b completion) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.t.key, b.t.key)
}

func sortCompletions(cs []completion) { slices.SortFunc(cs, compareCompletions) }

func maxWordsOf(prefixes []completion) int {
	m := 0
	for _, c := range prefixes {
		if n := strings.Count(c.key, " ") + 1; n > m {
			m = n
		}
	}
	return m
}

// With returns a new Library in which the briefings from removedPaths and
// from the paths of changed are replaced by changed. It is the hook for hot
// reload and costs little more than copying a few slices and maps: the
// receiver is not modified and keeps answering; unchanged topics, their
// briefings and the bulk of the search index are shared; only the changed
// topics are re-indexed, into a small delta segment, with their old
// documents masked in the shared base. When the delta outgrows 256
// documents and an eighth of the library, or a quarter of the base is
// masked, the index is rebuilt whole.
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
	// The topics that change, with their surviving and new versions.
	affected := map[string][]*Briefing{}
	dropped := func(p string) bool { return drop[p] }
	if len(drop) <= 8 {
		// Comparing a few strings beats hashing every path.
		paths := slices.Collect(maps.Keys(drop))
		dropped = func(p string) bool { return slices.Contains(paths, p) }
	}
	for _, b := range l.all {
		if dropped(b.Path) {
			affected[b.Key()] = nil
		}
	}
	var added []*Briefing
	for _, b := range changed {
		if b == nil {
			continue
		}
		if k := b.Key(); k != "" {
			affected[k] = nil
			added = append(added, b)
		}
	}
	if len(affected) == 0 {
		return l
	}
	for k := range affected {
		if t := l.byKey[k]; t != nil {
			for _, v := range t.versions {
				if !drop[v.Path] {
					affected[k] = append(affected[k], v)
				}
			}
		}
	}
	for _, b := range added {
		k := b.Key()
		affected[k] = append(affected[k], b)
	}
	newTopics := make([]*topic, 0, len(affected))
	for k, vs := range affected {
		if len(vs) > 0 {
			sortVersions(vs)
			newTopics = append(newTopics, &topic{key: k, versions: vs, pending: l.pending})
		}
	}
	slices.SortFunc(newTopics, func(a, b *topic) int { return strings.Compare(a.key, b.key) })

	nl := &Library{byKey: maps.Clone(l.byKey), byAlias: maps.Clone(l.byAlias), pending: l.pending}
	gone := map[*topic]bool{}
	touchedAliases := map[string]bool{}
	for k := range affected {
		if t := l.byKey[k]; t != nil {
			gone[t] = true
			for _, a := range t.aliasKeys() {
				touchedAliases[a] = true
			}
		}
		delete(nl.byKey, k)
	}
	// Topics stay sorted: merge the new ones into the survivors.
	nl.topics = make([]*topic, 0, len(l.topics)+len(newTopics))
	i := 0
	for _, t := range l.topics {
		if gone[t] {
			continue
		}
		for i < len(newTopics) && newTopics[i].key < t.key {
			nl.topics = append(nl.topics, newTopics[i])
			i++
		}
		nl.topics = append(nl.topics, t)
	}
	nl.topics = append(nl.topics, newTopics[i:]...)
	nl.all = make([]*Briefing, 0, len(l.all)+len(added))
	for _, t := range nl.topics {
		nl.all = append(nl.all, t.versions...)
	}
	var newPrefixes, newWords []completion
	newAliases := map[string][]*topic{}
	for _, t := range newTopics {
		nl.byKey[t.key] = t
		seenWord := map[string]bool{}
		for _, a := range t.aliasKeys() {
			touchedAliases[a] = true
			newAliases[a] = append(newAliases[a], t)
			newPrefixes = append(newPrefixes, completion{a, t})
			for _, w := range strings.Fields(a) {
				if !seenWord[w] {
					seenWord[w] = true
					newWords = append(newWords, completion{w, t})
				}
			}
		}
	}
	for a := range touchedAliases {
		var ts []*topic
		for _, t := range l.byAlias[a] {
			if !gone[t] {
				ts = append(ts, t)
			}
		}
		ts = append(ts, newAliases[a]...)
		if len(ts) == 0 {
			delete(nl.byAlias, a)
			continue
		}
		sortAliasTopics(a, ts)
		nl.byAlias[a] = ts
	}
	prefixes := patchCompletions(l.prefixes(), gone, newPrefixes)
	words := patchCompletions(l.words(), gone, newWords)
	nl.names = &nameLists{build: func() ([]completion, []completion) { return prefixes, words }}
	nl.names.get()
	nl.maxWords = maxWordsOf(prefixes)

	// The search index: old newest documents out, new ones in.
	removeDocs := map[*Briefing]bool{}
	for t := range gone {
		removeDocs[t.newest()] = true
	}
	var addDocs []*Briefing
	var addKeys []string
	for _, t := range newTopics {
		if removeDocs[t.newest()] {
			delete(removeDocs, t.newest()) // same document, still newest
			continue
		}
		addDocs = append(addDocs, t.newest())
		addKeys = append(addKeys, t.key)
	}
	// The old library's index is built if it was not yet: the new one
	// patches it rather than indexing every briefing again.
	x := l.idx.get().with(removeDocs, addDocs, addKeys)
	if x == nil {
		x = nl.fullIndex()
	}
	nl.idx = builtIndex(x)
	return nl
}

// patchCompletions returns the sorted cs without the entries of gone
// topics, merged with add. It copies runs rather than comparing every
// entry, as most of cs is unchanged.
func patchCompletions(cs []completion, gone map[*topic]bool, add []completion) []completion {
	sortCompletions(add)
	goneList := slices.Collect(maps.Keys(gone))
	isGone := func(t *topic) bool { return gone[t] }
	if len(goneList) <= 8 {
		isGone = func(t *topic) bool { return slices.Contains(goneList, t) }
	}
	out := make([]completion, 0, len(cs)+len(add))
	from := 0 // start of the run of cs not yet copied
	for i, c := range cs {
		if isGone(c.t) {
			out = appendMerged(out, cs[from:i], &add)
			from = i + 1
		}
	}
	out = appendMerged(out, cs[from:], &add)
	return append(out, add...)
}

// appendMerged appends the sorted run to out, with the entries of *add that
// sort before its end inserted in place and taken off *add.
func appendMerged(out, run []completion, add *[]completion) []completion {
	for len(*add) > 0 && len(run) > 0 {
		a := (*add)[0]
		k := sort.Search(len(run), func(i int) bool { return compareCompletions(a, run[i]) < 0 })
		if k == len(run) {
			break
		}
		out = append(out, run[:k]...)
		out = append(out, a)
		run = run[k:]
		*add = (*add)[1:]
	}
	return append(out, run...)
}

// Len is the number of briefings, all versions counted.
func (l *Library) Len() int { return len(l.all) }

// Topics returns the newest briefing of each topic, sorted by topic.
func (l *Library) Topics() []*Briefing {
	l.parsePending()
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
	out := make([]*Briefing, len(t.versions))
	for i := range out {
		out[i] = t.version(i)
	}
	return out
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
		for _, c := range l.prefixes() {
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
	for _, c := range l.prefixes() {
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
	collect(l.prefixes())
	if len(out) < n && p != "" {
		collect(l.words())
	}
	return out
}
