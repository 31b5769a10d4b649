package discord

import (
	"encoding/json"
	"strconv"

	"github.com/briefbot/briefbot/bot/internal/jsonstr"
)

// appendResponse appends the JSON of an interaction response to b, byte for
// byte what json.Marshal(resp) gives, without reflection: it runs on every
// interaction answered over HTTP.
func appendResponse(b []byte, resp interactionResponse) ([]byte, error) {
	b = append(b, `{"type":`...)
	b = strconv.AppendInt(b, int64(resp.Type), 10)
	switch d := resp.Data.(type) {
	case nil:
	case message:
		b = append(b, `,"data":`...)
		b = appendMessage(b, &d)
	case autocompleteData:
		b = append(b, `,"data":{"choices":`...)
		if d.Choices == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, c := range d.Choices {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"name":`...)
				b = appendString(b, c.Name)
				b = append(b, `,"value":`...)
				b = appendString(b, c.Value)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	case deferData:
		b = append(b, `,"data":{`...)
		if d.Flags != 0 {
			b = append(b, `"flags":`...)
			b = strconv.AppendInt(b, int64(d.Flags), 10)
		}
		b = append(b, '}')
	default:
		data, err := json.Marshal(resp.Data)
		if err != nil {
			return b, err
		}
		b = append(b, `,"data":`...)
		b = append(b, data...)
	}
	return append(b, '}'), nil
}

// appendMessage appends m as json.Marshal would encode it.
func appendMessage(b []byte, m *message) []byte {
	b = append(b, '{')
	if m.Content != "" {
		b = append(b, `"content":`...)
		b = appendString(b, m.Content)
		b = append(b, ',')
	}
	b = append(b, `"embeds":`...)
	if m.Embeds == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range m.Embeds {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendEmbed(b, &m.Embeds[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"components":`...)
	if m.Components == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, row := range m.Components {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"type":`...)
			b = strconv.AppendInt(b, int64(row.Type), 10)
			b = append(b, `,"components":`...)
			if row.Components == nil {
				b = append(b, "null"...)
			} else {
				b = append(b, '[')
				for j, btn := range row.Components {
					if j > 0 {
						b = append(b, ',')
					}
					b = append(b, `{"type":`...)
					b = strconv.AppendInt(b, int64(btn.Type), 10)
					b = append(b, `,"style":`...)
					b = strconv.AppendInt(b, int64(btn.Style), 10)
					b = append(b, `,"label":`...)
					b = appendString(b, btn.Label)
					b = append(b, `,"custom_id":`...)
					b = appendString(b, btn.CustomID)
					b = append(b, '}')
				}
				b = append(b, ']')
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if m.Flags != 0 {
		b = append(b, `,"flags":`...)
		b = strconv.AppendInt(b, int64(m.Flags), 10)
	}
	b = append(b, `,"allowed_mentions":{"parse":[]}`...)
	if m.Nonce != "" {
		b = append(b, `,"nonce":`...)
		b = appendString(b, m.Nonce)
	}
	if m.EnforceNonce {
		b = append(b, `,"enforce_nonce":true`...)
	}
	if r := m.MessageReference; r != nil {
		b = append(b, `,"message_reference":{"message_id":`...)
		b = appendString(b, r.MessageID)
		if r.ChannelID != "" {
			b = append(b, `,"channel_id":`...)
			b = appendString(b, r.ChannelID)
		}
		if r.GuildID != "" {
			b = append(b, `,"guild_id":`...)
			b = appendString(b, r.GuildID)
		}
		b = append(b, `,"fail_if_not_exists":`...)
		b = strconv.AppendBool(b, r.FailIfNotExists)
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendEmbed(b []byte, e *embed) []byte {
	b = append(b, '{')
	comma := false
	sep := func() {
		if comma {
			b = append(b, ',')
		}
		comma = true
	}
	if e.Title != "" {
		sep()
		b = append(b, `"title":`...)
		b = appendString(b, e.Title)
	}
	if e.Description != "" {
		sep()
		b = append(b, `"description":`...)
		b = appendString(b, e.Description)
	}
	if e.Color != 0 {
		sep()
		b = append(b, `"color":`...)
		b = strconv.AppendInt(b, int64(e.Color), 10)
	}
	if len(e.Fields) > 0 {
		sep()
		b = append(b, `"fields":[`...)
		for i, f := range e.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendString(b, f.Name)
			b = append(b, `,"value":`...)
			b = appendString(b, f.Value)
			if f.Inline {
				b = append(b, `,"inline":true`...)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if e.Footer != nil {
		sep()
		b = append(b, `"footer":{"text":`...)
		b = appendString(b, e.Footer.Text)
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendString appends s as a JSON string the way encoding/json does,
// HTML-sensitive characters escaped.
func appendString(b []byte, s string) []byte { return jsonstr.Append(b, s, true) }
