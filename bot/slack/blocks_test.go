package slack

import (
	"encoding/json"
	"net/url"
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

// FuzzParseCommandForm checks the form reader against url.ParseQuery: the
// same bodies refused, the same first values read.
func FuzzParseCommandForm(f *testing.F) {
	f.Add(commandForm("kazakhstan risks", "https://hooks.slack.com/commands/T1/2/x"))
	f.Add("text=a&text=b&user_id=&user_id=U1")
	f.Add("text=%zz&user_id=U1")
	f.Add("a;b=c&text=x")
	f.Add("text=a+b%20c%26d&=&&command=%2Fbrief")
	f.Fuzz(func(t *testing.T, body string) {
		got, err := parseCommandForm([]byte(body))
		form, werr := url.ParseQuery(body)
		if (err != nil) != (werr != nil) {
			t.Fatalf("parseCommandForm(%q) err = %v, url.ParseQuery err = %v", body, err, werr)
		}
		if err != nil {
			return
		}
		want := command{
			UserID:      form.Get("user_id"),
			ChannelID:   form.Get("channel_id"),
			Command:     form.Get("command"),
			Text:        form.Get("text"),
			ResponseURL: form.Get("response_url"),
		}
		if got != want {
			t.Errorf("parseCommandForm(%q) = %+v, want %+v", body, got, want)
		}
	})
}

func BenchmarkRenderRisks(b *testing.B) {
	r := kazakhstanRisks()
	b.ReportAllocs()
	for b.Loop() {
		msgs := render(r, renderOptions{ShareQuery: "kazakhstan risks"})
		_ = msgs[0].appendJSON(nil)
	}
}
