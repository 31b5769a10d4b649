package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/publish"
	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/config"
)

// startPublishing wires publishing into serve: it lays the briefings
// published in the store over folder and gives the result to core, records
// each library's briefings as seen (seen may be nil), serves the publishing
// API on mux when api.tokens names any token, and starts the feed that
// follows the store. Each folder reload must go through the returned
// setFolder, so that published briefings stay on top.
func startPublishing(ctx context.Context, cfg config.Config, st *store.DB, core *bot.Bot, folder *briefings.Library, seen *bot.FirstSeen,
	mux *http.ServeMux, start func(name string, run func(context.Context) error), log *slog.Logger,
) (setFolder func(*briefings.Library), err error) {
	log = log.With("component", "publish")
	apply := func(lib *briefings.Library) {
		core.SetLibrary(lib)
		if seen == nil {
			return
		}
		// Digests record what they judge anyway; recording now makes
		// "first seen" the moment a replica loaded the version.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := seen.Record(rctx, lib); err != nil {
			log.Warn("briefings not recorded as seen; the next digest will", "err", err)
		}
	}
	feed := publish.NewFeed(publish.FeedOptions{Store: st, Folder: folder, Apply: apply, Logger: log})
	if err := feed.Refresh(ctx); err != nil {
		return nil, &exitError{code: exitFailure, err: err}
	}
	if seen != nil {
		// With nothing published, Refresh applied nothing.
		if err := seen.Record(ctx, feed.Library()); err != nil {
			log.Warn("briefings not recorded as seen; the next digest will", "err", err)
		}
	}
	if len(cfg.API.Tokens) == 0 {
		log.Info("publishing API off: set api.tokens (" + config.EnvVar("api.tokens") + ") to offer it")
	} else {
		tokens := make([]publish.Token, len(cfg.API.Tokens))
		for i, t := range cfg.API.Tokens {
			tokens[i] = publish.Token{Name: t.Name, Secret: string(t.Token)}
		}
		api, err := publish.NewHandler(publish.Options{Store: st, Tokens: tokens, Logger: log, Changed: feed.Refresh})
		if err != nil {
			return nil, usageErr(fmt.Errorf("api.tokens (%s): %w", config.EnvVar("api.tokens"), err))
		}
		api.Routes(mux)
		log.Info("publishing API on", "path", publish.Prefix, "tokens", len(tokens))
	}
	start("published briefings feed", feed.Run)
	return feed.SetFolder, nil
}

// firstSeenComposer composes digests in which "new" means first seen by
// any replica (bot.FirstSeen), not dated recently.
type firstSeenComposer struct {
	core *bot.Bot
	seen *bot.FirstSeen
}

// Digest composes dr's digest with first-seen times.
func (c firstSeenComposer) Digest(ctx context.Context, dr bot.DigestRequest) (bot.Reply, bool) {
	dr.FirstSeen = c.seen
	return c.core.Digest(ctx, dr)
}

// Correction composes the correction of a posted digest with first-seen
// times, as its digest was.
func (c firstSeenComposer) Correction(ctx context.Context, cr bot.CorrectionRequest) (bot.Reply, []bot.BriefingVersion, bool) {
	cr.Digest.FirstSeen = c.seen
	return c.core.Correction(ctx, cr)
}
