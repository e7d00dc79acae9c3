package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/commsbot/commsbot/bot"
)

// RunInbox runs the inbox contract: items come back newest first, equal
// items are all kept, a limit is honoured, expired items are dropped, and a
// cancelled context is an error.
func RunInbox(t *testing.T, newInbox func(t *testing.T) bot.Inbox) {
	t.Helper()
	t.Run("NewestFirst", func(t *testing.T) {
		t.Parallel()
		in := newInbox(t)
		ctx := t.Context()
		now := time.Now()
		items := []bot.InboxItem{
			{Kind: bot.InboxAbstained, At: now.Add(-3 * time.Minute), Lang: bot.English, Question: "q1"},
			{Kind: bot.InboxChoice, At: now.Add(-2 * time.Minute), Lang: bot.French, Question: "q2", Entry: "retention", Options: []string{"retention", "breach-timing"}},
			{Kind: bot.InboxChoice, At: now.Add(-2 * time.Minute), Lang: bot.French, Question: "q2", Entry: "retention", Options: []string{"retention", "breach-timing"}},
			{Kind: bot.InboxResolved, At: now.Add(-time.Minute), Question: "q3", Ticket: "R-ABCD", Note: "done"},
		}
		for _, it := range items {
			if err := in.Record(ctx, it); err != nil {
				t.Fatal(err)
			}
		}
		got, err := in.Inbox(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 {
			t.Fatalf("got %d items, want 4 (equal items are both kept): %+v", len(got), got)
		}
		if got[0].Question != "q3" || got[0].Ticket != "R-ABCD" || got[3].Question != "q1" {
			t.Errorf("not newest first: %+v", got)
		}
		if got[1].Entry != "retention" || len(got[1].Options) != 2 || got[1].Lang != bot.French {
			t.Errorf("choice item = %+v", got[1])
		}
		two, err := in.Inbox(ctx, 2)
		if err != nil || len(two) != 2 || two[0].Question != "q3" {
			t.Errorf("limit 2 = %+v, %v", two, err)
		}
	})
	t.Run("Expiry", func(t *testing.T) {
		t.Parallel()
		in := newInbox(t)
		ctx := t.Context()
		old := bot.InboxItem{Kind: bot.InboxAbstained, At: time.Now().Add(-bot.InboxTTL - time.Hour), Question: "old"}
		fresh := bot.InboxItem{Kind: bot.InboxAbstained, At: time.Now(), Question: "fresh"}
		for _, it := range []bot.InboxItem{old, fresh} {
			if err := in.Record(ctx, it); err != nil {
				t.Fatal(err)
			}
		}
		got, err := in.Inbox(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Question != "fresh" {
			t.Errorf("expired item kept: %+v", got)
		}
	})
	t.Run("ContextCancelled", func(t *testing.T) {
		t.Parallel()
		in := newInbox(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := in.Record(ctx, bot.InboxItem{Kind: bot.InboxAbstained, At: time.Now()}); err == nil {
			t.Error("Record with a cancelled context succeeded")
		}
		if _, err := in.Inbox(ctx, 0); err == nil {
			t.Error("Inbox with a cancelled context succeeded")
		}
	})
}
