package briefings

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"
)

// job is one file to read and parse.
type job struct {
	path string
	// read returns the file's bytes, in buf when it is large enough:
	// buf is the worker's, reused from file to file, since Parse keeps
	// nothing of the bytes it is given.
	read func(buf []byte) ([]byte, time.Time, error)
}

// Load reads a folder recursively. err is non-nil only when dir itself
// cannot be read; bad files are reported in problems and skipped. Which
// files are read, and which symbolic links are followed, is Scan's rule:
// links are followed only inside the folder, a file reached by two paths
// counts once, and only regular files are read.
func Load(dir string) (lib *Library, problems []Problem, err error) {
	return load(dir, false)
}

// LoadLazy is Load for a process that answers a question or two and exits
// (a cold "briefbot ask"): it reads every file, but parses whole only
// those whose topic, aliases and date their front matter does not settle
// (see parseHeader); the others are parsed on first use, from their file,
// once. The library answers as Load's would. Problems are those of what
// was parsed at load: the files parsed later are not checked, so "briefbot
// check" and a server use Load.
func LoadLazy(dir string) (lib *Library, problems []Problem, err error) {
	return load(dir, true)
}

func load(dir string, lazy bool) (lib *Library, problems []Problem, err error) {
	tree, walkProbs, err := Scan(dir)
	if err != nil {
		return nil, nil, err
	}
	jobs := make([]job, len(tree.Files))
	for i, f := range tree.Files {
		jobs[i] = job{path: f.Path, read: func(buf []byte) ([]byte, time.Time, error) {
			data, st, err := readFile(f.Target, buf)
			return data, st.ModTime, err
		}}
	}
	bs, keys, pending, probs := parseAll(jobs, lazy)
	aliasesPath := filepath.Join(dir, AliasesFile)
	if data, err := readConfined(tree.Root, aliasesPath); err == nil {
		probs = append(probs, applyAliases(aliasesPath, data, bs, keys)...)
	} else if !errors.Is(err, fs.ErrNotExist) {
		probs = append(probs, Problem{Path: aliasesPath, Line: 1, Message: "cannot read: " + unwrapPath(err)})
	}
	return newLibrary(bs, keys, pending), append(walkProbs, probs...), nil
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
		if d.IsDir() && p != "." && isHiddenName(d.Name()) {
			return fs.SkipDir
		}
		if d.IsDir() || !d.Type().IsRegular() || !IsBriefingPath(p) {
			return nil
		}
		jobs = append(jobs, job{path: p, read: func([]byte) ([]byte, time.Time, error) {
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
	bs, keys, _, probs := parseAll(jobs, false)
	if data, err := fs.ReadFile(fsys, AliasesFile); err == nil {
		probs = append(probs, applyAliases(AliasesFile, data, bs, keys)...)
	}
	return newLibrary(bs, keys, nil), append(walkProbs, probs...)
}

// parseAll reads and parses files on every CPU, and works out the topic
// key of each briefing there too. Results keep the order of jobs, so
// problems come out in a stable order. When lazy, a file whose header
// settles its topic, aliases and date is only read for it, and left
// pending, to be parsed whole on first use.
func parseAll(jobs []job, lazy bool) ([]*Briefing, []string, map[*Briefing]*pendingBody, []Problem) {
	results := make([]result, len(jobs))
	keys := make([]string, len(jobs))
	workers := min(runtime.NumCPU(), max(1, len(jobs)))
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := &slab{chunked: true}
			for {
				next.Lock()
				k := i
				i++
				next.Unlock()
				if k >= len(jobs) {
					return
				}
				results[k] = parseJob(jobs[k], a, lazy)
				if b := results[k].b; b != nil {
					keys[k] = b.Key()
				}
			}
		}()
	}
	wg.Wait()
	bs := make([]*Briefing, 0, len(jobs))
	var probs []Problem
	var pending map[*Briefing]*pendingBody
	for i, r := range results {
		if r.b != nil {
			bs = append(bs, r.b)
			keys[len(bs)-1] = keys[i]
		}
		if r.pending {
			if pending == nil {
				pending = map[*Briefing]*pendingBody{}
			}
			pending[r.b] = &pendingBody{read: jobs[i].read}
		}
		probs = append(probs, r.probs...)
	}
	sort.SliceStable(probs, func(a, b int) bool { return probs[a].Path < probs[b].Path })
	return bs, keys[:len(bs)], pending, probs
}

// result is what parseJob makes of one file.
type result struct {
	b     *Briefing
	probs []Problem
	// pending is true when b holds only what the header gives.
	pending bool
}

func parseJob(j job, a *slab, lazy bool) (r result) {
	defer func() {
		// A parser bug must cost one file, never the library.
		if v := recover(); v != nil {
			r.b = nil
			r.probs = []Problem{{Path: j.path, Line: 1, Message: fmt.Sprintf("internal error parsing file: %v", v)}}
		}
	}()
	data, mod, err := j.read(a.readBuf)
	if cap(data) > cap(a.readBuf) && cap(data) <= 64<<10 {
		a.readBuf = data[:0]
	}
	if err != nil {
		r.probs = []Problem{{Path: j.path, Line: 1, Message: "cannot read: " + unwrapPath(err)}}
		return r
	}
	if lazy {
		if b, ok := parseHeader(j.path, data, mod); ok {
			r.b, r.pending = b, true
			return r
		}
	}
	r.b, r.probs = parseWith(j.path, data, mod, a)
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
