package publish_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/briefbot/briefbot/bot/publish"
)

func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"kazakhstan.md", "a.txt", "../x.md", "a/b.md", `a\b.txt`, ".md", "..md", "x.MD", "x.markdown", "/etc/x.md", " x.md", "x\x00.md", "Қазақстан.md"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if publish.CheckName(name) != nil {
			return
		}
		// An accepted name is one local file of a briefing type, whatever
		// folder it is joined to.
		if !filepath.IsLocal(name) || filepath.Base(name) != name || strings.ContainsAny(name, `/\`) ||
			strings.Contains(name, "..") || !utf8.ValidString(name) {
			t.Fatalf("CheckName accepted %q", name)
		}
		if ext := strings.ToLower(filepath.Ext(name)); ext != ".md" && ext != ".txt" {
			t.Fatalf("CheckName accepted %q with extension %q", name, ext)
		}
		if filepath.Join("/srv/briefings", name) != "/srv/briefings/"+name {
			t.Fatalf("CheckName accepted %q, which leaves the folder", name)
		}
	})
}

// FuzzHandler sends any method, path, token and body: the API never fails
// with a server error, answers 401 to a wrong token, and stores only valid
// names.
func FuzzHandler(f *testing.F) {
	f.Add("PUT", "kazakhstan.md", ciToken, kazakhstanMD)
	f.Add("PUT", "..%2Fx.md", ciToken, kazakhstanMD)
	f.Add("GET", "", ciToken, "")
	f.Add("DELETE", "kazakhstan.md", "nope", "")
	f.Add("PUT", "x.txt", cmsToken, "Title\n\x00")
	f.Add("POST", "x.md", ciToken, "# X\n")
	db := openSQLite(f)
	h, err := publish.NewHandler(publish.Options{Store: db, Tokens: testTokens})
	if err != nil {
		f.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Routes(mux)
	f.Fuzz(func(t *testing.T, method, path, token, body string) {
		req, err := http.NewRequest(method, "http://briefbot"+publish.Prefix+"/"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %q", method, path, rec.Code, rec.Body)
		}
		if tok := strings.TrimSpace(token); tok != ciToken && tok != cmsToken && rec.Code < 300 {
			t.Fatalf("%s %q with token %q: %d, want refused", method, path, token, rec.Code)
		}
		list, err := db.ListPublished(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range list {
			if err := publish.CheckName(p.Name); err != nil {
				t.Fatalf("stored %q: %v", p.Name, err)
			}
		}
	})
}
