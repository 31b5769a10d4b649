//go:build linux

package briefings

import (
	"fmt"
	"io"
	"io/fs"
	"syscall"
	"time"
)

// readFile is ReadFile. It uses the system calls directly: os.Open also
// tries to register every file with the network poller, which costs more
// system calls than reading a small briefing does. O_NONBLOCK keeps a named
// pipe from blocking the open; O_NOFOLLOW keeps a link swapped in after the
// folder was walked from being followed.
func readFile(p string, buf []byte) ([]byte, FileStat, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err == syscall.ELOOP {
		return nil, FileStat{}, &fs.PathError{Op: "open", Path: p, Err: fmt.Errorf("%w (a symbolic link)", ErrNotRegular)}
	}
	if err != nil {
		return nil, FileStat{}, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, FileStat{}, &fs.PathError{Op: "stat", Path: p, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, FileStat{}, &fs.PathError{Op: "read", Path: p, Err: ErrNotRegular}
	}
	fst := FileStat{Size: st.Size, ModTime: time.Unix(st.Mtim.Unix())}
	data, err := readAll(io.LimitReader(fdReader(fd), MaxFileSize+1), buf, st.Size)
	if err != nil {
		return nil, FileStat{}, &fs.PathError{Op: "read", Path: p, Err: err}
	}
	return data, fst, nil
}

type fdReader int

func (r fdReader) Read(b []byte) (int, error) {
	for {
		n, err := syscall.Read(int(r), b)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(b) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}
