package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/commsbot/commsbot/bot"
)

var _ bot.EventConversations = (*Store)(nil)

// AddHook adds a go-redis hook to the store's client: instrumentation
// (round trips, latency) for metrics and tests.
func (s *Store) AddHook(h goredis.Hook) { s.client.AddHook(h) }

// clustered reports whether the client is a Cluster's: there, a
// transaction's keys must be in one slot, and an event's, the
// conversation's, its user's index and the rate window are in different
// ones, so the combined calls fall back to the separate ones.
func (s *Store) clustered() bool {
	_, ok := s.client.(*goredis.ClusterClient)
	return ok
}

// BeginEventLoad implements bot.EventConversations: the event's commands,
// the conversation's GET and, with rate, the rate's commands in one
// transaction (MULTI/EXEC, one round trip).
func (s *Store) BeginEventLoad(ctx context.Context, id string, lease, ttl time.Duration, key bot.ConversationKey, rate *bot.RateCheck) (bot.EventStart, error) {
	if s.clustered() {
		var start bot.EventStart
		var err error
		start.Status, start.Result, err = s.BeginEvent(ctx, id, lease, ttl)
		if err != nil {
			return bot.EventStart{}, err
		}
		start.State, _, start.LoadErr = s.Conversation(ctx, key)
		if rate != nil {
			ok, retry, err := s.Allow(ctx, rate.Key, rate.Limit, rate.Window)
			start.Rate = &bot.RateVerdict{OK: ok, RetryAfter: retry, Err: err}
		}
		return start, nil
	}
	if lease <= 0 || ttl <= 0 {
		return bot.EventStart{}, fmt.Errorf("redis store: begin event: lease %v and ttl %v must be positive", lease, ttl)
	}
	if rate != nil && (rate.Limit <= 0 || rate.Window <= 0) {
		return bot.EventStart{}, fmt.Errorf("redis store: begin event: rate limit %d and window %v must be positive", rate.Limit, rate.Window)
	}
	var begin beginCmds
	var conv *goredis.StringCmd
	var counted rateCmds
	// Each command's error is read from it below; the transaction's is the
	// first of them.
	_, _ = s.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		begin = s.begin(ctx, p, id, lease)
		conv = p.Get(ctx, s.convKey(key))
		if rate != nil {
			counted = s.countRate(ctx, p, rate.Key, rate.Window)
		}
		return nil
	})
	var start bot.EventStart
	var err error
	start.Status, start.Result, err = begin.status()
	if err != nil {
		return bot.EventStart{}, err
	}
	switch b, err := conv.Bytes(); {
	case errors.Is(err, goredis.Nil):
	case err != nil:
		start.LoadErr = fmt.Errorf("redis store: get conversation: %w", err)
	default:
		if err := json.Unmarshal(b, &start.State); err != nil {
			start.State, start.LoadErr = bot.State{}, fmt.Errorf("redis store: decode conversation %s: %w", key, err)
		}
	}
	if rate != nil {
		v := &bot.RateVerdict{}
		if res, err := counted.counts(); err != nil {
			v.Err = fmt.Errorf("redis store: allow: %w", err)
		} else {
			v.OK, v.RetryAfter, v.Err = rateReply(res, rate.Limit)
		}
		start.Rate = v
	}
	return start, nil
}

// SaveAndFinish implements bot.EventConversations: the user's index, the
// conversation, the event's result and the end of its lease in one
// transaction (MULTI/EXEC, one round trip).
func (s *Store) SaveAndFinish(ctx context.Context, key bot.ConversationKey, st bot.State, stateTTL time.Duration, id string, result []byte, resultTTL time.Duration) error {
	if s.clustered() {
		serr := s.SaveConversation(ctx, key, st, stateTTL)
		ferr := s.FinishEvent(ctx, id, result, resultTTL)
		return errors.Join(serr, ferr)
	}
	if stateTTL <= 0 || resultTTL <= 0 {
		return fmt.Errorf("redis store: save and finish: ttl %v, %v must be positive", stateTTL, resultTTL)
	}
	stateTTL = ceilMs(stateTTL)
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("redis store: encode conversation: %w", err)
	}
	ck, uk := s.convKey(key), s.userKey(key.Platform, key.User)
	_, err = s.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		s.addToIndex(ctx, p, uk, ck, stateTTL)
		p.Set(ctx, ck, b, stateTTL)
		if result != nil {
			p.Set(ctx, s.eventKey(id, "done"), result, ceilMs(resultTTL))
		}
		p.Del(ctx, s.eventKey(id, "lease"))
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis store: save and finish: %w", err)
	}
	return nil
}
