//go:build !unix

package watch_test

import "errors"

// mkfifo makes a named pipe at p, where the system has them.
func mkfifo(string) error { return errors.ErrUnsupported }
