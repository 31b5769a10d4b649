package discord

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/briefbot/briefbot/bot"
)

var (
	_ bot.Poster    = (*Adapter)(nil)
	_ bot.Commander = (*Adapter)(nil)
)

// Command is the application command that asks the bot, for digests'
// "More:" lines.
func (a *Adapter) Command() string { return "/" + commandName }

// digestMarker is the start of the footer that identifies a digest post,
// so that a replica taking over an expired claim can find it in the
// channel. Each message's footer goes on with its part: " · part 2/3".
func digestMarker(ref bot.SlotRef) string {
	return "briefbot digest " + ref.Subscription + " " + ref.Slot.UTC().Format(time.RFC3339)
}

// partPlaceholder reserves room in the footer for the part number while
// the reply is split into messages.
const partPlaceholder = " · part 00/00"

// PostDigest posts a digest, leaving out the parts in skip, with a nonce
// per part derived from the subscription and slot (so a retried post
// cannot appear twice) and a footer naming them and the part, numbered
// from 1 (so PostedParts can find it later).
func (a *Adapter) PostDigest(ctx context.Context, channel string, r bot.Reply, ref bot.SlotRef, skip map[int]bool) ([]string, error) {
	if err := a.checkPostable(channel); err != nil {
		return nil, err
	}
	return a.postMessages(ctx, channel, digestMessages(r, ref), PostOptions{Nonce: ref.Subscription + "|" + ref.Slot.UTC().Format(time.RFC3339)}, skip)
}

// digestMessages renders r as the messages of the digest for ref, each
// with its footer naming the digest and the part.
func digestMessages(r bot.Reply, ref bot.SlotRef) []message {
	marker := digestMarker(ref)
	r.Footer = bot.Footer{Source: marker + partPlaceholder}
	msgs := renderReply(r)
	for i := range msgs {
		es := msgs[i].Embeds
		es[len(es)-1].Footer = &embedFooter{Text: fmt.Sprintf("%s · part %d/%d", marker, i+1, len(msgs))}
	}
	return msgs
}

// PostedParts looks for the digest's footers among the channel's 100
// most recent messages.
func (a *Adapter) PostedParts(ctx context.Context, channel string, ref bot.SlotRef) (bot.Parts, error) {
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
		return bot.Parts{}, err
	}
	marker := digestMarker(ref)
	found := bot.Parts{Found: make(map[int]bool)}
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
				// A footer without parts: a one-message digest.
				return bot.Parts{Found: map[int]bool{1: true}, Total: 1}, nil
			}
			found.Found[part] = true
			found.Total = parts
		}
	}
	return found, nil
}
