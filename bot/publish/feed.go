package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// Default intervals of a Feed's re-read. Without notifications (SQLite) the
// re-read is how a publish reaches other replicas, so it is short enough
// for a replica to serve a change within 2 s; with them (PostgreSQL) it
// only covers a notification lost with its connection.
const (
	DefaultPoll       = 500 * time.Millisecond
	DefaultSafetyPoll = 10 * time.Second
)

// FeedOptions configure a Feed.
type FeedOptions struct {
	// Store is where briefings are published; required.
	Store bot.PublishedStore
	// Folder is the library loaded from the briefings folder (or the
	// samples); SetFolder replaces it on reload.
	Folder *briefings.Library
	// Apply receives every new merged library, in order; it must not block.
	Apply func(*briefings.Library)
	// Poll is the re-read interval while the store sends no notifications
	// (0: DefaultPoll); SafetyPoll the interval while it does (0:
	// DefaultSafetyPoll).
	Poll, SafetyPoll time.Duration
	// Logger receives changes applied and store failures; nil discards.
	Logger *slog.Logger
}

// Feed follows the briefings published in the store and lays them over
// the folder's library: a published briefing replaces every folder file of
// the same name (whatever its subfolder), and its topic answers as any
// other. It is safe for concurrent use.
type Feed struct {
	store      bot.PublishedStore
	apply      func(*briefings.Library)
	poll       time.Duration
	safetyPoll time.Duration
	log        *slog.Logger
	wake       chan struct{}
	listening  atomic.Bool

	mu        sync.Mutex
	version   int64                          // last change applied
	folder    *briefings.Library             // as last loaded
	published map[string]*briefings.Briefing // by name
	lib       *briefings.Library             // folder with published laid over
}

// NewFeed returns a Feed serving opts.Folder until its first Refresh.
func NewFeed(opts FeedOptions) *Feed {
	f := &Feed{
		store:      opts.Store,
		apply:      opts.Apply,
		poll:       cmpOr(opts.Poll, DefaultPoll),
		safetyPoll: cmpOr(opts.SafetyPoll, DefaultSafetyPoll),
		log:        opts.Logger,
		wake:       make(chan struct{}, 1),
		folder:     opts.Folder,
		published:  map[string]*briefings.Briefing{},
		lib:        opts.Folder,
	}
	if f.folder == nil {
		f.folder = briefings.NewLibrary(nil)
		f.lib = f.folder
	}
	if f.apply == nil {
		f.apply = func(*briefings.Library) {}
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	return f
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Library returns the merged library.
func (f *Feed) Library() *briefings.Library {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lib
}

// SetFolder replaces the folder's library (after a reload) and applies the
// merged result.
func (f *Feed) SetFolder(lib *briefings.Library) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.folder = lib
	f.rebuild()
}

// nudge makes Run re-read the store now.
func (f *Feed) nudge() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Refresh reads the changes since the last one applied and, if there are
// any, applies the merged library.
func (f *Feed) Refresh(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	changes, err := f.store.PublishedSince(ctx, f.version)
	if err != nil {
		return fmt.Errorf("refresh published briefings: %w", err)
	}
	if len(changes) == 0 {
		return nil
	}
	for _, p := range changes {
		f.version = max(f.version, p.Version)
		if p.Deleted {
			delete(f.published, p.Name)
			f.log.InfoContext(ctx, "published briefing withdrawn", "name", p.Name, "version", p.Version, "token", p.By)
			continue
		}
		// Dated as of publication when the file names no date, as a folder
		// file is by its modification time.
		b, problems := briefings.Parse(p.Name, p.Body, p.At)
		if b == nil {
			// Checked when published; only a stricter parser since then
			// can refuse it. The folder's file, if any, answers instead.
			delete(f.published, p.Name)
			f.log.WarnContext(ctx, "published briefing no longer parses", "name", p.Name, "version", p.Version, "problems", len(problems))
			continue
		}
		f.published[p.Name] = b
		f.log.InfoContext(ctx, "published briefing applied", "name", p.Name, "topic", b.Topic, "version", p.Version, "token", p.By)
	}
	f.rebuild()
	return nil
}

// rebuild lays the published briefings over the folder and applies the
// result. f.mu is held.
func (f *Feed) rebuild() {
	if len(f.published) == 0 {
		f.lib = f.folder
		f.apply(f.lib)
		return
	}
	var removed []string
	for _, t := range f.folder.Topics() {
		for _, b := range f.folder.Versions(t.Key()) {
			if _, ok := f.published[filepath.Base(b.Path)]; ok {
				removed = append(removed, b.Path)
			}
		}
	}
	names := make([]string, 0, len(f.published))
	for n := range f.published {
		names = append(names, n)
	}
	slices.Sort(names)
	changed := make([]*briefings.Briefing, len(names))
	for i, n := range names {
		changed[i] = f.published[n]
	}
	f.lib = f.folder.With(changed, removed)
	f.apply(f.lib)
}

// Run follows the store until ctx ends: on each notification when the
// store sends them (bot.PublishedListener), and every poll
// interval. Store failures are logged and retried; Run returns nil when
// ctx ends.
func (f *Feed) Run(ctx context.Context) error {
	if l, ok := f.store.(bot.PublishedListener); ok {
		var wg sync.WaitGroup
		defer wg.Wait()
		wg.Go(func() { f.listen(ctx, l) })
	}
	timer := time.NewTimer(f.interval())
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-f.wake:
		case <-timer.C:
		}
		if err := f.Refresh(ctx); err != nil && ctx.Err() == nil {
			f.log.WarnContext(ctx, "published briefings not refreshed; retrying", "err", err)
		}
		timer.Reset(f.interval())
	}
}

func (f *Feed) interval() time.Duration {
	if f.listening.Load() {
		return f.safetyPoll
	}
	return f.poll
}

// listen keeps a notification connection open, reconnecting after
// failures; while it is down the Feed re-reads at the short interval.
func (f *Feed) listen(ctx context.Context, l bot.PublishedListener) {
	backoff := time.Second
	for ctx.Err() == nil {
		err := l.ListenPublished(ctx, func() {
			if !f.listening.Swap(true) {
				backoff = time.Second
			}
			f.nudge()
		})
		f.listening.Store(false)
		f.nudge()
		if errors.Is(err, errors.ErrUnsupported) || ctx.Err() != nil {
			return
		}
		f.log.WarnContext(ctx, "notifications of published briefings lost; re-reading every "+f.poll.String()+" until back", "err", errString(err), "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func errString(err error) string {
	if err == nil {
		return "connection closed"
	}
	return strings.TrimSpace(err.Error())
}
