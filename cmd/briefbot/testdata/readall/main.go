// Command readall reads every file below a folder with os.ReadFile and
// prints how many bytes it read: the floor TestLoadColdAsk compares a cold
// "briefbot ask" against, a minimal Go program doing the least any answer
// over those files must do.
package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

func main() {
	n := 0
	err := filepath.WalkDir(os.Args[1], func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		n += len(data)
		return err
	})
	if err != nil || n == 0 {
		fmt.Fprintln(os.Stderr, "readall:", err, n, "bytes")
		os.Exit(1)
	}
	fmt.Println(n)
}
