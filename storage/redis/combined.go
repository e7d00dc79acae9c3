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

// clustered reports whether the client is a Cluster's: there, one pipeline
// is split by node and its commands lose their order, so the combined
// calls fall back to the separate ones.
func (s *Store) clustered() bool {
	_, ok := s.client.(*goredis.ClusterClient)
	return ok
}

// BeginEventLoad implements bot.EventConversations: the event's script, the
// conversation's GET and, with rate, the rate script in one pipeline (one
// round trip).
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
	keys := []string{s.eventKey(id, "done"), s.eventKey(id, "lease")}
	args := []any{ceilMs(lease).Milliseconds()}
	var begin, counted *goredis.Cmd
	var conv *goredis.StringCmd
	run := func(p goredis.Pipeliner) error {
		begin = beginScript.EvalSha(ctx, p, keys, args...)
		conv = p.Get(ctx, s.convKey(key))
		if rate != nil {
			counted = rateScript.EvalSha(ctx, p, []string{s.prefix + "rate:" + rate.Key}, ceilMs(rate.Window).Milliseconds())
		}
		return nil
	}
	// Each command's error is read from it below; the pipeline's is the
	// first of them.
	_, _ = s.client.Pipelined(ctx, run)
	// A server that lost its scripts (a restart) answers NOSCRIPT: each
	// such command alone is run again with its script (Run loads it). The
	// others ran and must not run twice: the lease is taken, the rate
	// counted.
	if goredis.HasErrorPrefix(begin.Err(), "NOSCRIPT") {
		begin = beginScript.Run(ctx, s.client, keys, args...)
	}
	if counted != nil && goredis.HasErrorPrefix(counted.Err(), "NOSCRIPT") {
		counted = rateScript.Run(ctx, s.client, []string{s.prefix + "rate:" + rate.Key}, ceilMs(rate.Window).Milliseconds())
	}
	if err := begin.Err(); err != nil {
		return bot.EventStart{}, fmt.Errorf("redis store: begin event: %w", err)
	}
	var start bot.EventStart
	var err error
	start.Status, start.Result, err = beginReply(begin.Val())
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
		if res, err := counted.Int64Slice(); err != nil {
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
// pipeline (one round trip), in that order, which Redis keeps.
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
	var index *goredis.Cmd
	run := func(p goredis.Pipeliner) error {
		index = indexScript.EvalSha(ctx, p, []string{uk}, ck, stateTTL.Milliseconds())
		p.Set(ctx, ck, b, stateTTL)
		if result != nil {
			p.Set(ctx, s.eventKey(id, "done"), result, ceilMs(resultTTL))
		}
		p.Del(ctx, s.eventKey(id, "lease"))
		return nil
	}
	_, err = s.client.Pipelined(ctx, run)
	if goredis.HasErrorPrefix(index.Err(), "NOSCRIPT") {
		// The server lost its scripts: the writes ran; index again, alone.
		err = indexScript.Run(ctx, s.client, []string{uk}, ck, stateTTL.Milliseconds()).Err()
	}
	if err != nil {
		return fmt.Errorf("redis store: save and finish: %w", err)
	}
	return nil
}
