package slack

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/metrics"
	"github.com/briefbot/briefbot/bot/telemetry"
)

// Every handled request is one trace: the listener's server span (or, in
// socket mode, the handling span itself) with children for each step
// named here, so that a slow answer shows where the time went.
const (
	spanVerify = "slack.verify" // signature checked, body read
	spanCore   = "slack.core"   // the core answered
	spanRender = "slack.render" // Block Kit built
	spanSend   = "slack.send"   // the platform call(s) carrying the answer
)

// verifySpanKey carries the verify span from receipt to the handler that
// runs once the signature is checked.
type verifySpanKey struct{}

// traced starts a request's verify span on receipt; the verified handler
// ends it (verified), else it ends here as refused.
func traced(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The handler's spans are the verify span's siblings, not its
		// children: they share its request id and its parent only.
		ctx, _ := telemetry.EnsureRequestID(r.Context())
		_, span := telemetry.Step(ctx, spanVerify)
		if !span.IsRecording() {
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		done := false
		ctx = context.WithValue(ctx, verifySpanKey{}, func() {
			done = true
			span.SetAttributes(attribute.Bool("slack.verified", true))
			span.End()
		})
		next.ServeHTTP(w, r.WithContext(ctx))
		if !done {
			span.SetAttributes(attribute.Bool("slack.verified", false))
			span.End()
		}
	})
}

// verified ends the verify span in ctx, if any.
func verified(ctx context.Context) {
	if end, ok := ctx.Value(verifySpanKey{}).(func()); ok {
		end()
	}
}

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

// Deadlines of answer deliveries: a response_url takes messages for 30
// minutes; a chat.postMessage answer has no deadline of Slack's, and one
// later than a few minutes answers a question nobody is waiting for.
const (
	responseURLLife = 30*time.Minute - time.Minute
	postAnswerLife  = 3 * time.Minute
)

// send runs the platform call f within a span. A failure that may pass
// (a 5xx, a timeout) is retried with back-off until the delivery's
// platform deadline, counted from start, whatever the handling's own
// timeout; how names the call ("ack", "response_url", "chat.postMessage").
func send(ctx context.Context, how string, start time.Time, f func(ctx context.Context) error) error {
	ctx, span := telemetry.Step(ctx, spanSend, attribute.String("slack.via", how))
	var cancel context.CancelFunc = func() {}
	switch how {
	case "response_url":
		ctx, cancel = context.WithDeadline(context.WithoutCancel(ctx), start.Add(responseURLLife))
		ctx = context.WithValue(ctx, retryTransientKey{}, true)
	case "chat.postMessage":
		ctx, cancel = context.WithDeadline(context.WithoutCancel(ctx), start.Add(postAnswerLife))
		ctx = context.WithValue(ctx, retryTransientKey{}, true)
	}
	defer cancel()
	err := f(ctx)
	telemetry.End(span, err)
	return err
}

// retryTransientKey marks a context whose platform calls retry failures
// that may pass until its deadline: answers, not digests, whose retries
// the scheduler's ledger decides.
type retryTransientKey struct{}

// outcome is the word logs and metrics use for a handled request: the
// core's (bot.Outcome) when the answer was delivered, metrics.ResultFailed
// when it was not.
func outcome(reply bot.Reply, err error) string {
	if err != nil {
		return metrics.ResultFailed
	}
	return bot.Outcome(reply)
}

// logHandled writes the one line per handled request: no text, no IDs.
// ctx carries the request id and span, which the log handler adds.
func (a *Adapter) logHandled(ctx context.Context, source string, reply bot.Reply, start time.Time, err error) {
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
	}
	if !a.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("platform", string(Platform)),
		slog.String("source", source),
		slog.String("kind", string(reply.Kind)),
		slog.String("outcome", outcome(reply, err)),
		slog.Duration("duration", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	a.log.LogAttrs(ctx, level, "slack request handled", attrs...)
}
