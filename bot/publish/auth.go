package publish

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
)

// MinTokenLen is the shortest token accepted: anything shorter can be
// guessed.
const MinTokenLen = 16

// Token is one API token as configured: a name, recorded with what it
// publishes, and the secret callers send as "Authorization: Bearer …".
type Token struct {
	Name   string
	Secret string
}

// tokens holds only the SHA-256 of each secret, so a memory dump shows no
// token, and so every comparison has one fixed length.
type tokens []hashedToken

type hashedToken struct {
	name string
	sum  [sha256.Size]byte
}

// newTokens checks and hashes the configured tokens. Problems name the
// token by position and name, never by secret.
func newTokens(ts []Token) (tokens, error) {
	out := make(tokens, 0, len(ts))
	seen := map[string]bool{}
	sums := map[[sha256.Size]byte]bool{}
	for i, t := range ts {
		name := strings.TrimSpace(t.Name)
		switch {
		case name == "":
			return nil, fmt.Errorf("token %d: no name", i)
		case seen[name]:
			return nil, fmt.Errorf("token %d (%s): name used twice", i, name)
		case len(t.Secret) < MinTokenLen:
			return nil, fmt.Errorf("token %d (%s): shorter than %d characters", i, name, MinTokenLen)
		case strings.TrimSpace(t.Secret) != t.Secret:
			return nil, fmt.Errorf("token %d (%s): starts or ends with a space", i, name)
		}
		sum := sha256.Sum256([]byte(t.Secret))
		if sums[sum] {
			return nil, fmt.Errorf("token %d (%s): same secret as another token", i, name)
		}
		seen[name], sums[sum] = true, true
		out = append(out, hashedToken{name: name, sum: sum})
	}
	return out, nil
}

// who returns the name of the token r carries, or false. Every configured
// token is compared, in constant time, whatever matches.
func (ts tokens) who(r *http.Request) (string, bool) {
	scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	name := ""
	for i := range ts {
		if subtle.ConstantTimeCompare(sum[:], ts[i].sum[:]) == 1 {
			name = ts[i].name
		}
	}
	return name, name != ""
}
