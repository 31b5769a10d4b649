package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/briefbot/briefbot/bot"
)

// PublishedStore is what the published-briefings suite tests: the store
// and a way to close it.
type PublishedStore interface {
	bot.PublishedStore
	Close() error
}

// RunPublished runs the contract of bot.PublishedStore (and, when the store
// has notifications, bot.PublishedListener). open must return a new, empty
// store for each call; RunPublished closes it when the test ends.
func RunPublished(t *testing.T, open func(t *testing.T) PublishedStore) {
	runSuite(t, open, []suiteCase[PublishedStore]{
		{"PutAndRead", testPublishedPutAndRead},
		{"SameContentChangesNothing", testPublishedSameContent},
		{"ReplaceIsANewVersion", testPublishedReplace},
		{"DeleteLeavesTombstone", testPublishedDelete},
		{"ConcurrentPutsGetDistinctVersions", testPublishedConcurrent},
		{"Listen", testPublishedListen},
	})
}

// published returns a briefing to publish as name with body, by token "ci".
func published(name, body string, at time.Time) bot.Published {
	sum := sha256.Sum256([]byte(body))
	return bot.Published{
		Name:  name,
		Body:  []byte(body),
		Hash:  hex.EncodeToString(sum[:]),
		Topic: "Topic of " + name,
		Date:  base.Add(-48 * time.Hour),
		By:    "ci",
		At:    at,
	}
}

func mustPut(t *testing.T, s bot.PublishedStore, p bot.Published) bot.Published {
	t.Helper()
	got, changed, err := s.PutPublished(t.Context(), p)
	if err != nil {
		t.Fatalf("PutPublished(%s): %v", p.Name, err)
	}
	if !changed {
		t.Fatalf("PutPublished(%s) changed nothing, want a new version", p.Name)
	}
	return got
}

func names(ps []bot.Published) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s@%d deleted=%t", p.Name, p.Version, p.Deleted))
	}
	return out
}

func testPublishedPutAndRead(t *testing.T, s PublishedStore) {
	ctx := t.Context()
	// A time zone and nanoseconds the store must normalise away.
	at := base.In(time.FixedZone("Almaty", 5*3600)).Add(123456789 * time.Nanosecond)
	p := published("kazakhstan.md", "# Kazakhstan\n\nAstana — Қазақстан.\n", at)
	stored := mustPut(t, s, p)
	if stored.Version <= 0 {
		t.Errorf("Version = %d, want positive", stored.Version)
	}
	want := p
	want.At = base.Add(123456 * time.Microsecond)
	want.Version = stored.Version
	got, err := s.PublishedBriefing(ctx, "kazakhstan.md")
	if err != nil {
		t.Fatalf("PublishedBriefing: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PublishedBriefing (-want +got):\n%s", diff)
	}
	if got.At.Location() != time.UTC || got.Date.Location() != time.UTC {
		t.Errorf("times in %s and %s, want UTC", got.At.Location(), got.Date.Location())
	}

	mustPut(t, s, published("sahel.txt", "Sahel\n\nJuntas.\n", base))
	list, err := s.ListPublished(ctx)
	if err != nil {
		t.Fatalf("ListPublished: %v", err)
	}
	if diff := cmp.Diff([]string{"kazakhstan.md", "sahel.txt"}, publishedNames(list)); diff != "" {
		t.Errorf("ListPublished names (-want +got):\n%s", diff)
	}
	for _, p := range list {
		if p.Body != nil {
			t.Errorf("ListPublished returned the body of %s", p.Name)
		}
		if p.Hash == "" || p.Topic == "" || p.By != "ci" {
			t.Errorf("ListPublished entry %+v lacks hash, topic or publisher", p)
		}
	}
	if _, err := s.PublishedBriefing(ctx, "missing.md"); !errors.Is(err, bot.ErrNotPublished) {
		t.Errorf("PublishedBriefing(missing.md) = %v, want ErrNotPublished", err)
	}
}

func publishedNames(ps []bot.Published) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func testPublishedSameContent(t *testing.T, s PublishedStore) {
	first := mustPut(t, s, published("kz.md", "# KZ\n\nOne.\n", base))
	again := published("kz.md", "# KZ\n\nOne.\n", base.Add(time.Hour))
	again.By = "cms"
	got, changed, err := s.PutPublished(t.Context(), again)
	if err != nil {
		t.Fatalf("PutPublished again: %v", err)
	}
	if changed {
		t.Errorf("PutPublished of unchanged content reported a change")
	}
	if got.Version != first.Version || got.By != "ci" || !got.At.Equal(first.At) {
		t.Errorf("unchanged put returned version %d by %q at %s, want the first: %d by ci at %s",
			got.Version, got.By, got.At, first.Version, first.At)
	}
	since, err := s.PublishedSince(t.Context(), first.Version)
	if err != nil {
		t.Fatal(err)
	}
	if len(since) != 0 {
		t.Errorf("PublishedSince(%d) after an unchanged put = %v, want nothing", first.Version, names(since))
	}
}

func testPublishedReplace(t *testing.T, s PublishedStore) {
	ctx := t.Context()
	a := mustPut(t, s, published("a.md", "# A\n\nOne.\n", base))
	b := mustPut(t, s, published("b.md", "# B\n\nOne.\n", base))
	second := published("a.md", "# A\n\nTwo.\n", base.Add(time.Minute))
	second.By = "cms"
	a2 := mustPut(t, s, second)
	if !(a.Version < b.Version && b.Version < a2.Version) {
		t.Errorf("versions %d, %d, %d: want increasing in publication order", a.Version, b.Version, a2.Version)
	}
	got, err := s.PublishedBriefing(ctx, "a.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Body) != "# A\n\nTwo.\n" || got.By != "cms" || got.Version != a2.Version {
		t.Errorf("after replace: body %q by %q at version %d, want the second version by cms at %d", got.Body, got.By, got.Version, a2.Version)
	}
	all, err := s.PublishedSince(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{fmt.Sprintf("b.md@%d deleted=false", b.Version), fmt.Sprintf("a.md@%d deleted=false", a2.Version)}
	if diff := cmp.Diff(want, names(all)); diff != "" {
		t.Errorf("PublishedSince(0) (-want +got):\n%s", diff)
	}
	since, err := s.PublishedSince(ctx, b.Version)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[1:], names(since)); diff != "" {
		t.Errorf("PublishedSince(%d) (-want +got):\n%s", b.Version, diff)
	}
	if string(since[0].Body) != "# A\n\nTwo.\n" {
		t.Errorf("PublishedSince body = %q, want the new content", since[0].Body)
	}
}

func testPublishedDelete(t *testing.T, s PublishedStore) {
	ctx := t.Context()
	p := mustPut(t, s, published("gone.txt", "Gone\n\nSoon.\n", base))
	if err := s.DeletePublished(ctx, "gone.txt", "cms", base.Add(time.Hour)); err != nil {
		t.Fatalf("DeletePublished: %v", err)
	}
	if _, err := s.PublishedBriefing(ctx, "gone.txt"); !errors.Is(err, bot.ErrNotPublished) {
		t.Errorf("PublishedBriefing after delete = %v, want ErrNotPublished", err)
	}
	list, err := s.ListPublished(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 {
		t.Errorf("ListPublished after delete = %v, want empty", publishedNames(list))
	}
	since, err := s.PublishedSince(ctx, p.Version)
	if err != nil {
		t.Fatal(err)
	}
	if len(since) != 1 || !since[0].Deleted || since[0].Name != "gone.txt" || since[0].By != "cms" || since[0].Version <= p.Version {
		t.Fatalf("PublishedSince after delete = %+v, want one tombstone of gone.txt by cms after version %d", since, p.Version)
	}
	if err := s.DeletePublished(ctx, "gone.txt", "cms", base.Add(2*time.Hour)); !errors.Is(err, bot.ErrNotPublished) {
		t.Errorf("second DeletePublished = %v, want ErrNotPublished", err)
	}
	if err := s.DeletePublished(ctx, "never.txt", "cms", base); !errors.Is(err, bot.ErrNotPublished) {
		t.Errorf("DeletePublished(never.txt) = %v, want ErrNotPublished", err)
	}
	// The same content again is a new publication, not "unchanged".
	back := mustPut(t, s, published("gone.txt", "Gone\n\nSoon.\n", base.Add(3*time.Hour)))
	if back.Version <= since[0].Version {
		t.Errorf("republished at version %d, want after the tombstone's %d", back.Version, since[0].Version)
	}
	if _, err := s.PublishedBriefing(ctx, "gone.txt"); err != nil {
		t.Errorf("PublishedBriefing after republishing: %v", err)
	}
}

func testPublishedConcurrent(t *testing.T, s PublishedStore) {
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			p := published(fmt.Sprintf("b%d.md", i), fmt.Sprintf("# B%d\n\nText.\n", i), base)
			if _, _, err := s.PutPublished(t.Context(), p); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent PutPublished: %v", err)
	}
	all, err := s.PublishedSince(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n {
		t.Fatalf("PublishedSince(0) = %v, want %d names", names(all), n)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Version <= all[i-1].Version {
			t.Errorf("versions not strictly increasing: %v", names(all))
		}
	}
	sorted := publishedNames(all)
	if diff := cmp.Diff([]string{"b0.md", "b1.md", "b2.md", "b3.md", "b4.md", "b5.md", "b6.md", "b7.md"}, sorted,
		cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

func testPublishedListen(t *testing.T, s PublishedStore) {
	l, ok := s.(bot.PublishedListener)
	if !ok {
		t.Skip("store has no notifications")
	}
	calls := make(chan struct{}, 16)
	done := make(chan error, 1)
	go func() {
		done <- l.ListenPublished(t.Context(), func() { calls <- struct{}{} })
	}()
	wait := func(what string) {
		t.Helper()
		select {
		case <-calls:
		case err := <-done:
			if errors.Is(err, errors.ErrUnsupported) {
				t.Skip("store has no notifications: replicas poll")
			}
			t.Fatalf("ListenPublished returned while waiting for %s: %v", what, err)
		case <-time.After(5 * time.Second):
			t.Fatalf("no call after %s within 5s", what)
		}
	}
	wait("listening began")
	mustPut(t, s, published("heard.md", "# Heard\n\nYes.\n", base))
	wait("a put")
	if err := s.DeletePublished(t.Context(), "heard.md", "ci", base); err != nil {
		t.Fatal(err)
	}
	wait("a delete")
}
