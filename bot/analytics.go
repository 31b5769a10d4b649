package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings"
)

// What readers asked that no briefing answers: questions the core could
// not answer or answered by a guess are counted by their normalised words,
// with the suggestions given, and readers' Helpful / Not helpful votes on
// answers are counted by topic and section. Nothing kept names a user or a
// channel: a vote is de-duplicated by a salted hash of who voted on what.

// Gap outcomes: how a question went unanswered.
const (
	// GapUnanswered: no briefing, section or search hit answered it.
	GapUnanswered = "unanswered"
	// GapGuessed: it was answered, but only by correcting a typo or by
	// guessing which topic was meant from part of its name.
	GapGuessed = "guessed"
)

// Vote outcomes, as VoteResult reports and metrics count them.
const (
	VoteHelpful    = "helpful"
	VoteNotHelpful = "not_helpful"
	// VoteRepeated: the user had voted on this answer before; the latest
	// vote replaces theirs, and nothing is counted twice.
	VoteRepeated = "repeated"
)

// PlatformDesk marks questions asked on the editors' desk: editors trying
// the bot, not readers, so they are never counted as gaps.
const PlatformDesk Platform = "desk"

// maxGapQuestion caps the words kept of one question, in runes.
const maxGapQuestion = 200

// maxGapSuggestions caps the suggestions kept with a question.
const maxGapSuggestions = 5

// Gap is one question that went unanswered or was answered by a guess.
type Gap struct {
	// Question is what was asked, normalised (briefings.Normalize): lower
	// case, no punctuation or diacritics.
	Question string
	// Outcome is GapUnanswered or GapGuessed.
	Outcome string
	// Suggestions are the labels of what the bot offered instead.
	Suggestions []string
}

// GapCount is how often a question went unanswered in a period.
type GapCount struct {
	Question string
	Outcome  string
	Count    int
	// Suggestions are those given the last time it was asked.
	Suggestions []string
	// LastAsked is when it was last asked, in UTC.
	LastAsked time.Time
}

// VoteCount is how readers rated the answers on one section of a topic.
type VoteCount struct {
	Topic string
	// Section is the section's heading; "" is the overview, "all" the
	// whole briefing.
	Section    string
	Helpful    int
	NotHelpful int
}

// AnalyticsStore keeps the counts, shared by every replica.
type AnalyticsStore interface {
	// RecordGap counts one more asking of g.Question with g.Outcome at at,
	// keeping g.Suggestions as the latest given.
	RecordGap(ctx context.Context, g Gap, at time.Time) error
	// Gaps returns the questions asked since since, most asked first
	// (ties by question), at most limit (limit <= 0 means all). Counts
	// are kept per UTC day, so since is rounded down to its day.
	Gaps(ctx context.Context, since time.Time, limit int) ([]GapCount, error)
	// AnalyticsSalt returns the store-wide secret salt for vote keys,
	// creating it on first use; every replica gets the same one.
	AnalyticsSalt(ctx context.Context) ([]byte, error)
	// RecordVote records the vote of voter (a salted hash of a user and an
	// answer) on topic and section. A voter's first vote returns true; a
	// later one replaces it and returns false.
	RecordVote(ctx context.Context, voter, topic, section string, helpful bool, at time.Time) (first bool, err error)
	// Votes returns the votes cast since since by topic and section, most
	// "Not helpful" first (ties by topic, then section).
	Votes(ctx context.Context, since time.Time) ([]VoteCount, error)
	// PruneAnalytics removes questions last asked and votes cast before
	// before, returning how many rows went.
	PruneAnalytics(ctx context.Context, before time.Time) (int64, error)
}

// GapOf says whether reply left the question req asked unanswered or
// answered it by a guess, and returns the gap to count. Commands other
// than questions (help, list, subscriptions, digests) and questions asked
// on the desk are never gaps.
func GapOf(req Request, reply Reply) (Gap, bool) {
	if req.Platform == PlatformDesk {
		return Gap{}, false
	}
	q := briefings.Normalize(req.Text)
	if q == "" {
		return Gap{}, false
	}
	var outcome string
	switch {
	case reply.Kind == KindNotFound:
		outcome = GapUnanswered
	case reply.Kind == KindError || reply.Kind == KindHelp || reply.Kind == KindSubscriptions || reply.Kind == KindDigest:
		return Gap{}, false
	case reply.Corrected || guessed(reply):
		outcome = GapGuessed
	default:
		return Gap{}, false
	}
	if utf8.RuneCountInString(q) > maxGapQuestion {
		q = strings.TrimSpace(string([]rune(q)[:maxGapQuestion]))
	}
	g := Gap{Question: q, Outcome: outcome}
	for _, s := range reply.Suggestions {
		if len(g.Suggestions) == maxGapSuggestions {
			break
		}
		g.Suggestions = append(g.Suggestions, s.Label)
	}
	for _, it := range reply.Items {
		if len(g.Suggestions) == maxGapSuggestions {
			break
		}
		g.Suggestions = append(g.Suggestions, it.Title)
	}
	return g, true
}

// guessed reports whether the reply notes that the topic was guessed from
// part of what was said: "Showing Kazakhstan for "kazak"." The core marks
// a typo correction with Reply.Corrected and a partial match only with
// this note, so the note's form is the contract.
func guessed(r Reply) bool {
	if r.Topic == "" {
		return false
	}
	for _, n := range r.Notes {
		rest, ok := strings.CutPrefix(n, "Showing ")
		if ok && strings.Contains(rest, " for \"") && strings.HasSuffix(n, "\".") {
			return true
		}
	}
	return false
}

// VoteTarget returns what a Helpful / Not helpful vote on reply rates: its
// topic and section ("" for the overview, "all" for the whole briefing).
// Adapters show the buttons only when ok.
func VoteTarget(reply Reply) (topic, section string, ok bool) {
	if reply.Topic == "" {
		return "", "", false
	}
	switch reply.Kind {
	case KindOverview:
		return reply.Topic, "", true
	case KindFull:
		return reply.Topic, "all", true
	case KindSection:
		if len(reply.Sections) == 1 {
			return reply.Topic, reply.Sections[0].Heading, true
		}
		headings := make([]string, len(reply.Sections))
		for i, s := range reply.Sections {
			headings[i] = s.Heading
		}
		return reply.Topic, strings.Join(headings, " + "), true
	}
	return "", "", false
}

// VoteRequest is a reader's press of Helpful or Not helpful under an
// answer. User is used only to count the vote once and is never kept.
type VoteRequest struct {
	Platform Platform
	User     string
	// Topic and Section are what VoteTarget returned for the answer.
	Topic   string
	Section string
	Helpful bool
}

// Voter counts votes; adapters call it when a vote button is pressed.
type Voter interface {
	Vote(ctx context.Context, v VoteRequest) (outcome string, err error)
}

// AnalyticsOptions configure Analytics.
type AnalyticsOptions struct {
	// Store keeps the counts; required.
	Store AnalyticsStore
	// Retention is how long counts are kept; 0 means 30 days.
	Retention time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives failures to record; nil discards. Questions are
	// never logged.
	Logger *slog.Logger
	// Counted, when set, is told each gap and vote outcome counted, for
	// metrics ("unanswered", "guessed"; "helpful", "not_helpful", "repeated").
	CountedGap  func(outcome string)
	CountedVote func(outcome string)
	// Queue is how many gaps may wait to be written; 0 means 1024. Past
	// it, gaps are dropped (and logged) rather than slow an answer down.
	Queue int
}

// Analytics records gaps and votes. Observe queues gaps for Run to write,
// so answering never waits on the store; Vote writes at once. It is safe
// for concurrent use.
type Analytics struct {
	store       AnalyticsStore
	retention   time.Duration
	now         func() time.Time
	log         *slog.Logger
	countedGap  func(string)
	countedVote func(string)
	queue       chan queuedGap

	saltMu sync.Mutex
	salt   []byte
}

type queuedGap struct {
	gap Gap
	at  time.Time
}

// DefaultRetention is how long counts are kept unless configured.
const DefaultRetention = 30 * 24 * time.Hour

var _ Voter = (*Analytics)(nil)

// NewAnalytics returns Analytics on opts.Store.
func NewAnalytics(opts AnalyticsOptions) (*Analytics, error) {
	if opts.Store == nil {
		return nil, errors.New("analytics: no store")
	}
	a := &Analytics{
		store:       opts.Store,
		retention:   opts.Retention,
		now:         opts.Now,
		log:         opts.Logger,
		countedGap:  opts.CountedGap,
		countedVote: opts.CountedVote,
	}
	if a.retention <= 0 {
		a.retention = DefaultRetention
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	n := opts.Queue
	if n <= 0 {
		n = 1024
	}
	a.queue = make(chan queuedGap, n)
	return a, nil
}

// Observe queues req for counting when reply left it unanswered or
// guessed. Its signature is Options.Observe's, so it can be chained there;
// on a nil Analytics (analytics off) it does nothing.
func (a *Analytics) Observe(req Request, reply Reply, _ time.Duration) {
	if a == nil {
		return
	}
	g, ok := GapOf(req, reply)
	if !ok {
		return
	}
	select {
	case a.queue <- queuedGap{gap: g, at: a.now()}:
	default:
		a.log.Warn("analytics: queue full, a question was not counted")
	}
}

// Record counts gap g now, synchronously.
func (a *Analytics) Record(ctx context.Context, g Gap) error {
	if err := a.store.RecordGap(ctx, g, a.now()); err != nil {
		return fmt.Errorf("count question: %w", err)
	}
	if a.countedGap != nil {
		a.countedGap(g.Outcome)
	}
	return nil
}

// Run writes queued gaps and removes counts older than the retention,
// at once and then hourly, until ctx ends.
func (a *Analytics) Run(ctx context.Context) error {
	a.prune(ctx)
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case q := <-a.queue:
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if err := a.store.RecordGap(wctx, q.gap, q.at); err != nil {
				a.log.Warn("analytics: question not counted", "outcome", q.gap.Outcome, "err", err)
			} else if a.countedGap != nil {
				a.countedGap(q.gap.Outcome)
			}
			cancel()
		case <-tick.C:
			a.prune(ctx)
		}
	}
}

func (a *Analytics) prune(ctx context.Context) {
	if _, err := a.Prune(ctx); err != nil && ctx.Err() == nil {
		a.log.Warn("analytics: old counts not removed", "err", err)
	}
}

// Prune removes the counts older than the retention.
func (a *Analytics) Prune(ctx context.Context) (int64, error) {
	n, err := a.store.PruneAnalytics(ctx, a.now().Add(-a.retention))
	if err != nil {
		return 0, fmt.Errorf("remove analytics older than %s: %w", a.retention, err)
	}
	return n, nil
}

// Vote counts v once per user and answer; a repeated press replaces the
// user's earlier vote. It returns VoteHelpful or VoteNotHelpful for a
// first vote, VoteRepeated otherwise.
func (a *Analytics) Vote(ctx context.Context, v VoteRequest) (string, error) {
	if v.User == "" || v.Topic == "" {
		return "", errors.New("vote: no user or topic")
	}
	salt, err := a.saltOf(ctx)
	if err != nil {
		return "", fmt.Errorf("vote: %w", err)
	}
	mac := hmac.New(sha256.New, salt)
	for _, s := range []string{string(v.Platform), v.User, v.Topic, v.Section} {
		mac.Write([]byte(s))
		mac.Write([]byte{0})
	}
	voter := hex.EncodeToString(mac.Sum(nil))
	first, err := a.store.RecordVote(ctx, voter, v.Topic, v.Section, v.Helpful, a.now())
	if err != nil {
		return "", fmt.Errorf("vote on %s %q: %w", v.Topic, v.Section, err)
	}
	outcome := VoteRepeated
	switch {
	case first && v.Helpful:
		outcome = VoteHelpful
	case first:
		outcome = VoteNotHelpful
	}
	if a.countedVote != nil {
		a.countedVote(outcome)
	}
	return outcome, nil
}

func (a *Analytics) saltOf(ctx context.Context) ([]byte, error) {
	a.saltMu.Lock()
	defer a.saltMu.Unlock()
	if a.salt == nil {
		s, err := a.store.AnalyticsSalt(ctx)
		if err != nil {
			return nil, err
		}
		a.salt = s
	}
	return a.salt, nil
}

// ParseWindow reads how far back to look: a number of days ("7d", at most
// 36500) or a Go duration ("36h", "90m").
func ParseWindow(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 && n <= 36500 && strconv.Itoa(n) == days {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("%q is not a period such as 7d, 36h or 90m", s)
}

// GapsReport is what readers asked that no briefing answers in a period,
// and the sections they marked "Not helpful": what briefbot gaps prints
// and the desk shows.
type GapsReport struct {
	Since time.Time
	// Gaps are the questions, most asked first.
	Gaps []GapCount
	// NotHelpful are the sections with a "Not helpful" vote, most first.
	NotHelpful []VoteCount
	// Votes are every rated section, most "Not helpful" first.
	Votes []VoteCount
}

// ReadGaps reads the report since since, at most limit questions and
// sections of each kind (limit <= 0 means all).
func ReadGaps(ctx context.Context, st AnalyticsStore, since time.Time, limit int) (GapsReport, error) {
	r := GapsReport{Since: since}
	var err error
	if r.Gaps, err = st.Gaps(ctx, since, limit); err != nil {
		return r, err
	}
	if r.Votes, err = st.Votes(ctx, since); err != nil {
		return r, err
	}
	for _, v := range r.Votes {
		if v.NotHelpful > 0 && (limit <= 0 || len(r.NotHelpful) < limit) {
			r.NotHelpful = append(r.NotHelpful, v)
		}
	}
	if limit > 0 && len(r.Votes) > limit {
		r.Votes = r.Votes[:limit]
	}
	return r, nil
}

// SectionName shows the section a vote rated: "(overview)" and "(whole
// briefing)" for the two that have no heading.
func SectionName(s string) string {
	switch s {
	case "":
		return "(overview)"
	case "all":
		return "(whole briefing)"
	}
	return s
}
