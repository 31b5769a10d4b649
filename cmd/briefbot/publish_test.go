package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/bot/store/storetest"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/config"
)

const publishTestToken = "editors-ci-0123456789abcdef"

// publishServer is serve's publishing part on a fresh SQLite store: the
// real API, feed and core, as startPublishing wires them.
type publishServer struct {
	url   string
	store *store.DB
	core  *bot.Bot
}

func startPublishServer(t *testing.T) *publishServer {
	t.Helper()
	return startPublishServerOn(t, "sqlite:"+filepath.Join(t.TempDir(), "briefbot.db"))
}

// startPublishServerOn is startPublishServer on the store at url, which
// other servers may share.
func startPublishServerOn(t *testing.T, url string) *publishServer {
	t.Helper()
	st, err := store.Open(t.Context(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	folder := briefings.NewLibrary(nil)
	core := bot.New(bot.Options{Library: folder})
	cfg := config.Config{API: config.API{Tokens: []config.APIToken{{Name: "editors-ci", Token: publishTestToken}}}}
	mux := http.NewServeMux()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	start := func(name string, run func(context.Context) error) {
		wg.Go(func() {
			if err := run(ctx); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		})
	}
	if _, err := startPublishing(t.Context(), cfg, st, core, folder, bot.NewFirstSeen(st, nil), mux, start, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("startPublishing: %v", err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &publishServer{url: srv.URL, store: st, core: core}
}

// published returns name → publishing token for what the store serves.
func (s *publishServer) published(t *testing.T) map[string]string {
	t.Helper()
	list, err := s.store.ListPublished(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range list {
		out[p.Name] = p.By
	}
	return out
}

// lines returns out's lines with runs of spaces squeezed.
func lines(out string) []string {
	var ls []string
	for l := range strings.Lines(strings.TrimSpace(out)) {
		ls = append(ls, strings.Join(strings.Fields(l), " "))
	}
	return ls
}

func TestPublishFolderSkipsUnchangedAndPrunes(t *testing.T) {
	srv := startPublishServer(t)
	dir := t.TempDir()
	tokenFile := filepath.Join(t.TempDir(), "token")
	writeFiles(t, filepath.Dir(tokenFile), map[string]string{"token": publishTestToken + "\n"})
	writeFiles(t, dir, map[string]string{
		"kazakhstan.md":    "# Kazakhstan\n\nJoins the accords.\n\n## Risks\n\n- Backlash.\n",
		"africa/sahel.txt": "Sahel\n\nThe juntas leave ECOWAS.\n\nRisks\n- Jihadists.\n",
		"README.md":        "# How we write briefings\n",
	})
	publishArgs := []string{"publish", "--server", srv.url, "--token-file", tokenFile}

	r := runMain(t, append(publishArgs, dir)...)
	r.wantCode(t, exitOK)
	if diff := cmp.Diff([]string{"published kazakhstan.md Kazakhstan", "published sahel.txt Sahel"}, lines(r.stdout)); diff != "" {
		t.Errorf("first run (-want +got):\n%s", diff)
	}
	contains(t, "summary", r.stderr, "2 published, 0 updated, 0 unchanged, 0 withdrawn, 0 failed")
	if diff := cmp.Diff(map[string]string{"kazakhstan.md": "editors-ci", "sahel.txt": "editors-ci"}, srv.published(t)); diff != "" {
		t.Errorf("store after the first run (-want +got):\n%s", diff)
	}
	// What was published answers in chat.
	reply := srv.core.Handle(t.Context(), bot.Request{Platform: bot.Platform("slack"), Text: "sahel risks"})
	if reply.Kind != bot.KindSection || len(reply.Sections) == 0 || len(reply.Sections[0].Blocks) == 0 ||
		!strings.Contains(reply.Sections[0].Blocks[0].Text, "Jihadists") {
		t.Errorf("sahel risks answered %+v, want the published section", reply)
	}

	r = runMain(t, append(publishArgs, dir)...)
	r.wantCode(t, exitOK)
	if diff := cmp.Diff([]string{"unchanged kazakhstan.md", "unchanged sahel.txt"}, lines(r.stdout)); diff != "" {
		t.Errorf("second run (-want +got):\n%s", diff)
	}

	// Edit one, remove one, add one; without --prune nothing is withdrawn.
	writeFiles(t, dir, map[string]string{
		"kazakhstan.md":  "# Kazakhstan\n\nSigned the accords.\n\n## Risks\n\n- Backlash.\n",
		"uzbekistan.txt": "Uzbekistan\n\nWatching.\n\nRisks\n- Spillover.\n",
	})
	if err := os.Remove(filepath.Join(dir, "africa", "sahel.txt")); err != nil {
		t.Fatal(err)
	}
	r = runMain(t, append(publishArgs, dir)...)
	r.wantCode(t, exitOK)
	if diff := cmp.Diff([]string{"updated kazakhstan.md Kazakhstan", "published uzbekistan.txt Uzbekistan"}, lines(r.stdout)); diff != "" {
		t.Errorf("run after edits (-want +got):\n%s", diff)
	}
	r = runMain(t, append(publishArgs, "--prune", dir)...)
	r.wantCode(t, exitOK)
	if diff := cmp.Diff([]string{"unchanged kazakhstan.md", "unchanged uzbekistan.txt", "withdrawn sahel.txt"}, lines(r.stdout)); diff != "" {
		t.Errorf("--prune run (-want +got):\n%s", diff)
	}
	contains(t, "summary", r.stderr, "0 published, 0 updated, 2 unchanged, 1 withdrawn, 0 failed")
	if _, ok := srv.published(t)["sahel.txt"]; ok {
		t.Errorf("sahel.txt still published after --prune")
	}
}

func TestPublishRefusals(t *testing.T) {
	srv := startPublishServer(t)
	tokenDir := t.TempDir()
	writeFiles(t, tokenDir, map[string]string{"good": publishTestToken, "bad": "not-the-token-0123456789"})
	good, bad := filepath.Join(tokenDir, "good"), filepath.Join(tokenDir, "bad")

	t.Run("folder with an error sends nothing", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"ok.md": "# OK\n\nFine.\n", "broken.md": "no title here\n"})
		r := runMain(t, "publish", "--server", srv.url, "--token-file", good, dir)
		r.wantCode(t, exitFailure)
		contains(t, "stdout", r.stdout, filepath.Join(dir, "broken.md")+":1: no title")
		contains(t, "stderr", r.stderr, "nothing was sent")
		if got := srv.published(t); len(got) != 0 {
			t.Errorf("published %v despite the error", got)
		}
	})
	t.Run("file refused by the server", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"empty.txt": "\n\n", "fine.txt": "Fine\n\nText.\n"})
		r := runMain(t, "publish", "--server", srv.url, "--token-file", good, filepath.Join(dir, "empty.txt"), filepath.Join(dir, "fine.txt"))
		r.wantCode(t, exitFailure)
		contains(t, "stdout", strings.Join(lines(r.stdout), "\n"), "failed empty.txt", "empty.txt:1: empty file", "published fine.txt Fine", "fine.txt:1: warning: no sections")
		contains(t, "summary", r.stderr, "1 published", "1 failed")
	})
	t.Run("wrong token", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"ok.md": "# OK\n\nFine.\n"})
		r := runMain(t, "publish", "--server", srv.url, "--token-file", bad, dir)
		r.wantCode(t, exitFailure)
		contains(t, "stderr", r.stderr, "refused the token (401)")
		if strings.Contains(r.stderr+r.stdout, "not-the-token") {
			t.Errorf("the token was printed")
		}
	})
	t.Run("no token", func(t *testing.T) {
		t.Setenv(tokenEnv, "")
		r := runMain(t, "publish", "--server", srv.url, t.TempDir())
		r.wantCode(t, exitUsage)
		contains(t, "stderr", r.stderr, "--token-file", tokenEnv)
	})
	t.Run("token from the environment", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"env.md": "# Env\n\nFrom the environment's token.\n"})
		t.Setenv(tokenEnv, publishTestToken)
		r := runMain(t, "publish", "--server", srv.url, dir)
		r.wantCode(t, exitOK)
		contains(t, "stdout", strings.Join(lines(r.stdout), "\n"), "published env.md")
	})
	t.Run("prune with nothing to publish", func(t *testing.T) {
		r := runMain(t, "publish", "--server", srv.url, "--token-file", good, "--prune", t.TempDir())
		r.wantCode(t, exitUsage)
		contains(t, "stderr", r.stderr, "refusing to --prune everything")
	})
	t.Run("two files of one name", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"a/kz.md": "# KZ\n\nA.\n", "b/kz.md": "# KZ2\n\nB.\n"})
		r := runMain(t, "publish", "--server", srv.url, "--token-file", good, dir)
		r.wantCode(t, exitUsage)
		contains(t, "stderr", r.stderr, "both would be published as kz.md")
	})
}

// waitFor polls until ok holds or 2 s have passed since start, and says
// how long after start it held.
func waitFor(t *testing.T, start time.Time, what string, ok func() bool) time.Duration {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(time.Until(start.Add(2 * time.Second)))
	defer deadline.Stop()
	for !ok() {
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("%s: not within 2s", what)
		}
	}
	return time.Since(start)
}

// answer is what srv's core answers to query, as JSON.
func (s *publishServer) answer(t *testing.T, query string) string {
	b, err := json.Marshal(s.core.Handle(t.Context(), bot.Request{Platform: bot.Platform("slack"), Text: query}))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Two servers on one store: "briefbot publish" to one is answered by the
// other within 2 s, and so is a withdrawal with --prune.
func testPublishReachesOtherReplica(t *testing.T, url string) {
	a, b := startPublishServerOn(t, url), startPublishServerOn(t, url)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"kazakhstan.md": "# Kazakhstan\n\nJoins the accords.\n\n## Risks\n\n- Backlash.\n",
		"sahel.txt":     "Sahel\n\nThe juntas leave ECOWAS.\n\nRisks\n- Jihadists.\n",
	})
	t.Setenv(tokenEnv, publishTestToken)
	start := time.Now()
	runMain(t, "publish", "--server", a.url, dir).wantCode(t, exitOK)
	took := waitFor(t, start, "replica B answers the publish", func() bool { return strings.Contains(b.answer(t, "sahel risks"), "Jihadists") })
	t.Logf("replica B answered %s after briefbot publish started", took)

	if err := os.Remove(filepath.Join(dir, "sahel.txt")); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	runMain(t, "publish", "--server", a.url, "--prune", dir).wantCode(t, exitOK)
	took = waitFor(t, start, "replica B forgets the withdrawn briefing", func() bool { return !strings.Contains(b.answer(t, "sahel risks"), "Jihadists") })
	t.Logf("replica B stopped answering %s after briefbot publish --prune started", took)
	if !strings.Contains(b.answer(t, "kazakhstan risks"), "Backlash") {
		t.Errorf("replica B lost kazakhstan: %s", b.answer(t, "kazakhstan risks"))
	}
}

func TestPublishReachesOtherReplicaSQLite(t *testing.T) {
	testPublishReachesOtherReplica(t, "sqlite:"+filepath.Join(t.TempDir(), "shared.db"))
}

func TestPublishReachesOtherReplicaPostgres(t *testing.T) {
	testPublishReachesOtherReplica(t, storetest.PostgresURL(t))
}

// The "done when": a briefing published after a digest is in the
// next one, dated or not, and a restart re-sends nothing.
func TestPublishedAfterDigestIsInTheNext(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "shared.db")
	srv := startPublishServerOn(t, url)
	dir := t.TempDir()
	// Dated a week ago: judged by its date it would never be new.
	writeFiles(t, dir, map[string]string{"kazakhstan.md": "---\ndate: 2026-11-23\n---\n# Kazakhstan\n\nJoins the accords.\n\n## Risks\n\n- Backlash.\n"})
	t.Setenv(tokenEnv, publishTestToken)
	lastDigest := time.Now().Add(-time.Minute)
	runMain(t, "publish", "--server", srv.url, dir).wantCode(t, exitOK)

	sub := bot.Subscription{ID: "morning", Include: "new"}
	next := firstSeenComposer{core: srv.core, seen: bot.NewFirstSeen(srv.store, nil)}
	r, ok := next.Digest(t.Context(), bot.DigestRequest{Subscription: sub, Slot: time.Now(), Since: lastDigest})
	if !ok || len(r.Sections) != 1 || r.Sections[0].Heading != "Kazakhstan" {
		t.Fatalf("the next digest has %+v, want Kazakhstan, published after the last digest", r.Sections)
	}
	delivered := time.Now()

	// A restart: a new process on the same store.
	restarted := startPublishServerOn(t, url)
	after := firstSeenComposer{core: restarted.core, seen: bot.NewFirstSeen(restarted.store, nil)}
	if r, ok := after.Digest(t.Context(), bot.DigestRequest{Subscription: sub, Slot: time.Now(), Since: delivered}); ok {
		t.Errorf("after a restart the digest re-sends %+v, want nothing new", r.Sections)
	}
}
