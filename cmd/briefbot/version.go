package main

import (
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"runtime/debug"
)

// Set at build time when the build records no VCS data (a Docker build
// without .git, or GOFLAGS=-buildvcs=false):
//
//	go build -ldflags "-X main.version=v1.2.3 -X main.commit=$(git rev-parse HEAD) -X main.buildTime=2026-01-02T03:04:05Z"
var (
	version   = ""
	commit    = ""
	buildTime = ""
)

// build is the identity of the running binary.
type build struct {
	// Version is the release version: -X main.version, else the module
	// version Go recorded (a pseudo-version for a VCS build), else "devel".
	Version string
	// Commit is the VCS revision, "unknown" when neither Go nor -X recorded it.
	Commit string
	// Modified is true when the working tree had uncommitted changes.
	Modified bool
	// Time is the commit time Go recorded, else -X main.buildTime, else "unknown".
	Time      string
	GoVersion string
}

// readBuild reads the build identity: the VCS data Go stamps into the
// binary first, the -ldflags -X values as the fallback.
func readBuild() build {
	b := build{Version: version, Commit: commit, Time: buildTime, GoVersion: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if ok {
		b = fromBuildInfo(b, info)
	}
	if b.Version == "" || b.Version == "(devel)" {
		b.Version = "devel"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Time == "" {
		b.Time = "unknown"
	}
	return b
}

// fromBuildInfo fills b from Go's build information: VCS settings win
// over the -X values already in b, the version given with -X wins over
// Go's module version.
func fromBuildInfo(b build, info *debug.BuildInfo) build {
	if b.Version == "" {
		b.Version = info.Main.Version
	}
	if info.GoVersion != "" {
		b.GoVersion = info.GoVersion
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// ShortCommit is the commit as people quote it: 12 hex digits.
func (b build) ShortCommit() string {
	return b.Commit[:min(12, len(b.Commit))]
}

// write prints the build as "briefbot version" does.
func (b build) write(w io.Writer) {
	fmt.Fprintf(w, "briefbot %s\n", b.Version)
	c := b.Commit
	if b.Modified {
		c += " (modified)"
	}
	fmt.Fprintf(w, "commit: %s\nbuilt:  %s\ngo:     %s\n", c, b.Time, b.GoVersion)
}

// LogValue is how the startup log shows the build.
func (b build) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("version", b.Version),
		slog.String("commit", b.Commit),
		slog.Bool("modified", b.Modified),
		slog.String("time", b.Time),
		slog.String("go", b.GoVersion),
	)
}
