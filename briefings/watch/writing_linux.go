//go:build linux

package watch

import "syscall"

// stillWriting reports whether some process has the file at p open for
// writing, such as a copy still under way or an editor that paused
// mid-write. It asks for a read lease, which Linux refuses with EAGAIN
// while any writer has the file open, and gives it back at once. Leases
// need the file's owner (or CAP_LEASE) and a local file system; where the
// kernel refuses for those reasons, it reports false and settling rests on
// size and modification time alone.
func stillWriting(p string) bool {
	fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	_, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETLEASE, syscall.F_RDLCK)
	if errno == syscall.EAGAIN {
		return true
	}
	if errno == 0 {
		syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETLEASE, syscall.F_UNLCK)
	}
	return false
}
