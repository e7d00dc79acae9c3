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
}

// Run reads questions line by line until EOF, "quit" or ctx is done.
func (a *Adapter) Run(ctx context.Context) error {
	sc := bufio.NewScanner(a.In)
	sc.Buffer(make([]byte, 64*1024), bot.MaxMessageBytes*4)
	user := a.User
	if user == "" {
		user = "local"
	}
	key := bot.ConversationKey{Platform: "console", Channel: "tty", User: user}
	for {
		if a.Prompt != "" {
			fmt.Fprint(a.Out, a.Prompt)
		}
		if !sc.Scan() {
			if err := sc.Err(); err != nil {
				return fmt.Errorf("console: %w", err)
			}
			return nil
		}
		if err := ctx.Err(); err != nil {
			return nil
		}
		line := strings.TrimSpace(sc.Text())
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
