// Package memory is an in-process implementation of commsbot's stores: the
// embedded default, so that commsbot runs with nothing else installed. State
// lives as long as the process and expires like the Redis store's.
//
// A memory Store is shared only by the goroutines of one process: with
// several replicas, use storage/redis so that deduplication and rate limits
// hold across them.
package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/commsbot/commsbot/bot"
)

// Store keeps conversation state, seen event ids and rate-limit counters in
// memory. It implements bot.ConversationStore, bot.Deduper and
// bot.RateLimiter. The zero value is not usable; call New.
type Store struct {
	mu    sync.Mutex
	now   func() time.Time
	convs map[bot.ConversationKey]entry
	seen  map[string]time.Time // event id → expiry
	// events are EventLog's records: leased or done (see events.go).
	events map[string]eventRec
	// doneQ lists recorded results oldest first, doneBytes their size:
	// MaxEventBytes bounds them (events.go).
	doneQ     []doneRef
	doneBytes int
	rates     map[string]window
	cache     map[string]cached // see cache.go; made on first use
	inbox     []bot.InboxItem   // see inbox.go

	// Sweep thresholds: expired entries are swept when a map grows past
	// them, then the threshold is set to twice the live size, so sweeping
	// costs amortised O(1) per insertion and memory stays bounded by the
	// number of live entries.
	convSweep, seenSweep, rateSweep, cacheSweep int
}

type entry struct {
	st      bot.State
	expires time.Time
}

// window is one fixed rate-limit window.
type window struct {
	count int
	ends  time.Time
}

const minSweep = 256

var (
	_ bot.ConversationStore = (*Store)(nil)
	_ bot.Deduper           = (*Store)(nil)
	_ bot.RateLimiter       = (*Store)(nil)
)

// New returns an empty store.
func New() *Store {
	return &Store{
		now:       time.Now,
		convs:     map[bot.ConversationKey]entry{},
		seen:      map[string]time.Time{},
		rates:     map[string]window{},
		convSweep: minSweep,
		seenSweep: minSweep,
		rateSweep: minSweep,
	}
}

// SetClock replaces the store's clock, for tests of expiry.
func (s *Store) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Conversation implements bot.ConversationStore.
func (s *Store) Conversation(ctx context.Context, key bot.ConversationKey) (bot.State, bool, error) {
	if err := ctx.Err(); err != nil {
		return bot.State{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.convs[key]
	if !ok {
		return bot.State{}, false, nil
	}
	if !s.now().Before(e.expires) {
		delete(s.convs, key)
		return bot.State{}, false, nil
	}
	return cloneState(e.st), true, nil
}

// SaveConversation implements bot.ConversationStore. ttl must be positive.
func (s *Store) SaveConversation(ctx context.Context, key bot.ConversationKey, st bot.State, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ttl <= 0 {
		return fmt.Errorf("memory: save conversation: ttl %v is not positive", ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.convs[key] = entry{st: cloneState(st), expires: now.Add(ttl)}
	if len(s.convs) >= s.convSweep {
		for k, e := range s.convs {
			if !now.Before(e.expires) {
				delete(s.convs, k)
			}
		}
		s.convSweep = max(minSweep, 2*len(s.convs))
	}
	return nil
}

// Forget implements bot.ConversationStore.
func (s *Store) Forget(ctx context.Context, platform, user string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.convs {
		if k.Platform == platform && k.User == user {
			delete(s.convs, k)
		}
	}
	return nil
}

// SeenOnce implements bot.Deduper. The id is remembered for exactly ttl by
// the store's clock.
func (s *Store) SeenOnce(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if ttl <= 0 {
		return false, fmt.Errorf("memory: seen once: ttl %v is not positive", ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if exp, ok := s.seen[id]; ok && now.Before(exp) {
		return false, nil
	}
	s.seen[id] = now.Add(ttl)
	if len(s.seen) >= s.seenSweep {
		for k, exp := range s.seen {
			if !now.Before(exp) {
				delete(s.seen, k)
			}
		}
		s.seenSweep = max(minSweep, 2*len(s.seen))
	}
	return true, nil
}

// Allow implements bot.RateLimiter with a fixed window: the first call for
// key opens a window of length window; the first limit calls in it are
// allowed and later ones refused until it ends, when the next call opens a
// new window. Refused calls do not extend the window. Like the Redis store,
// a burst of up to 2*limit can straddle the boundary of two windows.
func (s *Store) Allow(ctx context.Context, key string, limit int, win time.Duration) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	if limit <= 0 || win <= 0 {
		return false, 0, fmt.Errorf("memory: allow: limit %d and window %v must be positive", limit, win)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	w, ok := s.rates[key]
	if !ok || !now.Before(w.ends) {
		w = window{ends: now.Add(win)}
	}
	w.count++
	s.rates[key] = w
	if len(s.rates) >= s.rateSweep {
		for k, w := range s.rates {
			if !now.Before(w.ends) {
				delete(s.rates, k)
			}
		}
		s.rateSweep = max(minSweep, 2*len(s.rates))
	}
	if w.count <= limit {
		return true, 0, nil
	}
	return false, w.ends.Sub(now), nil
}

// cloneState copies the slices of st so that callers of the store never
// share memory with what it holds, as with a store that serialises state.
func cloneState(st bot.State) bot.State {
	st.Slots.Uses = slices.Clone(st.Slots.Uses)
	st.Slots.PersonalInfo = slices.Clone(st.Slots.PersonalInfo)
	st.Reviewed = slices.Clone(st.Reviewed)
	return st
}
