package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/briefbot/briefbot/bot/telemetry"
)

// acker acknowledges Socket Mode requests; *socketmode.Client is one.
type acker interface {
	Ack(req socketmode.Request, payload ...any) error
}

// runSocket connects through Socket Mode and handles events until ctx ends.
func (a *Adapter) runSocket(ctx context.Context) error {
	client := socketmode.New(a.api.app, socketmode.OptionLog(discardLogger{}))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer a.connected.Store(false)
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			return <-errc
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w", err)
		case evt := <-client.Events:
			switch evt.Type {
			case socketmode.EventTypeConnected:
				a.connected.Store(true)
				a.connErr.Store(nil)
				a.log.Info("slack socket mode connected")
			case socketmode.EventTypeConnectionError:
				a.connected.Store(false)
				reason := "unknown"
				attrs := []any{}
				if ce, ok := evt.Data.(*slackapi.ConnectionErrorEvent); ok && ce.ErrorObj != nil {
					reason = connectionReason(ce.ErrorObj)
					attrs = append(attrs, "attempt", ce.Attempt, "retry_in", ce.Backoff)
				}
				a.connErr.Store(&reason)
				a.log.Warn("slack socket mode connection failed; retrying", append([]any{"reason", reason}, attrs...)...)
			case socketmode.EventTypeDisconnect:
				a.connected.Store(false)
				reason := "Slack asked to reconnect"
				if req := evt.Request; req != nil && req.Reason != "" {
					reason += " (" + req.Reason + ")"
				}
				a.connErr.Store(&reason)
				a.log.Info("slack socket mode disconnected; reconnecting", "reason", reason)
			case socketmode.EventTypeIncomingError:
				reason := "unknown"
				if ie, ok := evt.Data.(*slackapi.IncomingEventError); ok && ie.ErrorObj != nil {
					reason = connectionReason(ie.ErrorObj)
				}
				a.log.Warn("slack socket mode read failed; reconnecting", "reason", reason)
			case socketmode.EventTypeInvalidAuth:
				reason := "invalid_auth: the app-level token was refused"
				a.connErr.Store(&reason)
				return fmt.Errorf("slack socket mode: invalid_auth: %w", &FieldError{"AppToken", "was refused by Slack"})
			}
			a.handleSocketEvent(client, evt)
		}
	}
}

// HoldsConnection reports whether requests arrive over a connection the
// adapter holds: Socket Mode, not HTTP webhooks.
func (a *Adapter) HoldsConnection() bool { return a.cfg.Mode == ModeSocket }

// Trouble says why the Socket Mode connection is down, "" while it is up
// or in http mode.
func (a *Adapter) Trouble() string {
	if a.cfg.Mode != ModeSocket || a.connected.Load() {
		return ""
	}
	if r := a.connErr.Load(); r != nil {
		return *r
	}
	return ""
}

// ticketRE finds URL queries: the Socket Mode URL carries a connection
// ticket that is a credential for the life of the connection.
var ticketRE = regexp.MustCompile(`\?[^\s"']*`)

// connectionReason is err's message fit for a log: the URL's query,
// which holds the ticket, is cut out.
func connectionReason(err error) string {
	return ticketRE.ReplaceAllString(err.Error(), "?…")
}

// handleSocketEvent dispatches one Socket Mode event; requests are acked
// first, except slash commands, whose ack may carry the answer itself.
func (a *Adapter) handleSocketEvent(c acker, evt socketmode.Event) {
	req := evt.Request
	if req == nil {
		return
	}
	// A request over the socket has no HTTP request behind it: it gets its
	// own request id, for its log lines and its trace.
	ctx, _ := telemetry.WithRequestID(context.Background())
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		_ = c.Ack(*req)
		env, err := parseEvent(req.Payload)
		if err != nil || env.Type != "event_callback" {
			return
		}
		// Socket Mode redelivers unacknowledged events, possibly on another connection.
		if a.seen.first(env.EventID) {
			a.async(func() {
				if a.firstEverywhere(ctx, env.EventID) {
					a.handleEvent(ctx, env.Event)
				}
			})
		}
	case socketmode.EventTypeInteractive:
		_ = c.Ack(*req)
		in, err := parseInteraction(req.Payload)
		if err != nil {
			return
		}
		a.async(func() {
			if !a.replayed(ctx, replayKey("interaction", in.TriggerID, "")) {
				a.handleInteraction(ctx, in)
			}
		})
	case socketmode.EventTypeSlashCommand:
		var cmd command
		if err := json.Unmarshal(req.Payload, &cmd); err != nil {
			_ = c.Ack(*req)
			return
		}
		// Running the command can take up to the ack budget; don't hold up
		// the event loop meanwhile.
		a.async(func() {
			if a.replayed(ctx, replayKey("command", cmd.TriggerID, "")) {
				_ = c.Ack(*req)
				return
			}
			a.runCommand(ctx, cmd, func(_ context.Context, m *message, _ bool) bool {
				if m != nil && fitsSocketAck(m) {
					_ = c.Ack(*req, m)
					return true
				}
				// Empty, or too big for an ack: the answer goes to response_url.
				_ = c.Ack(*req)
				return false
			})
		})
	}
}

// maxSocketAck is below Slack's 20 KB limit on a Socket Mode response
// (the envelope adds a little); larger acks are silently dropped by Slack.
const maxSocketAck = 19 * 1024

func fitsSocketAck(m *message) bool {
	// slack-go encodes the ack with json.Marshal, HTML escaping on.
	b, err := json.Marshal(m)
	return err == nil && len(b) < maxSocketAck
}

// discardLogger silences slack-go's own logger, which could print payloads.
type discardLogger struct{}

func (discardLogger) Output(int, string) error { return nil }

var _ acker = (*socketmode.Client)(nil)
