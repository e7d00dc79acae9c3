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

// BeginEventLoad implements bot.EventConversations: the event's script and
// the conversation's GET in one pipeline (one round trip).
func (s *Store) BeginEventLoad(ctx context.Context, id string, lease, ttl time.Duration, key bot.ConversationKey) (bot.EventStatus, []byte, bot.State, error, error) {
	if s.clustered() {
		status, result, err := s.BeginEvent(ctx, id, lease, ttl)
		if err != nil {
			return 0, nil, bot.State{}, nil, err
		}
		st, _, loadErr := s.Conversation(ctx, key)
		return status, result, st, loadErr, nil
	}
	if lease <= 0 || ttl <= 0 {
		return 0, nil, bot.State{}, nil, fmt.Errorf("redis store: begin event: lease %v and ttl %v must be positive", lease, ttl)
	}
	keys := []string{s.eventKey(id, "done"), s.eventKey(id, "lease")}
	args := []any{ceilMs(lease).Milliseconds()}
	var begin *goredis.Cmd
	var conv *goredis.StringCmd
	run := func(p goredis.Pipeliner) error {
		begin = beginScript.EvalSha(ctx, p, keys, args...)
		conv = p.Get(ctx, s.convKey(key))
		return nil
	}
	// Each command's error is read from it below; the pipeline's is the
	// first of them.
	_, _ = s.client.Pipelined(ctx, run)
	if goredis.HasErrorPrefix(begin.Err(), "NOSCRIPT") {
		// The server lost its scripts (a restart): load it, once.
		if lerr := beginScript.Load(ctx, s.client).Err(); lerr != nil {
			return 0, nil, bot.State{}, nil, fmt.Errorf("redis store: begin event: %w", lerr)
		}
		_, _ = s.client.Pipelined(ctx, run)
	}
	if err := begin.Err(); err != nil {
		return 0, nil, bot.State{}, nil, fmt.Errorf("redis store: begin event: %w", err)
	}
	status, result, err := beginReply(begin.Val())
	if err != nil {
		return 0, nil, bot.State{}, nil, err
	}
	var st bot.State
	var loadErr error
	switch b, err := conv.Bytes(); {
	case errors.Is(err, goredis.Nil):
	case err != nil:
		loadErr = fmt.Errorf("redis store: get conversation: %w", err)
	default:
		if err := json.Unmarshal(b, &st); err != nil {
			st, loadErr = bot.State{}, fmt.Errorf("redis store: decode conversation %s: %w", key, err)
		}
	}
	return status, result, st, loadErr, nil
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
	if err != nil && goredis.HasErrorPrefix(index.Err(), "NOSCRIPT") {
		if lerr := indexScript.Load(ctx, s.client).Err(); lerr != nil {
			return fmt.Errorf("redis store: save and finish: %w", lerr)
		}
		_, err = s.client.Pipelined(ctx, run)
	}
	if err != nil {
		return fmt.Errorf("redis store: save and finish: %w", err)
	}
	return nil
}
