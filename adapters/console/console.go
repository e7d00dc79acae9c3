// Package console is the terminal adapter: anyone can talk to commsbot with
// no tokens and nothing installed.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/commsbot/commsbot/bot"
)

// Handler answers messages; *bot.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, m bot.Message) (bot.Reply, error)
}

// Adapter runs an interactive session on a reader and a writer.
type Adapter struct {
	Handler Handler
	In      io.Reader
	Out     io.Writer
	// User names the console user; conversation state is kept under it.
	User string
	// Lang forces the answer language when set.
	Lang bot.Lang
	// Prompt is printed before each question; empty for none.
	Prompt string
	// Lines, when set, is read instead of In: a Terminal, for line
	// editing and history.
	Lines Lines
}

// maxConsoleLine is the longest line read from plain input; longer lines
// are cut (and still too long for the engine, which says so).
const maxConsoleLine = bot.MaxMessageBytes * 4

// Run reads questions line by line until EOF, "quit" or ctx is done.
func (a *Adapter) Run(ctx context.Context) error {
	user := a.User
	if user == "" {
		user = "local"
	}
	key := bot.ConversationKey{Platform: "console", Channel: "tty", User: user}
	lines := a.Lines
	if lines == nil {
		p := newPlainLines(a.In, a.Out)
		defer p.stop()
		lines = p
	}
	for {
		raw, err := lines.ReadLine(ctx, a.Prompt)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("console: %w", err)
		}
		line := strings.TrimSpace(raw)
		switch strings.ToLower(line) {
		case "":
			continue
		case "quit", "exit", "bye", "/quit", "/exit":
			return nil
		}
		r, err := a.Handler.Handle(ctx, bot.Message{Conversation: key, Text: line, Lang: a.Lang})
		if err != nil && r.Answer == "" {
			fmt.Fprintf(a.Out, "error: %v\n\n", err)
			continue
		}
		fmt.Fprintln(a.Out, Format(r))
	}
}

// ReadLine reads one line from r without its line ending. A line longer
// than limit bytes is read to its end but returned cut to limit bytes, with
// long set, so that one oversized line does not stop the reading. err is
// io.EOF when no line is left.
func ReadLine(r *bufio.Reader, limit int) (line string, long bool, err error) {
	var b []byte
	for {
		chunk, more, err := r.ReadLine()
		if err != nil {
			if len(b) > 0 || long {
				return string(b), long, nil
			}
			return "", false, err
		}
		if room := limit - len(b); len(chunk) > room {
			b = append(b, chunk[:max(room, 0)]...)
			long = true
		} else {
			b = append(b, chunk...)
		}
		if !more {
			return string(b), long, nil
		}
	}
}

// Format renders a reply for a terminal: the answer, any review notice, and
// one "Source:" line per citation with its verbatim quote.
func Format(r bot.Reply) string {
	var b strings.Builder
	b.WriteString(r.Answer)
	b.WriteString("\n")
	if r.NeedsReview {
		if r.Lang == bot.French {
			fmt.Fprintf(&b, "\n⚑ À faire examiner par un coordonnateur de l’AIPRP : %s\n", r.ReviewReason)
		} else {
			fmt.Fprintf(&b, "\n⚑ Needs review by an ATIP coordinator: %s\n", r.ReviewReason)
		}
	}
	for _, c := range r.Citations {
		label := "Source"
		if r.Lang == bot.French {
			label = "Source "
		}
		fmt.Fprintf(&b, "%s: %s, %s — “%s”", label, c.Title, c.Label, c.Quote)
		if c.Lang != r.Lang {
			fmt.Fprintf(&b, " [%s]", c.Lang)
		}
		b.WriteString("\n")
	}
	return b.String()
}
