package desk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/bot/slack"
)

// Renderer shows a reply as one platform will: the JSON of each message
// its adapter would send, in order, split and cut to the platform's limits
// by the adapter itself.
type Renderer struct {
	// Platform is bot.PlatformSlack or bot.PlatformDiscord: how the
	// messages are read.
	Platform bot.Platform
	// Render returns the messages for reply.
	Render func(ctx context.Context, reply bot.Reply) ([]json.RawMessage, error)
}

// The adapters render a reply only on the way to the platform, so the desk
// gives each a preview adapter whose HTTP client posts to a recorder
// instead of the network: what the desk shows is byte for byte what would
// be posted. The recorder answers every call as the platform would.

// sinkKey finds, in a request's context, where its payload goes.
type sinkKey struct{}

type sink struct {
	mu   sync.Mutex
	msgs []json.RawMessage
}

func (s *sink) add(m json.RawMessage) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
}

// recorder is an http.RoundTripper that keeps the payload of each post in
// the sink of the request's context and answers as the platform would.
type recorder struct {
	// payload turns a request body into the message JSON.
	payload func(r *http.Request, body []byte) (json.RawMessage, error)
	// answer is the platform's success response.
	answer string
}

func (rt recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	s, _ := r.Context().Value(sinkKey{}).(*sink)
	if s == nil {
		return nil, errors.New("desk preview: a call outside a preview")
	}
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	m, err := rt.payload(r, body)
	if err != nil {
		return nil, fmt.Errorf("desk preview: %w", err)
	}
	s.add(m)
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(rt.answer)),
		Request:    r,
	}, nil
}

func record(ctx context.Context, post func(ctx context.Context) error) ([]json.RawMessage, error) {
	s := &sink{}
	if err := post(context.WithValue(ctx, sinkKey{}, s)); err != nil {
		return nil, err
	}
	return s.msgs, nil
}

// SlackRenderer renders replies with the Slack adapter, as chat.postMessage
// payloads ({"text", "blocks"}). core is the adapter's answerer; the
// preview adapter never answers anything.
func SlackRenderer(core *bot.Bot) (Renderer, error) {
	rt := recorder{answer: `{"ok":true,"channel":"C0DESK","ts":"1700000000.000100"}`, payload: slackPayload}
	a, err := slack.New(slack.Config{
		BotToken:      "xoxb-desk-preview",
		SigningSecret: "desk-preview-only",
		Mode:          slack.ModeHTTP,
		Command:       core.Command(),
		PostInterval:  -1,
	}, core, slack.WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		return Renderer{}, fmt.Errorf("desk: slack preview: %w", err)
	}
	return Renderer{Platform: bot.PlatformSlack, Render: func(ctx context.Context, reply bot.Reply) ([]json.RawMessage, error) {
		return record(ctx, func(ctx context.Context) error {
			_, err := a.Post(ctx, "C0DESK", reply, slack.PostOptions{})
			return err
		})
	}}, nil
}

// slackPayload reads chat.postMessage's form (or JSON) body.
func slackPayload(r *http.Request, body []byte) (json.RawMessage, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return json.RawMessage(body), nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("slack %s: %w", r.URL.Path, err)
	}
	msg := struct {
		Text   string          `json:"text"`
		Blocks json.RawMessage `json:"blocks,omitempty"`
	}{Text: form.Get("text")}
	if b := form.Get("blocks"); b != "" {
		msg.Blocks = json.RawMessage(b)
	}
	return json.Marshal(msg)
}

// DiscordRenderer renders replies with the Discord adapter, as the
// message objects it posts to a channel.
func DiscordRenderer(core *bot.Bot) (Renderer, error) {
	rt := recorder{answer: `{"id":"1"}`, payload: func(_ *http.Request, body []byte) (json.RawMessage, error) {
		if !json.Valid(body) {
			return nil, errors.New("discord: the adapter sent no JSON")
		}
		return bytes.Clone(body), nil
	}}
	a, err := discord.New(discord.Config{
		Token:      "desk-preview",
		AppID:      "1",
		Mode:       discord.ModeGateway,
		HTTPClient: &http.Client{Transport: rt},
	}, core)
	if err != nil {
		return Renderer{}, fmt.Errorf("desk: discord preview: %w", err)
	}
	return Renderer{Platform: bot.PlatformDiscord, Render: func(ctx context.Context, reply bot.Reply) ([]json.RawMessage, error) {
		return record(ctx, func(ctx context.Context) error {
			_, err := a.Post(ctx, "1", reply, discord.PostOptions{})
			return err
		})
	}}, nil
}
