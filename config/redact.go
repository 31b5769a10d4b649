package config

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// redactedSecret stands in for a secret without a recognisable prefix.
const redactedSecret = "(set, redacted)"

// Redacted returns a copy of c safe to print or log: every token, secret
// and password is replaced by a marker that only says whether it is set
// (and, for Slack tokens, which kind it is), and every URL loses the
// credentials it carries.
func (c Config) Redacted() Config {
	// A secret read from a file is shown by its file alone, so that the
	// printed configuration loads again.
	for _, sec := range secrets {
		if *sec.file(&c) != "" {
			*sec.value(&c) = ""
		}
	}
	c.Slack.BotToken = redactToken(c.Slack.BotToken, "xoxb-")
	c.Slack.AppToken = redactToken(c.Slack.AppToken, "xapp-")
	c.Slack.SigningSecret = redactToken(c.Slack.SigningSecret, "")
	c.Slack.ClientSecret = redactToken(c.Slack.ClientSecret, "")
	c.Slack.TokenKey = redactToken(c.Slack.TokenKey, "")
	c.Discord.Token = redactToken(c.Discord.Token, "")
	c.Store.URL = RedactURL(c.Store.URL)
	c.Slack.APIURL = RedactURL(c.Slack.APIURL)
	c.Discord.APIURL = RedactURL(c.Discord.APIURL)
	// Copy slices so the caller's Config is never shared with the copy.
	c.Slack.Admins = append([]string{}, c.Slack.Admins...)
	c.Digests = append([]Schedule(nil), c.Digests...)
	return c
}

func redactToken(tok, prefix string) string {
	switch {
	case tok == "":
		return ""
	case prefix != "" && strings.HasPrefix(tok, prefix):
		return prefix + "…(redacted)"
	default:
		return redactedSecret
	}
}

var dsnPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('[^']*'|\S+)`)

// secretParams are query parameters that carry credentials in a URL.
var secretParams = []string{"password", "pass", "token", "access_token", "api_key", "apikey", "key", "secret", "sig", "signature"}

// RedactURL hides the credentials a URL or database DSN may carry: the
// user information's password (or the whole user, which may be a
// token), credential query parameters, and a key=value DSN's password.
func RedactURL(raw string) string {
	if raw == "" {
		return ""
	}
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" && u.Host != "" {
		if strings.Contains(u.Path+u.RawQuery+u.Fragment, "@") {
			// An "@" after the host: a password with an unescaped "/",
			// "?" or "#" ends the user information early, and the rest
			// of it spills into the host, port, path, query or fragment.
			return redactedSecret
		}
		if u.Fragment != "" {
			// API and database URLs have no use for a fragment, and a
			// "#" in an unescaped password starts one.
			u.Fragment, u.RawFragment = "REDACTED", ""
		}
		if u.User == nil && strings.Contains(raw, "@") {
			// An "@" the parser did not take as the end of user
			// information ("u:p#w@h" parses as a fragment): the URL may
			// still carry credentials somewhere.
			return redactedSecret
		}
		if u.User != nil {
			if _, ok := u.User.Password(); ok {
				u.User = url.UserPassword(u.User.Username(), "REDACTED")
			} else if u.Scheme != "postgres" && u.Scheme != "postgresql" {
				// A user alone is a token in https://TOKEN@host; a
				// database user name is not a secret.
				u.User = url.User("REDACTED")
			}
		}
		if q := u.Query(); len(q) > 0 {
			changed := false
			for name := range q {
				for _, p := range secretParams {
					if strings.EqualFold(name, p) {
						q.Set(name, "REDACTED")
						changed = true
					}
				}
			}
			if changed {
				u.RawQuery = q.Encode()
			}
		}
		return u.String()
	}
	if strings.Contains(raw, "://") {
		// Unparseable URL: it might hold a password anywhere.
		return redactedSecret
	}
	return dsnPassword.ReplaceAllString(raw, "${1}REDACTED")
}

// WriteYAML writes the configuration, secrets redacted, as YAML that could
// serve as a briefbot.yaml.
func (c Config) WriteYAML(w io.Writer) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(c.Redacted()); err != nil {
		return fmt.Errorf("write config as YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("write config as YAML: %w", err)
	}
	return nil
}

// LogValue makes slog print the redacted configuration, so a Config passed
// to a logger never leaks a secret.
func (c Config) LogValue() slog.Value {
	r := c.Redacted()
	return slog.GroupValue(
		slog.String("file", r.File),
		slog.String("briefings.dir", r.Briefings.Dir),
		slog.String("http.addr", r.HTTP.Addr),
		slog.String("slack.mode", r.Slack.Mode),
		slog.Bool("slack.enabled", c.SlackEnabled()),
		slog.String("discord.mode", r.Discord.Mode),
		slog.Bool("discord.enabled", c.DiscordEnabled()),
		slog.String("store.url", r.Store.URL),
		slog.Int("digests", len(r.Digests)),
	)
}

// String returns the redacted configuration as YAML, so that printing a
// Config with fmt cannot leak a secret either.
func (c Config) String() string {
	var b strings.Builder
	if err := c.WriteYAML(&b); err != nil {
		return err.Error()
	}
	return b.String()
}
