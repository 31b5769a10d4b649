package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/internal/budget"
	"github.com/briefbot/briefbot/bot/internal/textsplit"
	"github.com/briefbot/briefbot/bot/telemetry"
)

// Interaction and response types from Discord's API.
const (
	interactionPing         = 1
	interactionCommand      = 2
	interactionComponent    = 3
	interactionAutocomplete = 4

	responsePong           = 1
	responseMessage        = 4 // CHANNEL_MESSAGE_WITH_SOURCE
	responseDeferMessage   = 5 // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
	responseDeferUpdate    = 6 // DEFERRED_UPDATE_MESSAGE
	responseUpdate         = 7 // UPDATE_MESSAGE
	responseAutocomplete   = 8 // APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
	maxInteractionBody     = 1 << 20
	maxSignatureClockSkew  = 5 * time.Minute
	interactionTokenLife   = 15 * time.Minute
	tokenSafetyMargin      = 30 * time.Second
	permissionManageChanls = 1 << 4
)

// InteractionsPath is where Discord sends interactions in http mode; set it
// as the Interactions Endpoint URL in the Developer Portal.
const InteractionsPath = "/discord/interactions"

// interaction is the part of Discord's Interaction object the adapter reads.
type interaction struct {
	ID        string          `json:"id"`
	AppID     string          `json:"application_id"`
	Type      int             `json:"type"`
	Token     string          `json:"token"`
	GuildID   string          `json:"guild_id"`
	ChannelID string          `json:"channel_id"`
	Member    *member         `json:"member"`
	Locale    string          `json:"locale"`
	User      *user           `json:"user"`
	Data      interactionData `json:"data"`
	Message   *struct {
		ID    string `json:"id"`
		Flags int    `json:"flags"`
	} `json:"message"`
}

type member struct {
	User        *user  `json:"user"`
	Permissions string `json:"permissions"`
}

type user struct {
	ID  string `json:"id"`
	Bot bool   `json:"bot"`
}

type interactionData struct {
	Name     string   `json:"name"`
	Options  []option `json:"options"`
	CustomID string   `json:"custom_id"`
}

type option struct {
	Name    string   `json:"name"`
	Type    int      `json:"type"`
	Value   any      `json:"value"`
	Focused bool     `json:"focused"`
	Options []option `json:"options"`
}

func (in *interaction) userID() string {
	if in.Member != nil && in.Member.User != nil {
		return in.Member.User.ID
	}
	if in.User != nil {
		return in.User.ID
	}
	return ""
}

// mayManage reports whether the member may manage the channel, from the
// permissions Discord computed for the interaction.
func (in *interaction) mayManage() bool {
	if in.Member == nil {
		return false
	}
	p, err := strconv.ParseUint(in.Member.Permissions, 10, 64)
	return err == nil && p&(permissionManageChanls|8 /* ADMINISTRATOR */) != 0
}

// queryOption returns the text of the "query" option ("" when absent).
func (in *interaction) queryOption() string {
	for _, o := range in.Data.Options {
		if o.Name == "query" {
			s, _ := o.Value.(string)
			return s
		}
	}
	return ""
}

// Routes mounts POST /discord/interactions on mux, for http mode. It mounts
// nothing when no public key is configured, since no request could be
// verified.
func (a *Adapter) Routes(mux *http.ServeMux) {
	if a.publicKey == nil {
		return
	}
	mux.HandleFunc("POST "+InteractionsPath, a.serveInteraction)
}

// verifyRequest checks the Ed25519 signature of an interaction request and
// returns its body, or the HTTP status to answer with.
func (a *Adapter) verifyRequest(w http.ResponseWriter, r *http.Request) ([]byte, int) {
	sig, err := hex.DecodeString(r.Header.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, http.StatusUnauthorized
	}
	ts := r.Header.Get("X-Signature-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, http.StatusUnauthorized
	}
	if skew := a.now().Sub(time.Unix(sec, 0)); skew > maxSignatureClockSkew || skew < -maxSignatureClockSkew {
		return nil, http.StatusUnauthorized
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteractionBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, http.StatusRequestEntityTooLarge
		}
		return nil, http.StatusBadRequest
	}
	// The signed message is the timestamp followed by the body.
	if !ed25519.Verify(a.publicKey, append([]byte(ts), body...), sig) {
		return nil, http.StatusUnauthorized
	}
	return body, 0
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	ctx, _ := telemetry.EnsureRequestID(r.Context())
	_, vspan := telemetry.Step(ctx, spanVerify)
	body, status := a.verifyRequest(w, r)
	vspan.SetAttributes(attribute.Bool("discord.verified", status == 0))
	vspan.End()
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	var in interaction
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	if in.Type == interactionPing {
		writeResponse(w, interactionResponse{Type: responsePong})
		return
	}
	// The initial response is the HTTP response: handleInteraction
	// returns right after sending it (a deferral included), and later
	// messages go through the REST API.
	responded := false
	a.handleInteraction(ctx, &in, func(ctx context.Context, resp interactionResponse) error {
		if responded {
			return errors.New("discord: interaction already answered")
		}
		responded = true
		return send(ctx, "response", func(context.Context) error { writeResponse(w, resp); return nil })
	})
	if !responded {
		http.Error(w, "unsupported interaction", http.StatusBadRequest)
	}
}

// writeResponse encodes resp as the HTTP response, whole. A deferral is
// also flushed: it is written while the core is still at work and the
// handler cannot return yet, so it must go out on its own.
func writeResponse(w http.ResponseWriter, resp interactionResponse) {
	data, err := json.Marshal(resp)
	if err != nil {
		http.Error(w, "encode response", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
	if resp.Type == responseDeferMessage || resp.Type == responseDeferUpdate {
		_ = http.NewResponseController(w).Flush() // a writer that cannot flush sends it on return
	}
}

// responder sends the initial response to an interaction: as the HTTP
// response in http mode, as a callback request in gateway mode.
type responder func(ctx context.Context, resp interactionResponse) error

// handleInteraction answers one verified interaction. It returns once the
// initial response is sent; follow-ups and edits continue in the background
// under their own deadline (the interaction token's life).
//
// A command or button press runs at most once: by its interaction id,
// through the shared event log, so that a replayed request (http mode) or
// a second replica on the same shard (gateway mode) does not run it again.
// A replay over HTTP is told so; on the gateway the replica that took it
// answers.
func (a *Adapter) handleInteraction(ctx context.Context, in *interaction, respond responder) {
	if in.Type == interactionCommand || in.Type == interactionComponent {
		if !a.firstEverywhere(ctx, "interaction:"+in.ID) {
			if a.cfg.Mode == ModeHTTP {
				a.answerStatic(ctx, in, respond, "This request was answered already.")
			}
			return
		}
	}
	switch in.Type {
	case interactionAutocomplete:
		a.autocomplete(ctx, in, respond)
	case interactionCommand:
		if !ourCommand(in.Data.Name) {
			a.answerStatic(ctx, in, respond, "This command is not supported any more.")
			return
		}
		a.answer(ctx, in, in.queryOption(), false, respond)
	case interactionComponent:
		if a.vote(ctx, in, respond) {
			return
		}
		q, ok := strings.CutPrefix(in.Data.CustomID, customIDPrefix)
		if !ok {
			a.answerStatic(ctx, in, respond, "This button is not supported any more.")
			return
		}
		update := in.Message != nil && in.Message.Flags&flagEphemeral != 0
		a.answer(ctx, in, q, update, respond)
	}
}

func (a *Adapter) answerStatic(ctx context.Context, in *interaction, respond responder, text string) {
	m := message{Embeds: []embed{{Description: text, Color: colour(bot.KindError)}}, Components: []actionRow{}, Flags: flagEphemeral}
	if err := respond(ctx, interactionResponse{Type: responseMessage, Data: m}); err != nil {
		a.log.WarnContext(ctx, "discord interaction", "platform", "discord", "kind", "unsupported", "outcome", outcomeOf(bot.Reply{}, err), "err", err)
	}
}

// autocomplete offers up to 25 completions of the partly typed query. The
// core completes from memory; ctx (the request's, in http mode) bounds it.
func (a *Adapter) autocomplete(ctx context.Context, in *interaction, respond responder) {
	start := time.Now()
	text := ""
	for _, o := range in.Data.Options {
		if o.Focused || o.Name == "query" {
			text, _ = o.Value.(string)
		}
	}
	sugg := a.answerer.Complete(ctx, text, maxChoices)
	choices := make([]choice, 0, min(len(sugg), maxChoices))
	for _, s := range sugg {
		v := textsplit.Prefix(strings.TrimSpace(s.Query), maxChoiceLen)
		if v == "" || hasChoice(choices, v) {
			continue
		}
		name := strings.TrimSpace(s.Label)
		if name == "" {
			name = v
		}
		choices = append(choices, choice{Name: truncate(neutralizeMentions(name), maxChoiceLen), Value: v})
		if len(choices) == maxChoices {
			break
		}
	}
	err := respond(ctx, interactionResponse{Type: responseAutocomplete, Data: autocompleteData{Choices: choices}})
	a.logHandled(ctx, "autocomplete", outcomeOf(bot.Reply{}, err), time.Since(start), err, logExtra{})
}

// hasChoice reports whether one of the (at most 25) choices has value v.
func hasChoice(cs []choice, v string) bool {
	for _, c := range cs {
		if c.Value == v {
			return true
		}
	}
	return false
}

// answer asks the core and delivers its reply: at once when it is ready
// within the deferral budget, else after a deferred response ("thinking"),
// by editing it. update replaces the (ephemeral) message a button was
// pressed on.
func (a *Adapter) answer(ctx context.Context, in *interaction, query string, update bool, respond responder) {
	// Shutdown waits for answers under way, deferred ones included.
	a.inflight.Add(1)
	start := time.Now()
	// The reply may outlive the request that brought the interaction; its
	// token lives 15 minutes.
	ctx, span := telemetry.Start(ctx, "discord.command")
	hctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), start.Add(interactionTokenLife-tokenSafetyMargin))
	req := a.request(in, query)

	typ, data := responseDeferMessage, deferData{}
	if update {
		typ = responseDeferUpdate
	} else if a.cfg.Reply != ReplyPublic {
		// The reply's own visibility is not known yet; defer with the
		// configured default.
		data.Flags = flagEphemeral
	}
	var deferErr error
	reply, ok := budget.Race(a.deferAfter, func() bot.Reply {
		return a.ask(hctx, req)
	}, func() {
		deferErr = respond(ctx, interactionResponse{Type: typ, Data: data})
	}, func(reply bot.Reply) {
		defer a.inflight.Done()
		defer cancel()
		if deferErr != nil {
			a.logHandled(hctx, string(reply.Kind), outcomeOf(reply, deferErr), time.Since(start), deferErr, logExtra{deferred: true})
			telemetry.End(span, deferErr)
			return
		}
		msgs, _ := a.interactionMessages(hctx, reply, update)
		eph := update || data.Flags&flagEphemeral != 0
		first := msgs[0]
		first.Flags = 0 // flags cannot change on edit
		err := send(hctx, "edit", func(ctx context.Context) error { return a.editOriginal(ctx, in, first) })
		if err == nil && len(msgs) > 1 {
			err = send(hctx, "follow-up", func(ctx context.Context) error { return a.sendFollowUps(ctx, in, msgs[1:], eph) })
		}
		a.logHandled(hctx, string(reply.Kind), outcomeOf(reply, err), time.Since(start), err, logExtra{parts: len(msgs), deferred: true})
		telemetry.End(span, err)
	})
	if !ok {
		return
	}
	msgs, eph := a.interactionMessages(hctx, reply, update)
	rtyp := responseMessage
	if update {
		rtyp = responseUpdate
	}
	err := respond(ctx, interactionResponse{Type: rtyp, Data: msgs[0]})
	if err != nil || len(msgs) == 1 {
		cancel()
		a.logHandled(ctx, string(reply.Kind), outcomeOf(reply, err), time.Since(start), err, logExtra{parts: len(msgs)})
		telemetry.End(span, err)
		a.inflight.Done()
		return
	}
	go func() {
		defer a.inflight.Done()
		defer cancel()
		err := send(hctx, "follow-up", func(ctx context.Context) error { return a.sendFollowUps(ctx, in, msgs[1:], eph) })
		a.logHandled(hctx, string(reply.Kind), outcomeOf(reply, err), time.Since(start), err, logExtra{parts: len(msgs)})
		telemetry.End(span, err)
	}()
}

// request is the core request for an interaction asking query.
func (a *Adapter) request(in *interaction, query string) bot.Request {
	return bot.Request{
		Platform:  Platform,
		User:      in.userID(),
		Channel:   in.ChannelID,
		Command:   commandFor(in.Locale),
		Text:      strings.TrimSpace(query),
		MayManage: func(context.Context) bool { return in.managing() || in.mayManage() },
	}
}

// interactionMessages renders reply for an interaction response and says
// whether it is ephemeral.
func (a *Adapter) interactionMessages(ctx context.Context, reply bot.Reply, update bool) ([]message, bool) {
	msgs := rendered(ctx, func() []message { return renderReply(reply) })
	a.addVotes(msgs, reply)
	eph := update || a.ephemeral(reply.Visibility)
	if eph && !update {
		msgs[0].Flags = flagEphemeral
	}
	return msgs, eph
}

// sendFollowUps posts the further parts of a split answer. Discord may not
// have registered the initial response yet when the first follow-up
// arrives, so an unknown-webhook answer is retried briefly.
func (a *Adapter) sendFollowUps(ctx context.Context, in *interaction, msgs []message, ephemeral bool) error {
	for _, m := range msgs {
		if ephemeral {
			m.Flags = flagEphemeral
		}
		var err error
		for try := 0; try < 4; try++ {
			err = a.followUp(ctx, in, m)
			var ae *APIError
			if err == nil || !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
				break
			}
			select {
			case <-ctx.Done():
				return err
			case <-time.After(time.Duration(try+1) * 250 * time.Millisecond):
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// logExtra are the optional attributes of a handled-command log line.
type logExtra struct {
	parts    int    // messages the answer took; 0 omits
	deferred bool   // the answer was deferred
	via      string // "mention" for mentions; "" omits
}

// logHandled writes the one log line of a handled command. It never logs
// the query, the answer or any token. It costs nothing when the level is
// disabled (the default discarding logger).
func (a *Adapter) logHandled(ctx context.Context, kind, outcome string, took time.Duration, err error, x logExtra) {
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
	}
	if !a.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("platform", "discord"), slog.String("kind", kind), slog.String("outcome", outcome), slog.Duration("duration", took))
	if x.via != "" {
		attrs = append(attrs, slog.String("via", x.via))
	}
	if x.parts > 0 {
		attrs = append(attrs, slog.Int("parts", x.parts))
	}
	if x.deferred {
		attrs = append(attrs, slog.Bool("deferred", true))
	}
	if err != nil {
		attrs = append(attrs, slog.Any("err", err))
	}
	a.log.LogAttrs(ctx, level, "discord command", attrs...)
}
