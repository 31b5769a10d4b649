// Package bot is briefbot's platform-neutral core.
//
// A Request is the text a user typed after the command ("kazakhstan risks"
// after "/brief"); Bot.Handle answers it with a Reply, structured data that
// each platform renders in its own way. The grammar is the same everywhere:
//
//	(empty) | help            usage, examples and the topics available
//	list | topics             every topic with a one-line headline and date
//	<topic>                   overview: title, lede, section names, date, source
//	<topic> <section words>   that section only ("kazakhstan risks")
//	<topic> all               the whole briefing
//	<topic> versions          the older briefings of the topic
//	search <words>            ranked matches with snippets
//
// Adapters (bot/slack, bot/discord) translate platform events into Requests
// and Replies into platform messages; none of their types reach this package.
package bot
