package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// ParaphraseRequest is what a Paraphraser gets: a curated answer to rephrase
// for the question asked. Everything but Question comes from the knowledge
// base.
type ParaphraseRequest struct {
	// Entry is the knowledge entry the answer comes from.
	Entry string
	// Lang is the language the answer is in and the paraphrase must be in.
	Lang Lang
	// Answer is the curated answer text.
	Answer string
	// Quotes are the verbatim quotes the answer cites.
	Quotes []string
	// Terms are the entry's key terms in Lang, which the paraphrase must
	// keep.
	Terms []string
	// Question is what the user typed, unredacted: the Paraphraser removes
	// personal information before sending it anywhere.
	Question string
}

// Paraphraser rephrases a curated answer for the question asked. It returns
// an error when it has no acceptable paraphrase; the engine then uses the
// curated text. Implementations must honour ctx's deadline and be safe for
// concurrent use.
type Paraphraser interface {
	Paraphrase(ctx context.Context, req ParaphraseRequest) (string, error)
}

// Cache is a key-value cache with expiry, shared by replicas when the store
// is (storage/redis). Keys must not contain personal information.
type Cache interface {
	// GetCache returns the value stored under key; ok is false when there is
	// none or it has expired.
	GetCache(ctx context.Context, key string) (val string, ok bool, err error)
	// SetCache stores val under key for ttl, which must be positive.
	SetCache(ctx context.Context, key, val string, ttl time.Duration) error
}

// DefaultParaphraseTimeout bounds a paraphrase when Engine.ParaphraseTimeout
// is not set. Slack's and Discord's adapters acknowledge an event before
// answering, so the answer only has to come within the platform's window for
// a follow-up message, far longer than this.
const DefaultParaphraseTimeout = 4 * time.Second

// paraphraseGrace is how long after the deadline the engine waits for a
// Paraphraser to return before leaving it behind.
const paraphraseGrace = 200 * time.Millisecond

// errParaphraseLate is the engine's reason for not waiting any longer.
var errParaphraseLate = errors.New("paraphrase: deadline passed")

// paraphrase asks e.Paraphraser to rephrase a, and returns the text to use
// in its place; ok is false when the curated text must be used. It returns
// by the deadline (plus paraphraseGrace) even if the Paraphraser does not.
func (e *Engine) paraphrase(ctx context.Context, log *slog.Logger, question string, a Answer, lang Lang) (text string, ok bool) {
	body := a.Text
	if a.Note != "" {
		// The note is the knowledge base's, not the entry's: it is kept
		// verbatim after the paraphrase.
		var cut bool
		body, cut = strings.CutSuffix(body, " "+a.Note)
		if !cut {
			return "", false
		}
	}
	req := ParaphraseRequest{Entry: a.Entry, Lang: lang, Answer: body, Terms: a.Terms, Question: question}
	for _, c := range a.Citations {
		req.Quotes = append(req.Quotes, c.Quote)
	}
	timeout := e.ParaphraseTimeout
	if timeout <= 0 {
		timeout = DefaultParaphraseTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("paraphraser panicked: %v", p)}
			}
		}()
		t, err := e.Paraphraser.Paraphrase(ctx, req)
		done <- result{t, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		// A Paraphraser that honours ctx returns at once: wait a moment so
		// that it does not outlive the call, but no longer.
		select {
		case <-done:
		case <-time.After(paraphraseGrace):
		}
		r = result{err: fmt.Errorf("%w: %w", errParaphraseLate, ctx.Err())}
	}
	if r.err == nil && strings.TrimSpace(r.text) == "" {
		r.err = errors.New("paraphrase: empty")
	}
	if r.err != nil {
		// The error names a reason, never the text: logs hold no messages.
		log.DebugContext(ctx, "curated answer used", "entry", a.Entry, "lang", lang, "err", r.err)
		return "", false
	}
	text = strings.TrimSpace(r.text)
	if a.Note != "" {
		text += " " + a.Note
	}
	return text, true
}
