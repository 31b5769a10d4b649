package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/config"
)

// TestMain lets tests run the real program in a child process: the test
// binary, started with BRIEFBOT_TEST_RUN_MAIN=1, runs main with the
// arguments in BRIEFBOT_TEST_ARGS instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("BRIEFBOT_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"briefbot"}, strings.Fields(os.Getenv("BRIEFBOT_TEST_ARGS"))...)
		main()
		return
	}
	os.Exit(m.Run())
}

type result struct {
	code           int
	stdout, stderr string
}

// runMain runs briefbot with args in a clean environment: no BRIEFBOT_*
// variables from the developer's shell and no briefbot.yaml found.
func runMain(t *testing.T, args ...string) result {
	t.Helper()
	return runEnv(t, nil, "", args...)
}

// runEnv is runMain with BRIEFBOT_* variables set from env and briefbot.yaml
// searched for in cfgDir ("" for none).
func runEnv(t *testing.T, env map[string]string, cfgDir string, args ...string) result {
	t.Helper()
	for _, k := range config.Keys() {
		// viper ignores empty variables.
		t.Setenv(config.EnvVar(k), "")
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	if cfgDir == "" {
		cfgDir = t.TempDir()
	}
	var stdout, stderr bytes.Buffer
	m := &Main{
		Stdin:             strings.NewReader(""),
		Stdout:            &stdout,
		Stderr:            &stderr,
		ConfigSearchPaths: []string{cfgDir},
	}
	code := m.Run(context.Background(), args)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func (r result) wantCode(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

func contains(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, out)
		}
	}
}

func lacks(t *testing.T, what, out string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(out, u) {
			t.Errorf("%s contains %q:\n%s", what, u, out)
		}
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const goodBriefing = `Testland
The parliament of Testland voted on Tuesday.

Risks & caveats
- Fragile majority: The coalition holds by two seats.

Looking ahead
- Budget fight: The budget vote in May will test the coalition.
`

func TestAskSection(t *testing.T) {
	r := runMain(t, "ask", "kazakhstan", "risks")
	r.wantCode(t, exitOK)
	contains(t, "stdout", r.stdout,
		"Risks & caveats",
		"Domestic and regional backlash",
		"Symbolic vs substantive",
		"Strategic balancing")
	// Only the asked-for section: nothing from "Looking ahead".
	lacks(t, "stdout", r.stdout, "Formal signing ceremony", "test the durability")
	if r.stderr != "" {
		t.Errorf("stderr not empty:\n%s", r.stderr)
	}
}

func TestAskFormats(t *testing.T) {
	t.Run("json", func(t *testing.T) {
		r := runMain(t, "ask", "--format", "json", "kazakhstan", "risks")
		r.wantCode(t, exitOK)
		var reply bot.Reply
		if err := json.Unmarshal([]byte(r.stdout), &reply); err != nil {
			t.Fatalf("stdout is not a JSON reply: %v\n%s", err, r.stdout)
		}
		if reply.Kind != bot.KindSection || len(reply.Sections) != 1 || len(reply.Sections[0].Blocks) != 3 {
			t.Errorf("reply = kind %q with %d sections, want one section of three bullets", reply.Kind, len(reply.Sections))
		}
	})
	t.Run("markdown", func(t *testing.T) {
		r := runMain(t, "ask", "--format=markdown", "kazakhstan", "risks")
		r.wantCode(t, exitOK)
		contains(t, "stdout", r.stdout, "Symbolic vs substantive")
	})
	t.Run("unknown format", func(t *testing.T) {
		r := runMain(t, "ask", "--format", "xml", "kazakhstan")
		r.wantCode(t, exitUsage)
		contains(t, "stderr", r.stderr, `--format must be text, markdown or json, got "xml"`)
		if r.stdout != "" {
			t.Errorf("stdout not empty:\n%s", r.stdout)
		}
	})
}

func TestAskNotFound(t *testing.T) {
	r := runMain(t, "ask", "atlantis", "weather")
	r.wantCode(t, exitFailure)
	// The user still learns what to try next.
	contains(t, "stdout", r.stdout, "list")
}

// "briefbot ask" with no question answers with help, as /brief does.
func TestAskNothingGivesHelp(t *testing.T) {
	r := runMain(t, "ask")
	r.wantCode(t, exitOK)
	contains(t, "stdout", r.stdout, "briefbot ask <topic> <section>")
	contains(t, "stdout", r.stdout, "Kazakhstan")
}

func TestAskUsageErrors(t *testing.T) {
	tests := map[string]struct {
		args []string
		want string
	}{
		"unknown flag":    {[]string{"ask", "--nope", "kazakhstan"}, "unknown flag: --nope"},
		"missing folder":  {[]string{"ask", "--briefings", "/nonexistent/briefings", "kazakhstan"}, "/nonexistent/briefings"},
		"unknown command": {[]string{"asq", "kazakhstan"}, `unknown command "asq"`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			r := runMain(t, tt.args...)
			r.wantCode(t, exitUsage)
			contains(t, "stderr", r.stderr, tt.want)
		})
	}
}

func TestAskFromFolderWithBadFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"testland.txt": goodBriefing,
		"empty.md":     "",
	})
	r := runMain(t, "ask", "--briefings", dir, "testland", "risks")
	r.wantCode(t, exitOK)
	contains(t, "stdout", r.stdout, "Fragile majority")
	lacks(t, "stdout", r.stdout, "Budget fight")
	contains(t, "stderr", r.stderr, filepath.Join(dir, "empty.md")+":1: empty file")
}

func TestAskFolderFromConfig(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"testland.txt": goodBriefing})

	t.Run("environment", func(t *testing.T) {
		r := runEnv(t, map[string]string{"BRIEFBOT_BRIEFINGS_DIR": dir}, "", "ask", "testland")
		r.wantCode(t, exitOK)
		contains(t, "stdout", r.stdout, "Testland", "parliament of Testland")
	})
	t.Run("config file", func(t *testing.T) {
		cfgFile := filepath.Join(t.TempDir(), "bb.yaml")
		writeFiles(t, filepath.Dir(cfgFile), map[string]string{"bb.yaml": "briefings:\n  dir: " + dir + "\n"})
		r := runMain(t, "--config", cfgFile, "ask", "testland", "outlook")
		r.wantCode(t, exitOK)
		contains(t, "stdout", r.stdout, "Budget fight")
	})
	t.Run("bad config file", func(t *testing.T) {
		cfgFile := filepath.Join(t.TempDir(), "briefbot.yaml")
		writeFiles(t, filepath.Dir(cfgFile), map[string]string{"briefbot.yaml": "log:\n  level: loud\n"})
		r := runMain(t, "--config", cfgFile, "ask", "kazakhstan")
		r.wantCode(t, exitUsage)
		contains(t, "stderr", r.stderr, "log.level (BRIEFBOT_LOG_LEVEL)")
	})
	t.Run("missing config file", func(t *testing.T) {
		r := runMain(t, "--config", "/nonexistent/briefbot.yaml", "ask", "kazakhstan")
		r.wantCode(t, exitUsage)
		contains(t, "stderr", r.stderr, "/nonexistent/briefbot.yaml")
	})
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"testland.txt":         goodBriefing,
		"nested/empty.md":      "",
		"unclosed.md":          "---\ntitle: Unclosed\n\n# Unclosed\n\nText.\n",
		"lede-only.md":         "# Lede only\n\nA briefing with no sections yet.\n",
		"notes/ignored.pdf.js": "not a briefing",
	})
	r := runMain(t, "check", dir)
	r.wantCode(t, exitFailure)
	contains(t, "stdout", r.stdout,
		filepath.Join(dir, "nested", "empty.md")+":1: empty file",
		filepath.Join(dir, "unclosed.md")+":1: ",
		filepath.Join(dir, "lede-only.md")+":1: warning: ",
	)
	lacks(t, "stdout", r.stdout, "testland.txt", "ignored")
	if n := strings.Count(r.stdout, "\n"); n != 3 {
		t.Errorf("stdout has %d lines, want one per problem (3):\n%s", n, r.stdout)
	}
	contains(t, "stderr", r.stderr, "checked 4 files: 2 errors, 1 warning")
}

func TestCheckWarningsOnly(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"testland.txt": goodBriefing,
		"lede-only.md": "# Lede only\n\nA briefing with no sections yet.\n",
	})
	r := runMain(t, "check", dir)
	r.wantCode(t, exitOK)
	contains(t, "stdout", r.stdout, "lede-only.md:1: warning: ")
	contains(t, "stderr", r.stderr, "checked 2 files: 0 errors, 1 warning")
}

func TestCheckFolderFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"testland.txt": goodBriefing})
	r := runEnv(t, map[string]string{"BRIEFBOT_BRIEFINGS_DIR": dir}, "", "check")
	r.wantCode(t, exitOK)
	contains(t, "stderr", r.stderr, "checked 1 file: 0 errors, 0 warnings")
}

func TestCheckUsageErrors(t *testing.T) {
	t.Run("missing folder", func(t *testing.T) {
		r := runMain(t, "check", "/nonexistent/briefings")
		r.wantCode(t, exitUsage)
		contains(t, "stderr", r.stderr, "/nonexistent/briefings")
	})
	t.Run("too many arguments", func(t *testing.T) {
		r := runMain(t, "check", "a", "b")
		r.wantCode(t, exitUsage)
	})
}

func TestCheckBundledSamples(t *testing.T) {
	// No folder given or configured: the samples the bot would answer from.
	r := runMain(t, "check")
	r.wantCode(t, exitOK)
	if r.stdout != "" {
		t.Errorf("the bundled samples have problems:\n%s", r.stdout)
	}
	contains(t, "stderr", r.stderr, "checked 5 files (the bundled samples; set BRIEFBOT_BRIEFINGS_DIR to check yours): 0 errors, 0 warnings")
}

// TestCheckWhatReadersMeet writes one briefing per problem an editor
// should hear about, and checks that each is reported on its line, that
// the good briefing is not, and that ask still answers from the folder.
func TestCheckWhatReadersMeet(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"testland.txt": goodBriefing,
		// line 4: a heading with nothing under it.
		"empty-section.txt": "Ruritania\nThe king abdicated on Monday.\n\nBackground\n\nOutlook\n- Succession: A regency council rules until June.\n",
		// line 2: a headline-like line took the lede.
		"swallowed.txt": "Freedonia\nFreedonia's president survives impeachment vote\nThe senate fell four votes short on Friday.\n\nRisks\n- Unrest: Protests continue.\n",
		// lines 3 and 4: misspelt keys; line 5: 3 April or 4 March?
		"keys.md":      "---\ntitle: Sylvania\ndte: 2026-01-10\nalias: [Sylvanian Republic]\n---\n\n# Sylvania\n\nSylvania held elections.\n\n## Outlook\n\n- Coalition: Talks begin.\n",
		"ambiguous.md": "---\ntitle: Osterlich\ndate: 03/04/2026\n---\n\nOsterlich devalued its currency.\n\n## Risks\n\n- Inflation: Prices could rise.\n",
		// line 3 of each: two topics claim "Grand Fenwick".
		"fenwick.md":  "---\ntitle: Fenwick\naliases: [Grand Fenwick]\ndate: 2026-02-01\n---\n\nFenwick has a new duchess.\n\n## Outlook\n\n- Wine: Exports grow.\n",
		"fenwick2.md": "---\ntitle: Fenwick Duchy\naliases: [Grand Fenwick]\ndate: 2026-02-01\n---\n\nThe duchy signed a treaty.\n\n## Outlook\n\n- Treaty: Ratified in March.\n",
		// Two files of one topic and date: one cannot be reached.
		"latveria.md":         "---\ntitle: Latveria\ndate: 2026-03-01\n---\n\nLatveria closed its border.\n\n## Risks\n\n- Trade: Halted.\n",
		"archive/latveria.md": "---\ntitle: Latveria\ndate: 2026-03-01\n---\n\nAn older note on Latveria.\n\n## Risks\n\n- Trade: Slowing.\n",
		// Not UTF-8: named and how to fix it; the file is not used.
		"latin1.txt": "Caf\xe9 society\nParis caf\xe9s reopen.\n",
	})
	p := func(name string) string { return filepath.Join(dir, filepath.FromSlash(name)) }
	r := runMain(t, "check", dir)
	r.wantCode(t, exitFailure)
	contains(t, "stdout", r.stdout,
		p("empty-section.txt")+`:4: warning: section "Background" has no content`,
		p("swallowed.txt")+`:2: warning: no lede: the heading "Freedonia's president survives impeachment vote"`,
		p("keys.md")+`:3: warning: unknown front-matter key "dte" is ignored: did you mean "date"?`,
		p("keys.md")+`:4: warning: unknown front-matter key "alias" is ignored: did you mean "aliases"?`,
		p("ambiguous.md")+`:3: warning: ambiguous date "03/04/2026"`,
		p("fenwick.md")+`:3: warning: alias "grand fenwick" is claimed by 2 topics`,
		p("fenwick2.md")+`:3: warning: alias "grand fenwick" is claimed by 2 topics`,
		`same topic "Latveria" and date 2026-03-01 as `,
		p("latin1.txt")+":1: not UTF-8",
		"iconv -f WINDOWS-1252 -t UTF-8",
	)
	lacks(t, "stdout", r.stdout, "testland.txt")
	if n := strings.Count(r.stdout, "\n"); n != 9 {
		t.Errorf("stdout has %d lines, want one per problem (9):\n%s", n, r.stdout)
	}
	contains(t, "stderr", r.stderr, "checked 10 files: 2 errors, 7 warnings")

	// The loader still uses every good file, warnings and all.
	r = runMain(t, "ask", "--briefings", dir, "sylvania", "outlook")
	r.wantCode(t, exitOK)
	contains(t, "stdout", r.stdout, "Coalition")
}

func TestList(t *testing.T) {
	r := runMain(t, "list")
	r.wantCode(t, exitOK)
	contains(t, "stdout", r.stdout, "Kazakhstan (2025-11-07)", "landmark diplomatic shift", "Abraham Accords")

	r = runMain(t, "list", "--format", "json")
	r.wantCode(t, exitOK)
	var reply bot.Reply
	if err := json.Unmarshal([]byte(r.stdout), &reply); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if reply.Kind != bot.KindList || len(reply.Items) < 2 {
		t.Errorf("reply kind %q with %d items, want a list of the sample topics", reply.Kind, len(reply.Items))
	}
}

func TestConfigRedactsSecrets(t *testing.T) {
	secrets := map[string]string{
		"BRIEFBOT_SLACK_BOT_TOKEN":      "xoxb-1-2-topsecretbot",
		"BRIEFBOT_SLACK_APP_TOKEN":      "xapp-1-topsecretapp",
		"BRIEFBOT_SLACK_SIGNING_SECRET": "topsecretsigning",
		"BRIEFBOT_DISCORD_TOKEN":        "topsecretdiscord",
		"BRIEFBOT_DISCORD_APP_ID":       "42",
		"BRIEFBOT_STORE_URL":            "postgres://bot:topsecretdb@127.0.0.1:5432/bb",
	}
	cfgDir := t.TempDir()
	writeFiles(t, cfgDir, map[string]string{"briefbot.yaml": "http:\n  addr: 127.0.0.1:9999\n"})
	r := runEnv(t, secrets, cfgDir, "config", "--log-level", "debug")
	r.wantCode(t, exitOK)
	lacks(t, "output", r.stdout+r.stderr, "topsecret")
	contains(t, "stdout", r.stdout,
		"# read from "+filepath.Join(cfgDir, "briefbot.yaml"),
		"addr: 127.0.0.1:9999",
		"level: debug",
		"bot_token: xoxb-…(redacted)",
		"signing_secret: (set, redacted)",
		"postgres://bot:REDACTED@127.0.0.1:5432/bb",
	)
}

func TestConfigInvalid(t *testing.T) {
	r := runMain(t, "config", "--log-format", "xml")
	r.wantCode(t, exitUsage)
	contains(t, "stderr", r.stderr, "log.format (BRIEFBOT_LOG_FORMAT): must be one of text, json")
}

// TestConfigChecksPlatformKeys: the adapters hold the rules for their
// settings; config and serve report them by key and variable, every
// problem at once, for each platform a credential turns on.
func TestConfigChecksPlatformKeys(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		name string
		env  map[string]string
		want []string // none means valid
	}{
		{"slack socket", map[string]string{"BRIEFBOT_SLACK_BOT_TOKEN": "xoxb-1", "BRIEFBOT_SLACK_APP_TOKEN": "xapp-1"}, nil},
		{"slack socket without app token", map[string]string{"BRIEFBOT_SLACK_BOT_TOKEN": "xoxb-1", "BRIEFBOT_SLACK_MODE": "socket"},
			[]string{"slack.app_token (BRIEFBOT_SLACK_APP_TOKEN) is required in socket mode"}},
		{"slack http without signing secret", map[string]string{"BRIEFBOT_SLACK_BOT_TOKEN": "xoxb-1", "BRIEFBOT_SLACK_MODE": "http"},
			[]string{"slack.signing_secret (BRIEFBOT_SLACK_SIGNING_SECRET) is required in http mode"}},
		{"slack values", map[string]string{
			"BRIEFBOT_SLACK_BOT_TOKEN": "xoxp-user-token", "BRIEFBOT_SLACK_APP_TOKEN": "xapp-1", "BRIEFBOT_SLACK_MODE": "rtm",
			"BRIEFBOT_SLACK_COMMAND": "brief", "BRIEFBOT_SLACK_REPLY": "thread", "BRIEFBOT_SLACK_API_URL": "slack.com/api",
		}, []string{
			"slack.bot_token (BRIEFBOT_SLACK_BOT_TOKEN) must be a bot token starting with xoxb-",
			`slack.mode (BRIEFBOT_SLACK_MODE) must be "socket" or "http", not "rtm"`,
			`slack.command (BRIEFBOT_SLACK_COMMAND) must look like /brief, not "brief"`,
			`slack.reply (BRIEFBOT_SLACK_REPLY) must be "ephemeral" or "in_channel", not "thread"`,
			"slack.api_url (BRIEFBOT_SLACK_API_URL) must be an absolute http(s) URL",
		}},
		{"discord gateway", map[string]string{"BRIEFBOT_DISCORD_TOKEN": "tok", "BRIEFBOT_DISCORD_APP_ID": "42"}, nil},
		{"discord http incomplete", map[string]string{"BRIEFBOT_DISCORD_MODE": "http", "BRIEFBOT_DISCORD_PUBLIC_KEY": key}, []string{
			"discord.app_id (BRIEFBOT_DISCORD_APP_ID) is required",
			"discord.token (BRIEFBOT_DISCORD_TOKEN) is required to register commands",
		}},
		{"discord values", map[string]string{
			"BRIEFBOT_DISCORD_TOKEN": "tok", "BRIEFBOT_DISCORD_APP_ID": "my-app", "BRIEFBOT_DISCORD_GUILD_ID": "guild",
			"BRIEFBOT_DISCORD_PUBLIC_KEY": "abcd", "BRIEFBOT_DISCORD_REPLY": "in_channel", "BRIEFBOT_DISCORD_API_URL": "ftp://discord.com/",
			"BRIEFBOT_DISCORD_SHARD_ID": "3", "BRIEFBOT_DISCORD_SHARD_COUNT": "2",
		}, []string{
			`discord.app_id (BRIEFBOT_DISCORD_APP_ID) must be a numeric id, not "my-app"`,
			`discord.guild_id (BRIEFBOT_DISCORD_GUILD_ID) must be a numeric id, not "guild"`,
			"discord.public_key (BRIEFBOT_DISCORD_PUBLIC_KEY) must be 32 bytes",
			`discord.reply (BRIEFBOT_DISCORD_REPLY) must be "ephemeral" or "public", not "in_channel"`,
			"discord.api_url (BRIEFBOT_DISCORD_API_URL) must be an absolute http(s) URL",
			"discord.shard_id (BRIEFBOT_DISCORD_SHARD_ID) 3 must be below ShardCount 2",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runEnv(t, tt.env, "", "config")
			if len(tt.want) == 0 {
				r.wantCode(t, exitOK)
				return
			}
			r.wantCode(t, exitUsage)
			contains(t, "stderr", r.stderr, tt.want...)
			lacks(t, "stderr", r.stderr, "xoxp-user-token")
		})
	}
}

func TestVersion(t *testing.T) {
	r := runMain(t, "version")
	r.wantCode(t, exitOK)
	for _, want := range []string{"briefbot ", "\ncommit: ", "\nbuilt:  ", "\ngo:     go1."} {
		contains(t, "stdout", r.stdout, want)
	}

	for v, val := range map[*string]string{&version: "v9.8.7", &commit: "0123456789abcdef0123", &buildTime: "2026-01-02T03:04:05Z"} {
		old := *v
		*v = val
		t.Cleanup(func() { *v = old })
	}
	r = runMain(t, "version")
	contains(t, "stdout", r.stdout, "briefbot v9.8.7\n")
	// VCS data Go recorded wins over -X; without it the -X values show.
	if b := readBuild(); b.Commit == "0123456789abcdef0123" {
		contains(t, "stdout", r.stdout, "commit: 0123456789abcdef0123")
		contains(t, "stdout", r.stdout, "built:  2026-01-02T03:04:05Z")
	}
}

func TestBuildFromBuildInfo(t *testing.T) {
	ldflags := build{Version: "", Commit: "fromldflags", Time: "ldtime", GoVersion: "go1.0"}
	vcs := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Version: "v0.0.0-20261130153559-b4bb43efbe38"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "b4bb43efbe3872da68f7811f2847421fe7509da4"},
			{Key: "vcs.time", Value: "2026-11-30T15:35:59Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	got := fromBuildInfo(ldflags, vcs)
	want := build{Version: "v0.0.0-20261130153559-b4bb43efbe38", Commit: "b4bb43efbe3872da68f7811f2847421fe7509da4", Modified: true, Time: "2026-11-30T15:35:59Z", GoVersion: "go1.26.8"}
	if got != want {
		t.Errorf("with VCS data: got %+v, want %+v", got, want)
	}
	if got.ShortCommit() != "b4bb43efbe38" {
		t.Errorf("ShortCommit = %q", got.ShortCommit())
	}

	// A build without VCS data (Docker without .git) keeps the -X values.
	got = fromBuildInfo(build{Version: "v1.2.3", Commit: "abc", Time: "t"}, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}})
	want = build{Version: "v1.2.3", Commit: "abc", Time: "t", GoVersion: "go1.26.8"}
	if got != want {
		t.Errorf("without VCS data: got %+v, want %+v", got, want)
	}
}

func TestHealthcheck(t *testing.T) {
	var status atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	t.Run("healthy", func(t *testing.T) {
		status.Store(http.StatusOK)
		r := runEnv(t, map[string]string{"BRIEFBOT_HTTP_ADDR": addr}, "", "healthcheck")
		r.wantCode(t, exitOK)
		contains(t, "stdout", r.stdout, "ok")
	})
	t.Run("unhealthy", func(t *testing.T) {
		status.Store(http.StatusServiceUnavailable)
		r := runEnv(t, map[string]string{"BRIEFBOT_HTTP_ADDR": addr}, "", "healthcheck")
		r.wantCode(t, exitFailure)
		contains(t, "stderr", r.stderr, "503")
	})
}

func TestHealthURL(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":          "http://127.0.0.1:8080/healthz",
		"0.0.0.0:80":     "http://127.0.0.1:80/healthz",
		"[::]:8080":      "http://[::1]:8080/healthz",
		"10.0.0.5:9000":  "http://10.0.0.5:9000/healthz",
		"localhost:8081": "http://localhost:8081/healthz",
	} {
		got, err := healthURL(addr)
		if err != nil || got != want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
}
