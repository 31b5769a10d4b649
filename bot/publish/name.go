package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameLen is the longest accepted name, in bytes: within what every
// common file system allows for one file name.
const maxNameLen = 255

// CheckName reports why name cannot be a published briefing's name, or nil.
// A name is one file name, not a path: no slashes or backslashes, no "..",
// not hidden, no control characters, ending in ".md" or ".txt".
func CheckName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty name")
	case len(name) > maxNameLen:
		return fmt.Errorf("name is longer than %d bytes", maxNameLen)
	case !utf8.ValidString(name):
		return fmt.Errorf("name %q is not valid UTF-8", name)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("name %q is a path: give a file name without folders", name)
	case strings.Contains(name, ".."):
		return fmt.Errorf("name %q contains \"..\"", name)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("name %q is hidden (starts with a dot)", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("name %q contains a control character", name)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("name %q starts or ends with a space", name)
	}
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".md" && ext != ".txt" {
		return fmt.Errorf("name %q must end in .md (Markdown) or .txt (plain text)", name)
	}
	if len(name) == len(ext) || !filepath.IsLocal(name) {
		return fmt.Errorf("name %q is not a file name", name)
	}
	return nil
}

// ContentHash is the content hash of a briefing file as the API reports it
// and the client compares it: lower-case hex SHA-256 of the bytes.
func ContentHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
