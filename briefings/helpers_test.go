package briefings

import (
	"io/fs"
	"testing"
)

func mustSub(t *testing.T) fs.FS {
	t.Helper()
	sub, err := fs.Sub(samplesFS, "samples")
	if err != nil {
		t.Fatal(err)
	}
	return sub
}
