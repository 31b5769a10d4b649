package publish

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
)

// Authorizer checks requests against the API tokens, for other pages
// served beside the API (the editors' desk) that the same tokens open.
type Authorizer struct{ tokens tokens }

// NewAuthorizer checks and hashes ts as NewHandler does.
func NewAuthorizer(ts []Token) (*Authorizer, error) {
	hashed, err := newTokens(ts)
	if err != nil {
		return nil, fmt.Errorf("api tokens: %w", err)
	}
	return &Authorizer{tokens: hashed}, nil
}

// Len is how many tokens there are; with none, nobody is let in.
func (a *Authorizer) Len() int { return len(a.tokens) }

// Who returns the name of the token r carries, as "Authorization: Bearer
// <token>" or as HTTP basic auth with the token's name as user and the
// token as password (what a browser's login prompt sends), or false.
func (a *Authorizer) Who(r *http.Request) (string, bool) {
	if name, ok := a.tokens.who(r); ok {
		return name, true
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return "", false
	}
	sum := sha256.Sum256([]byte(pass))
	name := ""
	for i := range a.tokens {
		t := &a.tokens[i]
		match := subtle.ConstantTimeCompare(sum[:], t.sum[:]) & subtle.ConstantTimeCompare([]byte(user), []byte(t.name))
		if match == 1 {
			name = t.name
		}
	}
	return name, name != ""
}
