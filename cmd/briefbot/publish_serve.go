package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/publish"
	"github.com/briefbot/briefbot/bot/store"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/config"
)

// startPublishing wires publishing into serve: it lays the briefings
// published in the store over folder and gives the result to core, serves
// the publishing API on mux when api.tokens names any token, and starts
// the feed that follows the store. Each folder reload must go through the
// returned setFolder, so that published briefings stay on top.
func startPublishing(ctx context.Context, cfg config.Config, st *store.DB, core *bot.Bot, folder *briefings.Library,
	mux *http.ServeMux, start func(name string, run func(context.Context) error), log *slog.Logger,
) (setFolder func(*briefings.Library), err error) {
	log = log.With("component", "publish")
	feed := publish.NewFeed(publish.FeedOptions{Store: st, Folder: folder, Apply: core.SetLibrary, Logger: log})
	if err := feed.Refresh(ctx); err != nil {
		return nil, &exitError{code: exitFailure, err: err}
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
