package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// Prefix is where the API lives.
const Prefix = "/api/v1/briefings"

// Options configure a Handler.
type Options struct {
	// Store keeps what is published; required.
	Store bot.PublishedStore
	// Tokens may call the API; with none, every request gets 401.
	Tokens []Token
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives a line per change; nil discards. Bodies and tokens
	// are never logged.
	Logger *slog.Logger
	// Changed, when set, is called after a publish or withdrawal is
	// stored and before the answer: given Feed.Refresh, the replica that
	// took a change answers with it as soon as its caller hears back.
	Changed func(context.Context) error
}

// Handler serves the publishing API. It is an http.Handler for the paths
// under Prefix.
type Handler struct {
	store   bot.PublishedStore
	tokens  tokens
	now     func() time.Time
	log     *slog.Logger
	changed func(context.Context) error
	mux     *http.ServeMux
}

// NewHandler checks the tokens and builds the API.
func NewHandler(opts Options) (*Handler, error) {
	if opts.Store == nil {
		return nil, errors.New("publishing API: no store")
	}
	ts, err := newTokens(opts.Tokens)
	if err != nil {
		return nil, fmt.Errorf("publishing API: %w", err)
	}
	h := &Handler{store: opts.Store, tokens: ts, now: opts.Now, log: opts.Logger, changed: opts.Changed, mux: http.NewServeMux()}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.changed == nil {
		h.changed = func(context.Context) error { return nil }
	}
	h.mux.Handle("GET "+Prefix, h.authed(h.list))
	h.mux.Handle("GET "+Prefix+"/{name}", h.authed(h.get))
	h.mux.Handle("PUT "+Prefix+"/{name}", h.authed(h.put))
	h.mux.Handle("DELETE "+Prefix+"/{name}", h.authed(h.delete))
	return h, nil
}

// Routes mounts the API on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle(Prefix, h)
	mux.Handle(Prefix+"/", h)
}

// ServeHTTP answers a request to the API.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// authed answers 401 unless r carries a configured token, whose name it
// passes on to be recorded.
func (h *Handler) authed(serve func(w http.ResponseWriter, r *http.Request, by string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		by, ok := h.tokens.who(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="briefbot"`)
			http.Error(w, "missing or unknown API token: send Authorization: Bearer <token> with a token from api.tokens", http.StatusUnauthorized)
			return
		}
		serve(w, r, by)
	})
}

// Entry is one published briefing as the API lists it.
type Entry struct {
	Name        string    `json:"name"`
	Topic       string    `json:"topic"`
	Date        time.Time `json:"date"`
	Hash        string    `json:"hash"`
	PublishedBy string    `json:"published_by"`
	PublishedAt time.Time `json:"published_at"`
	Version     int64     `json:"version"`
}

// List is the answer to GET /api/v1/briefings.
type List struct {
	Briefings []Entry `json:"briefings"`
}

// Result is the answer to a successful PUT.
type Result struct {
	Entry
	// Status is "published" or, when the same content was already there,
	// "unchanged".
	Status string `json:"status"`
	// Warnings are the check's warnings, "name:line: warning: message".
	Warnings []string `json:"warnings,omitempty"`
}

func entryOf(p bot.Published) Entry {
	return Entry{Name: p.Name, Topic: p.Topic, Date: p.Date, Hash: p.Hash, PublishedBy: p.By, PublishedAt: p.At, Version: p.Version}
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request, _ string) {
	ps, err := h.store.ListPublished(r.Context())
	if err != nil {
		h.storeFailed(w, r, "list", "", err)
		return
	}
	out := List{Briefings: make([]Entry, 0, len(ps))}
	for _, p := range ps {
		out.Briefings = append(out.Briefings, entryOf(p))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request, _ string) {
	name, ok := pathName(w, r)
	if !ok {
		return
	}
	p, err := h.store.PublishedBriefing(r.Context(), name)
	if errors.Is(err, bot.ErrNotPublished) {
		http.Error(w, name+" is not published", http.StatusNotFound)
		return
	}
	if err != nil {
		h.storeFailed(w, r, "read", name, err)
		return
	}
	w.Header().Set("Content-Type", contentType(name))
	w.Header().Set("ETag", strconv.Quote(p.Hash))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, name, p.At, bytes.NewReader(p.Body))
}

func (h *Handler) put(w http.ResponseWriter, r *http.Request, by string) {
	name, ok := pathName(w, r)
	if !ok {
		return
	}
	if r.ContentLength > briefings.MaxFileSize {
		tooLarge(w)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, briefings.MaxFileSize))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooLarge(w)
			return
		}
		http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
		return
	}
	now := h.now()
	b, problems := Check(name, body, now)
	if b == nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnprocessableEntity)
		for _, p := range problems {
			fmt.Fprintln(w, p.Error())
		}
		return
	}
	_, err = h.store.PublishedBriefing(r.Context(), name)
	existed := err == nil
	stored, changed, err := h.store.PutPublished(r.Context(), bot.Published{
		Name: name, Body: body, Hash: ContentHash(body), Topic: b.Topic, Date: b.Date, By: by, At: now,
	})
	if err != nil {
		h.storeFailed(w, r, "publish", name, err)
		return
	}
	res := Result{Entry: entryOf(stored), Status: "unchanged"}
	for _, p := range problems {
		res.Warnings = append(res.Warnings, p.Error())
	}
	code := http.StatusOK
	if changed {
		res.Status = "published"
		if !existed {
			code = http.StatusCreated
		}
		h.log.InfoContext(r.Context(), "briefing published", "name", name, "topic", stored.Topic,
			"hash", stored.Hash, "version", stored.Version, "token", by)
		h.applyChange(r)
	}
	writeJSON(w, code, res)
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request, by string) {
	name, ok := pathName(w, r)
	if !ok {
		return
	}
	err := h.store.DeletePublished(r.Context(), name, by, h.now())
	if errors.Is(err, bot.ErrNotPublished) {
		http.Error(w, name+" is not published", http.StatusNotFound)
		return
	}
	if err != nil {
		h.storeFailed(w, r, "withdraw", name, err)
		return
	}
	h.log.InfoContext(r.Context(), "briefing withdrawn", "name", name, "token", by)
	h.applyChange(r)
	w.WriteHeader(http.StatusNoContent)
}

// applyChange tells this replica of a stored change. Its failure is only
// logged: the change is stored, and the Feed's next read applies it.
func (h *Handler) applyChange(r *http.Request) {
	if err := h.changed(r.Context()); err != nil {
		h.log.WarnContext(r.Context(), "published change stored but not yet applied here", "err", err)
	}
}

// Check checks one briefing file as "briefbot check" does and returns the
// parsed briefing, or nil when the file has errors. problems lists
// everything found, warnings included, as "name:line: message".
func Check(name string, body []byte, now time.Time) (*briefings.Briefing, []briefings.Problem) {
	b, problems := briefings.Parse(name, body, now)
	for _, p := range problems {
		if !p.Warning {
			return nil, problems
		}
	}
	return b, problems
}

// pathName returns the request's {name}, answering 400 when it is not a
// valid name.
func pathName(w http.ResponseWriter, r *http.Request) (string, bool) {
	name := r.PathValue("name")
	if err := CheckName(name); err != nil {
		http.Error(w, "bad briefing name: "+err.Error(), http.StatusBadRequest)
		return "", false
	}
	return name, true
}

func contentType(name string) string {
	if strings.EqualFold(filepath.Ext(name), ".md") {
		return "text/markdown; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}

func tooLarge(w http.ResponseWriter) {
	http.Error(w, fmt.Sprintf("briefing is larger than %d bytes (1 MiB)", briefings.MaxFileSize), http.StatusRequestEntityTooLarge)
}

func (h *Handler) storeFailed(w http.ResponseWriter, r *http.Request, what, name string, err error) {
	h.log.ErrorContext(r.Context(), "publishing API: store failed", "op", what, "name", name, "err", err)
	http.Error(w, "the store is unavailable; try again", http.StatusServiceUnavailable)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
