package slack

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// MaxBodyBytes caps the body of a Slack request; larger ones get 413.
const MaxBodyBytes = 1 << 20

// MaxClockSkew is how far a request's timestamp may be from now before it
// is refused as a possible replay.
const MaxClockSkew = 5 * time.Minute

// Verifier checks Slack's v0 request signatures: an HMAC-SHA256, keyed by
// the signing secret, over "v0:" + X-Slack-Request-Timestamp + ":" + body.
// The zero Clock means time.Now and a nil Logger discards.
type Verifier struct {
	Secret string
	Clock  func() time.Time
	Logger *slog.Logger
}

// Sign returns the X-Slack-Signature value for body sent at timestamp.
func Sign(secret, timestamp string, body []byte) string {
	var buf [signatureLen]byte
	return string(appendSignature(buf[:0], secret, timestamp, body))
}

// signatureLen is the length of a v0 signature: "v0=" and 64 hex digits.
const signatureLen = 3 + 2*sha256.Size

// appendSignature appends the v0 signature of body sent at timestamp.
func appendSignature(dst []byte, secret, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	var pre [64]byte
	mac.Write(append(append(append(pre[:0], "v0:"...), timestamp...), ':'))
	mac.Write(body)
	var sum [sha256.Size]byte
	dst = append(dst, "v0="...)
	return hex.AppendEncode(dst, mac.Sum(sum[:0]))
}

// errRefused is why a request was refused; its text goes to the log.
type errRefused string

func (e errRefused) Error() string { return string(e) }

// Check verifies one request's headers against its body.
func (v Verifier) Check(header http.Header, body []byte) error {
	ts := header.Get("X-Slack-Request-Timestamp")
	sig := header.Get("X-Slack-Signature")
	if ts == "" || sig == "" {
		return errRefused("missing signature headers")
	}
	return v.check(ts, sig, body)
}

func (v Verifier) check(ts, sig string, body []byte) error {
	if v.Secret == "" {
		return errRefused("no signing secret configured")
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errRefused("malformed timestamp")
	}
	now := time.Now
	if v.Clock != nil {
		now = v.Clock
	}
	skew := now().Sub(time.Unix(secs, 0))
	if skew > MaxClockSkew || skew < -MaxClockSkew {
		return errRefused("timestamp too far from now")
	}
	var want [signatureLen]byte
	if len(sig) != signatureLen || !hmac.Equal(appendSignature(want[:0], v.Secret, ts, body), []byte(sig)) {
		return errRefused("bad signature")
	}
	return nil
}

// Wrap returns a handler that passes only verified requests on to next,
// with the body restored for reading. Unverified requests get 401 and
// bodies over MaxBodyBytes get 413; both are logged without the body.
func (v Verifier) Wrap(next http.Handler) http.Handler {
	return v.wrapBody(func(w http.ResponseWriter, r *http.Request, body []byte) {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// bodyHandler serves a verified request whose body has been read already.
type bodyHandler func(w http.ResponseWriter, r *http.Request, body []byte)

// wrapBody is Wrap handing the verified body over as it is, so that the
// handler does not read it a second time.
func (v Verifier) wrapBody(next bodyHandler) http.Handler {
	log := v.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts := r.Header.Get("X-Slack-Request-Timestamp")
		sig := r.Header.Get("X-Slack-Signature")
		if ts == "" || sig == "" {
			refuse(log, w, r, http.StatusUnauthorized, "missing signature headers")
			return
		}
		if r.ContentLength > MaxBodyBytes {
			refuse(log, w, r, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		body, err := readBody(w, r)
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				refuse(log, w, r, http.StatusRequestEntityTooLarge, "body too large")
				return
			}
			refuse(log, w, r, http.StatusBadRequest, "unreadable body")
			return
		}
		if err := v.check(ts, sig, body); err != nil {
			refuse(log, w, r, http.StatusUnauthorized, err.Error())
			return
		}
		next(w, r, body)
	})
}

// readBody reads a body of at most MaxBodyBytes. One of known length (at
// most MaxBodyBytes, checked before) is read into a buffer of that size.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if n := r.ContentLength; n >= 0 {
		body := make([]byte, n)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
}

func refuse(log *slog.Logger, w http.ResponseWriter, r *http.Request, status int, reason string) {
	log.Warn("slack request refused", "path", r.URL.Path, "status", status, "reason", reason)
	http.Error(w, http.StatusText(status), status)
}
