package slack

import (
	slackapi "github.com/slack-go/slack"
)

// The adapter renders four kinds of Block Kit blocks. It declares them as
// plain structs whose tags give the JSON of slack-go's own block types,
// field for field and in the same order (TestBlocksReadBySlackGo checks
// it), so that encoding/json writes them in one pass: slack-go's types
// nest custom marshalers that encode and re-scan each level, which cost
// more than the rest of a slash command's answer. The blocks satisfy
// slackapi.Block, so chat.postMessage goes through slack-go unchanged.

// textObject is a Block Kit text object: plain_text with emoji on, or
// verbatim mrkdwn.
type textObject struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Emoji    bool   `json:"emoji,omitempty"`
	Verbatim bool   `json:"verbatim,omitempty"`
}

// button is a Block Kit button element carrying a query in its value.
type button struct {
	Type     string     `json:"type"`
	Text     textObject `json:"text"`
	ActionID string     `json:"action_id,omitempty"`
	Value    string     `json:"value,omitempty"`
	Style    string     `json:"style,omitempty"`
}

// block is one header, section, context or actions block. Elements holds
// a context block's []textObject or an actions block's []button.
type block struct {
	Type     slackapi.MessageBlockType `json:"type"`
	Text     *textObject               `json:"text,omitempty"`
	Elements any                       `json:"elements,omitempty"`
}

var _ slackapi.Block = block{}

// BlockType implements slackapi.Block.
func (b block) BlockType() slackapi.MessageBlockType { return b.Type }

// ID implements slackapi.Block; the adapter sets no block IDs.
func (b block) ID() string { return "" }

// plainText is a plain_text object with emoji on, for headers and buttons.
func plainText(text string) textObject {
	return textObject{Type: slackapi.PlainTextType, Text: text, Emoji: true}
}

// mrkdwnText is a verbatim mrkdwn object: Slack must not turn words into
// links or mentions on its own; the adapter escapes the text and writes
// what markup it wants.
func mrkdwnText(text string) textObject {
	return textObject{Type: slackapi.MarkdownType, Text: text, Verbatim: true}
}

func headerBlock(text string) block {
	t := plainText(text)
	return block{Type: slackapi.MBTHeader, Text: &t}
}

func sectionBlock(text string) block {
	t := mrkdwnText(text)
	return block{Type: slackapi.MBTSection, Text: &t}
}

func contextTextBlock(text string) block {
	return block{Type: slackapi.MBTContext, Elements: []textObject{mrkdwnText(text)}}
}

func newButton(actionID, value, label string, primary bool) button {
	b := button{Type: string(slackapi.METButton), Text: plainText(label), ActionID: actionID, Value: value}
	if primary {
		b.Style = string(slackapi.StylePrimary)
	}
	return b
}

func actionsBlock(buttons []button) block {
	return block{Type: slackapi.MBTAction, Elements: buttons}
}
