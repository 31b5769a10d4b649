package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"

	slackapi "github.com/slack-go/slack"
)

// MaxBodyBytes caps the body of a Slack request; larger ones get 413.
const MaxBodyBytes = 1 << 20

// verifier checks Slack's v0 request signatures with slack-go's
// SecretsVerifier: an HMAC-SHA256, keyed by the signing secret, over
// "v0:" + X-Slack-Request-Timestamp + ":" + body, with a timestamp within
// five minutes of the wall clock (older requests may be replays). A nil
// Logger discards.
type verifier struct {
	Secret string
	Logger *slog.Logger
}

// Sign returns the X-Slack-Signature value for body sent at timestamp, as
// Slack computes it; tests and local tools use it to play Slack.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + timestamp + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// bodyHandler serves a verified request whose body has been read already.
type bodyHandler func(w http.ResponseWriter, r *http.Request, body []byte)

// wrapBody returns a handler that passes only verified requests on to
// next, with the body already read. Unverified requests get 401 and bodies
// over MaxBodyBytes get 413; both are logged without the body.
func (v verifier) wrapBody(next bodyHandler) http.Handler {
	log := v.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sv, err := slackapi.NewSecretsVerifier(r.Header, v.Secret)
		if err != nil {
			refuse(log, w, r, http.StatusUnauthorized, refusal(err))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				refuse(log, w, r, http.StatusRequestEntityTooLarge, "body too large")
				return
			}
			refuse(log, w, r, http.StatusBadRequest, "unreadable body")
			return
		}
		_, _ = sv.Write(body)
		if err := sv.Ensure(); err != nil {
			refuse(log, w, r, http.StatusUnauthorized, "bad signature")
			return
		}
		next(w, r, body)
	})
}

// refusal says, for the log, why slack-go refused a request's headers.
func refusal(err error) string {
	switch {
	case errors.Is(err, slackapi.ErrMissingHeaders):
		return "missing signature headers"
	case errors.Is(err, slackapi.ErrInvalidConfiguration):
		return "no signing secret configured"
	case errors.Is(err, slackapi.ErrExpiredTimestamp):
		return "timestamp too far from now"
	}
	return "malformed signature headers"
}

func refuse(log *slog.Logger, w http.ResponseWriter, r *http.Request, status int, reason string) {
	log.Warn("slack request refused", "path", r.URL.Path, "status", status, "reason", reason)
	http.Error(w, http.StatusText(status), status)
}
