package discord

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"go.opentelemetry.io/otel/attribute"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/telemetry"
)

// Run serves until ctx is done. In gateway mode it opens a gateway
// connection (sharded when configured) and answers interactions and
// mentions from it; discordgo reconnects it when it drops. In http mode
// interactions come through Routes and Run only waits. Either way, when
// configured, the commands are brought in line with /brief in the
// background, retried until that succeeds and never fatal. Run returns an
// error when the gateway cannot be opened (a *GatewayError saying what to
// fix, when Discord said); the caller starts it again later. On return it
// waits briefly for replies still being delivered.
func (a *Adapter) Run(ctx context.Context) error {
	if a.cfg.RegisterCommands {
		a.registerInBackground(ctx)
	}
	defer a.drain(10 * time.Second)
	if a.cfg.Mode == ModeHTTP {
		<-ctx.Done()
		return nil
	}
	s, err := a.newSession()
	if err != nil {
		return err
	}
	if err := s.Open(); err != nil {
		_ = s.Close()
		return gatewayError(err)
	}
	a.log.Info("discord gateway connected", "shard", a.cfg.ShardID, "shards", max(a.cfg.ShardCount, 1))
	<-ctx.Done()
	a.connected.Store(false)
	if err := s.Close(); err != nil {
		return fmt.Errorf("discord: close gateway: %w", err)
	}
	return nil
}

// Connected reports whether the adapter can receive interactions: always
// in http mode, while the gateway session is up in gateway mode.
func (a *Adapter) Connected() bool {
	return a.cfg.Mode == ModeHTTP || a.connected.Load()
}

// drain waits up to d for background deliveries to finish.
func (a *Adapter) drain(d time.Duration) {
	done := make(chan struct{})
	go func() { a.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		a.log.Warn("discord: stopped with replies still being delivered")
	}
}

// gatewayIntents are the events the gateway is asked for. None is
// privileged: without Message Content, Discord still gives the text of
// messages that mention the bot and of direct messages, which is all the
// bot reads.
const gatewayIntents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages

// newSession builds the discordgo session for gateway mode.
func (a *Adapter) newSession() (*discordgo.Session, error) {
	client, err := a.sessionClient()
	if err != nil {
		return nil, err
	}
	s, err := discordgo.New("Bot " + a.cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("discord: create session: %w", err)
	}
	// Our REST calls retry themselves within their context; discordgo's
	// own retry would sleep past it.
	s.ShouldRetryOnRateLimit = false
	s.Client = client
	s.Identify.Intents = gatewayIntents
	if a.cfg.ShardCount > 0 {
		s.Identify.Shard = &[2]int{a.cfg.ShardID, a.cfg.ShardCount}
		s.ShardID, s.ShardCount = a.cfg.ShardID, a.cfg.ShardCount
	}
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		if r.User != nil {
			a.selfID.Store(r.User.ID)
		}
		a.connected.Store(true)
	})
	s.AddHandler(func(*discordgo.Session, *discordgo.Resumed) { a.connected.Store(true) })
	s.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) { a.connected.Store(false) })
	s.AddHandler(func(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
		in := fromGateway(ic.Interaction)
		ctx, span := telemetry.Start(context.Background(), "discord.interaction", attribute.String("discord.via", "gateway"))
		ctx, cancel := context.WithTimeout(ctx, interactionTokenLife)
		defer cancel()
		a.handleInteraction(ctx, &in, func(ctx context.Context, resp interactionResponse) error {
			return send(ctx, "callback", func(ctx context.Context) error { return a.callback(ctx, &in, resp) })
		})
		span.End()
	})
	s.AddHandler(func(_ *discordgo.Session, mc *discordgo.MessageCreate) {
		if mc.Message == nil || mc.Author == nil {
			return
		}
		m := mention{ID: mc.ID, ChannelID: mc.ChannelID, GuildID: mc.GuildID, AuthorID: mc.Author.ID, AuthorBot: mc.Author.Bot, Content: mc.Content}
		for _, u := range mc.Mentions {
			if u != nil {
				m.Mentioned = append(m.Mentioned, u.ID)
			}
		}
		ctx, _ := telemetry.WithRequestID(context.Background())
		ctx, cancel := context.WithTimeout(ctx, mentionAnswerLife)
		defer cancel()
		a.handleMention(ctx, m)
	})
	return s, nil
}

// fromGateway converts a gateway interaction to the adapter's own form.
func fromGateway(i *discordgo.Interaction) interaction {
	in := interaction{ID: i.ID, AppID: i.AppID, Type: int(i.Type), Token: i.Token, GuildID: i.GuildID, ChannelID: i.ChannelID, Locale: string(i.Locale)}
	if i.Member != nil {
		in.Member = &member{Permissions: fmt.Sprint(i.Member.Permissions)}
		if i.Member.User != nil {
			in.Member.User = &user{ID: i.Member.User.ID, Bot: i.Member.User.Bot}
		}
	}
	if i.User != nil {
		in.User = &user{ID: i.User.ID, Bot: i.User.Bot}
	}
	if i.Message != nil {
		in.Message = &struct {
			ID    string `json:"id"`
			Flags int    `json:"flags"`
		}{ID: i.Message.ID, Flags: int(i.Message.Flags)}
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand, discordgo.InteractionApplicationCommandAutocomplete:
		d := i.ApplicationCommandData()
		in.Data.Name = d.Name
		for _, o := range d.Options {
			if o != nil {
				in.Data.Options = append(in.Data.Options, option{Name: o.Name, Type: int(o.Type), Value: o.Value, Focused: o.Focused})
			}
		}
	case discordgo.InteractionMessageComponent:
		in.Data.CustomID = i.MessageComponentData().CustomID
	}
	return in
}

// mention is a server message that may mention the bot.
type mention struct {
	ID, ChannelID, GuildID string
	AuthorID               string
	AuthorBot              bool
	Content                string
	// Mentioned holds the ids of the users the message mentions.
	Mentioned []string
}

var mentionRE = regexp.MustCompile(`<@!?(\d+)>`)

// mentionAnswerLife bounds the answer to a mention, retries included: a
// later answer replies to a question nobody is waiting for.
const mentionAnswerLife = 2 * time.Minute

// handleMention answers "@briefbot kazakhstan risks" in a server channel
// with a public reply to the message, and any direct message to the bot.
// Messages from bots (the bot itself included) and server messages not
// mentioning the bot are ignored. Replicas connected to the same shard
// all receive the message; the shared event log lets one answer.
func (a *Adapter) handleMention(ctx context.Context, m mention) {
	self, _ := a.selfID.Load().(string)
	if self == "" || m.AuthorBot || m.AuthorID == self {
		return
	}
	mentioned := m.GuildID == "" // a direct message is addressed to the bot
	for _, id := range m.Mentioned {
		mentioned = mentioned || id == self
	}
	for _, sub := range mentionRE.FindAllStringSubmatch(m.Content, -1) {
		mentioned = mentioned || sub[1] == self
	}
	if !mentioned || !a.firstEverywhere(ctx, "message:"+m.ID) {
		return
	}
	via := "mention"
	if m.GuildID == "" {
		via = "dm"
	}
	start := time.Now()
	ctx, span := telemetry.Start(ctx, "discord."+via)
	text := mentionRE.ReplaceAllStringFunc(m.Content, func(s string) string {
		if mentionRE.FindStringSubmatch(s)[1] == self {
			return " "
		}
		return s
	})
	text = strings.Join(strings.Fields(text), " ")
	reply := a.ask(ctx, bot.Request{Platform: Platform, User: m.AuthorID, Channel: m.ChannelID, Command: "/" + commandName, Text: text})
	msgs := rendered(ctx, func() []message { return renderReply(reply) })
	a.addVotes(msgs, reply)
	err := send(ctx, "channel message", func(ctx context.Context) error {
		for i, msg := range msgs {
			if i == 0 && m.GuildID != "" {
				msg.MessageReference = &messageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID}
			}
			if err := a.call(ctx, "reply in channel "+m.ChannelID, "POST", "channels/"+m.ChannelID+"/messages", true, msg, nil); err != nil {
				return err
			}
		}
		return nil
	})
	a.logHandled(ctx, string(reply.Kind), outcomeOf(reply, err), time.Since(start), err, logExtra{via: via, parts: len(msgs)})
	telemetry.End(span, err)
}

// apiRewriter sends the requests discordgo addresses to Discord's REST
// API (discordgo.EndpointAPI) to the adapter's own API base instead. It
// belongs to one session's client, so that two adapters in one process,
// or in one test, each talk to their own API without touching discordgo's
// package variables.
type apiRewriter struct {
	from string   // discordgo's base, ending in "/"
	to   *url.URL // the adapter's base, its path ending in "/"
	next http.RoundTripper
}

func (rw apiRewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	rest, ok := strings.CutPrefix(r.URL.String(), rw.from)
	if !ok {
		return rw.next.RoundTrip(r)
	}
	u, err := rw.to.Parse(rest)
	if err != nil {
		return nil, fmt.Errorf("discord: rewrite %s onto the API base: %w", r.URL.Path, err)
	}
	r = r.Clone(r.Context())
	r.URL, r.Host = u, u.Host
	return rw.next.RoundTrip(r)
}

// sessionClient is a.client with discordgo's REST calls pointed at the
// adapter's API base.
func (a *Adapter) sessionClient() (*http.Client, error) {
	if a.apiURL == discordgo.EndpointAPI {
		return a.client, nil
	}
	to, err := url.Parse(a.apiURL)
	if err != nil {
		return nil, &FieldError{Field: "APIURL", Problem: fmt.Sprintf("is not an absolute URL: %q", a.apiURL)}
	}
	c := *a.client
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = apiRewriter{from: discordgo.EndpointAPI, to: to, next: next}
	return &c, nil
}
