package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
)

// Answerer is the part of the core the adapter needs: *bot.Bot satisfies it.
type Answerer interface {
	Handle(ctx context.Context, req bot.Request) bot.Reply
}

// Platform is Slack's name in requests and subscriptions.
const Platform bot.Platform = "slack"

// Modes of connecting to Slack.
const (
	ModeSocket = "socket"
	ModeHTTP   = "http"
)

// Reply visibilities for slash commands.
const (
	ReplyEphemeral = "ephemeral"
	ReplyInChannel = "in_channel"
)

// Defaults used when the corresponding Config field is zero.
const (
	DefaultCommand   = "/brief"
	DefaultAckBudget = 2500 * time.Millisecond
	// DefaultPostInterval paces posts to one channel: Slack allows about
	// one a second, and a 429 costs at least a whole second of Retry-After,
	// so the pace keeps a small margin for network jitter.
	DefaultPostInterval = 1050 * time.Millisecond
	// handleTimeout bounds one handled event, answer delivery included.
	handleTimeout = 30 * time.Second
)

// Config configures an Adapter. New reports each wrong field as a
// *FieldError naming it; the caller maps fields to its own settings.
type Config struct {
	// BotToken is the bot user OAuth token (xoxb-...), used for the Web API.
	BotToken string
	// AppToken is the app-level token (xapp-...), required in socket mode.
	AppToken string
	// SigningSecret verifies HTTP requests; required in http mode.
	SigningSecret string
	// Mode is "socket" or "http"; empty means socket when AppToken is set,
	// http otherwise.
	Mode string
	// Command is the slash command's name; empty means "/brief".
	Command string
	// Reply is the default visibility of slash-command answers:
	// "ephemeral" (the default) or "in_channel". A Reply's own Visibility wins.
	Reply string
	// APIURL overrides the Web API base URL ("https://slack.com/api/"); for tests.
	APIURL string
	// Admins are Slack user IDs allowed to manage the bot.
	Admins []string
	// ClientID and ClientSecret turn on "Add to Slack" installs (OAuth v2)
	// in any number of workspaces; each workspace's bot token is then kept
	// in the store (WithWorkspaces), and BotToken becomes optional.
	ClientID     string
	ClientSecret string
	// TokenKey is the 32-byte key, hex or base64, that encrypts installed
	// workspaces' tokens in the store and signs the install flow's state.
	TokenKey string
	// AckBudget is how long a slash command may take to be answered in the
	// HTTP response itself; slower answers go through response_url.
	// Zero means 2.5 s, under Slack's 3 s deadline.
	AckBudget time.Duration
	// PostInterval spaces chat.postMessage calls to one channel at least
	// this far apart, as Slack allows about one message per second per
	// channel; posts to different channels never wait on each other.
	// Zero means 1 s; a negative value turns pacing off.
	PostInterval time.Duration
	// Logger receives operational logs; nil discards them.
	Logger *slog.Logger
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
}

// Option tunes an Adapter beyond its Config, mostly for tests.
type Option func(*Adapter)

// WithHTTPClient sets the client used for the Web API and response_url.
func WithHTTPClient(c *http.Client) Option {
	return func(a *Adapter) { a.httpClient = c }
}

// EventLog remembers platform events across replicas; the store
// implements it.
type EventLog interface {
	MarkSeen(ctx context.Context, key string, now time.Time, ttl time.Duration) (bool, error)
}

// WithEventLog shares event de-duplication with other replicas through
// log: behind a load balancer, Slack's retry of an event may reach a
// replica other than the one that took the first delivery.
func WithEventLog(log EventLog) Option {
	return func(a *Adapter) { a.events = log }
}

// WithWorkspaces keeps the workspaces installed through OAuth, and which
// workspace each channel is in, in store. Needed with Config.ClientID.
func WithWorkspaces(store bot.WorkspaceStore) Option {
	return func(a *Adapter) { a.installs = store }
}

// WithSubscriptions lets the App Home tab list the digests of the
// workspace's channels; bot.Store (the store) provides it.
func WithSubscriptions(subs SubscriptionLister) Option {
	return func(a *Adapter) { a.subs = subs }
}

// WithRetry sets how many attempts a rate-limited Web API call gets and
// how the adapter waits between them (nil means a timer that honours ctx).
func WithRetry(maxAttempts int, sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(a *Adapter) {
		if maxAttempts > 0 {
			a.maxAttempts = maxAttempts
		}
		if sleep != nil {
			a.sleep = sleep
		}
	}
}

// Adapter connects one Slack app to the core. It is safe for concurrent use.
type Adapter struct {
	cfg         Config
	answerer    Answerer
	api         *webAPI
	httpClient  *http.Client
	log         *slog.Logger
	now         func() time.Time
	maxAttempts int
	sleep       func(ctx context.Context, d time.Duration) error
	seen        *dedupe
	events      EventLog
	pace        *pacer
	installs    bot.WorkspaceStore
	subs        SubscriptionLister
	voter       bot.Voter
	keys        *keyring
	// channels remembers which channels' workspaces are recorded already.
	channels *dedupe

	// connected is true while the Socket Mode connection is up.
	connected atomic.Bool
	// connErr is why the Socket Mode connection last failed, nil while it is up.
	connErr atomic.Pointer[string]

	// inflight counts answers still being delivered after their request
	// was acknowledged, so that shutdown can wait for them.
	inflight sync.WaitGroup
}

// New validates cfg and returns an Adapter answering with answerer.
func New(cfg Config, answerer Answerer, opts ...Option) (*Adapter, error) {
	if answerer == nil {
		return nil, errors.New("slack: an answerer is required")
	}
	err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	a := &Adapter{
		cfg:         cfg,
		answerer:    answerer,
		httpClient:  &http.Client{Timeout: 15 * time.Second},
		log:         cfg.Logger,
		now:         cfg.Clock,
		maxAttempts: 3,
		sleep:       sleepCtx,
	}
	for _, o := range opts {
		o(a)
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.seen = newDedupe(10*time.Minute, 10000, a.now)
	a.pace = newPacer(cfg.PostInterval)
	apiOpts := []slackapi.Option{slackapi.OptionHTTPClient(a.httpClient)}
	if cfg.APIURL != "" {
		apiOpts = append(apiOpts, slackapi.OptionAPIURL(cfg.APIURL))
	}
	a.api = &webAPI{opts: apiOpts, appHasToken: cfg.BotToken != "", clients: map[string]*slackapi.Client{}}
	if cfg.AppToken != "" {
		apiOpts = append(apiOpts, slackapi.OptionAppLevelToken(cfg.AppToken))
	}
	a.api.app = slackapi.New(cfg.BotToken, apiOpts...)
	if cfg.ClientID == "" {
		// Single-token mode: one workspace, nothing to look up.
		a.installs = nil
	} else {
		if a.installs == nil {
			return nil, errors.New("slack: installs through OAuth (ClientID) need a workspace store (WithWorkspaces)")
		}
		key, _ := parseTokenKey(cfg.TokenKey) // checked by normalize
		if a.keys, err = newKeyring(key); err != nil {
			return nil, fmt.Errorf("slack: token key: %w", err)
		}
		a.api.installs, a.api.keys = a.installs, a.keys
		a.channels = newDedupe(time.Hour, 100000, a.now)
	}
	return a, nil
}

// FieldError says which field of Config is wrong, and why.
type FieldError struct {
	// Field is the name of the Config field ("BotToken").
	Field string
	// Problem completes a sentence about the field ("is required").
	Problem string
}

func (e *FieldError) Error() string { return "slack: " + e.Field + " " + e.Problem }

// Check reports every wrong field of c, each a *FieldError, joined; nil
// when New would accept c. It is the one place Slack's settings are
// validated: a caller names its own keys by mapping FieldError.Field.
func (c Config) Check() error { return c.normalize() }

// normalize fills defaults and reports every problem at once, each a
// *FieldError.
func (c *Config) normalize() error {
	var errs []error
	if c.Mode == "" {
		c.Mode = ModeHTTP
		if c.AppToken != "" {
			c.Mode = ModeSocket
		}
	}
	if c.Command == "" {
		c.Command = DefaultCommand
	}
	if c.Reply == "" {
		c.Reply = ReplyEphemeral
	}
	if c.AckBudget <= 0 {
		c.AckBudget = DefaultAckBudget
	}
	if c.PostInterval == 0 {
		c.PostInterval = DefaultPostInterval
	}
	if c.APIURL != "" && !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	switch {
	case c.BotToken == "" && c.ClientID == "":
		errs = append(errs, &FieldError{"BotToken", "is required (or ClientID, to install in workspaces through OAuth)"})
	case c.BotToken != "" && !strings.HasPrefix(c.BotToken, "xoxb-"):
		errs = append(errs, &FieldError{"BotToken", "must be a bot token starting with xoxb-"})
	}
	switch c.Mode {
	case ModeSocket:
		switch {
		case c.AppToken == "":
			errs = append(errs, &FieldError{"AppToken", "is required in socket mode"})
		case !strings.HasPrefix(c.AppToken, "xapp-"):
			errs = append(errs, &FieldError{"AppToken", "must be an app-level token starting with xapp-"})
		}
	case ModeHTTP:
		if c.SigningSecret == "" {
			errs = append(errs, &FieldError{"SigningSecret", "is required in http mode"})
		}
		if c.AppToken != "" && !strings.HasPrefix(c.AppToken, "xapp-") {
			errs = append(errs, &FieldError{"AppToken", "must be an app-level token starting with xapp-"})
		}
	default:
		errs = append(errs, &FieldError{"Mode", fmt.Sprintf("must be %q or %q, not %q", ModeSocket, ModeHTTP, c.Mode)})
	}
	if c.ClientID != "" {
		if c.ClientSecret == "" {
			errs = append(errs, &FieldError{"ClientSecret", "is required with ClientID"})
		}
		if c.TokenKey == "" {
			errs = append(errs, &FieldError{"TokenKey", "is required with ClientID: it encrypts the installed workspaces' tokens (openssl rand -hex 32)"})
		} else if _, err := parseTokenKey(c.TokenKey); err != nil {
			errs = append(errs, &FieldError{"TokenKey", err.Error()})
		}
	} else if c.ClientSecret != "" || c.TokenKey != "" {
		errs = append(errs, &FieldError{"ClientID", "is required when ClientSecret or TokenKey is set"})
	}
	if !strings.HasPrefix(c.Command, "/") || strings.ContainsAny(c.Command, " \t\n") {
		errs = append(errs, &FieldError{"Command", fmt.Sprintf("must look like /brief, not %q", c.Command)})
	}
	if c.Reply != ReplyEphemeral && c.Reply != ReplyInChannel {
		errs = append(errs, &FieldError{"Reply", fmt.Sprintf("must be %q or %q, not %q", ReplyEphemeral, ReplyInChannel, c.Reply)})
	}
	if c.APIURL != "" {
		if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, &FieldError{"APIURL", fmt.Sprintf("must be an absolute http(s) URL, not %q", c.APIURL)})
		}
	}
	for i, id := range c.Admins {
		if strings.TrimSpace(id) == "" {
			errs = append(errs, &FieldError{"Admins", fmt.Sprintf("entry %d is empty", i)})
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return nil
}

// isAdmin reports whether the Slack user is one of the configured admins.
func (a *Adapter) isAdmin(userID string) bool {
	for _, id := range a.cfg.Admins {
		if id == userID {
			return true
		}
	}
	return false
}

// Run serves Slack until ctx ends. In socket mode it connects to Slack and
// blocks, reconnecting as slack-go does; in http mode requests arrive
// through Routes, so Run only blocks until ctx ends. Either way it then
// waits for answers still being delivered and returns nil on a clean
// shutdown.
func (a *Adapter) Run(ctx context.Context) error {
	var err error
	if a.cfg.Mode == ModeSocket {
		err = a.runSocket(ctx)
	} else {
		<-ctx.Done()
	}
	a.inflight.Wait()
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// Connected reports whether the adapter can receive requests: always in
// http mode, while the Socket Mode connection is up in socket mode.
func (a *Adapter) Connected() bool {
	return a.cfg.Mode == ModeHTTP || a.connected.Load()
}

// Routes mounts the HTTP-mode endpoints on mux, each behind signature
// verification: POST /slack/commands, /slack/events and
// /slack/interactions. In socket mode it mounts none of these: requests
// come over the socket. With Config.ClientID it also mounts, in either
// mode, the "Add to Slack" flow: GET /slack/install and
// /slack/oauth/callback.
func (a *Adapter) Routes(mux *http.ServeMux) {
	a.installRoutes(mux)
	if a.cfg.Mode != ModeHTTP {
		return
	}
	v := verifier{Secret: a.cfg.SigningSecret, Logger: a.log}
	mux.Handle("POST /slack/commands", traced(v.wrapBody(a.serveCommand)))
	mux.Handle("POST /slack/events", traced(v.wrapBody(a.serveEvent)))
	mux.Handle("POST /slack/interactions", traced(v.wrapBody(a.serveInteraction)))
}

// Handler returns the HTTP-mode endpoints as one handler.
func (a *Adapter) Handler() http.Handler {
	mux := http.NewServeMux()
	a.Routes(mux)
	return mux
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
