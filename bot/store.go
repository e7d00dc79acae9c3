package bot

import (
	"context"
	"time"
)

// Deduper remembers which platform events have already been handled, so that
// an event delivered twice (a platform retrying a webhook, several replicas
// receiving the same event) is answered once.
//
// Implementations shared by several replicas (storage/redis) must decide
// atomically: when many callers ask about the same id at once, exactly one
// of them gets first == true.
type Deduper interface {
	// SeenOnce records id and reports whether this is the first time it is
	// seen. The id is remembered for at least ttl, which must be positive;
	// after that it may be forgotten and reported as first again. On error
	// first is false and the caller decides whether to handle the event
	// anyway.
	SeenOnce(ctx context.Context, id string, ttl time.Duration) (first bool, err error)
}

// EventLog is a Deduper that survives a crash mid-answer: an event is
// claimed with a lease while it is handled, and marked done with what was
// answered. A delivery while the lease is live is told the event is being
// handled; one after the lease ran out without a result (the holder died)
// is handled again; one after it finished gets the recorded answer again.
// Stores that implement it are used that way by the engine; a plain
// Deduper marks an event seen before it is handled.
//
// Implementations shared by several replicas must decide atomically: of
// many callers at once, exactly one gets EventClaimed.
type EventLog interface {
	// BeginEvent claims id for lease unless it is done or leased. With
	// EventDone, result is what FinishEvent recorded. lease and ttl must be
	// positive; ttl is how long the record of a finished event is kept.
	BeginEvent(ctx context.Context, id string, lease, ttl time.Duration) (status EventStatus, result []byte, err error)
	// FinishEvent records id's result for ttl and ends its lease. With a
	// nil result it only ends the lease: the next delivery is handled
	// afresh (what the first attempt did could not be completed).
	FinishEvent(ctx context.Context, id string, result []byte, ttl time.Duration) error
}

// EventConversations is a store that keeps both the event log and the
// conversations and can do an event's store work in two round trips
// instead of four: begin the event and load its conversation at once, then
// save the conversation and finish the event at once. The engine uses it
// when its Dedupe and Store are the same such store.
type EventConversations interface {
	EventLog
	ConversationStore
	// BeginEventLoad is BeginEvent and Conversation(key) together, and,
	// with rate, Allow too; the conversation is read and the rate counted
	// whatever the status. err is BeginEvent's; the others' are in the
	// EventStart.
	BeginEventLoad(ctx context.Context, id string, lease, ttl time.Duration, key ConversationKey, rate *RateCheck) (EventStart, error)
	// SaveAndFinish is SaveConversation and FinishEvent together.
	SaveAndFinish(ctx context.Context, key ConversationKey, st State, stateTTL time.Duration, id string, result []byte, resultTTL time.Duration) error
}

// RateCheck asks BeginEventLoad to count one event against a rate limit
// (RateLimiter.Allow's arguments).
type RateCheck struct {
	Key    string
	Limit  int
	Window time.Duration
}

// EventStart is what BeginEventLoad found.
type EventStart struct {
	Status EventStatus
	Result []byte
	// State is the conversation; LoadErr a failure to read it.
	State   State
	LoadErr error
	// Rate is Allow's verdict when a RateCheck was given.
	Rate *RateVerdict
}

// RateVerdict is RateLimiter.Allow's result.
type RateVerdict struct {
	OK         bool
	RetryAfter time.Duration
	Err        error
}

// EventStatus is what BeginEvent found.
type EventStatus int

const (
	// EventClaimed: the caller holds the lease and must handle the event.
	EventClaimed EventStatus = iota + 1
	// EventRunning: another caller holds a live lease.
	EventRunning
	// EventDone: the event was handled; the result is returned.
	EventDone
)

// RateLimiter bounds how often something keyed by key (a user, a channel, a
// workspace) may happen: at most limit times per window.
//
// Implementations shared by several replicas (storage/redis) must count
// atomically across replicas: of many concurrent calls in one window exactly
// limit are allowed. Both implementations in this module use a fixed window
// that starts at the first call for key and lasts window.
type RateLimiter interface {
	// Allow counts one event for key and reports whether it is within the
	// limit. When it is not, retryAfter is how long until the current window
	// ends (always positive); when it is, retryAfter is zero. limit and window
	// must be positive. On error ok is false.
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}
