package slack

import (
	"context"
	"errors"
	"fmt"

	slackapi "github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
)

var _ bot.DigestEditor = (*Adapter)(nil)

// editGoneCodes are chat.update and chat.delete errors that mean the
// message cannot be corrected any more: trying again will not help.
var editGoneCodes = map[string]bool{
	"message_not_found":   true,
	"cant_update_message": true,
	"cant_delete_message": true,
	"edit_window_closed":  true,
}

func classifyEdit(err error) error {
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) && editGoneCodes[se.Err] {
		return &PermanentError{Code: se.Err}
	}
	return classify(err)
}

// EditDigest corrects a posted digest with chat.update: part i of r
// replaces message ids[i], keeping the digest's metadata with the new
// number of parts. Parts beyond the old messages are posted; old messages
// beyond the new parts are deleted.
func (a *Adapter) EditDigest(ctx context.Context, channel string, ids []string, r bot.Reply, ref bot.SlotRef) ([]string, error) {
	msgs := render(r, renderOptions{})
	out := make([]string, 0, len(msgs))
	for i, m := range msgs {
		payload := digestPayload(ref)
		payload["part"], payload["parts"] = i+1, len(msgs)
		opts := PostOptions{EventType: DigestEventType, EventPayload: payload}
		if i >= len(ids) {
			posted, err := a.postMessages(ctx, channel, []message{m}, opts)
			out = append(out, posted...)
			if err != nil {
				return out, err
			}
			continue
		}
		if err := a.updateMessage(ctx, channel, ids[i], m, opts); err != nil {
			return out, err
		}
		out = append(out, ids[i])
	}
	for _, ts := range ids[min(len(msgs), len(ids)):] {
		if err := a.pace.wait(ctx, channel); err != nil {
			return out, fmt.Errorf("delete slack message %s in %s: waiting for its turn: %w", ts, channel, err)
		}
		err := a.withRetry(ctx, func() error {
			_, _, err := a.api.DeleteMessageContext(ctx, channel, ts)
			return err
		})
		if err != nil {
			return out, fmt.Errorf("delete slack message %s in %s: %w", ts, channel, classifyEdit(err))
		}
	}
	return out, nil
}

// updateMessage replaces message ts in channel with m (chat.update).
func (a *Adapter) updateMessage(ctx context.Context, channel, ts string, m message, opts PostOptions) error {
	blocks := make([]slackapi.Block, len(m.Blocks))
	for i, b := range m.Blocks {
		blocks[i] = b
	}
	mopts := []slackapi.MsgOption{
		slackapi.MsgOptionText(m.Text, false),
		slackapi.MsgOptionBlocks(blocks...),
		slackapi.MsgOptionMetadata(slackapi.SlackMetadata{EventType: opts.EventType, EventPayload: opts.EventPayload}),
	}
	if err := a.pace.wait(ctx, channel); err != nil {
		return fmt.Errorf("update slack message %s in %s: waiting for its turn: %w", ts, channel, err)
	}
	err := a.withRetry(ctx, func() error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, channel, ts, mopts...)
		return err
	})
	if err != nil {
		return fmt.Errorf("update slack message %s in %s: %w", ts, channel, classifyEdit(err))
	}
	return nil
}

// FollowUpDigest posts r in the thread of the digest message ts.
func (a *Adapter) FollowUpDigest(ctx context.Context, channel, ts string, r bot.Reply) error {
	_, err := a.postMessages(ctx, channel, render(r, renderOptions{}), PostOptions{ThreadTS: ts})
	if err != nil {
		return fmt.Errorf("follow up on digest %s: %w", ts, err)
	}
	return nil
}
