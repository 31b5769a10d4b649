package slack

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Slack's published example (api.slack.com/authentication/verifying-requests-from-slack).
const (
	exampleTimestamp = "1531420618"
	exampleBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	exampleSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestSignSlackExample(t *testing.T) {
	if got := Sign(testSecret, exampleTimestamp, []byte(exampleBody)); got != exampleSignature {
		t.Errorf("Sign = %s, want %s", got, exampleSignature)
	}
}

func TestVerifierWrap(t *testing.T) {
	now := time.Now()
	ts := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	signedAt := func(d time.Duration, body string) map[string]string {
		return map[string]string{"X-Slack-Request-Timestamp": ts(d), "X-Slack-Signature": Sign(testSecret, ts(d), []byte(body))}
	}
	tests := []struct {
		name   string
		header map[string]string
		body   string
		want   int
	}{
		{"signed now", signedAt(0, exampleBody), exampleBody, 200},
		{"four minutes late", signedAt(-4*time.Minute, exampleBody), exampleBody, 200},
		{"six minutes late (replay)", signedAt(-6*time.Minute, exampleBody), exampleBody, 401},
		{"six minutes early", signedAt(6*time.Minute, exampleBody), exampleBody, 401},
		{"slack example, long expired", map[string]string{"X-Slack-Request-Timestamp": exampleTimestamp, "X-Slack-Signature": exampleSignature}, exampleBody, 401},
		{"tampered body", signedAt(0, exampleBody), strings.Replace(exampleBody, "roadrunner", "coyote", 1), 401},
		{"wrong signature", map[string]string{"X-Slack-Request-Timestamp": ts(0), "X-Slack-Signature": "v0=" + strings.Repeat("0", 64)}, exampleBody, 401},
		{"no signature", map[string]string{"X-Slack-Request-Timestamp": ts(0)}, exampleBody, 401},
		{"no timestamp", map[string]string{"X-Slack-Signature": Sign(testSecret, ts(0), []byte(exampleBody))}, exampleBody, 401},
		{"garbage timestamp", map[string]string{"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": Sign(testSecret, "soon", []byte(exampleBody))}, exampleBody, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotBody string
			next := func(w http.ResponseWriter, r *http.Request, body []byte) {
				gotBody = string(body)
			}
			var logs bytes.Buffer
			v := verifier{Secret: testSecret, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
			req := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(tt.body))
			for k, val := range tt.header {
				req.Header.Set(k, val)
			}
			rec := httptest.NewRecorder()
			v.wrapBody(next).ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d", rec.Code, tt.want)
			}
			if tt.want == 200 && gotBody != tt.body {
				t.Errorf("next handler read %q, want the original body", gotBody)
			}
			if tt.want == 401 {
				if gotBody != "" {
					t.Error("refused request reached the handler")
				}
				if !strings.Contains(logs.String(), "slack request refused") {
					t.Errorf("refusal not logged: %q", logs.String())
				}
				if strings.Contains(logs.String(), "roadrunner") || strings.Contains(logs.String(), "coyote") {
					t.Errorf("refusal log contains the body: %q", logs.String())
				}
			}
		})
	}
}

func TestVerifierBodyLimit(t *testing.T) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	v := verifier{Secret: testSecret}
	h := v.wrapBody(func(http.ResponseWriter, *http.Request, []byte) {})
	for _, tt := range []struct {
		size int
		want int
	}{{MaxBodyBytes, 200}, {MaxBodyBytes + 1, 413}} {
		body := bytes.Repeat([]byte("a"), tt.size)
		req := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", Sign(testSecret, ts, body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("body of %d bytes: status %d, want %d", tt.size, rec.Code, tt.want)
		}
		// Without Content-Length the cap still holds.
		req = httptest.NewRequest(http.MethodPost, "/slack/events", io.MultiReader(bytes.NewReader(body)))
		req.ContentLength = -1
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", Sign(testSecret, ts, body))
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("chunked body of %d bytes: status %d, want %d", tt.size, rec.Code, tt.want)
		}
	}
}
