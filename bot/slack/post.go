package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
)

// PostOptions tune postMessages.
type PostOptions struct {
	// ThreadTS posts as a reply in that thread.
	ThreadTS string
	// EventType and EventPayload become Slack message metadata on every
	// message of the answer, so that scanPosted can find it later
	// (the digest uses "briefbot_digest" with {subscription, slot}).
	EventType    string
	EventPayload map[string]any
}

// PermanentError is a Slack failure that retrying will not fix, such as a
// deleted channel or a missing scope. Callers pausing work on a channel
// find it with errors.As.
type PermanentError struct {
	// Code is Slack's error code ("channel_not_found").
	Code string
}

func (e *PermanentError) Error() string { return e.Code }

// Permanent reports true; it lets callers test for the behaviour without
// importing this package.
func (e *PermanentError) Permanent() bool { return true }

// TargetGone reports whether the channel itself is the problem: deleted,
// archived, or the bot is not in it.
func (e *PermanentError) TargetGone() bool { return goneCodes[e.Code] }

// goneCodes are the permanent codes that name the channel as the problem.
var goneCodes = map[string]bool{"channel_not_found": true, "not_in_channel": true, "is_archived": true}

// permanentCodes are Slack error codes that mean "stop trying here".
var permanentCodes = map[string]bool{
	"channel_not_found":       true,
	"not_in_channel":          true,
	"is_archived":             true,
	"account_inactive":        true,
	"missing_scope":           true,
	"invalid_auth":            true,
	"not_authed":              true,
	"token_revoked":           true,
	"restricted_action":       true,
	"team_access_not_granted": true,
}

// classify turns Slack API errors into PermanentError where they are permanent.
func classify(err error) error {
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) && permanentCodes[se.Err] {
		return &PermanentError{Code: se.Err}
	}
	return err
}

// withRetry runs call, retrying after Slack's Retry-After when rate
// limited, at most maxAttempts times in all and never past ctx. When ctx
// asks for it (an answer being delivered, see send), a failure that may
// pass, a 5xx or a timeout, is retried too, with back-off and jitter, for
// as long as ctx's deadline allows.
func (a *Adapter) withRetry(ctx context.Context, call func() error) error {
	backoff := bot.Backoff{Base: 500 * time.Millisecond, Max: 8 * time.Second}
	transientToo, _ := ctx.Value(retryTransientKey{}).(bool)
	for attempt := 1; ; attempt++ {
		err := call()
		if err == nil {
			return nil
		}
		var wait time.Duration
		var rl *slackapi.RateLimitedError
		switch {
		case errors.As(err, &rl):
			if attempt >= a.maxAttempts {
				return err
			}
			wait = rl.RetryAfter
			if wait <= 0 {
				wait = time.Second
			}
		case transientToo && ctx.Err() == nil && transient(err):
			wait = backoff.Next()
			if dl, ok := ctx.Deadline(); !ok || time.Until(dl) < wait {
				return err
			}
			a.log.InfoContext(ctx, "slack call failed; retrying", "attempt", attempt, "retry_in", wait.Round(time.Millisecond), "err", err)
		default:
			return err
		}
		if serr := a.sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w (gave up waiting: %w)", err, serr)
		}
	}
}

// statusError is a response_url answer refused with an HTTP status.
type statusError struct {
	Status int
	Text   string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("post to slack response_url: %d %s: %s", e.Status, http.StatusText(e.Status), e.Text)
}

// transient reports whether err may pass if the call is made again: a 5xx
// from Slack, or a network timeout.
func transient(err error) bool {
	var sc slackapi.StatusCodeError
	if errors.As(err, &sc) && sc.Code >= 500 {
		return true
	}
	var se *statusError
	if errors.As(err, &se) && se.Status >= 500 {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// postMessages posts msgs to channel, returning their timestamps. Posts to
// one channel are spaced Config.PostInterval apart (Slack's pace is about
// one a second) and rate limits are waited out; other failures name the
// channel and are *PermanentError when retrying cannot help.
func (a *Adapter) postMessages(ctx context.Context, channel string, msgs []message, opts PostOptions) ([]string, error) {
	var tss []string
	for _, m := range msgs {
		blocks := make([]slackapi.Block, len(m.Blocks))
		for i, b := range m.Blocks {
			blocks[i] = b
		}
		mopts := []slackapi.MsgOption{
			slackapi.MsgOptionText(m.Text, false),
			slackapi.MsgOptionBlocks(blocks...),
		}
		if opts.ThreadTS != "" {
			mopts = append(mopts, slackapi.MsgOptionTS(opts.ThreadTS))
		}
		if opts.EventType != "" {
			mopts = append(mopts, slackapi.MsgOptionMetadata(slackapi.SlackMetadata{
				EventType:    opts.EventType,
				EventPayload: opts.EventPayload,
			}))
		}
		if err := a.pace.wait(ctx, channel); err != nil {
			return tss, fmt.Errorf("post to slack channel %s: waiting for its turn: %w", channel, err)
		}
		var ts string
		err := a.withRetry(ctx, func() error {
			var err error
			_, ts, err = a.api.PostMessageContext(ctx, channel, mopts...)
			return err
		})
		if err != nil {
			return tss, fmt.Errorf("post to slack channel %s: %w", channel, classify(err))
		}
		tss = append(tss, ts)
	}
	return tss, nil
}

// scanPosted calls each with the payload of every message in channel newer
// than since whose metadata matches, newest first, until each returns false.
func (a *Adapter) scanPosted(ctx context.Context, channel, eventType string, match map[string]any, since time.Time, each func(payload map[string]any) bool) error {
	want, err := normalizeJSON(match)
	if err != nil {
		return fmt.Errorf("find posted in slack channel %s: %w", channel, err)
	}
	params := &slackapi.GetConversationHistoryParameters{
		ChannelID:          channel,
		Limit:              200,
		IncludeAllMetadata: true,
	}
	if !since.IsZero() {
		params.Oldest = fmt.Sprintf("%d.%06d", since.Unix(), since.Nanosecond()/1000)
	}
	const maxPages = 50
	for page := 0; page < maxPages; page++ {
		var resp *slackapi.GetConversationHistoryResponse
		err := a.withRetry(ctx, func() error {
			var err error
			resp, err = a.api.GetConversationHistoryContext(ctx, params)
			return err
		})
		if err != nil {
			return fmt.Errorf("find posted in slack channel %s: %w", channel, classify(err))
		}
		for _, m := range resp.Messages {
			if m.Metadata.EventType != eventType {
				continue
			}
			got, err := normalizeJSON(m.Metadata.EventPayload)
			if err != nil {
				continue
			}
			if containsAll(got, want) && !each(got) {
				return nil
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			return nil
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	return nil
}

// normalizeJSON round-trips a payload through JSON so that values compare
// the way Slack returns them (numbers as float64 and so on).
func normalizeJSON(m map[string]any) (map[string]any, error) {
	if len(m) == 0 {
		return map[string]any{}, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode metadata: %w", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("decode metadata: %w", err)
	}
	return out, nil
}

func containsAll(got, want map[string]any) bool {
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			return false
		}
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		if !bytes.Equal(gb, wb) {
			return false
		}
	}
	return true
}

// respond sends one message to a response_url (valid for 30 minutes and
// five uses), waiting out rate limits like Web API calls.
func (a *Adapter) respond(ctx context.Context, responseURL string, m message) error {
	body, err := encodeMessage(&m)
	if err != nil {
		return fmt.Errorf("post to slack response_url: encode message: %w", err)
	}
	return a.withRetry(ctx, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
		if err != nil {
			return errors.New("post to slack response_url: bad url")
		}
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		resp, err := a.httpClient.Do(req)
		if err != nil {
			// The URL itself is a bearer credential: keep it out of errors and logs.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return fmt.Errorf("post to slack response_url: %w", err)
		}
		defer resp.Body.Close()
		text, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			return &slackapi.RateLimitedError{RetryAfter: time.Duration(secs) * time.Second}
		case resp.StatusCode/100 != 2:
			return &statusError{Status: resp.StatusCode, Text: strings.TrimSpace(string(text))}
		}
		return nil
	})
}

// deliver sends msgs through responseURL in order.
func (a *Adapter) deliver(ctx context.Context, responseURL string, msgs []message) error {
	for _, m := range msgs {
		if err := a.respond(ctx, responseURL, m); err != nil {
			return err
		}
	}
	return nil
}
