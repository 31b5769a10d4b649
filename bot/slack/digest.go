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

// PostDigest posts a digest to channel. Every message carries metadata
// naming the subscription, the slot and its part ("part 2 of 3"), so that
// DigestPosted can tell a whole digest from a half-posted one. Parts that
// DigestPosted found already in the channel are not posted again.
func (a *Adapter) PostDigest(ctx context.Context, channel string, r bot.Reply, ref bot.SlotRef) ([]string, error) {
	msgs := render(r, renderOptions{})
	have := a.posted.Take(channel, ref)
	var ids []string
	for i, m := range msgs {
		if have[i+1] {
			continue
		}
		payload := digestPayload(ref)
		payload["part"], payload["parts"] = i+1, len(msgs)
		posted, err := a.postMessages(ctx, channel, []message{m}, PostOptions{EventType: DigestEventType, EventPayload: payload})
		ids = append(ids, posted...)
		if err != nil {
			return ids, err
		}
	}
	return ids, nil
}

// DigestPosted looks for the digest's metadata in the channel's history
// since the slot (less a minute, for clock skew between replicas). It
// answers true only when every part is there; the parts of a half-posted
// digest are remembered, and the next PostDigest for it sends the rest.
func (a *Adapter) DigestPosted(ctx context.Context, channel string, ref bot.SlotRef) (bool, error) {
	found := make(map[int]bool)
	total, whole := 0, false
	err := a.scanPosted(ctx, channel, DigestEventType, digestPayload(ref), ref.Slot.Add(-time.Minute), func(p map[string]any) bool {
		part, ok1 := p["part"].(float64)
		parts, ok2 := p["parts"].(float64)
		if !ok1 || !ok2 {
			whole = true // posted before parts were numbered: one message
			return false
		}
		found[int(part)] = true
		total = int(parts)
		return len(found) < total
	})
	if err != nil {
		return false, err
	}
	if whole || total > 0 && len(found) >= total {
		return true, nil
	}
	if len(found) > 0 {
		a.posted.Remember(channel, ref, found)
	}
	return false, nil
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
