// Package storetest is the contract test suite of commsbot's stores. Every
// implementation (storage/memory, storage/redis) runs it from its own tests:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Store { return newStore(t) })
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commsbot/commsbot/bot"
)

// Store is what a complete commsbot store implements.
type Store interface {
	bot.ConversationStore
	bot.Deduper
	bot.RateLimiter
}

// Clocked is implemented by stores whose clock can be replaced, such as
// memory.Store. The suite then advances a fake clock instead of sleeping;
// stores without it (Redis keeps time itself) are tested with short real
// TTLs and sleeps.
type Clocked interface {
	SetClock(now func() time.Time)
}

// Run runs the contract suite. newStore is called once per subtest and must
// return an empty store (or one whose keys cannot collide with other
// subtests'); it should register its own cleanup with t.Cleanup. Subtests
// run in parallel.
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	t.Helper()
	cases := []struct {
		name string
		fn   func(t *testing.T, s Store, c *clock)
	}{
		{"ConversationRoundTrip", testRoundTrip},
		{"ConversationExpiry", testExpiry},
		{"ForgetAfterShorterTTL", testForgetAfterShorterTTL},
		{"Forget", testForget},
		{"SeenOnce", testSeenOnce},
		{"SeenOnceConcurrent", testSeenOnceConcurrent},
		{"EventLease", testEventLease},
		{"EventLeaseConcurrent", testEventLeaseConcurrent},
		{"RateLimit", testRateLimit},
		{"RateLimitConcurrent", testRateLimitConcurrent},
		{"InvalidArguments", testInvalidArguments},
		{"ContextCancelled", testCancelled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			c := clockFor(s)
			tc.fn(t, s, c)
		})
	}
}

// clock is either a fake clock installed in a Clocked store or the real
// one.
type clock struct {
	fake bool
	mu   sync.Mutex
	t    time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// wait lets d pass: the fake clock moves by d exactly, the real one sleeps a
// little longer to allow for the store's timer granularity.
func (c *clock) wait(d time.Duration) {
	if c.fake {
		c.mu.Lock()
		c.t = c.t.Add(d)
		c.mu.Unlock()
		return
	}
	time.Sleep(d + 50*time.Millisecond)
}

// short is a TTL short enough for the suite to wait out with a real clock.
const short = 500 * time.Millisecond

var ids atomic.Int64

// unique returns a string unique to this process and call, for keys and ids
// that must not collide with other subtests sharing a server.
func unique(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), ids.Add(1))
}

func key(platform, channel, thread, user string) bot.ConversationKey {
	return bot.ConversationKey{Platform: platform, Workspace: "W1", Channel: channel, Thread: thread, User: user}
}

func sampleState(intent string) bot.State {
	return bot.State{
		Lang:   bot.French,
		Intent: intent,
		Entry:  "entry-" + intent,
		Slots: bot.Slots{
			Platform:         "Threads",
			PlatformReviewed: true,
			Uses:             []string{"broadcasting", "engaging"},
			PersonalInfo:     []string{"name", "comments"},
			Incident:         true,
		},
		Updated:  time.Date(2030, 1, 2, 3, 4, 5, 600_000_000, time.UTC),
		Reviewed: []string{"secondary-use"},
	}
}

func equalState(a, b bot.State) bool {
	if !a.Updated.Equal(b.Updated) {
		return false
	}
	a.Updated, b.Updated = time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

func mustGet(t *testing.T, s Store, k bot.ConversationKey) (bot.State, bool) {
	t.Helper()
	st, ok, err := s.Conversation(t.Context(), k)
	if err != nil {
		t.Fatalf("Conversation(%v): %v", k, err)
	}
	return st, ok
}

func mustSave(t *testing.T, s Store, k bot.ConversationKey, st bot.State, ttl time.Duration) {
	t.Helper()
	if err := s.SaveConversation(t.Context(), k, st, ttl); err != nil {
		t.Fatalf("SaveConversation(%v): %v", k, err)
	}
}

func wantPresent(t *testing.T, s Store, k bot.ConversationKey, want bool) {
	t.Helper()
	if _, ok := mustGet(t, s, k); ok != want {
		t.Errorf("Conversation(%v): ok = %v, want %v", k, ok, want)
	}
}

func testRoundTrip(t *testing.T, s Store, _ *clock) {
	p, u := unique("p"), unique("u")
	k := key(p, "C1", "T1", u)
	if st, ok := mustGet(t, s, k); ok {
		t.Fatalf("Conversation on an empty store: ok, state %+v", st)
	}
	want := sampleState("retention")
	mustSave(t, s, k, want, time.Hour)
	got, ok := mustGet(t, s, k)
	if !ok || !equalState(got, want) {
		t.Fatalf("round trip: got %+v, %v; want %+v", got, ok, want)
	}

	// The store keeps its own copy.
	got.Reviewed[0] = "changed"
	if again, _ := mustGet(t, s, k); !equalState(again, want) {
		t.Errorf("changing a returned state changed the stored one: %+v", again)
	}

	// Saving again replaces the state.
	want2 := bot.State{Lang: bot.English, Intent: "other", Updated: want.Updated.Add(time.Minute)}
	mustSave(t, s, k, want2, time.Hour)
	if got, ok := mustGet(t, s, k); !ok || !equalState(got, want2) {
		t.Errorf("after overwrite: got %+v, %v; want %+v", got, ok, want2)
	}

	// Keys that differ in one component only are distinct conversations.
	k2 := k
	k2.Thread = "T2"
	wantPresent(t, s, k2, false)
	mustSave(t, s, k2, want, time.Hour)
	if got, _ := mustGet(t, s, k); !equalState(got, want2) {
		t.Errorf("saving another thread changed this one: %+v", got)
	}

	// Components may contain the separator.
	k3 := bot.ConversationKey{Platform: p, Workspace: "a:b", Channel: "c", Thread: "", User: u}
	k4 := bot.ConversationKey{Platform: p, Workspace: "a", Channel: "b:c", Thread: "", User: u}
	mustSave(t, s, k3, want, time.Hour)
	wantPresent(t, s, k4, false)
}

func testExpiry(t *testing.T, s Store, c *clock) {
	k := key(unique("p"), "C1", "", unique("u"))
	st := sampleState("expiry")
	step := short * 3 / 5
	mustSave(t, s, k, st, short)
	wantPresent(t, s, k, true)
	c.wait(step)
	// Saving again restarts the TTL: the state outlives the first one.
	mustSave(t, s, k, st, short)
	c.wait(step)
	wantPresent(t, s, k, true)
	c.wait(step)
	wantPresent(t, s, k, false)
}

// testForgetAfterShorterTTL checks that saving a conversation with a
// shorter TTL than another of the same user's does not make the store lose
// track of the longer one.
func testForgetAfterShorterTTL(t *testing.T, s Store, c *clock) {
	p, u := unique("p"), unique("u")
	long, brief := key(p, "C1", "", u), key(p, "C2", "", u)
	mustSave(t, s, long, sampleState("long"), time.Hour)
	mustSave(t, s, brief, sampleState("brief"), short)
	c.wait(short * 3 / 2)
	wantPresent(t, s, brief, false)
	wantPresent(t, s, long, true)
	if err := s.Forget(t.Context(), p, u); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	wantPresent(t, s, long, false)
}

func testForget(t *testing.T, s Store, _ *clock) {
	p, other := unique("p"), unique("q")
	u, u2 := unique("u"), unique("u")
	mine := []bot.ConversationKey{
		key(p, "C1", "", u),
		key(p, "C1", "T1", u),
		key(p, "C2", "", u),
		{Platform: p, Workspace: "W2", Channel: "D9", User: u},
	}
	theirs := []bot.ConversationKey{
		key(p, "C1", "", u2),        // another user, same channel
		key(other, "C1", "", u),     // same user id on another platform
		key(p+":"+u, "C1", "", "x"), // would collide if ':' were not escaped
		key(p, "C1", "", u+":x"),
	}
	for i, k := range append(append([]bot.ConversationKey{}, mine...), theirs...) {
		mustSave(t, s, k, sampleState(fmt.Sprint(i)), time.Hour)
	}
	if err := s.Forget(t.Context(), p, u); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	for _, k := range mine {
		wantPresent(t, s, k, false)
	}
	for _, k := range theirs {
		wantPresent(t, s, k, true)
	}

	// Forgetting again, or someone never seen, is not an error.
	if err := s.Forget(t.Context(), p, u); err != nil {
		t.Errorf("Forget twice: %v", err)
	}
	if err := s.Forget(t.Context(), p, unique("nobody")); err != nil {
		t.Errorf("Forget of an unknown user: %v", err)
	}

	// The user can start again, and be forgotten again.
	mustSave(t, s, mine[0], sampleState("again"), time.Hour)
	wantPresent(t, s, mine[0], true)
	if err := s.Forget(t.Context(), p, u); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	wantPresent(t, s, mine[0], false)
	wantPresent(t, s, theirs[0], true)
}

func seen(t *testing.T, s Store, id string, ttl time.Duration) bool {
	t.Helper()
	first, err := s.SeenOnce(t.Context(), id, ttl)
	if err != nil {
		t.Fatalf("SeenOnce(%q): %v", id, err)
	}
	return first
}

func testSeenOnce(t *testing.T, s Store, c *clock) {
	id := unique("event")
	if !seen(t, s, id, time.Minute) {
		t.Fatal("first SeenOnce: false")
	}
	if seen(t, s, id, time.Minute) {
		t.Fatal("second SeenOnce: true")
	}
	if !seen(t, s, unique("event"), time.Minute) {
		t.Fatal("SeenOnce of another id: false")
	}

	// Still remembered well within its ttl.
	id2 := unique("event")
	if !seen(t, s, id2, 3*short) {
		t.Fatal("first SeenOnce: false")
	}
	c.wait(short)
	if seen(t, s, id2, 3*short) {
		t.Fatal("SeenOnce within ttl: true")
	}
}

func testSeenOnceConcurrent(t *testing.T, s Store, _ *clock) {
	const n = 20
	id := unique("event")
	firsts := atOnce(n, func() bool {
		first, err := s.SeenOnce(t.Context(), id, time.Minute)
		if err != nil {
			t.Errorf("SeenOnce: %v", err)
		}
		return first
	})
	if firsts != 1 {
		t.Errorf("%d concurrent SeenOnce: %d true, want exactly 1", n, firsts)
	}
}

// atOnce runs fn n times at once and counts the calls that returned true.
func atOnce(n int, fn func() bool) int {
	var count atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			if fn() {
				count.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	return int(count.Load())
}

func allow(t *testing.T, s Store, k string, limit int, window time.Duration) (bool, time.Duration) {
	t.Helper()
	ok, retry, err := s.Allow(t.Context(), k, limit, window)
	if err != nil {
		t.Fatalf("Allow(%q): %v", k, err)
	}
	return ok, retry
}

func testRateLimit(t *testing.T, s Store, c *clock) {
	const limit = 3
	window := 2 * short
	k := unique("user")
	for i := range limit {
		if ok, retry := allow(t, s, k, limit, window); !ok || retry != 0 {
			t.Fatalf("call %d of %d: ok %v, retryAfter %v; want allowed, 0", i+1, limit, ok, retry)
		}
	}
	ok, retry := allow(t, s, k, limit, window)
	if ok {
		t.Fatalf("call %d with limit %d: allowed", limit+1, limit)
	}
	if retry <= 0 || retry > window {
		t.Errorf("refused: retryAfter %v, want in (0, %v]", retry, window)
	}
	// Other keys have their own count.
	if ok, _ := allow(t, s, unique("user"), limit, window); !ok {
		t.Error("another key: refused")
	}
	// A new window starts once the current one is over.
	c.wait(window)
	if ok, retry := allow(t, s, k, limit, window); !ok {
		t.Errorf("after the window: refused, retryAfter %v", retry)
	}
}

func testRateLimitConcurrent(t *testing.T, s Store, _ *clock) {
	const limit = 7
	const window = time.Minute
	k := unique("user")
	var allowed atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 3 * limit {
		wg.Go(func() {
			<-start
			ok, retry, err := s.Allow(t.Context(), k, limit, window)
			switch {
			case err != nil:
				t.Errorf("Allow: %v", err)
			case ok:
				allowed.Add(1)
				if retry != 0 {
					t.Errorf("allowed with retryAfter %v", retry)
				}
			case retry <= 0 || retry > window:
				t.Errorf("refused: retryAfter %v, want in (0, %v]", retry, window)
			}
		})
	}
	close(start)
	wg.Wait()
	if got := allowed.Load(); got != limit {
		t.Errorf("%d concurrent calls with limit %d: %d allowed", 3*limit, limit, got)
	}
}

func testInvalidArguments(t *testing.T, s Store, _ *clock) {
	ctx := t.Context()
	k := key(unique("p"), "C1", "", unique("u"))
	for _, ttl := range []time.Duration{0, -time.Second} {
		if err := s.SaveConversation(ctx, k, sampleState("x"), ttl); err == nil {
			t.Errorf("SaveConversation with ttl %v: no error", ttl)
		}
		if _, err := s.SeenOnce(ctx, unique("event"), ttl); err == nil {
			t.Errorf("SeenOnce with ttl %v: no error", ttl)
		}
	}
	wantPresent(t, s, k, false)
	if _, _, err := s.Allow(ctx, unique("user"), 0, time.Minute); err == nil {
		t.Error("Allow with limit 0: no error")
	}
	if _, _, err := s.Allow(ctx, unique("user"), 1, 0); err == nil {
		t.Error("Allow with window 0: no error")
	}
}

func testCancelled(t *testing.T, s Store, _ *clock) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	k := key(unique("p"), "C1", "", unique("u"))
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: error %v, want context.Canceled", op, err)
		}
	}
	_, _, err := s.Conversation(ctx, k)
	check("Conversation", err)
	check("SaveConversation", s.SaveConversation(ctx, k, sampleState("x"), time.Hour))
	check("Forget", s.Forget(ctx, k.Platform, k.User))
	first, err := s.SeenOnce(ctx, unique("event"), time.Minute)
	check("SeenOnce", err)
	if first {
		t.Error("SeenOnce with a cancelled context: first")
	}
	ok, _, err := s.Allow(ctx, unique("user"), 10, time.Minute)
	check("Allow", err)
	if ok {
		t.Error("Allow with a cancelled context: ok")
	}
	// Nothing was saved.
	wantPresent(t, s, k, false)
}

// clockFor gives s a fake clock when it takes one (Clocked); otherwise
// the tests wait in real time.
func clockFor(s any) *clock {
	c := &clock{}
	if cs, ok := s.(Clocked); ok {
		c.fake = true
		c.t = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		cs.SetClock(c.now)
	}
	return c
}

func eventLog(t *testing.T, s Store) bot.EventLog {
	t.Helper()
	l, ok := s.(bot.EventLog)
	if !ok {
		t.Fatalf("%T does not implement bot.EventLog", s)
	}
	return l
}

func begin(t *testing.T, l bot.EventLog, id string, lease time.Duration) (bot.EventStatus, []byte) {
	t.Helper()
	st, res, err := l.BeginEvent(t.Context(), id, lease, time.Minute)
	if err != nil {
		t.Fatalf("BeginEvent(%q): %v", id, err)
	}
	return st, res
}

// testEventLease: a claimed event is running for its lease; a lease that
// runs out without a result (the holder died) is claimed again; a finished
// event returns its result.
func testEventLease(t *testing.T, s Store, c *clock) {
	l := eventLog(t, s)
	id := unique("event")
	if st, _ := begin(t, l, id, short); st != bot.EventClaimed {
		t.Fatalf("first BeginEvent = %v, want claimed", st)
	}
	if st, _ := begin(t, l, id, short); st != bot.EventRunning {
		t.Fatalf("BeginEvent during the lease = %v, want running", st)
	}
	c.wait(short)
	if st, _ := begin(t, l, id, time.Minute); st != bot.EventClaimed {
		t.Fatalf("BeginEvent after the lease ran out = %v, want claimed again", st)
	}
	if err := l.FinishEvent(t.Context(), id, []byte(`{"answer":"ok"}`), time.Minute); err != nil {
		t.Fatal(err)
	}
	st, res := begin(t, l, id, time.Minute)
	if st != bot.EventDone || string(res) != `{"answer":"ok"}` {
		t.Fatalf("BeginEvent after FinishEvent = %v %q, want done with the result", st, res)
	}
	if _, _, err := l.BeginEvent(t.Context(), id, 0, time.Minute); err == nil {
		t.Error("BeginEvent with lease 0: no error")
	}

	// FinishEvent without a result only ends the lease.
	id3 := unique("event")
	if st, _ := begin(t, l, id3, time.Minute); st != bot.EventClaimed {
		t.Fatalf("first BeginEvent = %v", st)
	}
	if err := l.FinishEvent(t.Context(), id3, nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	if st, _ := begin(t, l, id3, time.Minute); st != bot.EventClaimed {
		t.Errorf("BeginEvent after a release = %v, want claimed again", st)
	}
}

func testEventLeaseConcurrent(t *testing.T, s Store, _ *clock) {
	l := eventLog(t, s)
	const n = 20
	id := unique("event")
	claimed := atOnce(n, func() bool {
		st, _, err := l.BeginEvent(t.Context(), id, time.Minute, time.Minute)
		if err != nil {
			t.Errorf("BeginEvent: %v", err)
		}
		return st == bot.EventClaimed
	})
	if claimed != 1 {
		t.Errorf("%d concurrent BeginEvent: %d claimed, want exactly 1", n, claimed)
	}
}
