package watch_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/watch"
)

// Each test here builds a folder the way a real tool lays it out, edits it
// the way that tool does, and waits for the reload it must cause.

// briefing is a small plain-text briefing whose first risk is label.
func briefing(topic, label string) string {
	return topic + " :\nThe " + topic + " story is in the news.\nRisks\n- " + label + ": It could go wrong.\n"
}

// running is a Watcher started on a folder, with every reload recorded.
type running struct {
	t       *testing.T
	reloads chan watch.Reload
	lib     *briefings.Library
	seen    []*briefings.Library
}

const deadline = 10 * time.Second

func startWatcher(t *testing.T, dir string, configure ...func(*watch.Watcher)) *running {
	t.Helper()
	lib, _, err := briefings.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &running{t: t, reloads: make(chan watch.Reload, 100), lib: lib}
	ready := make(chan struct{})
	w := &watch.Watcher{
		Dir: dir, Debounce: 10 * time.Millisecond, Settle: 20 * time.Millisecond,
		OnReload: func(rl watch.Reload) { r.reloads <- rl },
		Ready:    func() { close(ready) },
	}
	for _, c := range configure {
		c(w)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, lib) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Run ended before it was ready: %v", err)
	}
	return r
}

// waitFor takes reloads until the library satisfies ok, failing after the
// deadline with what.
func (r *running) waitFor(what string, ok func(*briefings.Library) bool) *briefings.Library {
	r.t.Helper()
	timeout := time.After(deadline)
	for !ok(r.lib) {
		select {
		case rl := <-r.reloads:
			r.lib = rl.Library
			r.seen = append(r.seen, rl.Library)
		case <-timeout:
			r.t.Fatalf("%s: not seen within %v (topics now: %s)", what, deadline, topics(r.lib))
		}
	}
	return r.lib
}

func (r *running) waitRisk(topic, label string) {
	r.t.Helper()
	r.waitFor(fmt.Sprintf("%s risks = %s", topic, label), func(l *briefings.Library) bool { return risks(l, topic) == label })
}

func topics(lib *briefings.Library) string {
	var out []string
	for _, b := range lib.Topics() {
		out = append(out, b.Topic)
	}
	return strings.Join(out, "|")
}

func mkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func rename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// swapLink points link at target atomically, as git-sync and `ln -sfn`
// then `mv -T` do: a new link beside it, renamed over the old one.
func swapLink(t *testing.T, target, link string) {
	t.Helper()
	tmp := link + ".tmp"
	symlink(t, target, tmp)
	rename(t, tmp, link)
}

// git-sync: the configured folder is a link to a checkout; a sync makes a
// new checkout and swaps the link.
func TestGitSyncSwap(t *testing.T) {
	root := t.TempDir()
	mkdir(t, filepath.Join(root, "rev1"))
	write(t, filepath.Join(root, "rev1", "mars.txt"), briefing("Mars", "Dust"))
	write(t, filepath.Join(root, "rev1", "venus.txt"), briefing("Venus", "Heat"))
	symlink(t, "rev1", filepath.Join(root, "current"))
	r := startWatcher(t, filepath.Join(root, "current"))

	mkdir(t, filepath.Join(root, "rev2"))
	write(t, filepath.Join(root, "rev2", "mars.txt"), briefing("Mars", "Radiation"))
	write(t, filepath.Join(root, "rev2", "titan.txt"), briefing("Titan", "Cold"))
	swapLink(t, "rev2", filepath.Join(root, "current"))
	lib := r.waitFor("the new checkout", func(l *briefings.Library) bool {
		return risks(l, "mars") == "Radiation" && risks(l, "titan") == "Cold" && risks(l, "venus") == ""
	})
	// git-sync removes the old checkout once the link is swapped.
	if err := os.RemoveAll(filepath.Join(root, "rev1")); err != nil {
		t.Fatal(err)
	}
	if lib.Len() != 2 {
		t.Errorf("after the swap %d briefings (%s), want 2", lib.Len(), topics(lib))
	}
	if b := lib.Topics()[0]; b.Path != filepath.Join(root, "current", "mars.txt") {
		t.Errorf("mars is known as %s, want the path under the configured folder", b.Path)
	}
	// The new checkout is watched, not the old one.
	write(t, filepath.Join(root, "rev2", "mars.txt"), briefing("Mars", "Storms"))
	r.waitRisk("mars", "Storms")
}

// The folder is below a link that is swapped: a git-sync checkout whose
// briefings are one folder of the repository, reached through a link.
func TestLinkAlongThePath(t *testing.T) {
	root := t.TempDir()
	for _, rev := range []string{"rev1", "rev2"} {
		mkdir(t, filepath.Join(root, rev, "briefings", "asia"))
	}
	write(t, filepath.Join(root, "rev1", "briefings", "asia", "kazakhstan.txt"), briefing("Kazakhstan", "Oil"))
	write(t, filepath.Join(root, "rev2", "briefings", "asia", "kazakhstan.txt"), briefing("Kazakhstan", "Backlash"))
	symlink(t, "rev1", filepath.Join(root, "current"))
	dir := filepath.Join(root, "current", "briefings")
	r := startWatcher(t, dir)

	// An edit through the link reloads.
	write(t, filepath.Join(dir, "asia", "kazakhstan.txt"), briefing("Kazakhstan", "Gas"))
	r.waitRisk("kazakhstan", "Gas")
	// A linked sub-folder inside the folder is followed and watched.
	mkdir(t, filepath.Join(dir, ".shelf", "europe"))
	write(t, filepath.Join(dir, ".shelf", "europe", "malta.txt"), briefing("Malta", "Storms"))
	symlink(t, filepath.Join(".shelf", "europe"), filepath.Join(dir, "europe"))
	r.waitRisk("malta", "Storms")
	write(t, filepath.Join(dir, ".shelf", "europe", "malta.txt"), briefing("Malta", "Drought"))
	r.waitRisk("malta", "Drought")
	if b := r.lib.Topics()[1]; b.Topic != "Malta" || b.Path != filepath.Join(dir, "europe", "malta.txt") {
		t.Errorf("malta is %s at %s, want the path through the link", b.Topic, b.Path)
	}
	// Swapping the link higher up reloads from the new target.
	swapLink(t, "rev2", filepath.Join(root, "current"))
	r.waitRisk("kazakhstan", "Backlash")
	write(t, filepath.Join(root, "rev2", "briefings", "asia", "kazakhstan.txt"), briefing("Kazakhstan", "Drought"))
	r.waitRisk("kazakhstan", "Drought")
}

// A Kubernetes ConfigMap volume, laid out and updated as the kubelet does:
// files are links to ..data/<name>; ..data links to a timestamped folder;
// an update writes a new timestamped folder, points ..data_tmp at it and
// renames it over ..data, then removes the old folder.
func TestConfigMapUpdate(t *testing.T) {
	dir := t.TempDir()
	stamp := func(n int) string { return fmt.Sprintf("..2026_11_30_10_00_%02d.%09d", n, n) }
	writeVersion := func(n int, files map[string]string) {
		mkdir(t, filepath.Join(dir, stamp(n)))
		for name, text := range files {
			write(t, filepath.Join(dir, stamp(n), name), text)
		}
	}
	writeVersion(1, map[string]string{"mars.txt": briefing("Mars", "Dust"), "venus.txt": briefing("Venus", "Heat"), briefings.AliasesFile: "mars: [red planet]\n"})
	symlink(t, stamp(1), filepath.Join(dir, "..data"))
	for _, name := range []string{"mars.txt", "venus.txt", briefings.AliasesFile} {
		symlink(t, filepath.Join("..data", name), filepath.Join(dir, name))
	}
	r := startWatcher(t, dir)
	if r.lib.Len() != 2 || risks(r.lib, "red planet") != "Dust" {
		t.Fatalf("loaded %d briefings (%s), want each once, with aliases", r.lib.Len(), topics(r.lib))
	}

	update := func(n, old int, files map[string]string) {
		writeVersion(n, files)
		symlink(t, stamp(n), filepath.Join(dir, "..data_tmp"))
		rename(t, filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data"))
		for name := range files {
			if _, err := os.Lstat(filepath.Join(dir, name)); os.IsNotExist(err) {
				symlink(t, filepath.Join("..data", name), filepath.Join(dir, name))
			}
		}
		if err := os.RemoveAll(filepath.Join(dir, stamp(old))); err != nil {
			t.Fatal(err)
		}
	}
	update(2, 1, map[string]string{"mars.txt": briefing("Mars", "Radiation"), "venus.txt": briefing("Venus", "Heat")})
	lib := r.waitFor("the updated ConfigMap", func(l *briefings.Library) bool { return risks(l, "mars") == "Radiation" })
	if lib.Len() != 2 || risks(lib, "venus") != "Heat" {
		t.Errorf("after the update %d briefings (%s), want Mars and Venus once each", lib.Len(), topics(lib))
	}
	// The aliases file is a key like the others.
	update(3, 2, map[string]string{"mars.txt": briefing("Mars", "Radiation"), "venus.txt": briefing("Venus", "Heat"), briefings.AliasesFile: "mars: [red planet, ares]\n"})
	r.waitRisk("ares", "Radiation")
	// A key added to the ConfigMap.
	update(4, 3, map[string]string{"mars.txt": briefing("Mars", "Radiation"), "venus.txt": briefing("Venus", "Heat"), "titan.txt": briefing("Titan", "Cold"), briefings.AliasesFile: "mars: [red planet, ares]\n"})
	lib = r.waitFor("a new key", func(l *briefings.Library) bool { return risks(l, "titan") == "Cold" })
	if lib.Len() != 3 {
		t.Errorf("after adding a key %d briefings (%s), want 3", lib.Len(), topics(lib))
	}
	for _, l := range r.seen {
		if l.Len() > 3 {
			t.Errorf("a reload served %d briefings (%s): a ConfigMap's files counted twice", l.Len(), topics(l))
		}
	}
}

// Moving the folder away and back, or replacing it, leaves it watched.
func TestFolderMovedAwayAndBack(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "briefings")
	mkdir(t, dir)
	write(t, filepath.Join(dir, "mars.txt"), briefing("Mars", "Dust"))
	logs := make(chan string, 100)
	r := startWatcher(t, dir, func(w *watch.Watcher) { w.Logger = slog.New(&messages{logs}) })

	rename(t, dir, dir+".bak")
	waitLog(t, logs, "briefings folder is gone")
	rename(t, dir+".bak", dir)
	write(t, filepath.Join(dir, "mars.txt"), briefing("Mars", "Radiation"))
	r.waitRisk("mars", "Radiation")

	// Replaced by a new folder of the same name.
	rename(t, dir, dir+".old")
	waitLog(t, logs, "briefings folder is gone")
	mkdir(t, dir)
	write(t, filepath.Join(dir, "venus.txt"), briefing("Venus", "Heat"))
	write(t, filepath.Join(dir, "mars.txt"), briefing("Mars", "Storms"))
	r.waitFor("the replacement folder", func(l *briefings.Library) bool {
		return risks(l, "venus") == "Heat" && risks(l, "mars") == "Storms"
	})
	write(t, filepath.Join(dir, "venus.txt"), briefing("Venus", "Acid"))
	r.waitRisk("venus", "Acid")
	for _, l := range r.seen {
		if l.Len() == 0 {
			t.Errorf("a reload served an empty library while the folder was away")
		}
	}

	// Removed, then made again.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	waitLog(t, logs, "briefings folder is gone")
	mkdir(t, dir)
	write(t, filepath.Join(dir, "titan.txt"), briefing("Titan", "Cold"))
	lib := r.waitFor("the folder made again", func(l *briefings.Library) bool { return risks(l, "titan") == "Cold" })
	if topics(lib) != "Titan" {
		t.Errorf("topics = %s, want only the new folder's", topics(lib))
	}
}

// messages is a slog.Handler that passes on each record's message.
type messages struct{ c chan<- string }

func (m *messages) Enabled(context.Context, slog.Level) bool { return true }
func (m *messages) Handle(_ context.Context, r slog.Record) error {
	select {
	case m.c <- r.Message:
	default:
	}
	return nil
}
func (m *messages) WithAttrs([]slog.Attr) slog.Handler { return m }
func (m *messages) WithGroup(string) slog.Handler      { return m }

func waitLog(t *testing.T, logs <-chan string, want string) {
	t.Helper()
	timeout := time.After(deadline)
	for {
		select {
		case msg := <-logs:
			if strings.HasPrefix(msg, want) {
				return
			}
		case <-timeout:
			t.Fatalf("log %q not seen within %v", want, deadline)
		}
	}
}

// A network volume delivers no events: polling finds changes by size,
// modification time and, when those cannot tell, content.
func TestPollingWithoutEvents(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "mars.txt"), briefing("Mars", "Dust"))
	r := startWatcher(t, dir, watch.WithoutEvents, func(w *watch.Watcher) { w.PollInterval = 20 * time.Millisecond })

	write(t, filepath.Join(dir, "venus.txt"), briefing("Venus", "Heat"))
	r.waitRisk("venus", "Heat")
	// A server whose clock runs ahead, or keeps coarse times, gives an
	// edit of the same size the same modification time: only the content
	// tells. Each version is written beside the file and renamed over it,
	// with its time set first, so the watcher sees nothing else.
	ahead := time.Now().Add(time.Hour).Truncate(time.Second)
	writeAt := func(text string) {
		p := filepath.Join(dir, "mars.txt")
		write(t, p+".part", text)
		if err := os.Chtimes(p+".part", ahead, ahead); err != nil {
			t.Fatal(err)
		}
		rename(t, p+".part", p)
	}
	writeAt(briefing("Mars", "Radiation"))
	r.waitRisk("mars", "Radiation")
	writeAt(briefing("Mars", "Radiatio2"))
	r.waitRisk("mars", "Radiatio2")

	if err := os.Remove(filepath.Join(dir, "venus.txt")); err != nil {
		t.Fatal(err)
	}
	r.waitFor("venus removed", func(l *briefings.Library) bool { return risks(l, "venus") == "" })
}

// A file written in two parts, held open in between, is never served
// half-written.
func TestHalfWrittenFileIsNotServed(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("telling that a writer has a file open needs Linux")
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "mars.txt"), briefing("Mars", "Dust"))
	waiting := make(chan string, 100)
	r := startWatcher(t, dir, func(w *watch.Watcher) {
		watch.OnStillWriting(w, func(p string) { waiting <- p })
	})

	full := briefing("Mars", "Radiation") + "Outlook\n- Landing: A crew lands in 2030.\n"
	f, err := os.OpenFile(filepath.Join(dir, "mars.txt"), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	half := len(full) / 2
	if _, err := f.WriteString(full[:half]); err != nil {
		t.Fatal(err)
	}
	// The writer pauses; the file holds still for many settle periods.
	for range 5 {
		select {
		case <-waiting:
		case <-time.After(deadline):
			t.Fatal("the watcher never looked at the half-written file")
		}
	}
	if _, err := f.WriteString(full[half:]); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	lib := r.waitFor("the finished file", func(l *briefings.Library) bool { return risks(l, "mars") == "Radiation" })
	m, _ := lib.Match([]string{"mars"})
	if _, ok := m.Briefing.FindSection("outlook"); !ok {
		t.Errorf("the finished file was served without its outlook")
	}
	if len(r.seen) != 1 {
		t.Errorf("%d reloads, want only the finished file's", len(r.seen))
	}
}

// What the loader refuses, the watcher refuses: links leaving the folder,
// named pipes, /dev/zero, and the folder's README.
func TestWatcherRefusesWhatTheLoaderRefuses(t *testing.T) {
	outside := t.TempDir()
	write(t, filepath.Join(outside, "briefbot.yaml"), "Secret\nslack bot_token xoxb-secret\n")
	dir := t.TempDir()
	write(t, filepath.Join(dir, "mars.txt"), briefing("Mars", "Dust"))
	r := startWatcher(t, dir)

	symlink(t, filepath.Join(outside, "briefbot.yaml"), filepath.Join(dir, "notes.txt"))
	symlink(t, "/dev/zero", filepath.Join(dir, "zero.txt"))
	if runtime.GOOS == "linux" {
		if err := mkfifo(filepath.Join(dir, "pipe.txt")); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(dir, "README.md"), "# Readme\n\nHow to write briefings.\n\n## Risks\n\n- None: really.\n")
	// A good file after them: once it is served, they have been seen.
	write(t, filepath.Join(dir, "venus.txt"), briefing("Venus", "Heat"))
	lib := r.waitFor("venus", func(l *briefings.Library) bool { return risks(l, "venus") == "Heat" })
	if topics(lib) != "Mars|Venus" {
		t.Errorf("topics = %s, want Mars and Venus only", topics(lib))
	}
	// And the watcher is not stuck on the pipe.
	write(t, filepath.Join(dir, "mars.txt"), briefing("Mars", "Radiation"))
	r.waitRisk("mars", "Radiation")
	if _, ok := r.lib.Match([]string{"secret"}); ok {
		t.Error("a file outside the folder is served")
	}
}
