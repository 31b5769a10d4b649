package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/store"
)

func (m *Main) gapsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gaps",
		Short: "What readers asked that no briefing answers, and the sections marked Not helpful",
		Long: `List what readers asked in Slack and Discord that no briefing answered,
or answered only by guessing (a typo corrected, a topic taken from part of
its name), most asked first, with the suggestions the bot gave; then the
sections readers most often marked "Not helpful". Counts come from the
store (store.url) and are kept for analytics.retention.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := m.loadConfig(cmd)
			if err != nil {
				return err
			}
			since, _ := cmd.Flags().GetString("since")
			window, err := bot.ParseWindow(since)
			if err != nil {
				return usageErr(fmt.Errorf("--since: %w", err))
			}
			limit, _ := cmd.Flags().GetInt("limit")
			if !cfg.Analytics.Enabled {
				fmt.Fprintln(m.Stderr, "briefbot: analytics.enabled is false: nothing new is being counted")
			}
			ctx := cmd.Context()
			st, err := store.Open(ctx, cfg.Store.URL, nil)
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			defer st.Close()
			r, err := bot.ReadGaps(ctx, st, time.Now().Add(-window), limit)
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			return writeGaps(m.Stdout, r, since)
		},
	}
	cmd.Flags().String("since", "7d", "how far back to look: days (7d) or a duration (36h)")
	cmd.Flags().Int("limit", 20, "at most this many questions and sections")
	return cmd
}

func writeGaps(out io.Writer, r bot.GapsReport, since string) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Questions no briefing answered in the last %s (since %s UTC):\n", since, r.Since.UTC().Format("2006-01-02 15:04"))
	if len(r.Gaps) == 0 {
		fmt.Fprintln(tw, "  none")
	} else {
		fmt.Fprintln(tw, "  ASKED\tOUTCOME\tQUESTION\tSUGGESTED")
		for _, g := range r.Gaps {
			sug := strings.Join(g.Suggestions, ", ")
			if sug == "" {
				sug = "-"
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", g.Count, g.Outcome, g.Question, sug)
		}
	}
	fmt.Fprintln(tw, "\nSections most often marked \"Not helpful\":")
	if len(r.NotHelpful) == 0 {
		fmt.Fprintln(tw, "  none")
	} else {
		fmt.Fprintln(tw, "  NOT HELPFUL\tHELPFUL\tTOPIC\tSECTION")
		for _, v := range r.NotHelpful {
			fmt.Fprintf(tw, "  %d\t%d\t%s\t%s\n", v.NotHelpful, v.Helpful, v.Topic, bot.SectionName(v.Section))
		}
	}
	return tw.Flush()
}
