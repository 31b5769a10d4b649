// Package slack connects briefbot to Slack: it turns slash commands, app
// mentions, direct messages and button presses into calls to the core
// (an Answerer, in practice *bot.Bot) and renders the core's bot.Reply as
// Block Kit messages.
//
// Two transports are supported. Socket Mode (an xapp- app token) needs no
// public URL: Run dials Slack and blocks until its context ends. HTTP mode
// serves POST /slack/commands, /slack/events and /slack/interactions on a
// listener owned by the caller (see Adapter.Routes); every request is
// checked against the signing secret before it is read further.
//
// One workspace is served with a configured bot token. With a client ID,
// client secret and token key, any number install the app through "Add to
// Slack" (install.go): each workspace's token is kept in the store,
// encrypted (tokens.go), and every Web API call made for a request uses
// the token of the workspace the request came from (webapi.go); a digest,
// with no request behind it, uses the token of the workspace its channel
// was last seen in. The Home tab (home.go) shows how to ask, the topics and
// the workspace's digests.
//
// slack-go types stay inside this package: the core sees only bot.Request
// and bot.Reply.
//
// Rendering respects Slack's limits as Slack counts them (characters, not
// bytes): at most 50 blocks per message, 3000 characters per section text
// and 150 per header. A longer answer is split at section, paragraph,
// sentence and finally word boundaries over several messages; nothing is
// cut mid-word or dropped. All briefing text is escaped so that no
// briefing can notify @channel, mention people or forge links.
package slack
