package memory_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/commsbot/commsbot/bot"

	"github.com/commsbot/commsbot/storage/memory"
	"github.com/commsbot/commsbot/storage/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return memory.New() })
}

func TestTicketContract(t *testing.T) {
	// The suite moves the store's clock past the redelivery period.
	storetest.RunTickets(t, time.Minute, func(t *testing.T) storetest.Tickets {
		s := memory.NewTicketStore()
		s.Redeliver = time.Minute
		return s
	})
}

// TestBounded checks that expired entries do not accumulate.
func TestBounded(t *testing.T) {
	s := memory.New()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	ctx := t.Context()
	for i := range 10000 {
		now = now.Add(time.Second)
		k := bot.ConversationKey{Platform: "p", User: fmt.Sprint(i)}
		if err := s.SaveConversation(ctx, k, bot.State{}, time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SeenOnce(ctx, fmt.Sprint(i), time.Second); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Allow(ctx, fmt.Sprint(i), 1, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	convs, seen, rates := s.Len()
	if convs > 512 || seen > 512 || rates > 512 {
		t.Errorf("after 10000 expired entries: %d conversations, %d ids, %d counters held", convs, seen, rates)
	}
}

func TestInboxContract(t *testing.T) {
	storetest.RunInbox(t, func(t *testing.T) bot.Inbox { return memory.New() })
}

// TestInboxBounded: the inbox keeps the newest bot.InboxMax items.
func TestInboxBounded(t *testing.T) {
	s := memory.New()
	start := time.Now().Add(-time.Hour)
	for i := range bot.InboxMax + 5 {
		if err := s.Record(t.Context(), bot.InboxItem{Kind: bot.InboxAbstained, At: start.Add(time.Duration(i) * time.Millisecond), Question: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Inbox(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != bot.InboxMax || got[0].Question != fmt.Sprint(bot.InboxMax+4) || got[len(got)-1].Question != "5" {
		t.Errorf("kept %d items, newest %q, oldest %q", len(got), got[0].Question, got[len(got)-1].Question)
	}
}

// TestEventResultsBounded: a burst of answered events keeps at most
// MaxEventBytes of replies; the oldest are forgotten first (a replay of one
// is handled afresh), the newest still replay.
func TestEventResultsBounded(t *testing.T) {
	old := memory.MaxEventBytes
	memory.MaxEventBytes = 10 << 10
	t.Cleanup(func() { memory.MaxEventBytes = old })
	ctx := t.Context()
	s := memory.New()
	reply := bytes.Repeat([]byte("r"), 1<<10)
	for i := range 50 {
		id := fmt.Sprint("e", i)
		if st, _, err := s.BeginEvent(ctx, id, time.Minute, time.Hour); err != nil || st != bot.EventClaimed {
			t.Fatalf("%s: %v, %v", id, st, err)
		}
		if err := s.FinishEvent(ctx, id, reply, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if st, res, err := s.BeginEvent(ctx, "e49", time.Minute, time.Hour); err != nil || st != bot.EventDone || len(res) != len(reply) {
		t.Errorf("newest event: %v, %d bytes, %v; want its recorded reply", st, len(res), err)
	}
	if st, _, err := s.BeginEvent(ctx, "e0", time.Minute, time.Hour); err != nil || st != bot.EventClaimed {
		t.Errorf("oldest event: %v, %v; want it forgotten (claimed afresh)", st, err)
	}
}
