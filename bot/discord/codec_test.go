package discord

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

// decodeSeeds are interaction bodies the decoder must read exactly like
// encoding/json: real shapes, Discord's extra fields, escapes, odd types.
var decodeSeeds = []string{
	commandBody("kazakhstan risks"),
	autocompleteBody("kaz"),
	`{"type":1}`,
	`null`,
	` {"type":3,"data":{"custom_id":"q:x","component_type":2},"message":{"id":"9","flags":64,"embeds":[{"title":"t"}]}} `,
	`{"id":"1","type":2,"member":{"user":{"id":"42","username":"a","avatar":null,"bot":false},"roles":["1","2"],"permissions":"2147483647","nick":null},
	  "data":{"id":"5","name":"brief","type":1,"options":[{"name":"query","type":3,"value":"caf\u00e9 \"risks\"\n"}]},
	  "app_permissions":"8","locale":"en-GB","entitlements":[],"authorizing_integration_owners":{"0":"1"},"context":0,"version":1}`,
	`{"type":4,"data":{"options":[{"name":"query","value":7,"focused":true}]}}`,
	`{"type":4,"data":{"options":[{"name":"query","value":{"a":[1,2.5e3,-0,true,null]}}]}}`,
	`{"type":2,"data":{"name":"brief","options":[{"name":"query","value":null}]}}`,
	`{"TYPE":2,"Data":{"NAME":"brief","Options":[{"Name":"query","Value":"x"}]}}`,
	`{"type":2,"data":{"options":[{"name":"a","value":"1"},{"name":"b"}]},"data":{"options":[{"value":"2"}]}}`,
	`{"type":2,"data":{"options":[]},"member":null,"user":{"id":"1"},"user":null}`,
	`{"type":2,"data":{"options":[{"name":"sub","type":1,"options":[{"name":"query","value":"deep"}]}]}}`,
	`{"type":"2"}`,
	`{"type":2.5}`,
	`{"type":1e2}`,
	`{"type":99999999999999999999}`,
	`{"type":2,"member":{"permissions":16}}`,
	`{"type":2,"user":{"bot":"yes"}}`,
	`{"type":2,"data":[]}`,
	`{"type":2,"data":{"options":{}}}`,
	`{"type":2,}`,
	`{"type":2} x`,
	`{"type":01}`,
	`{"id":"\ud800x","token":"\u00zz"}`,
	`{"id":"a` + "\x01" + `b"}`,
	`{"id":"` + "\xff\xfe" + `"}`,
	`[1]`,
	`"x"`,
	``,
	`{"type":2,"data":{"options":[{"name":"query","value":1e400}]}}`,
	`{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
	`{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `,"type":4}`,
}

func checkDecode(t *testing.T, body []byte) {
	var want, got interaction
	wantErr := json.Unmarshal(body, &want)
	gotErr := decodeInteraction(body, &got)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("%q: encoding/json error %v, decoder error %v", body, wantErr, gotErr)
	}
	if wantErr != nil {
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%q decoded differently (-encoding/json +decoder):\n%s", body, diff)
	}
}

func TestDecodeInteractionMatchesEncodingJSON(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecode(t, []byte(s))
	}
	// The command the user types reaches the core intact.
	var in interaction
	if err := decodeInteraction([]byte(commandBody(`kazakhstan "risks" é`)), &in); err != nil || in.queryOption() != `kazakhstan "risks" é` || !in.canManage() || in.userID() != "42" {
		t.Errorf("decoded %+v, %v", in, err)
	}
}

func FuzzDecodeInteraction(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkDecode(t, body) })
}

func checkEncode(t *testing.T, resp interactionResponse) {
	want, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	got, err := appendResponse(nil, resp)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("encoded\n%s\nwant (encoding/json)\n%s", got, want)
	}
}

func TestAppendResponseMatchesEncodingJSON(t *testing.T) {
	for _, r := range []bot.Reply{kazakhstanFull(), kazakhstanRisksReply(), longReply(), {Kind: bot.KindError, Title: "<&> \u2028 \x01 \xff \"q\" \\"}} {
		for _, m := range renderReply(r) {
			checkEncode(t, interactionResponse{Type: responseMessage, Data: m})
			m.Flags = flagEphemeral
			m.Content, m.Nonce, m.EnforceNonce = "hi <@1>", "n1", true
			m.MessageReference = &messageReference{MessageID: "1", GuildID: "3"}
			m.Embeds = append(m.Embeds, embed{Fields: []embedField{{Name: "a", Value: "b", Inline: true}}})
			checkEncode(t, interactionResponse{Type: responseUpdate, Data: m})
		}
	}
	checkEncode(t, interactionResponse{Type: responsePong})
	checkEncode(t, interactionResponse{Type: responseDeferMessage, Data: deferData{Flags: flagEphemeral}})
	checkEncode(t, interactionResponse{Type: responseDeferUpdate, Data: deferData{}})
	checkEncode(t, interactionResponse{Type: responseAutocomplete, Data: autocompleteData{}})
	checkEncode(t, interactionResponse{Type: responseAutocomplete, Data: autocompleteData{Choices: []choice{{"Kazakhstan — Risks & caveats", "kazakhstan risks"}}}})
	checkEncode(t, interactionResponse{Type: responseMessage, Data: message{}})
	checkEncode(t, interactionResponse{Type: responseMessage, Data: map[string]int{"other": 1}})
}

func FuzzAppendResponse(f *testing.F) {
	f.Add("Kazakhstan — Risks & caveats", "kazakhstan risks", 64)
	f.Add("<script>\u2028\u2029", "\x00\x1f\x7f\xff", 0)
	f.Fuzz(func(t *testing.T, a, b string, flags int) {
		checkEncode(t, interactionResponse{Type: responseAutocomplete, Data: autocompleteData{Choices: []choice{{a, b}, {b, a}}}})
		m := message{Content: a, Embeds: []embed{{Title: a, Description: b, Footer: &embedFooter{Text: a}}}, Components: []actionRow{{Type: 1, Components: []button{{Label: a, CustomID: b}}}}, Flags: flags, Nonce: b}
		checkEncode(t, interactionResponse{Type: responseMessage, Data: m})
	})
}

// FuzzEscapeFastPath checks that text escape passes through unchanged
// really needs no escaping.
func FuzzEscapeFastPath(f *testing.F) {
	for _, s := range []string{"plain words", "1. list", "-dash", "a-b", "x <@1>", "@everyone", " indented", "> quote", "tab\there", "#h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !needsEscape(s) && escapeAll(s) != s {
			t.Fatalf("fast path kept %q, escaping gives %q", s, escapeAll(s))
		}
	})
}
