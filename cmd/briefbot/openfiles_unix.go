//go:build unix

package main

import "syscall"

// openFileLimit returns how many files this process may have open
// (RLIMIT_NOFILE, which the Go runtime raises to the hard limit at start),
// or 0 when it cannot tell.
func openFileLimit() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Cur > 1<<30 {
		return 0
	}
	return int(r.Cur)
}
