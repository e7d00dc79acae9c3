package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/commsbot/commsbot/bot"
)

var _ bot.Inbox = (*Store)(nil)

// inboxKey is one sorted set of JSON items scored by their time (ms); each
// member starts with a random tag so that two equal items are both kept.
func (s *Store) inboxKey() string { return s.prefix + "inbox" }

// Record implements bot.Inbox: one transaction adds the item, drops items
// older than bot.InboxTTL and the oldest beyond bot.InboxMax, and renews
// the key's expiry.
func (s *Store) Record(ctx context.Context, it bot.InboxItem) error {
	b, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("redis store: inbox: %w", err)
	}
	tag := make([]byte, 8)
	_, _ = rand.Read(tag)
	k := s.inboxKey()
	cut := time.Now().Add(-bot.InboxTTL).UnixMilli()
	_, err = s.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.ZAdd(ctx, k, goredis.Z{Score: float64(it.At.UnixMilli()), Member: hex.EncodeToString(tag) + "|" + string(b)})
		p.ZRemRangeByScore(ctx, k, "-inf", "("+strconv.FormatInt(cut, 10))
		p.ZRemRangeByRank(ctx, k, 0, int64(-bot.InboxMax-1))
		p.PExpire(ctx, k, bot.InboxTTL)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis store: inbox: %w", err)
	}
	return nil
}

// Inbox implements bot.Inbox.
func (s *Store) Inbox(ctx context.Context, limit int) ([]bot.InboxItem, error) {
	if limit <= 0 || limit > bot.InboxMax {
		limit = bot.InboxMax
	}
	cut := strconv.FormatInt(time.Now().Add(-bot.InboxTTL).UnixMilli(), 10)
	ms, err := s.client.ZRevRangeByScore(ctx, s.inboxKey(), &goredis.ZRangeBy{Min: cut, Max: "+inf", Count: int64(limit)}).Result()
	if err != nil {
		return nil, fmt.Errorf("redis store: inbox: %w", err)
	}
	out := make([]bot.InboxItem, 0, len(ms))
	for _, m := range ms {
		_, js, _ := strings.Cut(m, "|")
		var it bot.InboxItem
		if err := json.Unmarshal([]byte(js), &it); err != nil {
			continue // not ours; never fail the listing for one item
		}
		out = append(out, it)
	}
	return out, nil
}
