package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/metrics"
	"github.com/briefbot/briefbot/bot/slack"
)

// heldCore answers only once released: a core still at work.
type heldCore struct{ release chan struct{} }

func (c heldCore) Handle(ctx context.Context, req bot.Request) bot.Reply {
	select {
	case <-c.release:
	case <-ctx.Done():
	}
	return bot.Reply{Kind: bot.KindHelp, Title: "Help"}
}

// TestLateAckThroughServeMiddleware: a slash command whose answer is not
// ready within the ack budget is acknowledged while the core is still at
// work, through every layer serve puts in front of the adapter (the
// listener's body budget, the starting switch, webhook tracing, refusal
// counting): Slack must see a whole, empty 200 within its 3 seconds.
func TestLateAckThroughServeMiddleware(t *testing.T) {
	const secret = "late-ack-secret"
	core := heldCore{release: make(chan struct{})}
	a, err := slack.New(slack.Config{BotToken: "xoxb-late", SigningSecret: secret, Mode: slack.ModeHTTP, AckBudget: time.Millisecond}, core)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Routes(mux)
	front := startingHandler("starting")
	front.set(traceWebhooks(metrics.New().CountRefusals(time.Now, mux)))
	addr, _ := startListener(t, testHTTP(16), front)

	body := url.Values{"command": {"/brief"}, "text": {"help"}, "trigger_id": {"1.2.3"},
		"user_id": {"U1"}, "channel_id": {"C1"}, "response_url": {"http://127.0.0.1:1/unused"}}.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/slack/commands", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slack.Sign(secret, ts, []byte(body)))
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		close(core.release)
		t.Fatalf("no ack while the core was at work: %v", err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	close(core.release)
	if err != nil || resp.StatusCode != http.StatusOK || len(got) != 0 {
		t.Fatalf("ack = %d %q (%v), want a whole, empty 200", resp.StatusCode, got, err)
	}
}
