package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/commsbot/commsbot/bot"
)

var _ bot.Inbox = (*Store)(nil)

// Record implements bot.Inbox: at most bot.InboxMax items, none older than
// bot.InboxTTL.
func (s *Store) Record(ctx context.Context, it bot.InboxItem) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory store: inbox: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inbox = append(s.inbox, it)
	s.trimInbox()
	return nil
}

// Inbox implements bot.Inbox.
func (s *Store) Inbox(ctx context.Context, limit int) ([]bot.InboxItem, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory store: inbox: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trimInbox()
	out := slices.Clone(s.inbox)
	slices.SortStableFunc(out, func(a, b bot.InboxItem) int { return b.At.Compare(a.At) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// trimInbox drops expired items and the oldest beyond the cap; s.mu is
// held.
func (s *Store) trimInbox() {
	cut := s.now().Add(-bot.InboxTTL)
	s.inbox = slices.DeleteFunc(s.inbox, func(it bot.InboxItem) bool { return it.At.Before(cut) })
	if n := len(s.inbox) - bot.InboxMax; n > 0 {
		slices.SortStableFunc(s.inbox, func(a, b bot.InboxItem) int { return a.At.Compare(b.At) })
		s.inbox = slices.Delete(s.inbox, 0, n)
	}
}
