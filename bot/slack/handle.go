package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/internal/budget"
	"github.com/briefbot/briefbot/bot/telemetry"
)

// command is a slash command as both transports deliver it.
type command struct {
	// TriggerID is unique to one invocation: with the signature's
	// timestamp it tells a replay from a new command.
	TriggerID   string `json:"trigger_id"`
	UserID      string `json:"user_id"`
	ChannelID   string `json:"channel_id"`
	Command     string `json:"command"`
	Text        string `json:"text"`
	ResponseURL string `json:"response_url"`
	// TeamID and EnterpriseID pick the workspace's token (OAuth installs).
	TeamID       string `json:"team_id"`
	EnterpriseID string `json:"enterprise_id"`
}

// eventEnvelope is the outer Events API body (HTTP) or payload (socket mode).
type eventEnvelope struct {
	Type      string     `json:"type"`
	Challenge string     `json:"challenge"`
	EventID   string     `json:"event_id"`
	Event     innerEvent `json:"event"`
	// TeamID, EnterpriseID and Authorizations say which workspace the
	// event is from, and whether the install serving it is org-wide.
	TeamID         string `json:"team_id"`
	EnterpriseID   string `json:"enterprise_id"`
	Authorizations []struct {
		EnterpriseID        string `json:"enterprise_id"`
		IsEnterpriseInstall bool   `json:"is_enterprise_install"`
	} `json:"authorizations"`
}

type innerEvent struct {
	Type        string `json:"type"`
	Subtype     string `json:"subtype"`
	User        string `json:"user"`
	BotID       string `json:"bot_id"`
	Text        string `json:"text"`
	Channel     string `json:"channel"`
	ChannelType string `json:"channel_type"`
	TS          string `json:"ts"`
	ThreadTS    string `json:"thread_ts"`
	// Tab is the App Home tab opened (app_home_opened).
	Tab string `json:"tab"`
	// Tokens are the revoked ones (tokens_revoked).
	Tokens struct {
		Bot []string `json:"bot"`
	} `json:"tokens"`

	// workspace is the envelope's: where the event comes from, and
	// whether an org-wide install serves it.
	workspace  workspaceKey
	orgInstall bool
}

// interaction is the part of a block_actions payload the adapter uses.
type interaction struct {
	Type        string `json:"type"`
	TriggerID   string `json:"trigger_id"`
	ResponseURL string `json:"response_url"`
	Team        struct {
		ID string `json:"id"`
	} `json:"team"`
	Enterprise struct {
		ID string `json:"id"`
	} `json:"enterprise"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	Container struct {
		ChannelID   string `json:"channel_id"`
		MessageTS   string `json:"message_ts"`
		ThreadTS    string `json:"thread_ts"`
		IsEphemeral bool   `json:"is_ephemeral"`
	} `json:"container"`
	Actions []struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
	} `json:"actions"`
}

var (
	// mentionRE matches user mentions as Slack sends them: <@U123> or <@U123|name>.
	mentionRE = regexp.MustCompile(`<@[UW][A-Z0-9]+(?:\|[^>]*)?>`)
	// userIDRE is a Slack user ID, safe to put inside <@...>.
	userIDRE = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
)

// stripMentions removes user mentions (the bot's own, typically) from text.
func stripMentions(text string) string {
	return strings.Join(strings.Fields(mentionRE.ReplaceAllString(text, " ")), " ")
}

// responseType picks the slash-command response_type for a reply: the
// reply's own visibility, else the configured default.
func (a *Adapter) responseType(r bot.Reply) string {
	switch r.Visibility {
	case bot.VisibilityPublic:
		return ReplyInChannel
	case bot.VisibilityPrivate:
		return ReplyEphemeral
	}
	return a.cfg.Reply
}

// shareable says whether an ephemeral answer gets a "Share in channel" button.
func shareable(r bot.Reply) bool {
	switch r.Kind {
	case bot.KindHelp, bot.KindError, bot.KindNotFound:
		return false
	}
	return true
}

// renderCommand renders a slash-command answer with its response_type set.
func (a *Adapter) renderCommand(r bot.Reply, query string) []message {
	rt := a.responseType(r)
	opts := renderOptions{Votes: a.voter != nil}
	if rt == ReplyEphemeral && shareable(r) {
		opts.ShareQuery = query
	}
	msgs := render(r, opts)
	for i := range msgs {
		msgs[i].ResponseType = rt
	}
	return msgs
}

// runCommand answers cmd on the caller's goroutine. It calls ack exactly
// once: with the first message of the answer when the answer is ready
// within the ack budget (more says whether others follow), or with nil,
// from another goroutine, when the budget runs out first, while the core
// is still at work. ack reports whether it carried the message; whatever
// it did not carry follows through response_url, in order, from another
// goroutine. runCommand returns once the answer is ready and ack has
// returned; Run waits for the deliveries. ctx carries the request id and
// trace; its cancellation is not followed, as the answer outlives the
// request.
func (a *Adapter) runCommand(ctx context.Context, cmd command, ack func(ctx context.Context, m *message, more bool) bool) {
	start := time.Now()
	a.inflight.Add(1)
	ctx, span := telemetry.Start(context.WithoutCancel(ctx), "slack.command")
	ctx, cancel := context.WithTimeout(ctx, handleTimeout)
	ctx = a.route(ctx, cmd.EnterpriseID, cmd.TeamID, cmd.ChannelID)
	req := a.request(cmd.UserID, cmd.ChannelID, cmd.Command, cmd.Text)
	type answer struct {
		reply bot.Reply
		msgs  []message
	}
	ans, ok := budget.Race(a.cfg.AckBudget, func() answer {
		reply := a.ask(ctx, req)
		return answer{reply, rendered(ctx, func() []message { return a.renderCommand(reply, req.Text) })}
	}, func() {
		_ = send(ctx, "ack", start, func(ctx context.Context) error { ack(ctx, nil, false); return nil })
	}, func(ans answer) {
		// Acknowledged empty already: the whole answer goes to response_url.
		a.finishCommand(ctx, cancel, span, cmd, ans.reply, ans.msgs, start)
	})
	if !ok {
		return
	}
	msgs := ans.msgs
	_ = send(ctx, "ack", start, func(ctx context.Context) error {
		if ack(ctx, &msgs[0], len(msgs) > 1) {
			msgs = msgs[1:]
		}
		return nil
	})
	if len(msgs) == 0 {
		cancel()
		a.logHandled(ctx, "command", ans.reply, start, nil)
		telemetry.End(span, nil)
		a.inflight.Done()
		return
	}
	go a.finishCommand(ctx, cancel, span, cmd, ans.reply, msgs, start)
}

// finishCommand delivers what the acknowledgement did not carry.
func (a *Adapter) finishCommand(ctx context.Context, cancel context.CancelFunc, span trace.Span, cmd command, reply bot.Reply, msgs []message, start time.Time) {
	defer a.inflight.Done()
	defer cancel()
	err := send(ctx, "response_url", start, func(ctx context.Context) error { return a.deliverCommand(ctx, cmd.ResponseURL, msgs) })
	a.logHandled(ctx, "command", reply, start, err)
	telemetry.End(span, err)
}

func (a *Adapter) deliverCommand(ctx context.Context, responseURL string, msgs []message) error {
	if responseURL == "" {
		return errors.New("slash command has no response_url")
	}
	return a.deliver(ctx, responseURL, msgs)
}

// handleEvent answers one Events API callback (already deduplicated).
// ctx carries the request id and trace; its cancellation is not followed.
func (a *Adapter) handleEvent(ctx context.Context, ev innerEvent) {
	if ev.BotID != "" || ev.Subtype != "" {
		// Our own messages, other bots', edits and joins are not questions.
		return
	}
	if a.handleAppEvent(ctx, ev) {
		return
	}
	var source string
	switch {
	case ev.Type == "app_mention":
		source = "mention"
	case ev.Type == "message" && ev.ChannelType == "im":
		source = "dm"
	default:
		return
	}
	start := time.Now()
	ctx, span := telemetry.Start(context.WithoutCancel(ctx), "slack."+source)
	ctx, cancel := context.WithTimeout(ctx, handleTimeout)
	defer cancel()
	ctx = a.routeEvent(ctx, ev)
	text := stripMentions(ev.Text)
	reply := a.ask(ctx, a.request(ev.User, ev.Channel, "", text))
	thread := ev.ThreadTS
	if source == "mention" && thread == "" {
		// Mentions in a channel are answered in a thread under the question.
		thread = ev.TS
	}
	msgs := rendered(ctx, func() []message { return render(reply, renderOptions{Votes: a.voter != nil}) })
	err := send(ctx, "chat.postMessage", start, func(ctx context.Context) error {
		_, err := a.postMessages(ctx, ev.Channel, msgs, PostOptions{ThreadTS: thread})
		return err
	})
	a.logHandled(ctx, source, reply, start, err)
	telemetry.End(span, err)
}

// handleInteraction runs the query behind a pressed button. ctx carries
// the request id and trace; its cancellation is not followed.
func (a *Adapter) handleInteraction(ctx context.Context, in interaction) {
	if in.Type != "block_actions" {
		return
	}
	for _, act := range in.Actions {
		switch {
		case act.ActionID == actionShare:
			a.share(ctx, in, act.Value)
		case strings.HasPrefix(act.ActionID, actionQueryPrefix):
			a.followUp(ctx, in, act.Value)
		case strings.HasPrefix(act.ActionID, actionVotePrefix):
			a.vote(ctx, in, act.ActionID, act.Value)
		}
	}
}

// followUp answers a suggestion button: an ephemeral answer is replaced in
// place, a visible one is answered in its thread.
func (a *Adapter) followUp(ctx context.Context, in interaction, query string) {
	start := time.Now()
	ctx, span := telemetry.Start(context.WithoutCancel(ctx), "slack.button")
	ctx, cancel := context.WithTimeout(ctx, handleTimeout)
	defer cancel()
	ctx = a.routeInteraction(ctx, in)
	channel, reply := a.askFromButton(ctx, in, query)
	var err error
	if in.Container.IsEphemeral || in.Container.MessageTS == "" {
		if in.ResponseURL == "" {
			err = errors.New("ephemeral button press has no response_url")
		} else {
			msgs := rendered(ctx, func() []message {
				msgs := render(reply, renderOptions{ShareQuery: shareQueryFor(reply, query), Votes: a.voter != nil})
				for i := range msgs {
					msgs[i].ResponseType = ReplyEphemeral
				}
				msgs[0].ReplaceOriginal = true
				return msgs
			})
			err = send(ctx, "response_url", start, func(ctx context.Context) error { return a.deliver(ctx, in.ResponseURL, msgs) })
		}
	} else {
		thread := in.Container.ThreadTS
		if thread == "" {
			thread = in.Container.MessageTS
		}
		msgs := rendered(ctx, func() []message { return render(reply, renderOptions{Votes: a.voter != nil}) })
		err = send(ctx, "chat.postMessage", start, func(ctx context.Context) error {
			_, err := a.postMessages(ctx, channel, msgs, PostOptions{ThreadTS: thread})
			return err
		})
	}
	a.logHandled(ctx, "button", reply, start, err)
	telemetry.End(span, err)
}

// askFromButton asks the core the query a button carries, in the channel
// the button was pressed in.
func (a *Adapter) askFromButton(ctx context.Context, in interaction, query string) (string, bot.Reply) {
	channel := in.Container.ChannelID
	if channel == "" {
		channel = in.Channel.ID
	}
	return channel, a.ask(ctx, a.request(in.User.ID, channel, "", query))
}

func shareQueryFor(r bot.Reply, query string) string {
	if shareable(r) {
		return query
	}
	return ""
}

// share posts the answer to query in the channel for everyone, saying who shared it.
func (a *Adapter) share(ctx context.Context, in interaction, query string) {
	start := time.Now()
	ctx, span := telemetry.Start(context.WithoutCancel(ctx), "slack.share")
	ctx, cancel := context.WithTimeout(ctx, handleTimeout)
	defer cancel()
	ctx = a.routeInteraction(ctx, in)
	channel, reply := a.askFromButton(ctx, in, query)
	opts := renderOptions{Votes: a.voter != nil}
	if userIDRE.MatchString(in.User.ID) {
		opts.SharedBy = in.User.ID
	}
	msgs := rendered(ctx, func() []message { return render(reply, opts) })
	var err error
	if in.ResponseURL != "" {
		for i := range msgs {
			msgs[i].ResponseType = ReplyInChannel
		}
		err = send(ctx, "response_url", start, func(ctx context.Context) error { return a.deliver(ctx, in.ResponseURL, msgs) })
	} else {
		err = send(ctx, "chat.postMessage", start, func(ctx context.Context) error {
			_, err := a.postMessages(ctx, channel, msgs, PostOptions{})
			return err
		})
	}
	a.logHandled(ctx, "share", reply, start, err)
	telemetry.End(span, err)
}

// parseEvent decodes an Events API body.
func parseEvent(body []byte) (eventEnvelope, error) {
	var env eventEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return env, fmt.Errorf("decode slack event: %w", err)
	}
	env.Event.workspace = workspaceKey{env.EnterpriseID, env.TeamID}
	for _, au := range env.Authorizations {
		env.Event.orgInstall = env.Event.orgInstall || au.IsEnterpriseInstall
	}
	return env, nil
}

// parseInteraction decodes an interaction payload.
func parseInteraction(payload []byte) (interaction, error) {
	var in interaction
	if err := json.Unmarshal(payload, &in); err != nil {
		return in, fmt.Errorf("decode slack interaction: %w", err)
	}
	return in, nil
}

// async runs f after the request is acknowledged, counted for shutdown.
func (a *Adapter) async(f func()) {
	a.inflight.Add(1)
	go func() {
		defer a.inflight.Done()
		f()
	}()
}
