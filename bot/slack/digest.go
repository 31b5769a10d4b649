package slack

import (
	"context"
	"strings"
	"time"

	"github.com/briefbot/briefbot/bot"
)

var _ bot.Poster = (*Adapter)(nil)

// DigestEventType is the message metadata event type of every digest post.
const DigestEventType = "briefbot_digest"

func digestPayload(ref bot.SlotRef) map[string]any {
	return map[string]any{"subscription": ref.Subscription, "slot": ref.Slot.UTC().Format(time.RFC3339)}
}

// PostDigest posts a digest to channel; every message carries metadata
// naming the subscription and slot, so DigestPosted can find it again.
func (a *Adapter) PostDigest(ctx context.Context, channel string, r bot.Reply, ref bot.SlotRef) ([]string, error) {
	return a.Post(ctx, channel, r, PostOptions{EventType: DigestEventType, EventPayload: digestPayload(ref)})
}

// DigestPosted looks for the digest's metadata in the channel's history
// since the slot (less a minute, for clock skew between replicas).
func (a *Adapter) DigestPosted(ctx context.Context, channel string, ref bot.SlotRef) (bool, error) {
	return a.FindPosted(ctx, channel, DigestEventType, digestPayload(ref), ref.Slot.Add(-time.Minute))
}

// canManage reports whether user may change the channel's digest
// subscriptions: a configured admin, or a workspace admin or owner. Slack
// is only asked for the commands that need it.
func (a *Adapter) canManage(ctx context.Context, user, text string) bool {
	first, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(text)), " ")
	if first != "subscribe" && first != "unsubscribe" {
		return false
	}
	if a.IsAdmin(user) {
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
