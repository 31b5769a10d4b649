package discord

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot"
)

// TestRealBot runs the user's example through the real core and the
// bundled samples: /brief kazakhstan risks answers with that section only.
func TestRealBot(t *testing.T) {
	core := bot.New(bot.Options{Command: "/brief"})
	s := newSigner(t)
	a := newTestAdapter(t, s, "http://127.0.0.1:1/", core, nil)
	w := serve(a, s.request(commandBody("kazakhstan risks"), testNow))
	var resp struct {
		Type int
		Data message
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err, w.Body)
	}
	checkLimits(t, []message{resp.Data})
	text := unescape(allText([]message{resp.Data}))
	if resp.Type != responseMessage || !strings.Contains(text, "Risks & caveats") || strings.Contains(text, "Looking ahead\n") {
		t.Errorf("type %d, answer:\n%s", resp.Type, text)
	}
	body := `{"id":"5","application_id":"111","type":4,"token":"t","channel_id":"7","user":{"id":"42"},
		"data":{"name":"brief","options":[{"name":"query","type":3,"value":"kaz","focused":true}]}}`
	w = serve(a, s.request(body, testNow))
	var ac struct{ Data struct{ Choices []choice } }
	json.Unmarshal(w.Body.Bytes(), &ac)
	if n := len(ac.Data.Choices); n == 0 || n > maxChoices || !strings.HasPrefix(ac.Data.Choices[0].Value, "kazakhstan") {
		t.Errorf("autocomplete of 'kaz' gave %+v", ac.Data.Choices)
	}
}
