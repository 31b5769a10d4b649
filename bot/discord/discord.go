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

// Config configures an Adapter. Field comments name the environment
// variable the config package maps onto each field.
type Config struct {
	// Token is the bot token (BRIEFBOT_DISCORD_TOKEN), without the "Bot " prefix.
	Token string
	// AppID is the application id (BRIEFBOT_DISCORD_APP_ID).
	AppID string
	// PublicKey is the application's Ed25519 public key in hex
	// (BRIEFBOT_DISCORD_PUBLIC_KEY); required in http mode.
	PublicKey string
	// GuildID registers the command in one server only, which is instant
	// (BRIEFBOT_DISCORD_GUILD_ID); empty registers it globally.
	GuildID string
	// Mode is "gateway" (default) or "http" (BRIEFBOT_DISCORD_MODE).
	Mode string
	// Reply is "ephemeral" (default) or "public" (BRIEFBOT_DISCORD_REPLY).
	Reply string
	// RegisterCommands makes Run register /brief at start-up
	// (BRIEFBOT_DISCORD_REGISTER_COMMANDS).
	RegisterCommands bool
	// APIURL is the REST base (BRIEFBOT_DISCORD_API_URL), DefaultAPIURL when empty.
	APIURL string
	// ShardID and ShardCount shard the gateway connection
	// (BRIEFBOT_DISCORD_SHARD_ID, BRIEFBOT_DISCORD_SHARD_COUNT); a zero
	// count means one unsharded connection.
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
}

// Adapter is the Discord adapter. Create it with New; it is safe for
// concurrent use.
type Adapter struct {
	// posted holds the parts of half-posted digests found by DigestPosted.
	posted bot.PostedParts
	// connected is true while the gateway session is up.
	connected atomic.Bool
	cfg       Config
	answerer  Answerer
	log       *slog.Logger
	now       func() time.Time
	publicKey []byte // nil when http interactions are disabled
	apiURL    string // always ends in "/"
	client    *http.Client

	deferAfter time.Duration
	// retryBase is the first back-off after a server error; tests shorten it.
	retryBase   time.Duration
	maxAttempts int

	selfID atomic.Value // string: the bot's user id, known after gateway Ready

	inflight sync.WaitGroup // follow-ups that outlive their HTTP request
}

// New validates cfg and returns an Adapter answering with a. Errors name the
// environment variable to fix.
func New(cfg Config, a Answerer) (*Adapter, error) {
	if a == nil {
		return nil, fmt.Errorf("discord: no answerer")
	}
	cfg.Mode = strings.ToLower(strings.TrimSpace(cfg.Mode))
	if cfg.Mode == "" {
		cfg.Mode = ModeGateway
	}
	if cfg.Mode != ModeGateway && cfg.Mode != ModeHTTP {
		return nil, fmt.Errorf("discord: BRIEFBOT_DISCORD_MODE must be %q or %q, not %q", ModeGateway, ModeHTTP, cfg.Mode)
	}
	cfg.Reply = strings.ToLower(strings.TrimSpace(cfg.Reply))
	if cfg.Reply == "" {
		cfg.Reply = ReplyEphemeral
	}
	if cfg.Reply != ReplyEphemeral && cfg.Reply != ReplyPublic {
		return nil, fmt.Errorf("discord: BRIEFBOT_DISCORD_REPLY must be %q or %q, not %q", ReplyEphemeral, ReplyPublic, cfg.Reply)
	}
	cfg.Token = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(cfg.Token), "Bot "))
	if cfg.Token == "" && cfg.Mode == ModeGateway {
		return nil, fmt.Errorf("discord: BRIEFBOT_DISCORD_TOKEN is required in gateway mode")
	}
	if cfg.Token == "" && cfg.RegisterCommands {
		return nil, fmt.Errorf("discord: BRIEFBOT_DISCORD_TOKEN is required to register commands")
	}
	if cfg.AppID == "" {
		return nil, fmt.Errorf("discord: BRIEFBOT_DISCORD_APP_ID is required (the Application ID on the Developer Portal's General Information page)")
	}
	if !isSnowflake(cfg.AppID) {
		return nil, fmt.Errorf("discord: BRIEFBOT_DISCORD_APP_ID must be a numeric id, not %q", cfg.AppID)
	}
	if cfg.GuildID != "" && !isSnowflake(cfg.GuildID) {
		return nil, fmt.Errorf("discord: BRIEFBOT_DISCORD_GUILD_ID must be a numeric id, not %q", cfg.GuildID)
	}
	var key []byte
	switch {
	case cfg.PublicKey == "" && cfg.Mode == ModeHTTP:
		return nil, fmt.Errorf("discord: BRIEFBOT_DISCORD_PUBLIC_KEY is required in http mode")
	case cfg.PublicKey != "":
		k, err := hex.DecodeString(strings.TrimSpace(cfg.PublicKey))
		if err != nil {
			return nil, fmt.Errorf("discord: BRIEFBOT_DISCORD_PUBLIC_KEY is not valid hex: %w", err)
		}
		if len(k) != 32 {
			return nil, fmt.Errorf("discord: BRIEFBOT_DISCORD_PUBLIC_KEY must be 32 bytes (64 hex digits), got %d bytes", len(k))
		}
		key = k
	}
	if cfg.ShardCount < 0 || cfg.ShardID < 0 {
		return nil, fmt.Errorf("discord: BRIEFBOT_DISCORD_SHARD_ID and BRIEFBOT_DISCORD_SHARD_COUNT must not be negative")
	}
	if cfg.ShardCount == 0 && cfg.ShardID != 0 {
		return nil, fmt.Errorf("discord: BRIEFBOT_DISCORD_SHARD_ID is set but BRIEFBOT_DISCORD_SHARD_COUNT is not")
	}
	if cfg.ShardCount > 0 && cfg.ShardID >= cfg.ShardCount {
		return nil, fmt.Errorf("discord: BRIEFBOT_DISCORD_SHARD_ID %d must be below BRIEFBOT_DISCORD_SHARD_COUNT %d", cfg.ShardID, cfg.ShardCount)
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	u, err := url.Parse(cfg.APIURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("discord: BRIEFBOT_DISCORD_API_URL must be an absolute http(s) URL, not %q", cfg.APIURL)
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
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

// defaultEphemeral reports whether a reply with visibility v is ephemeral.
func (a *Adapter) ephemeral(v bot.Visibility) bool {
	switch v {
	case bot.VisibilityPrivate:
		return true
	case bot.VisibilityPublic:
		return false
	}
	return a.cfg.Reply != ReplyPublic
}
