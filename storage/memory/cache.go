package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/commsbot/commsbot/bot"
)

var _ bot.Cache = (*Store)(nil)

// cached is one cache value with its expiry.
type cached struct {
	val     string
	expires time.Time
}

// GetCache implements bot.Cache.
func (s *Store) GetCache(ctx context.Context, key string) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cache[key]
	if !ok {
		return "", false, nil
	}
	if !s.now().Before(c.expires) {
		delete(s.cache, key)
		return "", false, nil
	}
	return c.val, true, nil
}

// SetCache implements bot.Cache. ttl must be positive. Expired values are
// swept as for conversations, so memory is bounded by the live values.
func (s *Store) SetCache(ctx context.Context, key, val string, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ttl <= 0 {
		return fmt.Errorf("memory: set cache: ttl %v is not positive", ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cache == nil {
		s.cache = map[string]cached{}
		s.cacheSweep = minSweep
	}
	now := s.now()
	s.cache[key] = cached{val: val, expires: now.Add(ttl)}
	if len(s.cache) >= s.cacheSweep {
		for k, c := range s.cache {
			if !now.Before(c.expires) {
				delete(s.cache, k)
			}
		}
		s.cacheSweep = max(minSweep, 2*len(s.cache))
	}
	return nil
}
