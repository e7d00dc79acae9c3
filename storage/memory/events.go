package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/commsbot/commsbot/bot"
)

// eventRec is an event being handled (until lease) or handled (done, kept
// until exp).
type eventRec struct {
	lease  time.Time
	done   bool
	result []byte
	exp    time.Time
}

var _ bot.EventLog = (*Store)(nil)

// MaxEventBytes bounds the replies kept for replays: past it, the oldest
// are forgotten first, so a burst of questions cannot grow the process
// without bound (a replay of a forgotten one is answered afresh; ticket
// ids come from event ids, so it opens no second ticket). The Redis store
// keeps every record for its TTL.
var MaxEventBytes = 2 << 20

// doneRef is a recorded result in the order results were recorded.
type doneRef struct {
	id   string
	exp  time.Time
	size int
}

// BeginEvent implements bot.EventLog by the store's clock.
func (s *Store) BeginEvent(ctx context.Context, id string, lease, ttl time.Duration) (bot.EventStatus, []byte, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	if lease <= 0 || ttl <= 0 {
		return 0, nil, fmt.Errorf("memory: begin event: lease %v and ttl %v must be positive", lease, ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.events == nil {
		s.events = map[string]eventRec{}
	}
	if r, ok := s.events[id]; ok {
		switch {
		case r.done && now.Before(r.exp):
			return bot.EventDone, r.result, nil
		case !r.done && now.Before(r.lease):
			return bot.EventRunning, nil, nil
		}
	}
	s.events[id] = eventRec{lease: now.Add(lease)}
	if len(s.events) >= s.seenSweep {
		for k, r := range s.events {
			if r.done && !now.Before(r.exp) || !r.done && !now.Before(r.lease) {
				delete(s.events, k)
			}
		}
		s.seenSweep = max(minSweep, 2*max(len(s.events), len(s.seen)))
	}
	return bot.EventClaimed, nil, nil
}

// FinishEvent implements bot.EventLog.
func (s *Store) FinishEvent(ctx context.Context, id string, result []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ttl <= 0 {
		return fmt.Errorf("memory: finish event: ttl %v is not positive", ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if result == nil {
		delete(s.events, id)
		return nil
	}
	if s.events == nil {
		s.events = map[string]eventRec{}
	}
	r := eventRec{done: true, result: append([]byte(nil), result...), exp: s.now().Add(ttl)}
	s.events[id] = r
	s.doneQ = append(s.doneQ, doneRef{id: id, exp: r.exp, size: len(r.result)})
	s.doneBytes += len(r.result)
	for s.doneBytes > MaxEventBytes && len(s.doneQ) > 0 {
		old := s.doneQ[0]
		s.doneQ = s.doneQ[1:]
		s.doneBytes -= old.size
		if cur, ok := s.events[old.id]; ok && cur.done && cur.exp.Equal(old.exp) {
			delete(s.events, old.id)
		}
	}
	if cap(s.doneQ) > 2*len(s.doneQ)+minSweep {
		s.doneQ = append([]doneRef(nil), s.doneQ...)
	}
	return nil
}
