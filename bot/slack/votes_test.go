package slack

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
)

// votingHarness is the HTTP-mode harness with votes counted by real
// Analytics on an in-memory store; outcomes records what metrics are told.
type votingHarness struct {
	*harness
	store    *bottest.Analytics
	mu       sync.Mutex
	outcomes []string
}

func newVotingHarness(t *testing.T) *votingHarness {
	t.Helper()
	vh := &votingHarness{harness: newHarness(t, nil), store: bottest.NewAnalytics()}
	an, err := bot.NewAnalytics(bot.AnalyticsOptions{Store: vh.store, CountedVote: func(o string) {
		vh.mu.Lock()
		defer vh.mu.Unlock()
		vh.outcomes = append(vh.outcomes, o)
	}})
	if err != nil {
		t.Fatal(err)
	}
	WithVoter(an)(vh.a)
	return vh
}

func (vh *votingHarness) counted() []string {
	vh.mu.Lock()
	defer vh.mu.Unlock()
	return append([]string(nil), vh.outcomes...)
}

// press presses a vote button as user and returns the message the user
// is then shown.
func (vh *votingHarness) press(t *testing.T, user, actionID, value string) map[string]any {
	t.Helper()
	p := buttonPayload(vh.sink.srv.URL, actionID, value, true, "1762499999.000300")
	p["user"] = map[string]any{"id": user}
	p["team"] = map[string]any{"id": "T1DC2JH3J"}
	rec := vh.do(t, signed(t, time.Now(), "/slack/interactions", "application/x-www-form-urlencoded", interactionForm(t, p)))
	if rec.Code != 200 {
		t.Fatalf("press acknowledged with status %d", rec.Code)
	}
	m := vh.sink.next(t)
	vh.wait()
	return m
}

// A reader presses Helpful under a slash-command answer: the vote is
// counted once, by topic and section, and the reader alone is thanked.
func TestVotePress(t *testing.T) {
	vh := newVotingHarness(t)
	rec := vh.command(t, "kazakhstan risks")
	vh.wait()
	buttons := buttonValues(decodeBody(t, rec))
	value := buttons[actionVoteYes]
	if value == "" || buttons[actionVoteNo] != value {
		t.Fatalf("answer's buttons %v lack the two vote buttons", buttons)
	}
	var target voteValue
	if err := json.Unmarshal([]byte(value), &target); err != nil || target != (voteValue{"kazakhstan", "Risks & caveats"}) {
		t.Errorf("vote value %s (%v)", value, err)
	}

	for _, tc := range []struct{ user, action, want string }{
		{"U2CERLKJA", actionVoteYes, "Thanks — noted as helpful."},
		{"U2CERLKJA", actionVoteYes, "You already voted on this answer."},
		{"U0OTHER01", actionVoteNo, "Thanks — noted as not helpful."},
	} {
		m := vh.press(t, tc.user, tc.action, value)
		if m["response_type"] != "ephemeral" || m["replace_original"] == true {
			t.Errorf("%s: response_type %v replace_original %v, want a new ephemeral message", tc.user, m["response_type"], m["replace_original"])
		}
		if texts := blockTexts(m); len(texts) != 1 || texts[0] != tc.want || m["text"] != tc.want {
			t.Errorf("%s pressed %s: told %q, want %q", tc.user, tc.action, texts, tc.want)
		}
	}
	votes, err := vh.store.Votes(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.VoteCount{{Topic: "kazakhstan", Section: "Risks & caveats", Helpful: 1, NotHelpful: 1}}
	if diff := cmp.Diff(want, votes); diff != "" {
		t.Errorf("votes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{bot.VoteHelpful, bot.VoteRepeated, bot.VoteNotHelpful}, vh.counted()); diff != "" {
		t.Errorf("outcomes reported to metrics (-want +got):\n%s", diff)
	}
	if n := len(vh.ans.requests()); n != 1 {
		t.Errorf("core asked %d times; a vote must not ask it", n)
	}
	logs := vh.logs.String()
	for _, secret := range []string{"U2CERLKJA", "U0OTHER01", "kazakhstan"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log names %q: %s", secret, logs)
		}
	}
}

// A press carrying no topic is not counted and the reader is told so.
func TestVotePressMalformed(t *testing.T) {
	vh := newVotingHarness(t)
	m := vh.press(t, "U2CERLKJA", actionVoteYes, "not json")
	if texts := blockTexts(m); len(texts) != 1 || !strings.Contains(texts[0], "could not be counted") {
		t.Errorf("told %q", texts)
	}
	if v, _ := vh.store.Votes(context.Background(), time.Time{}); len(v) != 0 {
		t.Errorf("counted %+v", v)
	}
}

// Answers to mentions carry votes too; digests, previews and answers
// without a voter do not.
func TestVoteButtonsWhere(t *testing.T) {
	vh := newVotingHarness(t)
	body := eventBody("EvVote1", map[string]any{
		"type": "app_mention", "user": "U2CERLKJA", "text": "<@U0BOT> kazakhstan risks",
		"ts": "1762499999.000100", "channel": "C0123", "event_ts": "1762499999.000100",
	})
	vh.do(t, signed(t, time.Now(), "/slack/events", "application/json", body))
	post := vh.api.next(t)
	vh.wait()
	if _, ok := buttonValues(postedBlocks(t, post))[actionVoteYes]; !ok {
		t.Error("an answer to a mention has no vote buttons")
	}

	ref := bot.SlotRef{Subscription: "morning", Slot: testNow}
	if _, err := vh.a.PostDigest(context.Background(), "C0DIGEST", kazakhstanRisks(), ref, nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := buttonValues(postedBlocks(t, vh.api.next(t)))[actionVoteYes]; ok {
		t.Error("a digest carries vote buttons")
	}
	preview, err := Messages(kazakhstanRisks())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range preview {
		if strings.Contains(string(m), actionVotePrefix) {
			t.Errorf("a preview carries vote buttons: %s", m)
		}
	}

	plain := newHarness(t, nil)
	rec := plain.command(t, "kazakhstan risks")
	plain.wait()
	if _, ok := buttonValues(decodeBody(t, rec))[actionVoteYes]; ok {
		t.Error("votes shown without a voter")
	}
	// Help and not-found answers are about no briefing.
	for _, r := range []bot.Reply{{Kind: bot.KindHelp, Title: "Help"}, {Kind: bot.KindNotFound, Title: "Nothing"}, {Kind: bot.KindList, Topic: "kazakhstan"}} {
		for _, m := range render(r, renderOptions{Votes: true}) {
			if _, ok := buttonValues(decode(t, m))[actionVoteYes]; ok {
				t.Errorf("%s answer has vote buttons", r.Kind)
			}
		}
	}
}

// A target too long for a button value gets no buttons; a long CRS-like
// one does.
func TestVoteValueLimit(t *testing.T) {
	title := "Electing the Speaker of the House of Representatives: Frequently Asked Questions"
	r := bot.Reply{Kind: bot.KindSection, Topic: strings.ToLower(title), Title: title}
	for i := 0; i < 8; i++ {
		r.Sections = append(r.Sections, bot.Section{Heading: title})
	}
	if len(voteBlocks(r)) != 1 {
		t.Error("a long but valid target got no buttons")
	}
	for i := 0; i < 30; i++ {
		r.Sections = append(r.Sections, bot.Section{Heading: title})
	}
	if b := voteBlocks(r); b != nil {
		t.Errorf("a target over %d characters got buttons", maxButtonValue)
	}
}
