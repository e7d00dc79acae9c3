package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/commsbot/commsbot/adapters/console"
	"github.com/commsbot/commsbot/bot"
)

// answerJSON is one line of `ask --json` / `ask --jsonl` output: the format
// read by ../shared/eval/score.
type answerJSON struct {
	ID string `json:"id,omitempty"`
	bot.Reply
	Error string `json:"error,omitempty"`
}

func langFlag(fs *flag.FlagSet) *string {
	return fs.String("lang", "", "force the answer language: en or fr")
}

func parseLangFlag(s string) (bot.Lang, error) {
	if s == "" {
		return "", nil
	}
	l := bot.ParseLang(s)
	if l == "" {
		return "", fmt.Errorf("--lang must be en or fr, not %q", s)
	}
	return l, nil
}

func askCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, logger *slog.Logger, getenv func(string) string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	jsonl := fs.Bool("jsonl", false, `read {"id","q","conversation"?} JSON lines on stdin, write one JSON answer per line`)
	conv := fs.String("conversation", "", "continue the conversation of this name (kept with REDIS_URL); without it every ask stands alone")
	langS := langFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	lang, err := parseLangFlag(*langS)
	if err != nil {
		return err
	}
	eng, closeStores, err := cliEngine(ctx, getenv, logger)
	if err != nil {
		return err
	}
	defer closeStores()
	// Every run is its own conversation unless named: with a shared store,
	// an earlier run's question must not change this run's answers.
	run := rand.Text()
	if *jsonl {
		return askJSONL(ctx, eng, lang, run, stdin, stdout)
	}
	q := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(q) == "" {
		return errors.New(`ask needs a question: commsbot ask "can we use Threads?"`)
	}
	key := bot.ConversationKey{Platform: "cli", User: "local", Thread: "run-" + run}
	if *conv != "" {
		key.Thread = "conv-" + *conv
	}
	r, err := eng.Handle(ctx, bot.Message{Conversation: key, Text: q, Lang: lang})
	if err != nil && r.Answer == "" {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(answerJSON{Reply: withCitations(r)})
	}
	_, err = fmt.Fprint(stdout, console.Format(r))
	return err
}

// maxJSONLine is the longest input line askJSONL reads; a longer line gets
// an error object.
const maxJSONLine = 1 << 20

// askJSONL answers one JSON question per line. Lines sharing a
// "conversation" value are one conversation, in order; other lines share no
// state. A malformed line gets an error object and processing goes on.
func askJSONL(ctx context.Context, eng *bot.Engine, lang bot.Lang, run string, stdin io.Reader, stdout io.Writer) error {
	in := bufio.NewReader(stdin)
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	line := 0
	for {
		raw, long, err := console.ReadLine(in, maxJSONLine)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading questions: %w", err)
		}
		line++
		if long {
			if err := enc.Encode(answerJSON{ID: fmt.Sprintf("line-%d", line), Error: fmt.Sprintf("line longer than %d bytes", maxJSONLine)}); err != nil {
				return err
			}
			continue
		}
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		var in struct {
			ID           string `json:"id"`
			Q            string `json:"q"`
			Conversation string `json:"conversation"`
			Lang         string `json:"lang_hint"`
		}
		if err := json.Unmarshal([]byte(raw), &in); err != nil {
			if err := enc.Encode(answerJSON{ID: fmt.Sprintf("line-%d", line), Reply: withCitations(bot.Reply{}), Error: "malformed JSON: " + err.Error()}); err != nil {
				return err
			}
			continue
		}
		key := bot.ConversationKey{Platform: "cli", Channel: "jsonl-" + run, User: "local", Thread: fmt.Sprintf("line-%d", line)}
		if in.Conversation != "" {
			key.Thread = "conv-" + in.Conversation
		}
		r, err := eng.Handle(ctx, bot.Message{Conversation: key, Text: in.Q, Lang: lang, Locale: in.Lang})
		out := answerJSON{ID: in.ID, Reply: withCitations(r)}
		if err != nil && r.Answer == "" {
			out.Error = err.Error()
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
}

// withCitations makes an abstention's citations an empty list, not null.
func withCitations(r bot.Reply) bot.Reply {
	if r.Citations == nil {
		r.Citations = []bot.Citation{}
	}
	return r
}
