package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/telemetry"
)

// SubscriptionLister lists digest subscriptions; bot.Store has it.
type SubscriptionLister interface {
	Subscriptions(ctx context.Context) ([]bot.Subscription, error)
}

// maxViewBlocks is Slack's limit on blocks in a Home tab view.
const maxViewBlocks = 100

// handleAppEvent handles the events that are about the app rather than
// questions: the Home tab being opened, the app uninstalled and its
// tokens revoked. It reports whether ev was one of them. ctx carries the
// request id and trace; its cancellation is not followed.
func (a *Adapter) handleAppEvent(ctx context.Context, ev innerEvent) bool {
	ctx = context.WithoutCancel(ctx)
	switch ev.Type {
	case "app_home_opened":
		if ev.Tab == "home" {
			start := time.Now()
			ctx, span := telemetry.Start(ctx, "slack.home")
			ctx, cancel := context.WithTimeout(ctx, handleTimeout)
			defer cancel()
			err := a.publishHome(a.routeEvent(ctx, ev), ev.User)
			a.logHandled(ctx, "home", bot.Reply{Kind: bot.KindHelp}, start, err)
			telemetry.End(span, err)
		}
		return true
	case "app_uninstalled":
		a.uninstall(ctx, ev)
		return true
	case "tokens_revoked":
		if len(ev.Tokens.Bot) > 0 {
			a.uninstall(ctx, ev)
		}
		return true
	}
	return false
}

// publishHome shows user the Home tab: how to ask, the topics, and the
// digests of the workspace's channels if the user may manage them.
func (a *Adapter) publishHome(ctx context.Context, user string) error {
	if user == "" {
		return errors.New("app_home_opened without a user")
	}
	view := slackapi.HomeTabViewRequest{Type: slackapi.VTHomeTab, Blocks: slackapi.Blocks{BlockSet: a.homeBlocks(ctx, user)}}
	_, err := a.api.PublishViewContext(ctx, slackapi.PublishViewContextRequest{UserID: user, View: view})
	if err != nil {
		return fmt.Errorf("publish slack home tab: %w", classify(err))
	}
	return nil
}

func (a *Adapter) homeBlocks(ctx context.Context, user string) []slackapi.Block {
	var blocks []slackapi.Block
	add := func(bs ...block) {
		for _, b := range bs {
			// Buttons in a Home tab would have no channel to answer in.
			if b.Type != slackapi.MBTAction {
				blocks = append(blocks, b)
			}
		}
	}
	for _, q := range []string{"help", "list"} {
		reply := a.answerer.Handle(ctx, a.request(user, "", "", q))
		for _, m := range render(reply, renderOptions{}) {
			add(m.Blocks...)
		}
	}
	add(headerBlock("Digests"))
	add(a.digestBlocks(ctx, user)...)
	if len(blocks) > maxViewBlocks {
		blocks = append(blocks[:maxViewBlocks-1], contextBlock("More in "+a.cfg.Command+" help and "+a.cfg.Command+" list."))
	}
	return blocks
}

// digestBlocks lists the digests of the workspace's channels for a user
// who may manage them, and says who can otherwise.
func (a *Adapter) digestBlocks(ctx context.Context, user string) []block {
	how := "Subscribe a channel to a daily digest from inside it: `" + a.cfg.Command + " subscribe daily 08:00 Europe/Berlin kazakhstan`. " +
		"`" + a.cfg.Command + " subscriptions` lists the channel's digests, `" + a.cfg.Command + " unsubscribe ID` removes one."
	if !a.mayManage(ctx, user) {
		return []block{sectionBlock("Channels can get a daily digest of new briefings. Workspace admins (and the users named in briefbot's `slack.admins`) set them up with `" + a.cfg.Command + " subscribe`.")}
	}
	out := []block{sectionBlock(how)}
	if a.subs == nil {
		return out
	}
	subs, err := a.subs.Subscriptions(ctx)
	if err != nil {
		a.log.WarnContext(ctx, "list subscriptions for the slack home tab", "err", err)
		return append(out, contextBlock("The digests could not be listed just now."))
	}
	var lines []string
	for _, s := range subs {
		if s.Platform != Platform || !a.inUsersWorkspace(ctx, s.Channel) {
			continue
		}
		line := "• <#" + s.Channel + "> `" + s.ID + "` " + escapeText(s.Schedule)
		if s.Timezone != "" {
			line += " " + escapeText(s.Timezone)
		}
		topics := "all topics"
		if len(s.Topics) > 0 {
			topics = strings.Join(s.Topics, ", ")
		}
		line += " — " + escapeText(topics)
		if s.Paused {
			line += " — *paused*"
			if s.PausedReason != "" {
				line += ": " + escapeText(s.PausedReason)
			}
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return append(out, contextBlock("No channel of this workspace has a digest yet."))
	}
	return append(out, sectionBlocks(lines, "\n")...)
}

// inUsersWorkspace reports whether channel is in the workspace of the
// request in ctx; in single-token mode every channel is.
func (a *Adapter) inUsersWorkspace(ctx context.Context, channel string) bool {
	if a.installs == nil {
		return true
	}
	w, ok := workspaceFrom(ctx)
	if !ok {
		return false
	}
	ent, team, err := a.installs.ChannelWorkspace(ctx, Platform, channel)
	return err == nil && (team == w.team || w.team == "" && ent == w.enterprise && ent != "")
}
