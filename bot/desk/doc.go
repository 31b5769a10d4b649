// Package desk is the editors' desk: a server-rendered web page, served by
// briefbot serve under /desk, that shows editors what the bot serves and
// how readers fare with it.
//
//	GET /desk/                     topics (versions, first seen), check problems,
//	                               gaps and helpful counts, digests (next run, last result)
//	GET /desk/topic/{key}          a topic's versions and a preview of the briefing
//	    ?section=HEADING|all       … of one section, or the whole briefing
//	GET /desk/ask?q=QUESTION       ask as in chat: the Slack and Discord renderings side by side
//
// Previews are what the adapters would post: each Renderer is a real Slack
// or Discord adapter whose HTTP client hands the payload to the desk
// instead of the network, so the Block Kit and embed data, split and cut to
// the platforms' limits, are the adapters' own.
//
// The page is html/template and CSS, with no JavaScript, readable on a
// phone and by a screen reader (landmarks, headings, labelled controls,
// table captions and header cells, contrast of at least 4.5:1). It is
// protected by the publishing API's tokens (bot/publish.Authorizer), as a
// bearer token or as HTTP basic auth naming a token; only when the listener
// is bound to a loopback address may a request that arrived there come in
// without one.
package desk
