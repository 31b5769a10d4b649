package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/config"
)

// cliCommand is how help texts tell terminal users to ask.
const cliCommand = "briefbot ask"

// cliPlatform names the terminal in requests.
const cliPlatform bot.Platform = "cli"

// renderers are the --format values of ask and list.
var renderers = map[string]func(io.Writer, bot.Reply) error{
	"text":     writeText,
	"markdown": writeMarkdown,
	"json":     writeJSON,
}

func renderer(format string) (func(io.Writer, bot.Reply) error, error) {
	if r, ok := renderers[format]; ok {
		return r, nil
	}
	return nil, usageErr(fmt.Errorf("--format must be text, markdown or json, got %q", format))
}

func (m *Main) askCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ask [flags] [QUERY...]",
		Short: "Answer a question as the bot would",
		Long: `Answer a question as the bot would in chat, for example
"briefbot ask kazakhstan risks" prints the "Risks & caveats" section of the
Kazakhstan briefing.

Exit status: 0 answered, 1 nothing matched or a choice is needed ("which
one?", "did you mean"; suggestions are still printed), 2 usage or
configuration error.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			// No question is a question too: the bot answers it with help.
			return m.answer(cmd, strings.Join(args, " "))
		},
	}
	addLibraryFlags(cmd)
	return cmd
}

func (m *Main) listCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the topics with their headline and date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.answer(cmd, "list")
		},
	}
	addLibraryFlags(cmd)
	return cmd
}

func addLibraryFlags(cmd *cobra.Command) {
	cmd.Flags().String("briefings", "", "briefings `folder` (default: briefings.dir, else the bundled samples)")
	cmd.Flags().String("format", "text", "output format: text, markdown or json")
}

// answer puts query to the bot and prints the reply.
func (m *Main) answer(cmd *cobra.Command, query string) error {
	format, _ := cmd.Flags().GetString("format")
	render, err := renderer(format)
	if err != nil {
		return err
	}
	cfg, err := m.loadConfig(cmd)
	if err != nil {
		return err
	}
	lib, err := m.library(cfg.Briefings.Dir)
	if err != nil {
		return err
	}
	b := bot.New(bot.Options{
		Library: lib,
		Logger:  newLogger(m.Stderr, cfg, slog.LevelWarn),
		Command: cliCommand,
	})
	reply := b.Handle(cmd.Context(), bot.Request{Platform: cliPlatform, Text: query})
	if err := render(m.Stdout, reply); err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("write answer: %w", err)}
	}
	if !Answered(reply) {
		return &exitError{code: exitFailure}
	}
	return nil
}

// library loads dir, or returns the bundled samples when dir is empty.
// A command that answers and exits parses whole only the briefings it
// answers from (briefings.LoadLazy). Problems with the files parsed at load
// are printed as warnings ("briefbot check" reports every file's); the good
// files are still used.
func (m *Main) library(dir string) (*briefings.Library, error) {
	if dir == "" {
		return briefings.Sample(), nil
	}
	lib, problems, err := briefings.LoadLazy(dir)
	if err != nil {
		return nil, usageErr(err)
	}
	for _, p := range problems {
		fmt.Fprintln(m.Stderr, p.Error())
	}
	return lib, nil
}

func (m *Main) checkCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "check [DIR]",
		Short: "Lint a briefings folder",
		Long: `Check every briefing in DIR (default: briefings.dir, else the bundled
samples) as readers will meet it, and print one line per problem as
"path:line: message", warnings as "path:line: warning: message", then a
summary on stderr.

Errors are files the bot cannot use (empty, binary, not UTF-8, bad front
matter or date) and two files with the same topic and date, of which
readers can reach only one. Warnings are files the bot uses but readers may
trip over: a section with no content, a heading that swallowed the lede, an
unknown front-matter key, an ambiguous date such as 03/04/2026, an alias
that two topics claim, a briefing without sections.

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error
or unreadable folder.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := m.loadConfig(cmd)
			if err != nil {
				return err
			}
			dir := cfg.Briefings.Dir
			if len(args) == 1 {
				dir = args[0]
			}
			return m.check(dir)
		},
	}
}

// check lints dir, or the bundled samples when dir is empty.
func (m *Main) check(dir string) error {
	var (
		lib      *briefings.Library
		problems []briefings.Problem
		read     func(string) ([]byte, error)
		where    string
	)
	if dir == "" {
		samples := briefings.SampleFS()
		lib, problems = briefings.LoadFS(samples)
		read = func(p string) ([]byte, error) { return fs.ReadFile(samples, p) }
		where = fmt.Sprintf(" (the bundled samples; set %s to check yours)", config.EnvVar("briefings.dir"))
	} else {
		var err error
		lib, problems, err = briefings.Load(dir)
		if err != nil {
			return usageErr(err)
		}
		read = os.ReadFile
	}
	problems = append(problems, briefings.Check(lib, read)...)
	slices.SortStableFunc(problems, func(a, b briefings.Problem) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	// A file counts once, whether it loaded, failed or both loaded and
	// drew warnings.
	files := map[string]bool{}
	for _, t := range lib.Topics() {
		for _, b := range lib.Versions(t.Key()) {
			files[b.Path] = true
		}
	}
	var errs, warns int
	for _, p := range problems {
		fmt.Fprintln(m.Stdout, p.Error())
		files[p.Path] = true
		if p.Warning {
			warns++
		} else {
			errs++
		}
	}
	fmt.Fprintf(m.Stderr, "checked %s%s: %s, %s\n",
		plural(len(files), "file"), where, plural(errs, "error"), plural(warns, "warning"))
	if errs > 0 {
		return &exitError{code: exitFailure}
	}
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func (m *Main) configCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the effective configuration as YAML, secrets redacted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := m.loadConfig(cmd)
			if err != nil {
				return err
			}
			if err := checkPlatforms(cfg); err != nil {
				return usageErr(err)
			}
			if cfg.File != "" {
				fmt.Fprintf(m.Stdout, "# read from %s\n", cfg.File)
			}
			if err := cfg.WriteYAML(m.Stdout); err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			return nil
		},
	}
	// Accepted so that "briefbot config --briefings DIR" shows its effect.
	cmd.Flags().String("briefings", "", "briefings `folder`")
	return cmd
}

func (m *Main) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build time and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			readBuild().write(m.Stdout)
			return nil
		},
	}
}

func (m *Main) healthcheckCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "healthcheck",
		Short: "Probe the running server's /healthz (for container health checks)",
		Long: `Send GET http://127.0.0.1:PORT/healthz, PORT taken from http.addr, and exit
0 when the server answers 200 OK, 1 otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := m.loadConfig(cmd)
			if err != nil {
				return err
			}
			return m.healthcheck(cmd.Context(), cfg.HTTP.Addr)
		},
	}
}

func (m *Main) healthcheck(ctx context.Context, addr string) error {
	u, err := healthURL(addr)
	if err != nil {
		return usageErr(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return usageErr(err)
	}
	client := m.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("healthcheck: %w", err)}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return &exitError{code: exitFailure, err: fmt.Errorf("healthcheck: %s answered %s", u, resp.Status)}
	}
	fmt.Fprintln(m.Stdout, "ok")
	return nil
}

// healthURL turns a listen address into the URL of its health endpoint on
// the loopback interface, where the probe runs.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("healthcheck: http.addr %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	if port == "" {
		return "", errors.New("healthcheck: http.addr has no port")
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
