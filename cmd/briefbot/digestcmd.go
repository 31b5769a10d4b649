package main

// The "briefbot digest" command: list, preview and post scheduled digests
// from a terminal.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
)

func (m *Main) digestCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "digest",
		Short: "List, preview or post scheduled digests",
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:   "list",
			Short: "List digest subscriptions with their next run, last delivery and last error",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return m.withApp(cmd, func(ctx context.Context, a *app) error {
					return writeText(m.Stdout, a.core.Handle(ctx, bot.Request{Platform: cliPlatform, Text: "subscriptions"}))
				})
			},
		},
		&cobra.Command{
			Use:   "preview [ID]",
			Short: "Print the digest a subscription would post now (or of all topics)",
			Args:  cobra.MaximumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return m.withApp(cmd, func(ctx context.Context, a *app) error {
					if len(args) == 0 {
						return writeText(m.Stdout, a.core.Handle(ctx, bot.Request{Platform: cliPlatform, Text: "digest"}))
					}
					r, _, err := a.composeNow(ctx, args[0])
					if err != nil {
						return err
					}
					return writeText(m.Stdout, r)
				})
			},
		},
		&cobra.Command{
			Use:   "run ID",
			Short: "Post a subscription's digest now, outside its schedule",
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return m.withApp(cmd, func(ctx context.Context, a *app) error {
					r, sub, err := a.composeNow(ctx, args[0])
					if err != nil {
						return err
					}
					poster, ok := a.posters[sub.Platform]
					if !ok {
						return usageErr(fmt.Errorf("digest %s posts to %s, which is not configured", sub.ID, sub.Platform))
					}
					ids, err := poster.PostDigest(ctx, sub.Channel, r, bot.SlotRef{Subscription: sub.ID, Slot: time.Now().UTC().Truncate(time.Second)}, nil)
					if err != nil {
						return &exitError{code: exitFailure, err: err}
					}
					fmt.Fprintf(m.Stdout, "posted digest %s to %s channel %s (%d messages)\n", sub.ID, sub.Platform, sub.Channel, len(ids))
					return nil
				})
			},
		},
	)
	return cmd
}

// composeNow composes subscription id's digest as it would be posted now.
func (a *app) composeNow(ctx context.Context, id string) (bot.Reply, bot.Subscription, error) {
	sub, err := a.store.Subscription(ctx, id)
	if errors.Is(err, bot.ErrNotFound) {
		return bot.Reply{}, sub, usageErr(fmt.Errorf("no digest subscription %q (see briefbot digest list)", id))
	}
	if err != nil {
		return bot.Reply{}, sub, &exitError{code: exitFailure, err: err}
	}
	r, _ := a.core.Digest(ctx, bot.DigestRequest{Subscription: sub, Slot: time.Now()})
	return r, sub, nil
}

// withApp builds the app (briefings, store, adapters) for a one-off command.
func (m *Main) withApp(cmd *cobra.Command, f func(context.Context, *app) error) error {
	cfg, err := m.loadConfig(cmd)
	if err != nil {
		return err
	}
	a, err := m.newApp(cmd.Context(), cfg, newLogger(m.Stderr, cfg, slog.LevelWarn))
	if err != nil {
		return err
	}
	defer a.Close()
	return f(cmd.Context(), a)
}

func (m *Main) discordCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "discord",
		Short: "Discord administration",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "register",
		Short: "Register the /brief application command (globally, or in discord.guild_id)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := m.loadConfig(cmd)
			if err != nil {
				return err
			}
			// The adapter only makes REST calls here; the core it needs
			// for answering is never asked.
			da, err := discord.New(discordConfig(cfg.Discord), bot.New(bot.Options{}))
			if err != nil {
				return usageErr(withConfigKeys(err))
			}
			if err := da.RegisterCommands(cmd.Context()); err != nil {
				return &exitError{code: exitFailure, err: withConfigKeys(err)}
			}
			where := "globally"
			if cfg.Discord.GuildID != "" {
				where = "in guild " + cfg.Discord.GuildID
			}
			fmt.Fprintf(m.Stdout, "registered /brief %s\n", where)
			return nil
		},
	})
	return cmd
}
