package bot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/briefbot/briefbot/briefings"
)

// This file turns what people type ("what could go wrong in kazakhstan?",
// "sahel risks and outlook @2025-11", "kazakhstan signing ceremony") into
// what they asked for: a topic, the parts of its briefing, a version date
// and the words left over. The same understanding serves every platform
// and the command line. Finding things in the library is the briefings
// package's business; this file decides what the words are for.

// token is one word of a question.
type token struct {
	raw  string // as typed, for notes
	norm string // normalized word; "" for punctuation that separates
	at   bool   // typed after "@": a version date
	date bool   // shaped like a date: 2025, 2025-11, 2025-11-07

	// What the word is for in its question, marked by newQuestion. They
	// live here, in the padding after at and date, rather than in slices
	// of their own: the marks cost no allocation.
	section bool // the word is part of a phrase naming a kind of section
	filler  bool // the word carries no meaning here
	inDate  bool // the word is part of a date
	// other marks words of a place that is not the topic they would
	// name ("north korea" in a library covering South Korea).
	other bool
}

func (t token) sep() bool { return t.norm == "" }

// contractions keep their "'s": "what's new" is not the possession of "what".
var contractions = map[string]bool{
	"what": true, "it": true, "that": true, "there": true, "who": true, "where": true, "how": true,
	"here": true, "let": true, "he": true, "she": true, "when": true, "why": true,
}

// tokenize splits a question into words, separators ("," "+" "&" "/" ";")
// and dates, normalizing each word once and dropping a possessive "'s".
func tokenize(text string) []token { return tokenizeFields(strings.Fields(text)) }

// tokenizeFields is tokenize for a question already split at its spaces
// by strings.Fields, as answer has it: one token a field, as nearly
// always, sized once; separators may grow it.
func tokenizeFields(fields []string) []token {
	out := make([]token, 0, len(fields))
	for _, f := range fields {
		if strings.HasPrefix(f, "@") {
			out = append(out, token{raw: f, norm: strings.ToLower(strings.TrimRight(f[1:], "?!.,;")), at: true})
			continue
		}
		for f != "" {
			i := strings.IndexFunc(f, isSeparator)
			piece := f
			if i >= 0 {
				piece = f[:i]
			}
			out = appendWords(out, piece)
			if i < 0 {
				break
			}
			out = append(out, token{raw: f[i : i+1]})
			f = f[i+1:]
		}
	}
	return out
}

// isSeparator reports whether r separates the parts of a question
// ("risks, outlook", "risks+outlook"). A func rather than strings.IndexAny's
// set of characters, which IndexAny builds anew on each call with a word
// longer than eight letters.
func isSeparator(r rune) bool {
	switch r {
	case ',', ';', '+', '&', '/':
		return true
	}
	return false
}

func appendWords(out []token, piece string) []token {
	piece = strings.TrimFunc(piece, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’' })
	if piece == "" {
		return out
	}
	if isDateShaped(piece) {
		return append(out, token{raw: piece, norm: piece, date: true})
	}
	for _, s := range []string{"'s", "’s", "'S", "’S"} {
		if base, ok := strings.CutSuffix(piece, s); ok && base != "" && !contractions[strings.ToLower(base)] {
			piece = base
			break
		}
	}
	if strings.HasSuffix(piece, "'") || strings.HasSuffix(piece, "’") {
		// Trimming with a cutset that is not all ASCII costs more than
		// looking: most words end in a letter.
		piece = strings.TrimRight(piece, "'’")
	}
	norm := briefings.Normalize(piece)
	if strings.IndexByte(norm, ' ') < 0 {
		// One word, as nearly always: Normalize separates words by single spaces.
		if norm != "" {
			out = append(out, token{raw: piece, norm: norm})
		}
		return out
	}
	for _, w := range strings.Fields(norm) {
		out = append(out, token{raw: piece, norm: w})
	}
	return out
}

// isDateShaped reports whether s is 2025, 2025-11 or 2025-11-07.
func isDateShaped(s string) bool {
	_, ok := parseISODate(s)
	return ok
}

// fillers are words that carry no topic, section or passage: question
// words, politeness and the verbs of asking.
var fillers = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`what whats are is was the in on for about of tell me brief briefing give
		show please any a an to how hows i you can could would should do does did there theres info
		information some want know need regarding re with us more details detail anything me my
		at from and or it its this that get got let lets see quick quickly summarise summarize
		explain hi hello hey thanks thank pls plz okay ok up going`) {
		m[w] = true
	}
	return m
}()

// leadFillers are words that are filler when they lead into a topic
// ("latest on kazakhstan") though they name a section elsewhere
// ("kazakhstan latest").
var leadFillers = map[string]bool{"latest": true, "update": true, "updates": true, "news": true, "anything": true}

// leadInto are the words after which a leadFiller is filler.
var leadInto = map[string]bool{"on": true, "about": true, "from": true, "regarding": true, "for": true, "in": true}

// whole asks for the whole briefing; versions for the list of versions.
var (
	wholeWords   = map[string]bool{"all": true, "full": true, "everything": true, "whole": true, "entire": true}
	versionWords = map[string]bool{"versions": true, "archive": true, "older versions": true, "all versions": true, "previous versions": true}
	prevWords    = map[string]bool{"previous": true, "prior": true, "earlier": true, "older": true, "before": true, "last": true}
	// changeWords ask what changed since the version before
	// ("kazakhstan changes", "what changed in kazakhstan").
	changeWords = map[string]bool{"changes": true, "changed": true}
)

// dateSpec is a version date asked for: a year, optionally a month and a
// day; or the version before the newest.
type dateSpec struct {
	year, month, day int
	previous         bool
	said             string // as typed, for notes
}

func (d dateSpec) String() string {
	switch {
	case d.previous:
		return "previous"
	case d.day > 0:
		return time.Date(d.year, time.Month(d.month), d.day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	case d.month > 0 && d.year > 0:
		return time.Month(d.month).String() + " " + strconv.Itoa(d.year)
	case d.month > 0:
		return time.Month(d.month).String()
	default:
		return strconv.Itoa(d.year)
	}
}

// matches reports whether a version dated t is one the spec asks for.
func (d dateSpec) matches(t time.Time) bool {
	return (d.year == 0 || t.Year() == d.year) && (d.month == 0 || int(t.Month()) == d.month) && (d.day == 0 || t.Day() == d.day)
}

// approx is the date the spec stands for, to find the nearest version.
func (d dateSpec) approx(newest time.Time) time.Time {
	y, m, day := d.year, d.month, d.day
	if y == 0 {
		y = newest.Year()
		if m > int(newest.Month()) {
			y--
		}
	}
	if m == 0 {
		m = 7
	}
	if day == 0 {
		day = 15
	}
	return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC)
}

// parseISODate reads 2025, 2025-11 or 2025-11-07 (years 1900 to 2199).
func parseISODate(s string) (dateSpec, bool) {
	var n [3]int
	parts := 0
	for rest, more := s, true; more; parts++ {
		var p string
		p, rest, more = strings.Cut(rest, "-")
		if parts == 3 || (parts == 0 && len(p) != 4) || (parts > 0 && (p == "" || len(p) > 2)) {
			return dateSpec{}, false
		}
		v, err := strconv.Atoi(p)
		if err != nil {
			return dateSpec{}, false
		}
		n[parts] = v
	}
	d := dateSpec{year: n[0], month: n[1], day: n[2], said: s}
	if d.year < 1900 || d.year > 2199 || (parts > 1 && (d.month < 1 || d.month > 12)) || (parts > 2 && (d.day < 1 || d.day > 31)) {
		return dateSpec{}, false
	}
	return d, true
}

var months = map[string]int{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
	"sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

// loneMonthAmbiguous are month names that are common words too ("what may
// go wrong"); alone they are not dates, beside a year or a day they are.
var loneMonthAmbiguous = map[string]bool{"may": true, "march": true, "mar": true}

// understood is what a question asks, once its topic is known.
type understood struct {
	topic []*briefings.Briefing // the briefings the topic words name (several: "which one?")
	run   []int                 // indexes of the tokens that named the topic
	// how the topic was found, for the note: "" exactly, "partial" from
	// part of its name, "typo" after correcting words.
	how  string
	said string // the words that named it, as typed
	// maybe are topics offered as "did you mean" when nothing was found.
	maybe []*briefings.Briefing
	more  bool // more topics matched than listed in topic
}

// question is a tokenized question with what each word is for.
type question struct {
	toks  []token // with what each word is for
	norms []string
}

func newQuestion(text string) *question {
	q := newQuestionOf(strings.Fields(text))
	return &q
}

// newQuestionOf is newQuestion for a question already split at its spaces
// by strings.Fields, so that answer splits it only once. It returns the
// question itself, which answer keeps on its stack.
func newQuestionOf(fields []string) question {
	q := question{toks: tokenizeFields(fields)}
	n := len(q.toks)
	q.norms = make([]string, n)
	for i, t := range q.toks {
		q.norms[i] = t.norm
	}
	for i := 0; i < n; i++ {
		if q.toks[i].sep() {
			continue
		}
		if _, k := briefings.KindAt(q.group(i)); k > 0 {
			for j := i; j < i+k; j++ {
				q.toks[j].section = true
			}
		}
		w := q.norms[i]
		switch {
		case leadFillers[w] && i+1 < n && leadInto[q.norms[i+1]]:
			q.toks[i].filler, q.toks[i].section = true, false
		case fillers[w] && !q.toks[i].section:
			q.toks[i].filler = true
		}
		if q.toks[i].date || q.toks[i].at || months[w] > 0 {
			q.toks[i].inDate = true
		}
	}
	return q
}

// group is the words from i to the next separator.
func (q *question) group(i int) []string {
	j := i
	for j < len(q.toks) && !q.toks[j].sep() && !q.toks[j].at {
		j++
	}
	return q.norms[i:j]
}

// content reports whether word i may name a topic by part of its name.
func (q *question) content(i int) bool {
	t := q.toks[i]
	return !t.sep() && !t.at && !t.other && !t.section && !t.filler && !t.inDate && !wholeWords[t.norm] && !versionWords[t.norm] && !prevWords[t.norm]
}

// findTopic finds the topic a question names: the longest topic or alias
// anywhere in it; else a word or run of words that belongs to the names of
// few topics; else the same after correcting typos, when the correction is
// confident.
func (q *question) findTopic(lib *briefings.Library, limit int) understood {
	punct := func(i int) bool { return q.toks[i].sep() || q.toks[i].at || q.toks[i].other }
	for {
		run, ok := lib.LongestTopic(q.norms, punct)
		if ok && q.onlyFiller(run.Start, run.Words) {
			// A topic named "Outlook" does not swallow "kazakhstan outlook".
			alt, ok2 := lib.LongestTopic(q.norms, func(i int) bool { return punct(i) || !q.content(i) })
			if ok2 {
				run = alt
			}
		}
		if !ok {
			break
		}
		if q.insideOtherPlace(q.norms, run.Start, run.Words, run.Briefings) {
			continue // look again without that place's words
		}
		return understood{topic: run.Briefings, run: span(run.Start, run.Words), said: q.said(run.Start, run.Words)}
	}
	// The word for a people stands for its place: "iranian risks",
	// "russian nuclear weapons".
	peoples, hasPeople := q.placesOfPeoples()
	if hasPeople {
		if run, ok := lib.LongestTopic(peoples, punct); ok && !q.onlyFiller(run.Start, run.Words) && !q.insideOtherPlace(peoples, run.Start, run.Words, run.Briefings) {
			return understood{topic: run.Briefings, run: span(run.Start, run.Words), how: "partial", said: q.said(run.Start, run.Words)}
		}
	}
	u, ok := q.partial(lib, q.norms, limit)
	if hasPeople && (!ok || len(u.topic) > 1) {
		// "russian nuclear weapons": the people's place tells two
		// reports on nuclear weapons apart.
		if pu, pok := q.partial(lib, peoples, limit); pok && (!ok || len(pu.topic) == 1) {
			u, ok = pu, true
		}
	}
	if ok {
		u.how = "partial"
		return q.checkPlace(q.extend(lib, q.trim(lib, q.norms, u)))
	}
	// Typos: correct the content words that are confidently typos of a
	// name word, then look again.
	fixed := append([]string(nil), q.norms...)
	corrected := false
	var maybe []string
	for i := range q.toks {
		if !q.content(i) || briefings.IsSectionWordTypo(q.norms[i]) {
			continue
		}
		c := lib.CorrectNameWord(q.norms[i])
		switch {
		case c.To != "":
			fixed[i], corrected = c.To, true
		case len(c.Maybe) > 0:
			maybe = append(maybe, c.Maybe...)
		}
	}
	if corrected {
		if run, ok := lib.LongestTopic(fixed, punct); ok && !q.onlyFiller(run.Start, run.Words) && !q.insideOtherPlace(fixed, run.Start, run.Words, run.Briefings) {
			return understood{topic: run.Briefings, run: span(run.Start, run.Words), how: "typo", said: q.said(run.Start, run.Words)}
		}
		if u, ok := q.partial(lib, fixed, limit); ok {
			u.how = "typo"
			return q.checkPlace(q.extend(lib, q.trim(lib, fixed, u)))
		}
	}
	u = understood{}
	for _, w := range maybe {
		ts, _ := lib.TopicsNamedBy([]string{w}, limit)
		for _, t := range ts {
			if !slices.Contains(u.maybe, t) && len(u.maybe) < limit {
				u.maybe = append(u.maybe, t)
			}
		}
	}
	return u
}

// placesOfPeoples is the question's words with each word for a people
// replaced by its place ("iranian" by "iran"), and whether there was one.
func (q *question) placesOfPeoples() ([]string, bool) {
	var out []string
	for i, w := range q.norms {
		if p := briefings.PlaceOfPeople(w); p != "" && q.content(i) {
			if out == nil {
				out = append([]string(nil), q.norms...)
			}
			out[i] = p
		}
	}
	return out, out != nil
}

// insideOtherPlace reports whether the words start..start+n, which name
// the topics ts, are part of the name of a different place in the
// question: "korea" in "north korea" when the topic is South Korea. It
// marks that place's words as other, so that they name no topic.
func (q *question) insideOtherPlace(norms []string, start, n int, ts []*briefings.Briefing) bool {
	const reach = 3 // words a place name may add around the run
	for a := max(0, start-reach); a <= start; a++ {
		for b := start + n; b <= min(len(norms), start+n+reach); b++ {
			if b-a == n {
				continue
			}
			phrase := strings.Join(norms[a:b], " ")
			if !briefings.IsPlaceName(phrase) || namesOf(ts, phrase) {
				continue
			}
			for i := a; i < b; i++ {
				q.toks[i].other = true
			}
			return true
		}
	}
	return false
}

// namesOf reports whether key is the normalized topic or an alias of one
// of bs.
func namesOf(bs []*briefings.Briefing, key string) bool {
	for _, b := range bs {
		if b.Key() == key {
			return true
		}
		for _, a := range b.Aliases {
			if briefings.Normalize(a) == key {
				return true
			}
		}
	}
	return false
}

// checkPlace keeps a topic found by part of its name from answering for a
// different place: "sudan" is a country of its own, so it does not answer
// with South Sudan but offers it as "did you mean".
func (q *question) checkPlace(u understood) understood {
	phrase := strings.Join(q.normsOf(u.run), " ")
	if !briefings.IsPlaceName(phrase) || len(u.topic) != 1 {
		return u
	}
	br := u.topic[0]
	names := append([]string{br.Topic, br.Title}, br.Aliases...)
	for _, n := range names {
		k := briefings.Normalize(n)
		if k != phrase && briefings.IsPlaceName(k) {
			return understood{maybe: u.topic}
		}
	}
	return u
}

func (q *question) normsOf(idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = q.norms[i]
	}
	return out
}

func span(start, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = start + i
	}
	return out
}

// onlyFiller reports whether the words start..start+n carry no topic of
// their own: all filler, section or date words.
func (q *question) onlyFiller(start, n int) bool {
	for i := start; i < start+n; i++ {
		if q.content(i) {
			return false
		}
	}
	return true
}

// said is the words start..start+n as typed.
func (q *question) said(start, n int) string { return q.saidOf(span(start, n)) }

// partial finds the longest run of content words that all belong to the
// name of at least one topic; the earliest wins a tie.
func (q *question) partial(lib *briefings.Library, norms []string, limit int) (understood, bool) {
	var best understood
	bestN := 0
	for start := range q.toks {
		if !q.content(start) {
			continue
		}
		end := start
		for end < len(q.toks) && q.content(end) {
			end++
		}
		for k := end - start; k > bestN; k-- {
			ts, more := lib.TopicsNamedBy(norms[start:start+k], limit)
			if len(ts) > 0 {
				best = understood{topic: ts, more: more, run: span(start, k), said: q.said(start, k)}
				bestN = k
				break
			}
		}
	}
	return best, bestN > 0
}

// trim gives back to the question the words at either end of a topic's
// run that name a part of its briefing, while the rest of the run still
// names that topic alone: "iran ceasefire reactions" is the Reactions of
// "U.S.-Iran Ceasefire: Assessment, Reactions, and Issues for Congress".
func (q *question) trim(lib *briefings.Library, norms []string, u understood) understood {
	if len(u.topic) != 1 {
		return u
	}
	br := u.topic[0]
	for len(u.run) > 1 {
		last := u.run[len(u.run)-1]
		if !namesHeading(br, q.group(last)) {
			break
		}
		ts, _ := lib.TopicsNamedBy(q.pickNorms(norms, u.run[:len(u.run)-1]), 2)
		if len(ts) != 1 || ts[0] != br {
			break
		}
		u.run = u.run[:len(u.run)-1]
	}
	u.said = q.saidOf(u.run)
	return u
}

// namesHeading reports whether words begin with the whole of one of br's
// headings ("reactions" for "Reactions", not "weapons" for
// "Weaponization"): only then may they be taken from a topic's name.
func namesHeading(br *briefings.Briefing, words []string) bool {
	p, ok := br.PartAt(words)
	return ok && p.Section != nil && p.Block < 0 &&
		briefings.Normalize(p.Section.Heading) == strings.Join(words[:p.Words], " ")
}

func (q *question) pickNorms(norms []string, idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = norms[i]
	}
	return out
}

// saidOf is the words at idx as typed.
func (q *question) saidOf(idx []int) string {
	var said []string
	for k, i := range idx {
		if k > 0 && q.toks[i].raw == q.toks[idx[k-1]].raw {
			continue
		}
		said = append(said, q.toks[i].raw)
	}
	return strings.Join(said, " ")
}

// extend adds to a topic found by part of its name the other words of
// the question that belong to its name, as typed or after a confident
// typo correction: "security in the sahel", "abrahm accords".
func (q *question) extend(lib *briefings.Library, u understood) understood {
	if len(u.topic) != 1 {
		return u
	}
	br := u.topic[0]
	var names []string
	for _, n := range append([]string{br.Topic, br.Title}, br.Aliases...) {
		names = append(names, strings.Fields(briefings.Normalize(n))...)
	}
	in := map[int]bool{}
	for _, i := range u.run {
		in[i] = true
	}
	for i := range q.toks {
		if in[i] || !q.content(i) {
			continue
		}
		if namesHeading(br, q.group(i)) {
			continue // "iran ceasefire reactions": a heading, not the name
		}
		w := q.norms[i]
		if p := briefings.PlaceOfPeople(w); p != "" {
			// "chinese five-year plan" for "China’s 15th Five-Year Plan".
			if slices.Contains(names, p) {
				w = p
			} else if slices.Contains(names, p+"s") {
				w = p + "s"
			}
		}
		if !slices.Contains(names, w) {
			if c := lib.CorrectNameWord(w); c.To == "" || !slices.Contains(names, c.To) {
				continue
			}
		}
		u.run = append(u.run, i)
		in[i] = true
	}
	slices.Sort(u.run)
	u.said = q.saidOf(u.run)
	return u
}

// rest is the tokens of a question that did not name its topic.
func (q *question) rest(u understood) []int {
	out := make([]int, 0, len(q.toks))
	for i := range q.toks {
		if !slices.Contains(u.run, i) {
			out = append(out, i)
		}
	}
	return out
}

// takeDate finds a version date among the tokens idx and returns it with
// the tokens left. A bare year or month counts only where has says some
// version has it or the briefing lacks the word (a "1992" the briefing
// mentions is a passage, not a date).
func (q *question) takeDate(idx []int, br *briefings.Briefing, has func(dateSpec) bool) (*dateSpec, []int) {
	var d *dateSpec
	left := make([]int, 0, len(idx))
	used := make([]bool, len(q.toks)) // tokens taken as a date's day or year
	for k, i := range idx {
		if used[i] {
			continue
		}
		t := q.toks[i]
		w := t.norm
		// Each word is looked up once, not once per case below.
		month, prev := months[w], prevWords[w]
		switch {
		case t.at:
			spec, ok := parseISODate(w)
			if !ok {
				if m, ok2 := months[w]; ok2 {
					spec, ok = dateSpec{month: m}, true
				} else if prevWords[w] {
					spec, ok = dateSpec{previous: true}, true
				}
			}
			if !ok {
				spec = dateSpec{year: -1}
			}
			spec.said = t.raw
			d = &spec
			continue
		case t.date:
			spec, _ := parseISODate(w)
			if spec.month == 0 && !has(spec) && br.HasWord(w) {
				break // "1992" in the text: a passage word
			}
			if d == nil {
				d = &spec
			}
			continue
		case month > 0:
			spec := dateSpec{month: month, said: t.raw}
			// A day or year beside the month: "7 november", "jan 2026".
			near := func(j int) (token, bool) {
				if j < 0 || j >= len(idx) || used[idx[j]] {
					return token{}, false
				}
				return q.toks[idx[j]], true
			}
			withNumber := false
			for _, j := range []int{k + 1, k - 1, k + 2} {
				nt, ok := near(j)
				if !ok {
					continue
				}
				if nt.date && len(nt.norm) == 4 && spec.year == 0 {
					spec.year, _ = strconv.Atoi(nt.norm)
					used[idx[j]], withNumber = true, true
					spec.said += " " + nt.raw
				} else if v, err := strconv.Atoi(nt.norm); err == nil && v >= 1 && v <= 31 && spec.day == 0 && j != k+2 {
					spec.day = v
					used[idx[j]], withNumber = true, true
				}
			}
			if loneMonthAmbiguous[w] && !withNumber {
				break
			}
			if spec.day > 0 && spec.year == 0 {
				spec.day = 0 // "november 7" without a year: the month is enough
			}
			if d == nil {
				d = &spec
			}
			continue
		case prev && k+1 < len(idx) && q.toks[idx[k+1]].norm == "versions":
			// "older versions" asks for the list, not a date.
		case prev && (k+1 >= len(idx) || q.toks[idx[k+1]].norm != "version") && w != "previous" && w != "prior":
			// "older", "earlier", "last" alone are ordinary words;
			// "previous" and "prior" always ask for the version before.
		case prev:
			if d == nil {
				d = &dateSpec{previous: true, said: t.raw}
			}
			if k+1 < len(idx) && q.toks[idx[k+1]].norm == "version" {
				used[idx[k+1]] = true
			}
			continue
		}
		left = append(left, i)
	}
	out := left[:0]
	for _, i := range left {
		if !used[i] {
			out = append(out, i)
		}
	}
	return d, out
}

// want is what the rest of a question asks of one briefing.
type want struct {
	parts    []briefings.Part
	notes    []string // what was guessed: section words corrected
	missing  []briefings.Kind
	leftover []string // content words naming no part, as normalized
	rawLeft  []string // the same, as typed
	whole    bool
	versions bool
	changes  bool
}

// parts reads the tokens idx (the question without its topic and date)
// against br: the longest run naming a part at each place, section words
// corrected when confident, and the words that named nothing.
func (q *question) parts(idx []int, br *briefings.Briefing) want {
	var w want
	words := make([]string, len(idx))
	for k, i := range idx {
		words[k] = q.norms[i]
	}
	// end is where the run from k must stop: a separator or a gap in idx
	// (where the topic was).
	end := func(k int) int {
		j := k
		for j < len(idx) && !q.toks[idx[j]].sep() && (j == k || idx[j] == idx[j-1]+1) {
			j++
		}
		return j
	}
	for k := 0; k < len(idx); {
		i := idx[k]
		t := q.toks[i]
		if t.sep() || t.at {
			k++
			continue
		}
		e := end(k)
		if e-k >= 2 && versionWords[words[k]+" "+words[k+1]] {
			w.versions = true
			k += 2
			continue
		}
		if t.filler {
			k++ // "what's the outlook": "what's" names no heading here
			continue
		}
		if p, ok := br.PartAt(words[k:e]); ok {
			if p.Section == nil && p.Block < 0 {
				w.missing = append(w.missing, p.Kind)
			} else {
				w.parts = append(w.parts, p)
			}
			k += p.Words
			continue
		}
		switch {
		case wholeWords[t.norm]:
			w.whole = true
		case versionWords[t.norm]:
			w.versions = true
		case changeWords[t.norm]:
			w.changes = true
		case t.filler, briefings.IsStopWord(t.norm):
			// Words that name nothing, such as a lone "may".
		default:
			if fix := br.CorrectSectionWord(t.norm); fix != "" {
				if p, ok := br.PartAt([]string{fix}); ok {
					if p.Section == nil && p.Block < 0 {
						w.notes = append(w.notes, fmt.Sprintf("Read %q as %q.", t.raw, fix))
						w.missing = append(w.missing, p.Kind)
					} else {
						w.notes = append(w.notes, fmt.Sprintf("Showing %s for %q.", p.Section.Heading, t.raw))
						w.parts = append(w.parts, p)
					}
					break
				}
			}
			w.leftover = append(w.leftover, t.norm)
			if len(w.rawLeft) == 0 || w.rawLeft[len(w.rawLeft)-1] != t.raw {
				w.rawLeft = append(w.rawLeft, t.raw)
			}
		}
		k++
	}
	return w
}

// kindName is how a note names a kind of section.
func kindName(k briefings.Kind) string {
	if k == briefings.KindNew {
		return "what's new"
	}
	return string(k)
}

func quoteList(ws []string) string {
	qs := make([]string, len(ws))
	for i, w := range ws {
		qs[i] = fmt.Sprintf("%q", w)
	}
	return strings.Join(qs, ", ")
}
