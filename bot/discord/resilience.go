package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/gorilla/websocket"

	"github.com/briefbot/briefbot/bot"
)

// Gateway close codes that no reconnect can fix; see Discord's
// "Gateway Close Event Codes".
const (
	closeAuthenticationFailed = 4004
	closeInvalidShard         = 4010
	closeShardingRequired     = 4011
	closeInvalidIntents       = 4013
	closeDisallowedIntents    = 4014
)

// GatewayError is a gateway connection Discord refused, with what the
// operator can do about it.
type GatewayError struct {
	// Code is the close code, 0 when the connection failed before one.
	Code int
	// Fix says what to change, "" when waiting is all there is to do.
	Fix string
	Err error
}

func (e *GatewayError) Error() string {
	msg := "discord: open gateway: " + e.Err.Error()
	if e.Fix != "" {
		msg += ": " + e.Fix
	}
	return msg
}

func (e *GatewayError) Unwrap() error { return e.Err }

// gatewayError explains err from opening the gateway.
func gatewayError(err error) *GatewayError {
	ge := &GatewayError{Err: err}
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return ge
	}
	ge.Code = ce.Code
	switch ce.Code {
	case closeDisallowedIntents:
		ge.Fix = "the bot asked for a privileged intent the application is not allowed; " +
			"briefbot needs none by default, so enable the intent on the Developer Portal (Bot → Privileged Gateway Intents) " +
			"or run a briefbot that does not ask for it"
	case closeInvalidIntents:
		ge.Fix = "the intents asked for are not valid; this is a bug in briefbot"
	case closeAuthenticationFailed:
		ge.Fix = "the bot token was refused; set discord.token to the Bot page's token"
	case closeInvalidShard, closeShardingRequired:
		ge.Fix = "check discord.shard_id and discord.shard_count: Discord requires more shards or refused this one"
	}
	return ge
}

// HoldsConnection reports whether interactions arrive over the gateway
// connection the adapter holds rather than as HTTP requests.
func (a *Adapter) HoldsConnection() bool { return a.cfg.Mode == ModeGateway }

// Trouble says what is wrong that Run's errors do not: why command
// registration keeps failing; "" when nothing is. (Why the gateway could
// not be opened is Run's error, a *GatewayError.)
func (a *Adapter) Trouble() string {
	if e := a.registerErr.Load(); e != nil {
		return "command registration failing: " + *e
	}
	return ""
}

// registerInBackground keeps trying to bring the registered commands in
// line with the wanted ones until it succeeds or ctx ends. It never holds
// up serving: a failed registration leaves the commands Discord already
// has, which answer as before. Only one runs at a time, and none after one
// succeeded, however often Run is restarted.
func (a *Adapter) registerInBackground(ctx context.Context) {
	if a.registered.Load() || !a.registering.CompareAndSwap(false, true) {
		return
	}
	// Not counted in inflight: Run's drain, on a gateway failure, must
	// not wait out a registration's back-off. It ends with ctx.
	go func() {
		defer a.registering.Store(false)
		backoff := bot.Backoff{Base: a.registerBase, Max: 10 * time.Minute}
		for {
			changed, err := a.SyncCommands(ctx)
			if err == nil {
				a.registered.Store(true)
				a.registerErr.Store(nil)
				if changed {
					a.log.InfoContext(ctx, "discord commands registered", "guild", a.cfg.GuildID)
				} else {
					a.log.DebugContext(ctx, "discord commands already registered as wanted")
				}
				return
			}
			if ctx.Err() != nil {
				return
			}
			reason := err.Error()
			a.registerErr.Store(&reason)
			wait := backoff.Next()
			a.log.WarnContext(ctx, "discord command registration failed; retrying", "err", err, "retry_in", wait.Round(time.Millisecond))
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}()
}

// SyncCommands registers the wanted commands only when those Discord has
// differ: every replica of a deployment starting at once costs one read
// each and at most one write. It reports whether it wrote.
func (a *Adapter) SyncCommands(ctx context.Context) (changed bool, err error) {
	if a.cfg.Token == "" {
		return false, fmt.Errorf("discord: register commands: %w", errNoToken)
	}
	path, where := a.commandsPath()
	var have []map[string]any
	if err := a.call(ctx, "read commands "+where, http.MethodGet, path, true, nil, &have); err != nil {
		return false, err
	}
	want, err := asJSON(commands())
	if err != nil {
		return false, fmt.Errorf("discord: register commands: %w", err)
	}
	if sameCommands(want, have) {
		return false, nil
	}
	if err := a.RegisterCommands(ctx); err != nil {
		return false, err
	}
	return true, nil
}

// commandsPath is the REST path of the application's commands, in the
// configured guild or global, and how to name it in errors.
func (a *Adapter) commandsPath() (path, where string) {
	if a.cfg.GuildID != "" {
		return "applications/" + a.cfg.AppID + "/guilds/" + a.cfg.GuildID + "/commands", "in guild " + a.cfg.GuildID
	}
	return "applications/" + a.cfg.AppID + "/commands", "globally"
}

// asJSON is v as Discord's JSON decodes into Go values.
func asJSON(v any) ([]map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	return out, json.Unmarshal(b, &out)
}

// sameCommands reports whether the registered commands are the wanted
// ones: the same names, and every field of each wanted command as
// registered. Fields Discord adds (id, version, application_id) are not
// compared, and a wanted zero value (false, "", an empty list) matches a
// field Discord leaves out.
func sameCommands(want, have []map[string]any) bool {
	if len(want) != len(have) {
		return false
	}
	byName := make(map[any]map[string]any, len(have))
	for _, h := range have {
		byName[h["name"]] = h
	}
	for _, w := range want {
		h, ok := byName[w["name"]]
		if !ok || !covers(w, h) {
			return false
		}
	}
	return true
}

// covers reports whether have holds everything want says.
func covers(want, have any) bool {
	switch w := want.(type) {
	case map[string]any:
		h, _ := have.(map[string]any)
		for k, wv := range w {
			if !covers(wv, h[k]) {
				return false
			}
		}
		return true
	case []any:
		h, _ := have.([]any)
		if len(w) != len(h) {
			return false
		}
		for i := range w {
			if !covers(w[i], h[i]) {
				return false
			}
		}
		return true
	}
	if have == nil {
		return isZero(want)
	}
	return reflect.DeepEqual(want, have)
}

func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return x == ""
	case float64:
		return x == 0
	}
	return false
}

// eventTTL is how long an interaction or message id is remembered: longer
// than Discord's five-minute signature window and its redeliveries.
const eventTTL = 15 * time.Minute

// firstEverywhere reports whether no replica sharing the event log has
// taken the event with this key. Without a log, or when the log cannot be
// reached, it answers true: better to answer twice than not at all.
func (a *Adapter) firstEverywhere(ctx context.Context, key string) bool {
	if a.cfg.Events == nil || key == "" {
		return true
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), eventLogWait)
	defer cancel()
	first, err := a.cfg.Events.MarkSeen(ctx, "discord:"+key, a.now(), eventTTL)
	if err != nil {
		a.log.WarnContext(ctx, "shared event log unavailable; answering", "err", err)
		return true
	}
	if !first {
		a.log.InfoContext(ctx, "discord event already taken; not answering it again", "platform", "discord")
	}
	return first
}

// eventLogWait bounds the look-up in the shared event log. It runs before
// a command is answered, inside the platform's 3 s for a first response
// with the answer's own budget, so a slow store must not eat that time.
const eventLogWait = 500 * time.Millisecond
