// Command measure runs a command, its output passed through, and prints on
// stderr, last, its wall time, CPU time (user and system) and peak resident
// memory:
//
//	measure: 123456789 ns 98765432 ns 45678912 bytes
//
// A process's peak resident memory counts what it had before exec, so a
// command started straight from a large test process reports that
// process's size; started from this small one, it reports its own.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(1)
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024
	fmt.Fprintf(os.Stderr, "measure: %d ns %d ns %d bytes\n", took.Nanoseconds(), cpu.Nanoseconds(), rss)
}
