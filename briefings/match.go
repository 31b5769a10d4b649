package briefings

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// This file holds the look-ups that understanding a free-form question
// needs: a topic named anywhere in it, a topic named by part of its name,
// safe typo correction, the parts of one briefing that words name, and
// passages inside one briefing. Every function takes words that are
// already normalized (Normalize, one word each), so that a query is
// normalized once.

// TopicRun is a run of query words that names a topic or alias exactly.
type TopicRun struct {
	// Start is the index of the first word of the run; Words its length.
	Start, Words int
	// Briefings are the newest briefings of the topics the run names: one,
	// or several when topics share an alias (the topic whose own name it is
	// first).
	Briefings []*Briefing
}

// LongestTopic finds the longest run of words, anywhere, that names a
// topic or alias exactly; the earliest wins a tie. skip marks words that
// may not be part of a run (nil: none).
func (l *Library) LongestTopic(words []string, skip func(i int) bool) (TopicRun, bool) {
	var best TopicRun
	// The run's words are joined on the stack: a topic name longer than
	// this is rare, and append moves it to the heap then.
	var room [64]byte
	buf := room[:0]
	for start := range words {
		if skip != nil && skip(start) {
			continue
		}
		buf = buf[:0]
		longest := 0
		var ts []*topic
		for k := 1; k <= l.maxWords && start+k <= len(words); k++ {
			if skip != nil && skip(start+k-1) {
				break
			}
			if k > 1 {
				buf = append(buf, ' ')
			}
			buf = append(buf, words[start+k-1]...)
			if found := l.byAlias[string(buf)]; len(found) > 0 {
				longest, ts = k, found
			}
		}
		if longest > best.Words {
			best = TopicRun{Start: start, Words: longest, Briefings: newestOf(ts)}
		}
	}
	return best, best.Words > 0
}

func newestOf(ts []*topic) []*Briefing {
	out := make([]*Briefing, len(ts))
	for i, t := range ts {
		out[i] = t.newest()
	}
	return out
}

// wordRange is the run of l.words whose key is w.
func (l *Library) wordRange(w string) []completion {
	all := l.words()
	lo := sort.Search(len(all), func(i int) bool { return all[i].key >= w })
	rest := all[lo:]
	// A common word ("grid", "elections") may have thousands of entries.
	hi := sort.Search(len(rest), func(i int) bool { return rest[i].key != w })
	return rest[:hi]
}

// IsNameWord reports whether w is a word of some topic's name or alias.
func (l *Library) IsNameWord(w string) bool { return len(l.wordRange(w)) > 0 }

// TopicsNamedBy returns the topics whose name or one alias holds every
// one of words (in any order), as their newest briefings in topic order,
// at most limit of them; more reports whether there were others. It
// merges the sorted runs of the name-word list, so it costs the length of
// the shortest run, not the size of the library.
func (l *Library) TopicsNamedBy(words []string, limit int) (out []*Briefing, more bool) {
	if len(words) == 0 {
		return nil, false
	}
	runs := make([][]completion, len(words))
	for i, w := range words {
		runs[i] = l.wordRange(w)
		if len(runs[i]) == 0 {
			// Names keep their possessive ("Russia’s" is "russias");
			// questions lose it.
			runs[i] = l.wordRange(w + "s")
		}
		if len(runs[i]) == 0 {
			return nil, false
		}
	}
	slices.SortFunc(runs, func(a, b []completion) int { return len(a) - len(b) })
	pos := make([]int, len(runs))
	var last *topic
outer:
	for _, c := range runs[0] {
		if c.t == last {
			continue
		}
		for r := 1; r < len(runs); r++ {
			run := runs[r]
			// Runs are sorted by topic key: jump rather than walk, as a
			// common word's run may hold thousands of topics.
			from := pos[r]
			pos[r] = from + sort.Search(len(run)-from, func(i int) bool { return run[from+i].t.key >= c.t.key })
			if pos[r] == len(run) {
				break outer
			}
			if run[pos[r]].t.key != c.t.key {
				continue outer
			}
		}
		last = c.t
		if len(out) == limit {
			return out, true
		}
		out = append(out, c.t.newest())
	}
	return out, false
}

// vocabulary is the distinct words of the topic names and aliases that
// typo correction may correct into, grouped by first letter; built on the
// first correction, since most questions spell their topic right.
type vocabulary struct {
	once    sync.Once
	byFirst map[rune][]string
}

func (l *Library) vocab() map[rune][]string {
	l.typoWords.once.Do(func() {
		m := map[rune][]string{}
		words := l.words()
		for i, c := range words {
			if i > 0 && words[i-1].key == c.key {
				continue
			}
			if utf8.RuneCountInString(c.key) < minCorrectable-1 || hasDigits(c.key) {
				continue
			}
			r, _ := utf8.DecodeRuneInString(c.key)
			m[r] = append(m[r], c.key)
		}
		l.typoWords.byFirst = m
	})
	return l.typoWords.byFirst
}

func hasDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// minCorrectable is the shortest word that typo correction touches. A
// word of four letters or fewer is one edit away from too many real words
// and names (iraq and iran, mali and bali, chad and chap) for any guess to
// be safe.
const minCorrectable = 5

// editBudget is how many edits (a transposition counting as one) a word
// of n letters may carry and still be corrected with confidence.
func editBudget(n int) int {
	switch {
	case n < minCorrectable:
		return 0
	case n <= 7:
		return 1
	case n <= 12:
		return 2
	default:
		return 3
	}
}

// Correction is a confident typo correction of one word, or the words it
// may have meant when no correction is confident.
type Correction struct {
	// To is the corrected word; empty when the correction was not confident.
	To string
	// Maybe lists close words offered as "did you mean" when To is empty.
	Maybe []string
}

// CorrectNameWord corrects a normalized word into a word of some topic's
// name or alias. The rule is built so that a real word is never turned
// into another name ("iraq" into "iran"):
//
//   - a word that is itself a name word, a known place name or a word of
//     any briefing is taken as meant and never corrected;
//   - words of fewer than five letters and words with digits are never
//     corrected;
//   - the correction must keep the first letter and stay within one edit
//     for up to seven letters, two up to twelve, three beyond (a swap of
//     two neighbouring letters is one edit);
//   - and it must be the only word at its distance.
//
// Close words that miss one of these are returned in Maybe, for "did you
// mean", unless the word is a known place or a word of the briefings.
func (l *Library) CorrectNameWord(w string) Correction {
	if l.IsNameWord(w) || hasDigits(w) {
		return Correction{}
	}
	known := IsPlaceName(w) || l.InText(w)
	n := utf8.RuneCountInString(w)
	budget := editBudget(n)
	reach := max(budget, 1) // how far "did you mean" looks
	first, _ := utf8.DecodeRuneInString(w)
	best, bestD, tie := "", reach+1, false
	var maybe []string
	for _, cand := range l.vocab()[first] {
		cn := utf8.RuneCountInString(cand)
		if cn-n > reach || n-cn > reach {
			continue
		}
		d := osaDistance(w, cand, reach)
		if d > reach {
			continue
		}
		maybe = append(maybe, cand)
		switch {
		case d < bestD:
			best, bestD, tie = cand, d, false
		case d == bestD:
			tie = true
		}
	}
	// A word of the briefings is meant as typed, unless it is only an
	// inflection of the name word itself ("sahell" stems to "sahel").
	if known && !IsPlaceName(w) {
		st := newStemmer()
		known = st.stem(w) != st.stem(best)
	}
	if best == "" || known {
		return Correction{}
	}
	if bestD <= budget && !tie {
		return Correction{To: best}
	}
	return Correction{Maybe: maybe}
}

// InText reports whether a normalized word occurs in the newest briefing
// of some topic (its stem is a term of the search index).
func (l *Library) InText(w string) bool {
	x := l.idx.get()
	if x == nil {
		return false
	}
	return x.x.Has(newStemmer().stem(w))
}

// osaDistance is the optimal string alignment distance between a and b
// (Levenshtein with transpositions of neighbouring letters), counted in
// letters; it stops early and returns more than limit once it exceeds it.
func osaDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	if len(rb)-len(ra) > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// Part is what a run of query words names inside one briefing: a section
// (by heading, by kind or by a word people use for the kind) or one
// labelled bullet.
type Part struct {
	// Section is the section named, or the one holding the bullet; nil for
	// a bullet of the lede.
	Section *Section
	// Block is the index of the bullet named by its label in Section's
	// blocks (or the lede's); -1 when the whole section is named.
	Block int
	// Words is how many query words named it.
	Words int
	// Kind is the section kind the words asked for, when they named one
	// by a word people use for it; it is set even when the briefing has no
	// section of that kind (Section is then nil and Block -1).
	Kind Kind
}

// askedPhrases are ways of asking for a kind of section that never appear
// as headings; they extend kindSynonyms for questions only.
var askedPhrases = []struct {
	kind  Kind
	words []string
}{
	{KindRisks, []string{"what could go wrong", "go wrong", "wrong", "problems", "worries", "concerns", "risky", "pitfalls", "caveat"}},
	{KindOutlook, []string{"what happens next", "whats next", "what next", "happens next", "forecast", "expect", "expected", "coming", "upcoming"}},
	{KindNew, []string{"whats happening", "happening", "news", "recent", "updates", "going on", "whats going on"}},
	{KindSignificance, []string{"why does it matter", "why should i care", "so what", "matter", "importance", "important"}},
	{KindBackground, []string{"backstory", "origins", "how did we get here"}},
}

// askedStems holds kindSynonyms and askedPhrases as stem sequences, longest
// first, for matching at a position of a query.
var askedStems = func() []kindPhrase {
	st := newStemmer()
	var out []kindPhrase
	add := func(k Kind, w string) {
		var stems []string
		for _, f := range strings.Fields(Normalize(w)) {
			stems = append(stems, st.stem(f))
		}
		out = append(out, kindPhrase{kind: k, stems: stems, wholeOnly: wholeOnly[w]})
	}
	for _, ks := range kindSynonyms {
		for _, w := range ks.words {
			add(ks.kind, w)
		}
	}
	for _, ks := range askedPhrases {
		for _, w := range ks.words {
			add(ks.kind, w)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].stems) > len(out[j].stems) })
	return out
}()

// askedByFirst is askedStems by first stem, longest phrase first.
var askedByFirst = func() map[string][]kindPhrase {
	m := map[string][]kindPhrase{}
	for _, kp := range askedStems {
		m[kp.stems[0]] = append(m[kp.stems[0]], kp)
	}
	return m
}()

type kindPhrase struct {
	kind      Kind
	stems     []string
	wholeOnly bool
}

// sectionWords are the single words of every kind phrase, the targets of
// section-word typo correction.
var sectionWords = func() []string {
	seen := map[string]bool{}
	var out []string
	add := func(w string) {
		for _, f := range strings.Fields(Normalize(w)) {
			if !stopWords[f] && !seen[f] && utf8.RuneCountInString(f) >= minCorrectable-1 {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	for _, ks := range kindSynonyms {
		for _, w := range ks.words {
			add(w)
		}
	}
	for _, ks := range askedPhrases {
		for _, w := range ks.words {
			add(w)
		}
	}
	return out
}()

// KindAt returns the section kind named by the longest phrase people use
// for one ("risks", "what to watch", "what could go wrong") at the start
// of words, and how many words it took. A word such as "new" that has
// other senses names a kind only when it ends the words.
func KindAt(words []string) (Kind, int) {
	if len(words) == 0 {
		return KindOther, 0
	}
	st := newStemmer()
	first := st.stem(words[0])
	phrases := askedByFirst[first]
	if len(phrases) == 0 {
		return KindOther, 0
	}
	stems := []string{first}
	for _, kp := range phrases {
		if len(kp.stems) > len(words) {
			continue
		}
		for len(stems) < len(kp.stems) {
			stems = append(stems, st.stem(words[len(stems)]))
		}
		if !slices.Equal(stems[:len(kp.stems)], kp.stems) {
			continue
		}
		if kp.wholeOnly && len(words) != len(kp.stems) {
			continue
		}
		return kp.kind, len(kp.stems)
	}
	return KindOther, 0
}

// PartAt finds the longest run at the start of words that names a part of
// b: a heading (every word of the run is a word of the heading), a bullet
// label (the run holds most of the label's words and nothing else), or a
// section kind by any word people use for it. On equal length a heading
// beats a label, and a label beats a kind word ("history" finds "History
// and Development" though the kind of "history" is background). Stop-words may sit inside
// a run but do not start or end one.
func (b *Briefing) PartAt(words []string) (Part, bool) {
	best := Part{Block: -1}
	bestStems := 0
	st := newStemmer()
	stems := make([]string, 0, len(words))
	for _, w := range words {
		if stopWords[w] {
			stems = append(stems, "")
		} else {
			stems = append(stems, st.stem(w))
		}
	}
	// covered returns how long a run from the start has every content word
	// among have, ending on a content word.
	covered := func(have []string) int {
		n := 0
		for i, s := range stems {
			if s == "" {
				continue
			}
			if !hasSimilar(have, s) {
				break
			}
			n = i + 1
		}
		return n
	}
	if len(stems) > 0 && stems[0] != "" {
		for i := range b.Sections {
			s := &b.Sections[i]
			hs := headingInfoOf(s.Heading).stems
			// On equal length the heading with fewer words is the closer:
			// "weaponization" names "Weaponization", not "Estimated
			// Nuclear Weapons Development Timelines".
			if n := covered(hs); n > best.Words || (n == best.Words && n > 0 && len(hs) < bestStems) {
				best, bestStems = Part{Section: s, Block: -1, Words: n, Kind: s.Kind}, len(hs)
			}
		}
		label := func(sec *Section, blocks []Block) {
			for j := range blocks {
				if blocks[j].Label == "" {
					continue
				}
				ls := headingInfoOf(blocks[j].Label).stems
				n := covered(ls)
				if n <= best.Words {
					continue
				}
				// The run must hold most of the label: "israel" alone
				// does not name the bullet "Boost for Israel".
				got := 0
				for _, s := range ls {
					if hasSimilar(stems[:n], s) {
						got++
					}
				}
				if 3*got >= 2*len(ls) {
					best = Part{Section: sec, Block: j, Words: n}
				}
			}
		}
		// A label or kind word wins only with a longer run, and no run is
		// longer than words: once a heading covers them all, neither
		// is looked up ("kazakhstan risks" spends nothing on labels).
		if best.Words < len(words) {
			label(nil, b.Lede)
			for i := range b.Sections {
				label(&b.Sections[i], b.Sections[i].Blocks)
			}
		}
	}
	if best.Words == len(words) {
		return best, best.Words > 0
	}
	if k, n := KindAt(words); n > best.Words {
		best = Part{Block: -1, Words: n, Kind: k}
		for i := range b.Sections {
			if b.Sections[i].Kind == k {
				best.Section = &b.Sections[i]
				break
			}
		}
	}
	return best, best.Words > 0
}

// IsStopWord reports whether a normalized word is too common to name
// anything ("the", "may", "with"): search and passages ignore it.
func IsStopWord(w string) bool { return stopWords[w] }

func hasSimilar(have []string, s string) bool {
	if s == "" {
		return false
	}
	for _, h := range have {
		if similarStems(h, s) {
			return true
		}
	}
	return false
}

// CorrectSectionWord corrects a normalized word into a word that names a
// section of b (a word of one of its headings or a word people use for a
// kind of section), under the rule of CorrectNameWord: at least five
// letters, the first letter kept, within the edit budget, the only word at
// its distance, and not itself a word of the briefing.
func (b *Briefing) CorrectSectionWord(w string) string {
	if editBudget(utf8.RuneCountInString(w)) == 0 || hasDigits(w) {
		return ""
	}
	var heads []string
	for i := range b.Sections {
		for _, f := range strings.Fields(headingInfoOf(b.Sections[i].Heading).key) {
			if !stopWords[f] && !slices.Contains(sectionWords, f) && !slices.Contains(heads, f) {
				heads = append(heads, f)
			}
		}
	}
	fix := correctInto(w, sectionWords, heads)
	if fix == "" || b.HasWord(w) { // the costlier test last
		return ""
	}
	return fix
}

// IsSectionWordTypo reports whether a normalized word is a confident typo
// of a word people use for a kind of section ("risls", "outlok"), so that
// it is not corrected into a topic name.
func IsSectionWordTypo(w string) bool {
	if editBudget(utf8.RuneCountInString(w)) == 0 || hasDigits(w) || slices.Contains(sectionWords, w) {
		return false
	}
	return correctInto(w, sectionWords) != ""
}

// correctInto returns the one word of the candidate lists that w is a
// confident typo of, or "" (see CorrectNameWord for the rule). Words tied
// at the best distance do not make it unsure when they name the same kind
// of section ("rissk" is one swap from "risks" and one letter from "risk").
func correctInto(w string, lists ...[]string) string {
	budget := editBudget(utf8.RuneCountInString(w))
	first, _ := utf8.DecodeRuneInString(w)
	best, bestD := "", budget+1
	var ties []string
	for _, list := range lists {
		for _, cand := range list {
			if c, _ := utf8.DecodeRuneInString(cand); c != first || cand == best {
				continue
			}
			d := osaDistance(w, cand, budget)
			switch {
			case d < bestD:
				best, bestD, ties = cand, d, ties[:0]
			case d == bestD:
				ties = append(ties, cand)
			}
		}
	}
	if bestD == 0 || best == "" {
		return ""
	}
	for _, t := range ties {
		if k := KindOf(t); k == KindOther || k != KindOf(best) {
			return ""
		}
	}
	return best
}

// HasWord reports whether a normalized word, by its stem, occurs in b's
// title, lede, headings or blocks.
func (b *Briefing) HasWord(w string) bool {
	m := newStemMatcher([]string{newStemmer().stem(w)})
	if m.count(b.Title) > 0 || m.countBlocks(b.Lede) > 0 {
		return true
	}
	for i := range b.Sections {
		if m.count(b.Sections[i].Heading) > 0 || m.countBlocks(b.Sections[i].Blocks) > 0 {
			return true
		}
	}
	return false
}

// Passage is one paragraph or bullet of a briefing that a query's words
// occur in.
type Passage struct {
	// Section holds the block; nil for the lede.
	Section *Section
	// Block is the index of the block in Section's blocks (or the lede's).
	Block int
	// Matched is how many distinct query words the block holds.
	Matched int
}

// BlockIn returns the paragraph or bullet of p in b.
func (p Passage) BlockIn(b *Briefing) Block {
	if p.Section == nil {
		return b.Lede[p.Block]
	}
	return p.Section.Blocks[p.Block]
}

// Passages returns the blocks of b that hold the most of words (stop-words
// ignored), best first: those holding more of the words, then those whose
// label holds them, then in document order. Only blocks holding as many of
// the words as the best one are returned, at most limit.
func (b *Briefing) Passages(words []string, limit int) []Passage {
	qs := queryStems(strings.Join(words, " "))
	if len(qs) == 0 || limit <= 0 {
		return nil
	}
	m := newStemMatcher(qs)
	m.similar = true
	type scored struct {
		p     Passage
		label int
	}
	var all []scored
	scan := func(sec *Section, blocks []Block) {
		for j := range blocks {
			m.gen++
			label := m.countMore(blocks[j].Label)
			n := label + m.countMore(blocks[j].Text)
			if n > 0 {
				all = append(all, scored{Passage{Section: sec, Block: j, Matched: n}, label})
			}
		}
	}
	scan(nil, b.Lede)
	for i := range b.Sections {
		scan(&b.Sections[i], b.Sections[i].Blocks)
	}
	if len(all) == 0 {
		return nil
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].p.Matched != all[j].p.Matched {
			return all[i].p.Matched > all[j].p.Matched
		}
		return all[i].label > all[j].label
	})
	var out []Passage
	for _, s := range all {
		if s.p.Matched < all[0].p.Matched || len(out) == limit {
			break
		}
		out = append(out, s.p)
	}
	return out
}
