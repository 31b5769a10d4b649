package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
)

// countedVotes records the outcomes Analytics reports to metrics.
type countedVotes struct {
	mu       sync.Mutex
	outcomes []string
}

func (c *countedVotes) add(o string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.outcomes = append(c.outcomes, o)
}

func (c *countedVotes) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.outcomes...)
}

// newVoting returns the real core on the bundled samples and analytics on
// an in-memory store, counting outcomes in counted.
func newVoting(t *testing.T) (*bot.Bot, *bot.Analytics, *bottest.Analytics, *countedVotes) {
	t.Helper()
	st := bottest.NewAnalytics()
	counted := &countedVotes{}
	an, err := bot.NewAnalytics(bot.AnalyticsOptions{Store: st, CountedVote: counted.add})
	if err != nil {
		t.Fatal(err)
	}
	return bot.New(bot.Options{Command: "/brief"}), an, st, counted
}

type response struct {
	Type int
	Data message
}

func decodeResponse(t *testing.T, body []byte) response {
	t.Helper()
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return r
}

// voteButtons returns the custom_ids of the vote buttons in m, by label.
func voteButtons(m message) map[string]string {
	out := map[string]string{}
	for _, row := range m.Components {
		for _, b := range row.Components {
			if strings.HasPrefix(b.CustomID, votePrefix) {
				out[b.Label] = b.CustomID
			}
		}
	}
	return out
}

func pressBody(user, customID string) string {
	id, _ := json.Marshal(customID)
	return fmt.Sprintf(`{"id":"5","application_id":"111","type":3,"token":"t","channel_id":"7","member":{"user":{"id":%q},"permissions":"0"},
		"message":{"id":"99","flags":64},"data":{"custom_id":%s,"component_type":2}}`, user, id)
}

// A reader presses Helpful under an answer: the vote is counted once,
// the press is answered privately at once, and a second press by the same
// reader is not counted again.
func TestVotePress(t *testing.T) {
	core, an, st, counted := newVoting(t)
	s := newSigner(t)
	a := newTestAdapter(t, s, "http://127.0.0.1:1/", core, func(c *Config) { c.Voter = an })

	answer := decodeResponse(t, serve(a, s.request(commandBody("kazakhstan risks"), testNow)).Body.Bytes())
	checkLimits(t, []message{answer.Data})
	ids := voteButtons(answer.Data)
	if len(ids) != 2 || ids["Helpful"] == "" || ids["Not helpful"] == "" {
		t.Fatalf("answer's vote buttons: %+v", answer.Data.Components)
	}

	for _, tc := range []struct{ user, label, want string }{
		{"42", "Helpful", "Thanks — noted as helpful."},
		{"42", "Helpful", "You already voted on this answer."},
		{"43", "Not helpful", "Thanks — noted as not helpful."},
	} {
		w := serve(a, s.request(pressBody(tc.user, ids[tc.label]), testNow))
		r := decodeResponse(t, w.Body.Bytes())
		if r.Type != responseMessage || r.Data.Flags != flagEphemeral || len(r.Data.Embeds) != 1 || r.Data.Embeds[0].Description != tc.want {
			t.Errorf("user %s pressed %s: type %d flags %d %+v, want a private %q", tc.user, tc.label, r.Type, r.Data.Flags, r.Data.Embeds, tc.want)
		}
	}
	votes, err := st.Votes(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.VoteCount{{Topic: "kazakhstan", Section: "Risks & caveats", Helpful: 1, NotHelpful: 1}}
	if diff := cmp.Diff(want, votes); diff != "" {
		t.Errorf("votes counted (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{bot.VoteHelpful, bot.VoteRepeated, bot.VoteNotHelpful}, counted.all()); diff != "" {
		t.Errorf("outcomes reported to metrics (-want +got):\n%s", diff)
	}
}

// Only answers about a briefing are voted on, and only with a Voter.
func TestVoteButtonsWhere(t *testing.T) {
	core, an, _, _ := newVoting(t)
	s := newSigner(t)
	withVotes := newTestAdapter(t, s, "http://127.0.0.1:1/", core, func(c *Config) { c.Voter = an })
	without := newTestAdapter(t, s, "http://127.0.0.1:1/", core, nil)
	for _, tc := range []struct {
		a     *Adapter
		query string
		want  bool
	}{
		{withVotes, "kazakhstan", true},
		{withVotes, "kazakhstan all", true},
		{withVotes, "help", false},
		{withVotes, "list", false},
		{withVotes, "zzzz qqqq", false},
		{without, "kazakhstan risks", false},
	} {
		r := decodeResponse(t, serve(tc.a, s.request(commandBody(tc.query), testNow)).Body.Bytes())
		if got := len(voteButtons(r.Data)) == 2; got != tc.want {
			t.Errorf("%q (voter %v): vote buttons %v, want %v", tc.query, tc.a.cfg.Voter != nil, got, tc.want)
		}
	}
}

// Digests are posted to a channel, not asked for: they carry no votes,
// even when the reply is about one briefing.
func TestDigestHasNoVotes(t *testing.T) {
	core, an, _, _ := newVoting(t)
	api := newFakeDiscord(t)
	a := newTestAdapter(t, newSigner(t), api.URL+"/", core, func(c *Config) { c.Voter = an })
	r := core.Handle(context.Background(), bot.Request{Platform: Platform, Text: "kazakhstan"})
	if _, _, ok := bot.VoteTarget(r); !ok {
		t.Fatalf("the overview is not votable: %+v", r.Kind)
	}
	ref := bot.SlotRef{Subscription: "morning", Slot: testNow}
	if _, err := a.PostDigest(context.Background(), "123456789012345678", r, ref, nil); err != nil {
		t.Fatal(err)
	}
	reqs := api.requests()
	if len(reqs) == 0 {
		t.Fatal("nothing posted")
	}
	for _, req := range reqs {
		if strings.Contains(req.Body, `"custom_id":"v`) {
			t.Errorf("digest carries vote buttons: %s", req.Body)
		}
	}
}

// An answer whose suggestions fill all five rows gives up the last one to
// the vote row, and a long target still fits a custom_id.
func TestVoteRowWithinLimits(t *testing.T) {
	core, an, _, _ := newVoting(t)
	a := newTestAdapter(t, newSigner(t), "http://127.0.0.1:1/", core, func(c *Config) { c.Voter = an })
	long := strings.Repeat("Electing the Speaker of the House ", 4)
	r := bot.Reply{Kind: bot.KindSection, Topic: "kazakhstan", Title: "Kazakhstan", Sections: []bot.Section{{Heading: long}}}
	for i := 0; i < 30; i++ {
		r.Suggestions = append(r.Suggestions, bot.Suggestion{Label: fmt.Sprint(i), Query: fmt.Sprint("q", i)})
	}
	msgs := renderReply(r)
	a.addVotes(msgs, r)
	last := msgs[len(msgs)-1]
	checkLimits(t, msgs)
	if n := len(last.Components); n != maxRows {
		t.Fatalf("%d rows, want %d", n, maxRows)
	}
	ids := voteButtons(last)
	for label, id := range ids {
		if runes(id) > maxCustomID {
			t.Errorf("%s: custom_id of %d characters", label, runes(id))
		}
	}
	if len(ids) != 2 || len(last.Components[maxRows-1].Components) != 2 {
		t.Errorf("last row %+v, want the two vote buttons", last.Components[maxRows-1])
	}
}

// A key the library no longer resolves is refused kindly and not counted.
func TestVoteStaleKey(t *testing.T) {
	core, an, st, _ := newVoting(t)
	s := newSigner(t)
	a := newTestAdapter(t, s, "http://127.0.0.1:1/", core, func(c *Config) { c.Voter = an })
	w := serve(a, s.request(pressBody("42", voteYes+"#sAAAAAAAABBBBBB"), testNow))
	r := decodeResponse(t, w.Body.Bytes())
	if r.Data.Flags != flagEphemeral || len(r.Data.Embeds) != 1 || !strings.Contains(r.Data.Embeds[0].Description, "could not be counted") {
		t.Errorf("stale press answered %s", w.Body)
	}
	if v, _ := st.Votes(context.Background(), time.Time{}); len(v) != 0 {
		t.Errorf("stale press counted: %+v", v)
	}
	if w.Code != http.StatusOK {
		t.Errorf("status %d", w.Code)
	}
}
