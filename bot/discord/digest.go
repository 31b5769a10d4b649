package discord

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/briefbot/briefbot/bot"
)

var _ bot.Poster = (*Adapter)(nil)

// digestMarker is the start of the footer that identifies a digest post,
// so that a replica taking over an expired claim can find it in the
// channel. Each message's footer goes on with its part: " · part 2/3".
func digestMarker(ref bot.SlotRef) string {
	return "briefbot digest " + ref.Subscription + " " + ref.Slot.UTC().Format(time.RFC3339)
}

// partPlaceholder reserves room in the footer for the part number while
// the reply is split into messages.
const partPlaceholder = " · part 00/00"

// PostDigest posts a digest with a nonce per part derived from the
// subscription and slot (so a retried post cannot appear twice) and a
// footer naming them and the part (so DigestPosted can find it later).
// Parts that DigestPosted found in the channel are not posted again.
func (a *Adapter) PostDigest(ctx context.Context, channel string, r bot.Reply, ref bot.SlotRef) ([]string, error) {
	if a.cfg.Token == "" {
		return nil, fmt.Errorf("discord: post to channel %s: BRIEFBOT_DISCORD_TOKEN is not set", channel)
	}
	if !isSnowflake(channel) {
		return nil, fmt.Errorf("discord: post to channel %q: not a channel id", channel)
	}
	marker := digestMarker(ref)
	r.Footer = bot.Footer{Source: marker + partPlaceholder}
	msgs := renderReply(r)
	for i := range msgs {
		es := msgs[i].Embeds
		es[len(es)-1].Footer = &embedFooter{Text: fmt.Sprintf("%s · part %d/%d", marker, i+1, len(msgs))}
	}
	have := a.posted.Take(channel, ref)
	return a.postMessages(ctx, channel, msgs, PostOptions{Nonce: ref.Subscription + "|" + ref.Slot.UTC().Format(time.RFC3339)}, have)
}

// DigestPosted looks for the digest's footers among the channel's 100
// most recent messages. It answers true only when every part is there;
// the parts of a half-posted digest are remembered, and the next
// PostDigest for it sends the rest.
func (a *Adapter) DigestPosted(ctx context.Context, channel string, ref bot.SlotRef) (bool, error) {
	var msgs []struct {
		Author struct {
			Bot bool `json:"bot"`
		} `json:"author"`
		Embeds []struct {
			Footer *struct {
				Text string `json:"text"`
			} `json:"footer"`
		} `json:"embeds"`
	}
	if err := a.call(ctx, "read channel "+channel, http.MethodGet, "channels/"+channel+"/messages?limit=100", true, nil, &msgs); err != nil {
		return false, err
	}
	marker := digestMarker(ref)
	found := make(map[int]bool) // message indexes, from 0
	total := 0
	for _, m := range msgs {
		if !m.Author.Bot {
			continue
		}
		for _, e := range m.Embeds {
			if e.Footer == nil {
				continue
			}
			rest, ok := strings.CutPrefix(e.Footer.Text, marker)
			if !ok {
				continue
			}
			var part, parts int
			if _, err := fmt.Sscanf(rest, " · part %d/%d", &part, &parts); err != nil || part < 1 || part > parts {
				return true, nil // a footer without parts: a one-message digest
			}
			found[part-1], total = true, parts
		}
	}
	if total > 0 && len(found) >= total {
		return true, nil
	}
	if len(found) > 0 {
		a.posted.Remember(channel, ref, found)
	}
	return false, nil
}
