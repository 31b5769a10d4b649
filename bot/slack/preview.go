package slack

import (
	"encoding/json"
	"fmt"

	"github.com/briefbot/briefbot/bot"
)

// Messages renders r as the adapter posts it to a channel: the JSON of
// each chat.postMessage payload ({"text", "blocks"}), split and cut to
// Slack's limits. The editors' desk shows them as previews.
func Messages(r bot.Reply) ([]json.RawMessage, error) {
	msgs := render(r, renderOptions{})
	out := make([]json.RawMessage, len(msgs))
	for i, m := range msgs {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("slack: encode message %d of %d: %w", i+1, len(msgs), err)
		}
		out[i] = b
	}
	return out, nil
}
