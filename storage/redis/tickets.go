package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/commsbot/commsbot/bot"
)

// Review tickets on Redis:
//
//	<prefix>{reviews}:ticket:<id>  the ticket, JSON, no expiry (tickets record
//	                               administrative decisions: kept ≥ 2 years)
//	<prefix>{reviews}:index        sorted set of ticket ids by creation time
//	<prefix>{reviews}:notices      stream of notices, consumer group "notifiers"
//	<prefix>{reviews}:lock:<name>  locks with expiry
//	<prefix>{reviews}:requester:<user>  sorted set of one requester's ticket
//	                               ids by creation time ("my tickets")
//
// The {reviews} hash tag keeps every key in one Cluster slot, so a ticket
// and its notice are written by one script or transaction.

const noticeGroup = "notifiers"

// Redeliver is how long a notice handed to a consumer may stay
// unacknowledged before another consumer claims it (XAUTOCLAIM): a replica
// that crashed between reading and notifying is covered by another.
var Redeliver = time.Minute

var (
	_ bot.TicketStore = (*Store)(nil)
	_ bot.Outbox      = (*Store)(nil)
	_ bot.Locker      = (*Store)(nil)
)

func (s *Store) rkey(parts ...string) string {
	return s.prefix + "{reviews}:" + strings.Join(parts, ":")
}

// Tickets are indexed twice, by creation time: "index" holds every ticket
// (kept two years), "active" only the open and claimed ones, so that the
// reminders and the queue read what is pending, not the whole history.

// createScript stores a new ticket, indexes it and queues its "opened"
// notice in one atomic step. It returns 0 when the id is taken.
var createScript = goredis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[5], ARGV[2], ARGV[3])
redis.call('XADD', KEYS[3], '*', 'ticket', ARGV[3], 'kind', ARGV[4])
return 1
`)

// restoreScript stores a ticket from a backup and indexes it, with no
// notice; 0 when the id is taken.
var restoreScript = goredis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3]) end
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[3])
return 1
`)

var _ bot.TicketRestorer = (*Store)(nil)

// RestoreTicket implements bot.TicketRestorer.
func (s *Store) RestoreTicket(ctx context.Context, t bot.Ticket) (bool, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return false, fmt.Errorf("redis store: restore ticket: %w", err)
	}
	active := "0"
	if t.Status != bot.StatusResolved {
		active = "1"
	}
	n, err := restoreScript.Run(ctx, s.client, []string{s.rkey("ticket", t.ID), s.rkey("index"), s.rkey("active"), s.rkey("requester", t.Requester.ID)},
		b, t.Created.UnixMilli(), t.ID, active).Int()
	if err != nil {
		return false, fmt.Errorf("redis store: restore ticket: %w", err)
	}
	return n == 1, nil
}

// activeBuilt marks that the active index was built from the full one (a
// store written before it existed has tickets only in "index").
const activeBuilt = "active-built"

// ensureActive builds the active index once from the full index.
func (s *Store) ensureActive(ctx context.Context) error {
	return s.buildIndexOnce(ctx, &s.activeReady, activeBuilt, func(p goredis.Pipeliner, t bot.Ticket) {
		if t.Status != bot.StatusResolved {
			p.ZAdd(ctx, s.rkey("active"), goredis.Z{Score: float64(t.Created.UnixMilli()), Member: t.ID})
		}
	})
}

// buildIndexOnce adds every ticket of the full index to a newer index with
// add, once per store (marker records it; ready saves asking again).
func (s *Store) buildIndexOnce(ctx context.Context, ready *atomic.Bool, marker string, add func(goredis.Pipeliner, bot.Ticket)) error {
	if ready.Load() {
		return nil
	}
	n, err := s.client.Exists(ctx, s.rkey(marker)).Result()
	if err != nil {
		return err
	}
	if n == 0 {
		all, err := s.scanTickets(ctx, s.rkey("index"), "")
		if err != nil {
			return err
		}
		_, err = s.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			for _, t := range all {
				add(p, t)
			}
			p.Set(ctx, s.rkey(marker), "1", 0)
			return nil
		})
		if err != nil {
			return err
		}
	}
	ready.Store(true)
	return nil
}

// requestersBuilt marks that the requester indexes were built from the full
// index (a store written before they existed has tickets only there).
const requestersBuilt = "requesters-built"

// ensureRequesters builds the requester indexes once from the full index.
func (s *Store) ensureRequesters(ctx context.Context) error {
	return s.buildIndexOnce(ctx, &s.requestersReady, requestersBuilt, func(p goredis.Pipeliner, t bot.Ticket) {
		p.ZAdd(ctx, s.rkey("requester", t.Requester.ID), goredis.Z{Score: float64(t.Created.UnixMilli()), Member: t.ID})
	})
}

var _ bot.RequesterTickets = (*Store)(nil)

// RequesterTickets implements bot.RequesterTickets.
func (s *Store) RequesterTickets(ctx context.Context, requester string, limit int) ([]bot.Ticket, error) {
	if limit <= 0 {
		return nil, nil
	}
	if err := s.ensureRequesters(ctx); err != nil {
		return nil, fmt.Errorf("redis store: requester tickets: %w", err)
	}
	ids, err := s.client.ZRevRange(ctx, s.rkey("requester", requester), 0, int64(limit-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("redis store: requester tickets: %w", err)
	}
	out, err := s.readTickets(ctx, ids, "")
	if err != nil {
		return nil, fmt.Errorf("redis store: requester tickets: %w", err)
	}
	return out, nil
}

// CreateTicket implements bot.TicketStore.
func (s *Store) CreateTicket(ctx context.Context, t bot.Ticket) error {
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("redis store: create ticket: %w", err)
	}
	n, err := createScript.Run(ctx, s.client,
		[]string{s.rkey("ticket", t.ID), s.rkey("index"), s.rkey("notices"), s.rkey("active"), s.rkey("requester", t.Requester.ID)},
		b, t.Created.UnixMilli(), t.ID, bot.NoticeOpened).Int()
	if err != nil {
		return fmt.Errorf("redis store: create ticket: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("redis store: create ticket %s: %w", t.ID, bot.ErrConflict)
	}
	return nil
}

// Ticket implements bot.TicketStore.
func (s *Store) Ticket(ctx context.Context, id string) (bot.Ticket, error) {
	b, err := s.client.Get(ctx, s.rkey("ticket", id)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return bot.Ticket{}, fmt.Errorf("ticket %s: %w", id, bot.ErrNotFound)
	}
	if err != nil {
		return bot.Ticket{}, fmt.Errorf("redis store: ticket: %w", err)
	}
	var t bot.Ticket
	if err := json.Unmarshal(b, &t); err != nil {
		return bot.Ticket{}, fmt.Errorf("redis store: ticket %s: %w", id, err)
	}
	return t, nil
}

// updateAttempts bounds how often UpdateTicket retries a ticket that
// changed under it; with the back-off between attempts, a few dozen writers
// of one ticket at once all get through.
const updateAttempts = 100

// UpdateTicket implements bot.TicketStore with optimistic locking (WATCH):
// a concurrent update makes it retry with the new ticket, after a short
// random back-off. change may be called more than once.
func (s *Store) UpdateTicket(ctx context.Context, id, notice string, change func(*bot.Ticket) error) (bot.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return bot.Ticket{}, fmt.Errorf("redis store: update ticket: %w", err)
	}
	key := s.rkey("ticket", id)
	var out bot.Ticket
	for attempt := range updateAttempts {
		err := s.client.Watch(ctx, func(tx *goredis.Tx) error {
			b, err := tx.Get(ctx, key).Bytes()
			if errors.Is(err, goredis.Nil) {
				return fmt.Errorf("ticket %s: %w", id, bot.ErrNotFound)
			}
			if err != nil {
				return err
			}
			var t bot.Ticket
			if err := json.Unmarshal(b, &t); err != nil {
				return fmt.Errorf("ticket %s: %w", id, err)
			}
			if err := change(&t); err != nil {
				return err
			}
			nb, err := json.Marshal(t)
			if err != nil {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
				p.Set(ctx, key, nb, 0)
				if t.Status == bot.StatusResolved {
					p.ZRem(ctx, s.rkey("active"), id)
				} else {
					p.ZAdd(ctx, s.rkey("active"), goredis.Z{Score: float64(t.Created.UnixMilli()), Member: id})
				}
				if notice != "" {
					p.XAdd(ctx, &goredis.XAddArgs{Stream: s.rkey("notices"), Values: []any{"ticket", id, "kind", notice}})
				}
				return nil
			})
			out = t
			return err
		}, key)
		if errors.Is(err, goredis.TxFailedErr) {
			if err := backoff(ctx, attempt); err != nil {
				return bot.Ticket{}, fmt.Errorf("redis store: update ticket: %w", err)
			}
			continue
		}
		if err != nil {
			if errors.Is(err, bot.ErrNotFound) || errors.Is(err, bot.ErrConflict) {
				return bot.Ticket{}, err
			}
			return bot.Ticket{}, fmt.Errorf("redis store: update ticket: %w", err)
		}
		return out, nil
	}
	return bot.Ticket{}, fmt.Errorf("redis store: update ticket %s: changed under %d attempts: %w", id, updateAttempts, bot.ErrConflict)
}

// backoff sleeps a random while that grows with attempt (up to 50 ms), or
// until ctx is done.
func backoff(ctx context.Context, attempt int) error {
	ceiling := min(time.Millisecond<<min(attempt, 6), 50*time.Millisecond)
	t := time.NewTimer(rand.N(ceiling) + time.Millisecond/2)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Tickets implements bot.TicketStore. Open and claimed tickets are read
// from the active index only.
func (s *Store) Tickets(ctx context.Context, status bot.TicketStatus) ([]bot.Ticket, error) {
	index := s.rkey("index")
	if status == bot.StatusOpen || status == bot.StatusClaimed {
		if err := s.ensureActive(ctx); err != nil {
			return nil, fmt.Errorf("redis store: tickets: %w", err)
		}
		index = s.rkey("active")
	}
	out, err := s.scanTickets(ctx, index, status)
	if err != nil {
		return nil, fmt.Errorf("redis store: tickets: %w", err)
	}
	return out, nil
}

// scanTickets reads the tickets of an index, newest first, keeping those
// with status (all when it is empty).
func (s *Store) scanTickets(ctx context.Context, index string, status bot.TicketStatus) ([]bot.Ticket, error) {
	ids, err := s.client.ZRevRange(ctx, index, 0, -1).Result()
	if err != nil {
		return nil, err
	}
	return s.readTickets(ctx, ids, status)
}

// readTickets reads the tickets of ids in order, in batches, keeping those
// with status (all when it is empty); ids with no ticket are left out.
func (s *Store) readTickets(ctx context.Context, ids []string, status bot.TicketStatus) ([]bot.Ticket, error) {
	var out []bot.Ticket
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 200)]
		ids = ids[len(batch):]
		keys := make([]string, len(batch))
		for i, id := range batch {
			keys[i] = s.rkey("ticket", id)
		}
		vals, err := s.client.MGet(ctx, keys...).Result()
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			str, ok := v.(string)
			if !ok {
				continue
			}
			var t bot.Ticket
			if err := json.Unmarshal([]byte(str), &t); err != nil {
				return nil, err
			}
			if status == "" || t.Status == status {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// ensureGroup creates the notices consumer group the first time it is
// needed; a failed attempt is retried on the next call.
func (s *Store) ensureGroup(ctx context.Context) error {
	s.groupMu.Lock()
	defer s.groupMu.Unlock()
	if s.groupReady {
		return nil
	}
	err := s.client.XGroupCreateMkStream(ctx, s.rkey("notices"), noticeGroup, "0").Err()
	if err != nil && !goredis.HasErrorPrefix(err, "BUSYGROUP") {
		return fmt.Errorf("redis store: notices group: %w", err)
	}
	s.groupReady = true
	return nil
}

// forgetGroup makes the next ensureGroup create the group again.
func (s *Store) forgetGroup() {
	s.groupMu.Lock()
	defer s.groupMu.Unlock()
	s.groupReady = false
}

// isNoGroup reports whether err is the server's NOGROUP error: the stream
// or its consumer group does not exist.
func isNoGroup(err error) bool { return goredis.HasErrorPrefix(err, "NOGROUP") }

func toNotice(m goredis.XMessage) bot.Notice {
	n := bot.Notice{ID: m.ID}
	n.TicketID, _ = m.Values["ticket"].(string)
	n.Kind, _ = m.Values["kind"].(string)
	return n
}

// NextNotice implements bot.Outbox: first a notice another consumer left
// unacknowledged for longer than Redeliver (XAUTOCLAIM), else a new one
// (XREADGROUP), waiting at most wait — never forever. When the server has
// lost the consumer group (restarted without persistence, or flushed), the
// group is created again and the read retried once.
func (s *Store) NextNotice(ctx context.Context, consumer string, wait time.Duration) (bot.Notice, bool, error) {
	n, ok, err := s.nextNotice(ctx, consumer, wait)
	if isNoGroup(err) {
		s.forgetGroup()
		n, ok, err = s.nextNotice(ctx, consumer, wait)
		if isNoGroup(err) {
			s.forgetGroup()
		}
	}
	return n, ok, err
}

func (s *Store) nextNotice(ctx context.Context, consumer string, wait time.Duration) (bot.Notice, bool, error) {
	if err := s.ensureGroup(ctx); err != nil {
		return bot.Notice{}, false, err
	}
	stream := s.rkey("notices")
	msgs, _, err := s.client.XAutoClaim(ctx, &goredis.XAutoClaimArgs{
		Stream: stream, Group: noticeGroup, Consumer: consumer, MinIdle: Redeliver, Start: "0-0", Count: 1,
	}).Result()
	if err != nil {
		return bot.Notice{}, false, fmt.Errorf("redis store: claim notice: %w", err)
	}
	if len(msgs) > 0 {
		return toNotice(msgs[0]), true, nil
	}
	block := wait
	if block < time.Millisecond {
		block = -1 // no BLOCK argument: return at once
	}
	res, err := s.client.XReadGroup(ctx, &goredis.XReadGroupArgs{
		Group: noticeGroup, Consumer: consumer, Streams: []string{stream, ">"}, Count: 1, Block: block,
	}).Result()
	if errors.Is(err, goredis.Nil) {
		return bot.Notice{}, false, nil
	}
	if err != nil {
		return bot.Notice{}, false, fmt.Errorf("redis store: read notice: %w", err)
	}
	for _, st := range res {
		for _, m := range st.Messages {
			return toNotice(m), true, nil
		}
	}
	return bot.Notice{}, false, nil
}

// AckNotice implements bot.Outbox: the notice is acknowledged and removed
// from the stream.
func (s *Store) AckNotice(ctx context.Context, id string) error {
	stream := s.rkey("notices")
	_, err := s.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.XAck(ctx, stream, noticeGroup, id)
		p.XDel(ctx, stream, id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis store: ack notice: %w", err)
	}
	return nil
}

// lockScript takes the lock, or extends it for its owner.
var lockScript = goredis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if v then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`)

// unlockScript deletes the lock only for its owner.
var unlockScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// TryLock implements bot.Locker.
func (s *Store) TryLock(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	n, err := lockScript.Run(ctx, s.client, []string{s.rkey("lock", name)}, owner, ceilMs(ttl).Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("redis store: lock %s: %w", name, err)
	}
	return n == 1, nil
}

// Unlock implements bot.Locker: a lock that expired and was taken by
// another owner is left alone.
func (s *Store) Unlock(ctx context.Context, name, owner string) error {
	if err := unlockScript.Run(ctx, s.client, []string{s.rkey("lock", name)}, owner).Err(); err != nil {
		return fmt.Errorf("redis store: unlock %s: %w", name, err)
	}
	return nil
}
