package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// timestampHeader is the signature's timestamp, part of the replay key.
const timestampHeader = "X-Slack-Request-Timestamp"

// serveCommand answers POST /slack/commands (already verified). An
// answer ready within the ack budget is the response itself; otherwise
// the command is acknowledged empty when the budget runs out, while the
// core is still at work, and the answer follows through response_url.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	verified(r.Context())
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	cmd := command{
		TriggerID:    form.Get("trigger_id"),
		UserID:       form.Get("user_id"),
		ChannelID:    form.Get("channel_id"),
		Command:      form.Get("command"),
		Text:         form.Get("text"),
		ResponseURL:  form.Get("response_url"),
		TeamID:       form.Get("team_id"),
		EnterpriseID: form.Get("enterprise_id"),
	}
	if a.replayed(r.Context(), replayKey("command", cmd.TriggerID, r.Header.Get(timestampHeader))) {
		w.WriteHeader(http.StatusOK)
		return
	}
	a.runCommand(r.Context(), cmd, func(_ context.Context, m *message, more bool) bool {
		writeAck(w, m, more)
		return true
	})
}

// writeAck writes a slash command's acknowledgement: the first message of
// the answer, or empty (m == nil).
//
// The empty ack is written while the core is still at work and the
// handler cannot return yet, so it is a whole response on its own: an
// explicit Content-Length of 0, flushed. It also closes the connection,
// which stays busy until the answer is ready, so Slack does not queue its
// next request behind it. Behind middleware that hides Flush it goes out
// when the handler returns; the answer still follows through response_url.
//
// When more messages follow through response_url, the first is flushed
// whole first, so that Slack shows the messages in order. A whole answer
// is encoded straight into the response.
func writeAck(w http.ResponseWriter, m *message, more bool) {
	h := w.Header()
	if m == nil {
		h.Set("Content-Length", "0")
		h.Set("Connection", "close")
		w.WriteHeader(http.StatusOK)
		_ = http.NewResponseController(w).Flush()
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	if !more {
		_ = writeMessage(w, m) // the message types always encode; a failed write is the client gone
		return
	}
	body, err := encodeMessage(m)
	if err != nil {
		http.Error(w, "encode answer", http.StatusInternalServerError)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
	_ = http.NewResponseController(w).Flush() // a writer that cannot flush sends it on return
}

// encodeMessage is m's JSON for Slack (see writeMessage).
func encodeMessage(m *message) ([]byte, error) {
	var b bytes.Buffer
	if err := writeMessage(&b, m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeMessage writes m's JSON for Slack to w. Its text is mrkdwn, full of
// the adapter's own &amp; and &lt; escapes, so HTML escaping is off: it
// would only make the body longer.
func writeMessage(w io.Writer, m *message) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(m)
}

// serveEvent answers POST /slack/events (already verified): the
// url_verification handshake at once, callbacks after a prompt 200.
func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	verified(r.Context())
	env, err := parseEvent(body)
	if err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	switch env.Type {
	case "url_verification":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, env.Challenge)
		return
	case "event_callback":
		// A retry (X-Slack-Retry-Num) of an event already taken is only
		// acknowledged; one whose first delivery never reached us is answered.
		if a.seen.first(env.EventID) {
			ev, id := env.Event, env.EventID
			ctx := context.WithoutCancel(r.Context())
			a.async(func() {
				if a.firstEverywhere(ctx, id) {
					a.handleEvent(ctx, ev)
				}
			})
		}
	}
	w.WriteHeader(http.StatusOK)
}

// serveInteraction answers POST /slack/interactions (already verified).
func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, body []byte) {
	verified(r.Context())
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	in, err := parseInteraction([]byte(form.Get("payload")))
	if err != nil {
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
	ctx, key := context.WithoutCancel(r.Context()), replayKey("interaction", in.TriggerID, r.Header.Get(timestampHeader))
	a.async(func() {
		if !a.replayed(ctx, key) {
			a.handleInteraction(ctx, in)
		}
	})
}
