package briefings

import (
	"embed"
	"io/fs"
	"sync"
)

// samplesFS holds the bundled sample briefings. Embedded files have no
// modification time, so a sample without a front-matter date (the
// plain-text ones, such as kazakhstan.txt) is dated DefaultDate.
//
//go:embed samples
var samplesFS embed.FS

var (
	sampleOnce sync.Once
	sampleLib  *Library
)

// SampleFS returns the bundled sample briefings as a file system, with
// the briefings at its root, for tools that check them (LoadFS loads it).
func SampleFS() fs.FS {
	sub, err := fs.Sub(samplesFS, "samples")
	if err != nil {
		panic("briefings: embedded samples missing: " + err.Error())
	}
	return sub
}

// Sample returns the bundled sample library (embedded with go:embed). It is
// loaded once; the samples are tested, so they load without problems.
func Sample() *Library {
	sampleOnce.Do(func() {
		sampleLib, _ = LoadFS(SampleFS())
	})
	return sampleLib
}
