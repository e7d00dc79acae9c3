package bot

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Review categories: why a request needs an ATIP coordinator.
const (
	CategoryUnreviewedPlatform = "unreviewed-platform"
	CategoryOtherUse           = "other-use"
	CategorySecondaryUse       = "secondary-use"
	CategoryOtherPI            = "other-pi"
	CategoryBreach             = "breach"
	CategoryRequested          = "requested"
	// CategorySituation: a situation the learned review model finds like
	// those coordinators must assess, though no rule names why.
	CategorySituation = "situation"
)

// TicketStatus is where a review ticket is in its life: open → claimed →
// resolved.
type TicketStatus string

// Ticket statuses.
const (
	StatusOpen     TicketStatus = "open"
	StatusClaimed  TicketStatus = "claimed"
	StatusResolved TicketStatus = "resolved"
)

// Person is a platform user.
type Person struct {
	// ID is platform-qualified: "slack:U123", "discord:456".
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Via says where an action came from when the platform did not
	// authenticate the person: "cli on host h" for the reviews command,
	// whose --as is only as trustworthy as access to Redis. Empty for
	// people a chat platform vouched for.
	Via string `json:"via,omitempty"`
}

// Origin is where a request came from.
type Origin struct {
	Platform  string `json:"platform"`
	Workspace string `json:"workspace,omitempty"`
	Channel   string `json:"channel,omitempty"`
	Thread    string `json:"thread,omitempty"`
	Permalink string `json:"permalink,omitempty"`
}

// TicketEvent is one line of a ticket's append-only history.
type TicketEvent struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"` // opened, claimed, resolved, reminded
	Note   string    `json:"note,omitempty"`
	// Via is the actor's Person.Via: set when the action did not come
	// through a chat platform that authenticated the actor.
	Via string `json:"via,omitempty"`
}

// Ticket is a request for an ATIP coordinator's review. Tickets record an
// administrative decision, so they are kept at least two years (see the
// retention policy in the README).
type Ticket struct {
	ID        string    `json:"id"`
	Created   time.Time `json:"created"`
	Category  string    `json:"category"`
	Topic     string    `json:"topic"`
	Requester Person    `json:"requester"`
	Origin    Origin    `json:"origin"`
	Lang      Lang      `json:"lang"`
	Question  string    `json:"question"` // personal information redacted
	// Redacted lists the kinds of personal information removed from
	// Question ("name", "health-card"…), for the ticket's header.
	Redacted  []string   `json:"redacted,omitempty"`
	Answer    string     `json:"answer,omitempty"`
	Citations []Citation `json:"citations,omitempty"`
	// CitationLabels keeps each citation's readable label ("Annex A, Q9"),
	// which Citation's JSON leaves out (ask --jsonl's format).
	CitationLabels []string `json:"citation_labels,omitempty"`

	Status     TicketStatus  `json:"status"`
	Claimant   string        `json:"claimant,omitempty"`
	Resolution string        `json:"resolution,omitempty"`
	RemindedAt time.Time     `json:"reminded_at,omitzero"`
	History    []TicketEvent `json:"history"`
}

// Notice kinds: what a notification about a ticket says.
const (
	NoticeOpened   = "opened"
	NoticeClaimed  = "claimed"
	NoticeResolved = "resolved"
	NoticeReminder = "reminder"
)

// Notice is one notification to deliver about a ticket.
type Notice struct {
	// ID identifies the notice in the outbox, for Ack.
	ID       string `json:"id"`
	TicketID string `json:"ticket"`
	Kind     string `json:"kind"`
}

// ErrNotFound is returned for a ticket that does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a ticket changed under an update, or is not
// in a state that allows the change.
var ErrConflict = errors.New("conflict")

// TicketStore keeps review tickets durably, with an outbox of notifications
// written in the same step, so that a ticket is never stored without its
// notification or notified without being stored.
type TicketStore interface {
	// CreateTicket stores a new ticket and enqueues its "opened" notice.
	CreateTicket(ctx context.Context, t Ticket) error
	Ticket(ctx context.Context, id string) (Ticket, error)
	// UpdateTicket applies change to the current ticket atomically and, if
	// notice is not empty, enqueues a notice of that kind in the same step.
	// change returning an error aborts the update.
	UpdateTicket(ctx context.Context, id string, notice string, change func(*Ticket) error) (Ticket, error)
	// Tickets lists tickets with the status ("" for all), newest first.
	Tickets(ctx context.Context, status TicketStatus) ([]Ticket, error)
}

// LabelledCitations are the ticket's citations with their labels, as
// stored (a ticket read back from JSON has them only in CitationLabels).
func (t Ticket) LabelledCitations() []Citation {
	out := slices.Clone(t.Citations)
	for i := range out {
		if out[i].Label == "" && i < len(t.CitationLabels) {
			out[i].Label = t.CitationLabels[i]
		}
	}
	return out
}

// RequesterTickets lists the tickets one requester (a platform-qualified
// user id) asked for, newest first, at most limit, so that a requester can
// follow their own requests.
type RequesterTickets interface {
	RequesterTickets(ctx context.Context, requester string, limit int) ([]Ticket, error)
}

// TicketRestorer stores a ticket from a backup as it was: no notice is
// queued (its coordinators heard of it when it was opened). It reports
// false when a ticket with that id already exists, which is left as is.
type TicketRestorer interface {
	RestoreTicket(ctx context.Context, t Ticket) (bool, error)
}

// Outbox hands out notices to deliver. A notice handed out and not acked
// is handed out again after a while (to this or another replica), so a
// crash between storing and notifying is retried.
type Outbox interface {
	// NextNotice waits at most wait for a notice; ok is false when none
	// came.
	NextNotice(ctx context.Context, consumer string, wait time.Duration) (n Notice, ok bool, err error)
	AckNotice(ctx context.Context, id string) error
}

// Locker is a lock with expiry, released only by its owner: one replica at a
// time sends reminders.
type Locker interface {
	TryLock(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	Unlock(ctx context.Context, name, owner string) error
}

// Notifier delivers a notice about a ticket: to the coordinators' channel
// (opened, claimed, reminder) or to the requester (resolved). Each adapter
// implements it for its platform.
type Notifier interface {
	// Platform is the platform this notifier posts to; "" delivers
	// notices of every platform (the log notifier).
	Platform() string
	Notify(ctx context.Context, kind string, t Ticket) error
}

const ticketAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ" // no 0/O, 1/I/L

// NewTicketID returns an id such as "R-7KQ2M9XD": short enough to read out,
// random enough not to collide.
func NewTicketID() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on supported platforms
	}
	return ticketID(b)
}

// EventTicketID is the ticket id of the review a platform event asks for:
// the same event, retried on another replica after a crash, files the
// same ticket instead of a second one.
func EventTicketID(platform, eventID, topic string) string {
	sum := sha256.Sum256([]byte(platform + "\x00" + eventID + "\x00" + topic))
	return ticketID(sum[:8])
}

func ticketID(b []byte) string {
	const alphabet = ticketAlphabet
	var s strings.Builder
	s.WriteString("R-")
	for _, c := range b {
		s.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return s.String()
}
