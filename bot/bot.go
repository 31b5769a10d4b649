package bot

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"slices"
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
		return b.help(ctx, lib, req, b.commandFor(req))
	}
	q := newQuestionOf(words)
	if r, ok := b.runCommand(ctx, req, lib, &q, words); ok {
		return r
	}
	return b.topic(ctx, lib, &q)
}

// Words that may stand beside "help" and "list" without making a question
// about a topic: "help me", "list all topics", "what topics are there".
var (
	helpWords = wordSet("help me please how do i use usage commands ?")
	listWords = wordSet("list topics all show me the what which are there available briefings give please")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// runCommand answers the commands: help, list, search, subscribe,
// unsubscribe, subscriptions and digest. A command word starts a command
// only where its grammar fits; where it begins a topic's name ("Search
// engines and elections", "Digest of rulings") the topic wins.
func (b *Bot) runCommand(ctx context.Context, req Request, lib *briefings.Library, q *question, words []string) (Reply, bool) {
	first := strings.ToLower(strings.TrimRight(words[0], "?!.,:"))
	if words[0] == "?" {
		first = "?"
	}
	only := func(set map[string]bool, must ...string) bool {
		found := false
		for _, t := range q.toks {
			if t.sep() {
				continue
			}
			if !set[t.norm] {
				return false
			}
			for _, m := range must {
				found = found || t.norm == m
			}
		}
		return found
	}
	switch first {
	case "help", "?":
		if len(words) == 1 || only(helpWords, "help") {
			return b.help(ctx, lib, req, b.commandFor(req)), true
		}
		return Reply{}, false
	case "list", "topics":
		if len(words) == 1 || only(listWords, "list", "topics") {
			return b.list(lib), true
		}
		return Reply{}, false
	case "subscribe", "unsubscribe", "subscriptions", "digest", "search", "find":
	default:
		if only(listWords, "topics") {
			return b.list(lib), true // "what topics are there?"
		}
		return Reply{}, false
	}
	if run, ok := lib.LongestTopic(q.norms, nil); ok && run.Start == 0 && run.Words >= 2 {
		return Reply{}, false // the command word begins a topic's name
	}
	if len(q.norms) >= 2 && (first == "search" || first == "find" || first == "digest") {
		// "search engines risks": the command word and the next word
		// are words of one topic's name.
		if ts, _ := lib.TopicsNamedBy(q.norms[:2], 1); len(ts) > 0 {
			return Reply{}, false
		}
	}
	switch first {
	case "subscribe":
		return b.subscribe(ctx, req, words[1:]), true
	case "unsubscribe":
		return b.unsubscribe(ctx, req, words[1:]), true
	case "subscriptions":
		if len(words) == 1 {
			return b.subscriptions(ctx, req), true
		}
	case "digest":
		return b.preview(ctx, req, words[1:]), true
	case "search", "find":
		if len(words) > 1 {
			return b.search(lib, strings.Join(words[1:], " ")), true
		}
		return b.help(ctx, lib, req, b.commandFor(req)), true
	}
	return Reply{}, false
}

func (b *Bot) help(ctx context.Context, lib *briefings.Library, req Request, c string) Reply {
	r := Reply{
		Kind:  KindHelp,
		Title: "briefbot: news briefings on demand",
		Lede: []string{
			fmt.Sprintf("Ask for a briefing by topic, then narrow it to the part you need: %s <topic> [section].", c),
		},
	}
	example := "kazakhstan" // a topic for the examples: the library's first, if any
	if topics := lib.Topics(); len(topics) > 0 {
		example = b.topicQuery(lib, topics[0])
	}
	usage := Section{Heading: "How to ask", Blocks: []Block{
		{Bullet: true, Label: c + " <topic>", Text: "the overview: title, lede and the sections it has"},
		{Bullet: true, Label: c + " <topic> <section>", Text: "one section only, such as risks, what's new, why it matters or looking ahead"},
		{Bullet: true, Label: c + " <topic> all", Text: "the whole briefing"},
		{Bullet: true, Label: c + " <topic> versions", Text: "older briefings on the same topic"},
		{Bullet: true, Label: c + " <topic> changes", Text: "what changed since the previous version, section by section"},
		{Bullet: true, Label: c + " what could go wrong in " + example + "?", Text: "ask in your own words: the topic anywhere, several sections (risks and outlook), a date (@2025-11, january, previous)"},
		{Bullet: true, Label: c + " " + example + " <words>", Text: "words that name no section find the bullets and paragraphs that say them"},
		{Bullet: true, Label: c + " list", Text: "every topic with its headline and date"},
		{Bullet: true, Label: c + " search <words>", Text: "full-text search over every briefing"},
	}}
	r.Sections = append(r.Sections, usage)
	if s, ok := b.digestHelp(ctx, req, c, example); ok {
		r.Sections = append(r.Sections, s)
	}
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
		r.Items = append(r.Items, b.hitItem(lib, h))
	}
	return r
}

// topic answers a question about a topic: its overview, sections,
// bullets, passages, whole text or versions, of the version asked for.
func (b *Bot) topic(ctx context.Context, lib *briefings.Library, q *question) Reply {
	u := q.findTopic(lib, b.maxItems)
	if len(u.topic) == 0 {
		return b.notFound(lib, q, u)
	}
	rest := q.rest(u)
	br := u.topic[0]
	if len(u.topic) > 1 {
		// Topics sharing a name: the other words may name one by its title.
		var words []string
		var at []int
		for _, i := range rest {
			if q.content(i) {
				words = append(words, q.norms[i])
				at = append(at, i)
			}
		}
		picked, used := pickByTitle(u.topic, words)
		if picked == nil {
			return b.disambiguate(lib, u)
		}
		br = picked
		var keep []int
		for _, i := range rest {
			if !slices.ContainsFunc(used, func(k int) bool { return at[k] == i }) {
				keep = append(keep, i)
			}
		}
		rest = keep
		if u.how == "" {
			u.how = "partial" // a guess among several: say so
		}
		u.said = strings.TrimSpace(u.said + " … " + strings.Join(pick(words, used), " "))
	}
	var notes []string
	corrected := false
	switch u.how {
	case "partial":
		notes = append(notes, fmt.Sprintf("Showing %s for %q.", br.Topic, u.said))
	case "typo":
		corrected = true
		notes = append(notes, fmt.Sprintf("Showing %s for %q.", br.Topic, u.said))
	}

	// The topic's versions matter only to a question with a date, which
	// most have not: they are listed on first need, not on every answer.
	var versions []*briefings.Briefing
	listed := false
	versionsOf := func() []*briefings.Briefing {
		if !listed {
			versions, listed = lib.Versions(br.Key()), true
		}
		return versions
	}
	has := func(d dateSpec) bool {
		for _, v := range versionsOf() {
			if d.matches(v.Date) {
				return true
			}
		}
		return false
	}
	d, rest := q.takeDate(rest, br, has)
	if d != nil {
		var note string
		br, note = pickVersion(versionsOf(), *d, br)
		if note != "" {
			notes = append(notes, note)
		}
	}

	w := q.parts(rest, br)
	var r Reply
	switch {
	case w.changes && len(w.parts) == 0:
		var since time.Time
		if d != nil {
			since = br.Date // "kazakhstan changes since january"
		}
		r = b.Changes(ctx, lib, br.Key(), since)
	case w.versions:
		r = b.versions(lib, br)
	case len(w.parts) == 0 && len(w.leftover) == 0 && len(w.missing) == 0 && w.whole:
		r = b.full(lib, br)
	case len(w.parts) == 0 && len(w.leftover) == 0 && len(w.missing) == 0:
		r = b.overview(lib, br)
	default:
		r = b.parts(lib, br, w)
	}
	r.Notes = append(notes, r.Notes...)
	r.Corrected = corrected
	return r
}

// pick returns the words at the positions used.
func pick(words []string, used []int) []string {
	out := make([]string, len(used))
	for k, i := range used {
		out[k] = words[i]
	}
	return out
}

// maxPassages caps the passages shown for words that name no section.
const maxPassages = 5

// parts answers the sections, bullets and passages a question names in
// br: named sections and bullets in the briefing's order, then passages
// holding the other words, best first, each under its heading.
func (b *Bot) parts(lib *briefings.Library, br *briefings.Briefing, w want) Reply {
	r := b.briefingReply(lib, br, KindSection)
	r.Notes = append(r.Notes, w.notes...)
	whole := map[*briefings.Section]bool{}
	bullets := map[*briefings.Section][]int{}
	for _, p := range w.parts {
		if p.Block < 0 {
			whole[p.Section] = true
		} else if !slices.Contains(bullets[p.Section], p.Block) {
			bullets[p.Section] = append(bullets[p.Section], p.Block)
		}
	}
	// A section asked for whole comes with its subsections ("### …"
	// under its "## …"), which follow it in br.Sections.
	// The parts are walked rather than the map, which is cheaper to
	// read than to range over.
	for _, p := range w.parts {
		if p.Block < 0 {
			subs := br.Subsections(p.Section)
			for k := range subs {
				whole[&subs[k]] = true
			}
		}
	}
	ledeHeading := "Introduction"
	addBullets := func(sec *briefings.Section, heading string, blocks []briefings.Block) {
		idx := bullets[sec]
		if len(idx) == 0 {
			return
		}
		slices.Sort(idx)
		out := Section{Heading: heading}
		for _, j := range idx {
			out.Blocks = append(out.Blocks, convertBlock(blocks[j]))
		}
		r.Sections = append(r.Sections, out)
	}
	addBullets(nil, ledeHeading, br.Lede)
	var current *briefings.Section
	for i := range br.Sections {
		s := &br.Sections[i]
		switch {
		case whole[s]:
			r.Sections = append(r.Sections, convertSection(s))
			current = s
		case len(bullets[s]) > 0:
			addBullets(s, s.Heading, s.Blocks)
		}
	}
	for _, k := range w.missing {
		r.Notes = append(r.Notes, fmt.Sprintf("The %s briefing has no %s section.", br.Topic, kindName(k)))
	}
	if len(w.leftover) > 0 {
		shown := func(p briefings.Passage) bool {
			return p.Section != nil && whole[p.Section] || slices.Contains(bullets[p.Section], p.Block)
		}
		var groups []Section
		var groupOf []*briefings.Section
		for _, p := range br.Passages(w.leftover, maxPassages) {
			if shown(p) {
				continue
			}
			g := slices.Index(groupOf, p.Section)
			if g < 0 {
				heading := ledeHeading
				if p.Section != nil {
					heading = p.Section.Heading
				}
				groups = append(groups, Section{Heading: heading})
				groupOf = append(groupOf, p.Section)
				g = len(groups) - 1
			}
			groups[g].Blocks = append(groups[g].Blocks, convertBlock(p.BlockIn(br)))
		}
		said := strings.Join(w.rawLeft, " ")
		switch {
		case len(groups) > 0:
			r.Notes = append(r.Notes, fmt.Sprintf("Showing the passages that mention %q.", said))
			r.Sections = append(r.Sections, groups...)
		case len(r.Sections) > 0:
			r.Notes = append(r.Notes, fmt.Sprintf("Nothing in the %s briefing matches %q.", br.Topic, said))
		}
	}
	if len(r.Sections) == 0 {
		nf := b.noSection(lib, br, strings.Join(w.rawLeft, " "))
		nf.Notes = append(r.Notes, nf.Notes...)
		return nf
	}
	if len(r.Sections) == 1 {
		r.Suggestions = b.sectionSuggestions(lib, br, r.Topic, current)
	} else {
		r.Suggestions = b.sectionSuggestions(lib, br, r.Topic, nil)
	}
	return r
}

func convertBlock(bl briefings.Block) Block {
	return Block{Bullet: bl.Bullet, Label: bl.Label, Text: bl.Text}
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
	r.Suggestions = b.sectionSuggestions(lib, br, r.Topic, nil)
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
	subs := br.SectionWithSubsections(sec)
	for k := range subs {
		r.Sections = append(r.Sections, convertSection(&subs[k]))
	}
	r.Suggestions = b.sectionSuggestions(lib, br, r.Topic, sec)
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

// noSection answers a question whose words name nothing in br: the
// notes already made say what was missing; said is the words that matched
// nothing. It offers br's sections; it does not search the library, which
// at a hundred thousand briefings costs more than the rest of the reply
// many times over, for words the asker tied to this topic.
func (b *Bot) noSection(lib *briefings.Library, br *briefings.Briefing, said string) Reply {
	r := b.briefingReply(lib, br, KindNotFound)
	if said != "" {
		r.Notes = append(r.Notes, fmt.Sprintf("The %s briefing has no section or passage matching %q.", br.Topic, said))
	}
	r.Suggestions = b.sectionSuggestions(lib, br, r.Topic, nil)
	return r
}

// hitItem is a search hit as a list item that asks for its section.
func (b *Bot) hitItem(lib *briefings.Library, h briefings.Hit) Item {
	it := Item{Title: h.Briefing.Title, Text: h.Snippet, Date: h.Briefing.Date, Query: b.topicQuery(lib, h.Briefing)}
	if h.Section != nil {
		it.Title += " — " + h.Section.Heading
		it.Query += " " + sectionQuery(h.Briefing, h.Section)
	}
	return it
}

// notFound answers a question that names no topic: the topics it may have
// meant, and search hits for its words.
func (b *Bot) notFound(lib *briefings.Library, q *question, u understood) Reply {
	var said, plain []string
	for i, t := range q.toks {
		if q.content(i) {
			plain = append(plain, t.norm)
			if len(said) == 0 || said[len(said)-1] != t.raw {
				said = append(said, t.raw)
			}
		}
	}
	title := strings.Join(said, " ")
	if title == "" {
		// Only section words, dates or filler: "risks", "what's new?".
		r := Reply{Kind: KindNotFound, Title: "Which topic?"}
		example := "kazakhstan"
		if topics := lib.Topics(); len(topics) > 0 {
			example = b.topicQuery(lib, topics[0])
		}
		asked := strings.TrimSpace(strings.Join(fieldsOf(q), " "))
		r.Notes = append(r.Notes, fmt.Sprintf("Name a topic as well, as in %s %s %s.", b.command, example, asked))
		r.Suggestions = append(r.Suggestions, Suggestion{Label: "List topics", Query: "list"})
		return r
	}
	r := Reply{Kind: KindNotFound, Title: fmt.Sprintf("No briefing for %q", title)}
	for _, br := range u.maybe {
		r.Suggestions = append(r.Suggestions, Suggestion{Label: br.Topic, Query: b.topicQuery(lib, br)})
	}
	// Names that begin with what was typed ("kaz"), unless it is a place
	// name in its own right.
	for _, w := range plain {
		if len(r.Suggestions) >= 3 || briefings.IsPlaceName(w) || len(w) < 3 {
			continue
		}
		for _, br := range lib.Complete(w, 3) {
			if !slices.ContainsFunc(r.Suggestions, func(s Suggestion) bool { return s.Label == br.Topic }) && len(r.Suggestions) < 3 {
				r.Suggestions = append(r.Suggestions, Suggestion{Label: br.Topic, Query: b.topicQuery(lib, br)})
			}
		}
	}
	if len(r.Suggestions) > 0 {
		r.Notes = append(r.Notes, "Did you mean one of these?")
	}
	if len(plain) > 0 {
		for _, h := range lib.Search(strings.Join(plain, " "), 5) {
			r.Items = append(r.Items, b.hitItem(lib, h))
		}
		if len(r.Items) > 0 {
			r.Notes = append(r.Notes, fmt.Sprintf("These briefings mention %q:", title))
		}
	}
	if len(r.Suggestions) == 0 && len(r.Items) == 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("Try %s list to see every topic.", b.command))
		r.Suggestions = append(r.Suggestions, Suggestion{Label: "List topics", Query: "list"})
	}
	return r
}

func fieldsOf(q *question) []string {
	var out []string
	for _, t := range q.toks {
		out = append(out, t.raw)
	}
	return out
}

// disambiguate asks which of several topics a question meant. It is not
// an answer: the reply is KindNotFound, and ask exits 1.
func (b *Bot) disambiguate(lib *briefings.Library, u understood) Reply {
	r := Reply{Kind: KindNotFound, Title: fmt.Sprintf("Several briefings match %q", u.said)}
	r.Notes = append(r.Notes, "Which one did you mean?")
	for _, br := range u.topic {
		q := b.topicQuery(lib, br)
		r.Items = append(r.Items, Item{Title: br.Title, Text: br.Headline(), Date: br.Date, Query: q})
		r.Suggestions = append(r.Suggestions, Suggestion{Label: br.Title, Query: q})
	}
	if u.more {
		r.Notes = append(r.Notes, fmt.Sprintf("Showing the first %d; add a word of the name to narrow it.", len(u.topic)))
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
// and the overview when a section is shown. key is br.Key(), which every
// caller's reply holds already as its Topic: passing it on saves working
// it out again (Normalize allocates for a capitalised topic).
func (b *Bot) sectionSuggestions(lib *briefings.Library, br *briefings.Briefing, key string, current *briefings.Section) []Suggestion {
	if current == nil && len(br.Sections) == 0 {
		return nil // nothing to offer
	}
	q := b.topicQueryOf(lib, br, key)
	out := make([]Suggestion, 0, len(br.Sections)+1)
	if current != nil {
		label := "Overview"
		for _, s := range br.Sections {
			if strings.EqualFold(s.Heading, label) {
				label = "Briefing overview"
			}
		}
		out = append(out, Suggestion{Label: label, Query: q})
	}
	// Every query is the topic's and a section's words: they are written
	// one after another into one string and sliced from it, one
	// allocation for them all rather than one per section, as this runs
	// on every section answer. A slice stays valid as the builder only
	// appends (briefings' compact does the same).
	var sb strings.Builder
	sb.Grow(len(br.Sections) * (len(q) + 16))
	for i := range br.Sections {
		s := &br.Sections[i]
		if s == current {
			continue
		}
		from := sb.Len()
		sb.WriteString(q)
		sb.WriteByte(' ')
		sb.WriteString(sectionQuery(br, s))
		out = append(out, Suggestion{Label: s.Heading, Query: sb.String()[from:]})
	}
	return out
}

// topicQuery is the name that leads back to br in suggestions: its topic
// key, or when that is long (a report title), the shortest alias that the
// library resolves to br alone. Words beat codes: a report number such as
// "if10491" is used only when nothing else is shorter.
func (b *Bot) topicQuery(lib *briefings.Library, br *briefings.Briefing) string {
	return b.topicQueryOf(lib, br, br.Key())
}

// topicQueryOf is topicQuery for a caller that has br's key already.
func (b *Bot) topicQueryOf(lib *briefings.Library, br *briefings.Briefing, key string) string {
	best := key
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
		if ok && m.Words == len(words) && len(m.Ambiguous) == 0 && m.Briefing.Key() == key {
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

// pickByTitle chooses among briefings sharing a name by the other words
// of the question: the one whose title holds the most of them. It returns
// the positions (in words) of the words it used; nil on a tie.
func pickByTitle(cands []*briefings.Briefing, words []string) (*briefings.Briefing, []int) {
	var best *briefings.Briefing
	var bestUsed []int
	tie := false
	for _, c := range cands {
		title := " " + briefings.Normalize(c.Title) + " "
		var used []int
		for k, w := range words {
			if strings.Contains(title, " "+w+" ") {
				used = append(used, k)
			}
		}
		switch {
		case len(used) > len(bestUsed):
			best, bestUsed, tie = c, used, false
		case len(used) == len(bestUsed) && len(used) > 0:
			tie = true
		}
	}
	if best == nil || tie {
		return nil, nil
	}
	return best, bestUsed
}

// pickVersion picks the version a date asks for: the newest version
// matching it, the one before the newest for "previous", else the version
// nearest the date. The note says which was shown, and when nothing
// matched, that nothing did. current is the newest version.
func pickVersion(versions []*briefings.Briefing, d dateSpec, current *briefings.Briefing) (*briefings.Briefing, string) {
	if len(versions) == 0 {
		return current, ""
	}
	day := func(b *briefings.Briefing) string { return b.Date.Format(time.DateOnly) }
	switch {
	case d.year < 0:
		return versions[0], fmt.Sprintf("Could not read the date %q (write @2025-11-07, @2025-11 or @2025); showing the latest briefing, of %s.", d.said, day(versions[0]))
	case d.previous && len(versions) > 1:
		return versions[1], fmt.Sprintf("Showing the previous briefing, of %s.", day(versions[1]))
	case d.previous:
		return versions[0], fmt.Sprintf("There is no earlier briefing on %s; showing the only one, of %s.", versions[0].Topic, day(versions[0]))
	}
	for _, v := range versions {
		if d.matches(v.Date) {
			return v, fmt.Sprintf("Showing the briefing of %s.", day(v))
		}
	}
	want := d.approx(versions[0].Date)
	best := versions[0]
	for _, v := range versions[1:] {
		if absDuration(v.Date.Sub(want)) < absDuration(best.Date.Sub(want)) {
			best = v
		}
	}
	return best, fmt.Sprintf("No %s briefing is dated %s; showing the nearest, of %s.", best.Topic, d, day(best))
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func convertSection(s *briefings.Section) Section {
	out := Section{Heading: s.Heading, Blocks: make([]Block, 0, len(s.Blocks))}
	for _, bl := range s.Blocks {
		out.Blocks = append(out.Blocks, convertBlock(bl))
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
