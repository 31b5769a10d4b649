package desk

import (
	"context"
	"encoding/json"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/bot/slack"
)

// Renderer shows a reply as one platform will: the JSON of each message
// its adapter would send, in order, split and cut to the platform's limits
// by the adapter itself.
type Renderer struct {
	// Platform is slack.Platform or discord.Platform: how the messages
	// are read.
	Platform bot.Platform
	// Render returns the messages for reply.
	Render func(ctx context.Context, reply bot.Reply) ([]json.RawMessage, error)
}

// SlackRenderer renders replies as the Slack adapter posts them
// (chat.postMessage payloads: {"text", "blocks"}).
func SlackRenderer() Renderer {
	return Renderer{Platform: slack.Platform, Render: func(_ context.Context, reply bot.Reply) ([]json.RawMessage, error) {
		return slack.Messages(reply)
	}}
}

// DiscordRenderer renders replies as the Discord adapter posts them to a
// channel (message objects with embeds).
func DiscordRenderer() Renderer {
	return Renderer{Platform: discord.Platform, Render: func(_ context.Context, reply bot.Reply) ([]json.RawMessage, error) {
		return discord.Messages(reply)
	}}
}
