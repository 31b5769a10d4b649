package slack

import (
	slackapi "github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot/internal/jsonstr"
)

// The adapter renders only four kinds of Block Kit blocks, so it builds
// them as small structs of its own and appends their JSON by hand: a slash
// command is answered in its HTTP response, and encoding slack-go's block
// types through reflection cost more than the rest of the request. The
// JSON is the same as slack-go's, field for field and in the same order
// (the golden files hold it). The blocks still satisfy slackapi.Block, so
// chat.postMessage goes through slack-go unchanged.

// Block kinds.
const (
	blockHeader  = slackapi.MBTHeader
	blockSection = slackapi.MBTSection
	blockContext = slackapi.MBTContext
	blockActions = slackapi.MBTAction
)

// textObject is a Block Kit text object: plain_text with emoji on, or mrkdwn.
type textObject struct {
	Plain bool
	Text  string
}

// button is a Block Kit button element.
type button struct {
	ActionID string
	Value    string
	Label    string
	Primary  bool
}

// block is one header, section, context or actions block.
type block struct {
	Kind slackapi.MessageBlockType
	// Text is the text of a header or section block.
	Text textObject
	// Elements are the texts of a context block.
	Elements []textObject
	// Buttons are the elements of an actions block.
	Buttons []button
}

var _ slackapi.Block = block{}

// BlockType implements slackapi.Block.
func (b block) BlockType() slackapi.MessageBlockType { return b.Kind }

// ID implements slackapi.Block; the adapter sets no block IDs.
func (b block) ID() string { return "" }

// MarshalJSON encodes the block as slack-go would.
func (b block) MarshalJSON() ([]byte, error) { return b.appendJSON(nil), nil }

// MarshalJSON encodes the message; encoding/json only re-checks it.
func (m message) MarshalJSON() ([]byte, error) { return m.appendJSON(nil), nil }

func (t textObject) appendJSON(dst []byte) []byte {
	if t.Plain {
		dst = append(dst, `{"type":"plain_text","text":`...)
		dst = appendJSONString(dst, t.Text)
		return append(dst, `,"emoji":true}`...)
	}
	// verbatim: Slack must not turn words into links or mentions on its
	// own; the adapter escapes the text and writes what markup it wants.
	dst = append(dst, `{"type":"mrkdwn","text":`...)
	dst = appendJSONString(dst, t.Text)
	return append(dst, `,"verbatim":true}`...)
}

func (b button) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"type":"button","text":`...)
	dst = textObject{Plain: true, Text: b.Label}.appendJSON(dst)
	if b.ActionID != "" {
		dst = append(dst, `,"action_id":`...)
		dst = appendJSONString(dst, b.ActionID)
	}
	if b.Value != "" {
		dst = append(dst, `,"value":`...)
		dst = appendJSONString(dst, b.Value)
	}
	if b.Primary {
		dst = append(dst, `,"style":"primary"`...)
	}
	return append(dst, '}')
}

func (b block) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"type":`...)
	dst = appendJSONString(dst, string(b.Kind))
	switch b.Kind {
	case blockHeader, blockSection:
		dst = append(dst, `,"text":`...)
		dst = b.Text.appendJSON(dst)
	case blockContext:
		dst = append(dst, `,"elements":[`...)
		for i, e := range b.Elements {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = e.appendJSON(dst)
		}
		dst = append(dst, ']')
	case blockActions:
		dst = append(dst, `,"elements":[`...)
		for i, e := range b.Buttons {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = e.appendJSON(dst)
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// appendJSON appends the message as encoding/json would encode its tags.
func (m *message) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	if m.ResponseType != "" {
		dst = append(dst, `"response_type":`...)
		dst = appendJSONString(dst, m.ResponseType)
		dst = append(dst, ',')
	}
	if m.ReplaceOriginal {
		dst = append(dst, `"replace_original":true,`...)
	}
	if m.DeleteOriginal {
		dst = append(dst, `"delete_original":true,`...)
	}
	if m.ThreadTS != "" {
		dst = append(dst, `"thread_ts":`...)
		dst = appendJSONString(dst, m.ThreadTS)
		dst = append(dst, ',')
	}
	dst = append(dst, `"text":`...)
	dst = appendJSONString(dst, m.Text)
	dst = append(dst, `,"blocks":`...)
	if m.Blocks == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i := range m.Blocks {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = m.Blocks[i].appendJSON(dst)
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// appendJSONString appends s as a JSON string exactly as encoding/json
// does with HTML escaping off.
func appendJSONString(dst []byte, s string) []byte { return jsonstr.Append(dst, s, false) }
