// Command briefbot answers questions from news briefings: in Slack and
// Discord, and from the terminal.
//
//	briefbot ask kazakhstan risks     print one section of a briefing
//	briefbot check ./briefings        lint a briefings folder (for CI)
//	briefbot test questions.yaml      check that questions get the answers they must
//	briefbot list                     list the topics
//	briefbot config                   print the effective configuration, secrets redacted
//	briefbot version                  print the version
//	briefbot healthcheck              probe a running server's /healthz
//	briefbot publish ./briefings      publish briefings to a running server (for CI)
//
// This package is wiring only: flags and configuration become options for
// the packages that do the work. Main holds everything a test needs to run
// the command with its own input and output.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // digest time zones work in a minimal image without zoneinfo

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/bot/telemetry"
	"github.com/briefbot/briefbot/config"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and found a problem: no answer, lint errors
	exitUsage   = 2 // bad flags or arguments, bad configuration, unreadable folder
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the briefbot command line with the given arguments and streams
// and returns the process exit code. Configuration also comes from the
// process environment (BRIEFBOT_*), which viper reads directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	m := &Main{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	return m.Run(ctx, args)
}

// Main is the briefbot program with its input, output and environment made
// explicit, so tests can run it.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// ConfigSearchPaths replaces config.DefaultSearchPaths when non-nil, so
	// tests do not pick up a machine's /etc/briefbot/briefbot.yaml.
	ConfigSearchPaths []string
	// HTTPClient is used by healthcheck; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Listening, when set, is told the address serve listens on (tests
	// give http.addr port 0).
	Listening func(net.Addr)
}

// exitError carries an exit code through cobra. A nil err exits silently,
// the command having already said what went wrong.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageErr(err error) error { return &exitError{code: exitUsage, err: err} }

// Run executes the command line args (without the program name) and
// returns the exit code. It never calls os.Exit.
func (m *Main) Run(ctx context.Context, args []string) int {
	root := m.rootCommand()
	root.SetArgs(args)
	root.SetIn(m.Stdin)
	root.SetOut(m.Stdout)
	root.SetErr(m.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(m.Stderr, "briefbot: %v\n", ee.err)
		}
		return ee.code
	}
	// Errors cobra produces itself: unknown commands, wrong argument counts.
	fmt.Fprintf(m.Stderr, "briefbot: %v\nRun 'briefbot --help' for usage.\n", err)
	return exitUsage
}

func (m *Main) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "briefbot",
		Short: "Answer questions from news briefings in Slack, Discord and the terminal",
		Long: `briefbot answers questions from a folder of news briefings.

Configuration comes from flags, then BRIEFBOT_* environment variables
(briefings.dir is BRIEFBOT_BRIEFINGS_DIR), then briefbot.yaml in the
current directory or /etc/briefbot/ (or the file given with --config),
then defaults. "briefbot config" prints the result.`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	pf := root.PersistentFlags()
	pf.String("config", "", "configuration `file` (default ./briefbot.yaml, then /etc/briefbot/briefbot.yaml)")
	pf.String("log-level", "info", "log level: debug, info, warn or error")
	pf.String("log-format", "text", "log format: text or json")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr(fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath()))
	})

	root.AddCommand(
		m.askCommand(),
		m.checkCommand(),
		m.testCommand(),
		m.listCommand(),
		m.configCommand(),
		m.versionCommand(),
		m.healthcheckCommand(),
		m.serveCommand(),
		m.digestCommand(),
		m.discordCommand(),
		m.publishCommand(),
		m.gapsCommand(),
	)
	return root
}

// loadConfig reads the configuration with cmd's flags on top. Any problem
// is a usage error: the user must fix flags, environment or file.
func (m *Main) loadConfig(cmd *cobra.Command) (config.Config, error) {
	file, err := cmd.Flags().GetString("config")
	if err != nil {
		return config.Config{}, usageErr(err)
	}
	cfg, err := config.Load(config.Options{
		File:        file,
		SearchPaths: m.ConfigSearchPaths,
		Flags:       cmd.Flags(),
		FlagKeys:    map[string]string{"briefings.dir": "briefings"},
	})
	if err != nil {
		return cfg, usageErr(fmt.Errorf("configuration:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  ")))
	}
	return cfg, nil
}

// newLogger builds the process logger. Interactive commands pass a floor so
// that routine info lines do not mix with their answers on the terminal.
func newLogger(w io.Writer, cfg config.Config, floor slog.Level) *slog.Logger {
	var level slog.Level
	// The value was validated by config.Load.
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	if level < floor && level != slog.LevelDebug {
		level = floor
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.Log.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	// Lines logged with a request's context carry its request id and trace.
	return slog.New(telemetry.LogHandler(h))
}
