package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/commsbot/commsbot/bot"
)

var _ bot.Cache = (*Store)(nil)

// cacheKey is where a cache value lives: <prefix>cache:<key>. One key per
// value, so the cache works unchanged on a Cluster.
func (s *Store) cacheKey(key string) string { return s.prefix + "cache:" + key }

// GetCache implements bot.Cache with GET.
func (s *Store) GetCache(ctx context.Context, key string) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, fmt.Errorf("redis store: get cache: %w", err)
	}
	v, err := s.client.Get(ctx, s.cacheKey(key)).Result()
	if errors.Is(err, goredis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("redis store: get cache: %w", err)
	}
	return v, true, nil
}

// SetCache implements bot.Cache with SET EX (PX when ttl is not a whole
// number of seconds); ttl must be positive.
func (s *Store) SetCache(ctx context.Context, key, val string, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redis store: set cache: %w", err)
	}
	if ttl <= 0 {
		return fmt.Errorf("redis store: set cache: ttl %v is not positive", ttl)
	}
	if err := s.client.Set(ctx, s.cacheKey(key), val, ceilMs(ttl)).Err(); err != nil {
		return fmt.Errorf("redis store: set cache: %w", err)
	}
	return nil
}
