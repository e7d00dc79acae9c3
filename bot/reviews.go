package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrForbidden is returned when someone who is not an ATIP coordinator
// tries a coordinator's action.
var ErrForbidden = errors.New("only ATIP coordinators can do that")

// Coordinators decides who is an ATIP coordinator. Adapters extend the
// static list with Slack user groups and Discord roles.
type Coordinators interface {
	IsCoordinator(ctx context.Context, p Person) (bool, error)
}

// CoordinatorList is a fixed set of platform-qualified user ids, as in
// ATIP_COORDINATORS="slack:U123,discord:456".
type CoordinatorList map[string]bool

// ParseCoordinators reads a comma-separated list of platform-qualified ids.
func ParseCoordinators(s string) (CoordinatorList, error) {
	l := CoordinatorList{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		platform, id, ok := strings.Cut(f, ":")
		if !ok || platform == "" || id == "" {
			return nil, fmt.Errorf("coordinator %q is not platform:id (e.g. slack:U123)", f)
		}
		l[strings.ToLower(platform)+":"+id] = true
	}
	return l, nil
}

// IsCoordinator implements Coordinators.
func (l CoordinatorList) IsCoordinator(_ context.Context, p Person) (bool, error) {
	return l[p.ID], nil
}

// ReviewObserver is told about review events, for metrics.
type ReviewObserver interface {
	ReviewEvent(action, category string) // opened, claimed, resolved, reminded, failed, notified, notify-failed
}

// Reviews runs the ATIP review workflow: opening tickets, the coordinators'
// claim and resolve, delivering notifications and sending reminders.
type Reviews struct {
	Store        TicketStore
	Outbox       Outbox
	Locker       Locker
	Coordinators Coordinators
	// Notifiers deliver notices; one per configured adapter, plus the
	// log notifier as the fallback.
	Notifiers []Notifier
	// RemindAfter is how long an open ticket waits before a reminder
	// (default 4 h); breaches use RemindBreachAfter (default 1 h).
	RemindAfter       time.Duration
	RemindBreachAfter time.Duration
	Observer          ReviewObserver
	Logger            *slog.Logger
	// Inbox, when set, records every resolution for an analyst.
	Inbox Inbox
	Now   func() time.Time
	// MaxQueued bounds the tickets kept in memory while the store is
	// unreachable (default DefaultMaxQueued); RetryDelay is the pause
	// between the attempts to file one within a request (default 200 ms).
	MaxQueued  int
	RetryDelay time.Duration

	queueMu sync.Mutex
	queued  []Ticket
}

// DefaultMaxQueued is how many review requests a replica keeps while the
// ticket store is unreachable.
const DefaultMaxQueued = 1000

// ErrQueued is returned by Open with a ticket that could not be stored yet:
// it is kept in this replica's memory and filed, under the same id, as soon
// as the store answers (FlushQueued, which RunDispatcher calls). A replica
// that dies first loses it.
var ErrQueued = errors.New("ticket queued until the store is back")

// fileAttempts is how often Open tries the store before queuing.
const fileAttempts = 3

func (r *Reviews) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Reviews) log() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (r *Reviews) observe(action, category string) {
	if r.Observer != nil {
		r.Observer.ReviewEvent(action, category)
	}
}

// Open stores a ticket for a message and the bot's reply. The ticket is
// stored, with its notification queued, before Open returns: a caller may
// tell the user a coordinator was notified only when err is nil.
func (r *Reviews) Open(ctx context.Context, m Message, reply Reply, category, topic string) (Ticket, error) {
	now := r.now()
	k := m.Conversation
	question, redacted := RedactKinds(m.Text)
	id := NewTicketID()
	if m.EventID != "" {
		id = EventTicketID(k.Platform, m.EventID, topic)
	}
	t := Ticket{
		ID: id, Created: now, Category: category, Topic: topic,
		Requester: Person{ID: k.UserID(), Name: m.UserName},
		Origin:    Origin{Platform: k.Platform, Workspace: k.Workspace, Channel: k.Channel, Thread: k.Thread, Permalink: m.Permalink},
		Lang:      reply.Lang, Question: question, Redacted: redacted, Answer: reply.Answer, Citations: reply.Citations,
		CitationLabels: citationLabels(reply.Citations),
		Status:         StatusOpen,
		History:        []TicketEvent{{At: now, Actor: k.UserID(), Action: "opened", Note: category}},
	}
	var err error
	for attempt := range fileAttempts {
		if attempt > 0 {
			sleep(ctx, r.retryDelay()<<(attempt-1))
		}
		if err = r.Store.CreateTicket(ctx, t); err == nil || errors.Is(err, ErrConflict) || ctx.Err() != nil {
			break
		}
	}
	if errors.Is(err, ErrConflict) && m.EventID != "" {
		// The same event was handled before (a replica died after filing
		// it): that ticket is this one.
		if prev, perr := r.Store.Ticket(ctx, t.ID); perr == nil {
			return prev, nil
		}
	}
	if err != nil {
		r.observe("failed", category)
		if !errors.Is(err, ErrConflict) && r.enqueue(t) {
			r.observe("queued", category)
			r.log().WarnContext(ctx, "review ticket queued: store unavailable", "ticket", t.ID, "category", category, "err", err)
			return t, ErrQueued
		}
		r.log().ErrorContext(ctx, "review ticket not stored", "category", category, "err", err)
		return Ticket{}, fmt.Errorf("store ticket: %w", err)
	}
	r.observe("opened", category)
	r.log().InfoContext(ctx, "review ticket opened", "ticket", t.ID, "category", category, "platform", k.Platform)
	return t, nil
}

func (r *Reviews) retryDelay() time.Duration {
	if r.RetryDelay > 0 {
		return r.RetryDelay
	}
	return 200 * time.Millisecond
}

// enqueue keeps t for FlushQueued; false when the queue is full.
func (r *Reviews) enqueue(t Ticket) bool {
	limit := r.MaxQueued
	if limit <= 0 {
		limit = DefaultMaxQueued
	}
	r.queueMu.Lock()
	defer r.queueMu.Unlock()
	if len(r.queued) >= limit {
		return false
	}
	r.queued = append(r.queued, t)
	return true
}

// Queued is how many tickets wait for the store.
func (r *Reviews) Queued() int {
	r.queueMu.Lock()
	defer r.queueMu.Unlock()
	return len(r.queued)
}

// FlushQueued files the queued tickets, oldest first, and stops at the
// first the store refuses for a reason other than a duplicate (it is
// still down). It returns how many were filed.
func (r *Reviews) FlushQueued(ctx context.Context) (int, error) {
	filed := 0
	for {
		r.queueMu.Lock()
		if len(r.queued) == 0 {
			r.queueMu.Unlock()
			return filed, nil
		}
		t := r.queued[0]
		r.queueMu.Unlock()
		err := r.Store.CreateTicket(ctx, t)
		if err != nil && !errors.Is(err, ErrConflict) {
			return filed, fmt.Errorf("file queued ticket %s: %w", t.ID, err)
		}
		r.queueMu.Lock()
		r.queued = r.queued[1:]
		r.queueMu.Unlock()
		if err == nil {
			filed++
			r.observe("opened", t.Category)
			r.log().InfoContext(ctx, "queued review ticket filed", "ticket", t.ID, "category", t.Category)
		}
	}
}

func (r *Reviews) authorize(ctx context.Context, actor Person) error {
	if r.Coordinators == nil {
		return ErrForbidden
	}
	ok, err := r.Coordinators.IsCoordinator(ctx, actor)
	if err != nil {
		return fmt.Errorf("check coordinator: %w", err)
	}
	if !ok {
		return ErrForbidden
	}
	return nil
}

// List returns tickets with a status ("" for all); coordinators only.
func (r *Reviews) List(ctx context.Context, actor Person, status TicketStatus) ([]Ticket, error) {
	if err := r.authorize(ctx, actor); err != nil {
		return nil, err
	}
	return r.Store.Tickets(ctx, status)
}

// ErrNoRequesterIndex is returned by Mine when the ticket store cannot list
// a requester's tickets.
var ErrNoRequesterIndex = errors.New("the ticket store cannot list a requester's tickets")

// Mine returns the requester's own tickets, newest first, at most limit.
// Anyone may see the tickets they asked for; no coordinator rights needed.
func (r *Reviews) Mine(ctx context.Context, requester string, limit int) ([]Ticket, error) {
	rt, ok := r.Store.(RequesterTickets)
	if !ok {
		return nil, ErrNoRequesterIndex
	}
	ts, err := rt.RequesterTickets(ctx, requester, limit)
	if err != nil {
		return nil, fmt.Errorf("reviews: tickets of a requester: %w", err)
	}
	return ts, nil
}

// Show returns one ticket; coordinators only.
func (r *Reviews) Show(ctx context.Context, actor Person, id string) (Ticket, error) {
	if err := r.authorize(ctx, actor); err != nil {
		return Ticket{}, err
	}
	return r.Store.Ticket(ctx, id)
}

// Claim marks an open ticket as taken by a coordinator.
func (r *Reviews) Claim(ctx context.Context, actor Person, id string) (Ticket, error) {
	if err := r.authorize(ctx, actor); err != nil {
		return Ticket{}, err
	}
	t, err := r.Store.UpdateTicket(ctx, id, NoticeClaimed, func(t *Ticket) error {
		if t.Status != StatusOpen {
			return fmt.Errorf("%w: ticket %s is %s", ErrConflict, t.ID, t.Status)
		}
		t.Status, t.Claimant = StatusClaimed, actor.ID
		t.History = append(t.History, TicketEvent{At: r.now(), Actor: actor.ID, Action: "claimed", Via: actor.Via})
		return nil
	})
	if err != nil {
		return Ticket{}, err
	}
	r.observe("claimed", t.Category)
	return t, nil
}

// Resolve closes a ticket with a resolution note; the requester is
// notified. An open ticket may be resolved directly.
func (r *Reviews) Resolve(ctx context.Context, actor Person, id, note string) (Ticket, error) {
	if err := r.authorize(ctx, actor); err != nil {
		return Ticket{}, err
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return Ticket{}, errors.New("a resolution note is required")
	}
	t, err := r.Store.UpdateTicket(ctx, id, NoticeResolved, func(t *Ticket) error {
		if t.Status == StatusResolved {
			return fmt.Errorf("%w: ticket %s is already resolved", ErrConflict, t.ID)
		}
		if t.Claimant == "" {
			t.Claimant = actor.ID
		}
		t.Status, t.Resolution = StatusResolved, note
		t.History = append(t.History, TicketEvent{At: r.now(), Actor: actor.ID, Action: "resolved", Note: note, Via: actor.Via})
		return nil
	})
	if err != nil {
		return Ticket{}, err
	}
	r.observe("resolved", t.Category)
	if r.Inbox != nil {
		it := InboxItem{Kind: InboxResolved, At: r.now(), Lang: t.Lang, Question: t.Question, Ticket: t.ID, Note: Redact(note)}
		if err := r.Inbox.Record(ctx, it); err != nil {
			r.log().WarnContext(ctx, "inbox unavailable", "err", err)
		}
	}
	return t, nil
}

// notifierFor picks who delivers a notice: the notifier of the ticket's
// platform, else the catch-all (log) notifier.
func (r *Reviews) notifierFor(t Ticket) Notifier {
	var fallback Notifier
	for _, n := range r.Notifiers {
		switch n.Platform() {
		case t.Origin.Platform:
			return n
		case "":
			fallback = n
		}
	}
	if fallback == nil && len(r.Notifiers) > 0 {
		// A ticket from a platform with no adapter (the console, the CLI):
		// the coordinators' first channel hears of it.
		return r.Notifiers[0]
	}
	return fallback
}

// DeliverNext delivers at most one queued notice, waiting at most wait for
// one. It reports whether a notice was handled. A notice that cannot be
// delivered is left unacknowledged, to be handed out again later.
func (r *Reviews) DeliverNext(ctx context.Context, consumer string, wait time.Duration) (bool, error) {
	n, ok, err := r.Outbox.NextNotice(ctx, consumer, wait)
	if err != nil || !ok {
		return false, err
	}
	t, err := r.Store.Ticket(ctx, n.TicketID)
	if errors.Is(err, ErrNotFound) {
		r.log().WarnContext(ctx, "notice for a missing ticket dropped", "ticket", n.TicketID)
		return true, r.Outbox.AckNotice(ctx, n.ID)
	}
	if err != nil {
		return false, err
	}
	nt := r.notifierFor(t)
	if nt == nil {
		return false, errors.New("no notifier configured")
	}
	if err := nt.Notify(ctx, n.Kind, t); err != nil {
		r.observe("notify-failed", t.Category)
		return false, fmt.Errorf("notify %s of %s: %w", n.Kind, t.ID, err)
	}
	r.observe("notified", t.Category)
	return true, r.Outbox.AckNotice(ctx, n.ID)
}

// RunDispatcher delivers notices until ctx is done. Errors are logged and
// retried with a pause; they never stop the loop.
func (r *Reviews) RunDispatcher(ctx context.Context, consumer string) {
	for ctx.Err() == nil {
		if r.Queued() > 0 {
			if _, err := r.FlushQueued(ctx); err != nil && ctx.Err() == nil {
				r.log().WarnContext(ctx, "queued tickets", "err", err)
			}
		}
		_, err := r.DeliverNext(ctx, consumer, 2*time.Second)
		if err != nil && ctx.Err() == nil {
			r.log().WarnContext(ctx, "notice delivery", "err", err)
			sleep(ctx, time.Second)
		}
	}
}

// remindAfter is how long a ticket may stay unclaimed.
func (r *Reviews) remindAfter(category string) time.Duration {
	if category == CategoryBreach {
		if r.RemindBreachAfter > 0 {
			return r.RemindBreachAfter
		}
		return time.Hour
	}
	if r.RemindAfter > 0 {
		return r.RemindAfter
	}
	return 4 * time.Hour
}

// SendReminders queues a reminder for every open ticket that has waited too
// long since it was opened or last reminded. Only the replica holding the
// reminders lock sends them. It returns how many reminders were queued.
func (r *Reviews) SendReminders(ctx context.Context, owner string) (int, error) {
	ok, err := r.Locker.TryLock(ctx, "reminders", owner, time.Minute)
	if err != nil || !ok {
		return 0, err
	}
	defer func() {
		if err := r.Locker.Unlock(context.WithoutCancel(ctx), "reminders", owner); err != nil {
			r.log().WarnContext(ctx, "reminders unlock", "err", err)
		}
	}()
	open, err := r.Store.Tickets(ctx, StatusOpen)
	if err != nil {
		return 0, err
	}
	now := r.now()
	sent := 0
	for _, t := range open {
		last := t.Created
		if t.RemindedAt.After(last) {
			last = t.RemindedAt
		}
		if now.Sub(last) < r.remindAfter(t.Category) {
			continue
		}
		_, err := r.Store.UpdateTicket(ctx, t.ID, NoticeReminder, func(t *Ticket) error {
			if t.Status != StatusOpen || t.RemindedAt.After(last) {
				return ErrConflict // claimed or reminded meanwhile
			}
			t.RemindedAt = now
			t.History = append(t.History, TicketEvent{At: now, Actor: "commsbot", Action: "reminded"})
			return nil
		})
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return sent, err
		}
		sent++
		r.observe("reminded", t.Category)
	}
	return sent, nil
}

// RunReminders checks for overdue tickets every interval until ctx is done.
func (r *Reviews) RunReminders(ctx context.Context, owner string, interval time.Duration) {
	for ctx.Err() == nil {
		if _, err := r.SendReminders(ctx, owner); err != nil && ctx.Err() == nil {
			r.log().WarnContext(ctx, "reminders", "err", err)
		}
		sleep(ctx, interval)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// TopicOf names what a review is about, so that one conversation opens one
// ticket per topic: the category, the entry and the platform.
func TopicOf(r Reply, s Slots) string {
	parts := []string{r.Category, r.Entry}
	if s.Platform != "" {
		parts = append(parts, strings.ToLower(s.Platform))
	}
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), "/")
}

// LogNotifier delivers notices to the log: the fallback when no chat
// platform is configured. It logs ids and categories, never the question.
type LogNotifier struct{ Logger *slog.Logger }

// Platform implements Notifier: the log takes notices of every platform.
func (LogNotifier) Platform() string { return "" }

// Notify implements Notifier.
func (n LogNotifier) Notify(ctx context.Context, kind string, t Ticket) error {
	l := n.Logger
	if l == nil {
		l = slog.Default()
	}
	l.InfoContext(ctx, "review notice", "kind", kind, "ticket", t.ID, "category", t.Category,
		"status", string(t.Status), "platform", t.Origin.Platform)
	return nil
}

func citationLabels(cs []Citation) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Label)
	}
	return out
}
