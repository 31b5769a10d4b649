//go:build !unix

package briefings

import "errors"

// mkfifo makes a named pipe at p, where the system has them.
func mkfifo(string) error { return errors.ErrUnsupported }
