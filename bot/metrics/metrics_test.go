package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

func TestMetricsCountWhatHappened(t *testing.T) {
	m := metrics.New("slack", "discord")
	m.ObserveCommand(bot.Request{Platform: bot.Platform("slack")}, bot.Reply{Kind: bot.KindSection}, 3*time.Millisecond)
	m.ObserveCommand(bot.Request{Platform: bot.Platform("discord")}, bot.Reply{Kind: bot.KindNotFound}, time.Millisecond)
	m.ObserveDigest(bot.Subscription{Platform: bot.Platform("slack")}, bot.OutcomeDelayed)
	m.Library(42, 2)
	m.Reloaded(false, time.Unix(100, 0))

	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/limited":
			w.WriteHeader(http.StatusTooManyRequests)
		case "/broken":
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer api.Close()
	client := &http.Client{Transport: m.Transport("slack", nil)}
	for _, p := range []string{"/ok", "/limited", "/broken"} {
		resp, err := client.Get(api.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	out := scrape(t, m)
	for _, want := range []string{
		`briefbot_commands_total{kind="section",outcome="answered",platform="slack"} 1`,
		`briefbot_commands_total{kind="not_found",outcome="not_found",platform="discord"} 1`,
		`briefbot_answer_duration_seconds_count{platform="slack"} 1`,
		`briefbot_digest_slots_total{outcome="delayed",platform="slack"} 1`,
		`briefbot_briefings_loaded 42`,
		`briefbot_briefing_load_errors 2`,
		`briefbot_reloads_total{result="error"} 1`,
		`briefbot_platform_rate_limits_total{platform="slack"} 1`,
		`briefbot_platform_api_errors_total{platform="slack"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestSeriesStartAtZero(t *testing.T) {
	out := scrape(t, metrics.New("slack", "discord"))
	for _, want := range []string{
		`briefbot_commands_total{kind="section",outcome="answered",platform="slack"} 0`,
		`briefbot_commands_total{kind="not_found",outcome="not_found",platform="discord"} 0`,
		`briefbot_digest_slots_total{outcome="failed",platform="discord"} 0`,
		`briefbot_reloads_total{result="ok"} 0`,
		`briefbot_reloads_total{result="error"} 0`,
		`briefbot_platform_posts_total{platform="slack",result="rate_limited"} 0`,
		`briefbot_platform_retries_total{platform="discord",reason="rate_limited"} 0`,
		`briefbot_requests_unauthorized_total{platform="slack",reason="stale_timestamp"} 0`,
		`briefbot_platform_rate_limits_total{platform="discord"} 0`,
		`briefbot_last_reload_success_timestamp_seconds 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("a fresh registry lacks %s", want)
		}
	}
}

func TestBuildInfoAndReloads(t *testing.T) {
	m := metrics.New("slack", "discord")
	m.Build("v1.2.3", "b4bb43efbe38", "go1.26.8")
	// Seven files broken by earlier reloads stay counted after a reload
	// that touched none of them.
	m.Library(40, 7)
	m.Reloaded(false, time.Unix(1000, 0))
	m.Library(41, 7)
	out := scrape(t, m)
	for _, want := range []string{
		`briefbot_build_info{commit="b4bb43efbe38",goversion="go1.26.8",version="v1.2.3"} 1`,
		`briefbot_briefing_load_errors 7`,
		`briefbot_last_reload_success_timestamp_seconds 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	m.Library(41, 0)
	m.Reloaded(true, time.Unix(1700000000, 0))
	out = scrape(t, m)
	for _, want := range []string{`briefbot_briefing_load_errors 0`, `briefbot_last_reload_success_timestamp_seconds 1.7e+09`} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestConnectionReadsTrueAtScrape(t *testing.T) {
	m := metrics.New("slack", "discord")
	var up atomic.Bool
	m.Connection("discord", 3, up.Load)
	if out := scrape(t, m); !strings.Contains(out, `briefbot_platform_connected{platform="discord",shard="3"} 0`) {
		t.Errorf("down connection not 0:\n%s", grep(out, "connected"))
	}
	up.Store(true)
	if out := scrape(t, m); !strings.Contains(out, `briefbot_platform_connected{platform="discord",shard="3"} 1`) {
		t.Errorf("up connection not 1:\n%s", grep(out, "connected"))
	}
}

func TestDigestLag(t *testing.T) {
	m := metrics.New("slack", "discord")
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	due := time.Time{}
	var fail error
	m.DigestLag(func() time.Time { return now }, func(ctx context.Context, at time.Time) (time.Time, error) {
		if !at.Equal(now) {
			t.Errorf("asked at %v, want %v", at, now)
		}
		return due, fail
	})
	if out := scrape(t, m); !strings.Contains(out, "briefbot_digest_lag_seconds 0\n") {
		t.Errorf("nothing due: %s", grep(out, "lag"))
	}
	due = now.Add(-90 * time.Second)
	if out := scrape(t, m); !strings.Contains(out, "briefbot_digest_lag_seconds 90\n") {
		t.Errorf("90s overdue: %s", grep(out, "lag"))
	}
	// A store that cannot answer leaves the gauge out, not the scrape.
	fail = errors.New("store down")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "briefbot_digest_lag_seconds ") {
		t.Errorf("store down: status %d, lag %q", rec.Code, grep(rec.Body.String(), "lag"))
	}
}

func TestCountRefusalsByReason(t *testing.T) {
	m := metrics.New("slack", "discord")
	now := time.Unix(1700000000, 0)
	// The handler refuses every request on /slack/ and /discord/, as an
	// adapter refuses unverifiable ones.
	h := m.CountRefusals(func() time.Time { return now }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	}))
	send := func(path string, headers ...string) {
		r := httptest.NewRequest(http.MethodPost, path, nil)
		for i := 0; i < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	fresh := strconv.FormatInt(now.Unix()-10, 10)
	old := strconv.FormatInt(now.Add(-6*time.Minute).Unix(), 10)
	send("/slack/commands")
	send("/slack/events", "X-Slack-Request-Timestamp", old, "X-Slack-Signature", "v0=00")
	send("/slack/events", "X-Slack-Request-Timestamp", fresh, "X-Slack-Signature", "v0=00")
	send("/discord/interactions", "X-Signature-Timestamp", fresh, "X-Signature-Ed25519", "00")
	send("/discord/interactions", "X-Signature-Ed25519", "00")
	send("/healthz")
	out := scrape(t, m)
	for _, want := range []string{
		`briefbot_requests_unauthorized_total{platform="slack",reason="missing_signature"} 1`,
		`briefbot_requests_unauthorized_total{platform="slack",reason="stale_timestamp"} 1`,
		`briefbot_requests_unauthorized_total{platform="slack",reason="bad_signature"} 1`,
		`briefbot_requests_unauthorized_total{platform="discord",reason="bad_signature"} 1`,
		`briefbot_requests_unauthorized_total{platform="discord",reason="missing_signature"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestPostsByResult(t *testing.T) {
	m := metrics.New("slack", "discord")
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "chat.postMessage") && r.URL.Query().Get("c") == "gone":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok":false,"error":"channel_not_found"}`)
		case strings.HasSuffix(r.URL.Path, "chat.postMessage"):
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok":true}`)
		case strings.HasSuffix(r.URL.Path, "/messages"):
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			fmt.Fprint(w, `{"ok":true}`)
		}
	}))
	defer api.Close()
	post := func(platform, path string) string {
		client := &http.Client{Transport: m.Transport(platform, nil)}
		resp, err := client.Post(api.URL+path, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if body := post("slack", "/api/chat.postMessage?c=gone"); !strings.Contains(body, "channel_not_found") {
		t.Errorf("the caller lost the body: %q", body)
	}
	post("slack", "/api/chat.postMessage")
	post("slack", "/api/users.info") // not a post
	post("discord", "/api/v10/channels/1/messages")
	out := scrape(t, m)
	for _, want := range []string{
		`briefbot_platform_posts_total{platform="slack",result="rejected"} 1`,
		`briefbot_platform_posts_total{platform="slack",result="ok"} 1`,
		`briefbot_platform_posts_total{platform="discord",result="rate_limited"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s\n%s", want, grep(out, "posts_total"))
		}
	}
}

func TestRetriesAreIdenticalRequestsAfterAFailure(t *testing.T) {
	m := metrics.New("slack", "discord")
	calls := 0
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		switch calls {
		case 1:
			w.WriteHeader(http.StatusTooManyRequests)
		case 3:
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer api.Close()
	client := &http.Client{Transport: m.Transport("discord", nil)}
	post := func(body string) {
		resp, err := client.Post(api.URL+"/api/v10/channels/1/messages", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	post(`{"content":"part 1","nonce":"a"}`) // 429
	post(`{"content":"part 1","nonce":"a"}`) // its retry: ok
	post(`{"content":"part 2","nonce":"b"}`) // another message: 502
	post(`{"content":"part 3","nonce":"c"}`) // not a retry of part 2
	post(`{"content":"part 2","nonce":"b"}`) // the retry of part 2
	out := scrape(t, m)
	for _, want := range []string{
		`briefbot_platform_retries_total{platform="discord",reason="rate_limited"} 1`,
		`briefbot_platform_retries_total{platform="discord",reason="failed"} 1`,
		`briefbot_platform_posts_total{platform="discord",result="ok"} 3`,
		`briefbot_platform_posts_total{platform="discord",result="rate_limited"} 1`,
		`briefbot_platform_posts_total{platform="discord",result="failed"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s\n%s", want, grep(out, "discord"))
		}
	}
}

func grep(out, word string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(out, "\n") {
		if strings.Contains(line, word) && !strings.HasPrefix(line, "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// TestREADMEListsEveryMetric checks README's metrics table against what a
// fully wired Metrics exports, both ways.
func TestREADMEListsEveryMetric(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Skipf("no README: %v", err)
	}
	_, section, ok := strings.Cut(string(b), "\n### Metrics\n")
	if !ok {
		t.Fatal(`README has no "### Metrics" section`)
	}
	section, _, _ = strings.Cut(section, "\n#")
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(briefbot_[a-z_]+)`").FindAllStringSubmatch(section, -1) {
		documented = append(documented, m[1])
	}

	m := metrics.New("slack", "discord")
	m.Build("v", "c", "go")
	m.Connection("slack", 0, func() bool { return true })
	m.DigestLag(time.Now, func(context.Context, time.Time) (time.Time, error) { return time.Time{}, nil })
	m.Listener(func() int { return 0 }, 1, func() int64 { return 0 }, func() int64 { return 0 })
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var exported []string
	for _, f := range families {
		if name := f.GetName(); strings.HasPrefix(name, "briefbot_") {
			exported = append(exported, name)
		}
	}
	slices.Sort(documented)
	slices.Sort(exported)
	if diff := cmp.Diff(exported, documented); diff != "" {
		t.Errorf("README's metrics (+) against those exported (-):\n%s", diff)
	}
}
