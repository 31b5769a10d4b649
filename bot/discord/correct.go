package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/briefbot/briefbot/bot"
)

var _ bot.DigestEditor = (*Adapter)(nil)

// codeUnknownMessage is Discord's error for a message that is gone.
const codeUnknownMessage = 10008

// MessageGoneError is a correction of a digest message that no longer
// exists, or of a channel the bot can no longer reach: trying again will
// not help.
type MessageGoneError struct {
	Channel, Message string
	Err              *APIError
}

func (e *MessageGoneError) Error() string {
	return fmt.Sprintf("discord: message %s in channel %s cannot be corrected: %s", e.Message, e.Channel, e.Err.Error())
}

func (e *MessageGoneError) Unwrap() error { return e.Err }

// Permanent reports true; it lets bot.IsPermanent recognise the error.
func (e *MessageGoneError) Permanent() bool { return true }

// editError says whether a failed edit or delete can never succeed.
func editError(channel, id string, err error) error {
	var ae *APIError
	if errors.As(err, &ae) && (ae.Code == codeUnknownMessage || isPermanent(ae)) {
		return &MessageGoneError{Channel: channel, Message: id, Err: ae}
	}
	return err
}

// EditDigest corrects a posted digest by editing its messages: part i of
// r replaces message ids[i], with the digest's footer. Parts beyond the old
// messages are posted; old messages beyond the new parts are deleted.
func (a *Adapter) EditDigest(ctx context.Context, channel string, ids []string, r bot.Reply, ref bot.SlotRef) ([]string, error) {
	if err := a.checkPostable(channel); err != nil {
		return nil, err
	}
	msgs := digestMessages(r, ref)
	out := make([]string, 0, len(msgs))
	for i, m := range msgs {
		if i >= len(ids) {
			// A nonce of its own, so that a retried correction
			// cannot post the extra part twice.
			nonce := fmt.Sprintf("%s|%s|%d|%d", ref.Subscription, ref.Slot.UTC().Format(time.RFC3339), i+1, len(msgs))
			posted, err := a.postMessages(ctx, channel, []message{m}, PostOptions{Nonce: nonce}, nil)
			out = append(out, posted...)
			if err != nil {
				return out, err
			}
			continue
		}
		op := "edit message " + ids[i] + " in channel " + channel
		if err := a.call(ctx, op, http.MethodPatch, "channels/"+channel+"/messages/"+ids[i], true, m, nil); err != nil {
			return out, editError(channel, ids[i], err)
		}
		out = append(out, ids[i])
	}
	for _, id := range ids[min(len(msgs), len(ids)):] {
		op := "delete message " + id + " in channel " + channel
		if err := a.call(ctx, op, http.MethodDelete, "channels/"+channel+"/messages/"+id, true, nil, nil); err != nil {
			return out, editError(channel, id, err)
		}
	}
	return out, nil
}

// FollowUpDigest posts r as a reply referencing the digest message id.
func (a *Adapter) FollowUpDigest(ctx context.Context, channel, id string, r bot.Reply) error {
	if err := a.checkPostable(channel); err != nil {
		return err
	}
	msgs := renderReply(r)
	if len(msgs) > 0 {
		msgs[0].MessageReference = &messageReference{MessageID: id, ChannelID: channel}
	}
	if _, err := a.postMessages(ctx, channel, msgs, PostOptions{}, nil); err != nil {
		return fmt.Errorf("follow up on digest %s: %w", id, editError(channel, id, err))
	}
	return nil
}
