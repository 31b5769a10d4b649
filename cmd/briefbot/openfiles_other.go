//go:build !unix

package main

// openFileLimit returns 0: where there is no RLIMIT_NOFILE, the connection
// cap is http.max_connections alone.
func openFileLimit() int { return 0 }
