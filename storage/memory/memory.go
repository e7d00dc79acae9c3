// Package memory is an in-process implementation of commsbot's stores: the
// embedded default, so that commsbot runs with nothing else installed. State
// lives as long as the process and expires like the Redis store's.
package memory

import (
	"context"
	"sync"
	"time"

	"github.com/commsbot/commsbot/bot"
)

// Store keeps conversation state in memory. The zero value is not usable;
// call New.
type Store struct {
	mu    sync.Mutex
	now   func() time.Time
	convs map[bot.ConversationKey]entry
}

type entry struct {
	st      bot.State
	expires time.Time
}

// New returns an empty store.
func New() *Store {
	return &Store{now: time.Now, convs: map[bot.ConversationKey]entry{}}
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
	return e.st, true, nil
}

// SaveConversation implements bot.ConversationStore.
func (s *Store) SaveConversation(ctx context.Context, key bot.ConversationKey, st bot.State, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.convs[key] = entry{st: st, expires: now.Add(ttl)}
	// Sweep expired conversations now and then so memory stays bounded by
	// the number of active conversations.
	if len(s.convs)%256 == 0 {
		for k, e := range s.convs {
			if !now.Before(e.expires) {
				delete(s.convs, k)
			}
		}
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
