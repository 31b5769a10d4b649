package slack

import (
	"context"
	"strings"
	"time"

	"github.com/briefbot/briefbot/bot"
)

var (
	_ bot.Poster    = (*Adapter)(nil)
	_ bot.Commander = (*Adapter)(nil)
)

// Command is the slash command that asks the bot, for digests' "More:" lines.
func (a *Adapter) Command() string { return a.cfg.Command }

// DigestEventType is the message metadata event type of every digest post.
const DigestEventType = "briefbot_digest"

func digestPayload(ref bot.SlotRef) map[string]any {
	return map[string]any{"subscription": ref.Subscription, "slot": ref.Slot.UTC().Format(time.RFC3339)}
}

// PostDigest posts a digest to channel, leaving out the parts in skip.
// Every message carries metadata naming the subscription, the slot and
// its part ("part 2 of 3", from 1), so that PostedParts can tell a whole
// digest from a half-posted one.
func (a *Adapter) PostDigest(ctx context.Context, channel string, r bot.Reply, ref bot.SlotRef, skip map[int]bool) ([]string, error) {
	msgs := render(r, renderOptions{})
	var ids []string
	for i, m := range msgs {
		part := i + 1
		if skip[part] {
			continue
		}
		payload := digestPayload(ref)
		payload["part"], payload["parts"] = part, len(msgs)
		posted, err := a.postMessages(ctx, channel, []message{m}, PostOptions{EventType: DigestEventType, EventPayload: payload})
		ids = append(ids, posted...)
		if err != nil {
			return ids, err
		}
	}
	return ids, nil
}

// PostedParts looks for the digest's metadata in the channel's history
// since the slot (less a minute, for clock skew between replicas).
func (a *Adapter) PostedParts(ctx context.Context, channel string, ref bot.SlotRef) (bot.Parts, error) {
	found := bot.Parts{Found: make(map[int]bool)}
	err := a.scanPosted(ctx, channel, DigestEventType, digestPayload(ref), ref.Slot.Add(-time.Minute), func(p map[string]any) bool {
		part, ok1 := p["part"].(float64)
		parts, ok2 := p["parts"].(float64)
		if !ok1 || !ok2 {
			// Posted before parts were numbered: one message, whole.
			found = bot.Parts{Found: map[int]bool{1: true}, Total: 1}
			return false
		}
		found.Found[int(part)] = true
		found.Total = int(parts)
		return !found.Whole()
	})
	if err != nil {
		return bot.Parts{}, err
	}
	return found, nil
}

// mayManage reports whether user may change the channel's digest
// subscriptions: a configured admin, or a workspace admin or owner. The
// core calls it only for the commands that need it.
func (a *Adapter) mayManage(ctx context.Context, user string) bool {
	if a.isAdmin(user) {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	u, err := a.api.GetUserInfoContext(ctx, user)
	if err != nil {
		a.log.WarnContext(ctx, "look up slack user for permissions", "user", user, "err", err)
		return false
	}
	return u.IsAdmin || u.IsOwner || u.IsPrimaryOwner
}

// request is the core request for a question user asked in channel.
func (a *Adapter) request(user, channel, command, text string) bot.Request {
	if command == "" {
		command = a.cfg.Command
	}
	return bot.Request{
		Platform:  Platform,
		User:      user,
		Channel:   channel,
		Command:   command,
		Text:      strings.TrimSpace(text),
		MayManage: func(ctx context.Context) bool { return a.mayManage(ctx, user) },
	}
}
