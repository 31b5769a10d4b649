package desk

import (
	"encoding/json"

	"github.com/briefbot/briefbot/bot"
)

// Renderer shows a reply as one platform will: the JSON of each message
// its adapter would send, in order, split and cut to the platform's limits
// by the adapter itself. cmd pairs each adapter's renderer with the
// decoder below that reads its messages for the page (SlackParts,
// DiscordParts), so the desk needs no adapter of its own.
type Renderer struct {
	// Platform names the platform in requests and the page's ids.
	Platform bot.Platform
	// Name is how the page names it ("Slack").
	Name string
	// Render returns the messages for reply.
	Render func(reply bot.Reply) ([]json.RawMessage, error)
	// Parts reads one message for the page.
	Parts func(raw json.RawMessage) ([]Part, error)
}
