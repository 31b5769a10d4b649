package discord

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/briefbot/briefbot/bot"
)

var _ bot.Poster = (*Adapter)(nil)

// digestMarker is the footer text that identifies a digest post, so that a
// replica taking over an expired claim can find it in the channel.
func digestMarker(ref bot.SlotRef) string {
	return "briefbot digest " + ref.Subscription + " " + ref.Slot.UTC().Format(time.RFC3339)
}

// PostDigest posts a digest with a nonce derived from the subscription and
// slot (so a retried post cannot appear twice) and a footer naming them (so
// DigestPosted can find it later).
func (a *Adapter) PostDigest(ctx context.Context, channel string, r bot.Reply, ref bot.SlotRef) ([]string, error) {
	r.Footer = bot.Footer{Source: digestMarker(ref)}
	return a.Post(ctx, channel, r, PostOptions{Nonce: ref.Subscription + "|" + ref.Slot.UTC().Format(time.RFC3339)})
}

// DigestPosted looks for the digest's footer among the channel's 100 most
// recent messages.
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
	for _, m := range msgs {
		if !m.Author.Bot {
			continue
		}
		for _, e := range m.Embeds {
			if e.Footer != nil && strings.HasPrefix(e.Footer.Text, marker) {
				return true, nil
			}
		}
	}
	return false, nil
}
