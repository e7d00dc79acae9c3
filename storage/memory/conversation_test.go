package memory_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/storage/memory"
)

// convClock is a settable time source.
type convClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *convClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *convClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newConvStore() (*memory.Store, *convClock) {
	c := &convClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s := memory.New()
	s.SetClock(c.now)
	return s, c
}

func TestStateExpiresAfterTTL(t *testing.T) {
	ctx := context.Background()
	s, clk := newConvStore()
	key := bot.ConversationKey{Platform: "slack", Channel: "C1", User: "U1"}
	st := bot.State{Lang: bot.French, Intent: "pin.platform", Entry: "platform-unreviewed",
		Slots: bot.Slots{Platform: "Threads", Uses: []string{"broadcasting"}}}

	if _, ok, err := s.Conversation(ctx, key); ok || err != nil {
		t.Fatalf("empty store: ok %v err %v", ok, err)
	}
	if err := s.SaveConversation(ctx, key, st, time.Hour); err != nil {
		t.Fatal(err)
	}
	clk.advance(59 * time.Minute)
	got, ok, err := s.Conversation(ctx, key)
	if err != nil || !ok {
		t.Fatalf("before the TTL: ok %v err %v", ok, err)
	}
	if got.Entry != st.Entry || got.Lang != st.Lang || got.Slots.Platform != "Threads" || len(got.Slots.Uses) != 1 {
		t.Errorf("state read back = %+v, want %+v", got, st)
	}

	// Saving again restarts the TTL.
	if err := s.SaveConversation(ctx, key, st, time.Hour); err != nil {
		t.Fatal(err)
	}
	clk.advance(59 * time.Minute)
	if _, ok, _ := s.Conversation(ctx, key); !ok {
		t.Error("state gone 59 minutes after it was saved again")
	}
	clk.advance(2 * time.Minute)
	if got, ok, err := s.Conversation(ctx, key); ok || err != nil {
		t.Errorf("after the TTL: %+v ok %v err %v", got, ok, err)
	}
	// Expiry is per conversation.
	short := bot.ConversationKey{Platform: "slack", Channel: "C2", User: "U1"}
	long := bot.ConversationKey{Platform: "slack", Channel: "C3", User: "U1"}
	s.SaveConversation(ctx, short, st, time.Minute)
	s.SaveConversation(ctx, long, st, time.Hour)
	clk.advance(2 * time.Minute)
	if _, ok, _ := s.Conversation(ctx, short); ok {
		t.Error("short-lived state still there")
	}
	if _, ok, _ := s.Conversation(ctx, long); !ok {
		t.Error("long-lived state gone")
	}
}

func TestForgetRemovesOnlyThatUser(t *testing.T) {
	ctx := context.Background()
	s, _ := newConvStore()
	st := bot.State{Entry: "retention"}
	mine := []bot.ConversationKey{
		{Platform: "slack", Workspace: "T1", Channel: "C1", User: "U1"},
		{Platform: "slack", Workspace: "T1", Channel: "C2", User: "U1"},
		{Platform: "slack", Workspace: "T1", Channel: "C2", Thread: "1700000000.1", User: "U1"},
		{Platform: "slack", Workspace: "T2", Channel: "D9", User: "U1"},
	}
	others := []bot.ConversationKey{
		{Platform: "slack", Workspace: "T1", Channel: "C1", User: "U2"},   // another user, same channel
		{Platform: "discord", Workspace: "G1", Channel: "C1", User: "U1"}, // same id on another platform
		{Platform: "slack", Workspace: "T1", Channel: "C1", User: "U10"},  // a user id with U1 as prefix
	}
	for _, k := range append(append([]bot.ConversationKey{}, mine...), others...) {
		if err := s.SaveConversation(ctx, k, st, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Forget(ctx, "slack", "U1"); err != nil {
		t.Fatal(err)
	}
	for _, k := range mine {
		if _, ok, _ := s.Conversation(ctx, k); ok {
			t.Errorf("%v kept after Forget", k)
		}
	}
	for _, k := range others {
		if _, ok, _ := s.Conversation(ctx, k); !ok {
			t.Errorf("%v removed by Forget of slack:U1", k)
		}
	}
	// Forgetting someone unknown is not an error.
	if err := s.Forget(ctx, "slack", "nobody"); err != nil {
		t.Error(err)
	}
}

func TestCancelledContext(t *testing.T) {
	s, _ := newConvStore()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	key := bot.ConversationKey{Platform: "cli", User: "u"}
	if err := s.SaveConversation(ctx, key, bot.State{}, time.Hour); err == nil {
		t.Error("SaveConversation with a cancelled context succeeded")
	}
	if _, _, err := s.Conversation(ctx, key); err == nil {
		t.Error("Conversation with a cancelled context succeeded")
	}
	if err := s.Forget(ctx, "cli", "u"); err == nil {
		t.Error("Forget with a cancelled context succeeded")
	}
}

// Expired conversations are swept as others are saved, so memory stays
// bounded by the active conversations; the sweep must not remove live ones.
func TestManyConversationsExpire(t *testing.T) {
	ctx := context.Background()
	s, clk := newConvStore()
	for i := range 600 {
		k := bot.ConversationKey{Platform: "slack", Channel: "C", User: fmt.Sprint("old", i)}
		s.SaveConversation(ctx, k, bot.State{Entry: "x"}, time.Minute)
	}
	clk.advance(time.Hour)
	live := bot.ConversationKey{Platform: "slack", Channel: "C", User: "live"}
	s.SaveConversation(ctx, live, bot.State{Entry: "y"}, time.Hour)
	for i := range 600 {
		k := bot.ConversationKey{Platform: "slack", Channel: "D", User: fmt.Sprint("new", i)}
		s.SaveConversation(ctx, k, bot.State{Entry: "z"}, time.Hour)
	}
	if st, ok, _ := s.Conversation(ctx, live); !ok || st.Entry != "y" {
		t.Error("live conversation lost in a sweep")
	}
	if _, ok, _ := s.Conversation(ctx, bot.ConversationKey{Platform: "slack", Channel: "C", User: "old7"}); ok {
		t.Error("expired conversation still readable")
	}
}

func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				k := bot.ConversationKey{Platform: "slack", Channel: fmt.Sprint("C", i%5), User: fmt.Sprint("U", g)}
				if err := s.SaveConversation(ctx, k, bot.State{Entry: "e"}, time.Hour); err != nil {
					t.Error(err)
					return
				}
				if _, _, err := s.Conversation(ctx, k); err != nil {
					t.Error(err)
					return
				}
				if i%50 == 0 {
					s.Forget(ctx, "slack", fmt.Sprint("U", (g+1)%8))
				}
			}
		}()
	}
	wg.Wait()
}
