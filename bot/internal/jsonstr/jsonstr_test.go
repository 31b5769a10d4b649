package jsonstr

import (
	"bytes"
	"encoding/json"
	"testing"
)

func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uote\`, "<b>&amp;</b>", "tab\tnew\nline\r", "\x00\x1f", "\u2028\u2029", "\xff\xfe", "Казахстан", "emoji 🎉"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, html := range []bool{true, false} {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(html)
			if err := enc.Encode(s); err != nil {
				t.Fatal(err)
			}
			got := Append(nil, s, html)
			if w := bytes.TrimSuffix(want.Bytes(), []byte("\n")); !bytes.Equal(got, w) {
				t.Errorf("Append(%q, html=%v) = %s, encoding/json gives %s", s, html, got, w)
			}
		}
	})
}
