package telemetry

import "testing"

func TestRouteHidesIDsAndTokens(t *testing.T) {
	for in, want := range map[string]string{
		"/api/chat.postMessage":                               "/api/chat.postMessage",
		"/api/v10/channels/1234567890/messages":               "/api/v10/channels/{id}/messages",
		"/api/v10/webhooks/123/aW50ZXJhY3Rpb246MTIz/messages": "/api/v10/webhooks/{id}/{id}/messages",
		"/api/v10/interactions/99/aW50.ZXI0/callback":         "/api/v10/interactions/{id}/{id}/callback",
		"/commands/T1/2/AbCdEf":                               "/commands/{id}/{id}/{id}",
		"/slack/commands":                                     "/slack/commands",
		"/x/Chat.post/a..b/.x/y./v/v1x":                       "/x/{id}/{id}/{id}/{id}/v/{id}",
		"":                                                    "",
	} {
		if got := route(in); got != want {
			t.Errorf("route(%q) = %q, want %q", in, got, want)
		}
	}
}
