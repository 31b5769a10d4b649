package publish_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/publish"
	"github.com/briefbot/briefbot/briefings"
)

func TestAuth(t *testing.T) {
	srv := newServer(t, openSQLite(t))
	for _, tc := range []struct {
		name   string
		header string
		want   int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer " + ciToken + "x", http.StatusUnauthorized},
		{"token prefix", "Bearer " + ciToken[:10], http.StatusUnauthorized},
		{"basic scheme", "Basic " + ciToken, http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
		{"ci token", "Bearer " + ciToken, http.StatusOK},
		{"scheme in lower case", "bearer " + cmsToken, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+publish.Prefix, nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
		})
	}
	// Writes need a token too, and leave nothing behind without one.
	if code, _ := put(t, srv, "kazakhstan.md", "", kazakhstanMD); code != http.StatusUnauthorized {
		t.Errorf("PUT without a token: status %d, want 401", code)
	}
	if code, body := do(t, srv, http.MethodGet, publish.Prefix+"/kazakhstan.md", ciToken, nil); code != http.StatusNotFound {
		t.Errorf("after an unauthorised PUT, GET = %d %q, want 404", code, body)
	}
}

func TestNewHandlerRefusesBadTokens(t *testing.T) {
	db := openSQLite(t)
	for _, tc := range []struct {
		name   string
		tokens []publish.Token
		want   string
	}{
		{"no name", []publish.Token{{Secret: ciToken}}, "token 0: no name"},
		{"short", []publish.Token{{Name: "ci", Secret: "short"}}, "token 0 (ci): shorter than 16"},
		{"same name", []publish.Token{{Name: "ci", Secret: ciToken}, {Name: "ci", Secret: cmsToken}}, "token 1 (ci): name used twice"},
		{"same secret", []publish.Token{{Name: "ci", Secret: ciToken}, {Name: "cms", Secret: ciToken}}, "token 1 (cms): same secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := publish.NewHandler(publish.Options{Store: db, Tokens: tc.tokens})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewHandler = %v, want an error containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), ciToken) || strings.Contains(err.Error(), "short\"") {
				t.Errorf("error %q shows a secret", err)
			}
		})
	}
}

func TestPublishReadReplaceDelete(t *testing.T) {
	db := openSQLite(t)
	srv := newServer(t, db)

	code, body := put(t, srv, "kazakhstan.md", ciToken, kazakhstanMD)
	if code != http.StatusCreated {
		t.Fatalf("first PUT: %d %s, want 201", code, body)
	}
	var res publish.Result
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatalf("PUT answer %q: %v", body, err)
	}
	if res.Status != "published" || res.Topic != "Kazakhstan" || res.PublishedBy != "ci" ||
		res.Hash != publish.ContentHash([]byte(kazakhstanMD)) || res.Date.Format("2006-01-02") != "2026-11-30" {
		t.Errorf("PUT answer = %+v, want published Kazakhstan of 2026-11-30 by ci with the body's hash", res)
	}

	// The file comes back byte for byte, typed by its extension.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+publish.Prefix+"/kazakhstan.md", nil)
	req.Header.Set("Authorization", "Bearer "+cmsToken)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(got) != kazakhstanMD {
		t.Errorf("GET = %d %q, want 200 and the file", resp.StatusCode, got)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/markdown") {
		t.Errorf("Content-Type %q, want text/markdown", ct)
	}
	if et := resp.Header.Get("ETag"); et != `"`+res.Hash+`"` {
		t.Errorf("ETag %q, want the quoted hash", et)
	}

	// The same bytes again change nothing.
	code, body = put(t, srv, "kazakhstan.md", cmsToken, kazakhstanMD)
	if code != http.StatusOK || !strings.Contains(body, `"status": "unchanged"`) || !strings.Contains(body, `"published_by": "ci"`) {
		t.Errorf("same PUT again: %d %s, want 200 unchanged, still by ci", code, body)
	}

	// New content by another token is a new version, recorded as theirs.
	edited := strings.Replace(kazakhstanMD, "Backlash", "Pushback", 1)
	code, body = put(t, srv, "kazakhstan.md", cmsToken, edited)
	if code != http.StatusOK || !strings.Contains(body, `"status": "published"`) {
		t.Errorf("edited PUT: %d %s, want 200 published", code, body)
	}
	p, err := db.PublishedBriefing(t.Context(), "kazakhstan.md")
	if err != nil || string(p.Body) != edited || p.By != "cms" || !p.At.Equal(clock) {
		t.Errorf("stored = %q by %q at %s (%v), want the edit by cms at %s", p.Body, p.By, p.At, err, clock)
	}

	code, body = put(t, srv, "sahel.txt", ciToken, "Sahel\n\nThe juntas leave ECOWAS.\n")
	if code != http.StatusCreated {
		t.Fatalf("PUT sahel.txt: %d %s", code, body)
	}
	code, body = do(t, srv, http.MethodGet, publish.Prefix, ciToken, nil)
	var list publish.List
	if err := json.Unmarshal([]byte(body), &list); code != http.StatusOK || err != nil {
		t.Fatalf("GET list: %d %s (%v)", code, body, err)
	}
	var summary []string
	for _, e := range list.Briefings {
		summary = append(summary, e.Name+" "+e.Topic+" "+e.PublishedBy+" "+e.Hash[:8])
	}
	want := []string{
		"kazakhstan.md Kazakhstan cms " + publish.ContentHash([]byte(edited))[:8],
		"sahel.txt Sahel ci " + publish.ContentHash([]byte("Sahel\n\nThe juntas leave ECOWAS.\n"))[:8],
	}
	if diff := cmp.Diff(want, summary); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}

	if code, body := do(t, srv, http.MethodDelete, publish.Prefix+"/kazakhstan.md", ciToken, nil); code != http.StatusNoContent {
		t.Errorf("DELETE: %d %s, want 204", code, body)
	}
	if code, _ := do(t, srv, http.MethodDelete, publish.Prefix+"/kazakhstan.md", ciToken, nil); code != http.StatusNotFound {
		t.Errorf("second DELETE: %d, want 404", code)
	}
	if code, _ := do(t, srv, http.MethodGet, publish.Prefix+"/kazakhstan.md", ciToken, nil); code != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d, want 404", code)
	}
	since, err := db.PublishedSince(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if last := since[len(since)-1]; last.Name != "kazakhstan.md" || !last.Deleted || last.By != "ci" {
		t.Errorf("last change = %+v, want kazakhstan.md withdrawn by ci", last)
	}
}

func TestPublishRefusesWhatCheckRefuses(t *testing.T) {
	db := openSQLite(t)
	srv := newServer(t, db)
	for _, tc := range []struct {
		name, body string
	}{
		{"empty.md", "  \n\n"},
		{"untitled.md", "Just a paragraph and no title.\n"},
		{"baddate.md", "---\ndate: someday\n---\n# Kazakhstan\n\nText.\n"},
		{"binary.txt", "Kazakhstan\n\x00\x01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := put(t, srv, tc.name, ciToken, tc.body)
			if code != http.StatusUnprocessableEntity {
				t.Fatalf("PUT: %d %q, want 422", code, body)
			}
			// The answer is what "briefbot check" prints for the file.
			_, problems := briefings.Parse(tc.name, []byte(tc.body), clock)
			var want strings.Builder
			for _, p := range problems {
				want.WriteString(p.Error() + "\n")
			}
			if body != want.String() || !strings.HasPrefix(body, tc.name+":") {
				t.Errorf("422 body = %q, want check's %q", body, want.String())
			}
			if _, err := db.PublishedBriefing(t.Context(), tc.name); !errors.Is(err, bot.ErrNotPublished) {
				t.Errorf("a refused briefing was stored: %v", err)
			}
		})
	}
}

func TestPublishWarningsAreReported(t *testing.T) {
	srv := newServer(t, openSQLite(t))
	// A briefing without sections loads with a warning, as in check.
	code, body := put(t, srv, "brief.md", ciToken, "# Brief\n\nOnly a lede.\n")
	if code != http.StatusCreated || !strings.Contains(body, "brief.md:1: warning: no sections") {
		t.Errorf("PUT: %d %s, want 201 with check's warning", code, body)
	}
}

func TestPublishTooLarge(t *testing.T) {
	db := openSQLite(t)
	srv := newServer(t, db)
	big := "# Big\n\n" + strings.Repeat("word ", briefings.MaxFileSize/5)
	if code, body := put(t, srv, "big.md", ciToken, big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("PUT with Content-Length over 1 MiB: %d %q, want 413", code, body)
	}
	// Without a Content-Length the reader stops at the limit all the same.
	r := io.MultiReader(strings.NewReader(big))
	if code, body := do(t, srv, http.MethodPut, publish.Prefix+"/big.md", ciToken, struct{ io.Reader }{r}); code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked PUT over 1 MiB: %d %q, want 413", code, body)
	}
	// Exactly the limit is fine.
	exact := big[:briefings.MaxFileSize]
	if code, body := put(t, srv, "exact.md", ciToken, exact); code != http.StatusCreated {
		t.Errorf("PUT of exactly 1 MiB: %d %q, want 201", code, body)
	}
	if _, err := db.PublishedBriefing(t.Context(), "big.md"); !errors.Is(err, bot.ErrNotPublished) {
		t.Errorf("an oversized briefing was stored: %v", err)
	}
}

func TestPublishConfinesNames(t *testing.T) {
	db := openSQLite(t)
	srv := newServer(t, db)
	for _, path := range []string{
		"..%2F..%2Fetc%2Fpasswd.md",
		"sub%2Fkazakhstan.md",
		"..%5Ckazakhstan.md",
		"%2Fetc%2Fkazakhstan.md",
		"kazakhstan..md",
		".hidden.md",
		"kazakhstan.exe",
		"kazakhstan",
		".md",
		"kaz%00stan.md",
		"kaz%0Astan.md",
	} {
		code, body := do(t, srv, http.MethodPut, publish.Prefix+"/"+path, ciToken, strings.NewReader(kazakhstanMD))
		if code != http.StatusBadRequest && code != http.StatusNotFound && code != http.StatusMovedPermanently {
			t.Errorf("PUT %s: %d %q, want it refused", path, code, body)
		}
	}
	list, err := db.ListPublished(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 {
		t.Errorf("refused names stored: %+v", list)
	}
	// Names of either case of extension, with spaces and non-ASCII, are fine.
	for _, name := range []string{"Kazakhstan.MD", "south%20korea.txt", "Қазақстан.md"} {
		if code, body := put(t, srv, name, ciToken, kazakhstanMD); code != http.StatusCreated {
			t.Errorf("PUT %s: %d %q, want 201", name, code, body)
		}
	}
}
