package bot

import "github.com/briefbot/briefbot/briefings"

// UnknownTopic is a digest topic that names no briefing in the library, so
// the digest would never include anything for it.
type UnknownTopic struct {
	// Topic is the topic as the subscription gives it.
	Topic string
	// Nearest is the name of the closest topic in the library ("did you
	// mean"), "" when none is close.
	Nearest string
}

// UnknownTopics returns the topics of sub that match no briefing in lib by
// topic, alias or tag: the same rule Digest applies when it picks
// briefings, so a topic reported here is one that Digest would never find.
func UnknownTopics(lib *briefings.Library, sub Subscription) []UnknownTopic {
	var out []UnknownTopic
	newest := lib.Topics()
	for _, t := range sub.Topics {
		wanted := topicSet([]string{t})
		found := false
		for _, br := range newest {
			if matchesTopics(br, wanted) {
				found = true
				break
			}
		}
		if found {
			continue
		}
		u := UnknownTopic{Topic: t}
		if near := lib.Suggest(t, 1); len(near) > 0 {
			u.Nearest = near[0].Topic
		}
		out = append(out, u)
	}
	return out
}
