// Package watch keeps a briefings Library current while a folder is
// edited: it watches the folder with fsnotify, re-parses only the files
// that changed and hands over a new Library, never blocking queries on the
// old one.
//
// It follows the folder however it is kept:
//   - edits in place, by an editor or by rsync;
//   - a folder that is itself a symbolic link swapped atomically (git-sync),
//     or reached through one: the links on the way are watched, and a swap
//     reloads the folder from its new target;
//   - a Kubernetes ConfigMap, whose files are links into a ..data link that
//     is swapped: the links are resolved again and each briefing counts once;
//   - a network volume (NFS, EFS) whose events never arrive, by polling
//     (Watcher.PollInterval) for changes in size, modification time and
//     content;
//   - a folder removed, renamed away or replaced: the watch is set up again
//     as soon as it is back, and the last library is served meanwhile.
//
// Which files are briefings and which links are followed is the loader's
// rule (briefings.Scan), and files are read as the loader reads them
// (briefings.ReadFile): only regular files inside the folder, never past
// the size limit.
//
// A changed file is read only once it has settled: its size and
// modification time held still for Watcher.Settle and, on Linux, no process
// has it open for writing. An edit that breaks a file keeps that file's last
// good version; the problem is reported with its path and line.
package watch

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/briefbot/briefbot/briefings"
)

// Reload is the outcome of one reload.
type Reload struct {
	// Library is the new library, to be swapped in.
	Library *briefings.Library
	// Changed and Removed count the briefings replaced and dropped.
	Changed, Removed int
	// Problems are the files that failed to parse; their last good
	// versions stay in Library.
	Problems []briefings.Problem
	// Took is how long re-parsing and rebuilding took.
	Took time.Duration
}

// Watcher watches a briefings folder.
type Watcher struct {
	// Dir is the folder, as given to briefings.Load.
	Dir string
	// Debounce gathers a burst of events (an editor's save) into one
	// reload; zero means 100ms.
	Debounce time.Duration
	// Settle is how long a changed file's size and modification time must
	// hold still before it is read, so a file still being written is never
	// served; zero means 300ms.
	Settle time.Duration
	// PollInterval, when positive, also looks for changes this often by
	// size, modification time and content hash, for network volumes
	// (NFS, EFS) that deliver no events. Zero relies on events alone.
	PollInterval time.Duration
	// OnReload receives each new library; it must be quick (swap a pointer).
	OnReload func(Reload)
	// Logger; nil discards.
	Logger *slog.Logger
	// Since is when the library given to Run was loaded: files changed
	// after it, before the watches were in place, are reloaded at start.
	// Zero means every file is checked against the library by path only.
	Since time.Time
	// Ready, when set, is called once the folder is watched.
	Ready func()

	// noEvents ignores fsnotify's events, for tests of polling.
	noEvents bool
	// stillWriting, when set, hears of each file left unread because a
	// writer has it open, for tests.
	stillWriting func(path string)
}

// rootCheckEvery is how often the folder's own path is resolved again, a
// safety net under the events on its parent folders: a swap they miss
// (a link deep in the path, a mount) is caught within this time.
const rootCheckEvery = 2 * time.Second

// fileState is what the watcher knows of a file the library holds.
type fileState struct {
	target string
	size   int64
	mod    time.Time
	// hash is the content's hash, zero until the watcher has read it.
	hash uint64
	// hashed is when the content was hashed, or for a file the watcher has
	// not read, when it was found as the library has it.
	hashed time.Time
}

// racyWindow is how close a modification time may be to the moment a
// file was hashed, or past it, and still leave stat unable to prove the
// file unchanged: file systems with coarse timestamps (a second on many NFS
// servers, two on FAT) give a quick second edit the same time, and a server
// whose clock runs ahead gives times in the future. While polling, such
// files are hashed again (as git does with "racily clean" files).
const racyWindow = 2 * time.Second

// racy reports whether s cannot be trusted by size and time alone.
func (s fileState) racy() bool {
	return !s.mod.Add(racyWindow).Before(s.hashed)
}

// candidate is a changed file waiting to settle.
type candidate struct {
	target string
	size   int64
	mod    time.Time
	due    time.Time
	// since is when the file was first seen changing.
	since time.Time
}

// maxWriterWait is how long a file that holds still is left unread because
// a writer keeps it open; then it is read anyway, so a writer that never
// closes cannot hide a file for good.
const maxWriterWait = 30 * time.Second

// run is the state of one Run.
type run struct {
	w        *Watcher
	log      *slog.Logger
	dir      string
	settle   time.Duration
	seed     maphash.Seed
	lib      *briefings.Library
	fw       *fsnotify.Watcher
	anchors  map[string]bool // paths whose change means the folder itself moved
	root     string          // the folder's real path; "" while it is missing
	known    map[string]fileState
	pending  map[string]bool
	settling map[string]candidate
	problems map[string]bool // scan problems already logged
	// removed are files gone while others settle: they are dropped in the
	// same reload, so a renamed file never goes missing in between.
	removed []string

	// aliases is the aliases file as last loaded; zero when absent.
	aliases fileState

	rescan, reestablish, reloadAll, hashRacy bool
}

// Run watches until ctx is done. lib is the library loaded from Dir at
// start; each reload builds on the previous one. Run fails only when it
// cannot watch at all; a folder that is missing is waited for.
func (w *Watcher) Run(ctx context.Context, lib *briefings.Library) error {
	r := newRun(w, lib)
	debounce := w.Debounce
	if debounce <= 0 {
		debounce = 100 * time.Millisecond
	}
	if err := r.establish(ctx); err != nil {
		return err
	}
	defer func() { r.fw.Close() }()
	r.catchUp(ctx)
	if w.Ready != nil {
		w.Ready()
	}

	var fire <-chan time.Time
	if len(r.pending)+len(r.settling) > 0 || r.rescan {
		fire = time.After(0)
	}
	var settleTimer *time.Timer
	var settleC <-chan time.Time
	schedule := func() {
		if settleTimer != nil {
			settleTimer.Stop()
			settleTimer, settleC = nil, nil
		}
		if len(r.settling) == 0 {
			return
		}
		var next time.Time
		for _, c := range r.settling {
			if next.IsZero() || c.due.Before(next) {
				next = c.due
			}
		}
		settleTimer = time.NewTimer(max(0, time.Until(next)))
		settleC = settleTimer.C
	}
	var pollC <-chan time.Time
	if w.PollInterval > 0 {
		t := time.NewTicker(w.PollInterval)
		defer t.Stop()
		pollC = t.C
	}
	rootTick := time.NewTicker(rootCheckEvery)
	defer rootTick.Stop()

	for {
		select {
		case <-ctx.Done():
			return nil
		case err, ok := <-r.fw.Errors:
			if !ok {
				return nil
			}
			// An overflowed queue lost events: look at everything.
			r.log.WarnContext(ctx, "briefings watcher", "err", err)
			r.rescan = true
			fire = time.After(debounce)
		case ev, ok := <-r.fw.Events:
			if !ok {
				return nil
			}
			if !w.noEvents && r.event(ev) {
				fire = time.After(debounce)
			}
		case <-pollC:
			r.rescan, r.hashRacy = true, true
			r.process(ctx)
			schedule()
		case <-rootTick.C:
			if r.rootMoved() {
				r.reestablish = true
				r.process(ctx)
				schedule()
			}
		case <-fire:
			fire = nil
			r.process(ctx)
			schedule()
		case <-settleC:
			settleTimer, settleC = nil, nil
			r.settleDue(ctx)
			schedule()
		}
	}
}

func newRun(w *Watcher, lib *briefings.Library) *run {
	r := &run{
		w:        w,
		log:      w.Logger,
		dir:      filepath.Clean(w.Dir),
		settle:   w.Settle,
		seed:     maphash.MakeSeed(),
		lib:      lib,
		known:    map[string]fileState{},
		pending:  map[string]bool{},
		settling: map[string]candidate{},
		problems: map[string]bool{},
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.settle <= 0 {
		r.settle = 300 * time.Millisecond
	}
	return r
}

// establish (re)creates the fsnotify watches: on the folder and every
// folder in it, and on the parents of the folder and of every symbolic
// link on its path, so that a swap or a removal is seen.
func (r *run) establish(ctx context.Context) error {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch briefings %s: %w", r.dir, err)
	}
	if r.fw != nil {
		r.fw.Close()
	}
	r.fw = fw
	r.anchors = map[string]bool{r.dir: true}
	abs, err := filepath.Abs(r.dir)
	if err == nil {
		r.anchors[abs] = true
		for p := abs; ; p = filepath.Dir(p) {
			parent := filepath.Dir(p)
			if parent == p {
				break
			}
			if info, err := os.Lstat(p); p == abs || (err == nil && info.Mode()&fs.ModeSymlink != 0) {
				r.anchors[p] = true
				// A missing parent is fine: the root check retries.
				_ = fw.Add(parent)
			}
		}
	}
	old := r.root
	tree, problems, err := briefings.Scan(r.dir)
	if err != nil {
		if old != "" {
			r.log.WarnContext(ctx, "briefings folder is gone; serving the last library until it is back", "dir", r.dir, "err", err)
		}
		r.root = ""
		return nil
	}
	r.root = tree.Root
	r.logProblems(ctx, problems)
	r.watchFolders(ctx, tree.Folders)
	if old != "" && old != tree.Root {
		// A swapped link: the new target was complete before the swap.
		r.reloadAll = true
	}
	return nil
}

func (r *run) watchFolders(ctx context.Context, folders []string) {
	for _, f := range folders {
		if err := r.fw.Add(f); err != nil {
			r.log.WarnContext(ctx, "watch folder", "path", f, "err", err)
		}
	}
}

// rootMoved reports whether the folder now resolves elsewhere than it did,
// or appeared or vanished.
func (r *run) rootMoved() bool {
	real, err := filepath.EvalSymlinks(r.dir)
	if err != nil {
		return r.root != ""
	}
	real, err = filepath.Abs(real)
	return err != nil || real != r.root
}

// catchUp compares the folder with the library given to Run: files the
// library lacks or that changed after Since are read, files it has that
// are gone are dropped.
func (r *run) catchUp(ctx context.Context) {
	for p := range knownPaths(r.lib) {
		r.known[p] = fileState{}
	}
	if r.root == "" {
		return
	}
	tree, _, err := briefings.Scan(r.dir)
	if err != nil {
		return
	}
	loaded := r.w.Since
	if loaded.IsZero() {
		loaded = time.Now()
	}
	r.aliases = r.aliasesState()
	seen := make(map[string]bool, len(tree.Files))
	for _, f := range tree.Files {
		seen[f.Path] = true
		info, err := os.Lstat(f.Target)
		if err != nil {
			continue
		}
		_, inLib := r.known[f.Path]
		if !inLib || (!r.w.Since.IsZero() && info.ModTime().After(r.w.Since)) {
			r.pending[f.Path] = true
			continue
		}
		r.known[f.Path] = fileState{target: f.Target, size: info.Size(), mod: info.ModTime(), hashed: loaded}
	}
	for p := range r.known {
		if !seen[p] {
			r.pending[p] = true // deleted since the load
		}
	}
}

// event notes what one event asks for; it reports whether a reload may be
// needed.
func (r *run) event(ev fsnotify.Event) bool {
	if r.anchors[ev.Name] {
		r.reestablish = true
		return true
	}
	rel, err := filepath.Rel(r.dir, ev.Name)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return false // a neighbour of a watched link
	}
	if rel == briefings.AliasesFile {
		r.reloadAll = true
		return true
	}
	if !briefings.IsBriefingPath(rel) {
		if info, err := os.Lstat(ev.Name); err == nil && info.Mode().Type()&(fs.ModeDir|fs.ModeSymlink) == 0 {
			return false // a file that is no briefing
		}
		// A folder or a link, made or gone, such as the workings of a
		// ConfigMap (..data swapped for a new ..2026_… folder): walk again.
		r.rescan = true
		return true
	}
	if info, err := os.Lstat(ev.Name); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		r.rescan = true // links are resolved by the walk
		return true
	}
	r.pending[ev.Name] = true
	return true
}

// process handles what events and ticks asked for: changed files go to
// settle, removed ones are dropped at once.
func (r *run) process(ctx context.Context) {
	if r.reestablish {
		r.reestablish = false
		if err := r.establish(ctx); err != nil {
			r.log.WarnContext(ctx, "briefings watcher", "err", err)
			return
		}
		r.rescan = true
	}
	if r.root == "" {
		clear(r.pending)
		r.rescan = false
		return
	}
	if r.rescan && r.aliasesState() != r.aliases {
		// A ConfigMap's aliases.yaml changes by the ..data swap, and a
		// polled one without events.
		r.reloadAll = true
	}
	if r.reloadAll {
		r.reloadAll, r.rescan = false, false
		clear(r.pending)
		clear(r.settling)
		r.removed = nil
		r.loadAll(ctx)
		return
	}
	var removed []string
	if r.rescan {
		r.rescan = false
		removed = r.scanChanges(ctx)
	}
	for p := range r.pending {
		delete(r.pending, p)
		info, err := os.Lstat(p)
		if rel, rerr := filepath.Rel(r.dir, p); rerr != nil || !briefings.IsBriefingPath(rel) {
			err = fs.ErrNotExist // no briefing (any more): drop it if held
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// Deleted or renamed away: drop it, or everything under it.
			for k := range r.known {
				if k == p || strings.HasPrefix(k, p+string(filepath.Separator)) {
					removed = append(removed, k)
					delete(r.known, k)
					delete(r.settling, k)
				}
			}
		case err != nil:
			r.log.WarnContext(ctx, "briefing not reloaded", "path", p, "err", err)
		case info.Mode()&fs.ModeSymlink != 0 || info.IsDir():
			r.rescan = true
		case !info.Mode().IsRegular():
			r.log.WarnContext(ctx, "briefing not reloaded", "problem", briefings.Problem{Path: p, Line: 1, Message: briefings.ErrNotRegular.Error()}.Error())
		default:
			target := p
			if k, ok := r.known[p]; ok && k.target != "" {
				target = k.target
			} else if t, ok := r.confine(p); ok {
				target = t
			} else {
				continue
			}
			r.queue(p, target, info)
		}
	}
	if r.rescan {
		r.rescan = false
		removed = append(removed, r.scanChanges(ctx)...)
	}
	r.removed = append(r.removed, removed...)
	if len(r.removed) > 0 && len(r.settling) == 0 {
		start := time.Now()
		rl := Reload{Library: r.lib.With(nil, r.removed), Removed: len(r.removed)}
		r.removed = nil
		rl.Took = time.Since(start)
		r.emit(ctx, rl)
	}
}

// aliasesState is where the aliases file leads, its size and time.
func (r *run) aliasesState() fileState {
	p, err := filepath.EvalSymlinks(filepath.Join(r.dir, briefings.AliasesFile))
	if err != nil {
		return fileState{}
	}
	info, err := os.Lstat(p)
	if err != nil {
		return fileState{}
	}
	return fileState{target: p, size: info.Size(), mod: info.ModTime()}
}

// confine resolves a file found by an event; a file whose links lead out
// of the folder is refused, as the loader refuses it.
func (r *run) confine(p string) (string, bool) {
	real, err := filepath.EvalSymlinks(p)
	if err == nil {
		real, err = filepath.Abs(real)
	}
	if err != nil || !briefings.Inside(r.root, real) {
		return "", false
	}
	return real, true
}

// scanChanges walks the folder and queues every file whose target, size
// or modification time differs from what the library holds; with
// hashRacy, files whose stat cannot prove them unchanged are queued too,
// for their content to// be compared. It returns the files that are gone.
func (r *run) scanChanges(ctx context.Context) (removed []string) {
	hashRacy := r.hashRacy
	r.hashRacy = false
	tree, problems, err := briefings.Scan(r.dir)
	if err != nil {
		r.reestablish = true
		return nil
	}
	r.logProblems(ctx, problems)
	r.watchFolders(ctx, tree.Folders)
	seen := make(map[string]bool, len(tree.Files))
	for _, f := range tree.Files {
		seen[f.Path] = true
		info, err := os.Lstat(f.Target)
		if err != nil {
			continue
		}
		k, ok := r.known[f.Path]
		if !ok || k.target != f.Target || k.size != info.Size() || !k.mod.Equal(info.ModTime()) ||
			(hashRacy && k.racy()) {
			r.queue(f.Path, f.Target, info)
		}
	}
	for p := range r.known {
		if !seen[p] {
			removed = append(removed, p)
			delete(r.known, p)
			delete(r.settling, p)
		}
	}
	return removed
}

// queue has a changed file wait for Settle before it is read.
func (r *run) queue(p, target string, info fs.FileInfo) {
	now := time.Now()
	since := now
	if c, ok := r.settling[p]; ok {
		since = c.since
	}
	r.settling[p] = candidate{target: target, size: info.Size(), mod: info.ModTime(), due: now.Add(r.settle), since: since}
}

// settleDue reads the files that have held still, and reloads them.
func (r *run) settleDue(ctx context.Context) {
	start := time.Now()
	var (
		changed  []*briefings.Briefing
		problems []briefings.Problem
	)
	for p, c := range r.settling {
		if c.due.After(start) {
			continue
		}
		info, err := os.Lstat(c.target)
		if err != nil {
			// Gone while settling (a ConfigMap swapped again): walk again.
			delete(r.settling, p)
			r.rescan = true
			continue
		}
		if info.Size() != c.size || !info.ModTime().Equal(c.mod) {
			r.queue(p, c.target, info)
			continue
		}
		if start.Sub(c.since) < maxWriterWait && stillWriting(c.target) {
			r.queue(p, c.target, info)
			if r.w.stillWriting != nil {
				r.w.stillWriting(p)
			}
			continue
		}
		delete(r.settling, p)
		data, st, err := briefings.ReadFile(c.target, nil)
		if err != nil {
			problems = append(problems, briefings.Problem{Path: p, Line: 1, Message: "cannot read: " + err.Error()})
			continue
		}
		if int64(len(data)) != c.size || !st.ModTime.Equal(c.mod) {
			r.queue(p, c.target, info) // changed between the check and the read
			continue
		}
		h := maphash.Bytes(r.seed, data)
		k, known := r.known[p]
		r.known[p] = fileState{target: c.target, size: c.size, mod: c.mod, hash: h, hashed: start}
		if known && k.hash == h {
			continue // touched, not changed
		}
		b, probs := briefings.Parse(p, data, st.ModTime)
		for _, pr := range probs {
			if !pr.Warning {
				problems = append(problems, pr)
			}
		}
		if b != nil {
			changed = append(changed, b)
		}
	}
	if r.rescan {
		r.process(ctx)
	}
	var removed []string
	if len(r.settling) == 0 {
		removed, r.removed = r.removed, nil
	}
	if len(changed)+len(removed)+len(problems) == 0 {
		return
	}
	lib := r.lib
	if len(changed)+len(removed) > 0 {
		lib = lib.With(changed, removed)
	}
	r.emit(ctx, Reload{Library: lib, Changed: len(changed), Removed: len(removed), Problems: problems, Took: time.Since(start)})
}

// loadAll loads the folder afresh: after the aliases file changed, or the
// folder was swapped for another.
func (r *run) loadAll(ctx context.Context) {
	start := time.Now()
	aliases := r.aliasesState()
	nl, problems, err := briefings.Load(r.dir)
	if err != nil {
		r.log.WarnContext(ctx, "briefings not reloaded, keeping the last library", "err", err)
		r.reestablish = true
		return
	}
	rl := Reload{Library: nl, Changed: nl.Len(), Took: time.Since(start)}
	for _, p := range problems {
		if !p.Warning {
			rl.Problems = append(rl.Problems, p)
		}
	}
	clear(r.known)
	r.aliases = aliases
	if tree, _, err := briefings.Scan(r.dir); err == nil {
		r.watchFolders(ctx, tree.Folders)
		for _, f := range tree.Files {
			if info, err := os.Lstat(f.Target); err == nil {
				r.known[f.Path] = fileState{target: f.Target, size: info.Size(), mod: info.ModTime(), hashed: start}
			}
		}
	}
	r.emit(ctx, rl)
}

func (r *run) emit(ctx context.Context, rl Reload) {
	if rl.Library == r.lib && len(rl.Problems) == 0 {
		return
	}
	r.lib = rl.Library
	for _, p := range rl.Problems {
		r.log.WarnContext(ctx, "briefing not reloaded, keeping its last good version", "problem", p.Error())
	}
	r.log.InfoContext(ctx, "briefings reloaded", "changed", rl.Changed, "removed", rl.Removed, "errors", len(rl.Problems), "briefings", r.lib.Len(), "took", rl.Took)
	if r.w.OnReload != nil {
		r.w.OnReload(rl)
	}
}

// logProblems logs each problem of the walk (a link leaving the folder, a
// named pipe) once.
func (r *run) logProblems(ctx context.Context, problems []briefings.Problem) {
	for _, p := range problems {
		if s := p.Error(); !r.problems[s] {
			r.problems[s] = true
			r.log.WarnContext(ctx, "briefings folder", "problem", s)
		}
	}
}

// Apply re-reads the given paths (files or folders, changed, created or
// deleted) and returns lib updated with them, without waiting for them to
// settle. A file that fails to parse keeps its version in lib and is
// reported in Problems. Only regular files are read: symbolic links are
// resolved and confined to the folder by a Watcher.
func Apply(lib *briefings.Library, paths []string) Reload {
	start := time.Now()
	var (
		changed []*briefings.Briefing
		removed []string
		r       Reload
	)
	known := knownPaths(lib)
	for _, p := range paths {
		info, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			for k := range known {
				if k == p || strings.HasPrefix(k, p+string(filepath.Separator)) {
					removed = append(removed, k)
				}
			}
			continue
		case err != nil:
			r.Problems = append(r.Problems, briefings.Problem{Path: p, Line: 1, Message: err.Error()})
			continue
		case info.IsDir() || !briefings.IsBriefingPath(filepath.Base(p)):
			continue
		}
		data, st, err := briefings.ReadFile(p, nil)
		if err != nil {
			r.Problems = append(r.Problems, briefings.Problem{Path: p, Line: 1, Message: "cannot read: " + err.Error()})
			continue
		}
		b, problems := briefings.Parse(p, data, st.ModTime)
		for _, pr := range problems {
			if !pr.Warning {
				r.Problems = append(r.Problems, pr)
			}
		}
		if b != nil {
			changed = append(changed, b)
		}
	}
	r.Changed, r.Removed = len(changed), len(removed)
	r.Library = lib
	if len(changed)+len(removed) > 0 {
		r.Library = lib.With(changed, removed)
	}
	r.Took = time.Since(start)
	return r
}

func knownPaths(lib *briefings.Library) map[string]bool {
	out := make(map[string]bool)
	for _, t := range lib.Topics() {
		for _, b := range lib.Versions(t.Key()) {
			out[b.Path] = true
		}
	}
	return out
}
