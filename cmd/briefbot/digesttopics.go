package main

import (
	"log/slog"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// warnUnknownTopics logs one warning for each topic of the configured
// digests that names no briefing in lib, with the nearest topic, so a typo
// such as "kazakstan" is seen at start and after each reload instead of as
// a digest that says "Nothing new" forever. It returns how many it found.
func warnUnknownTopics(log *slog.Logger, lib *briefings.Library, subs []bot.Subscription) int {
	n := 0
	for _, sub := range subs {
		for _, u := range bot.UnknownTopics(lib, sub) {
			n++
			attrs := []any{"digest", sub.ID, "topic", u.Topic}
			if u.Nearest != "" {
				attrs = append(attrs, "nearest", u.Nearest)
			}
			log.Warn("digest topic matches no briefing", attrs...)
		}
	}
	return n
}
