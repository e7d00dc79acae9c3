package slack

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/commsbot/commsbot/bot"
)

// Several replicas: the one that delivers a ticket's "claimed" notice did
// not post the ticket, yet it updates the ticket's message in place,
// because the store tells every replica where the message is. Without the
// shared store it can only post a fresh status message.
func TestTicketMessageSharedAcrossReplicas(t *testing.T) {
	for _, shared := range []bool{true, false} {
		t.Run(map[bool]string{true: "shared", false: "not shared"}[shared], func(t *testing.T) {
			e := setup(t, func(c *Config) {
				if shared {
					c.Shared = c.Dedupe.(bot.Cache)
				}
			})
			if status, _ := e.slash(asker, threadsQ, e.fake.responseURL("q")); status != 200 {
				t.Fatalf("status %d", status)
			}
			waitFor(t, "the ticket post", func() bool { return len(e.fake.posts(atipChannel)) == 1 })
			ts, err := e.tickets.Tickets(t.Context(), "")
			if err != nil || len(ts) != 1 {
				t.Fatalf("tickets %+v, %v", ts, err)
			}
			// The post is recorded by the fake before the adapter remembers
			// where it is: wait for that too.
			waitFor(t, "the post's location", func() bool {
				_, ok := e.a.posts.get(ts[0].ID)
				return ok
			})
			tk, err := e.reviews.Claim(t.Context(), bot.Person{ID: "slack:" + coordUser}, ts[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			other := e.newAdapter(func(c *Config) {
				if shared {
					c.Shared = c.Dedupe.(bot.Cache)
				}
			})
			updates := len(e.fake.get("chat.update"))
			if err := other.Notify(t.Context(), bot.NoticeClaimed, tk); err != nil {
				t.Fatal(err)
			}
			gotUpdates := e.fake.get("chat.update")[updates:]
			if shared {
				// (The dispatcher may deliver the same notice through the
				// first replica meanwhile: one update or two, never a post.)
				if len(gotUpdates) == 0 || gotUpdates[0].Form.Get("channel") != atipChannel ||
					gotUpdates[0].Form.Get("ts") == "" || len(e.fake.posts(atipChannel)) != 1 {
					t.Errorf("replica without the post: %d updates, %d posts; want the first post updated in place",
						len(gotUpdates), len(e.fake.posts(atipChannel)))
				}
				return
			}
			if len(e.fake.posts(atipChannel)) != 2 {
				t.Errorf("without a shared store: %d posts, want a fresh status message", len(e.fake.posts(atipChannel)))
			}
		})
	}
}

// TestNoticeAfterCrashMidPost: a replica posts a ticket's message and dies
// before recording where; the notice, handed out again, is delivered by
// another replica, which finds the message by its marker and updates it:
// coordinators see one message, not two.
func TestNoticeAfterCrashMidPost(t *testing.T) {
	e := setup(t, func(c *Config) { c.Shared = c.Dedupe.(bot.Cache) })
	tk := bot.Ticket{ID: "R-CRASHED1", Created: time.Now(), Category: bot.CategoryBreach, Status: bot.StatusOpen, Lang: bot.English}
	dying := e.newAdapter(func(c *Config) { c.Shared = c.Dedupe.(bot.Cache) })
	if err := dying.markPostAttempt(t.Context(), tk.ID); err != nil {
		t.Fatal(err)
	}
	fallback, blocks := ticketBlocks(tk, bot.NoticeOpened, time.Now())
	if _, _, err := dying.post(t.Context(), atipChannel, "", fallback, blocks); err != nil {
		t.Fatal(err)
	}
	// (killed here: rememberPost never ran, the notice was never acked)
	other := e.newAdapter(func(c *Config) { c.Shared = c.Dedupe.(bot.Cache) })
	updates := len(e.fake.get("chat.update"))
	if err := other.Notify(t.Context(), bot.NoticeOpened, tk); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.posts(atipChannel)); n != 1 {
		t.Errorf("%d messages for one ticket in the coordinators' channel, want 1", n)
	}
	if got := e.fake.get("chat.update")[updates:]; len(got) != 1 || got[0].Form.Get("ts") != e.fake.posts(atipChannel)[0].TS {
		t.Errorf("updates after the crash: %+v, want the first message updated in place", got)
	}
	// A ticket never posted before is posted without a search.
	fresh := bot.Ticket{ID: "R-FRESH001", Created: time.Now(), Category: bot.CategoryBreach, Status: bot.StatusOpen, Lang: bot.English}
	searches := len(e.fake.get("conversations.history"))
	if err := other.Notify(t.Context(), bot.NoticeOpened, fresh); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.get("conversations.history")); n != searches {
		t.Errorf("%d history searches for a ticket never posted, want none", n-searches)
	}
}

// TestUsersInfoOncePerBurst: messages from a new user that arrive together
// make one users.info call between them (singleflight), not one each.
func TestUsersInfoOncePerBurst(t *testing.T) {
	e := setup(t)
	gate := make(chan struct{})
	e.fake.mu.Lock()
	e.fake.usersGate = gate
	e.fake.mu.Unlock()
	var wg sync.WaitGroup
	infos := make([]userInfo, 8)
	for i := range infos {
		wg.Go(func() { infos[i] = e.a.user(context.Background(), "UBURST") })
	}
	waitFor(t, "the first users.info call", func() bool { return len(e.fake.get("users.info")) >= 1 })
	close(gate)
	wg.Wait()
	if n := len(e.fake.get("users.info")); n != 1 {
		t.Errorf("%d users.info calls for one user's burst, want 1", n)
	}
	for i, u := range infos {
		if u.Name == "" {
			t.Errorf("message %d got no user name", i)
		}
	}
}
