// Package watch keeps a briefings Library current while a folder is
// edited: it watches the folder with fsnotify, re-parses only the files
// that changed and hands over a new Library, never blocking queries on the
// old one.
//
// An edit that breaks a file keeps that file's last good version; the
// problem is reported with its path and line.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
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
}

// Run watches until ctx is done. lib is the library loaded from Dir at
// start; each reload builds on the previous one.
func (w *Watcher) Run(ctx context.Context, lib *briefings.Library) error {
	log := w.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	debounce := w.Debounce
	if debounce <= 0 {
		debounce = 100 * time.Millisecond
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch briefings: %w", err)
	}
	defer fw.Close()
	if err := addTree(fw, w.Dir); err != nil {
		return fmt.Errorf("watch briefings %s: %w", w.Dir, err)
	}
	if w.Ready != nil {
		w.Ready()
	}

	// What changed between the load and the watches is caught up at once.
	pending := missed(lib, w.Dir, w.Since)
	var fire <-chan time.Time
	if len(pending) > 0 {
		fire = time.After(0)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err, ok := <-fw.Errors:
			if !ok {
				return nil
			}
			log.WarnContext(ctx, "briefings watcher", "err", err)
		case ev, ok := <-fw.Events:
			if !ok {
				return nil
			}
			if ev.Has(fsnotify.Create) {
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					// A new folder: watch it and load what it already holds.
					if err := addTree(fw, ev.Name); err != nil {
						log.WarnContext(ctx, "watch new folder", "path", ev.Name, "err", err)
					}
					filepath.WalkDir(ev.Name, func(p string, d fs.DirEntry, err error) error {
						if err == nil && !d.IsDir() {
							pending[p] = true
						}
						return nil
					})
				}
			}
			pending[ev.Name] = true
			fire = time.After(debounce)
		case <-fire:
			fire = nil
			paths := make([]string, 0, len(pending))
			for p := range pending {
				paths = append(paths, p)
			}
			clear(pending)
			var r Reload
			if slices.Contains(paths, filepath.Join(w.Dir, briefings.AliasesFile)) {
				// The aliases file touches any number of topics: load afresh.
				r = reloadAll(w.Dir, lib)
			} else {
				r = Apply(lib, paths)
			}
			if r.Library == lib && len(r.Problems) == 0 {
				continue
			}
			lib = r.Library
			for _, p := range r.Problems {
				log.WarnContext(ctx, "briefing not reloaded, keeping its last good version", "problem", p.Error())
			}
			log.InfoContext(ctx, "briefings reloaded", "changed", r.Changed, "removed", r.Removed, "errors", len(r.Problems), "briefings", lib.Len(), "took", r.Took)
			if w.OnReload != nil {
				w.OnReload(r)
			}
		}
	}
}

// reloadAll loads dir afresh; if it cannot be read, lib stays.
func reloadAll(dir string, lib *briefings.Library) Reload {
	start := time.Now()
	nl, problems, err := briefings.Load(dir)
	if err != nil {
		return Reload{Library: lib, Problems: []briefings.Problem{{Path: dir, Line: 1, Message: err.Error()}}, Took: time.Since(start)}
	}
	r := Reload{Library: nl, Changed: nl.Len(), Took: time.Since(start)}
	for _, p := range problems {
		if !p.Warning {
			r.Problems = append(r.Problems, p)
		}
	}
	return r
}

// missed lists the briefing files under dir that lib lacks or that changed
// after since, and the files lib has that are gone.
func missed(lib *briefings.Library, dir string, since time.Time) map[string]bool {
	known := knownPaths(lib)
	out := make(map[string]bool)
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isBriefingFile(p) {
			return nil
		}
		if !known[p] {
			out[p] = true
		} else if info, err := d.Info(); err == nil && !since.IsZero() && info.ModTime().After(since) {
			out[p] = true
		}
		delete(known, p)
		return nil
	})
	for p := range known {
		out[p] = true // deleted since the load
	}
	return out
}

// Apply re-reads the given paths (files or folders, changed, created or
// deleted) and returns lib updated with them. A file that fails to parse
// keeps its version in lib and is reported in Problems.
func Apply(lib *briefings.Library, paths []string) Reload {
	start := time.Now()
	var (
		changed []*briefings.Briefing
		removed []string
		r       Reload
	)
	known := knownPaths(lib)
	for _, p := range paths {
		info, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// Deleted or renamed away: drop it, or everything under it.
			for k := range known {
				if k == p || strings.HasPrefix(k, p+string(filepath.Separator)) {
					removed = append(removed, k)
				}
			}
			continue
		case err != nil:
			r.Problems = append(r.Problems, briefings.Problem{Path: p, Line: 1, Message: err.Error()})
			continue
		case info.IsDir() || !isBriefingFile(p):
			continue
		}
		b, problems := parseFile(p, info)
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

func parseFile(p string, info fs.FileInfo) (*briefings.Briefing, []briefings.Problem) {
	if info.Size() > briefings.MaxFileSize {
		return nil, []briefings.Problem{{Path: p, Line: 1, Message: fmt.Sprintf("file is %d bytes, over the limit of %d", info.Size(), briefings.MaxFileSize)}}
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, []briefings.Problem{{Path: p, Line: 1, Message: err.Error()}}
	}
	return briefings.Parse(p, data, info.ModTime())
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

// isBriefingFile mirrors the loader: .md, .markdown and .txt, not hidden.
func isBriefingFile(name string) bool {
	if strings.HasPrefix(filepath.Base(name), ".") {
		return false
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown", ".txt":
		return true
	}
	return false
}

// addTree watches dir and every folder below it.
func addTree(fw *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != dir {
				return filepath.SkipDir
			}
			return fw.Add(p)
		}
		return nil
	})
}
