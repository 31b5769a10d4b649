// Package discord connects the briefbot core to Discord.
//
// It answers the /brief application command (with autocomplete), button
// presses on its own answers and mentions of the bot in server channels, and
// it posts digests to channels. Interactions arrive either over the gateway
// (a discordgo Session, the default) or as signed HTTP requests to
// POST /discord/interactions (see Routes). Every answer is the core's
// bot.Reply rendered as Discord embeds and buttons within Discord's limits;
// discordgo types never leave this package.
//
// REST calls (interaction responses, follow-ups, channel posts, command
// registration) go through the adapter's own HTTP client so that rate limits
// honour the caller's context and payloads are exactly what Discord documents.
package discord

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// DefaultAPIURL is Discord's REST API base.
const DefaultAPIURL = "https://discord.com/api/v10/"

// Platform is Discord's name in requests and subscriptions.
const Platform bot.Platform = "discord"

// Modes in which the adapter receives interactions.
const (
	ModeGateway = "gateway"
	ModeHTTP    = "http"
)

// Reply visibilities of the configuration.
const (
	ReplyEphemeral = "ephemeral"
	ReplyPublic    = "public"
)

// Answerer is what the adapter needs from the core.
type Answerer interface {
	Handle(ctx context.Context, req bot.Request) bot.Reply
	Complete(ctx context.Context, text string, limit int) []bot.Suggestion
}

var _ Answerer = (*bot.Bot)(nil)

// Config configures an Adapter. New reports a wrong field as a
// *FieldError naming it; the caller maps fields to its own settings.
type Config struct {
	// Token is the bot token, without the "Bot " prefix.
	Token string
	// AppID is the application id.
	AppID string
	// PublicKey is the application's Ed25519 public key in hex; required
	// in http mode.
	PublicKey string
	// GuildID registers the command in one server only, which is
	// instant; empty registers it globally.
	GuildID string
	// Mode is "gateway" (default) or "http".
	Mode string
	// Reply is "ephemeral" (default) or "public".
	Reply string
	// RegisterCommands makes Run register /brief at start-up.
	RegisterCommands bool
	// APIURL is the REST base, DefaultAPIURL when empty.
	APIURL string
	// ShardID and ShardCount shard the gateway connection; a zero count
	// means one unsharded connection.
	ShardID    int
	ShardCount int

	// Logger receives one line per handled command; nil discards.
	Logger *slog.Logger
	// Now is the clock for signature timestamps; nil means time.Now.
	Now func() time.Time
	// DeferAfter is how long an answer may take before the adapter defers
	// (Discord allows 3 s for the initial response); zero means 2.5 s.
	DeferAfter time.Duration
	// HTTPClient sends REST requests; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Voter counts presses of the Helpful / Not helpful buttons under
	// answers; nil shows no such buttons. The answerer must resolve vote
	// keys (*bot.Bot does).
	Voter bot.Voter
	// Events, when set, is the event log replicas share (the store): an
	// interaction or a mention taken by one replica is not answered by
	// another, nor again when replayed.
	Events EventLog
}

// EventLog remembers platform events across replicas; the store
// implements it.
type EventLog interface {
	MarkSeen(ctx context.Context, key string, now time.Time, ttl time.Duration) (bool, error)
}

// Adapter is the Discord adapter. Create it with New; it is safe for
// concurrent use.
type Adapter struct {
	// connected is true while the gateway session is up.
	connected atomic.Bool
	// registerErr is why command registration last failed, nil once done.
	registerErr atomic.Pointer[string]
	// registering is true while a registration (with its retries) runs;
	// registered once one has succeeded.
	registering, registered atomic.Bool
	cfg                     Config
	answerer                Answerer
	log                     *slog.Logger
	now                     func() time.Time
	publicKey               []byte // nil when http interactions are disabled
	apiURL                  string // always ends in "/"
	client                  *http.Client

	deferAfter time.Duration
	// retryBase is the first back-off after a server error; tests shorten it.
	retryBase   time.Duration
	maxAttempts int
	// registerBase is the first wait after a failed command registration.
	registerBase time.Duration

	selfID atomic.Value // string: the bot's user id, known after gateway Ready

	inflight sync.WaitGroup // follow-ups that outlive their HTTP request
}

// FieldError says which field of Config is wrong, and why.
type FieldError struct {
	// Field is the name of the Config field ("Token", "ShardID").
	Field string
	// Problem completes a sentence about the field ("is required in http mode").
	Problem string
}

func (e *FieldError) Error() string { return "discord: " + e.Field + " " + e.Problem }

// errNoToken is why calls that need the bot token fail without one.
var errNoToken = &FieldError{Field: "Token", Problem: "is not set"}

// New validates cfg and returns an Adapter answering with a. Wrong fields
// are reported as *FieldError values, all at once (see Check).
func New(cfg Config, a Answerer) (*Adapter, error) {
	if a == nil {
		return nil, fmt.Errorf("discord: no answerer")
	}
	key, err := cfg.normalize()
	if err != nil {
		return nil, err
	}

	ad := &Adapter{
		cfg:         cfg,
		answerer:    a,
		log:         cfg.Logger,
		now:         cfg.Now,
		publicKey:   key,
		apiURL:      cfg.APIURL,
		client:      cfg.HTTPClient,
		deferAfter:  cfg.DeferAfter,
		retryBase:   500 * time.Millisecond,
		maxAttempts: 5,

		registerBase: 2 * time.Second,
	}
	if ad.log == nil {
		ad.log = slog.New(slog.DiscardHandler)
	}
	if ad.now == nil {
		ad.now = time.Now
	}
	if ad.client == nil {
		ad.client = &http.Client{Timeout: 30 * time.Second}
	}
	if ad.deferAfter <= 0 {
		ad.deferAfter = 2500 * time.Millisecond
	}
	ad.selfID.Store("")
	return ad, nil
}

// Check reports every wrong field of cfg, each a *FieldError, joined; nil
// when New would accept cfg. It is the one place Discord's settings are
// validated: a caller names its own keys by mapping FieldError.Field.
func (cfg Config) Check() error {
	_, err := cfg.normalize()
	return err
}

// normalize fills defaults and checks every field, returning the decoded
// public key (nil when there is none).
func (cfg *Config) normalize() (key []byte, err error) {
	var errs []error
	bad := func(field, problem string) { errs = append(errs, &FieldError{Field: field, Problem: problem}) }
	cfg.Mode = strings.ToLower(strings.TrimSpace(cfg.Mode))
	if cfg.Mode == "" {
		cfg.Mode = ModeGateway
	}
	if cfg.Mode != ModeGateway && cfg.Mode != ModeHTTP {
		bad("Mode", fmt.Sprintf("must be %q or %q, not %q", ModeGateway, ModeHTTP, cfg.Mode))
	}
	cfg.Reply = strings.ToLower(strings.TrimSpace(cfg.Reply))
	if cfg.Reply == "" {
		cfg.Reply = ReplyEphemeral
	}
	if cfg.Reply != ReplyEphemeral && cfg.Reply != ReplyPublic {
		bad("Reply", fmt.Sprintf("must be %q or %q, not %q", ReplyEphemeral, ReplyPublic, cfg.Reply))
	}
	cfg.Token = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(cfg.Token), "Bot "))
	switch {
	case cfg.Token == "" && cfg.Mode == ModeGateway:
		bad("Token", "is required in gateway mode")
	case cfg.Token == "" && cfg.RegisterCommands:
		bad("Token", "is required to register commands")
	}
	switch {
	case cfg.AppID == "":
		bad("AppID", "is required (the Application ID on the Developer Portal's General Information page)")
	case !isSnowflake(cfg.AppID):
		bad("AppID", fmt.Sprintf("must be a numeric id, not %q", cfg.AppID))
	}
	if cfg.GuildID != "" && !isSnowflake(cfg.GuildID) {
		bad("GuildID", fmt.Sprintf("must be a numeric id, not %q", cfg.GuildID))
	}
	switch {
	case cfg.PublicKey == "" && cfg.Mode == ModeHTTP:
		bad("PublicKey", "is required in http mode")
	case cfg.PublicKey != "":
		k, err := hex.DecodeString(strings.TrimSpace(cfg.PublicKey))
		switch {
		case err != nil:
			bad("PublicKey", "is not valid hex: "+err.Error())
		case len(k) != 32:
			bad("PublicKey", fmt.Sprintf("must be 32 bytes (64 hex digits), got %d bytes", len(k)))
		default:
			key = k
		}
	}
	switch {
	case cfg.ShardCount < 0 || cfg.ShardID < 0:
		bad("ShardID", "and ShardCount must not be negative")
	case cfg.ShardCount == 0 && cfg.ShardID != 0:
		bad("ShardID", "is set but ShardCount is not")
	case cfg.ShardCount > 0 && cfg.ShardID >= cfg.ShardCount:
		bad("ShardID", fmt.Sprintf("%d must be below ShardCount %d", cfg.ShardID, cfg.ShardCount))
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if u, err := url.Parse(cfg.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad("APIURL", fmt.Sprintf("must be an absolute http(s) URL, not %q", cfg.APIURL))
	} else if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	return key, errors.Join(errs...)
}

func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ephemeral reports whether a reply with visibility v is shown only to
// the user who asked: the reply's own visibility, else the configured
// default.
func (a *Adapter) ephemeral(v bot.Visibility) bool {
	switch v {
	case bot.VisibilityPrivate:
		return true
	case bot.VisibilityPublic:
		return false
	}
	return a.cfg.Reply != ReplyPublic
}
