package desk

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/publish"
	"github.com/briefbot/briefbot/briefings"
)

// Prefix is where the desk lives.
const Prefix = "/desk"

// DigestStore is what the desk reads of digests: the subscriptions, the
// latest slot of each and how their last slot ended.
type DigestStore interface {
	Subscriptions(ctx context.Context) ([]bot.Subscription, error)
	LastSlots(ctx context.Context) (map[string]time.Time, error)
	Deliveries(ctx context.Context, sub string, limit int) ([]bot.Delivery, error)
}

// Options configure a Handler.
type Options struct {
	// Core answers the ask box and holds the library; required.
	Core *bot.Bot
	// Renderers show replies as each platform will, side by side.
	Renderers []Renderer
	// Tokens open the desk: the publishing API's tokens, as bearer tokens
	// or as HTTP basic auth naming a token.
	Tokens []publish.Token
	// Loopback lets requests in without a token. Set it only when the
	// listener is bound to a loopback address; even then, only requests
	// that arrived on a loopback address get in.
	Loopback bool
	// FirstSeen, when set, says when each briefing version was first seen.
	FirstSeen *bot.FirstSeen
	// Analytics, when set, gives the gaps and the helpful counts.
	Analytics bot.AnalyticsStore
	// Digests, when set, gives the digests' schedules and results.
	Digests DigestStore
	// Window is how far back the gaps look; 0 means 7 days.
	Window time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives failures to read the store; nil discards.
	Logger *slog.Logger
	// MaxTopics caps the topics listed on the front page; 0 means 200.
	MaxTopics int
}

// Handler serves the desk under Prefix. It is safe for concurrent use.
type Handler struct {
	opts  Options
	auth  *publish.Authorizer
	now   func() time.Time
	log   *slog.Logger
	pages *template.Template
	mux   *http.ServeMux

	mu       sync.Mutex
	problems []briefings.Problem
}

//go:embed templates/*.html
var templates embed.FS

// NewHandler checks the tokens and parses the pages.
func NewHandler(opts Options) (*Handler, error) {
	if opts.Core == nil {
		return nil, errors.New("desk: no core")
	}
	auth, err := publish.NewAuthorizer(opts.Tokens)
	if err != nil {
		return nil, fmt.Errorf("desk: %w", err)
	}
	h := &Handler{opts: opts, auth: auth, now: opts.Now, log: opts.Logger, mux: http.NewServeMux()}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.opts.Window <= 0 {
		h.opts.Window = 7 * 24 * time.Hour
	}
	if h.opts.MaxTopics <= 0 {
		h.opts.MaxTopics = 200
	}
	h.pages, err = template.New("desk").Funcs(template.FuncMap{
		"date":     func(t time.Time) string { return when(t, time.DateOnly) },
		"datetime": func(t time.Time) string { return when(t, "2006-01-02 15:04 MST") },
		"section":  bot.SectionName,
		"join":     strings.Join,
		"inc":      func(i int) int { return i + 1 },
		"sub":      func(a, b int) int { return a - b },
	}).ParseFS(templates, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("desk: templates: %w", err)
	}
	h.mux.HandleFunc("GET "+Prefix+"/{$}", h.front)
	h.mux.HandleFunc("GET "+Prefix+"/topic/{key}", h.topic)
	h.mux.HandleFunc("GET "+Prefix+"/ask", h.ask)
	return h, nil
}

func when(t time.Time, layout string) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(layout)
}

// Routes mounts the desk on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle(Prefix, http.RedirectHandler(Prefix+"/", http.StatusMovedPermanently))
	mux.Handle(Prefix+"/", h)
}

// SetProblems replaces the check problems shown: those of the latest load
// or reload of the briefings folder.
func (h *Handler) SetProblems(ps []briefings.Problem) {
	h.mu.Lock()
	h.problems = slices.Clone(ps)
	h.mu.Unlock()
}

func (h *Handler) problemList() []briefings.Problem {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.problems
}

// ServeHTTP lets in requests with a token, or any from loopback when the
// desk is bound there, and serves the pages.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="briefbot desk", charset="UTF-8"`)
		http.Error(w, "401 unauthorized: the desk needs an API token (api.tokens), as a bearer token or as the password of HTTP basic auth with the token's name as user", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) allowed(r *http.Request) bool {
	if _, ok := h.auth.Who(r); ok {
		return true
	}
	return h.opts.Loopback && arrivedOnLoopback(r)
}

// arrivedOnLoopback reports whether r came in on a loopback address of
// this host.
func arrivedOnLoopback(r *http.Request) bool {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IsLoopback reports whether addr, a listener's address, is on loopback
// only: the one place the desk may be open without a token.
func IsLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// page is what every page template gets.
type page struct {
	Title   string
	Command string
	Now     time.Time
	// Open is true when no token was needed.
	Open bool
	// Query is the ask box's question.
	Query string
}

type topicRow struct {
	Key, Topic, Title string
	Versions          int
	Date, FirstSeen   time.Time
	Sections          int
}

type digestRow struct {
	bot.Subscription
	Next     time.Time
	LastSlot time.Time
	Last     *bot.Delivery
	Problem  string
}

type frontPage struct {
	page
	Filter    string
	Topics    []topicRow
	AllTopics int
	Briefings int
	Problems  []briefings.Problem
	Errors    int
	Gaps      *bot.GapsReport
	GapsErr   string
	Window    string
	Digests   []digestRow
	DigestErr string
}

func (h *Handler) base(r *http.Request, title string) page {
	return page{Title: title, Command: h.opts.Core.Command(), Now: h.now().UTC(), Open: !h.authorized(r)}
}

func (h *Handler) authorized(r *http.Request) bool {
	_, ok := h.auth.Who(r)
	return ok
}

func (h *Handler) front(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lib := h.opts.Core.Library()
	p := frontPage{page: h.base(r, "briefbot desk"), Filter: strings.TrimSpace(r.URL.Query().Get("filter")), Briefings: lib.Len()}
	h.recordSeen(ctx, lib)
	filter := briefings.Normalize(p.Filter)
	for _, b := range lib.Topics() {
		if filter != "" && !strings.Contains(b.Key(), filter) && !strings.Contains(briefings.Normalize(b.Title), filter) {
			continue
		}
		p.AllTopics++
		if len(p.Topics) == h.opts.MaxTopics {
			continue
		}
		p.Topics = append(p.Topics, h.topicRow(lib, b))
	}
	p.Problems = h.problemList()
	for _, pr := range p.Problems {
		if !pr.Warning {
			p.Errors++
		}
	}
	p.Window = window(h.opts.Window)
	if h.opts.Analytics != nil {
		g, err := bot.ReadGaps(ctx, h.opts.Analytics, p.Now.Add(-h.opts.Window), 20)
		if err != nil {
			h.log.WarnContext(ctx, "desk: read gaps", "err", err)
			p.GapsErr = "The store could not be read; see the log."
		} else {
			p.Gaps = &g
		}
	}
	if h.opts.Digests != nil {
		rows, err := h.digests(ctx, p.Now)
		if err != nil {
			h.log.WarnContext(ctx, "desk: read digests", "err", err)
			p.DigestErr = "The store could not be read; see the log."
		}
		p.Digests = rows
	}
	h.render(w, http.StatusOK, "front.html", p)
}

func window(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	}
	return d.String()
}

// recordSeen makes sure every version shown has a first-seen time.
func (h *Handler) recordSeen(ctx context.Context, lib *briefings.Library) {
	if h.opts.FirstSeen == nil {
		return
	}
	if err := h.opts.FirstSeen.Record(ctx, lib); err != nil {
		h.log.WarnContext(ctx, "desk: record first seen", "err", err)
	}
}

func (h *Handler) firstSeen(b *briefings.Briefing) time.Time {
	if h.opts.FirstSeen == nil {
		return time.Time{}
	}
	at, _ := h.opts.FirstSeen.Of(b)
	return at
}

func (h *Handler) topicRow(lib *briefings.Library, b *briefings.Briefing) topicRow {
	return topicRow{
		Key: b.Key(), Topic: b.Topic, Title: b.Title, Versions: len(lib.Versions(b.Key())),
		Date: b.Date, FirstSeen: h.firstSeen(b), Sections: len(b.Sections),
	}
}

func (h *Handler) digests(ctx context.Context, now time.Time) ([]digestRow, error) {
	subs, err := h.opts.Digests.Subscriptions(ctx)
	if err != nil {
		return nil, err
	}
	last, err := h.opts.Digests.LastSlots(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]digestRow, 0, len(subs))
	for _, s := range subs {
		row := digestRow{Subscription: s, LastSlot: last[s.ID]}
		if sched, err := bot.ParseSchedule(s.Schedule, s.Timezone); err != nil {
			row.Problem = err.Error()
		} else if !s.Paused {
			row.Next = sched.Next(now)
		}
		ds, err := h.opts.Digests.Deliveries(ctx, s.ID, 1)
		if err != nil {
			return rows, err
		}
		if len(ds) > 0 {
			row.Last = &ds[0]
		}
		rows = append(rows, row)
	}
	return rows, nil
}

type versionRow struct {
	Date, FirstSeen time.Time
	File, Hash      string
	Newest          bool
}

type sectionLink struct {
	Heading string
	Query   string
	Current bool
}

type topicPage struct {
	page
	Topic    topicRow
	Versions []versionRow
	Sections []sectionLink
	Showing  string
	Asked    string
	Previews []Preview
}

func (h *Handler) topic(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lib := h.opts.Core.Library()
	key := r.PathValue("key")
	versions := lib.Versions(key)
	if len(versions) == 0 {
		h.notFound(w, r, fmt.Sprintf("No topic %q is loaded.", key))
		return
	}
	h.recordSeen(ctx, lib)
	b := versions[0]
	p := topicPage{page: h.base(r, b.Topic+" · briefbot desk"), Topic: h.topicRow(lib, b)}
	for i, v := range versions {
		p.Versions = append(p.Versions, versionRow{Date: v.Date, FirstSeen: h.firstSeen(v), File: filepath.Base(v.Path), Hash: shortHash(v.VersionHash()), Newest: i == 0})
	}
	want := r.URL.Query().Get("section")
	links := []sectionLink{{Heading: "Overview", Query: ""}}
	for _, s := range b.Sections {
		links = append(links, sectionLink{Heading: s.Heading, Query: s.Heading})
	}
	links = append(links, sectionLink{Heading: "Whole briefing", Query: "all"})
	p.Showing = "Overview"
	found := false
	for i := range links {
		if links[i].Query == want {
			links[i].Current, p.Showing, found = true, links[i].Heading, true
		}
	}
	if !found {
		h.notFound(w, r, fmt.Sprintf("The %s briefing has no section %q.", b.Topic, want))
		return
	}
	p.Sections = links
	// Asked exactly as a reader would, so the preview is what chat shows.
	p.Asked = strings.TrimSpace(b.Key() + " " + want)
	reply := h.opts.Core.Handle(ctx, bot.Request{Platform: bot.PlatformDesk, Text: p.Asked})
	p.Previews = preview(ctx, h.opts.Renderers, reply)
	h.render(w, http.StatusOK, "topic.html", p)
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

type askPage struct {
	page
	Previews []Preview
}

// maxQuestion caps the ask box, as chat platforms cap a command's text.
const maxQuestion = 2000

func (h *Handler) ask(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > maxQuestion {
		http.Error(w, fmt.Sprintf("400 bad request: a question of more than %d bytes", maxQuestion), http.StatusBadRequest)
		return
	}
	p := askPage{page: h.base(r, "Ask · briefbot desk")}
	p.Query = q
	reply := h.opts.Core.Handle(r.Context(), bot.Request{Platform: bot.PlatformDesk, Text: q})
	p.Previews = preview(r.Context(), h.opts.Renderers, reply)
	h.render(w, http.StatusOK, "ask.html", p)
}

type notFoundPage struct {
	page
	Message string
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, msg string) {
	h.render(w, http.StatusNotFound, "notfound.html", notFoundPage{page: h.base(r, "Not found · briefbot desk"), Message: msg})
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, data any) {
	var buf strings.Builder
	if err := h.pages.ExecuteTemplate(&buf, name, data); err != nil {
		h.log.Error("desk: render page", "page", name, "err", err)
		http.Error(w, "500 internal server error: the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}
