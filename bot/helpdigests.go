package bot

import "context"

// digestHelp is the part of help that teaches digests. Those who may
// manage the channel's subscriptions get the commands, with example (a
// topic) filled in; the others learn that digests exist and who sets
// them up. It asks req.MayManage, which may cost a platform call (Slack's
// users.info), so only help and the subscription commands ask it. It
// reports false when the bot keeps no subscriptions (no store).
func (b *Bot) digestHelp(ctx context.Context, req Request, c, example string) (Section, bool) {
	if b.store == nil {
		return Section{}, false
	}
	s := Section{Heading: "Daily digests"}
	if !req.mayManage(ctx) {
		s.Blocks = []Block{{Text: "This channel can get a digest of new briefings on a schedule. People who may manage the channel set it up with " + c + " subscribe; " + c + " subscriptions shows what it gets."}}
		return s, true
	}
	s.Blocks = []Block{
		{Bullet: true, Label: c + " subscribe daily 08:00 Europe/Berlin " + example, Text: "post a digest of what is new on those topics to this channel every day at 08:00 Berlin time; weekdays 07:30 and weekly monday 08:00 work too, and no topics means all"},
		{Bullet: true, Label: c + " subscriptions", Text: "this channel's digests, with their IDs, next run and any error"},
		{Bullet: true, Label: c + " unsubscribe <id>", Text: "stop one"},
		{Bullet: true, Label: c + " digest " + example, Text: "preview a digest now, only to you"},
	}
	return s, true
}
