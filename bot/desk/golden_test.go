package desk_test

import (
	"net/http"
	"testing"

	"github.com/briefbot/briefbot/bot/bottest"
)

// TestGoldenPages pins the HTML of each page; go test -update rewrites
// testdata/*.html after an intended change.
func TestGoldenPages(t *testing.T) {
	h := fixture(t, nil)
	for file, path := range map[string]string{
		"testdata/front.html":          "/desk/",
		"testdata/topic_risks.html":    "/desk/topic/kazakhstan?section=Risks+%26+caveats",
		"testdata/ask_typo.html":       "/desk/ask?q=kazakstan+risks",
		"testdata/topic_notfound.html": "/desk/topic/atlantis",
	} {
		code, body := get(t, h, path)
		if code != http.StatusOK && code != http.StatusNotFound {
			t.Errorf("%s: status %d", path, code)
		}
		bottest.Golden(t, file, []byte(body))
	}
}
