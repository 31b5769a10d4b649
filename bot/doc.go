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
// People rarely type that order, so the core reads a question the way it
// is written (query.go): the topic may stand anywhere among filler
// ("what could go wrong in kazakhstan?"), be named by part of its name
// ("sahel") or with a typo it corrects only when sure ("kazakstan", never
// iraq into Iran); several sections ("risks and outlook"), a version date
// anywhere ("@2025-11", "january", "previous") and words that name no
// section (the passages that say them) may follow. Every guess is told in
// a note; "which one?" and "did you mean" are not answers.
//
// Adapters (bot/slack, bot/discord) translate platform events into Requests
// and Replies into platform messages; none of their types reach this package.
package bot
