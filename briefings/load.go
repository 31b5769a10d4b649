package briefings

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// isBriefingFile reports whether a file name has a briefing extension;
// other files in a briefings folder are ignored silently.
func isBriefingFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown", ".txt":
		return !strings.HasPrefix(filepath.Base(name), ".")
	}
	return false
}

// job is one file to read and parse.
type job struct {
	path string
	read func() ([]byte, time.Time, error)
}

// Load reads a folder recursively. err is non-nil only when dir itself
// cannot be read; bad files are reported in problems and skipped.
// Symbolic links are followed; a link that leads back into a folder being
// walked is reported as a loop.
func Load(dir string) (lib *Library, problems []Problem, err error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("load briefings: %w", err)
	}
	if !info.IsDir() {
		return nil, nil, fmt.Errorf("load briefings: %s is not a directory", dir)
	}
	if _, err := os.ReadDir(dir); err != nil {
		return nil, nil, fmt.Errorf("load briefings: %w", err)
	}
	var jobs []job
	w := &walker{}
	w.walk(dir, []os.FileInfo{info}, &jobs)
	bs, probs := parseAll(jobs)
	return NewLibrary(bs), append(w.problems, probs...), nil
}

type walker struct {
	problems []Problem
}

// walk lists dir; ancestors are the folders on the way down, for spotting
// a link that points back up.
func (w *walker) walk(dir string, ancestors []os.FileInfo, jobs *[]job) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.problems = append(w.problems, Problem{Path: dir, Line: 1, Message: "cannot read folder: " + unwrapPath(err)})
		return
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			target, err := os.Stat(p)
			if err != nil {
				switch {
				case errors.Is(err, syscall.ELOOP):
					w.problems = append(w.problems, Problem{Path: p, Line: 1, Message: "symbolic link loop: " + unwrapPath(err)})
				case isBriefingFile(p):
					w.problems = append(w.problems, Problem{Path: p, Line: 1, Message: "broken symbolic link: " + unwrapPath(err)})
				}
				continue
			}
			if target.IsDir() {
				if loopsBack(target, ancestors) {
					w.problems = append(w.problems, Problem{Path: p, Line: 1, Message: "symbolic link loop: leads back to a folder already being read"})
					continue
				}
				w.walk(p, append(ancestors[:len(ancestors):len(ancestors)], target), jobs)
				continue
			}
			mode = target.Mode().Type()
		}
		if mode.IsDir() {
			info, err := os.Stat(p)
			if err != nil {
				continue
			}
			w.walk(p, append(ancestors[:len(ancestors):len(ancestors)], info), jobs)
			continue
		}
		if !mode.IsRegular() || !isBriefingFile(p) {
			continue
		}
		*jobs = append(*jobs, job{path: p, read: func() ([]byte, time.Time, error) {
			return readFile(p)
		}})
	}
}

func loopsBack(target os.FileInfo, ancestors []os.FileInfo) bool {
	for _, a := range ancestors {
		if os.SameFile(a, target) {
			return true
		}
	}
	return false
}

// readFile reads at most MaxFileSize+1 bytes, so a huge file is refused
// without being read whole.
func readFile(p string) ([]byte, time.Time, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, err
	}
	buf := make([]byte, min(info.Size(), MaxFileSize+1))
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, time.Time{}, err
	}
	return buf[:n], info.ModTime(), nil
}

// LoadFS is Load over any file system (root "."), used for the embedded samples.
func LoadFS(fsys fs.FS) (lib *Library, problems []Problem) {
	var jobs []job
	var walkProbs []Problem
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			walkProbs = append(walkProbs, Problem{Path: p, Line: 1, Message: "cannot read: " + unwrapPath(err)})
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() || !isBriefingFile(p) {
			return nil
		}
		jobs = append(jobs, job{path: p, read: func() ([]byte, time.Time, error) {
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return nil, time.Time{}, err
			}
			var mod time.Time
			if info, err := d.Info(); err == nil {
				mod = info.ModTime()
			}
			return data, mod, nil
		}})
		return nil
	})
	if err != nil {
		walkProbs = append(walkProbs, Problem{Path: ".", Line: 1, Message: err.Error()})
	}
	bs, probs := parseAll(jobs)
	return NewLibrary(bs), append(walkProbs, probs...)
}

// parseAll reads and parses files on every CPU. Results keep the order of
// jobs, so problems come out in a stable order.
func parseAll(jobs []job) ([]*Briefing, []Problem) {
	type result struct {
		b     *Briefing
		probs []Problem
	}
	results := make([]result, len(jobs))
	workers := min(runtime.NumCPU(), max(1, len(jobs)))
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				k := i
				i++
				next.Unlock()
				if k >= len(jobs) {
					return
				}
				results[k] = parseJob(jobs[k])
			}
		}()
	}
	wg.Wait()
	var bs []*Briefing
	var probs []Problem
	for _, r := range results {
		if r.b != nil {
			bs = append(bs, r.b)
		}
		probs = append(probs, r.probs...)
	}
	sort.SliceStable(probs, func(a, b int) bool { return probs[a].Path < probs[b].Path })
	return bs, probs
}

func parseJob(j job) (r struct {
	b     *Briefing
	probs []Problem
}) {
	defer func() {
		// A parser bug must cost one file, never the library.
		if v := recover(); v != nil {
			r.b = nil
			r.probs = []Problem{{Path: j.path, Line: 1, Message: fmt.Sprintf("internal error parsing file: %v", v)}}
		}
	}()
	data, mod, err := j.read()
	if err != nil {
		r.probs = []Problem{{Path: j.path, Line: 1, Message: "cannot read: " + unwrapPath(err)}}
		return r
	}
	r.b, r.probs = Parse(j.path, data, mod)
	return r
}

// unwrapPath drops the path from an *fs.PathError, since Problem prints it.
func unwrapPath(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
