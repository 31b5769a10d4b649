package slack

import (
	slackapi "github.com/slack-go/slack"
)

// The adapter renders four kinds of Block Kit blocks, built from
// slack-go's own types so that a slash command's HTTP response,
// response_url posts and chat.postMessage all carry the same JSON.

// plainText is a plain_text object with emoji on, for headers and buttons.
func plainText(text string) *slackapi.TextBlockObject {
	emoji := true
	return &slackapi.TextBlockObject{Type: slackapi.PlainTextType, Text: text, Emoji: &emoji}
}

// mrkdwnText is a verbatim mrkdwn object: Slack must not turn words into
// links or mentions on its own; the adapter escapes the text and writes
// what markup it wants.
func mrkdwnText(text string) *slackapi.TextBlockObject {
	return &slackapi.TextBlockObject{Type: slackapi.MarkdownType, Text: text, Verbatim: true}
}

func headerBlock(text string) slackapi.Block {
	return &slackapi.HeaderBlock{Type: slackapi.MBTHeader, Text: plainText(text)}
}

func sectionBlock(text string) slackapi.Block {
	return &slackapi.SectionBlock{Type: slackapi.MBTSection, Text: mrkdwnText(text)}
}

func contextTextBlock(text string) slackapi.Block {
	return &slackapi.ContextBlock{Type: slackapi.MBTContext, ContextElements: slackapi.ContextElements{Elements: []slackapi.MixedElement{mrkdwnText(text)}}}
}

// button is a Block Kit button carrying a query in its value.
func button(actionID, value, label string, primary bool) slackapi.BlockElement {
	b := &slackapi.ButtonBlockElement{Type: slackapi.METButton, Text: plainText(label), ActionID: actionID, Value: value}
	if primary {
		b.Style = slackapi.StylePrimary
	}
	return b
}

func actionsBlock(buttons []slackapi.BlockElement) slackapi.Block {
	return &slackapi.ActionBlock{Type: slackapi.MBTAction, Elements: &slackapi.BlockElements{ElementSet: buttons}}
}
