package discord

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Discord JSON error codes after which retrying a post cannot help.
const (
	codeUnknownChannel     = 10003
	codeMissingAccess      = 50001
	codeMissingPermissions = 50013
)

// maxRetryWait bounds a single rate-limit wait; a longer retry_after is
// returned as an error so that the caller can reschedule.
const maxRetryWait = 60 * time.Second

// APIError is a failed Discord REST call.
type APIError struct {
	// Op says what was being done ("post to channel 123").
	Op     string
	Status int
	// Code and Message are Discord's JSON error, when it sent one.
	Code    int
	Message string
}

func (e *APIError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("discord: %s: %s", e.Op, e.Message)
	}
	if e.Code != 0 {
		return fmt.Sprintf("discord: %s: HTTP %d: %s (code %d)", e.Op, e.Status, e.Message, e.Code)
	}
	return fmt.Sprintf("discord: %s: HTTP %d", e.Op, e.Status)
}

// PermanentError is a post that cannot succeed until someone changes the
// server: the channel is gone or the bot lacks access or permissions. The
// digest pauses a subscription on it; find it with errors.As.
type PermanentError struct {
	Channel string
	Err     *APIError
}

func (e *PermanentError) Error() string {
	return fmt.Sprintf("discord: channel %s cannot be posted to: %s", e.Channel, e.Err.Error())
}

func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent reports true; it lets bot.IsPermanent recognise the error.
func (e *PermanentError) Permanent() bool { return true }

// TargetGone reports true: every such error is about the channel (not an
// id, unknown, or closed to the bot), so the digest pauses at once.
func (e *PermanentError) TargetGone() bool { return true }

// PostOptions tune Post.
type PostOptions struct {
	// Nonce makes a retried post idempotent: Discord returns the earlier
	// message instead of posting again. Each part of a split reply gets its
	// own nonce derived from this one. Empty sends no nonce.
	Nonce string
}

// checkPostable reports why the adapter cannot post to channel, if it cannot.
func (a *Adapter) checkPostable(channel string) error {
	if a.cfg.Token == "" {
		return fmt.Errorf("discord: post to channel %s: %w", channel, errNoToken)
	}
	if !isSnowflake(channel) {
		// No post to it can ever succeed: the digest pauses at once.
		return &PermanentError{Channel: fmt.Sprintf("%q", channel), Err: &APIError{Op: "post to channel", Message: "not a channel id (a channel id is digits only)"}}
	}
	return nil
}

// postMessages posts msgs to channel, leaving out the parts (numbered
// from 1) in skip, and returns the ids of the messages posted.
func (a *Adapter) postMessages(ctx context.Context, channel string, msgs []message, opts PostOptions, skip map[int]bool) ([]string, error) {
	ids := make([]string, 0, len(msgs))
	for i, m := range msgs {
		if skip[i+1] {
			continue
		}
		if opts.Nonce != "" {
			m.Nonce = partNonce(opts.Nonce, i)
			m.EnforceNonce = true
		}
		var created struct {
			ID string `json:"id"`
		}
		op := "post to channel " + channel
		err := a.call(ctx, op, http.MethodPost, "channels/"+channel+"/messages", true, m, &created)
		if err != nil {
			var ae *APIError
			if errors.As(err, &ae) && isPermanent(ae) {
				err = &PermanentError{Channel: channel, Err: ae}
			}
			return ids, err
		}
		ids = append(ids, created.ID)
	}
	return ids, nil
}

func isPermanent(e *APIError) bool {
	switch e.Code {
	case codeUnknownChannel, codeMissingAccess, codeMissingPermissions:
		return true
	}
	return false
}

// partNonce derives the nonce of part i of a post: 25 hex digits of a hash,
// so that any caller nonce fits Discord's 25-character limit and parts
// differ from each other.
func partNonce(nonce string, i int) string {
	sum := sha256.Sum256([]byte(nonce + "\x00" + strconv.Itoa(i)))
	return hex.EncodeToString(sum[:])[:maxNonce]
}

// RegisterCommands replaces the application's commands with /brief, in the
// configured guild (instant, for testing) or globally.
func (a *Adapter) RegisterCommands(ctx context.Context) error {
	if a.cfg.Token == "" {
		return fmt.Errorf("discord: register commands: %w", errNoToken)
	}
	path := "applications/" + a.cfg.AppID + "/commands"
	op := "register commands globally"
	if a.cfg.GuildID != "" {
		path = "applications/" + a.cfg.AppID + "/guilds/" + a.cfg.GuildID + "/commands"
		op = "register commands in guild " + a.cfg.GuildID
	}
	return a.call(ctx, op, http.MethodPut, path, true, commands(), nil)
}

// interactionResponse is the body of an interaction callback, both as an
// HTTP response (http mode) and as POST interactions/{id}/{token}/callback.
type interactionResponse struct {
	Type int `json:"type"`
	Data any `json:"data,omitempty"`
}

type autocompleteData struct {
	Choices []choice `json:"choices"`
}

type choice struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// deferData is the data of a deferred response: only its flags matter.
type deferData struct {
	Flags int `json:"flags,omitempty"`
}

func (a *Adapter) callback(ctx context.Context, in *interaction, resp interactionResponse) error {
	return a.call(ctx, "respond to interaction", http.MethodPost,
		"interactions/"+url.PathEscape(in.ID)+"/"+url.PathEscape(in.Token)+"/callback", false, resp, nil)
}

func (a *Adapter) editOriginal(ctx context.Context, in *interaction, m message) error {
	return a.call(ctx, "edit original response", http.MethodPatch,
		"webhooks/"+url.PathEscape(a.appID(in))+"/"+url.PathEscape(in.Token)+"/messages/@original", false, m, nil)
}

func (a *Adapter) followUp(ctx context.Context, in *interaction, m message) error {
	return a.call(ctx, "send follow-up", http.MethodPost,
		"webhooks/"+url.PathEscape(a.appID(in))+"/"+url.PathEscape(in.Token), false, m, nil)
}

func (a *Adapter) appID(in *interaction) string {
	if in.AppID != "" {
		return in.AppID
	}
	return a.cfg.AppID
}

// call sends one REST request, retrying on 429 (after retry_after) and on
// 5xx and timeouts (with back-off) up to maxAttempts, and never past ctx.
// An answer to an interaction (a webhook call, !auth) retries a 5xx or a
// timeout for as long as ctx's deadline (the interaction token's life)
// allows. out, when not nil, receives the decoded JSON response.
func (a *Adapter) call(ctx context.Context, op, method, path string, auth bool, body, out any) error {
	answer := !auth
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("discord: %s: encode: %w", op, err)
		}
	}
	backoff := a.retryBase
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, a.apiURL+path, bytes.NewReader(payload))
		if err != nil {
			return fmt.Errorf("discord: %s: %w", op, err)
		}
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("User-Agent", "DiscordBot (https://github.com/briefbot/briefbot, 1)")
		if auth {
			req.Header.Set("Authorization", "Bot "+a.cfg.Token)
		}
		resp, err := a.client.Do(req)
		if err != nil {
			// The URL holds interaction tokens: report the operation only.
			if ctx.Err() != nil {
				return fmt.Errorf("discord: %s: %w", op, ctx.Err())
			}
			err = fmt.Errorf("discord: %s: request failed: %w", op, unwrapURLError(err))
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				return err
			}
			// A timeout may pass, like a 5xx.
			wait := backoff
			backoff = min(2*backoff, maxServerErrorWait)
			if !answer && attempt >= a.maxAttempts {
				return fmt.Errorf("%w (gave up after %d attempts)", err, attempt)
			}
			if werr := waitRetry(ctx, wait); werr != nil {
				return fmt.Errorf("%w (%w)", err, werr)
			}
			continue
		}
		data, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if rerr != nil {
			return fmt.Errorf("discord: %s: read response: %w", op, rerr)
		}
		if resp.StatusCode < 300 {
			if out != nil && len(data) > 0 {
				if err := json.Unmarshal(data, out); err != nil {
					return fmt.Errorf("discord: %s: decode response: %w", op, err)
				}
			}
			return nil
		}
		apiErr := &APIError{Op: op, Status: resp.StatusCode}
		var de struct {
			Code       int     `json:"code"`
			Message    string  `json:"message"`
			RetryAfter float64 `json:"retry_after"`
		}
		if json.Unmarshal(data, &de) == nil {
			apiErr.Code, apiErr.Message = de.Code, de.Message
		}
		var wait time.Duration
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			wait = time.Duration(de.RetryAfter * float64(time.Second))
			if wait <= 0 {
				if s, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil {
					wait = time.Duration(s * float64(time.Second))
				}
			}
			if wait <= 0 {
				wait = backoff
			}
			if wait > maxRetryWait {
				return fmt.Errorf("%w (rate limited for %s)", apiErr, wait.Round(time.Second))
			}
		case resp.StatusCode >= 500:
			wait = backoff
			backoff = min(2*backoff, maxServerErrorWait)
		default:
			return apiErr
		}
		if attempt >= a.maxAttempts && !(answer && resp.StatusCode >= 500) {
			return fmt.Errorf("%w (gave up after %d attempts)", apiErr, attempt)
		}
		if werr := waitRetry(ctx, wait); werr != nil {
			return fmt.Errorf("%w (%w)", apiErr, werr)
		}
	}
}

// maxServerErrorWait caps the back-off after a 5xx or a timeout.
const maxServerErrorWait = 8 * time.Second

// errPastDeadline is why a retry is not made: its wait would end after
// the call's deadline.
var errPastDeadline = errors.New("a retry would pass the deadline")

// waitRetry waits d before a retry, unless that passes ctx's deadline or
// ctx ends first.
func waitRetry(ctx context.Context, d time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return fmt.Errorf("%w (retry in %s)", errPastDeadline, d.Round(time.Millisecond))
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// unwrapURLError drops the *url.Error wrapper, whose message holds the URL
// and with it possibly an interaction token.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
