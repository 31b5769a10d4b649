package bot

// TEMPORARY: signatures only while the core is written by the lead.

import (
	"context"
	"io"
	"log/slog"

	"github.com/briefbot/briefbot/briefings"
)

// Options configure a Bot.
type Options struct {
	// Library answers questions; nil means the bundled samples.
	Library *briefings.Library
	// Logger receives one line per handled request; nil discards.
	Logger *slog.Logger
	// Command is how users invoke the bot ("/brief"), used in help texts.
	Command string
}

// Bot is the platform-neutral core. It is safe for concurrent use.
type Bot struct{}

// New returns a Bot.
func New(opts Options) *Bot { panic("stub") }

// Handle answers one request. It never returns an empty reply.
func (b *Bot) Handle(ctx context.Context, req Request) Reply { panic("stub") }

// Complete suggests up to limit completions of a partly typed query:
// topics, then "topic section" pairs (for Discord autocomplete).
func (b *Bot) Complete(ctx context.Context, text string, limit int) []Suggestion {
	panic("stub")
}

// SetLibrary swaps the library atomically (hot reload).
func (b *Bot) SetLibrary(lib *briefings.Library) { panic("stub") }

// Library returns the current library.
func (b *Bot) Library() *briefings.Library { panic("stub") }

// WriteText renders a reply as plain text for a terminal.
func WriteText(w io.Writer, r Reply) error { panic("stub") }

// WriteMarkdown renders a reply as CommonMark, escaping briefing text.
func WriteMarkdown(w io.Writer, r Reply) error { panic("stub") }

// WriteJSON renders a reply as indented JSON.
func WriteJSON(w io.Writer, r Reply) error { panic("stub") }
