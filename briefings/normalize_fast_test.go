package briefings

import "testing"

// normalizeSlow is Normalize without its ASCII fast path.
func normalizeSlow(s string) string {
	return normalizeUnicode(s)
}

func FuzzNormalizeASCII(f *testing.F) {
	for _, s := range []string{"", "Kazakhstan", "What's new", "  red   sea ", "a-b_c", "x\x00y", "Risks & caveats", "kazakhstan risks", "a ", " a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := normalizeASCII(s)
		if !ok {
			return
		}
		if slow := normalizeSlow(s); fast != slow {
			t.Errorf("Normalize(%q): fast path %q, general path %q", s, fast, slow)
		}
	})
}
