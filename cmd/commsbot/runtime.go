package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/metrics"
	"github.com/commsbot/commsbot/storage/memory"
	"github.com/commsbot/commsbot/storage/redis"
)

// stores are the bot's stores, from Redis or from memory.
type stores interface {
	bot.ConversationStore
	bot.Deduper
	bot.RateLimiter
	bot.TicketStore
	bot.Outbox
	bot.Locker
	bot.Cache
}

// memStores joins the in-memory stores.
type memStores struct {
	*memory.Store
	*memory.TicketStore
}

// runtime is a wired commsbot: stores, engine, review workflow, metrics.
type runtime struct {
	cfg     config
	log     *slog.Logger
	stores  stores
	redis   *redis.Store // nil without Redis
	engine  *bot.Engine
	reviews *bot.Reviews
	metrics *metrics.Metrics
}

// newRuntime opens the configured stores and wires the engine. durable
// reports whether review tickets outlive the process: without Redis, the
// console and ask commands do not pretend to notify anyone.
func newRuntime(ctx context.Context, cfg config, log *slog.Logger) (*runtime, error) {
	rt := &runtime{cfg: cfg, log: log, metrics: metrics.New()}
	if cfg.hasRedis() {
		// go-redis logs pool events to standard error by itself; they
		// go to the runtime's log, at debug level, instead.
		redis.SetLogger(log)
		st, err := redis.Open(ctx, cfg.Redis)
		if err != nil {
			return nil, fmt.Errorf("redis: %w", err)
		}
		rt.redis, rt.stores = st, st
	} else {
		rt.stores = memStores{memory.New(), memory.NewTicketStore()}
	}
	eng, err := newEngine(rt.stores, log)
	if err != nil {
		rt.Close()
		return nil, err
	}
	eng.StateTTL = cfg.StateTTL
	eng.EventLease = cfg.EventLease
	eng.Dedupe = rt.stores
	eng.Limiter, eng.RateLimit = rt.stores, cfg.RateLimit
	eng.Observer = rt.metrics
	rt.reviews = &bot.Reviews{
		Store: rt.stores, Outbox: rt.stores, Locker: rt.stores,
		Coordinators: cfg.Coordinators,
		Notifiers:    []bot.Notifier{bot.LogNotifier{Logger: log}},
		RemindAfter:  cfg.RemindAfter, RemindBreachAfter: cfg.RemindBreach,
		Observer: rt.metrics, Logger: log,
	}
	if in, ok := rt.stores.(bot.Inbox); ok {
		eng.Inbox, rt.reviews.Inbox = in, in
	}
	rt.engine = eng
	if err := rt.enableLLM(); err != nil {
		rt.Close()
		return nil, err
	}
	return rt, nil
}

// enableReviews makes the engine open tickets.
func (rt *runtime) enableReviews() { rt.engine.Reviews = rt.reviews }

// ready reports whether the runtime can do its work: Redis reachable.
func (rt *runtime) ready(ctx context.Context) error {
	if rt.redis == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := rt.redis.Ping(ctx); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}

// runBackground delivers review notices and sends reminders until ctx is
// done; wait for the returned WaitGroup before closing the stores.
func (rt *runtime) runBackground(ctx context.Context) *sync.WaitGroup {
	var wg sync.WaitGroup
	wg.Go(func() { rt.reviews.RunDispatcher(ctx, rt.cfg.Replica) })
	wg.Go(func() { rt.reviews.RunReminders(ctx, rt.cfg.Replica, time.Minute) })
	return &wg
}

// Close closes the stores.
func (rt *runtime) Close() error {
	if rt.redis != nil {
		return rt.redis.Close()
	}
	return nil
}

var errConfig = errors.New("invalid configuration")
