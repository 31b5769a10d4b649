package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"

	"github.com/briefbot/briefbot/bot"
)

// isolate clears every BRIEFBOT_ variable (viper ignores empty ones) so
// the developer's environment cannot change the outcome, and returns an
// empty directory to search for briefbot.yaml.
func isolate(t *testing.T) string {
	t.Helper()
	for _, k := range Keys() {
		t.Setenv(EnvVar(k), "")
	}
	return t.TempDir()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func defaults() Config {
	return Config{
		Log: Log{Format: "text", Level: "info"},
		HTTP: HTTP{Addr: ":8080", ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second,
			IdleTimeout: 75 * time.Second, MaxConnections: 4096},
		Shutdown: Shutdown{Timeout: 10 * time.Second},
		Slack: Slack{
			Command: "/brief",
			Reply:   "ephemeral",
			APIURL:  "https://slack.com/api/",
			Admins:  []string{},
		},
		Discord: Discord{
			Mode:             "gateway",
			Reply:            "ephemeral",
			RegisterCommands: true,
			APIURL:           "https://discord.com/api/v10/",
			ShardCount:       1,
		},
		Store:     Store{ConnectTimeout: 60 * time.Second},
		Digest:    Digest{Grace: 2 * time.Hour, MaxFailures: 5},
		Readiness: Readiness{Require: []string{"http", "briefings", "store"}},
		Analytics: Analytics{Enabled: true, Retention: 30 * 24 * time.Hour},
	}
}

func TestLoadDefaults(t *testing.T) {
	dir := isolate(t)
	got, err := Load(Options{SearchPaths: []string{dir}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if diff := cmp.Diff(defaults(), got); diff != "" {
		t.Errorf("defaults mismatch (-want +got):\n%s", diff)
	}
}

func TestEnvVar(t *testing.T) {
	for key, want := range map[string]string{
		"briefings.dir":       "BRIEFBOT_BRIEFINGS_DIR",
		"slack.bot_token":     "BRIEFBOT_SLACK_BOT_TOKEN",
		"digest.max_failures": "BRIEFBOT_DIGEST_MAX_FAILURES",
	} {
		if got := EnvVar(key); got != want {
			t.Errorf("EnvVar(%q) = %q, want %q", key, got, want)
		}
	}
}

// Polling is off unless asked for, from the file or the environment.
func TestBriefingsPollInterval(t *testing.T) {
	dir := isolate(t)
	c, err := Load(Options{SearchPaths: []string{dir}})
	if err != nil || c.Briefings.PollInterval != 0 {
		t.Fatalf("default poll_interval = %v, %v; want 0 (off)", c.Briefings.PollInterval, err)
	}
	writeFile(t, dir, FileName, "briefings:\n  dir: /mnt/efs/briefings\n  poll_interval: 30s\n")
	if c, err = Load(Options{SearchPaths: []string{dir}}); err != nil || c.Briefings.PollInterval != 30*time.Second {
		t.Errorf("poll_interval from the file = %v, %v; want 30s", c.Briefings.PollInterval, err)
	}
	t.Setenv("BRIEFBOT_BRIEFINGS_POLL_INTERVAL", "1m")
	if c, err = Load(Options{SearchPaths: []string{dir}}); err != nil || c.Briefings.PollInterval != time.Minute {
		t.Errorf("poll_interval from the environment = %v, %v; want 1m", c.Briefings.PollInterval, err)
	}
}

func TestLoadPrecedence(t *testing.T) {
	dir := isolate(t)
	writeFile(t, dir, FileName, `
briefings:
  dir: /from/file
log:
  level: warn
  format: json
http:
  addr: ":9000"
shutdown:
  timeout: 30s
`)
	t.Setenv("BRIEFBOT_BRIEFINGS_DIR", "/from/env")
	t.Setenv("BRIEFBOT_LOG_LEVEL", "error")
	// Set only in the environment: Unmarshal must still see it.
	t.Setenv("BRIEFBOT_SLACK_APP_TOKEN", "xapp-1-test")
	t.Setenv("BRIEFBOT_DIGEST_MAX_FAILURES", "9")
	t.Setenv("BRIEFBOT_DISCORD_REGISTER_COMMANDS", "false")
	t.Setenv("BRIEFBOT_SLACK_ADMINS", "U1, U2")

	flags := pflag.NewFlagSet("test", pflag.ContinueOnError)
	flags.String("briefings", "", "")
	flags.String("log-format", "text", "")
	flags.String("log-level", "info", "")
	if err := flags.Parse([]string{"--briefings", "/from/flag"}); err != nil {
		t.Fatal(err)
	}

	got, err := Load(Options{
		SearchPaths: []string{dir},
		Flags:       flags,
		FlagKeys:    map[string]string{"briefings.dir": "briefings"},
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := defaults()
	want.File = filepath.Join(dir, FileName)
	want.Briefings.Dir = "/from/flag" // flag beats env and file
	want.Log.Level = "error"          // env beats file; unset flag does not count
	want.Log.Format = "json"          // file beats the flag's default
	want.HTTP.Addr = ":9000"          // file beats default
	want.Shutdown.Timeout = 30 * time.Second
	want.Slack.AppToken = "xapp-1-test" // env only
	want.Slack.Admins = []string{"U1", "U2"}
	want.Digest.MaxFailures = 9
	want.Discord.RegisterCommands = false
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config mismatch (-want +got):\n%s", diff)
	}
}

// The listener's limits and the metrics address come from the file or the
// environment like every other key.
func TestListenerKeys(t *testing.T) {
	dir := isolate(t)
	writeFile(t, dir, FileName, "http:\n  read_timeout: 5s\n  max_connections: 20000\nmetrics:\n  addr: 127.0.0.1:9090\n")
	t.Setenv("BRIEFBOT_HTTP_WRITE_TIMEOUT", "1m")
	t.Setenv("BRIEFBOT_HTTP_IDLE_TIMEOUT", "2m")
	got, err := Load(Options{SearchPaths: []string{dir}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := HTTP{Addr: ":8080", ReadTimeout: 5 * time.Second, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute, MaxConnections: 20000}
	if diff := cmp.Diff(want, got.HTTP); diff != "" {
		t.Errorf("http (-want +got):\n%s", diff)
	}
	if got.Metrics.Addr != "127.0.0.1:9090" {
		t.Errorf("metrics.addr = %q, want 127.0.0.1:9090", got.Metrics.Addr)
	}
}

func TestLoadConfigFile(t *testing.T) {
	t.Run("explicit file beats search path", func(t *testing.T) {
		dir := isolate(t)
		writeFile(t, dir, FileName, "log:\n  level: warn\n")
		explicit := writeFile(t, t.TempDir(), "other.conf", "log:\n  level: debug\n")
		got, err := Load(Options{File: explicit, SearchPaths: []string{dir}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Log.Level != "debug" || got.File != explicit {
			t.Errorf("got level %q from %q, want debug from %q", got.Log.Level, got.File, explicit)
		}
	})
	t.Run("missing explicit file is an error", func(t *testing.T) {
		dir := isolate(t)
		_, err := Load(Options{File: filepath.Join(dir, "nope.yaml")})
		if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
			t.Errorf("err = %v, want an error naming nope.yaml", err)
		}
	})
	t.Run("missing default file is not an error", func(t *testing.T) {
		dir := isolate(t)
		got, err := Load(Options{SearchPaths: []string{dir, filepath.Join(dir, "absent")}})
		if err != nil || got.File != "" {
			t.Errorf("Load = file %q, err %v; want no file, no error", got.File, err)
		}
	})
	t.Run("first search path wins", func(t *testing.T) {
		isolate(t)
		a, b := t.TempDir(), t.TempDir()
		writeFile(t, a, FileName, "log:\n  level: warn\n")
		writeFile(t, b, FileName, "log:\n  level: debug\n")
		got, err := Load(Options{SearchPaths: []string{a, b}})
		if err != nil || got.Log.Level != "warn" {
			t.Errorf("level %q, err %v; want warn from the first path", got.Log.Level, err)
		}
	})
	t.Run("malformed file", func(t *testing.T) {
		dir := isolate(t)
		p := writeFile(t, dir, FileName, "log: [unclosed\n")
		_, err := Load(Options{SearchPaths: []string{dir}})
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("err = %v, want an error naming %s", err, p)
		}
	})
	t.Run("unknown key", func(t *testing.T) {
		dir := isolate(t)
		writeFile(t, dir, FileName, "slack:\n  bot_tokn: xoxb-1\n")
		_, err := Load(Options{SearchPaths: []string{dir}})
		if err == nil || !strings.Contains(err.Error(), `unknown key "slack.bot_tokn"`) {
			t.Errorf("err = %v, want unknown key slack.bot_tokn", err)
		}
	})
}

func TestValidationNamesKeyAndVariable(t *testing.T) {
	tests := []struct {
		key, value, want string
	}{
		{"log.format", "xml", "must be one of text, json"},
		{"log.level", "loud", "must be one of debug, info, warn, error"},
		{"http.addr", "8080", "must be host:port"},
		{"http.read_timeout", "0s", "must be a positive duration"},
		{"http.write_timeout", "2s", "must be at least 5s: Slack and Discord wait 3s"},
		{"http.idle_timeout", "soon", "invalid duration"},
		{"http.max_connections", "4", "must be at least 16"},
		{"http.max_connections", "many", "invalid integer"},
		{"metrics.addr", "9090", "must be host:port"},
		{"metrics.addr", ":8080", "must differ from http.addr"},
		{"shutdown.timeout", "10", "invalid duration"},
		{"shutdown.timeout", "-5s", "must be a positive duration"},
		{"briefings.poll_interval", "500ms", "must be 0 (off) or at least 1s"},
		{"briefings.poll_interval", "-1m", "must be 0 (off) or at least 1s"},
		{"briefings.poll_interval", "often", "invalid duration"},
		// Values of the wrong type; what a platform's keys may hold is
		// the adapter's rule (see cmd/briefbot's TestPlatformKeysChecked).
		{"discord.register_commands", "maybe", "invalid boolean"},
		{"discord.shard_id", "one", "invalid integer"},
		{"store.url", "mysql://db", "must be empty"},
		{"store.url", "sqlite:", "needs a file path"},
		{"digest.grace", "two hours", "invalid duration"},
		{"digest.max_failures", "0", "must be at least 1"},
		{"digests", "{not: a list}", "must be a YAML or JSON list"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			dir := isolate(t)
			env := EnvVar(tt.key)
			t.Setenv(env, tt.value)
			_, err := Load(Options{SearchPaths: []string{dir}})
			if err == nil {
				t.Fatalf("%s=%q: no error", env, tt.value)
			}
			prefix := tt.key + " (" + env + "): "
			msg := err.Error()
			if !strings.Contains(msg, prefix) || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q\nwant it to contain %q and %q", msg, prefix, tt.want)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Key != tt.key || fe.Env != env {
				t.Errorf("errors.As FieldError = %+v, want key %s env %s", fe, tt.key, env)
			}
		})
	}
}

func TestValidationReportsAllErrorsAtOnce(t *testing.T) {
	dir := isolate(t)
	t.Setenv("BRIEFBOT_LOG_LEVEL", "loud")
	t.Setenv("BRIEFBOT_SHUTDOWN_TIMEOUT", "soon")
	t.Setenv("BRIEFBOT_STORE_URL", "postgres://bot:secret-value-123@")
	_, err := Load(Options{SearchPaths: []string{dir}})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{"BRIEFBOT_LOG_LEVEL", "BRIEFBOT_SHUTDOWN_TIMEOUT", "BRIEFBOT_STORE_URL"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not mention %s:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "secret-value-123") {
		t.Errorf("error echoes the token:\n%s", msg)
	}
}

const digestsYAML = `
digests:
  - id: morning
    platform: slack
    channel: C0123
    schedule: "0 8 * * 1-5"
    timezone: Europe/Berlin
    topics: [kazakhstan, "central asia"]
  - id: weekly
    platform: discord
    channel: "123456789"
    schedule: "@weekly"
    include: all
    when_empty: post
    corrections: follow_up
    corrections_window: 6h
`

func TestDigestsFromFile(t *testing.T) {
	dir := isolate(t)
	writeFile(t, dir, FileName, digestsYAML)
	got, err := Load(Options{SearchPaths: []string{dir}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []Schedule{
		{
			ID: "morning", Platform: "slack", Channel: "C0123", Schedule: "0 8 * * 1-5",
			Timezone: "Europe/Berlin", Topics: []string{"kazakhstan", "central asia"},
			Include: "new", WhenEmpty: "skip",
		},
		{
			ID: "weekly", Platform: "discord", Channel: "123456789", Schedule: "@weekly",
			Topics: []string{}, Include: "all", WhenEmpty: "post",
			Corrections: "follow_up", CorrectionsWindow: 6 * time.Hour,
		},
	}
	if diff := cmp.Diff(want, got.Digests); diff != "" {
		t.Errorf("digests mismatch (-want +got):\n%s", diff)
	}
}

func TestDigestsFromEnv(t *testing.T) {
	dir := isolate(t)
	t.Setenv("BRIEFBOT_DIGESTS", `[{"id":"d1","platform":"slack","channel":"C1","schedule":"@daily"}]`)
	got, err := Load(Options{SearchPaths: []string{dir}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []Schedule{{ID: "d1", Platform: "slack", Channel: "C1", Schedule: "@daily",
		Topics: []string{}, Include: "new", WhenEmpty: "skip"}}
	if diff := cmp.Diff(want, got.Digests); diff != "" {
		t.Errorf("digests mismatch (-want +got):\n%s", diff)
	}
}

func TestDigestValidation(t *testing.T) {
	dir := isolate(t)
	writeFile(t, dir, FileName, `
digests:
  - id: a
    platform: teams
    schedule: "every day"
    timezone: Mars/Olympus
    include: some
    when_empty: shout
    corrections: sometimes
  - id: a
    platform: slack
    channel: C1
    schedule: "@daily"
    chanel: typo
`)
	_, err := Load(Options{SearchPaths: []string{dir}})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		"digests[0].platform (BRIEFBOT_DIGESTS): must be slack or discord",
		"digests[0].channel (BRIEFBOT_DIGESTS): is required",
		`digests[0].schedule (BRIEFBOT_DIGESTS): schedule "every day"`,
		"digests[0].timezone (BRIEFBOT_DIGESTS): unknown time zone",
		"digests[0].include (BRIEFBOT_DIGESTS): must be new or all",
		"digests[0].when_empty (BRIEFBOT_DIGESTS): must be skip or post",
		"digests[0].corrections (BRIEFBOT_DIGESTS): must be edit, follow_up or off",
		`digests[1].id (BRIEFBOT_DIGESTS): "a" is already used by digests[0]`,
		"digests[1] (BRIEFBOT_DIGESTS):",
		"chanel",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
}

// TestSchedulesAgreeWithTheScheduler checks that config accepts exactly
// the schedules the scheduler can run: each of these once passed
// validation and then never posted.
func TestSchedulesAgreeWithTheScheduler(t *testing.T) {
	tests := []struct {
		schedule, timezone string
		// refusal is part of the message config gives; "" means accepted.
		refusal string
	}{
		{"CRON_TZ=Asia/Almaty 0 8 * * *", "", "set the time zone in the timezone field"},
		{"TZ=Asia/Almaty 0 8 * * *", "", "set the time zone in the timezone field"},
		{"@every 500ms", "", "interval must be at least 1s"},
		{"0 0 30 2 *", "", "never fires"},
		{"0 0 31 4 *", "Europe/Berlin", "never fires"},
		{"0 8 * * *", "Asia/Almaty", ""},
		{"@every 10m", "", ""},
		{"@daily", "America/New_York", ""},
		{"0 0 29 2 *", "", ""}, // leap days do come
	}
	for _, tt := range tests {
		t.Run(tt.schedule, func(t *testing.T) {
			dir := isolate(t)
			t.Setenv(EnvVar("digests"), fmt.Sprintf(`[{"id":"d","platform":"slack","channel":"C1","schedule":%q,"timezone":%q}]`, tt.schedule, tt.timezone))
			_, err := Load(Options{SearchPaths: []string{dir}})
			sched, perr := bot.ParseSchedule(tt.schedule, tt.timezone)
			if tt.refusal == "" {
				if err != nil {
					t.Fatalf("config refused a schedule the scheduler runs: %v", err)
				}
				if perr != nil {
					t.Fatalf("scheduler refused it: %v", perr)
				}
				now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
				if next := sched.Next(now); !next.After(now) {
					t.Fatalf("accepted schedule has no next slot after %s: %s", now, next)
				}
				return
			}
			if err == nil {
				t.Fatal("config accepted a schedule the scheduler cannot run")
			}
			want := "digests[0].schedule (BRIEFBOT_DIGESTS): "
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), tt.refusal) {
				t.Errorf("error = %q, want %q and %q", err, want, tt.refusal)
			}
			if perr == nil {
				t.Error("the scheduler's parser accepts what config refuses")
			}
		})
	}
}

func TestValidateServe(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want []string // substrings; none means valid
	}{
		// Any credential starts a platform; whether the platform's keys
		// fit together is the adapter's check.
		{"nothing configured", func(*Config) {}, nil},
		{"slack", func(c *Config) { c.Slack.SigningSecret = "s" }, nil},
		{"discord", func(c *Config) { c.Discord.PublicKey = "k" }, nil},
		{"digest for unconfigured platform", func(c *Config) {
			c.Discord.Token = "tok"
			c.Digests = []Schedule{{ID: "d", Platform: "slack", Channel: "C", Schedule: "@daily"}}
		}, []string{"digests[0].platform (BRIEFBOT_DIGESTS): slack is not configured"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := defaults()
			tt.edit(&c)
			err := c.ValidateServe()
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("ValidateServe: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateServe: no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestRedaction(t *testing.T) {
	dir := isolate(t)
	secrets := map[string]string{
		"BRIEFBOT_SLACK_BOT_TOKEN":      "xoxb-111-222-botsecretvalue",
		"BRIEFBOT_SLACK_APP_TOKEN":      "xapp-1-A1-appsecretvalue",
		"BRIEFBOT_SLACK_SIGNING_SECRET": "signingsecretvalue",
		"BRIEFBOT_DISCORD_TOKEN":        "discordsecretvalue",
		"BRIEFBOT_STORE_URL":            "postgres://bot:dbsecretvalue@db.example:5432/briefbot?sslmode=disable",
		"BRIEFBOT_SLACK_API_URL":        "https://proxy:slackurlsecret@slack.example/api/",
		"BRIEFBOT_DISCORD_API_URL":      "https://discord.example/api/v10/?token=discordurlsecret",
	}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	c, err := Load(Options{SearchPaths: []string{dir}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	var yamlOut bytes.Buffer
	if err := c.WriteYAML(&yamlOut); err != nil {
		t.Fatal(err)
	}
	var logOut bytes.Buffer
	slog.New(slog.NewJSONHandler(&logOut, nil)).Info("loaded", "config", c)

	outputs := map[string]string{
		"WriteYAML": yamlOut.String(),
		"String":    c.String(),
		"slog":      logOut.String(),
	}
	for name, out := range outputs {
		for _, word := range []string{"botsecretvalue", "appsecretvalue", "signingsecretvalue", "discordsecretvalue", "dbsecretvalue", "slackurlsecret", "discordurlsecret"} {
			if strings.Contains(out, word) {
				t.Errorf("%s output contains secret %q:\n%s", name, word, out)
			}
		}
	}
	for _, want := range []string{
		"bot_token: xoxb-…(redacted)",
		"app_token: xapp-…(redacted)",
		"signing_secret: (set, redacted)",
		"token: (set, redacted)",
		"url: postgres://bot:REDACTED@db.example:5432/briefbot?sslmode=disable",
		"timeout: 10s",
	} {
		if !strings.Contains(yamlOut.String(), want) {
			t.Errorf("YAML lacks %q:\n%s", want, yamlOut.String())
		}
	}
	// Redaction works on a copy.
	if c.Slack.BotToken != secrets["BRIEFBOT_SLACK_BOT_TOKEN"] {
		t.Errorf("Redacted modified the original config")
	}
}

func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"":                         "",
		"sqlite:/data/briefbot.db": "sqlite:/data/briefbot.db",
		"postgres://u@h/db":        "postgres://u@h/db",
		"postgres://u:pw@h/db":     "postgres://u:REDACTED@h/db",
		"postgres://u@h/db?password=pw&sslmode=disable": "postgres://u@h/db?password=REDACTED&sslmode=disable",
		"host=h user=u password=pw dbname=d":            "host=h user=u password=REDACTED dbname=d",
		"host=h password='p w' dbname=d":                "host=h password=REDACTED dbname=d",
		"https://slack.com/api/":                        "https://slack.com/api/",
		"https://proxy:hunter2@slack.example/api/":      "https://proxy:REDACTED@slack.example/api/",
		"https://ghp_tokenvalue@discord.example/api/":   "https://REDACTED@discord.example/api/",
		"https://h/api/?token=abc&region=eu":            "https://h/api/?region=eu&token=REDACTED",
		"https://h/api/?Api_Key=abc":                    "https://h/api/?Api_Key=REDACTED",
		"http://%zz:pw@h/":                              "(set, redacted)",
	}
	for in, want := range tests {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteYAMLRoundTrip(t *testing.T) {
	// The printed configuration (without secrets) is itself a valid
	// briefbot.yaml that loads back to the same values.
	dir := isolate(t)
	writeFile(t, dir, FileName, digestsYAML+"slack:\n  admins: [U1]\n  reply: in_channel\n")
	c, err := Load(Options{SearchPaths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := c.WriteYAML(&out); err != nil {
		t.Fatal(err)
	}
	dir2 := t.TempDir()
	writeFile(t, dir2, FileName, out.String())
	c2, err := Load(Options{SearchPaths: []string{dir2}})
	if err != nil {
		t.Fatalf("reload printed config: %v\n%s", err, out.String())
	}
	if diff := cmp.Diff(c, c2, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "File" }, cmp.Ignore())); diff != "" {
		t.Errorf("round trip mismatch (-first +second):\n%s", diff)
	}
}

func TestSecretsFromFiles(t *testing.T) {
	dir := isolate(t)
	secretDir := t.TempDir()
	tok := writeFile(t, secretDir, "bot-token", "xoxb-111-filesecret\n")
	pgURL := writeFile(t, secretDir, "store-url", "postgres://bot:pgfilesecret@db:5432/briefbot\n")
	t.Setenv("BRIEFBOT_SLACK_BOT_TOKEN_FILE", tok)
	t.Setenv("BRIEFBOT_SLACK_SIGNING_SECRET", "signing")
	writeFile(t, dir, FileName, "store:\n  url_file: "+pgURL+"\n")
	c, err := Load(Options{SearchPaths: []string{dir}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Slack.BotToken != "xoxb-111-filesecret" || c.Store.URL != "postgres://bot:pgfilesecret@db:5432/briefbot" {
		t.Errorf("secrets not read from files: bot token %q, store url %q", c.Slack.BotToken, c.Store.URL)
	}
	if out := c.String(); strings.Contains(out, "filesecret") || !strings.Contains(out, "bot_token_file: "+tok) {
		t.Errorf("config output leaks a secret or hides the file it came from:\n%s", out)
	}

	// Rotation: the file changes, SIGHUP re-reads it.
	writeFile(t, secretDir, "bot-token", "xoxb-222-rotated\n")
	n, changed, err := c.ReloadSecrets()
	if err != nil {
		t.Fatalf("ReloadSecrets: %v", err)
	}
	if diff := cmp.Diff([]string{"slack.bot_token"}, changed); diff != "" {
		t.Errorf("changed keys (-want +got):\n%s", diff)
	}
	if n.Slack.BotToken != "xoxb-222-rotated" || c.Slack.BotToken != "xoxb-111-filesecret" {
		t.Errorf("after reload: new %q, old %q", n.Slack.BotToken, c.Slack.BotToken)
	}
	// A rotation to an empty file is refused and the old config kept.
	// (Whether a value suits Slack is the adapter's check, which cmd runs.)
	writeFile(t, secretDir, "bot-token", "\n")
	if _, _, err := n.ReloadSecrets(); err == nil || !strings.Contains(err.Error(), "slack.bot_token") {
		t.Errorf("an empty rotated token: err = %v", err)
	}
}

func TestSecretFileErrors(t *testing.T) {
	dir := isolate(t)
	t.Setenv("BRIEFBOT_DISCORD_TOKEN", "direct")
	t.Setenv("BRIEFBOT_DISCORD_TOKEN_FILE", filepath.Join(dir, "also"))
	t.Setenv("BRIEFBOT_SLACK_APP_TOKEN_FILE", filepath.Join(dir, "missing"))
	empty := writeFile(t, dir, "empty", "\n")
	t.Setenv("BRIEFBOT_SLACK_SIGNING_SECRET_FILE", empty)
	_, err := Load(Options{SearchPaths: []string{dir}})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"discord.token_file (BRIEFBOT_DISCORD_TOKEN_FILE): cannot be set together with discord.token (BRIEFBOT_DISCORD_TOKEN)",
		"slack.app_token_file (BRIEFBOT_SLACK_APP_TOKEN_FILE): read secret:",
		"slack.signing_secret_file (BRIEFBOT_SLACK_SIGNING_SECRET_FILE): secret file " + empty + " is empty",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestEverySecretHasAFileKey(t *testing.T) {
	known := map[string]bool{}
	for _, k := range Keys() {
		known[k] = true
	}
	for _, k := range SecretKeys() {
		if !known[k] || !known[k+"_file"] {
			t.Errorf("secret %s lacks its key or its _file key", k)
		}
	}
}

// readiness.require takes only the checks /readyz knows, and a Discord
// digest only a channel id Discord could have issued.
func TestValidateReadinessAndDiscordChannel(t *testing.T) {
	good := func() Config {
		c, err := Load(Options{SearchPaths: []string{t.TempDir()}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := good()
	if diff := cmp.Diff([]string{"http", "briefings", "store"}, c.Readiness.Require); diff != "" {
		t.Errorf("default readiness.require (-want +got):\n%s", diff)
	}
	c.Readiness.Require = []string{"store", "gatway"}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), `readiness.require (BRIEFBOT_READINESS_REQUIRE): "gatway" is not a check`) {
		t.Errorf("unknown check: err = %v", err)
	}
	for channel, ok := range map[string]bool{"123456789012345678": true, "#general": false, "12345678901234567890123": false, "<#123>": false} {
		c := good()
		c.Digests = []Schedule{{ID: "d", Platform: "discord", Channel: channel, Schedule: "@daily", Include: "new", WhenEmpty: "skip"}}
		err := c.Validate()
		if bad := err != nil && strings.Contains(err.Error(), "digests[0].channel"); bad == ok {
			t.Errorf("channel %q: err = %v, want accepted %v", channel, err, ok)
		}
	}
}
