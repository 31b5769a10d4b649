package discord

import (
	"context"

	"go.opentelemetry.io/otel/attribute"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/metrics"
	"github.com/briefbot/briefbot/bot/telemetry"
)

// Each handled interaction or mention is one trace: the listener's server
// span (http mode) or the adapter's own discord.interaction span (gateway),
// with children for each step named here.
const (
	spanVerify = "discord.verify" // signature checked, body read
	spanCore   = "discord.core"   // the core answered
	spanRender = "discord.render" // embeds built
	spanSend   = "discord.send"   // the platform call(s) carrying the answer
)

// ask is the core's answer to req, as a span.
func (a *Adapter) ask(ctx context.Context, req bot.Request) bot.Reply {
	ctx, span := telemetry.Step(ctx, spanCore)
	reply := a.answerer.Handle(ctx, req)
	span.SetAttributes(attribute.String("briefbot.kind", string(reply.Kind)), attribute.String("briefbot.outcome", bot.Outcome(reply)))
	span.End()
	return reply
}

// rendered is f's messages, rendered within a span.
func rendered(ctx context.Context, f func() []message) []message {
	return telemetry.Parts(ctx, spanRender, f)
}

// send runs the platform call f within a span; how names it ("response",
// "callback", "edit", "follow-up", "channel message").
func send(ctx context.Context, how string, f func(ctx context.Context) error) error {
	ctx, span := telemetry.Step(ctx, spanSend, attribute.String("discord.via", how))
	err := f(ctx)
	telemetry.End(span, err)
	return err
}

// outcomeOf is the word logs and metrics use for a handled command: the
// core's (bot.Outcome) when the answer was delivered, metrics.ResultFailed
// when it was not.
func outcomeOf(r bot.Reply, err error) string {
	if err != nil {
		return metrics.ResultFailed
	}
	return bot.Outcome(r)
}
