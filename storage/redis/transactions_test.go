package redis_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/storage/redis"
	"github.com/commsbot/commsbot/storage/redis/redistest"
	"github.com/commsbot/commsbot/storage/storetest"
)

// mode is one of the two ways the store keeps rate windows and users'
// indexes: plain commands in transactions (Redis 7.0 or later), or Lua
// scripts (older servers; forced here, as the tests' server is 7.0).
type mode struct {
	name    string
	scripts bool
}

var modes = []mode{{"commands", false}, {"scripts", true}}

func (m mode) open(t *testing.T, url string) *redis.Store {
	t.Helper()
	s, _ := m.openPrefixed(t, url)
	return s
}

// openPrefixed is open, returning the store's key prefix too, for tests
// that read or write its keys directly.
func (m mode) openPrefixed(t *testing.T, url string) (*redis.Store, string) {
	t.Helper()
	prefix := testPrefix()
	s := open(t, redis.Options{URL: url, Prefix: prefix})
	if m.scripts {
		redis.ForceScripts(s)
	}
	return s, prefix
}

// TestContractScripts runs the suite on the scripts that servers older than
// Redis 7.0 get.
func TestContractScripts(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	storetest.Run(t, func(t *testing.T) storetest.Store { return modes[1].open(t, url) })
}

// serverMajor is the Redis major version that raw's server reports.
func serverMajor(t *testing.T, raw goredis.UniversalClient) int {
	t.Helper()
	info, err := raw.Info(t.Context(), "server").Result()
	if err != nil {
		t.Fatal(err)
	}
	_, v, _ := strings.Cut(info, "redis_version:")
	major, err := strconv.Atoi(v[:strings.IndexByte(v, '.')])
	if err != nil {
		t.Fatalf("INFO server: %q", info)
	}
	return major
}

// TestVersionDetected: Open uses the scripts on a server older than Redis
// 7.0 only, and also on one that refuses INFO (here by an ACL), whose
// version it cannot know.
func TestVersionDetected(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	raw := rawClient(t, srv.URL())
	old := serverMajor(t, raw) < 7
	if got := redis.UsesScripts(open(t, redis.Options{URL: srv.URL()})); got != old {
		t.Errorf("store on Redis %d uses the scripts: %v, want %v", serverMajor(t, raw), got, old)
	}

	if err := raw.Do(t.Context(), "ACL", "SETUSER", "noinfo", "on", ">pw", "~*", "&*", "+@all", "-info").Err(); err != nil {
		t.Fatal(err)
	}
	s := open(t, redis.Options{URL: "redis://noinfo:pw@" + srv.Addr(), Prefix: testPrefix()})
	if !redis.UsesScripts(s) {
		t.Error("INFO refused: the store does not use the scripts")
	}
	// And they work.
	k := bot.ConversationKey{Platform: "slack", Channel: "C1", User: "U1"}
	start, err := s.BeginEventLoad(t.Context(), "e1", time.Minute, time.Hour, k, &bot.RateCheck{Key: "U1", Limit: 1, Window: time.Minute})
	if err != nil || start.Status != bot.EventClaimed || start.Rate == nil || !start.Rate.OK || start.Rate.Err != nil {
		t.Errorf("BeginEventLoad without INFO: %+v, %v", start, err)
	}
	if err := s.SaveAndFinish(t.Context(), k, bot.State{Intent: "x"}, time.Hour, "e1", []byte("r"), time.Hour); err != nil {
		t.Errorf("SaveAndFinish without INFO: %v", err)
	}
}

// TestVersionDetectedCluster: on a Cluster, the version is asked of a
// node.
func TestVersionDetectedCluster(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: skipping the Cluster")
	}
	addrs := redistest.StartCluster(t, 3)
	raw := goredis.NewClient(&goredis.Options{Addr: addrs[0], DisableIdentity: true})
	t.Cleanup(func() { raw.Close() })
	s := open(t, redis.Options{ClusterAddrs: addrs, Prefix: testPrefix()})
	if got, want := redis.UsesScripts(s), serverMajor(t, raw) < 7; got != want {
		t.Errorf("store on the Cluster uses the scripts: %v, want %v", got, want)
	}
}

// pttls returns the keys' PTTLs read at one instant (one transaction).
func pttls(t *testing.T, raw *goredis.Client, keys ...string) []time.Duration {
	t.Helper()
	var cmds []*goredis.Cmd
	_, err := raw.TxPipelined(t.Context(), func(p goredis.Pipeliner) error {
		for _, k := range keys {
			cmds = append(cmds, p.Do(t.Context(), "pttl", k))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var ds []time.Duration
	for _, c := range cmds {
		ms, err := c.Int64()
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, time.Duration(ms)*time.Millisecond)
	}
	return ds
}

// TestIndexOutlivesConversations: the user's index (what Forget reads)
// never expires before a conversation it lists — not when a conversation
// is saved with a shorter TTL after one with a longer TTL, nor when it is
// saved again with a longer one — whether saved alone or with its event,
// in both modes.
func TestIndexOutlivesConversations(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	raw := rawClient(t, url)
	saves := map[string]func(s *redis.Store, k bot.ConversationKey, ttl time.Duration) error{
		"SaveConversation": func(s *redis.Store, k bot.ConversationKey, ttl time.Duration) error {
			return s.SaveConversation(t.Context(), k, bot.State{Intent: "x"}, ttl)
		},
		"SaveAndFinish": func(s *redis.Store, k bot.ConversationKey, ttl time.Duration) error {
			return s.SaveAndFinish(t.Context(), k, bot.State{Intent: "x"}, ttl, fmt.Sprint("ev", time.Now().UnixNano()), []byte("r"), time.Minute)
		},
	}
	for _, m := range modes {
		for name, save := range saves {
			t.Run(m.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				s, prefix := m.openPrefixed(t, url)
				user := "slack:U1"
				index := prefix + "user:slack:U1"
				var convs []string
				for i, ttl := range []time.Duration{time.Hour, time.Minute, 10 * time.Millisecond, 2 * time.Hour, time.Second} {
					k := bot.ConversationKey{Platform: "slack", Channel: fmt.Sprint("C", i%3), User: "U1"}
					if err := save(s, k, ttl); err != nil {
						t.Fatal(err)
					}
					if i < 3 {
						convs = append(convs, prefix+"conv:"+k.String())
					}
					got := pttls(t, raw, append([]string{index}, convs...)...)
					for j, c := range convs {
						if got[j+1] != -2*time.Millisecond && got[0] < got[j+1] {
							t.Errorf("save %d (ttl %v): the index of %s expires in %v, before %s (in %v)", i, ttl, user, got[0], c, got[j+1])
						}
					}
					if got[0] <= 0 {
						t.Errorf("save %d: index PTTL %v; want an expiry", i, got[0])
					}
				}
				members, err := raw.ZRange(t.Context(), index, 0, -1).Result()
				if err != nil || len(members) != 3 {
					t.Errorf("index = %q, %v; want the 3 conversations", members, err)
				}
			})
		}
	}
}

// TestIndexPruning: with plain commands the index is pruned by the
// replica's clock, so an entry is dropped only 2×IndexSlack after its
// conversation's expiry by the writer's clock — a replica whose clock is
// ahead by less than that keeps every live conversation listed — and an
// entry written by the script (a replica not yet upgraded, scored by
// Redis's clock with a second of slack) is kept by a clock up to
// IndexSlack ahead. Only the store's clock moves, playing replicas whose
// clocks run ahead: the conversations live an hour in Redis, and the test
// reads the index alone.
func TestIndexPruning(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	raw := rawClient(t, url)
	prefix := testPrefix()
	s := open(t, redis.Options{URL: url, Prefix: prefix})
	var clock time.Time
	redis.SetNow(s, func() time.Time { return clock })
	index := prefix + "user:slack:U1"
	conv := func(ch string) bot.ConversationKey {
		return bot.ConversationKey{Platform: "slack", Channel: ch, User: "U1"}
	}
	save := func(s *redis.Store, ch string, ttl time.Duration) {
		t.Helper()
		if err := s.SaveConversation(t.Context(), conv(ch), bot.State{Intent: "x"}, ttl); err != nil {
			t.Fatal(err)
		}
	}
	listed := func(ch string) bool {
		t.Helper()
		_, err := raw.ZScore(t.Context(), index, prefix+"conv:"+conv(ch).String()).Result()
		if err != nil && err != goredis.Nil {
			t.Fatal(err)
		}
		return err == nil
	}

	t0 := time.UnixMilli(time.Now().UnixMilli())
	clock = t0
	save(s, "A", time.Hour)
	// Another save, by a replica whose clock is 2×IndexSlack ahead of the
	// writer's at A's expiry, keeps A; a millisecond more drops it.
	clock = t0.Add(time.Hour + 2*redis.IndexSlack)
	save(s, "B", time.Hour)
	if !listed("A") {
		t.Fatal("A was dropped by a clock 2×IndexSlack past its expiry")
	}
	clock = clock.Add(time.Millisecond)
	save(s, "B", time.Hour)
	if listed("A") {
		t.Error("A is still listed 2×IndexSlack + 1 ms past its expiry")
	}
	if !listed("B") {
		t.Error("B is not listed")
	}

	// An entry written by the script, scored by Redis's clock.
	old := open(t, redis.Options{URL: url, Prefix: prefix})
	redis.ForceScripts(old)
	before, err := raw.Time(t.Context()).Result()
	if err != nil {
		t.Fatal(err)
	}
	save(old, "C", time.Hour)
	clock = before.Add(time.Hour + redis.IndexSlack)
	save(s, "B", time.Hour)
	if !listed("C") {
		t.Error("the script's entry was dropped by a clock IndexSlack past its expiry")
	}
}

// TestRateWindowAlwaysExpires: the rate counter never lacks an expiry —
// which would refuse its key forever once over the limit — even with a
// window of 1 ms, which often runs out between one call and the next; and
// a counter found without one (written by hand) gets one, as the script
// gave it.
func TestRateWindowAlwaysExpires(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	raw := rawClient(t, url)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			s, prefix := m.openPrefixed(t, url)
			k := bot.ConversationKey{Platform: "slack", Channel: "C1", User: "U1"}
			counter := prefix + "rate:U1"
			for i := range 300 {
				if i%2 == 0 {
					if _, _, err := s.Allow(t.Context(), "U1", 1, time.Millisecond); err != nil {
						t.Fatal(err)
					}
				} else {
					start, err := s.BeginEventLoad(t.Context(), fmt.Sprint("e", i), time.Minute, time.Minute, k, &bot.RateCheck{Key: "U1", Limit: 1, Window: time.Millisecond})
					if err != nil || start.Rate == nil || start.Rate.Err != nil {
						t.Fatalf("BeginEventLoad: %+v, %v", start, err)
					}
				}
				if ttl := pttls(t, raw, counter)[0]; ttl == -time.Millisecond {
					t.Fatalf("call %d: the counter has no expiry", i)
				}
			}

			if err := raw.Set(t.Context(), counter, 5, 0).Err(); err != nil {
				t.Fatal(err)
			}
			ok, _, err := s.Allow(t.Context(), "U1", 10, time.Minute)
			if err != nil || !ok {
				t.Errorf("Allow on a hand-written counter of 5, limit 10: %v, %v", ok, err)
			}
			if ttl := pttls(t, raw, counter)[0]; ttl <= 0 || ttl > time.Minute {
				t.Errorf("hand-written counter: PTTL %v after Allow, want in (0, 1m]", ttl)
			}
			if n, _ := raw.Get(t.Context(), counter).Int(); n != 6 {
				t.Errorf("hand-written counter of 5 after Allow: %d, want 6", n)
			}
		})
	}
}

// TestDoneEventReportedDone: a finished event is reported done with its
// result by both calls, whatever its lease; the lease a transaction takes
// on a done event expires with the lease's time.
func TestDoneEventReportedDone(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	raw := rawClient(t, url)
	prefix := testPrefix()
	s := open(t, redis.Options{URL: url, Prefix: prefix})
	ctx := t.Context()
	k := bot.ConversationKey{Platform: "slack", Channel: "C1", User: "U1"}
	lease := prefix + "event:{e1}:lease"

	for _, result := range []string{"reply", ""} {
		if st, _, err := s.BeginEvent(ctx, "e1", time.Minute, time.Hour); err != nil || st != bot.EventClaimed {
			t.Fatalf("BeginEvent: %v, %v", st, err)
		}
		if err := s.FinishEvent(ctx, "e1", []byte(result), time.Hour); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			st, res, err := s.BeginEvent(ctx, "e1", 30*time.Second, time.Hour)
			if err != nil || st != bot.EventDone || string(res) != result {
				t.Errorf("BeginEvent %d after FinishEvent(%q): %v %q, %v; want done with the result", i, result, st, res, err)
			}
			start, err := s.BeginEventLoad(ctx, "e1", 30*time.Second, time.Hour, k, nil)
			if err != nil || start.Status != bot.EventDone || string(start.Result) != result {
				t.Errorf("BeginEventLoad %d after FinishEvent(%q): %+v, %v; want done with the result", i, result, start, err)
			}
		}
		if ttl := pttls(t, raw, lease)[0]; ttl <= 0 || ttl > 30*time.Second {
			t.Errorf("lease taken on a done event: PTTL %v, want in (0, 30s]", ttl)
		}
		// The next round starts afresh.
		if err := raw.Del(ctx, prefix+"event:{e1}:done", lease).Err(); err != nil {
			t.Fatal(err)
		}
	}

	// A live lease and no result: running, and the lease is not extended.
	if st, _, err := s.BeginEvent(ctx, "e2", time.Minute, time.Hour); err != nil || st != bot.EventClaimed {
		t.Fatalf("BeginEvent e2: %v, %v", st, err)
	}
	if st, _, err := s.BeginEvent(ctx, "e2", time.Hour, time.Hour); err != nil || st != bot.EventRunning {
		t.Errorf("BeginEvent e2 while leased: %v, %v; want running", st, err)
	}
	if ttl := pttls(t, raw, prefix+"event:{e2}:lease")[0]; ttl <= 0 || ttl > time.Minute {
		t.Errorf("lease of e2: PTTL %v, want in (0, 1m]", ttl)
	}
}

// TestErrorsPerCommand: in the combined call's transaction, a failure of
// one part (here the rate counter holds a list) is that part's alone, as
// in the pipeline before.
func TestErrorsPerCommand(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	raw := rawClient(t, url)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			s, prefix := m.openPrefixed(t, url)
			if err := raw.RPush(context.Background(), prefix+"rate:U1", "x").Err(); err != nil {
				t.Fatal(err)
			}
			k := bot.ConversationKey{Platform: "slack", Channel: "C1", User: "U1"}
			start, err := s.BeginEventLoad(t.Context(), "e1", time.Minute, time.Hour, k, &bot.RateCheck{Key: "U1", Limit: 1, Window: time.Minute})
			if err != nil || start.Status != bot.EventClaimed || start.LoadErr != nil || start.Rate == nil || start.Rate.Err == nil {
				t.Errorf("BeginEventLoad with a broken counter: %+v, %v; want claimed, loaded, and the rate's error", start, err)
			}
		})
	}
}
