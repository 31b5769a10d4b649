//go:build linux

package briefings

import (
	"io/fs"
	"syscall"
	"time"
)

// readFile reads at most MaxFileSize+1 bytes, so a huge file is refused
// without being read whole. It reads into buf when buf has room. It uses the system calls directly: os.Open
// also tries to register every file with the network poller, which costs
// more system calls than reading a small briefing does.
func readFile(p string, buf []byte) ([]byte, time.Time, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, time.Time{}, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, time.Time{}, &fs.PathError{Op: "stat", Path: p, Err: err}
	}
	mod := time.Unix(st.Mtim.Unix())
	size := int(min(st.Size, MaxFileSize+1))
	if cap(buf) < size {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	n := 0
	for n < len(buf) {
		k, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, time.Time{}, &fs.PathError{Op: "read", Path: p, Err: err}
		}
		if k == 0 {
			break
		}
		n += k
	}
	return buf[:n], mod, nil
}
