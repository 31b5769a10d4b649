package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// secret is a key whose value may instead come from a file named by the
// key with "_file" appended (slack.bot_token_file, or the variable
// BRIEFBOT_SLACK_BOT_TOKEN_FILE), as mounted Kubernetes or Docker secrets
// provide it.
type secret struct {
	key   string
	value func(*Config) *string
	file  func(*Config) *string
}

// secrets lists every key that holds a secret or a credential.
var secrets = []secret{
	{"slack.bot_token", func(c *Config) *string { return &c.Slack.BotToken }, func(c *Config) *string { return &c.Slack.BotTokenFile }},
	{"slack.app_token", func(c *Config) *string { return &c.Slack.AppToken }, func(c *Config) *string { return &c.Slack.AppTokenFile }},
	{"slack.signing_secret", func(c *Config) *string { return &c.Slack.SigningSecret }, func(c *Config) *string { return &c.Slack.SigningSecretFile }},
	{"slack.client_secret", func(c *Config) *string { return &c.Slack.ClientSecret }, func(c *Config) *string { return &c.Slack.ClientSecretFile }},
	{"slack.token_key", func(c *Config) *string { return &c.Slack.TokenKey }, func(c *Config) *string { return &c.Slack.TokenKeyFile }},
	{"discord.token", func(c *Config) *string { return &c.Discord.Token }, func(c *Config) *string { return &c.Discord.TokenFile }},
	{"store.url", func(c *Config) *string { return &c.Store.URL }, func(c *Config) *string { return &c.Store.URLFile }},
}

// SecretKeys returns the keys that hold secrets; each also has a "_file" form.
func SecretKeys() []string {
	out := make([]string, len(secrets))
	for i, s := range secrets {
		out[i] = s.key
	}
	return out
}

// readSecretFiles sets each secret that names a file to the file's
// content, without its trailing newline. Setting both a secret and its
// file is an error: which one wins would be a guess.
func (c *Config) readSecretFiles() error {
	var errs []error
	for _, s := range secrets {
		path := *s.file(c)
		if path == "" {
			continue
		}
		if *s.value(c) != "" {
			errs = append(errs, fieldErr(s.key+"_file", "cannot be set together with %s (%s): set one", s.key, EnvVar(s.key)))
			continue
		}
		v, err := readSecretFile(path)
		if err != nil {
			errs = append(errs, fieldErr(s.key+"_file", "%v", err))
			continue
		}
		*s.value(c) = v
	}
	return errors.Join(errs...)
}

func readSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		// The error names the path, never the content.
		return "", fmt.Errorf("read secret: %w", err)
	}
	v := strings.TrimRight(string(b), "\r\n")
	if v == "" {
		return "", fmt.Errorf("secret file %s is empty", path)
	}
	return v, nil
}

// ReloadSecrets reads the secret files again (on SIGHUP, after a mounted
// Secret was rotated) and returns the configuration with their new values
// and the keys whose value changed. Secrets set directly, not from a
// file, stay as they are. On error c is returned unchanged.
func (c Config) ReloadSecrets() (Config, []string, error) {
	n := c
	var (
		changed []string
		errs    []error
	)
	for _, s := range secrets {
		path := *s.file(&n)
		if path == "" {
			continue
		}
		v, err := readSecretFile(path)
		if err != nil {
			errs = append(errs, fieldErr(s.key+"_file", "%v", err))
			continue
		}
		if v != *s.value(&n) {
			*s.value(&n) = v
			changed = append(changed, s.key)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return c, nil, err
	}
	if len(changed) > 0 {
		if err := n.Validate(); err != nil {
			return c, nil, err
		}
	}
	return n, changed, nil
}
