package slack

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	slackapi "github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
)

// TestBlocksReadBySlackGo decodes every rendered block with slack-go's own
// block types and encodes it again: the JSON must come back the same, so
// Slack gets exactly what slack-go's types would have sent.
func TestBlocksReadBySlackGo(t *testing.T) {
	for _, r := range []bot.Reply{kazakhstanRisks(), kazakhstanOverview(), longReply()} {
		for _, m := range render(r, renderOptions{ShareQuery: "q & <a>", SharedBy: "U123"}) {
			ours, err := json.Marshal(m.Blocks)
			if err != nil {
				t.Fatal(err)
			}
			var blocks slackapi.Blocks
			if err := json.Unmarshal(ours, &blocks); err != nil {
				t.Fatalf("slack-go cannot read our blocks: %v", err)
			}
			if len(blocks.BlockSet) != len(m.Blocks) {
				t.Fatalf("slack-go read %d blocks of %d", len(blocks.BlockSet), len(m.Blocks))
			}
			theirs, err := json.Marshal(blocks)
			if err != nil {
				t.Fatal(err)
			}
			var a, b any
			_ = json.Unmarshal(ours, &a)
			_ = json.Unmarshal(theirs, &b)
			if diff := cmp.Diff(b, a); diff != "" {
				t.Errorf("blocks differ from slack-go's encoding (-slack-go +ours):\n%s", diff)
			}
		}
	}
}

func BenchmarkRenderRisks(b *testing.B) {
	r := kazakhstanRisks()
	b.ReportAllocs()
	for b.Loop() {
		msgs := render(r, renderOptions{ShareQuery: "kazakhstan risks"})
		if _, err := json.Marshal(msgs[0]); err != nil {
			b.Fatal(err)
		}
	}
}
