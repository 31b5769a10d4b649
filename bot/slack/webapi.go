package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	slackapi "github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
)

// workspaceKey is a request's workspace: its team, and the Enterprise
// Grid organisation the team belongs to, if any.
type workspaceKey struct{ enterprise, team string }

type workspaceCtxKey struct{}

// inWorkspace returns ctx carrying the workspace a request came from, so
// that the Web API calls made while answering it use that workspace's
// token. It is request-scoped data, like a deadline, not a dependency.
func inWorkspace(ctx context.Context, enterprise, team string) context.Context {
	if team == "" && enterprise == "" {
		return ctx
	}
	return context.WithValue(ctx, workspaceCtxKey{}, workspaceKey{enterprise, team})
}

func workspaceFrom(ctx context.Context) (workspaceKey, bool) {
	w, ok := ctx.Value(workspaceCtxKey{}).(workspaceKey)
	return w, ok
}

// webAPI makes the adapter's Web API calls with the right bot token: the
// configured one in single-token mode; with OAuth installs, the token of
// the workspace the request came from (see inWorkspace), or, for a post
// with no request behind it (a digest), of the workspace the channel was
// last seen in.
type webAPI struct {
	// app is the client with the configured bot token (possibly empty)
	// and app-level token: single-token mode, and Socket Mode's connection.
	app *slackapi.Client
	// appHasToken says whether app has a bot token (slack.bot_token).
	appHasToken bool
	// opts build a client for an installed workspace's token.
	opts []slackapi.Option
	// installs and keys are set with OAuth installs, nil otherwise.
	installs bot.WorkspaceStore
	keys     *keyring

	mu      sync.Mutex
	clients map[string]*slackapi.Client // by token
}

// multi reports whether tokens come from installs.
func (w *webAPI) multi() bool { return w.installs != nil }

// client returns the client for the request in ctx, or for channel.
func (w *webAPI) client(ctx context.Context, channel string) (*slackapi.Client, error) {
	if !w.multi() {
		return w.app, nil
	}
	key, ok := workspaceFrom(ctx)
	if !ok && channel != "" {
		ent, team, err := w.installs.ChannelWorkspace(ctx, Platform, channel)
		switch {
		case err == nil:
			key, ok = workspaceKey{ent, team}, true
		case !errors.Is(err, bot.ErrNoWorkspace):
			return nil, fmt.Errorf("find the workspace of slack channel %s: %w", channel, err)
		}
	}
	var ws bot.Workspace
	var err error
	if ok {
		ws, err = w.installs.FindWorkspace(ctx, Platform, key.enterprise, key.team)
	} else {
		ws, err = w.onlyInstall(ctx, channel)
	}
	if errors.Is(err, bot.ErrNoWorkspace) && w.appHasToken {
		// The workspace of slack.bot_token, not installed through OAuth.
		return w.app, nil
	}
	if errors.Is(err, bot.ErrNoWorkspace) {
		// Uninstalled, or never installed: retrying will not help, so a
		// digest to its channels pauses rather than failing every day.
		which := "no slack workspace is installed"
		if ok {
			which = fmt.Sprintf("slack workspace %q (enterprise %q) is not installed", key.team, key.enterprise)
		}
		return nil, fmt.Errorf("%s: %w", which, &PermanentError{Code: "not_installed"})
	}
	if err != nil {
		return nil, err
	}
	token, err := w.keys.open(ws.SealedToken, ws.Enterprise, ws.Team)
	if err != nil {
		return nil, fmt.Errorf("slack workspace %s: %w", workspaceName(ws), err)
	}
	return w.clientFor(token), nil
}

// onlyInstall serves a channel no request has come from yet (a digest
// from the configuration): unambiguous when only one workspace is installed.
func (w *webAPI) onlyInstall(ctx context.Context, channel string) (bot.Workspace, error) {
	all, err := w.installs.Workspaces(ctx, Platform)
	if err != nil {
		return bot.Workspace{}, fmt.Errorf("list slack workspaces: %w", err)
	}
	switch {
	case len(all) == 1:
		return all[0], nil
	case len(all) == 0 || w.appHasToken:
		return bot.Workspace{}, bot.ErrNoWorkspace
	}
	return bot.Workspace{}, fmt.Errorf("slack channel %s: %d workspaces are installed and none has used briefbot in this channel yet: run /brief there once", channel, len(all))
}

func (w *webAPI) clientFor(token string) *slackapi.Client {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c, ok := w.clients[token]; ok {
		return c
	}
	if len(w.clients) >= 1024 {
		clear(w.clients) // reinstalls leave old tokens behind; start over now and then
	}
	c := slackapi.New(token, w.opts...)
	w.clients[token] = c
	return c
}

func workspaceName(ws bot.Workspace) string {
	if ws.Team == "" {
		return "org " + ws.Enterprise
	}
	return ws.Team
}

// PostMessageContext posts with the token of the request's or channel's workspace.
func (w *webAPI) PostMessageContext(ctx context.Context, channel string, opts ...slackapi.MsgOption) (string, string, error) {
	c, err := w.client(ctx, channel)
	if err != nil {
		return "", "", err
	}
	return c.PostMessageContext(ctx, channel, opts...)
}

// GetConversationHistoryContext reads history with the token of the request's or channel's workspace.
func (w *webAPI) GetConversationHistoryContext(ctx context.Context, params *slackapi.GetConversationHistoryParameters) (*slackapi.GetConversationHistoryResponse, error) {
	c, err := w.client(ctx, params.ChannelID)
	if err != nil {
		return nil, err
	}
	return c.GetConversationHistoryContext(ctx, params)
}

// UpdateMessageContext edits a message with the token of the request's or channel's workspace.
func (w *webAPI) UpdateMessageContext(ctx context.Context, channel, ts string, opts ...slackapi.MsgOption) (string, string, string, error) {
	c, err := w.client(ctx, channel)
	if err != nil {
		return "", "", "", err
	}
	return c.UpdateMessageContext(ctx, channel, ts, opts...)
}

// DeleteMessageContext deletes a message with the token of the request's or channel's workspace.
func (w *webAPI) DeleteMessageContext(ctx context.Context, channel, ts string) (string, string, error) {
	c, err := w.client(ctx, channel)
	if err != nil {
		return "", "", err
	}
	return c.DeleteMessageContext(ctx, channel, ts)
}

// GetUserInfoContext looks a user up with the token of the request's workspace.
func (w *webAPI) GetUserInfoContext(ctx context.Context, user string) (*slackapi.User, error) {
	c, err := w.client(ctx, "")
	if err != nil {
		return nil, err
	}
	return c.GetUserInfoContext(ctx, user)
}

// PublishViewContext publishes a Home tab with the token of the request's workspace.
func (w *webAPI) PublishViewContext(ctx context.Context, req slackapi.PublishViewContextRequest) (*slackapi.ViewResponse, error) {
	c, err := w.client(ctx, "")
	if err != nil {
		return nil, err
	}
	return c.PublishViewContext(ctx, req)
}

// route returns ctx carrying the request's workspace and, with OAuth
// installs, records which workspace channel is in (once an hour per
// replica at most), so that digests to it later use the right token.
func (a *Adapter) route(ctx context.Context, enterprise, team, channel string) context.Context {
	if a.installs == nil || team == "" {
		return ctx
	}
	// DM channels (D…) get no digests.
	if channel != "" && !strings.HasPrefix(channel, "D") && a.channels.first(channel+"\x00"+enterprise+"\x00"+team) {
		if err := a.installs.SetChannelWorkspace(ctx, Platform, channel, enterprise, team); err != nil {
			a.log.WarnContext(ctx, "record the workspace of a slack channel", "channel", channel, "team", team, "err", err)
		}
	}
	return inWorkspace(ctx, enterprise, team)
}

func (a *Adapter) routeEvent(ctx context.Context, ev innerEvent) context.Context {
	return a.route(ctx, ev.workspace.enterprise, ev.workspace.team, ev.Channel)
}

func (a *Adapter) routeInteraction(ctx context.Context, in interaction) context.Context {
	channel := in.Container.ChannelID
	if channel == "" {
		channel = in.Channel.ID
	}
	return a.route(ctx, in.Enterprise.ID, in.Team.ID, channel)
}
