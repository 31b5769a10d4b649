//go:build !linux

package briefings

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// readFile is ReadFile. Where O_NONBLOCK is not portable, the file is
// checked with Lstat before it is opened, and again once open.
func readFile(p string, buf []byte) ([]byte, FileStat, error) {
	info, err := os.Lstat(p)
	if err != nil {
		return nil, FileStat{}, err
	}
	if !info.Mode().IsRegular() {
		return nil, FileStat{}, &fs.PathError{Op: "open", Path: p, Err: fmt.Errorf("%w (%s)", ErrNotRegular, kindOf(info.Mode()))}
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, FileStat{}, err
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, FileStat{}, err
	}
	if !info.Mode().IsRegular() {
		return nil, FileStat{}, &fs.PathError{Op: "read", Path: p, Err: ErrNotRegular}
	}
	data, err := readAll(io.LimitReader(f, MaxFileSize+1), buf, info.Size())
	if err != nil {
		return nil, FileStat{}, &fs.PathError{Op: "read", Path: p, Err: err}
	}
	return data, FileStat{Size: info.Size(), ModTime: info.ModTime()}, nil
}
