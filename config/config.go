// Package config turns flags, environment variables, a YAML file and
// defaults into one typed, validated Config.
//
// Sources, highest precedence first:
//
//  1. command-line flags the user actually set;
//  2. environment variables: BRIEFBOT_ plus the key in upper case with dots
//     as underscores (briefings.dir is BRIEFBOT_BRIEFINGS_DIR);
//  3. the file briefbot.yaml, found in "." or "/etc/briefbot/", or the file
//     named with --config;
//  4. the defaults below.
//
// Every validation error names the key and its environment variable, so an
// operator knows what to change whichever source they use. Only package main
// imports config; everything else receives plain options.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// EnvPrefix starts the name of every environment variable briefbot reads.
const EnvPrefix = "BRIEFBOT"

// FileName is the name of the configuration file looked for in SearchPaths.
const FileName = "briefbot.yaml"

// DefaultSearchPaths are the directories searched for FileName when no
// explicit file is given.
var DefaultSearchPaths = []string{".", "/etc/briefbot"}

// Config is briefbot's whole configuration.
type Config struct {
	Briefings Briefings  `mapstructure:"briefings" yaml:"briefings"`
	Log       Log        `mapstructure:"log" yaml:"log"`
	HTTP      HTTP       `mapstructure:"http" yaml:"http"`
	Metrics   Metrics    `mapstructure:"metrics" yaml:"metrics"`
	Shutdown  Shutdown   `mapstructure:"shutdown" yaml:"shutdown"`
	Slack     Slack      `mapstructure:"slack" yaml:"slack"`
	Discord   Discord    `mapstructure:"discord" yaml:"discord"`
	Store     Store      `mapstructure:"store" yaml:"store"`
	Digest    Digest     `mapstructure:"digest" yaml:"digest"`
	Digests   []Schedule `mapstructure:"digests" yaml:"digests"`
	API       API        `mapstructure:"api" yaml:"api,omitempty"`
	Readiness Readiness  `mapstructure:"readiness" yaml:"readiness"`
	Analytics Analytics  `mapstructure:"analytics" yaml:"analytics"`

	// File is the configuration file that was read, "" when none was.
	File string `mapstructure:"-" yaml:"-"`
}

// Briefings says where the briefing documents are.
type Briefings struct {
	// Dir is the folder of briefings; "" serves the bundled samples.
	Dir string `mapstructure:"dir" yaml:"dir"`
	// PollInterval, when positive, also polls Dir for changes this often,
	// for network volumes (NFS, EFS) that deliver no file events; 0 is off.
	PollInterval time.Duration `mapstructure:"poll_interval" yaml:"poll_interval"`
}

// Log configures the process log.
type Log struct {
	// Format is "text" or "json".
	Format string `mapstructure:"format" yaml:"format"`
	// Level is "debug", "info", "warn" or "error".
	Level string `mapstructure:"level" yaml:"level"`
}

// HTTP configures the HTTP listener (health, metrics, webhooks).
type HTTP struct {
	Addr string `mapstructure:"addr" yaml:"addr"`
	// ReadTimeout bounds reading a whole request, headers and body.
	ReadTimeout time.Duration `mapstructure:"read_timeout" yaml:"read_timeout"`
	// WriteTimeout bounds a request from the end of its headers to the
	// end of its answer, so it covers reading the body and the handler.
	WriteTimeout time.Duration `mapstructure:"write_timeout" yaml:"write_timeout"`
	// IdleTimeout is how long a keep-alive connection may wait for its
	// next request.
	IdleTimeout time.Duration `mapstructure:"idle_timeout" yaml:"idle_timeout"`
	// MaxConnections caps the connections held open at once; at the cap
	// the longest-idle one is closed to make room.
	MaxConnections int `mapstructure:"max_connections" yaml:"max_connections"`
}

// Metrics configures where /metrics is served.
type Metrics struct {
	// Addr is a listener of its own for /metrics; "" serves it on
	// http.addr.
	Addr string `mapstructure:"addr" yaml:"addr"`
}

// Shutdown configures graceful stopping.
type Shutdown struct {
	Timeout time.Duration `mapstructure:"timeout" yaml:"timeout"`
}

// Slack configures the Slack adapter.
type Slack struct {
	BotToken      string `mapstructure:"bot_token" yaml:"bot_token"`
	AppToken      string `mapstructure:"app_token" yaml:"app_token"`
	SigningSecret string `mapstructure:"signing_secret" yaml:"signing_secret"`
	// The *File fields name files holding the secrets above (a mounted
	// Secret), read at start and again by ReloadSecrets.
	BotTokenFile      string `mapstructure:"bot_token_file" yaml:"bot_token_file,omitempty"`
	AppTokenFile      string `mapstructure:"app_token_file" yaml:"app_token_file,omitempty"`
	SigningSecretFile string `mapstructure:"signing_secret_file" yaml:"signing_secret_file,omitempty"`
	// ClientID, ClientSecret and TokenKey turn on "Add to Slack" installs
	// in several workspaces; TokenKey encrypts their tokens in the store.
	ClientID         string `mapstructure:"client_id" yaml:"client_id"`
	ClientSecret     string `mapstructure:"client_secret" yaml:"client_secret"`
	ClientSecretFile string `mapstructure:"client_secret_file" yaml:"client_secret_file,omitempty"`
	TokenKey         string `mapstructure:"token_key" yaml:"token_key"`
	TokenKeyFile     string `mapstructure:"token_key_file" yaml:"token_key_file,omitempty"`
	// Mode is "socket" or "http"; it defaults to socket when AppToken is set.
	Mode    string `mapstructure:"mode" yaml:"mode"`
	Command string `mapstructure:"command" yaml:"command"`
	// Reply is "ephemeral" or "in_channel".
	Reply  string   `mapstructure:"reply" yaml:"reply"`
	APIURL string   `mapstructure:"api_url" yaml:"api_url"`
	Admins []string `mapstructure:"admins" yaml:"admins"`
}

// Discord configures the Discord adapter.
type Discord struct {
	Token string `mapstructure:"token" yaml:"token"`
	// TokenFile names a file holding Token.
	TokenFile string `mapstructure:"token_file" yaml:"token_file,omitempty"`
	AppID     string `mapstructure:"app_id" yaml:"app_id"`
	// PublicKey is the application's Ed25519 key in hex, used to verify
	// interactions received over HTTP.
	PublicKey string `mapstructure:"public_key" yaml:"public_key"`
	GuildID   string `mapstructure:"guild_id" yaml:"guild_id"`
	// Mode is "gateway" or "http".
	Mode string `mapstructure:"mode" yaml:"mode"`
	// Reply is "ephemeral" or "public".
	Reply            string `mapstructure:"reply" yaml:"reply"`
	RegisterCommands bool   `mapstructure:"register_commands" yaml:"register_commands"`
	APIURL           string `mapstructure:"api_url" yaml:"api_url"`
	ShardID          int    `mapstructure:"shard_id" yaml:"shard_id"`
	ShardCount       int    `mapstructure:"shard_count" yaml:"shard_count"`
}

// Store says where state (digest runs, subscriptions) is kept.
type Store struct {
	// URL is "" for the SQLite file data/briefbot.db, "sqlite:PATH" or a
	// "postgres://" URL.
	URL string `mapstructure:"url" yaml:"url"`
	// URLFile names a file holding URL, which carries the password.
	URLFile string `mapstructure:"url_file" yaml:"url_file,omitempty"`
	// ConnectTimeout is how long serve waits for PostgreSQL at start.
	ConnectTimeout time.Duration `mapstructure:"connect_timeout" yaml:"connect_timeout"`
}

// Readiness says what /readyz requires before it answers 200.
type Readiness struct {
	// Require names the checks that must pass, of ReadinessChecks; the
	// others are reported in the detail only.
	Require []string `mapstructure:"require" yaml:"require"`
}

// Readiness checks /readyz can require.
const (
	// ReadyHTTP: every platform in HTTP mode is running.
	ReadyHTTP = "http"
	// ReadyBriefings: briefings are loaded.
	ReadyBriefings = "briefings"
	// ReadyStore: the store takes a write.
	ReadyStore = "store"
	// ReadyGateway: every connection-holding platform (Slack Socket Mode,
	// the Discord gateway) is connected.
	ReadyGateway = "gateway"
)

// ReadinessChecks lists every check, in the order /readyz reports them.
var ReadinessChecks = []string{ReadyHTTP, ReadyBriefings, ReadyStore, ReadyGateway}

// Digest configures the digest scheduler as a whole.
type Digest struct {
	// Grace is how late a missed digest may still be posted.
	Grace time.Duration `mapstructure:"grace" yaml:"grace"`
	// MaxFailures is how many failed posts in a row disable a digest.
	MaxFailures int `mapstructure:"max_failures" yaml:"max_failures"`
}

// Schedule is one configured digest: which topics to post where and when.
type Schedule struct {
	ID       string `mapstructure:"id" yaml:"id"`
	Platform string `mapstructure:"platform" yaml:"platform"`
	Channel  string `mapstructure:"channel" yaml:"channel"`
	// Schedule is a cron expression ("0 8 * * 1-5") or a descriptor ("@daily").
	Schedule string `mapstructure:"schedule" yaml:"schedule"`
	// Timezone is an IANA zone name; "" means UTC.
	Timezone string   `mapstructure:"timezone" yaml:"timezone"`
	Topics   []string `mapstructure:"topics" yaml:"topics"`
	// Include is "new" (only briefings changed since the last post) or "all".
	Include string `mapstructure:"include" yaml:"include"`
	// WhenEmpty is "skip" or "post" (post a short "nothing new" note).
	WhenEmpty string `mapstructure:"when_empty" yaml:"when_empty"`
	// Corrections says what happens when a briefing in a posted digest
	// changes: "edit" (the default, also "") edits the digest in place,
	// "follow_up" replies in its thread, "off" does neither.
	Corrections string `mapstructure:"corrections" yaml:"corrections"`
	// CorrectionsWindow is how long after posting a digest is corrected;
	// 0 means bot.DefaultCorrectionsWindow (24h).
	CorrectionsWindow time.Duration `mapstructure:"corrections_window" yaml:"corrections_window"`
}

type valueKind int

const (
	kindString valueKind = iota
	kindDuration
	kindInt
	kindBool
	kindStrings
	kindSchedules
)

// keys lists every configuration key with its type and default. It drives
// defaults, environment binding, type checks and the unknown-key check, so a
// new key is added here and in the structs above.
var keys = []struct {
	name string
	kind valueKind
	def  any
}{
	{"briefings.dir", kindString, ""},
	{"briefings.poll_interval", kindDuration, time.Duration(0)},
	{"log.format", kindString, "text"},
	{"log.level", kindString, "info"},
	{"http.addr", kindString, ":8080"},
	{"http.read_timeout", kindDuration, 10 * time.Second},
	{"http.write_timeout", kindDuration, 30 * time.Second},
	{"http.idle_timeout", kindDuration, 75 * time.Second},
	{"http.max_connections", kindInt, 4096},
	{"metrics.addr", kindString, ""},
	{"shutdown.timeout", kindDuration, 10 * time.Second},
	{"slack.bot_token", kindString, ""},
	{"slack.app_token", kindString, ""},
	{"slack.signing_secret", kindString, ""},
	{"slack.bot_token_file", kindString, ""},
	{"slack.app_token_file", kindString, ""},
	{"slack.signing_secret_file", kindString, ""},
	{"slack.client_id", kindString, ""},
	{"slack.client_secret", kindString, ""},
	{"slack.client_secret_file", kindString, ""},
	{"slack.token_key", kindString, ""},
	{"slack.token_key_file", kindString, ""},
	{"slack.mode", kindString, ""},
	{"slack.command", kindString, "/brief"},
	{"slack.reply", kindString, "ephemeral"},
	{"slack.api_url", kindString, "https://slack.com/api/"},
	{"slack.admins", kindStrings, []string{}},
	{"discord.token", kindString, ""},
	{"discord.token_file", kindString, ""},
	{"discord.app_id", kindString, ""},
	{"discord.public_key", kindString, ""},
	{"discord.guild_id", kindString, ""},
	{"discord.mode", kindString, "gateway"},
	{"discord.reply", kindString, "ephemeral"},
	{"discord.register_commands", kindBool, true},
	{"discord.api_url", kindString, "https://discord.com/api/v10/"},
	{"discord.shard_id", kindInt, 0},
	{"discord.shard_count", kindInt, 1},
	{"store.url", kindString, ""},
	{"store.url_file", kindString, ""},
	{"store.connect_timeout", kindDuration, 60 * time.Second},
	{"digest.grace", kindDuration, 2 * time.Hour},
	{"digest.max_failures", kindInt, 5},
	{"digests", kindSchedules, []any{}},
	{"api.tokens", kindSchedules, ""}, // a list of {name, token}; "" (no list) leaves Config.API.Tokens nil
	{"readiness.require", kindStrings, []string{ReadyHTTP, ReadyBriefings, ReadyStore}},
	{"analytics.enabled", kindBool, true}, {"analytics.retention", kindDuration, 30 * 24 * time.Hour},
}

// Keys returns every configuration key, in documentation order.
func Keys() []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.name
	}
	return out
}

// EnvVar returns the environment variable that sets key
// ("briefings.dir" → "BRIEFBOT_BRIEFINGS_DIR").
func EnvVar(key string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// FieldError is a problem with one configuration key.
type FieldError struct {
	// Key is the configuration key ("slack.bot_token") or, for digests, the
	// key with an index ("digests[0].schedule").
	Key string
	// Env is the environment variable that sets the key.
	Env     string
	Message string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s (%s): %s", e.Key, e.Env, e.Message)
}

func fieldErr(key, format string, args ...any) error {
	return &FieldError{Key: key, Env: EnvVar(key), Message: fmt.Sprintf(format, args...)}
}

func digestErr(i int, field, format string, args ...any) error {
	return &FieldError{
		Key:     fmt.Sprintf("digests[%d].%s", i, field),
		Env:     EnvVar("digests"),
		Message: fmt.Sprintf(format, args...),
	}
}

// Options say where Load finds configuration besides the environment.
type Options struct {
	// File is an explicit configuration file (--config). It must exist.
	// When empty, FileName is looked for in SearchPaths and may be absent.
	File string
	// SearchPaths are searched in order for FileName; nil means
	// DefaultSearchPaths.
	SearchPaths []string
	// Flags are the parsed command-line flags; only flags the user set
	// override other sources. A flag applies to the key whose name it has
	// with dots as dashes ("log-level" for log.level) unless FlagKeys says
	// otherwise.
	Flags *pflag.FlagSet
	// FlagKeys maps a configuration key to a flag of another name
	// ("briefings.dir" → "briefings").
	FlagKeys map[string]string
}

// Load reads and validates the configuration. All problems are reported at
// once, joined; each is a *FieldError when it concerns one key.
func Load(opts Options) (Config, error) {
	v := viper.New()
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	for _, k := range keys {
		v.SetDefault(k.name, k.def)
		// AutomaticEnv alone is invisible to Unmarshal for keys that appear
		// nowhere else, so every key is bound explicitly too.
		if err := v.BindEnv(k.name); err != nil {
			return Config{}, fmt.Errorf("bind %s: %w", EnvVar(k.name), err)
		}
	}
	if err := bindFlags(v, opts); err != nil {
		return Config{}, err
	}

	file, err := findFile(opts)
	if err != nil {
		return Config{}, err
	}
	if file != "" {
		v.SetConfigFile(file)
		// Any name is accepted for an explicit file; its content is YAML.
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return Config{}, fmt.Errorf("read config file %s: %w", file, err)
		}
	}

	var errs []error
	errs = append(errs, unknownKeys(v, file)...)
	errs = append(errs, normalizeTypes(v)...)
	schedules, serrs := decodeSchedules(v.Get("digests"))
	errs = append(errs, serrs...)
	// Schedules are decoded on their own so each entry's errors carry its
	// index; the generic decoder must not see them again.
	v.Set("digests", []any{})

	var c Config
	if err := v.Unmarshal(&c); err != nil {
		errs = append(errs, fmt.Errorf("decode configuration: %w", err))
	}
	c.Digests = schedules
	c.File = file
	// Secrets from files first: the defaults below depend on them.
	errs = append(errs, c.readSecretFiles())
	c.applyDefaults()
	errs = append(errs, c.Validate())
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	return c, nil
}

func bindFlags(v *viper.Viper, opts Options) error {
	if opts.Flags == nil {
		return nil
	}
	for _, k := range keys {
		name, ok := opts.FlagKeys[k.name]
		if !ok {
			name = strings.ReplaceAll(k.name, ".", "-")
		}
		f := opts.Flags.Lookup(name)
		if f == nil {
			continue
		}
		if err := v.BindPFlag(k.name, f); err != nil {
			return fmt.Errorf("bind flag --%s to %s: %w", name, k.name, err)
		}
	}
	return nil
}

func findFile(opts Options) (string, error) {
	if opts.File != "" {
		st, err := os.Stat(opts.File)
		if err != nil {
			return "", fmt.Errorf("config file: %w", err)
		}
		if st.IsDir() {
			return "", fmt.Errorf("config file %s: is a directory", opts.File)
		}
		return opts.File, nil
	}
	paths := opts.SearchPaths
	if paths == nil {
		paths = DefaultSearchPaths
	}
	for _, dir := range paths {
		p := filepath.Join(dir, FileName)
		st, err := os.Stat(p)
		if err == nil && !st.IsDir() {
			return p, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("config file: %w", err)
		}
	}
	return "", nil
}

// unknownKeys catches misspelt keys, which would otherwise be silently
// ignored and leave a default in place.
func unknownKeys(v *viper.Viper, file string) []error {
	known := make(map[string]bool, len(keys))
	for _, k := range keys {
		known[k.name] = true
	}
	var errs []error
	all := v.AllKeys()
	slices.Sort(all)
	for _, k := range all {
		if !known[k] {
			errs = append(errs, fmt.Errorf("%s: unknown key %q", file, k))
		}
	}
	return errs
}

// normalizeTypes checks values that are not plain strings and converts the
// textual forms that environment variables and flags give into the typed
// value. A bad value is reported and replaced by its default so that the
// rest of the configuration can still be checked.
func normalizeTypes(v *viper.Viper) []error {
	var errs []error
	for _, k := range keys {
		raw := v.Get(k.name)
		var (
			val any
			err error
		)
		switch k.kind {
		case kindString:
			continue
		case kindDuration:
			val, err = toDuration(raw)
		case kindInt:
			val, err = toInt(raw)
		case kindBool:
			val, err = toBool(raw)
		case kindStrings:
			val, err = toStrings(raw)
		case kindSchedules:
			val, err = toList(raw)
		}
		if err != nil {
			errs = append(errs, fieldErr(k.name, "%v", err))
			val = k.def
		}
		v.Set(k.name, val)
	}
	return errs
}

func toDuration(raw any) (time.Duration, error) {
	switch x := raw.(type) {
	case time.Duration:
		return x, nil
	case string:
		d, err := time.ParseDuration(strings.TrimSpace(x))
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q (use a unit, as in 30s, 5m or 2h)", x)
		}
		return d, nil
	default:
		return 0, fmt.Errorf("invalid duration %v (use a unit, as in 30s, 5m or 2h)", raw)
	}
}

func toInt(raw any) (int, error) {
	switch x := raw.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case uint64:
		return int(x), nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		if err != nil {
			return 0, fmt.Errorf("invalid integer %q", x)
		}
		return n, nil
	default:
		return 0, fmt.Errorf("invalid integer %v", raw)
	}
}

func toBool(raw any) (bool, error) {
	switch x := raw.(type) {
	case bool:
		return x, nil
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(x))
		if err != nil {
			return false, fmt.Errorf("invalid boolean %q (use true or false)", x)
		}
		return b, nil
	default:
		return false, fmt.Errorf("invalid boolean %v (use true or false)", raw)
	}
}

// toStrings accepts a list or, as environment variables give it, a
// comma-separated string.
func toStrings(raw any) ([]string, error) {
	switch x := raw.(type) {
	case nil:
		return []string{}, nil
	case []string:
		return x, nil
	case string:
		var out []string
		for s := range strings.SplitSeq(x, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			switch s := e.(type) {
			case string:
				out = append(out, s)
			case int, int64, uint64:
				out = append(out, fmt.Sprint(s))
			default:
				return nil, fmt.Errorf("list entries must be strings, got %v", e)
			}
		}
		return out, nil
	default:
		return nil, fmt.Errorf("must be a list of strings, got %v", raw)
	}
}

// toList accepts a YAML list or, from an environment variable, a YAML or
// JSON document holding one.
func toList(raw any) ([]any, error) {
	switch x := raw.(type) {
	case nil:
		return []any{}, nil
	case []any:
		return x, nil
	case string:
		var out []any
		if err := yaml.Unmarshal([]byte(x), &out); err != nil {
			return nil, fmt.Errorf("must be a YAML or JSON list: %v", err)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("must be a list, got %T", raw)
	}
}

func decodeSchedules(raw any) ([]Schedule, []error) {
	list, _ := raw.([]any)
	var (
		out  []Schedule
		errs []error
	)
	for i, e := range list {
		var s Schedule
		dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
			Result:           &s,
			ErrorUnused:      true,
			WeaklyTypedInput: true,
			DecodeHook: mapstructure.ComposeDecodeHookFunc(
				mapstructure.StringToSliceHookFunc(","),
				mapstructure.StringToTimeDurationHookFunc(),
			),
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("decode digests[%d]: %w", i, err))
			continue
		}
		if err := dec.Decode(e); err != nil {
			errs = append(errs, &FieldError{
				Key:     fmt.Sprintf("digests[%d]", i),
				Env:     EnvVar("digests"),
				Message: flatten(err),
			})
		}
		out = append(out, s)
	}
	return out, errs
}

// flatten puts a multi-line decoder error on one line.
func flatten(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// applyDefaults fills defaults that depend on other keys or apply to each
// digest entry.
func (c *Config) applyDefaults() {
	if c.Slack.Admins == nil {
		c.Slack.Admins = []string{}
	}
	for i := range c.Digests {
		d := &c.Digests[i]
		if d.Include == "" {
			d.Include = "new"
		}
		if d.WhenEmpty == "" {
			d.WhenEmpty = "skip"
		}
		if d.Topics == nil {
			d.Topics = []string{}
		}
	}
}
