//go:build !linux

package briefings

import (
	"errors"
	"io"
	"os"
	"time"
)

// readFile reads at most MaxFileSize+1 bytes, so a huge file is refused
// without being read whole. It reads into buf when buf has room.
func readFile(p string, buf []byte) ([]byte, time.Time, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, err
	}
	size := int(min(info.Size(), MaxFileSize+1))
	if cap(buf) < size {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, time.Time{}, err
	}
	return buf[:n], info.ModTime(), nil
}
