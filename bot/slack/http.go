package slack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
)

// serveCommand answers POST /slack/commands (already verified).
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	cmd := command{
		UserID:      form.Get("user_id"),
		ChannelID:   form.Get("channel_id"),
		Command:     form.Get("command"),
		Text:        form.Get("text"),
		ResponseURL: form.Get("response_url"),
	}
	res := a.runCommand(cmd)
	if res.Immediate != nil {
		writeJSON(w, res.Immediate)
	} else {
		// Acknowledged empty; the answer follows through response_url.
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	go res.Finish()
}

// serveEvent answers POST /slack/events (already verified): the
// url_verification handshake at once, callbacks after a prompt 200.
func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
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
			ev := env.Event
			a.async(func() { a.handleEvent(ev) })
		}
	}
	w.WriteHeader(http.StatusOK)
}

// serveInteraction answers POST /slack/interactions (already verified).
func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
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

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}
