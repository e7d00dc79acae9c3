package redis_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/storage/redis"
	"github.com/commsbot/commsbot/storage/redis/redistest"
	"github.com/commsbot/commsbot/storage/storetest"
)

var prefixes atomic.Int64

// testPrefix isolates a test's keys, even on a shared $REDIS_URL server.
func testPrefix() string {
	return fmt.Sprintf("commsbot-test:%d:%d:", time.Now().UnixNano(), prefixes.Add(1))
}

// testRedeliver is the outbox's redelivery period in these tests: the
// ticket suite waits it out.
const testRedeliver = 500 * time.Millisecond

func TestMain(m *testing.M) {
	redis.Redeliver = testRedeliver
	os.Exit(m.Run())
}

func open(t *testing.T, o redis.Options) *redis.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	s, err := redis.Open(ctx, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestContract(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return open(t, redis.Options{URL: url, Prefix: testPrefix()})
	})
	storetest.RunTickets(t, testRedeliver, func(t *testing.T) storetest.Tickets {
		return open(t, redis.Options{URL: url, Prefix: testPrefix()})
	})
	storetest.RunInbox(t, func(t *testing.T) bot.Inbox {
		return open(t, redis.Options{URL: url, Prefix: testPrefix()})
	})
}

func TestContractUnixSocket(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return open(t, redis.Options{URL: srv.SocketURL(), Prefix: testPrefix()})
	})
}

// TestKeys checks the key layout: what operators see in Redis and what
// Forget relies on.
func TestKeys(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	ctx := t.Context()
	s := open(t, redis.Options{URL: url})
	raw := rawClient(t, url)

	user := fmt.Sprintf("U:%d", time.Now().UnixNano())
	k := bot.ConversationKey{Platform: "slack", Workspace: "T1", Channel: "C1", Thread: "1.2", User: user}
	if err := s.SaveConversation(ctx, k, bot.State{Lang: bot.French, Intent: "x"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	convKey := "commsbot:conv:" + k.String()
	userKey := "commsbot:user:slack:" + strings.ReplaceAll(user, ":", "%3A")
	t.Cleanup(func() { raw.Del(context.Background(), convKey, userKey) })

	ttl, err := raw.PTTL(ctx, convKey).Result()
	if err != nil || ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("PTTL %s = %v, %v; want about 1h", convKey, ttl, err)
	}
	members, err := raw.ZRange(ctx, userKey, 0, -1).Result()
	if err != nil || len(members) != 1 || members[0] != convKey {
		t.Errorf("index %s = %q, %v; want [%s]", userKey, members, err, convKey)
	}
	if ttl, err := raw.PTTL(ctx, userKey).Result(); err != nil || ttl < time.Hour {
		t.Errorf("PTTL %s = %v, %v; want at least the conversation's", userKey, ttl, err)
	}
	if v, err := raw.Get(ctx, convKey).Result(); err != nil || !strings.Contains(v, `"lang":"fr"`) {
		t.Errorf("GET %s = %q, %v; want JSON state", convKey, v, err)
	}

	if err := s.Forget(ctx, "slack", user); err != nil {
		t.Fatal(err)
	}
	if n, err := raw.Exists(ctx, convKey, userKey).Result(); err != nil || n != 0 {
		t.Errorf("after Forget: %d of the keys remain (%v)", n, err)
	}
}

// TestRestart stops Redis under an open store: calls must fail promptly
// with errors, and succeed again once Redis is back, without reopening.
func TestRestart(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("redis-server"); err != nil && os.Getenv("REDIS_URL") != "" {
		if os.Getenv("COMMSBOT_REQUIRE_REDIS") != "" {
			t.Fatal("redis-server is not on PATH: this test needs a server of its own to stop and restart (make deps installs it)")
		}
		t.Skip("REDIS_URL is set but redis-server is not on PATH: this test needs a server of its own to stop and restart")
	}
	srv := redistest.Start(t)
	s := open(t, redis.Options{URL: srv.URL(), Prefix: testPrefix(), DialTimeout: 500 * time.Millisecond, ReadTimeout: 500 * time.Millisecond})
	k := bot.ConversationKey{Platform: "slack", Channel: "C1", User: "U1"}

	calls := map[string]func(ctx context.Context) error{
		"Ping": s.Ping,
		"Conversation": func(ctx context.Context) error {
			_, _, err := s.Conversation(ctx, k)
			return err
		},
		"SaveConversation": func(ctx context.Context) error {
			return s.SaveConversation(ctx, k, bot.State{Intent: "x"}, time.Minute)
		},
		"Forget": func(ctx context.Context) error { return s.Forget(ctx, k.Platform, k.User) },
		"SeenOnce": func(ctx context.Context) error {
			_, err := s.SeenOnce(ctx, fmt.Sprint(time.Now().UnixNano()), time.Minute)
			return err
		},
		"Allow": func(ctx context.Context) error {
			_, _, err := s.Allow(ctx, "U1", 1000, time.Minute)
			return err
		},
	}
	for name, call := range calls {
		if err := call(t.Context()); err != nil {
			t.Fatalf("%s before the restart: %v", name, err)
		}
	}

	srv.Stop()
	var wg sync.WaitGroup
	for name, call := range calls {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			start := time.Now()
			err := call(ctx)
			if err == nil {
				t.Errorf("%s with Redis down: no error", name)
			}
			t.Logf("%s with Redis down, after %v: %v", name, time.Since(start), err)
		})
	}
	wg.Wait()

	srv.Restart()
	// The pool reconnects by itself, possibly after a short back-off.
	for name, call := range calls {
		deadline, start := reportBy(t), time.Now()
		for {
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			err := call(ctx)
			cancel()
			if err == nil {
				t.Logf("%s back after %v", name, time.Since(start))
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s after the restart: %v", name, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// The server lost its script cache with its data: a store that uses
	// the scripts (older servers) sends them whole, and is not troubled.
	redis.ForceScripts(s)
	if ok, _, err := s.Allow(t.Context(), "after-restart", 1, time.Minute); err != nil || !ok {
		t.Errorf("Allow with the scripts after the restart: %v, %v", ok, err)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for name, o := range map[string]redis.Options{
		"nothing":          {},
		"URL and cluster":  {URL: "redis://127.0.0.1:1", ClusterAddrs: []string{"127.0.0.1:1"}},
		"bad scheme":       {URL: "http://127.0.0.1:6379"},
		"sentinel no addr": {MasterName: "mymaster"},
		"sentinel no name": {SentinelAddrs: []string{"127.0.0.1:1"}},
		"cluster DB":       {ClusterAddrs: []string{"127.0.0.1:1"}, DB: 2},
	} {
		if s, err := redis.Open(ctx, o); err == nil {
			s.Close()
			t.Errorf("%s: Open succeeded", name)
		}
	}

	// Nothing listens on the port: Open fails, within its context.
	port := func() string {
		srv := redistest.Start(t)
		srv.Stop()
		return srv.Addr()
	}()
	var wg sync.WaitGroup
	for name, o := range map[string]redis.Options{
		"URL":      {URL: "redis://" + port},
		"cluster":  {ClusterAddrs: []string{port}},
		"sentinel": {MasterName: "mymaster", SentinelAddrs: []string{port}},
	} {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			start := time.Now()
			s, err := redis.Open(ctx, o)
			if err == nil {
				s.Close()
				t.Errorf("%s: Open of a closed port succeeded", name)
			}
			t.Logf("%s: Open of a closed port failed after %v: %v", name, time.Since(start), err)
		})
	}
	wg.Wait()

	// Passwords stay out of error messages.
	_, err := redis.Open(ctx, redis.Options{URL: "redis://user:s3cret@127.0.0.1:6379/notadb"})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Open with a bad URL: %v", err)
	}
}

// TestContractCluster runs the suite on a three-node Cluster, where a
// user's conversations and index live in different slots.
func TestContractCluster(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: skipping the Cluster")
	}
	addrs := redistest.StartCluster(t, 3)
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return open(t, redis.Options{ClusterAddrs: addrs, Prefix: testPrefix()})
	})
	storetest.RunTickets(t, testRedeliver, func(t *testing.T) storetest.Tickets {
		return open(t, redis.Options{ClusterAddrs: addrs, Prefix: testPrefix()})
	})
}

// TestContractSentinel runs the suite on a primary found through Sentinel.
func TestContractSentinel(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: skipping Sentinel")
	}
	s := redistest.StartSentinel(t)
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return open(t, redis.Options{MasterName: s.MasterName, SentinelAddrs: []string{s.SentinelAddr}, Prefix: testPrefix()})
	})
}

// TestUnresponsive freezes Redis (SIGSTOP): the connection stays open but
// nothing answers. Calls must give up at the context's deadline rather than
// hang, and work again once Redis resumes.
func TestUnresponsive(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	// Timeouts far longer than the contexts', so that the context is what
	// bounds the calls.
	s := open(t, redis.Options{URL: srv.URL(), Prefix: testPrefix(), ReadTimeout: time.Minute, MaxRetries: -1})
	if _, err := s.SeenOnce(t.Context(), "warm-up", time.Minute); err != nil {
		t.Fatal(err)
	}
	srv.Pause()
	for _, name := range []string{"Ping", "Allow"} {
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		start := time.Now()
		var err error
		if name == "Ping" {
			err = s.Ping(ctx)
		} else {
			_, _, err = s.Allow(ctx, "U1", 10, time.Minute)
		}
		cancel()
		if err == nil {
			t.Errorf("%s with Redis frozen: no error", name)
		}
		t.Logf("%s with Redis frozen, after %v: %v", name, time.Since(start), err)
	}
	srv.Resume()
	deadline := reportBy(t)
	for {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		_, _, err := s.Allow(ctx, "U2", 10, time.Minute)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Allow after resuming: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestNoticeGroupLost removes the outbox's consumer group under an open
// store, as a Redis restarted without persistence or flushed would: the
// store creates it again and the next notice is delivered.
func TestNoticeGroupLost(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	ctx := t.Context()
	prefix := testPrefix()
	s := open(t, redis.Options{URL: url, Prefix: prefix})
	raw := rawClient(t, url)
	stream := prefix + "{reviews}:notices"

	deliver := func(step string) {
		t.Helper()
		tk := bot.Ticket{ID: bot.NewTicketID(), Created: time.Now(), Status: bot.StatusOpen}
		if err := s.CreateTicket(ctx, tk); err != nil {
			t.Fatalf("%s: CreateTicket: %v", step, err)
		}
		n, ok, err := s.NextNotice(ctx, "c1", time.Second)
		if err != nil || !ok || n.TicketID != tk.ID || n.Kind != bot.NoticeOpened {
			t.Fatalf("%s: NextNotice = %+v, %v, %v; want the opened notice of %s", step, n, ok, err, tk.ID)
		}
		if err := s.AckNotice(ctx, n.ID); err != nil {
			t.Fatalf("%s: AckNotice: %v", step, err)
		}
	}
	deliver("first")
	if err := raw.XGroupDestroy(ctx, stream, "notifiers").Err(); err != nil {
		t.Fatal(err)
	}
	deliver("after XGROUP DESTROY")
	if err := raw.Del(ctx, stream).Err(); err != nil {
		t.Fatal(err)
	}
	deliver("after the stream was deleted")
	// Nothing is left over.
	if n, ok, err := s.NextNotice(ctx, "c1", 0); ok || err != nil {
		t.Errorf("NextNotice after all were acknowledged: %+v, %v, %v", n, ok, err)
	}
}

// TestURLErrorHidesPassword: a malformed REDIS_URL is reported without its
// password.
func TestURLErrorHidesPassword(t *testing.T) {
	for _, u := range []string{"redis://user:s3cret-pw@localhost:notaport/0", "redis://:s3cret-pw@[::1/0", "redis://user:s3cret-pw@localhost:6379/notadb"} {
		_, err := redis.Open(t.Context(), redis.Options{URL: u})
		if err == nil {
			t.Errorf("%s: opened", u)
			continue
		}
		if strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

// TestActiveIndex: the reminders and the queue read an index that holds
// only open and claimed tickets; a resolved ticket leaves it, and a store
// written before the index existed gets it built on first use.
func TestActiveIndex(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	ctx := t.Context()
	prefix := testPrefix()
	s := open(t, redis.Options{URL: url, Prefix: prefix})
	raw := rawClient(t, url)
	active, full := prefix+"{reviews}:active", prefix+"{reviews}:index"

	now := time.Now()
	var ids []string
	for i := range 5 {
		tk := bot.Ticket{ID: fmt.Sprintf("T-%d-%d", now.UnixNano(), i), Created: now.Add(time.Duration(i) * time.Second), Status: bot.StatusOpen, Category: bot.CategoryBreach}
		if err := s.CreateTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tk.ID)
	}
	for _, id := range ids[:3] {
		if _, err := s.UpdateTicket(ctx, id, "", func(tk *bot.Ticket) error { tk.Status = bot.StatusResolved; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.UpdateTicket(ctx, ids[3], "", func(tk *bot.Ticket) error { tk.Status = bot.StatusClaimed; return nil }); err != nil {
		t.Fatal(err)
	}
	if n, _ := raw.ZCard(ctx, active).Result(); n != 2 {
		t.Errorf("active index holds %d tickets, want the 2 not resolved", n)
	}
	if n, _ := raw.ZCard(ctx, full).Result(); n != 5 {
		t.Errorf("full index holds %d tickets, want 5", n)
	}
	open1, err := s.Tickets(ctx, bot.StatusOpen)
	if err != nil || len(open1) != 1 || open1[0].ID != ids[4] {
		t.Errorf("open tickets = %v, %v; want [%s]", open1, err, ids[4])
	}

	// A store from before the index: drop it, and a new store builds it.
	if err := raw.Del(ctx, active, prefix+"{reviews}:active-built").Err(); err != nil {
		t.Fatal(err)
	}
	s2 := open(t, redis.Options{URL: url, Prefix: prefix})
	claimed, err := s2.Tickets(ctx, bot.StatusClaimed)
	if err != nil || len(claimed) != 1 || claimed[0].ID != ids[3] {
		t.Errorf("claimed tickets after rebuild = %v, %v; want [%s]", claimed, err, ids[3])
	}
	if n, _ := raw.ZCard(ctx, active).Result(); n != 2 {
		t.Errorf("rebuilt active index holds %d tickets, want 2", n)
	}
}

// TestRequesterIndexBuiltForOlderStores drops the requester indexes, as in
// a store written before they existed: a new store builds them once from
// the full index, and a requester sees every ticket they asked for.
func TestRequesterIndexBuiltForOlderStores(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	ctx := t.Context()
	prefix := testPrefix()
	s := open(t, redis.Options{URL: url, Prefix: prefix})
	raw := rawClient(t, url)
	now := time.Now()
	for i, who := range []string{"slack:U1", "slack:U2", "slack:U1"} {
		tk := bot.Ticket{ID: fmt.Sprintf("T-%d-%d", now.UnixNano(), i), Created: now.Add(time.Duration(i) * time.Second),
			Status: bot.StatusOpen, Category: bot.CategoryBreach, Requester: bot.Person{ID: who}}
		if err := s.CreateTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	if mine, err := s.RequesterTickets(ctx, "slack:U2", 10); err != nil || len(mine) != 1 {
		t.Fatalf("slack:U2 has %+v, %v; want one ticket", mine, err)
	}
	keys, err := raw.Keys(ctx, prefix+"{reviews}:requester*").Result()
	if err != nil || len(keys) != 3 { // two requesters and the marker
		t.Fatalf("requester keys = %v, %v; want two indexes and the built marker", keys, err)
	}
	if err := raw.Del(ctx, keys...).Err(); err != nil {
		t.Fatal(err)
	}
	s2 := open(t, redis.Options{URL: url, Prefix: prefix})
	mine, err := s2.RequesterTickets(ctx, "slack:U1", 10)
	if err != nil || len(mine) != 2 || mine[0].Created.Before(mine[1].Created) {
		t.Errorf("after rebuild, slack:U1 has %+v, %v; want two tickets, newest first", mine, err)
	}
	if n, _ := raw.Exists(ctx, prefix+"{reviews}:requesters-built").Result(); n != 1 {
		t.Error("the rebuild left no marker: it would scan every ticket again")
	}
}

// rawClient is a plain go-redis client on url, to look at keys directly.
func rawClient(t *testing.T, url string) *goredis.Client {
	t.Helper()
	opt, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	opt.DisableIdentity = true
	raw := goredis.NewClient(opt)
	t.Cleanup(func() { raw.Close() })
	return raw
}

// TestEventConversations: the combined calls do what the separate ones do
// — claim, see a live lease, replay a result, load and save the
// conversation (indexed for Forget), end the lease without a result — with
// plain commands and with the scripts of servers older than Redis 7.0.
func TestEventConversations(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			testEventConversations(t, m.open(t, url))
		})
	}
}

func testEventConversations(t *testing.T, s *redis.Store) {
	ctx := t.Context()
	k := bot.ConversationKey{Platform: "slack", Channel: "C1", User: "U1"}
	begin := func(id string, rate *bot.RateCheck) bot.EventStart {
		t.Helper()
		start, err := s.BeginEventLoad(ctx, id, time.Minute, time.Hour, k, rate)
		if err != nil {
			t.Fatalf("begin %s: %v", id, err)
		}
		return start
	}
	if st := begin("e1", nil); st.Status != bot.EventClaimed || st.LoadErr != nil || st.State.Entry != "" || st.Rate != nil {
		t.Fatalf("first begin: %+v; want claimed, no state, no rate", st)
	}
	if st := begin("e1", nil); st.Status != bot.EventRunning {
		t.Errorf("while leased: %v; want running", st.Status)
	}
	if err := s.SaveAndFinish(ctx, k, bot.State{Entry: "platform-reviewed", Lang: bot.French}, time.Hour, "e1", []byte("reply"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if st := begin("e1", nil); st.Status != bot.EventDone || string(st.Result) != "reply" {
		t.Errorf("after finish: %v %q; want done with the result", st.Status, st.Result)
	}
	if st := begin("e2", nil); st.Status != bot.EventClaimed || st.LoadErr != nil || st.State.Entry != "platform-reviewed" || st.State.Lang != bot.French {
		t.Errorf("next event: %+v; want claimed with the saved state", st)
	}
	// No result: the lease ends, and the next delivery is handled afresh.
	if err := s.SaveAndFinish(ctx, k, bot.State{Entry: "consent-mailing-list"}, time.Hour, "e2", nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	if st := begin("e2", nil); st.Status != bot.EventClaimed {
		t.Errorf("after a finish without result: %v; want claimed again", st.Status)
	}
	// The rate is counted with the start, like Allow: two allowed, the
	// third refused with the window's remaining time.
	rate := &bot.RateCheck{Key: "user:slack:U1", Limit: 2, Window: time.Minute}
	for i, want := range []bool{true, true, false} {
		st := begin(fmt.Sprint("r", i), rate)
		if st.Rate == nil || st.Rate.Err != nil || st.Rate.OK != want || !want && st.Rate.RetryAfter <= 0 {
			t.Errorf("rate %d: %+v, want ok %v", i, st.Rate, want)
		}
	}
	if err := s.Forget(ctx, "slack", "U1"); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.Conversation(ctx, k); err != nil || found {
		t.Errorf("after Forget the conversation saved with the event is still there (%v)", err)
	}
}
