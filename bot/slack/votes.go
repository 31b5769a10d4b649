package slack

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// Helpful / Not helpful buttons under answers. Their value is the
// answer's topic and section (bot.VoteTarget) as JSON; Slack gives a
// button value 2000 characters, enough for any briefing's headings, and a
// target that would not fit gets no buttons rather than a wrong one.
const (
	actionVotePrefix = "briefbot_vote_"
	actionVoteYes    = actionVotePrefix + "helpful"
	actionVoteNo     = actionVotePrefix + "not_helpful"
)

// voteTimeout bounds counting one vote.
const voteTimeout = 5 * time.Second

// WithVoter shows Helpful / Not helpful buttons under answers and counts
// presses with v (*bot.Analytics). Without it, or with nil, answers carry
// no vote buttons.
func WithVoter(v bot.Voter) Option {
	return func(a *Adapter) { a.voter = v }
}

// voteValue is what a vote button carries.
type voteValue struct {
	Topic   string `json:"t"`
	Section string `json:"s"`
}

// voteBlocks renders the vote buttons for r, or nothing when r is not an
// answer about a briefing.
func voteBlocks(r bot.Reply) []block {
	topic, section, ok := bot.VoteTarget(r)
	if !ok {
		return nil
	}
	b, err := json.Marshal(voteValue{Topic: topic, Section: section})
	if err != nil || runes(string(b)) > maxButtonValue {
		return nil
	}
	v := string(b)
	return []block{actionsBlock([]button{
		newButton(actionVoteYes, v, "Helpful", false),
		newButton(actionVoteNo, v, "Not helpful", false),
	})}
}

// vote counts a press of a vote button and thanks the user with a message
// only they see. The press was acknowledged before this runs.
func (a *Adapter) vote(ctx context.Context, in interaction, actionID, value string) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handleTimeout)
	defer cancel()
	outcome, err := a.countVote(ctx, in, actionID == actionVoteYes, value)
	text := bot.VoteMessage(outcome, err)
	if in.ResponseURL == "" {
		err = errors.Join(err, errors.New("vote button press has no response_url"))
	} else {
		m := message{ResponseType: ReplyEphemeral, Text: text, Blocks: []block{sectionBlock(text)}}
		err = errors.Join(err, a.respond(ctx, in.ResponseURL, m))
	}
	a.logHandled(ctx, "vote", bot.Reply{}, start, err)
}

func (a *Adapter) countVote(ctx context.Context, in interaction, helpful bool, value string) (string, error) {
	if a.voter == nil {
		return "", errors.New("vote pressed, but votes are not counted (analytics off)")
	}
	var v voteValue
	if err := json.Unmarshal([]byte(value), &v); err != nil || v.Topic == "" {
		return "", errors.New("vote button carries no topic")
	}
	vctx, cancel := context.WithTimeout(ctx, voteTimeout)
	defer cancel()
	// A Slack user ID is unique in its workspace; the team keeps two
	// workspaces' users apart. Neither is kept (see bot.VoteRequest).
	user := strings.Join([]string{in.Enterprise.ID, in.Team.ID, in.User.ID}, ":")
	return a.voter.Vote(vctx, bot.VoteRequest{
		Platform: Platform, User: user, Topic: v.Topic, Section: v.Section, Helpful: helpful,
	})
}
