package main

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/storage/redis/redistest"
)

// roundTrips counts the commands and pipelines sent to Redis: one round
// trip each.
type roundTrips struct {
	n     atomic.Int64
	mu    sync.Mutex
	names []string
}

func (r *roundTrips) note(name string) {
	r.mu.Lock()
	r.names = append(r.names, name)
	r.mu.Unlock()
}

func (r *roundTrips) DialHook(next goredis.DialHook) goredis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (r *roundTrips) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		r.n.Add(1)
		r.note(cmd.Name())
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		r.n.Add(1)
		name := "pipeline"
		for _, c := range cmds {
			name += " " + c.Name()
		}
		r.note(name)
		return next(ctx, cmds)
	}
}

// TestRedisRoundTripsPerMessage: a message from a platform (with an event
// id) took six round trips to Redis — begin the event, load the
// conversation, count the rate, index and save the conversation, finish the
// event. Now two: begin, load and count together, then save and finish
// together. A retried delivery takes one, and the conversation carries on.
func TestRedisRoundTripsPerMessage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := redistest.Start(t)
	rt := openRuntime(t, replicaEnv(srv.URL(), "commsbot-0"))
	defer rt.Close()
	var rts roundTrips
	rt.redis.AddHook(&rts)
	conv := bot.ConversationKey{Platform: "slack", Workspace: "T1", Channel: "C1", User: "U1"}
	ask := func(id, text string) (bot.Reply, int64, error) {
		before := rts.n.Load()
		r, err := rt.engine.Handle(ctx, bot.Message{Conversation: conv, Text: text, EventID: id})
		return r, rts.n.Load() - before, err
	}
	// The first message also opens a connection.
	if _, err := rt.engine.Handle(ctx, bot.Message{Conversation: bot.ConversationKey{Platform: "slack", Channel: "C0", User: "U0"},
		Text: "can we use Facebook?", EventID: "Ev0"}); err != nil {
		t.Fatal(err)
	}
	rts.mu.Lock()
	rts.names = nil
	rts.mu.Unlock()
	r, n, err := ask("Ev1", "can we use LinkedIn for our department?")
	if err != nil || len(r.Citations) == 0 {
		t.Fatalf("answer %+v, %v", r, err)
	}
	if n != 2 {
		t.Errorf("%d round trips to Redis for one message, want 2: %v", n, rts.names)
	}
	if _, n, err := ask("Ev1", "can we use LinkedIn for our department?"); !errors.Is(err, bot.ErrReplayed) || n != 1 {
		t.Errorf("retried delivery: %v after %d round trips; want the recorded reply after 1", err, n)
	}
	// The state saved with the event's result is the conversation's: the
	// follow-up is about the platform asked before.
	r2, _, err := ask("Ev2", "in French please")
	if err != nil || r2.Lang != bot.French || r2.Platform != "LinkedIn" {
		t.Errorf("follow-up: lang %s, platform %q, %v; want the LinkedIn answer in French", r2.Lang, r2.Platform, err)
	}
	// After a restart the server has no scripts: the combined calls need
	// none (Redis 7), or send them whole (older servers).
	if err := rt.redis.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	raw := goredis.NewClient(&goredis.Options{Addr: srv.Addr(), DisableIdentity: true})
	defer raw.Close()
	if err := raw.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if r3, _, err := ask("Ev3", "what about Threads?"); err != nil || len(r3.Citations) == 0 || !r3.NeedsReview {
		t.Errorf("after SCRIPT FLUSH: %+v, %v", r3, err)
	}
}
