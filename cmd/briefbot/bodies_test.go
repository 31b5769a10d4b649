package main

import (
	"bufio"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discord"
)

// unsignedBody sends headers claiming a body of claimed bytes, with
// plausible but wrong signature headers for path, then only sent bytes,
// and returns the answer's status.
func unsignedBody(t *testing.T, addr, path string, claimed int, sent string) int {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: briefbot\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"+
		"X-Slack-Request-Timestamp: %s\r\nX-Slack-Signature: v0=%s\r\n"+
		"X-Signature-Timestamp: %s\r\nX-Signature-Ed25519: %s\r\n\r\n%s",
		path, claimed, ts, strings.Repeat("0", 64), ts, strings.Repeat("0", 128), sent)
	c.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The attack: a request claiming a 1 MiB body that sends 10 bytes
// must not make the webhooks allocate 1 MiB before any signature is
// checked. Measured through serve's own stack, Slack and Discord both.
func TestWebhooksDoNotSizeBuffersFromContentLength(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	api := newFakeSlackAPI(t) + "/"
	s := startServeWith(t, map[string]string{
		"BRIEFBOT_SLACK_MODE":                "http",
		"BRIEFBOT_SLACK_SIGNING_SECRET":      testSigningSecret,
		"BRIEFBOT_SLACK_BOT_TOKEN":           testBotToken,
		"BRIEFBOT_SLACK_API_URL":             api,
		"BRIEFBOT_DISCORD_MODE":              "http",
		"BRIEFBOT_DISCORD_PUBLIC_KEY":        hex.EncodeToString(pub),
		"BRIEFBOT_DISCORD_APP_ID":            "111",
		"BRIEFBOT_DISCORD_TOKEN":             "discord-test-token",
		"BRIEFBOT_DISCORD_REGISTER_COMMANDS": "false",
		"BRIEFBOT_DISCORD_API_URL":           api,
		"BRIEFBOT_LOG_LEVEL":                 "error",
	})
	eventually(t, "ready", func() bool { code, _ := get(t, "http://"+s.addr+"/readyz"); return code == 200 })
	const claimed, n = 1 << 20, 64
	for _, path := range []string{"/slack/commands", "/slack/events", "/slack/interactions", discord.InteractionsPath} {
		t.Run(path, func(t *testing.T) {
			unsignedBody(t, s.addr, path, claimed, "text=mars+") // warm up pools
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range n {
				if code := unsignedBody(t, s.addr, path, claimed, "text=mars+"); code < 400 {
					t.Fatalf("truncated unsigned body answered %d", code)
				}
			}
			runtime.ReadMemStats(&after)
			per := (after.TotalAlloc - before.TotalAlloc) / n
			t.Logf("%s: %d bytes allocated per request claiming %d and sending 10", path, per, claimed)
			if per > 64<<10 {
				t.Errorf("%s allocated %d bytes per request claiming %d bytes and sending 10: a buffer sized from Content-Length", path, per, claimed)
			}
		})
	}
}
