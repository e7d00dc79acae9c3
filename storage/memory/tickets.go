package memory

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/commsbot/commsbot/bot"
)

// TicketStore keeps review tickets, their notification outbox and named locks
// in memory. It implements bot.TicketStore, bot.Outbox and bot.Locker. A
// notice handed out and not acknowledged within Redeliver is handed out
// again, as the Redis outbox does.
type TicketStore struct {
	mu      sync.Mutex
	cond    *sync.Cond
	now     func() time.Time
	tickets map[string]bot.Ticket
	queue   []queued
	seq     int
	locks   map[string]lock
	// Redeliver is how long a notice may stay unacknowledged; default 1 min.
	Redeliver time.Duration
}

type queued struct {
	n        bot.Notice
	consumer string
	handed   time.Time // zero while not handed out
}

type lock struct {
	owner   string
	expires time.Time
}

// NewTicketStore returns an empty ticket store.
func NewTicketStore() *TicketStore {
	t := &TicketStore{now: time.Now, tickets: map[string]bot.Ticket{}, locks: map[string]lock{}}
	t.cond = sync.NewCond(&t.mu)
	return t
}

// SetClock replaces the clock, for tests.
func (s *TicketStore) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

func (s *TicketStore) enqueue(ticket, kind string) {
	s.seq++
	s.queue = append(s.queue, queued{n: bot.Notice{ID: strconv.Itoa(s.seq), TicketID: ticket, Kind: kind}})
	s.cond.Broadcast()
}

// CreateTicket implements bot.TicketStore.
func (s *TicketStore) CreateTicket(ctx context.Context, t bot.Ticket) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.tickets[t.ID]; dup {
		return fmt.Errorf("ticket %s: %w", t.ID, bot.ErrConflict)
	}
	s.tickets[t.ID] = clone(t)
	s.enqueue(t.ID, bot.NoticeOpened)
	return nil
}

var _ bot.TicketRestorer = (*TicketStore)(nil)

// RestoreTicket implements bot.TicketRestorer.
func (s *TicketStore) RestoreTicket(ctx context.Context, t bot.Ticket) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.tickets[t.ID]; dup {
		return false, nil
	}
	s.tickets[t.ID] = clone(t)
	return true, nil
}

func clone(t bot.Ticket) bot.Ticket {
	t.History = slices.Clone(t.History)
	t.Citations = slices.Clone(t.Citations)
	return t
}

// Ticket implements bot.TicketStore.
func (s *TicketStore) Ticket(ctx context.Context, id string) (bot.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return bot.Ticket{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[id]
	if !ok {
		return bot.Ticket{}, fmt.Errorf("ticket %s: %w", id, bot.ErrNotFound)
	}
	return clone(t), nil
}

// UpdateTicket implements bot.TicketStore.
func (s *TicketStore) UpdateTicket(ctx context.Context, id, notice string, change func(*bot.Ticket) error) (bot.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return bot.Ticket{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[id]
	if !ok {
		return bot.Ticket{}, fmt.Errorf("ticket %s: %w", id, bot.ErrNotFound)
	}
	t = clone(t)
	if err := change(&t); err != nil {
		return bot.Ticket{}, err
	}
	s.tickets[id] = t
	if notice != "" {
		s.enqueue(id, notice)
	}
	return clone(t), nil
}

// Tickets implements bot.TicketStore.
func (s *TicketStore) Tickets(ctx context.Context, status bot.TicketStatus) ([]bot.Ticket, error) {
	return s.newestFirst(ctx, func(t bot.Ticket) bool { return status == "" || t.Status == status })
}

var _ bot.RequesterTickets = (*TicketStore)(nil)

// RequesterTickets implements bot.RequesterTickets.
func (s *TicketStore) RequesterTickets(ctx context.Context, requester string, limit int) ([]bot.Ticket, error) {
	out, err := s.newestFirst(ctx, func(t bot.Ticket) bool { return t.Requester.ID == requester })
	return out[:min(len(out), max(limit, 0))], err
}

// newestFirst returns copies of the tickets keep accepts, newest first.
func (s *TicketStore) newestFirst(ctx context.Context, keep func(bot.Ticket) bool) ([]bot.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bot.Ticket
	for _, t := range s.tickets {
		if keep(t) {
			out = append(out, clone(t))
		}
	}
	slices.SortFunc(out, func(a, b bot.Ticket) int { return b.Created.Compare(a.Created) })
	return out, nil
}

// NextNotice implements bot.Outbox.
func (s *TicketStore) NextNotice(ctx context.Context, consumer string, wait time.Duration) (bot.Notice, bool, error) {
	deadline := time.Now().Add(wait)
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.cond.Broadcast()
	})
	defer stop()
	timer := time.AfterFunc(wait, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.cond.Broadcast()
	})
	defer timer.Stop()

	s.mu.Lock()
	defer s.mu.Unlock()
	redeliver := s.Redeliver
	if redeliver <= 0 {
		redeliver = time.Minute
	}
	for {
		if err := ctx.Err(); err != nil {
			return bot.Notice{}, false, err
		}
		now := s.now()
		for i := range s.queue {
			q := &s.queue[i]
			if q.handed.IsZero() || now.Sub(q.handed) >= redeliver {
				q.handed, q.consumer = now, consumer
				return q.n, true, nil
			}
		}
		if !time.Now().Before(deadline) {
			return bot.Notice{}, false, nil
		}
		s.cond.Wait()
	}
}

// AckNotice implements bot.Outbox.
func (s *TicketStore) AckNotice(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = slices.DeleteFunc(s.queue, func(q queued) bool { return q.n.ID == id })
	return nil
}

// TryLock implements bot.Locker.
func (s *TicketStore) TryLock(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if l, ok := s.locks[name]; ok && l.owner != owner && now.Before(l.expires) {
		return false, nil
	}
	s.locks[name] = lock{owner: owner, expires: now.Add(ttl)}
	return true, nil
}

// Unlock implements bot.Locker: only the owner releases the lock.
func (s *TicketStore) Unlock(ctx context.Context, name, owner string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.locks[name]; ok && l.owner == owner {
		delete(s.locks, name)
	}
	return nil
}
