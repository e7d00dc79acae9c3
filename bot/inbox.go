package bot

import (
	"context"
	"time"
)

// Inbox kinds: what use taught, for an analyst to turn into examples.
const (
	// InboxChoice: the user picked an option of a clarifying question,
	// which says which entry the question was asking for.
	InboxChoice = "choice"
	// InboxThumbsDown: the user said an answer did not help.
	InboxThumbsDown = "thumbs-down"
	// InboxAbstained: the bot could not answer from the guidance it holds.
	InboxAbstained = "abstained"
	// InboxResolved: a coordinator resolved a review ticket.
	InboxResolved = "resolved"
)

// InboxItem is one thing learned from use. Questions and notes are
// redacted before they are recorded.
type InboxItem struct {
	Kind     string    `json:"kind"`
	At       time.Time `json:"at"`
	Lang     Lang      `json:"lang,omitempty"`
	Question string    `json:"question"`
	// Entry is the entry the user chose or was answered with; Options
	// the entries a clarifying question offered.
	Entry   string   `json:"entry,omitempty"`
	Options []string `json:"options,omitempty"`
	// Ticket and Note are a resolved ticket's id and resolution.
	Ticket string `json:"ticket,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Inbox keeps what use taught, bounded and expiring, so an analyst can turn
// it into example questions (commsbot kb inbox). Implementations must
// keep at most InboxMax items and drop items older than InboxTTL.
type Inbox interface {
	Record(ctx context.Context, it InboxItem) error
	// Inbox returns up to limit items, newest first.
	Inbox(ctx context.Context, limit int) ([]InboxItem, error)
}

// InboxTTL is how long inbox items are kept; InboxMax how many at most.
const (
	InboxTTL = 180 * 24 * time.Hour
	InboxMax = 10000
)

// record adds an item to the engine's inbox, if it has one; failures are
// logged, never shown to the user.
func (e *Engine) record(ctx context.Context, it InboxItem) {
	if e.Inbox == nil {
		return
	}
	if it.At.IsZero() {
		it.At = e.now()
	}
	it.Question = Redact(it.Question)
	it.Note = Redact(it.Note)
	if err := e.Inbox.Record(ctx, it); err != nil && e.Logger != nil {
		e.Logger.WarnContext(ctx, "inbox unavailable", "err", err)
	}
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// Feedback records a 👎 on the conversation's last answer (a 👍 teaches
// nothing new), with the question it answered.
func (e *Engine) Feedback(ctx context.Context, key ConversationKey, up bool) error {
	if up || e.Inbox == nil {
		return nil
	}
	st, ok, err := e.Store.Conversation(ctx, key)
	if err != nil || !ok || st.Question == "" {
		return err
	}
	e.record(ctx, InboxItem{Kind: InboxThumbsDown, Lang: st.Lang, Question: st.Question, Entry: st.Entry})
	return nil
}
