package config

import (
	"errors"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot/bot"
)

const (
	// minWriteTimeout leaves room for the platforms' 3-second answer
	// budget after a request's headers.
	minWriteTimeout = 5 * time.Second
	// minConnections keeps room for probes and webhooks under any cap.
	minConnections = 16
)

// Validate checks every key's value on its own and against the others that
// are needed whatever command runs. It returns all problems joined, nil when
// there are none.
func (c Config) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	if d := c.Briefings.PollInterval; d != 0 && d < time.Second {
		add(fieldErr("briefings.poll_interval", "must be 0 (off) or at least 1s, got %s", d))
	}
	add(oneOf("log.format", c.Log.Format, "text", "json"))
	add(oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error"))
	add(checkAddr("http.addr", c.HTTP.Addr))
	add(positive("http.read_timeout", c.HTTP.ReadTimeout))
	if c.HTTP.WriteTimeout < minWriteTimeout {
		add(fieldErr("http.write_timeout", "must be at least %s: Slack and Discord wait 3s for an answer and it must not be cut off, got %s", minWriteTimeout, c.HTTP.WriteTimeout))
	}
	add(positive("http.idle_timeout", c.HTTP.IdleTimeout))
	if c.HTTP.MaxConnections < minConnections {
		add(fieldErr("http.max_connections", "must be at least %d, got %d", minConnections, c.HTTP.MaxConnections))
	}
	if c.Metrics.Addr != "" {
		if err := checkAddr("metrics.addr", c.Metrics.Addr); err != nil {
			add(err)
		} else if _, port, _ := net.SplitHostPort(c.Metrics.Addr); c.Metrics.Addr == c.HTTP.Addr && port != "0" {
			add(fieldErr("metrics.addr", "must differ from http.addr (%s), or be empty to serve /metrics there", c.HTTP.Addr))
		}
	}
	add(positive("shutdown.timeout", c.Shutdown.Timeout))

	// The slack.* and discord.* keys are checked by the adapters
	// themselves (slack.Config.Check, discord.Config.Check), which cmd
	// runs for the platforms it starts, naming these keys.

	add(checkStore("store.url", c.Store.URL))
	add(positive("store.connect_timeout", c.Store.ConnectTimeout))
	add(positive("digest.grace", c.Digest.Grace))
	if c.Digest.MaxFailures < 1 {
		add(fieldErr("digest.max_failures", "must be at least 1, got %d", c.Digest.MaxFailures))
	}

	for _, r := range c.Readiness.Require {
		if !slices.Contains(ReadinessChecks, r) {
			add(fieldErr("readiness.require", "%q is not a check; use any of %s", r, strings.Join(ReadinessChecks, ", ")))
		}
	}

	ids := map[string]int{}
	for i, d := range c.Digests {
		if strings.TrimSpace(d.ID) == "" {
			add(digestErr(i, "id", "is required"))
		} else if j, dup := ids[d.ID]; dup {
			add(digestErr(i, "id", "%q is already used by digests[%d]", d.ID, j))
		} else {
			ids[d.ID] = i
		}
		if !slices.Contains([]string{"slack", "discord"}, d.Platform) {
			add(digestErr(i, "platform", "must be slack or discord, got %q", d.Platform))
		}
		switch {
		case strings.TrimSpace(d.Channel) == "":
			add(digestErr(i, "channel", "is required"))
		case d.Platform == "discord" && !snowflake(d.Channel):
			add(digestErr(i, "channel", "must be a Discord channel id (digits only: Developer Mode, right-click the channel, Copy Channel ID), got %q", d.Channel))
		}
		tz := d.Timezone
		if tz != "" {
			if _, err := time.LoadLocation(tz); err != nil {
				add(digestErr(i, "timezone", "unknown time zone %q", d.Timezone))
				// The schedule is still checked, on its own.
				tz = ""
			}
		}
		if strings.TrimSpace(d.Schedule) == "" {
			add(digestErr(i, "schedule", "is required (a cron expression such as \"0 8 * * 1-5\")"))
		} else if _, err := bot.ParseSchedule(d.Schedule, tz); err != nil {
			// The scheduler's own parser: what passes here is what it runs.
			add(digestErr(i, "schedule", "%v", err))
		}
		for j, t := range d.Topics {
			if strings.TrimSpace(t) == "" {
				add(digestErr(i, "topics", "entry %d is empty", j))
			}
		}
		if !slices.Contains([]string{"new", "all"}, d.Include) {
			add(digestErr(i, "include", "must be new or all, got %q", d.Include))
		}
		if !slices.Contains([]string{"skip", "post"}, d.WhenEmpty) {
			add(digestErr(i, "when_empty", "must be skip or post, got %q", d.WhenEmpty))
		}
		if !bot.ValidCorrections(d.Corrections) {
			add(digestErr(i, "corrections", "must be edit, follow_up or off, got %q", d.Corrections))
		}
		if d.CorrectionsWindow < 0 {
			add(digestErr(i, "corrections_window", "must not be negative, got %s", d.CorrectionsWindow))
		}
	}
	return errors.Join(errs...)
}

// ValidateServe checks what the serve command needs beyond Validate: at
// least one platform, and a platform for every digest. The credentials each
// platform's mode requires are the adapter's to check.
func (c Config) ValidateServe() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	slack := c.SlackEnabled()
	discord := c.DiscordEnabled()

	for i, d := range c.Digests {
		if d.Platform == "slack" && !slack {
			add(digestErr(i, "platform", "slack is not configured (set slack.bot_token)"))
		}
		if d.Platform == "discord" && !discord {
			add(digestErr(i, "platform", "discord is not configured (set discord.token)"))
		}
	}
	return errors.Join(errs...)
}

// SlackEnabled reports whether any Slack credential is set, so serve should
// start the Slack adapter.
func (c Config) SlackEnabled() bool {
	return c.Slack.BotToken != "" || c.Slack.AppToken != "" || c.Slack.SigningSecret != "" || c.Slack.ClientID != ""
}

// DiscordEnabled reports whether any Discord credential is set, so serve
// should start the Discord adapter.
func (c Config) DiscordEnabled() bool {
	return c.Discord.Token != "" || c.Discord.PublicKey != ""
}

func oneOf(key, val string, allowed ...string) error {
	if slices.Contains(allowed, val) {
		return nil
	}
	return fieldErr(key, "must be one of %s, got %q", strings.Join(allowed, ", "), val)
}

func positive(key string, d time.Duration) error {
	if d > 0 {
		return nil
	}
	return fieldErr(key, "must be a positive duration, got %s", d)
}

// snowflake reports whether s is a Discord id: 1 to 20 decimal digits.
func snowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil && !strings.HasPrefix(s, "+")
}

func checkAddr(key, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fieldErr(key, "must be host:port or :port, got %q", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fieldErr(key, "invalid port %q", port)
	}
	return nil
}

func checkStore(key, raw string) error {
	switch {
	case raw == "":
		return nil
	case strings.HasPrefix(raw, "sqlite:"):
		if strings.TrimPrefix(raw, "sqlite:") == "" {
			return fieldErr(key, "sqlite: needs a file path, as in sqlite:/data/briefbot.db")
		}
		return nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			// The URL may hold a password: do not echo it.
			return fieldErr(key, "invalid postgres URL")
		}
		return nil
	default:
		return fieldErr(key, "must be empty (SQLite file data/briefbot.db), sqlite:PATH or postgres://…")
	}
}
