package bot

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// Options configure a Bot. The zero value answers from the bundled samples.
type Options struct {
	// Library answers questions; nil means the bundled samples.
	Library *briefings.Library
	// Logger receives one line per handled request; nil discards.
	Logger *slog.Logger
	// Command is how users invoke the bot ("/brief"), used in help texts.
	// Empty means "/brief".
	Command string
	// MaxItems caps list and search replies; 0 means 50.
	MaxItems int
	// Observe, when set, is called after every handled request, for metrics.
	Observe func(req Request, reply Reply, took time.Duration)
	// Store keeps digest subscriptions; nil disables the subscribe,
	// unsubscribe and subscriptions commands.
	Store Store
	// SubscriptionsChanged, when set, is called after a chat command
	// changed a subscription, so the scheduler can wake.
	SubscriptionsChanged func()
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Bot is the platform-neutral core. It is safe for concurrent use; the
// library can be swapped while requests are answered.
type Bot struct {
	lib      atomic.Pointer[briefings.Library]
	log      *slog.Logger
	command  string
	maxItems int
	observe  func(Request, Reply, time.Duration)
	store    Store
	changed  func()
	now      func() time.Time
}

// New returns a Bot.
func New(opts Options) *Bot {
	b := &Bot{
		log:      opts.Logger,
		command:  opts.Command,
		maxItems: opts.MaxItems,
		observe:  opts.Observe,
		store:    opts.Store,
		changed:  opts.SubscriptionsChanged,
		now:      opts.Now,
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.command == "" {
		b.command = "/brief"
	}
	if b.maxItems <= 0 {
		b.maxItems = 50
	}
	lib := opts.Library
	if lib == nil {
		lib = briefings.Sample()
	}
	b.lib.Store(lib)
	return b
}

// SetLibrary swaps the library atomically (hot reload). Requests already
// being answered finish with the library they started with.
func (b *Bot) SetLibrary(lib *briefings.Library) {
	if lib != nil {
		b.lib.Store(lib)
	}
}

// Library returns the current library.
func (b *Bot) Library() *briefings.Library { return b.lib.Load() }

// Command returns how users invoke the bot, such as "/brief".
func (b *Bot) Command() string { return b.command }

// Handle answers one request. It never returns an empty reply: a question it
// cannot answer gets suggestions.
func (b *Bot) Handle(ctx context.Context, req Request) (reply Reply) {
	start := time.Now()
	defer func() {
		// A bug in answering one question must not take the bot down.
		if p := recover(); p != nil {
			b.log.ErrorContext(ctx, "answering a command panicked", "platform", string(req.Platform), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			reply = Reply{Kind: KindError, Title: "Sorry, something went wrong", Notes: []string{"briefbot could not answer that. The error has been logged; please try again or ask differently."}}
		}
	}()
	reply = b.answer(ctx, req)
	took := time.Since(start)
	// Adapters log the one info line per command, with delivery included;
	// this line adds what the core decided, for debugging.
	b.log.LogAttrs(ctx, slog.LevelDebug, "handled command",
		slog.String("platform", string(req.Platform)),
		slog.String("kind", string(reply.Kind)),
		slog.String("outcome", Outcome(reply)),
		slog.Duration("duration", took),
	)
	if b.observe != nil {
		b.observe(req, reply, took)
	}
	return reply
}

// Outcome sums up a reply for logs and metrics: "answered", "corrected"
// (answered after a typo correction) or "not_found".
func Outcome(r Reply) string {
	switch {
	case r.Kind == KindNotFound:
		return "not_found"
	case r.Kind == KindError:
		return "error"
	case r.Corrected:
		return "corrected"
	default:
		return "answered"
	}
}

func (b *Bot) answer(ctx context.Context, req Request) Reply {
	lib := b.lib.Load()
	words := strings.Fields(req.Text)
	if len(words) == 0 {
		return b.help(lib, b.commandFor(req))
	}
	switch strings.ToLower(words[0]) {
	case "help", "?":
		if len(words) == 1 {
			return b.help(lib, b.commandFor(req))
		}
	case "list", "topics":
		if len(words) == 1 {
			return b.list(lib)
		}
	case "subscribe":
		return b.subscribe(ctx, req, words[1:])
	case "unsubscribe":
		return b.unsubscribe(ctx, req, words[1:])
	case "subscriptions":
		if len(words) == 1 {
			return b.subscriptions(ctx, req)
		}
	case "digest":
		return b.preview(ctx, req, words[1:])
	case "search", "find":
		if len(words) > 1 {
			return b.search(lib, strings.Join(words[1:], " "))
		}
		return b.help(lib, b.commandFor(req))
	}
	return b.topic(lib, words)
}

func (b *Bot) help(lib *briefings.Library, c string) Reply {
	r := Reply{
		Kind:  KindHelp,
		Title: "briefbot: news briefings on demand",
		Lede: []string{
			fmt.Sprintf("Ask for a briefing by topic, then narrow it to the part you need: %s <topic> [section].", c),
		},
	}
	usage := Section{Heading: "How to ask", Blocks: []Block{
		{Bullet: true, Label: c + " <topic>", Text: "the overview: title, lede and the sections it has"},
		{Bullet: true, Label: c + " <topic> <section>", Text: "one section only, such as risks, what's new, why it matters or looking ahead"},
		{Bullet: true, Label: c + " <topic> all", Text: "the whole briefing"},
		{Bullet: true, Label: c + " <topic> versions", Text: "older briefings on the same topic"},
		{Bullet: true, Label: c + " list", Text: "every topic with its headline and date"},
		{Bullet: true, Label: c + " search <words>", Text: "full-text search over every briefing"},
	}}
	r.Sections = append(r.Sections, usage)
	topics := lib.Topics()
	if len(topics) > 0 {
		ex := topics[0]
		q := b.topicQuery(lib, ex)
		r.Suggestions = append(r.Suggestions,
			Suggestion{Label: ex.Topic, Query: q},
			Suggestion{Label: ex.Topic + ": risks", Query: q + " risks"},
		)
		var names []string
		for i, t := range topics {
			if i == 20 {
				names = append(names, fmt.Sprintf("and %d more (%s list)", len(topics)-i, c))
				break
			}
			names = append(names, t.Topic)
		}
		r.Sections = append(r.Sections, Section{Heading: "Topics", Blocks: []Block{{Text: strings.Join(names, ", ")}}})
	} else {
		r.Notes = append(r.Notes, "No briefings are loaded yet.")
	}
	r.Suggestions = append(r.Suggestions, Suggestion{Label: "List topics", Query: "list"})
	return r
}

func (b *Bot) list(lib *briefings.Library) Reply {
	topics := lib.Topics()
	r := Reply{Kind: KindList, Title: "Topics"}
	if len(topics) == 0 {
		r.Notes = append(r.Notes, "No briefings are loaded yet.")
		return r
	}
	for i, t := range topics {
		if i == b.maxItems {
			r.Notes = append(r.Notes, fmt.Sprintf("Showing %d of %d topics; use %s search <words> to find the others.", i, len(topics), b.command))
			break
		}
		r.Items = append(r.Items, Item{Title: t.Topic, Text: t.Headline(), Date: t.Date, Query: b.topicQuery(lib, t)})
	}
	return r
}

// maxSearchHits caps a search reply: past ten, people refine the query.
const maxSearchHits = 10

func (b *Bot) search(lib *briefings.Library, query string) Reply {
	hits := lib.Search(query, min(b.maxItems, maxSearchHits))
	r := Reply{Kind: KindSearch, Title: fmt.Sprintf("Search: %s", query)}
	if len(hits) == 0 {
		r.Kind = KindNotFound
		r.Notes = append(r.Notes, fmt.Sprintf("Nothing matches %q.", query))
		r.Suggestions = b.didYouMean(lib, query)
		return r
	}
	for _, h := range hits {
		it := Item{Title: h.Briefing.Title, Text: h.Snippet, Date: h.Briefing.Date, Query: b.topicQuery(lib, h.Briefing)}
		if h.Section != nil {
			it.Title += " — " + h.Section.Heading
			it.Query += " " + sectionQuery(h.Briefing, h.Section)
		}
		r.Items = append(r.Items, it)
	}
	return r
}

// topic answers "<topic> [section words]".
func (b *Bot) topic(lib *briefings.Library, words []string) Reply {
	var notes []string
	corrected := false
	m, ok := lib.Match(words)
	if !ok {
		m, ok = lib.Correct(words)
		if ok {
			corrected = true
			notes = append(notes, fmt.Sprintf("Showing %s for %q.", m.Briefing.Topic, strings.Join(words[:m.Words], " ")))
		}
	}
	if !ok {
		return b.notFound(lib, strings.Join(words, " "))
	}
	br, rest := m.Briefing, words[m.Words:]
	if len(m.Ambiguous) > 0 {
		picked, consumed := pickByTitle(append([]*briefings.Briefing{m.Briefing}, m.Ambiguous...), rest)
		if picked == nil {
			return b.disambiguate(lib, strings.Join(words[:m.Words], " "), m)
		}
		br, rest = picked, rest[consumed:]
	}

	// "@2024-05-01" picks an older briefing of the topic.
	if len(rest) > 0 && strings.HasPrefix(rest[0], "@") {
		v, ok := pickVersion(lib.Versions(br.Key()), rest[0][1:])
		if !ok {
			r := b.versions(lib, br)
			r.Kind = KindNotFound
			r.Notes = append(notes, fmt.Sprintf("No version dated %q.", rest[0][1:]))
			return r
		}
		br, rest = v, rest[1:]
		notes = append(notes, fmt.Sprintf("Showing the briefing of %s.", v.Date.Format(time.DateOnly)))
	}

	var r Reply
	switch q := strings.ToLower(strings.Join(rest, " ")); q {
	case "":
		r = b.overview(lib, br)
	case "all", "full", "everything", "whole":
		r = b.full(lib, br)
	case "versions", "history of versions", "older", "archive":
		r = b.versions(lib, br)
	default:
		sec, found := br.FindSection(q)
		if !found {
			r = b.noSection(lib, br, q)
			break
		}
		r = b.section(lib, br, sec)
	}
	r.Notes = append(notes, r.Notes...)
	r.Corrected = corrected
	return r
}

func (b *Bot) overview(lib *briefings.Library, br *briefings.Briefing) Reply {
	r := b.briefingReply(lib, br, KindOverview)
	r.Lede = blockTexts(br.Lede)
	if len(br.Sections) > 0 {
		s := Section{Heading: "In this briefing"}
		for _, sec := range br.Sections {
			s.Blocks = append(s.Blocks, Block{Bullet: true, Text: sec.Heading})
		}
		r.Sections = append(r.Sections, s)
	}
	r.Suggestions = b.sectionSuggestions(lib, br, nil)
	return r
}

func (b *Bot) full(lib *briefings.Library, br *briefings.Briefing) Reply {
	r := b.briefingReply(lib, br, KindFull)
	r.Lede = blockTexts(br.Lede)
	for i := range br.Sections {
		r.Sections = append(r.Sections, convertSection(&br.Sections[i]))
	}
	return r
}

func (b *Bot) section(lib *briefings.Library, br *briefings.Briefing, sec *briefings.Section) Reply {
	r := b.briefingReply(lib, br, KindSection)
	r.Sections = []Section{convertSection(sec)}
	r.Suggestions = b.sectionSuggestions(lib, br, sec)
	return r
}

func (b *Bot) versions(lib *briefings.Library, br *briefings.Briefing) Reply {
	r := Reply{Kind: KindList, Topic: br.Key(), Title: br.Topic + ": versions"}
	q := b.topicQuery(lib, br)
	for _, v := range lib.Versions(br.Key()) {
		r.Items = append(r.Items, Item{Title: v.Title, Text: v.Headline(), Date: v.Date, Query: q + " @" + v.Date.Format(time.DateOnly)})
	}
	return r
}

func (b *Bot) noSection(lib *briefings.Library, br *briefings.Briefing, q string) Reply {
	r := b.briefingReply(lib, br, KindNotFound)
	if k := briefings.KindOf(q); k != briefings.KindOther {
		r.Notes = append(r.Notes, fmt.Sprintf("The %s briefing has no %s section.", br.Topic, k))
	} else {
		r.Notes = append(r.Notes, fmt.Sprintf("The %s briefing has no section matching %q.", br.Topic, q))
	}
	r.Suggestions = b.sectionSuggestions(lib, br, nil)
	for _, h := range lib.Search(br.Topic+" "+q, 3) {
		if h.Briefing.Key() == br.Key() && h.Section == nil {
			continue
		}
		it := Item{Title: h.Briefing.Title, Text: h.Snippet, Date: h.Briefing.Date, Query: b.topicQuery(lib, h.Briefing)}
		if h.Section != nil {
			it.Title += " — " + h.Section.Heading
			it.Query += " " + sectionQuery(h.Briefing, h.Section)
		}
		r.Items = append(r.Items, it)
	}
	return r
}

func (b *Bot) notFound(lib *briefings.Library, query string) Reply {
	r := Reply{Kind: KindNotFound, Title: fmt.Sprintf("No briefing for %q", query)}
	r.Suggestions = b.didYouMean(lib, query)
	if len(r.Suggestions) > 0 {
		r.Notes = append(r.Notes, "Did you mean one of these?")
	}
	for _, h := range lib.Search(query, 5) {
		it := Item{Title: h.Briefing.Title, Text: h.Snippet, Date: h.Briefing.Date, Query: b.topicQuery(lib, h.Briefing)}
		if h.Section != nil {
			it.Title += " — " + h.Section.Heading
			it.Query += " " + sectionQuery(h.Briefing, h.Section)
		}
		r.Items = append(r.Items, it)
	}
	if len(r.Suggestions) == 0 && len(r.Items) == 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("Try %s list to see every topic.", b.command))
		r.Suggestions = append(r.Suggestions, Suggestion{Label: "List topics", Query: "list"})
	}
	return r
}

func (b *Bot) disambiguate(lib *briefings.Library, said string, m briefings.Match) Reply {
	r := Reply{Kind: KindList, Title: fmt.Sprintf("Several briefings match %q", said)}
	r.Notes = append(r.Notes, "Which one did you mean?")
	for _, br := range append([]*briefings.Briefing{m.Briefing}, m.Ambiguous...) {
		q := b.topicQuery(lib, br)
		r.Items = append(r.Items, Item{Title: br.Title, Text: br.Headline(), Date: br.Date, Query: q})
		r.Suggestions = append(r.Suggestions, Suggestion{Label: br.Title, Query: q})
	}
	return r
}

func (b *Bot) didYouMean(lib *briefings.Library, query string) []Suggestion {
	var out []Suggestion
	for _, br := range lib.Suggest(query, 3) {
		out = append(out, Suggestion{Label: br.Topic, Query: b.topicQuery(lib, br)})
	}
	return out
}

func (b *Bot) briefingReply(lib *briefings.Library, br *briefings.Briefing, kind Kind) Reply {
	// A file path is shown by name only: where the server keeps its
	// briefings is no business of the people asking.
	src := br.Source
	if src == "" {
		src = filepath.Base(br.Path)
	}
	return Reply{
		Kind:   kind,
		Topic:  br.Key(),
		Title:  br.Title,
		Footer: Footer{Source: src, Date: br.Date},
	}
}

// sectionSuggestions offers the briefing's sections other than current,
// and the overview when a section is shown.
func (b *Bot) sectionSuggestions(lib *briefings.Library, br *briefings.Briefing, current *briefings.Section) []Suggestion {
	q := b.topicQuery(lib, br)
	var out []Suggestion
	if current != nil {
		label := "Overview"
		for _, s := range br.Sections {
			if strings.EqualFold(s.Heading, label) {
				label = "Briefing overview"
			}
		}
		out = append(out, Suggestion{Label: label, Query: q})
	}
	for i := range br.Sections {
		s := &br.Sections[i]
		if s == current {
			continue
		}
		out = append(out, Suggestion{Label: s.Heading, Query: q + " " + sectionQuery(br, s)})
	}
	return out
}

// topicQuery is the name that leads back to br in suggestions: its topic
// key, or when that is long (a report title), the shortest alias that the
// library resolves to br alone. Words beat codes: a report number such as
// "if10491" is used only when nothing else is shorter.
func (b *Bot) topicQuery(lib *briefings.Library, br *briefings.Briefing) string {
	best := br.Key()
	if len(best) <= maxPlainTopicQuery {
		return best
	}
	better := func(n string) bool {
		if hasDigit(n) != hasDigit(best) {
			return !hasDigit(n)
		}
		return len(n) < len(best)
	}
	for _, a := range br.Aliases {
		n := briefings.Normalize(a)
		if n == "" || !better(n) {
			continue
		}
		words := strings.Fields(n)
		m, ok := lib.Match(words)
		if ok && m.Words == len(words) && len(m.Ambiguous) == 0 && m.Briefing.Key() == br.Key() {
			best = n
		}
	}
	return best
}

// maxPlainTopicQuery is the longest topic key used as it is in suggestions.
const maxPlainTopicQuery = 24

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// sectionQuery is the words that lead back to s within br: its kind when s
// is the first section of that kind, else its heading.
func sectionQuery(br *briefings.Briefing, s *briefings.Section) string {
	if s.Kind != briefings.KindOther {
		for i := range br.Sections {
			if br.Sections[i].Kind == s.Kind {
				if &br.Sections[i] == s {
					return string(s.Kind)
				}
				break
			}
		}
	}
	return briefings.Normalize(s.Heading)
}

// pickByTitle chooses among briefings sharing an alias by the words that
// follow it: the one whose title holds the most leading rest words.
func pickByTitle(cands []*briefings.Briefing, rest []string) (*briefings.Briefing, int) {
	var best *briefings.Briefing
	bestN, tie := 0, false
	for _, c := range cands {
		title := " " + briefings.Normalize(c.Title) + " "
		n := 0
		for _, w := range rest {
			if !strings.Contains(title, " "+briefings.Normalize(w)+" ") {
				break
			}
			n++
		}
		switch {
		case n > bestN:
			best, bestN, tie = c, n, false
		case n == bestN && n > 0:
			tie = true
		}
	}
	if best == nil || tie {
		return nil, 0
	}
	return best, bestN
}

// pickVersion finds the newest version whose date starts with date
// ("2024", "2024-05", "2024-05-01").
func pickVersion(versions []*briefings.Briefing, date string) (*briefings.Briefing, bool) {
	for _, v := range versions {
		if strings.HasPrefix(v.Date.Format(time.DateOnly), date) {
			return v, true
		}
	}
	return nil, false
}

func convertSection(s *briefings.Section) Section {
	out := Section{Heading: s.Heading, Blocks: make([]Block, 0, len(s.Blocks))}
	for _, bl := range s.Blocks {
		out.Blocks = append(out.Blocks, Block{Bullet: bl.Bullet, Label: bl.Label, Text: bl.Text})
	}
	return out
}

func blockTexts(bs []briefings.Block) []string {
	out := make([]string, 0, len(bs))
	for _, bl := range bs {
		out = append(out, bl.Text)
	}
	return out
}
