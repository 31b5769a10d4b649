package slack

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// serveCommand answers POST /slack/commands (already verified). The core
// is asked in the request goroutine: an answer ready within the ack budget
// is the response itself; otherwise the command is acknowledged empty when
// the budget runs out and the answer follows through response_url.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	cmd, err := parseCommandForm(body)
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	if !canFlush(w) {
		a.serveCommandUnflushed(w, cmd)
		return
	}
	a.runCommand(cmd, func(m *message, urgent bool) bool {
		writeAck(w, m, urgent)
		return true
	})
}

// serveCommandUnflushed is serveCommand for a ResponseWriter that cannot
// flush (wrapped by middleware that hides Flush): the response only leaves
// when the handler returns, so the core is asked in another goroutine and
// the handler returns as soon as there is something to acknowledge.
func (a *Adapter) serveCommandUnflushed(w http.ResponseWriter, cmd command) {
	acks := make(chan *message)
	written := make(chan struct{})
	a.async(func() {
		a.runCommand(cmd, func(m *message, _ bool) bool {
			acks <- m
			<-written
			return true
		})
	})
	writeAck(w, <-acks, false) // sent as this handler returns, next
	close(written)
}

// canFlush reports whether w, or a writer it wraps, can flush.
func canFlush(w http.ResponseWriter) bool {
	for {
		switch t := w.(type) {
		case http.Flusher:
			return true
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return false
		}
	}
}

// ackBuffers holds buffers for encoding acknowledgements; Write copies.
var ackBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// Header values of acknowledgements, shared: net/http only reads them.
var (
	headerJSON  = []string{"application/json; charset=utf-8"}
	headerZero  = []string{"0"}
	headerClose = []string{"close"}
)

// writeAck writes a slash command's acknowledgement: the first message of
// the answer, or empty (m == nil). An urgent ack is flushed at once, with
// its length, because the request goroutine goes on working: a late ack
// while the core is still answering (the client is also asked not to
// reuse the busy connection), or one followed by more messages.
func writeAck(w http.ResponseWriter, m *message, urgent bool) {
	h := w.Header()
	if m == nil {
		h["Content-Length"] = headerZero
		if urgent {
			h["Connection"] = headerClose
		}
		w.WriteHeader(http.StatusOK)
	} else {
		bp := ackBuffers.Get().(*[]byte)
		buf := m.appendJSON((*bp)[:0])
		h["Content-Type"] = headerJSON
		if urgent {
			h.Set("Content-Length", strconv.Itoa(len(buf)))
		}
		_, _ = w.Write(buf)
		if cap(buf) <= 64<<10 {
			*bp = buf
			ackBuffers.Put(bp)
		}
	}
	if urgent {
		_ = http.NewResponseController(w).Flush()
	}
}

// parseCommandForm reads a slash command's fields from its form body. It
// accepts and refuses exactly what url.ParseQuery does, and like
// url.Values.Get takes the first value of a repeated field, but builds no
// map of the fields it does not need.
func parseCommandForm(body []byte) (command, error) {
	var cmd command
	var seen uint8
	var firstErr error
	query := string(body)
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		if strings.Contains(pair, ";") {
			if firstErr == nil {
				firstErr = errors.New("invalid semicolon separator in query")
			}
			continue
		}
		if pair == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		key, err := unescapeForm(key)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		value, err = unescapeForm(value)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		var field *string
		var bit uint8
		switch key {
		case "user_id":
			field, bit = &cmd.UserID, 1
		case "channel_id":
			field, bit = &cmd.ChannelID, 2
		case "command":
			field, bit = &cmd.Command, 4
		case "text":
			field, bit = &cmd.Text, 8
		case "response_url":
			field, bit = &cmd.ResponseURL, 16
		default:
			continue
		}
		if seen&bit == 0 {
			*field, seen = value, seen|bit
		}
	}
	if firstErr != nil {
		return command{}, fmt.Errorf("decode slash command form: %w", firstErr)
	}
	return cmd, nil
}

// unescapeForm is url.QueryUnescape without its cost when there is
// nothing to unescape.
func unescapeForm(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	return url.QueryUnescape(s)
}

// serveEvent answers POST /slack/events (already verified): the
// url_verification handshake at once, callbacks after a prompt 200.
func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) {
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
			a.async(func() {
				if a.firstEverywhere(id) {
					a.handleEvent(ev)
				}
			})
		}
	}
	w.WriteHeader(http.StatusOK)
}

// serveInteraction answers POST /slack/interactions (already verified).
func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, body []byte) {
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
	a.async(func() { a.handleInteraction(in) })
}
