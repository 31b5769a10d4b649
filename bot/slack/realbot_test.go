package slack

import (
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot"
)

// TestRealBotKazakhstanRisks runs the user's example end to end through the
// real core and its bundled samples.
func TestRealBotKazakhstanRisks(t *testing.T) {
	hs := newHarness(t, nil)
	hs.a.answerer = bot.New(bot.Options{})
	m := decodeBody(t, hs.command(t, "kazakhstan risks"))
	hs.wait()
	texts := blockTexts(m)
	all := strings.Join(texts, "\n")
	for _, want := range []string{"Risks &amp; caveats", "• *Domestic and regional backlash:*", "• *Strategic balancing:*"} {
		if !strings.Contains(all, want) {
			t.Errorf("answer lacks %q:\n%s", want, all)
		}
	}
	for _, notWant := range []string{"Looking ahead*", "Boost for Israel"} {
		if strings.Contains(all, notWant) {
			t.Errorf("answer holds more than the Risks section (%q):\n%s", notWant, all)
		}
	}
	if m["response_type"] != "ephemeral" {
		t.Errorf("response_type = %v", m["response_type"])
	}
	if len(buttonValues(m)) < 2 {
		t.Errorf("no follow-up buttons: %v", buttonValues(m))
	}
}
