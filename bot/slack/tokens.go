package slack

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TokenKeySize is the length of Config.TokenKey once decoded.
const TokenKeySize = 32

// parseTokenKey decodes a 32-byte key written as hex or base64 (standard
// or URL alphabet, padded or not), as `openssl rand -hex 32` or
// `openssl rand -base64 32` print it.
func parseTokenKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == TokenKeySize {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == TokenKeySize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("must be %d bytes written as hex (64 digits) or base64: openssl rand -hex 32", TokenKeySize)
}

// keyring holds what the token key is used for, each with a key of its
// own derived by HKDF, so the key that signs install states never
// encrypts tokens.
type keyring struct {
	tokens cipher.AEAD
	state  []byte
}

func newKeyring(key []byte) (*keyring, error) {
	tokenKey, err := hkdf.Key(sha256.New, key, nil, "briefbot slack bot tokens v1", 32)
	if err != nil {
		return nil, err
	}
	stateKey, err := hkdf.Key(sha256.New, key, nil, "briefbot slack oauth state v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(tokenKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &keyring{tokens: aead, state: stateKey}, nil
}

// tokenAAD binds a sealed token to its workspace: a token copied to
// another workspace's row in the database does not open.
func tokenAAD(enterprise, team string) []byte {
	return []byte("slack\x00" + enterprise + "\x00" + team)
}

// seal encrypts a bot token with AES-256-GCM under a random nonce; the
// result is the nonce followed by the ciphertext.
func (k *keyring) seal(token, enterprise, team string) []byte {
	nonce := make([]byte, k.tokens.NonceSize(), k.tokens.NonceSize()+len(token)+k.tokens.Overhead())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails
	return k.tokens.Seal(nonce, nonce, []byte(token), tokenAAD(enterprise, team))
}

// open decrypts what seal made for the same workspace.
func (k *keyring) open(sealed []byte, enterprise, team string) (string, error) {
	n := k.tokens.NonceSize()
	if len(sealed) < n+k.tokens.Overhead() {
		return "", errors.New("sealed token is too short")
	}
	plain, err := k.tokens.Open(nil, sealed[:n], sealed[n:], tokenAAD(enterprise, team))
	if err != nil {
		return "", errors.New("sealed token does not open with slack.token_key (was the key changed?)")
	}
	return string(plain), nil
}

// stateTTL is how long an "Add to Slack" link stays good.
const stateTTL = 10 * time.Minute

// newState returns a state for the OAuth flow: its expiry and a random
// nonce, signed with HMAC-SHA256, so that any replica can check it
// without shared session storage.
func (k *keyring) newState(now time.Time) string {
	payload := make([]byte, 8+16)
	binary.BigEndian.PutUint64(payload, uint64(now.Add(stateTTL).Unix()))
	_, _ = rand.Read(payload[8:])
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(k.stateMAC(payload))
}

func (k *keyring) stateMAC(payload []byte) []byte {
	m := hmac.New(sha256.New, k.state)
	m.Write(payload)
	return m.Sum(nil)
}

// checkState reports why state is not one newState made in the last
// stateTTL, or nil.
func (k *keyring) checkState(state string, now time.Time) error {
	p, s, ok := strings.Cut(state, ".")
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	sig, err2 := base64.RawURLEncoding.DecodeString(s)
	if !ok || err1 != nil || err2 != nil || len(payload) != 8+16 {
		return errors.New("malformed state")
	}
	if !hmac.Equal(sig, k.stateMAC(payload)) {
		return errors.New("state signature does not match")
	}
	if now.Unix() > int64(binary.BigEndian.Uint64(payload)) {
		return errors.New("state expired: start the installation again")
	}
	return nil
}
