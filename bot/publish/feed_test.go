package publish_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/publish"
	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/bot/store/storetest"
	"github.com/briefbot/briefbot/briefings"
)

// folderLibrary loads a briefings folder holding files (name → content).
func folderLibrary(t *testing.T, files map[string]string) *briefings.Library {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lib, problems, err := briefings.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if !p.Warning {
			t.Fatalf("load folder: %s", p.Error())
		}
	}
	return lib
}

// lede is the first lede paragraph of topic's newest briefing, or "" when
// the library does not know the topic.
func lede(lib *briefings.Library, topic string) string {
	vs := lib.Versions(topic)
	if len(vs) == 0 || len(vs[0].Lede) == 0 {
		return ""
	}
	return vs[0].Lede[0].Text
}

func TestFeedOverridesFolderFileOfTheSameName(t *testing.T) {
	db := openSQLite(t)
	srv := newServer(t, db)
	folder := folderLibrary(t, map[string]string{
		"asia/kazakhstan.md": "# Kazakhstan\n\nFrom the folder.\n",
		"sahel.txt":          "Sahel\n\nFrom the folder too.\n",
	})
	var applied []*briefings.Library
	f := publish.NewFeed(publish.FeedOptions{Store: db, Folder: folder, Apply: func(l *briefings.Library) { applied = append(applied, l) }})
	if err := f.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Errorf("a refresh with nothing published applied %d libraries", len(applied))
	}

	put(t, srv, "kazakhstan.md", ciToken, "# Kazakhstan\n\nFrom the API.\n")
	put(t, srv, "uzbekistan.md", ciToken, "# Uzbekistan\n\nOnly published.\n")
	if err := f.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	lib := f.Library()
	if got := lede(lib, "kazakhstan"); got != "From the API." {
		t.Errorf("kazakhstan answers %q, want the published file over the folder's", got)
	}
	if n := len(lib.Versions("kazakhstan")); n != 1 {
		t.Errorf("kazakhstan has %d versions, want the folder's file replaced, not added to", n)
	}
	if got := lede(lib, "uzbekistan"); got != "Only published." {
		t.Errorf("uzbekistan answers %q", got)
	}
	if got := lede(lib, "sahel"); got != "From the folder too." {
		t.Errorf("sahel answers %q, want the folder's file untouched", got)
	}
	if len(applied) != 1 || applied[0] != lib {
		t.Errorf("applied %d libraries, want the merged one once", len(applied))
	}

	// A folder reload keeps the published briefing on top.
	f.SetFolder(folderLibrary(t, map[string]string{"kazakhstan.md": "# Kazakhstan\n\nFolder, edited.\n"}))
	if got := lede(f.Library(), "kazakhstan"); got != "From the API." {
		t.Errorf("after a folder reload kazakhstan answers %q, want the published file", got)
	}

	// Withdrawn, the folder's file answers again.
	do(t, srv, http.MethodDelete, publish.Prefix+"/kazakhstan.md", ciToken, nil)
	if err := f.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := lede(f.Library(), "kazakhstan"); got != "Folder, edited." {
		t.Errorf("after the delete kazakhstan answers %q, want the folder's file", got)
	}
}

// replica is one serve-like instance: its own store connection, API,
// feed and core on a shared database.
type replica struct {
	url     string
	core    *bot.Bot
	applied chan struct{}
}

func startReplica(t *testing.T, url string, folder *briefings.Library) *replica {
	t.Helper()
	db, err := store.Open(t.Context(), url, nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	r := &replica{core: bot.New(bot.Options{Library: folder}), applied: make(chan struct{}, 64)}
	feed := publish.NewFeed(publish.FeedOptions{Store: db, Folder: folder, Apply: func(l *briefings.Library) {
		r.core.SetLibrary(l)
		r.applied <- struct{}{}
	}})
	h, err := publish.NewHandler(publish.Options{Store: db, Tokens: testTokens, Changed: feed.Refresh})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	r.url = srv.URL
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- feed.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("feed: %v", err)
		}
	})
	return r
}

// answers asks the replica's core about query and returns the reply as JSON.
func (r *replica) answers(t *testing.T, query string) string {
	t.Helper()
	reply := r.core.Handle(t.Context(), bot.Request{Platform: bot.Platform("slack"), User: "U1", Channel: "C1", Text: query})
	b, err := json.Marshal(reply)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// waitAnswer waits until 2 s after start for the replica to apply a
// library in which query's answer contains want (or, with absent, does
// not), and says how long after start it did.
func (r *replica) waitAnswer(t *testing.T, start time.Time, query, want string, absent bool) time.Duration {
	t.Helper()
	deadline := time.NewTimer(time.Until(start.Add(2 * time.Second)))
	defer deadline.Stop()
	for {
		if strings.Contains(r.answers(t, query), want) != absent {
			return time.Since(start)
		}
		select {
		case <-r.applied:
		case <-deadline.C:
			t.Fatalf("after 2s %q is answered %s, want it to %s %q", query, r.answers(t, query), map[bool]string{false: "contain", true: "lack"}[absent], want)
		}
	}
}

func testTwoReplicas(t *testing.T, url string) {
	folder := folderLibrary(t, map[string]string{"kazakhstan.md": "# Kazakhstan\n\nFrom the folder.\n"})
	a := startReplica(t, url, folder)
	b := startReplica(t, url, folder)

	client := &http.Client{}
	send := func(method, name, body string) int {
		req, _ := http.NewRequestWithContext(t.Context(), method, a.url+publish.Prefix+"/"+name, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+ciToken)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	start := time.Now()
	if code := send(http.MethodPut, "uzbekistan.md", "# Uzbekistan\n\nPublished through replica A.\n"); code != http.StatusCreated {
		t.Fatalf("PUT through A: %d", code)
	}
	took := b.waitAnswer(t, start, "uzbekistan", "Published through replica A.", false)
	t.Logf("replica B answered the publish %s after it was sent", took)
	start = time.Now()
	if code := send(http.MethodPut, "kazakhstan.md", "# Kazakhstan\n\nOverridden through A.\n"); code != http.StatusCreated {
		t.Fatalf("PUT kazakhstan through A: %d", code)
	}
	b.waitAnswer(t, start, "kazakhstan", "Overridden through A.", false)

	start = time.Now()
	if code := send(http.MethodDelete, "uzbekistan.md", ""); code != http.StatusNoContent {
		t.Fatalf("DELETE through A: %d", code)
	}
	took = b.waitAnswer(t, start, "uzbekistan", "Published through replica A.", true)
	t.Logf("replica B stopped answering the withdrawn briefing %s after the delete was sent", took)
	start = time.Now()
	if code := send(http.MethodDelete, "kazakhstan.md", ""); code != http.StatusNoContent {
		t.Fatalf("DELETE kazakhstan through A: %d", code)
	}
	b.waitAnswer(t, start, "kazakhstan", "From the folder.", false)
	a.waitAnswer(t, start, "kazakhstan", "From the folder.", false)
}

func TestTwoReplicasSQLite(t *testing.T) {
	testTwoReplicas(t, "sqlite:"+filepath.Join(t.TempDir(), "shared.db"))
}

func TestTwoReplicasPostgres(t *testing.T) {
	testTwoReplicas(t, storetest.PostgresURL(t))
}

// flakyListener is a store whose notification connection drops once.
type flakyListener struct {
	*store.DB
	listens chan int
	n       int
}

func (l *flakyListener) ListenPublished(ctx context.Context, changed func()) error {
	l.n++
	l.listens <- l.n
	changed()
	if l.n == 1 {
		return errors.New("connection reset by peer")
	}
	<-ctx.Done()
	return nil
}

func TestFeedKeepsFollowingWhenNotificationsDrop(t *testing.T) {
	db := openSQLite(t)
	l := &flakyListener{DB: db, listens: make(chan int, 4)}
	applied := make(chan *briefings.Library, 16)
	feed := publish.NewFeed(publish.FeedOptions{Store: l, Apply: func(lib *briefings.Library) { applied <- lib }, SafetyPoll: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- feed.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	if n := <-l.listens; n != 1 {
		t.Fatalf("first listen is call %d", n)
	}
	// The connection is down: the short re-read still brings a publish.
	start := time.Now()
	srv := newServer(t, db)
	if code, body := put(t, srv, "kazakhstan.md", ciToken, kazakhstanMD); code != http.StatusCreated {
		t.Fatalf("PUT: %d %s", code, body)
	}
	deadline := time.After(time.Until(start.Add(2 * time.Second)))
	for lede(feed.Library(), "kazakhstan") == "" {
		select {
		case <-applied:
		case <-deadline:
			t.Fatal("a publish while notifications were down was not applied within 2s")
		}
	}
	// And the feed listens again.
	select {
	case n := <-l.listens:
		if n != 2 {
			t.Errorf("listen call %d, want the second", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the feed did not listen again after the connection dropped")
	}
}
