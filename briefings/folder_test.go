package briefings

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestIsBriefingPath(t *testing.T) {
	for rel, want := range map[string]bool{
		"kazakhstan.txt":            true,
		"asia/kazakhstan.md":        true,
		"notes.markdown":            true,
		"readme-notes.txt":          true,
		"README.md":                 false,
		"sub/readme.txt":            false,
		"License.markdown":          false,
		"LICENCE.txt":               false,
		"CHANGELOG.md":              false,
		"contributing.md":           false,
		"Contributing.TXT":          false,
		".hidden.md":                false,
		".github/issue.md":          false,
		"..data/kazakhstan.md":      false,
		"..2026_11_30_10_00_00.1/x": false,
		"a/.git/x.md":               false,
		"../outside.md":             false,
		"picture.png":               false,
		"./kazakhstan.txt":          true,
	} {
		if got := IsBriefingPath(rel); got != want {
			t.Errorf("IsBriefingPath(%q) = %v, want %v", rel, got, want)
		}
	}
}

// writeFiles writes name → text under dir, making folders as needed.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func topicNames(lib *Library) string {
	var out []string
	for _, b := range lib.Topics() {
		out = append(out, b.Topic)
	}
	return strings.Join(out, "|")
}

// A Kubernetes ConfigMap volume: the files are links into ..data, itself a
// link to a timestamped folder. Each briefing counts once.
func TestLoadConfigMapCountsOnce(t *testing.T) {
	dir := t.TempDir()
	stamp := "..2026_11_30_10_00_00.123456789"
	writeFiles(t, filepath.Join(dir, stamp), map[string]string{
		"mars.txt":  "Mars\nThe red planet.\nRisks\n- Dust: storms.\n",
		"venus.txt": "Venus\nThe hot planet.\nRisks\n- Heat: a lot.\n",
	})
	symlink(t, stamp, filepath.Join(dir, "..data"))
	for _, name := range []string{"mars.txt", "venus.txt"} {
		symlink(t, filepath.Join("..data", name), filepath.Join(dir, name))
	}
	lib, probs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) > 0 {
		t.Errorf("problems: %v", probs)
	}
	if lib.Len() != 2 || topicNames(lib) != "Mars|Venus" {
		t.Errorf("loaded %d briefings (%s), want Mars and Venus once each", lib.Len(), topicNames(lib))
	}
	if b := lib.Topics()[0]; b.Path != filepath.Join(dir, "mars.txt") {
		t.Errorf("mars is known as %s, want the file the ConfigMap shows", b.Path)
	}
}

// A link to a secret outside the folder is neither served nor silently
// dropped: it is an error check reports.
func TestLoadRefusesLinksLeavingTheFolder(t *testing.T) {
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{
		"briefbot.yaml":   "slack:\n  bot_token: xoxb-secret\n",
		"other/leak.txt":  "Leak\nxoxb-secret\nRisks\n- Token: xoxb-secret.\n",
		"secret-note.txt": "Secret\nxoxb-secret\n",
	})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"mars.txt": "Mars\nThe red planet.\nRisks\n- Dust: storms.\n"})
	symlink(t, filepath.Join(outside, "briefbot.yaml"), filepath.Join(dir, "notes.txt"))
	symlink(t, filepath.Join(outside, "other"), filepath.Join(dir, "other"))
	symlink(t, "../"+filepath.Base(outside)+"/secret-note.txt", filepath.Join(dir, "relative.md"))
	symlink(t, "/dev/zero", filepath.Join(dir, "zero.txt"))
	symlink(t, filepath.Join(outside, "briefbot.yaml"), filepath.Join(dir, "picture.png")) // not a briefing name: ignored

	lib, probs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if topicNames(lib) != "Mars" {
		t.Errorf("topics = %s, want only Mars", topicNames(lib))
	}
	got := map[string]bool{}
	for _, p := range probs {
		if p.Warning || !strings.Contains(p.Message, "outside the briefings folder") {
			t.Errorf("unexpected problem %s", p.Error())
			continue
		}
		got[filepath.Base(p.Path)] = true
	}
	for _, name := range []string{"notes.txt", "other", "relative.md", "zero.txt"} {
		if !got[name] {
			t.Errorf("%s: no error for a link leaving the folder (got %v)", name, probs)
		}
	}
	if len(got) != 4 {
		t.Errorf("problems for %v, want the four links", got)
	}
	for _, q := range []string{"leak", "secret"} {
		if _, ok := lib.Match([]string{q}); ok {
			t.Errorf("%s served from outside the folder", q)
		}
	}
}

// Links inside the folder are followed, including when the folder itself is
// reached through links (a git-sync checkout).
func TestLoadFollowsLinksInside(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, filepath.Join(base, "rev1"), map[string]string{
		"asia/kazakhstan.txt": "Kazakhstan\nLede.\nRisks\n- Oil: prices.\n",
		"shared/mars.txt":     "Mars\nThe red planet.\nRisks\n- Dust: storms.\n",
	})
	symlink(t, "rev1", filepath.Join(base, "current"))
	symlink(t, "../shared/mars.txt", filepath.Join(base, "rev1", "asia", "mars-link.txt"))
	lib, probs, err := Load(filepath.Join(base, "current"))
	if err != nil || len(probs) > 0 {
		t.Fatal(err, probs)
	}
	if lib.Len() != 2 || topicNames(lib) != "Kazakhstan|Mars" {
		t.Errorf("loaded %d (%s), want Kazakhstan and Mars once each", lib.Len(), topicNames(lib))
	}
}

// A named pipe with a briefing's name is refused without blocking the
// loader, and reported.
func TestLoadRefusesSpecialFiles(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("named pipes are made with mkfifo on Linux")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"mars.txt": "Mars\nThe red planet.\nRisks\n- Dust: storms.\n"})
	if err := mkfifo(filepath.Join(dir, "pipe.txt")); err != nil {
		t.Fatal(err)
	}
	if err := mkfifo(filepath.Join(dir, "target-pipe")); err != nil {
		t.Fatal(err)
	}
	symlink(t, "target-pipe", filepath.Join(dir, "linked-pipe.md"))
	done := make(chan struct{})
	var (
		lib   *Library
		probs []Problem
		err   error
	)
	go func() { defer close(done); lib, probs, err = Load(dir) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Load blocked on a named pipe")
	}
	if err != nil {
		t.Fatal(err)
	}
	if topicNames(lib) != "Mars" {
		t.Errorf("topics = %s, want Mars", topicNames(lib))
	}
	got := map[string]string{}
	for _, p := range probs {
		got[filepath.Base(p.Path)] = p.Message
	}
	for _, name := range []string{"pipe.txt", "linked-pipe.md"} {
		if !strings.Contains(got[name], "not a regular file (a named pipe)") {
			t.Errorf("%s: problem %q, want a named pipe refused", name, got[name])
		}
	}
}

func TestReadFileRefusesSpecialFiles(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("named pipes are made with mkfifo on Linux")
	}
	fifo := filepath.Join(t.TempDir(), "pipe.txt")
	if err := mkfifo(fifo); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, "/dev/zero", "/dev/null"} {
		done := make(chan error, 1)
		go func() { _, _, err := ReadFile(p, nil); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("ReadFile(%s) = %v, want ErrNotRegular", p, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("ReadFile(%s) blocked", p)
		}
	}
	link := filepath.Join(t.TempDir(), "link.txt")
	symlink(t, "/etc/hostname", link)
	if _, _, err := ReadFile(link, nil); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadFile of a symbolic link = %v, want it refused", err)
	}
}

// However large the file, no more than one byte over the limit is read.
func TestReadFileStopsAtTheLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "huge.txt")
	if err := os.WriteFile(p, make([]byte, 3*MaxFileSize), 0o644); err != nil {
		t.Fatal(err)
	}
	data, st, err := ReadFile(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != MaxFileSize+1 || st.Size != 3*MaxFileSize {
		t.Errorf("read %d bytes of %d, want %d", len(data), st.Size, MaxFileSize+1)
	}
	small := filepath.Join(t.TempDir(), "small.txt")
	if err := os.WriteFile(small, []byte("Mars\nred\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 4)
	if data, _, err := ReadFile(small, buf); err != nil || string(data) != "Mars\nred\n" {
		t.Errorf("ReadFile(small) = %q, %v", data, err)
	}
}

type endless struct{}

func (endless) Read(b []byte) (int, error) { clear(b); return len(b), nil }

// A file that keeps growing while it is read (a link to /dev/zero would)
// costs at most the limit.
func TestReadAllStopsAtTheLimitWhileTheFileGrows(t *testing.T) {
	data, err := readAll(io.LimitReader(endless{}, MaxFileSize+1), nil, 10)
	if err != nil || len(data) != MaxFileSize+1 {
		t.Errorf("read %d bytes, %v; want %d", len(data), err, MaxFileSize+1)
	}
}

// Whatever the name, a hidden folder on the way, a name outside the folder
// or a name without a briefing extension is never a briefing.
func FuzzIsBriefingPath(f *testing.F) {
	for _, s := range []string{"a.md", "..data/a.md", "x/.github/README.md", "../a.txt", "sub/kz.TXT", "README", "a/b/c.markdown"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rel string) {
		got := IsBriefingPath(rel)
		if !got {
			return
		}
		els := strings.Split(filepath.ToSlash(rel), "/")
		for _, el := range els {
			if el == ".." || (el != "." && strings.HasPrefix(el, ".")) {
				t.Fatalf("IsBriefingPath(%q) = true with element %q", rel, el)
			}
		}
		switch strings.ToLower(filepath.Ext(els[len(els)-1])) {
		case ".md", ".markdown", ".txt":
		default:
			t.Fatalf("IsBriefingPath(%q) = true without a briefing extension", rel)
		}
	})
}

// A file that grew since it was opened is read on; a read cut short before
// the file's size is not taken for its end.
func TestReadAllReadsOnPastAShortRead(t *testing.T) {
	grown := "Mars\nred planet, and more\n"
	if data, err := readAll(bytes.NewReader([]byte(grown)), nil, 5); err != nil || string(data) != grown {
		t.Errorf("grown file: read %q, %v; want all of it", data, err)
	}
	whole := "Mars\nred\n"
	if data, err := readAll(iotest.OneByteReader(bytes.NewReader([]byte(whole))), make([]byte, 0, 2), int64(len(whole))); err != nil || string(data) != whole {
		t.Errorf("short reads: read %q, %v; want all of it", data, err)
	}
}
