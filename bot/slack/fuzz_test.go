package slack

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// loopbackOnly refuses to dial anything but 127.0.0.1, so that fuzzed
// response_urls can never reach the network.
type loopbackOnly struct{ next http.RoundTripper }

func (l loopbackOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if host, _, _ := net.SplitHostPort(r.URL.Host); host != "127.0.0.1" {
		return nil, errors.New("test transport: only 127.0.0.1 is allowed")
	}
	return l.next.RoundTrip(r)
}

// FuzzHandler sends arbitrary bodies and headers to every endpoint: nothing
// panics, an unsigned request is always 401, and a signed one is never a
// server error.
func FuzzHandler(f *testing.F) {
	f.Add(uint8(0), commandForm("kazakhstan risks", "http://127.0.0.1:1/x"), "", "", true)
	f.Add(uint8(1), eventBody("Ev1", map[string]any{"type": "app_mention", "text": "<@U1> kazakhstan", "channel": "C1", "ts": "1.1"}), "", "", true)
	f.Add(uint8(1), `{"type":"url_verification","challenge":"abc"}`, "", "", true)
	f.Add(uint8(2), "payload=%7B%22type%22%3A%22block_actions%22%7D", "", "", true)
	f.Add(uint8(2), "payload=%7B", "1531420618", exampleSignature, false)
	f.Add(uint8(0), exampleBody, exampleTimestamp, exampleSignature, false)
	f.Add(uint8(1), "\x00\xff{", "-1", "v0=", false)

	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"ok":true,"ts":"1.1"}`))
	}))
	defer api.Close()
	ans := newFakeAnswerer()
	a, err := New(Config{
		BotToken: "xoxb-fuzz", SigningSecret: testSecret, Mode: ModeHTTP, APIURL: api.URL,
		AckBudget: 50 * time.Millisecond, Clock: func() time.Time { return testNow },
	}, ans, WithHTTPClient(&http.Client{Transport: loopbackOnly{http.DefaultTransport}, Timeout: time.Second}))
	if err != nil {
		f.Fatal(err)
	}
	h := a.Handler()
	paths := []string{"/slack/commands", "/slack/events", "/slack/interactions"}

	f.Fuzz(func(t *testing.T, which uint8, body, ts, sig string, sign bool) {
		now := time.Now()
		path := paths[int(which)%len(paths)]
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		if sign {
			ts = strconv.FormatInt(now.Unix(), 10)
			sig = Sign(testSecret, ts, []byte(body))
		}
		if ts != "" {
			req.Header.Set("X-Slack-Request-Timestamp", ts)
		}
		if sig != "" {
			req.Header.Set("X-Slack-Signature", sig)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		// Hex digits match in either case; a timestamp within a second of
		// the five-minute window may go either way.
		want := Sign(testSecret, ts, []byte(body))
		valid := strings.HasPrefix(sig, "v0=") && strings.EqualFold(sig[3:], want[3:])
		tsn, err := strconv.ParseInt(ts, 10, 64)
		skew := now.Sub(time.Unix(tsn, 0)).Abs()
		if err != nil || skew > 5*time.Minute+time.Second {
			valid = false
		} else if skew > 5*time.Minute-time.Second {
			a.inflight.Wait()
			return
		}
		switch {
		case !valid && rec.Code != http.StatusUnauthorized:
			t.Fatalf("unsigned request to %s got %d", path, rec.Code)
		case valid && rec.Code >= 500:
			t.Fatalf("signed request to %s got %d", path, rec.Code)
		}
		a.inflight.Wait()
	})
}
