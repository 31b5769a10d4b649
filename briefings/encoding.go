package briefings

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
)

// decodeText turns a file's bytes into UTF-8 text. UTF-8 (with or without
// a byte-order mark) is used as it is and UTF-16 with a byte-order mark is
// decoded, since Windows editors save "Unicode" text that way. Anything
// else is refused with a problem that names the encoding the bytes look
// like and the command that converts them, because guessing a legacy
// encoding wrong would put garbled names into answers.
//
// path names the file in the command the message suggests.
func decodeText(path string, data []byte) ([]byte, *Problem) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		dec := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
		out, err := dec.Bytes(data)
		if err != nil {
			return nil, &Problem{Line: 1, Message: "cannot decode UTF-16: " + err.Error()}
		}
		data = out
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if i := bytes.IndexByte(data, 0); i >= 0 {
		if looksUTF16(data) {
			return nil, &Problem{Line: 1, Message: "looks like UTF-16 without a byte-order mark: save it as UTF-8, for example with " +
				convertCommand("UTF-16LE", path) + " (or UTF-16BE)"}
		}
		return nil, &Problem{Line: lineOf(data, i), Message: "binary file: NUL byte"}
	}
	if utf8.Valid(data) {
		return data, nil
	}
	i := firstInvalid(data)
	enc, from := guessLegacy(data)
	return nil, &Problem{Line: lineOf(data, i), Message: fmt.Sprintf(
		"not UTF-8 (byte 0x%02X at offset %d): the file looks like %s; convert it with %s",
		data[i], i, enc, convertCommand(from, path))}
}

// convertCommand is the shell command that rewrites path as UTF-8.
func convertCommand(from, path string) string {
	q := path
	if path == "" {
		q = "FILE"
	} else if strings.ContainsAny(path, " \t'\"$`\\*?[]()&;|<>") {
		q = "'" + strings.ReplaceAll(path, "'", `'\''`) + "'"
	}
	return fmt.Sprintf("iconv -f %s -t UTF-8 %s > %s.utf8 && mv %s.utf8 %s", from, q, q, q, q)
}

// firstInvalid returns the offset of the first byte that is not UTF-8.
func firstInvalid(data []byte) int {
	i := 0
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return i
}

// looksUTF16 reports whether NUL bytes fall on every other byte, as they
// do in Latin-script text saved as UTF-16 without a byte-order mark.
func looksUTF16(data []byte) bool {
	n := min(len(data), 512) &^ 1
	if n < 4 {
		return false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if data[i] == 0 {
			even++
		}
		if data[i+1] == 0 {
			odd++
		}
	}
	half := n / 2
	return (even > half*3/4 && odd < half/8) || (odd > half*3/4 && even < half/8)
}

// guessLegacy names the 8-bit encoding that data most likely uses, and its
// name for iconv. Western European text (Windows-1252, of which ISO-8859-1
// is nearly a subset) has its accented letters one at a time between ASCII
// letters ("café", "Zürich"); other scripts (Cyrillic, Greek) put runs of
// high bytes together, and so do the multi-byte East Asian encodings.
func guessLegacy(data []byte) (name, iconv string) {
	var high, lone int
	c1 := false // bytes 0x80–0x9F: Windows-1252 punctuation, control codes in ISO-8859-1
	for i, c := range data {
		if c < 0x80 {
			continue
		}
		high++
		if c <= 0x9F {
			c1 = true
		}
		prevASCII := i == 0 || data[i-1] < 0x80
		nextASCII := i+1 == len(data) || data[i+1] < 0x80
		if prevASCII && nextASCII {
			lone++
		}
	}
	if high > 0 && lone*10 >= high*8 {
		if c1 {
			return "Windows-1252 (Western European)", "WINDOWS-1252"
		}
		return "ISO-8859-1 or Windows-1252 (Western European)", "WINDOWS-1252"
	}
	return "a legacy 8-bit or East Asian encoding (such as Windows-1251, Shift JIS or GB 2312)", "ENCODING"
}
