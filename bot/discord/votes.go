package discord

import (
	"context"
	"strings"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// Helpful / Not helpful buttons under answers. Their custom_id is
// votePrefix, "y" or "n", ":" and the answer's bot.VoteKey: the target
// itself when it fits Discord's 100 characters, short hashes that the core
// resolves in its library when not.
const (
	votePrefix = "v"
	voteYes    = votePrefix + "y:"
	voteNo     = votePrefix + "n:"
)

// voteTimeout bounds counting a vote: the press is answered in the
// interaction response itself, within Discord's 3 s.
const voteTimeout = 2 * time.Second

// voteResolver finds what a hashed vote key names; *bot.Bot implements it.
type voteResolver interface {
	ResolveVoteKey(key string) (topic, section string, ok bool)
}

// votes returns the voter and the resolver when presses can be counted:
// a Voter is configured and the core can resolve keys.
func (a *Adapter) votes() (bot.Voter, voteResolver, bool) {
	if a.cfg.Voter == nil {
		return nil, nil, false
	}
	res, ok := a.answerer.(voteResolver)
	return a.cfg.Voter, res, ok
}

// addVotes puts the vote row under an answer that can be voted on: on its
// last message, after the suggestions, giving up their last row when all
// five rows are taken.
func (a *Adapter) addVotes(msgs []message, r bot.Reply) {
	if _, _, ok := a.votes(); !ok || len(msgs) == 0 {
		return
	}
	key, ok := bot.VoteKey(r, maxCustomID-len(voteYes))
	if !ok {
		return
	}
	last := &msgs[len(msgs)-1]
	if len(last.Components) >= maxRows {
		last.Components = last.Components[:maxRows-1]
	}
	last.Components = append(last.Components, actionRow{Type: componentActionRow, Components: []button{
		{Type: componentButton, Style: buttonStyleSecondar, Label: "Helpful", CustomID: voteYes + key},
		{Type: componentButton, Style: buttonStyleSecondar, Label: "Not helpful", CustomID: voteNo + key},
	}})
}

// vote counts a press of a vote button and thanks the user privately. It
// reports false when the custom_id is not a vote button's.
func (a *Adapter) vote(ctx context.Context, in *interaction, respond responder) bool {
	id := in.Data.CustomID
	helpful := strings.HasPrefix(id, voteYes)
	if !helpful && !strings.HasPrefix(id, voteNo) {
		return false
	}
	start := time.Now()
	key := id[len(voteYes):]
	voter, res, ok := a.votes()
	if !ok {
		a.answerStatic(ctx, in, respond, "Votes are not counted here any more.")
		return true
	}
	topic, section, ok := res.ResolveVoteKey(key)
	if !ok {
		a.answerStatic(ctx, in, respond, "This answer's briefing has changed since; your vote could not be counted.")
		a.logHandled(ctx, "vote", "stale", time.Since(start), nil, logExtra{})
		return true
	}
	vctx, cancel := context.WithTimeout(ctx, voteTimeout)
	outcome, err := voter.Vote(vctx, bot.VoteRequest{
		Platform: Platform, User: in.userID(), Topic: topic, Section: section, Helpful: helpful,
	})
	cancel()
	text := bot.VoteMessage(outcome, err)
	m := message{Embeds: []embed{{Description: text, Color: colour(bot.KindHelp)}}, Components: []actionRow{}, Flags: flagEphemeral}
	if err != nil {
		m.Embeds[0].Color = colour(bot.KindError)
	}
	rerr := respond(ctx, interactionResponse{Type: responseMessage, Data: m})
	if err == nil {
		err = rerr
	}
	if err != nil {
		outcome = "failed"
	}
	a.logHandled(ctx, "vote", outcome, time.Since(start), err, logExtra{})
	return true
}
