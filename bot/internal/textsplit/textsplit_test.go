package textsplit

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// noEntity keeps an HTML entity whole, as the Slack adapter does.
func noEntity(head string) int {
	if amp := strings.LastIndexByte(head, '&'); amp > 0 && !strings.Contains(head[amp:], ";") {
		return amp
	}
	return 0
}

func TestSplit(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"", 10, []string{""}},
		{"One two. Three four five.", 12, []string{"One two.", "Three four", "five."}},
		{"alpha beta gamma", 11, []string{"alpha beta", "gamma"}},
		{"alpha beta gamma", 10, []string{"alpha beta", "gamma"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"x &amp;&amp;", 5, []string{"x", "&amp;", "&amp;"}},
		{"ab&amp;cd", 5, []string{"ab", "&amp;", "cd"}},
		{"жжжжж жж", 4, []string{"жжжж", "ж жж"}},
		{"the first line\nsecond line here", 20, []string{"the first line", "second line here"}},
	}
	for _, tt := range tests {
		got := Split(tt.in, tt.limit, noEntity)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Split(%q, %d) (-want +got):\n%s", tt.in, tt.limit, diff)
		}
	}
}

func TestShorten(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"Kazakhstan", 10, "Kazakhstan"},
		{"Kazakhstan’s", 11, "Kazakhstan…"},
		{"Red Sea shipping risks", 12, "Red Sea…"},
		{"Red Sea shipping", 8, "Red Sea…"},
		{"a &amp; b", 5, "a…"},
		{"ab&amp;", 5, "ab…"},
	}
	for _, tt := range tests {
		if got := Shorten(tt.in, tt.n, noEntity); got != tt.want || Runes(got) > tt.n {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// FuzzSplit: pieces keep to the limit, stay valid UTF-8, and together
// hold every non-space character of the text, in order.
func FuzzSplit(f *testing.F) {
	f.Add("One two. Three four five.", 12)
	f.Add("x &amp;&amp; ж\n\nword", 3)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 1 || limit > 1000 || !utf8.ValidString(s) {
			return
		}
		pieces := Split(s, limit, noEntity)
		for _, p := range pieces {
			if Runes(p) > limit {
				t.Fatalf("piece %q over %d characters", p, limit)
			}
		}
		if got, want := strings.Join(strings.Fields(strings.Join(pieces, "")), ""), strings.Join(strings.Fields(s), ""); got != want {
			t.Fatalf("Split(%q, %d) lost text: %q", s, limit, pieces)
		}
	})
}
