package publish_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/publish"
	"github.com/briefbot/briefbot/bot/store"
)

// The tokens the tests configure.
const (
	ciToken  = "ci-secret-0123456789"
	cmsToken = "cms-secret-0123456789"
)

var testTokens = []publish.Token{{Name: "ci", Secret: ciToken}, {Name: "cms", Secret: cmsToken}}

// clock is the handler's fixed time: 2026-11-30 09:00 UTC.
var clock = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

const kazakhstanMD = `---
date: 2026-11-30
---
# Kazakhstan

Kazakhstan joins the Abraham Accords.

## Risks

- Backlash from Iran-aligned groups.
`

func openSQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "briefbot.db"), nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newServer serves the API on db with the test tokens.
func newServer(t testing.TB, db *store.DB) *httptest.Server {
	t.Helper()
	h, err := publish.NewHandler(publish.Options{Store: db, Tokens: testTokens, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	mux := http.NewServeMux()
	h.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// do sends one request with token (none when empty) and returns the status
// and body.
func do(t testing.TB, srv *httptest.Server, method, path, token string, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func put(t testing.TB, srv *httptest.Server, name, token, body string) (int, string) {
	t.Helper()
	return do(t, srv, http.MethodPut, publish.Prefix+"/"+name, token, strings.NewReader(body))
}
