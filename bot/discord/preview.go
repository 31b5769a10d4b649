package discord

import (
	"encoding/json"
	"fmt"

	"github.com/briefbot/briefbot/bot"
)

// Messages renders r as the adapter posts it to a channel: the JSON of
// each message object, its embeds split and cut to Discord's limits and
// mentions disabled. The editors' desk shows them as previews.
func Messages(r bot.Reply) ([]json.RawMessage, error) {
	msgs := renderReply(r)
	out := make([]json.RawMessage, len(msgs))
	for i, m := range msgs {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("discord: encode message %d of %d: %w", i+1, len(msgs), err)
		}
		out[i] = b
	}
	return out, nil
}
