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
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:"))
	mac.Write([]byte(timestamp))
	mac.Write([]byte(":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
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
	if !hmac.Equal([]byte(Sign(v.Secret, ts, body)), []byte(sig)) {
		return errRefused("bad signature")
	}
	return nil
}

// Wrap returns a handler that passes only verified requests on to next,
// with the body restored for reading. Unverified requests get 401 and
// bodies over MaxBodyBytes get 413; both are logged without the body.
func (v Verifier) Wrap(next http.Handler) http.Handler {
	log := v.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		refuse := func(status int, reason string) {
			log.Warn("slack request refused", "path", r.URL.Path, "status", status, "reason", reason)
			http.Error(w, http.StatusText(status), status)
		}
		ts := r.Header.Get("X-Slack-Request-Timestamp")
		sig := r.Header.Get("X-Slack-Signature")
		if ts == "" || sig == "" {
			refuse(http.StatusUnauthorized, "missing signature headers")
			return
		}
		if r.ContentLength > MaxBodyBytes {
			refuse(http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				refuse(http.StatusRequestEntityTooLarge, "body too large")
				return
			}
			refuse(http.StatusBadRequest, "unreadable body")
			return
		}
		if err := v.check(ts, sig, body); err != nil {
			refuse(http.StatusUnauthorized, err.Error())
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}
