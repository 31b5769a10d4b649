package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestServeWithoutPlatformServesTheDesk: with no chat platform configured,
// serve starts, says so in one line, and serves the desk on loopback with
// no token, where a newcomer can ask as in chat.
func TestServeWithoutPlatformServesTheDesk(t *testing.T) {
	s := startServeWith(t, map[string]string{"BRIEFBOT_HTTP_ADDR": ":0"})
	if !strings.HasPrefix(s.addr, "127.0.0.1:") {
		t.Errorf("desk-only serve listens on %s, want 127.0.0.1", s.addr)
	}
	if n := strings.Count(s.logs.String(), "no chat platform configured"); n != 1 {
		t.Errorf("%d log lines say no platform is configured, want 1:\n%s", n, s.logs)
	}
	code, body := fetch(t, "http://"+s.addr+"/desk/ask?q=mars+risks")
	if code != http.StatusOK || !strings.Contains(body, `id="preview-slack"`) || !strings.Contains(body, `id="preview-discord"`) {
		t.Errorf("GET /desk/ask on loopback: %d\n%s", code, body)
	}
}
