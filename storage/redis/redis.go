// Package redis keeps commsbot's state in Redis, so that several replicas
// share conversations, deduplicate platform events and count rate limits
// together. It needs Redis 6.2 or later (tested with 7.0), standalone,
// behind Sentinel, or as a Cluster. On Redis 7.0 or later a message's store
// work is plain commands in transactions (MULTI/EXEC); an older server,
// which lacks PEXPIRE's NX and GT options, is detected at Open and gets Lua
// scripts for the rate window and the user's index instead, which take
// Redis more than twice as long. (Tickets need 6.2 for XAUTOCLAIM.)
//
// Keys, under a prefix that defaults to "commsbot:":
//
//	conv:<conversation key>       JSON bot.State, TTL of the save
//	user:<platform>:<user>        sorted set of the user's conversation keys,
//	                              scored by when they may be dropped (ms,
//	                              see indexSlack); the key itself outlives
//	                              the last of them
//	seen:<event id>               deduplication marker
//	event:{<event id>}:lease      an event being answered, TTL of the lease
//	event:{<event id>}:done       an answered event's result
//	rate:<key>                    fixed-window rate-limit counter
//	cache:<key>                   bot.Cache values (paraphrases), TTL of the set
//
// Components are escaped as in bot.ConversationKey.String, so ':' inside a
// platform or user id cannot make two users' keys collide. Every command or
// transaction touches keys of one hash slot, so the store works unchanged
// on a Redis Cluster.
package redis

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/commsbot/commsbot/bot"
)

// DefaultPrefix starts every key the store writes.
const DefaultPrefix = "commsbot:"

// Options say which Redis to use. Set exactly one of URL, MasterName (with
// SentinelAddrs) or ClusterAddrs.
type Options struct {
	// URL of a single server: redis://[user:password@]host[:port][/db],
	// rediss://… for TLS, or unix:///path/to/redis.sock[?db=N]. The query
	// parameters of go-redis's ParseURL (dial_timeout, read_timeout,
	// pool_size, …) are honoured; the fields below override them when set.
	URL string

	// MasterName and SentinelAddrs (host:port) select a Sentinel-managed
	// primary.
	MasterName       string
	SentinelAddrs    []string
	SentinelUsername string
	SentinelPassword string

	// ClusterAddrs (host:port) are seed nodes of a Redis Cluster.
	ClusterAddrs []string

	// Username, Password, DB and TLSConfig apply to Sentinel and Cluster
	// connections; a URL carries its own. DB must be 0 on a Cluster.
	Username  string
	Password  string
	DB        int
	TLSConfig *tls.Config

	// DialTimeout, ReadTimeout and WriteTimeout bound each network
	// operation in addition to the context's deadline; zero means 2 s.
	DialTimeout  time.Duration
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	// PoolSize is the connection pool size per node; zero means go-redis's
	// default (10 per CPU).
	PoolSize int
	// MaxRetries is how many times a failed command is retried; zero means
	// go-redis's default (3), -1 disables retries.
	MaxRetries int
	// ClientName is sent with CLIENT SETNAME, to tell replicas apart in
	// CLIENT LIST.
	ClientName string

	// Prefix starts every key; DefaultPrefix when empty. Several
	// deployments, or tests, can share a database under different prefixes.
	Prefix string
}

const defaultTimeout = 2 * time.Second

// dialerRetries is how many times one connection attempt dials (go-redis's
// default is 5). Commands are retried anyway (MaxRetries); while Redis is
// down, fewer dials make calls fail in a few hundred milliseconds rather
// than seconds, and the engine answers without memory meanwhile.
const dialerRetries = 2

// Store implements bot.ConversationStore, bot.Deduper and bot.RateLimiter
// on Redis. It is safe for concurrent use. Create it with Open.
type Store struct {
	client goredis.UniversalClient
	prefix string

	// scripts says the server is older than Redis 7.0: the rate window and
	// the user's index are kept by rateScript and indexScript. Decided once,
	// at Open.
	scripts bool
	// now is the clock the user's index is scored and pruned by: time.Now,
	// or a test's.
	now func() time.Time

	// groupMu serialises creating the notices consumer group; groupReady
	// says it is known to exist. It is cleared when the server answers
	// NOGROUP (restarted without persistence, or flushed), so that the
	// next call creates the group again.
	groupMu    sync.Mutex
	groupReady bool
	// activeReady says the active tickets index is known to be built.
	activeReady atomic.Bool
	// requestersReady says the requester indexes are known to be built.
	requestersReady atomic.Bool
}

var (
	_ bot.ConversationStore = (*Store)(nil)
	_ bot.Deduper           = (*Store)(nil)
	_ bot.RateLimiter       = (*Store)(nil)
)

// Open connects to Redis, checks the connection with PING and asks the
// server's version (INFO server). On a later outage the store's calls fail
// with errors and it reconnects by itself; it need not be reopened.
func Open(ctx context.Context, o Options) (*Store, error) {
	client, err := newClient(o)
	if err != nil {
		return nil, fmt.Errorf("redis store: %w", err)
	}
	s := &Store{client: client, prefix: o.Prefix, now: time.Now}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if err := s.Ping(ctx); err != nil {
		_ = client.Close()
		return nil, err
	}
	if s.scripts, err = s.needsScripts(ctx); err != nil {
		_ = client.Close()
		return nil, err
	}
	return s, nil
}

// needsScripts reports whether the server is older than Redis 7.0 (on a
// Cluster, the node that answers). A server that refuses INFO (an ACL, a
// renamed command) is taken to be old: the scripts work on every version.
func (s *Store) needsScripts(ctx context.Context) (bool, error) {
	info, err := s.client.Info(ctx, "server").Result()
	if _, refused := errors.AsType[goredis.Error](err); refused {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("redis store: info: %w", err)
	}
	return redisMajor(info) < 7, nil
}

// redisMajor returns the major version in INFO server's text, or 0 if it
// has none.
func redisMajor(info string) int {
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
			major, _, _ := strings.Cut(v, ".")
			n, _ := strconv.Atoi(major)
			return n
		}
	}
	return 0
}

func newClient(o Options) (goredis.UniversalClient, error) {
	modes := 0
	for _, set := range []bool{o.URL != "", o.MasterName != "" || len(o.SentinelAddrs) > 0, len(o.ClusterAddrs) > 0} {
		if set {
			modes++
		}
	}
	switch {
	case modes == 0:
		return nil, errors.New("no Redis given: set URL, MasterName and SentinelAddrs, or ClusterAddrs")
	case modes > 1:
		return nil, errors.New("set only one of URL, MasterName and SentinelAddrs, or ClusterAddrs")
	}
	// Maintenance notifications are a Redis Enterprise/Cloud feature; the
	// handshake that enables them only produces errors on plain Redis.
	noMaint := func() *maintnotifications.Config {
		return &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	}
	timeout := func(d time.Duration, dflt time.Duration) time.Duration {
		if d != 0 {
			return d
		}
		return dflt
	}

	if o.URL != "" {
		opt, err := goredis.ParseURL(o.URL)
		if err != nil {
			// url.Error repeats the whole URL, password included.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return nil, fmt.Errorf("parse URL %q: %w", redactURL(o.URL), err)
		}
		// Timeouts from the URL's query win over the defaults, and the
		// Options' fields over both.
		opt.DialTimeout = timeout(o.DialTimeout, timeout(opt.DialTimeout, defaultTimeout))
		opt.ReadTimeout = timeout(o.ReadTimeout, timeout(opt.ReadTimeout, defaultTimeout))
		opt.WriteTimeout = timeout(o.WriteTimeout, timeout(opt.WriteTimeout, opt.ReadTimeout))
		if o.PoolSize != 0 {
			opt.PoolSize = o.PoolSize
		}
		if o.MaxRetries != 0 {
			opt.MaxRetries = o.MaxRetries
		}
		if o.ClientName != "" {
			opt.ClientName = o.ClientName
		}
		opt.DialerRetries = dialerRetries
		opt.ContextTimeoutEnabled = true
		// Redis 7.0 (Debian's) answers the CLIENT SETINFO handshake with
		// errors; the library identity is not needed.
		opt.DisableIdentity = true
		opt.MaintNotificationsConfig = noMaint()
		return goredis.NewClient(opt), nil
	}

	u := &goredis.UniversalOptions{
		Username:              o.Username,
		Password:              o.Password,
		DB:                    o.DB,
		TLSConfig:             o.TLSConfig,
		ClientName:            o.ClientName,
		DialTimeout:           timeout(o.DialTimeout, defaultTimeout),
		ReadTimeout:           timeout(o.ReadTimeout, defaultTimeout),
		WriteTimeout:          timeout(o.WriteTimeout, timeout(o.ReadTimeout, defaultTimeout)),
		PoolSize:              o.PoolSize,
		MaxRetries:            o.MaxRetries,
		DialerRetries:         dialerRetries,
		ContextTimeoutEnabled: true,
		DisableIdentity:       true,
		// Failover clients always run with maintenance notifications
		// disabled; this reaches Cluster and standalone clients.
		MaintNotificationsConfig: noMaint(),
	}
	if o.MasterName != "" || len(o.SentinelAddrs) > 0 {
		if o.MasterName == "" || len(o.SentinelAddrs) == 0 {
			return nil, errors.New("redis sentinel: set both MasterName and SentinelAddrs")
		}
		u.MasterName = o.MasterName
		u.Addrs = o.SentinelAddrs
		u.SentinelUsername = o.SentinelUsername
		u.SentinelPassword = o.SentinelPassword
		return goredis.NewUniversalClient(u), nil
	}
	if o.DB != 0 {
		return nil, errors.New("a Redis Cluster has only database 0")
	}
	u.Addrs = o.ClusterAddrs
	u.IsClusterMode = true
	return goredis.NewUniversalClient(u), nil
}

// redactURL hides a password in a URL for error messages.
func redactURL(s string) string {
	at := strings.LastIndex(s, "@")
	scheme := strings.Index(s, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return s
	}
	return s[:scheme+3] + "REDACTED" + s[at:]
}

// Ping checks that Redis answers, for readiness probes.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis store: ping: %w", err)
	}
	return nil
}

// Close closes the connections. The store is unusable afterwards.
func (s *Store) Close() error {
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("redis store: close: %w", err)
	}
	return nil
}

func esc(s string) string { return strings.ReplaceAll(s, ":", "%3A") }

func (s *Store) convKey(k bot.ConversationKey) string { return s.prefix + "conv:" + k.String() }

func (s *Store) userKey(platform, user string) string {
	return s.prefix + "user:" + esc(platform) + ":" + esc(user)
}

// ceilMs rounds d up to a whole millisecond, Redis's resolution, so that
// nothing expires before the TTL it was given.
func ceilMs(d time.Duration) time.Duration {
	if r := d % time.Millisecond; r != 0 {
		d += time.Millisecond - r
	}
	return d
}

// Conversation implements bot.ConversationStore.
func (s *Store) Conversation(ctx context.Context, key bot.ConversationKey) (bot.State, bool, error) {
	if err := ctx.Err(); err != nil {
		return bot.State{}, false, fmt.Errorf("redis store: get conversation: %w", err)
	}
	b, err := s.client.Get(ctx, s.convKey(key)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return bot.State{}, false, nil
	}
	if err != nil {
		return bot.State{}, false, fmt.Errorf("redis store: get conversation: %w", err)
	}
	var st bot.State
	if err := json.Unmarshal(b, &st); err != nil {
		return bot.State{}, false, fmt.Errorf("redis store: decode conversation %s: %w", key, err)
	}
	return st, true, nil
}

// indexSlack is how much longer than a conversation its user's index
// lasts, and how long after the conversation's expiry the index may still
// list it: entries are scored and pruned by the replica's clock, and the
// slack makes the clocks' disagreement harmless.
//
// An entry's score is its conversation's expiry by the writing replica's
// clock plus indexSlack, and a replica drops only the entries whose score
// is more than indexSlack in the past by its own clock: a live conversation
// leaves the index only if two replicas' clocks disagree by more than
// 2×indexSlack (10 minutes). Each half alone covers a disagreement of 5
// minutes with Redis's clock, which is what a rolling upgrade needs:
// replicas still running indexScript prune by Redis's clock, and their
// entries carry a second of slack. The index's own expiry is relative,
// counted by Redis, so skew does not touch it.
const indexSlack = 5 * time.Minute

// addToIndex queues, in a transaction on p, the addition of the
// conversation key ck, saved for ttl, to the user's index uk: it drops the
// entries past their score (see indexSlack), adds ck, and makes uk expire
// indexSlack after ck unless it already expires later. The expiry is set
// twice, with NX (for an index just created) then GT (to extend it only):
// the index is never made to expire before a conversation it lists, even
// one saved earlier with a longer TTL, so Forget finds every conversation
// that still exists. uk alone is touched, so it is Cluster-safe.
func (s *Store) addToIndex(ctx context.Context, p goredis.Pipeliner, uk, ck string, ttl time.Duration) {
	if s.scripts {
		// EVAL rather than EVALSHA: there is no NOSCRIPT to recover from
		// inside a transaction.
		indexScript.Eval(ctx, p, []string{uk}, ck, ttl.Milliseconds())
		return
	}
	now := s.now().UnixMilli()
	keep := (ttl + indexSlack).Milliseconds()
	p.ZRemRangeByScore(ctx, uk, "-inf", "("+strconv.FormatInt(now-indexSlack.Milliseconds(), 10))
	p.ZAdd(ctx, uk, goredis.Z{Score: float64(now + keep), Member: ck})
	p.Do(ctx, "pexpire", uk, keep, "nx")
	p.Do(ctx, "pexpire", uk, keep, "gt")
}

// indexScript is addToIndex for servers older than Redis 7.0, by Redis's
// clock: it adds a conversation key to a user's index (KEYS[1]) with score
// = its expiry in server milliseconds (ARGV[2] = TTL in ms; a second of
// slack covers the time until the conversation itself is written), drops
// the entries that have expired, and makes the index expire with the last
// of its entries. It touches only KEYS[1], so it is Cluster-safe.
var indexScript = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', now))
redis.call('ZADD', KEYS[1], string.format('%d', now + tonumber(ARGV[2]) + 1000), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1
`)

// SaveConversation implements bot.ConversationStore. ttl must be positive.
// The user's index is updated before the state is written, so that a
// conversation Forget cannot find never exists.
func (s *Store) SaveConversation(ctx context.Context, key bot.ConversationKey, st bot.State, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redis store: save conversation: %w", err)
	}
	if ttl <= 0 {
		return fmt.Errorf("redis store: save conversation: ttl %v is not positive", ttl)
	}
	ttl = ceilMs(ttl)
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("redis store: encode conversation: %w", err)
	}
	ck := s.convKey(key)
	uk := s.userKey(key.Platform, key.User)
	// Two steps: on a Cluster the index and the conversation live in
	// different slots, which one transaction cannot span.
	_, err = s.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		s.addToIndex(ctx, p, uk, ck, ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis store: save conversation: index: %w", err)
	}
	if err := s.client.Set(ctx, ck, b, ttl).Err(); err != nil {
		return fmt.Errorf("redis store: save conversation: %w", err)
	}
	return nil
}

// Forget implements bot.ConversationStore: it deletes the conversations
// listed in the user's index, then removes them from the index. A
// conversation saved while Forget runs stays listed, so a later Forget
// finds it.
func (s *Store) Forget(ctx context.Context, platform, user string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redis store: forget: %w", err)
	}
	uk := s.userKey(platform, user)
	keys, err := s.client.ZRange(ctx, uk, 0, -1).Result()
	if err != nil {
		return fmt.Errorf("redis store: forget: read index: %w", err)
	}
	if len(keys) == 0 {
		return nil
	}
	// One DEL per key: on a Cluster the keys live in different slots.
	cmds, err := s.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, k := range keys {
			p.Del(ctx, k)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis store: forget: %w", err)
	}
	for _, c := range cmds {
		if err := c.Err(); err != nil {
			return fmt.Errorf("redis store: forget: %w", err)
		}
	}
	members := make([]any, len(keys))
	for i, k := range keys {
		members[i] = k
	}
	if err := s.client.ZRem(ctx, uk, members...).Err(); err != nil {
		return fmt.Errorf("redis store: forget: update index: %w", err)
	}
	return nil
}

// SeenOnce implements bot.Deduper with SET NX; the id is kept for ttl
// rounded up to a millisecond.
func (s *Store) SeenOnce(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("redis store: seen once: %w", err)
	}
	if ttl <= 0 {
		return false, fmt.Errorf("redis store: seen once: ttl %v is not positive", ttl)
	}
	first, err := s.client.SetNX(ctx, s.prefix+"seen:"+id, 1, ceilMs(ttl)).Result()
	if err != nil {
		return false, fmt.Errorf("redis store: seen once: %w", err)
	}
	return first, nil
}

var _ bot.EventLog = (*Store)(nil)

// BeginEvent implements bot.EventLog: a result key and a lease key per
// event, read and set in one transaction.
func (s *Store) BeginEvent(ctx context.Context, id string, lease, ttl time.Duration) (bot.EventStatus, []byte, error) {
	if lease <= 0 || ttl <= 0 {
		return 0, nil, fmt.Errorf("redis store: begin event: lease %v and ttl %v must be positive", lease, ttl)
	}
	var b beginCmds
	// Each command's error is read from it; the transaction's is the
	// first of them, redis.Nil for an event not done.
	_, _ = s.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		b = s.begin(ctx, p, id, lease)
		return nil
	})
	return b.status()
}

// beginCmds are an event's commands in a transaction: GET of its result,
// SET NX of its lease.
type beginCmds struct {
	done  *goredis.StringCmd
	lease *goredis.BoolCmd
}

// begin queues, in a transaction on p, the reading of event id's result and
// the taking of its lease. The lease is taken even if the event is done,
// as a transaction cannot make one command depend on another's reply.
// Such a lease is harmless: it is not looked at while the result lasts,
// and it expires after lease. It outlives the result only if a copy of the
// event arrives in the lease's length before the result expires (the
// engine keeps results 15 minutes, leases 30 s; platforms stop retrying
// within minutes); a copy after the result expired is then told the event
// is running until the lease ends, instead of being answered afresh.
func (s *Store) begin(ctx context.Context, p goredis.Pipeliner, id string, lease time.Duration) beginCmds {
	return beginCmds{
		done:  p.Get(ctx, s.eventKey(id, "done")),
		lease: p.SetNX(ctx, s.eventKey(id, "lease"), 1, ceilMs(lease)),
	}
}

// status reads the replies: a result means done, whether or not the lease
// was taken.
func (b beginCmds) status() (bot.EventStatus, []byte, error) {
	switch res, err := b.done.Bytes(); {
	case err == nil:
		return bot.EventDone, res, nil
	case !errors.Is(err, goredis.Nil):
		return 0, nil, fmt.Errorf("redis store: begin event: %w", err)
	}
	claimed, err := b.lease.Result()
	switch {
	case err != nil:
		return 0, nil, fmt.Errorf("redis store: begin event: %w", err)
	case claimed:
		return bot.EventClaimed, nil, nil
	}
	return bot.EventRunning, nil, nil
}

// FinishEvent implements bot.EventLog.
func (s *Store) FinishEvent(ctx context.Context, id string, result []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("redis store: finish event: ttl %v is not positive", ttl)
	}
	_, err := s.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		if result != nil {
			p.Set(ctx, s.eventKey(id, "done"), result, ceilMs(ttl))
		}
		p.Del(ctx, s.eventKey(id, "lease"))
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis store: finish event: %w", err)
	}
	return nil
}

// rateCmds are a rate check's commands in a transaction: rateScript's
// call, or INCR and PTTL.
type rateCmds struct {
	script *goredis.Cmd
	n      *goredis.IntCmd
	ttl    *goredis.Cmd
}

// countRate queues, in a transaction on p, the count of one event in the
// window key (window rounded up to a millisecond): INCR, PEXPIRE NX, which
// gives the window its expiry when the INCR created it (or, like the
// script, a counter found without one, which cannot happen unless written
// by hand), and PTTL. In one transaction, the counter is never left without
// an expiry, however short the window.
func (s *Store) countRate(ctx context.Context, p goredis.Pipeliner, key string, window time.Duration) rateCmds {
	k, ms := s.prefix+"rate:"+key, ceilMs(window).Milliseconds()
	if s.scripts {
		return rateCmds{script: rateScript.Eval(ctx, p, []string{k}, ms)}
	}
	n := p.Incr(ctx, k)
	p.Do(ctx, "pexpire", k, ms, "nx")
	return rateCmds{n: n, ttl: p.Do(ctx, "pttl", k)}
}

// counts returns {count, remaining ms}, for rateReply.
func (r rateCmds) counts() ([]int64, error) {
	if r.script != nil {
		return r.script.Int64Slice()
	}
	n, err := r.n.Result()
	if err != nil {
		return nil, err
	}
	ttl, err := r.ttl.Int64()
	if err != nil {
		return nil, err
	}
	return []int64{n, ttl}, nil
}

// rateScript is countRate for servers older than Redis 7.0: it counts one
// event in the window KEYS[1] (ARGV[1] = window in ms) and returns {count,
// remaining ms}. The first INCR of a window sets its expiry; a counter
// found without one gets one too.
var rateScript = goredis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`)

// Allow implements bot.RateLimiter with a fixed window counted atomically
// on the server: the first call for key starts a window of length window
// (rounded up to a millisecond), the first limit calls in it are allowed,
// later ones are refused with the window's remaining time (PTTL) until it
// expires. Refused calls do not extend the window. A burst of up to 2*limit
// can straddle the boundary of two windows.
func (s *Store) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, fmt.Errorf("redis store: allow: %w", err)
	}
	if limit <= 0 || window <= 0 {
		return false, 0, fmt.Errorf("redis store: allow: limit %d and window %v must be positive", limit, window)
	}
	var r rateCmds
	// The reply is read from the commands; the transaction's error is the
	// first of theirs.
	_, _ = s.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		r = s.countRate(ctx, p, key, window)
		return nil
	})
	res, err := r.counts()
	if err != nil {
		return false, 0, fmt.Errorf("redis store: allow: %w", err)
	}
	return rateReply(res, limit)
}

// rateReply reads a rate check's {count, remaining ms}.
func rateReply(res []int64, limit int) (bool, time.Duration, error) {
	if len(res) != 2 {
		return false, 0, fmt.Errorf("redis store: allow: unexpected reply %v", res)
	}
	if res[0] <= int64(limit) {
		return true, 0, nil
	}
	// PTTL can be 0 in the window's last millisecond.
	return false, max(time.Duration(res[1])*time.Millisecond, time.Millisecond), nil
}

// eventKey is an event's key; the hash tag keeps an event's two keys in one
// slot (Redis Cluster), for BeginEvent's and FinishEvent's transactions.
func (s *Store) eventKey(id, part string) string {
	return s.prefix + "event:{" + id + "}:" + part
}
