package briefings

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// This file holds the rules of a briefings folder that the loader and the
// watcher (package briefings/watch) share: which files are briefings,
// which symbolic links are followed, and how a file is read. Both call
// these functions; neither has a copy.

// IsBriefingPath reports whether the file at rel, a path relative to a
// briefings folder, is a briefing by its name: it has a briefing extension
// (.md, .markdown, .txt), and neither it nor any folder on the way is
// hidden (a name starting with "."; this skips .git, .github and the
// ..data and ..2026_… folders of a Kubernetes ConfigMap), and it is not the
// folder's own documentation: README, LICENSE, LICENCE, CHANGELOG or
// CONTRIBUTING, in any case, with any extension.
func IsBriefingPath(rel string) bool {
	dir, base := path.Split(filepath.ToSlash(rel))
	if !isBriefingName(base) {
		return false
	}
	for _, el := range strings.Split(dir, "/") {
		if el == ".." || (el != "." && isHiddenName(el)) {
			return false
		}
	}
	return true
}

// isHiddenName reports whether a file or folder name is hidden; hidden
// folders are not walked.
func isHiddenName(name string) bool { return strings.HasPrefix(name, ".") }

func isBriefingName(base string) bool {
	if isHiddenName(base) {
		return false
	}
	ext := filepath.Ext(base)
	switch strings.ToLower(ext) {
	case ".md", ".markdown", ".txt":
	default:
		return false
	}
	switch strings.ToLower(strings.TrimSuffix(base, ext)) {
	case "readme", "license", "licence", "changelog", "contributing":
		return false
	}
	return true
}

// File is one briefing file found in a folder.
type File struct {
	// Path is where the file was found under the folder, as given to
	// Scan; the library knows the briefing by it.
	Path string
	// Target is the file to read: Path with every symbolic link on the
	// way resolved. It is always inside the folder.
	Target string
}

// Tree is what Scan found in a briefings folder.
type Tree struct {
	// Root is the folder's real path, every symbolic link resolved.
	Root string
	// Folders are the folders walked, the folder itself first, named as
	// Files are; a folder reached by two paths is walked once.
	Folders []string
	// Files are the briefing files, in walk order. A file reached by two
	// paths (a ConfigMap's x.md and ..data/x.md, a linked sub-folder) is
	// listed once, under the first path.
	Files []File
}

// ErrOutside is reported for a symbolic link that leads outside the
// briefings folder; such links are never followed, since a synced
// checkout could otherwise serve any file the bot can read.
var ErrOutside = errors.New("symbolic link leads outside the briefings folder; not followed")

// ErrNotRegular is returned for a briefing name that is not a regular
// file: a named pipe, a socket or a device is never opened for reading.
var ErrNotRegular = errors.New("not a regular file")

// Scan walks a briefings folder with the loader's rules: hidden folders
// and files that are not briefings (IsBriefingPath) are skipped; symbolic
// links are followed only when they stay inside the folder; anything but
// a regular file is refused. Links that leave the folder, loops, broken
// links and special files with a briefing's name are reported as
// problems. err is non-nil only when dir itself cannot be read.
func Scan(dir string) (Tree, []Problem, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return Tree{}, nil, fmt.Errorf("load briefings: %w", err)
	}
	if !info.IsDir() {
		return Tree{}, nil, fmt.Errorf("load briefings: %s is not a directory", dir)
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return Tree{}, nil, fmt.Errorf("load briefings: %w", err)
	}
	if root, err = filepath.Abs(root); err != nil {
		return Tree{}, nil, fmt.Errorf("load briefings: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Tree{}, nil, fmt.Errorf("load briefings: %w", err)
	}
	s := &scanner{tree: Tree{Root: root}, files: map[string]bool{}, folders: map[string]bool{root: true}}
	s.walk(dir, root, entries, []string{root})
	return s.tree, s.problems, nil
}

type scanner struct {
	tree     Tree
	problems []Problem
	files    map[string]bool // targets already listed
	folders  map[string]bool // real folders already walked
}

func (s *scanner) problem(p, msg string) {
	s.problems = append(s.problems, Problem{Path: p, Line: 1, Message: msg})
}

// walk lists dir, whose real path is real; ancestors are the real folders
// on the way down, for spotting a link that points back up.
func (s *scanner) walk(dir, real string, entries []os.DirEntry, ancestors []string) {
	s.tree.Folders = append(s.tree.Folders, dir)
	for _, e := range entries {
		name := e.Name()
		if isHiddenName(name) {
			continue
		}
		p := filepath.Join(dir, name)
		target := filepath.Join(real, name)
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			var err error
			target, mode, err = s.resolve(p)
			if err != nil {
				switch {
				case errors.Is(err, syscall.ELOOP):
					s.problem(p, "symbolic link loop: "+unwrapPath(err))
				case errors.Is(err, ErrOutside):
					if mode.IsDir() || isBriefingName(name) {
						s.problem(p, err.Error())
					}
				case isBriefingName(name):
					s.problem(p, "broken symbolic link: "+unwrapPath(err))
				}
				continue
			}
		}
		switch {
		case mode.IsDir():
			if s.folders[target] {
				for _, a := range ancestors {
					if a == target {
						s.problem(p, "symbolic link loop: leads back to a folder already being read")
					}
				}
				continue
			}
			s.folders[target] = true
			sub, err := os.ReadDir(p)
			if err != nil {
				s.problem(p, "cannot read folder: "+unwrapPath(err))
				continue
			}
			s.walk(p, target, sub, append(ancestors[:len(ancestors):len(ancestors)], target))
		case !isBriefingName(name):
		case !mode.IsRegular():
			s.problem(p, fmt.Sprintf("%v (%s); not read", ErrNotRegular, kindOf(mode)))
		case s.files[target]:
		default:
			s.files[target] = true
			s.tree.Files = append(s.tree.Files, File{Path: p, Target: target})
		}
	}
}

// resolve follows the symbolic link p; it returns where it leads and the
// type of what is there, or ErrOutside when that is not inside the folder.
func (s *scanner) resolve(p string) (string, fs.FileMode, error) {
	// Stat first: its errors name a loop (ELOOP) or a missing target.
	if _, err := os.Stat(p); err != nil {
		return "", 0, err
	}
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", 0, err
	}
	if target, err = filepath.Abs(target); err != nil {
		return "", 0, err
	}
	info, err := os.Lstat(target)
	if err != nil {
		return "", 0, err
	}
	if !Inside(s.tree.Root, target) {
		return "", info.Mode().Type(), fmt.Errorf("%w (it leads to %s)", ErrOutside, target)
	}
	return target, info.Mode().Type(), nil
}

// Inside reports whether the real path p is root or under it.
func Inside(root, p string) bool {
	if p == root {
		return true
	}
	if !strings.HasSuffix(root, string(filepath.Separator)) {
		root += string(filepath.Separator)
	}
	return strings.HasPrefix(p, root)
}

func kindOf(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a device"
	case mode&fs.ModeSymlink != 0:
		return "a symbolic link"
	case mode.IsDir():
		return "a folder"
	}
	return "not a plain file"
}

// FileStat is what ReadFile saw of the file it read.
type FileStat struct {
	Size    int64
	ModTime time.Time
}

// ReadFile reads the regular file at p, which must not itself be a
// symbolic link (give it a File's Target). It reads into buf when buf has
// room, and never more than MaxFileSize+1 bytes, even if the file grows
// while it is read, so a file over the limit is refused without being read
// whole. Anything but a regular file is refused with ErrNotRegular without
// blocking: the file is opened non-blocking and checked before it is read.
func ReadFile(p string, buf []byte) ([]byte, FileStat, error) {
	return readFile(p, buf)
}

// readConfined reads the file at p (the aliases file) if it is a regular
// file inside root, following links as Scan does.
func readConfined(root, p string) ([]byte, error) {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, err
	}
	if target, err = filepath.Abs(target); err != nil {
		return nil, err
	}
	if !Inside(root, target) {
		return nil, fmt.Errorf("%w (it leads to %s)", ErrOutside, target)
	}
	data, _, err := readFile(target, nil)
	return data, err
}

// readAll reads r to its end into buf, growing it as needed; size is the
// file's size when it was opened. One byte more than size is asked for, so
// a file that grew is read on, up to the reader's limit. A short read once
// size bytes are in is the end of a regular file, which saves the read
// that would only confirm it.
func readAll(r io.Reader, buf []byte, size int64) ([]byte, error) {
	want := int(min(max(size, 0), MaxFileSize)) + 1
	if cap(buf) < want {
		buf = make([]byte, 0, want)
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		free := buf[len(buf):cap(buf)]
		n, err := r.Read(free)
		buf = buf[:len(buf)+n]
		if err == io.EOF || (err == nil && n > 0 && n < len(free) && int64(len(buf)) >= size) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
