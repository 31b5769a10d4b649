package desk_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot/desk"
)

// FuzzDeskRequests sends arbitrary paths and questions to the desk: it
// answers each with a page, a redirect or an error status, never a
// panic, and never echoes the input as markup.
func FuzzDeskRequests(f *testing.F) {
	for _, s := range []string{"kazakhstan risks", "", "<script>alert(1)</script>", "search \x00", "kazakhstan @2025 all", strings.Repeat("a ", 1500), "%zz", "../../etc/passwd"} {
		f.Add(s)
	}
	h := fixture(f, func(o *desk.Options) { o.Loopback = true })
	mux := http.NewServeMux()
	h.Routes(mux)
	f.Fuzz(func(t *testing.T, s string) {
		// A tag that no page has: wherever the input is shown, it must be
		// as text.
		s = "<zqfuzz>" + s
		for _, target := range []string{
			"/desk/ask?q=" + url.QueryEscape(s),
			"/desk/topic/" + url.PathEscape(s),
			"/desk/topic/kazakhstan?section=" + url.QueryEscape(s),
			"/desk/?filter=" + url.QueryEscape(s),
		} {
			r := onLocal(httptest.NewRequest("GET", target, nil), "127.0.0.1:8080")
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, r)
			switch rec.Code {
			case http.StatusOK, http.StatusNotFound, http.StatusBadRequest, http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect: // redirects clean a path
			default:
				t.Fatalf("GET %s: status %d", target, rec.Code)
			}
			if strings.Contains(rec.Body.String(), "<zqfuzz") {
				t.Fatalf("GET %s: the input came back unescaped", target)
			}
		}
	})
}
