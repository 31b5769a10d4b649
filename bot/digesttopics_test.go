package bot_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

func TestUnknownTopics(t *testing.T) {
	lib := briefings.Sample()
	tests := []struct {
		topics []string
		want   []bot.UnknownTopic
	}{
		{nil, nil},
		// A topic, an alias in another script, a tag and a multi-word topic
		// in other case all name briefings.
		{[]string{"kazakhstan", "Казахстан", "trade", "RED SEA"}, nil},
		// The typo from the issue: accepted once, then "Nothing new" forever.
		{[]string{"kazakstan"}, []bot.UnknownTopic{{Topic: "kazakstan", Nearest: "Kazakhstan"}}},
		// A word of a topic is not the topic: the digest would skip it too.
		{[]string{"sahel", "atlantis-xyzzy"}, []bot.UnknownTopic{{Topic: "sahel", Nearest: "Sahel security"}, {Topic: "atlantis-xyzzy"}}},
	}
	for _, tt := range tests {
		got := bot.UnknownTopics(lib, bot.Subscription{ID: "d", Topics: tt.topics})
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("UnknownTopics(%q) (-want +got):\n%s", tt.topics, diff)
		}
	}
}
