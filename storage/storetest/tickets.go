package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/commsbot/commsbot/bot"
)

// Tickets is what a review ticket store implements: the tickets, their
// notification outbox and the locks of the review workflow.
type Tickets interface {
	bot.TicketStore
	bot.Outbox
	bot.Locker
	bot.RequesterTickets
}

// RunTickets runs the contract suite of review ticket stores:
//
//	func TestTickets(t *testing.T) {
//		storetest.RunTickets(t, redeliver, func(t *testing.T) storetest.Tickets { return newStore(t) })
//	}
//
// newStore is called once per subtest and must return a store without
// tickets, notices or locks (or one whose keys cannot collide with other
// subtests'), which hands a notice out again when it was not acknowledged
// within redeliver. Keep redeliver short (a few hundred milliseconds) for a
// store without a replaceable clock: the suite waits it out. Stores that
// implement Clocked get a fake clock, and redelivery and lock expiry are
// tested without sleeping. Subtests run in parallel.
func RunTickets(t *testing.T, redeliver time.Duration, newStore func(t *testing.T) Tickets) {
	t.Helper()
	if redeliver <= 0 {
		t.Fatalf("RunTickets: redeliver %v is not positive", redeliver)
	}
	cases := []struct {
		name string
		fn   func(t *testing.T, s Tickets, c *clock, redeliver time.Duration)
	}{
		{"TicketRoundTrip", testTicketRoundTrip},
		{"TicketNotFound", testTicketNotFound},
		{"UpdateTicket", testUpdateTicket},
		{"UpdateTicketAborted", testUpdateTicketAborted},
		{"UpdateTicketConcurrent", testUpdateTicketConcurrent},
		{"TicketsByStatus", testTicketsByStatus},
		{"OpenedNotice", testOpenedNotice},
		{"NextNoticeWaits", testNextNoticeWaits},
		{"NoticeRedelivered", testNoticeRedelivered},
		{"AckedNotDelivered", testAckedNotRedelivered},
		{"Lock", testLock},
		{"LockExpiry", testLockExpiry},
		{"TicketsContextCancelled", testTicketsCancelled},
		{"RequesterTickets", testRequesterTickets},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			c := clockFor(s)
			tc.fn(t, s, c, redeliver)
		})
	}
}

// ticketEpoch is when the suite's tickets are created: whole milliseconds,
// UTC, so that they survive any encoding unchanged.
var ticketEpoch = time.Date(2030, 1, 2, 3, 0, 0, 0, time.UTC)

func sampleTicket(created time.Time, category string) bot.Ticket {
	id := bot.NewTicketID()
	return bot.Ticket{
		ID: id, Created: created, Category: category, Topic: category + "/pin.platform/bluesky",
		Requester: bot.Person{ID: "slack:U1", Name: "Dana"},
		Origin:    bot.Origin{Platform: "slack", Workspace: "T1", Channel: "C1", Thread: "1.2", Permalink: "https://example.slack.com/p1"},
		Lang:      bot.French, Question: "Peut-on ouvrir un compte Bluesky? [email]",
		Answer:    "Bluesky n’est pas examinée.",
		Citations: []bot.Citation{{Doc: "pin-2021-01", Section: "A.9", Lang: bot.French, Title: "Annexe A", Quote: "« sept plateformes »"}},
		Status:    bot.StatusOpen,
		History: []bot.TicketEvent{
			{At: created, Actor: "slack:U1", Action: "opened", Note: category},
			{At: created.Add(time.Second), Actor: "commsbot", Action: "noted", Note: "é ✓"},
		},
	}
}

// sameTicket compares tickets as their JSON, the form every store keeps:
// times compare by instant, nil and empty slices alike.
func sameTicket(a, b bot.Ticket) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

func mustCreate(t *testing.T, s Tickets, tk bot.Ticket) {
	t.Helper()
	if err := s.CreateTicket(t.Context(), tk); err != nil {
		t.Fatalf("CreateTicket(%s): %v", tk.ID, err)
	}
}

func mustTicket(t *testing.T, s Tickets, id string) bot.Ticket {
	t.Helper()
	tk, err := s.Ticket(t.Context(), id)
	if err != nil {
		t.Fatalf("Ticket(%s): %v", id, err)
	}
	return tk
}

// next asks for a notice without waiting.
func next(t *testing.T, s Tickets, consumer string) (bot.Notice, bool) {
	t.Helper()
	n, ok, err := s.NextNotice(t.Context(), consumer, 0)
	if err != nil {
		t.Fatalf("NextNotice(%s): %v", consumer, err)
	}
	return n, ok
}

func ack(t *testing.T, s Tickets, n bot.Notice) {
	t.Helper()
	if err := s.AckNotice(t.Context(), n.ID); err != nil {
		t.Fatalf("AckNotice(%s): %v", n.ID, err)
	}
}

// drain takes and acknowledges every notice queued now.
func drain(t *testing.T, s Tickets, consumer string) []bot.Notice {
	t.Helper()
	var out []bot.Notice
	for range 1000 {
		n, ok := next(t, s, consumer)
		if !ok {
			return out
		}
		ack(t, s, n)
		out = append(out, n)
	}
	t.Fatal("the outbox never runs dry")
	return nil
}

func noticeStrings(ns []bot.Notice) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Kind + ":" + n.TicketID
	}
	return out
}

func testTicketRoundTrip(t *testing.T, s Tickets, _ *clock, _ time.Duration) {
	want := sampleTicket(ticketEpoch, bot.CategoryUnreviewedPlatform)
	mustCreate(t, s, want)
	got := mustTicket(t, s, want.ID)
	if !sameTicket(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
	if len(got.History) != 2 {
		t.Fatalf("history of %d events, want 2", len(got.History))
	}

	// The store keeps its own copy.
	got.History[0].Note = "changed"
	got.History = append(got.History, bot.TicketEvent{Action: "appended"})
	if again := mustTicket(t, s, want.ID); !sameTicket(again, want) {
		t.Errorf("changing a returned ticket changed the stored one: %+v", again)
	}

	// An id is used once: a second ticket with it is refused and the
	// first is kept, without a second notice.
	dup := sampleTicket(ticketEpoch.Add(time.Hour), bot.CategoryBreach)
	dup.ID = want.ID
	if err := s.CreateTicket(t.Context(), dup); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("CreateTicket with a taken id: %v, want ErrConflict", err)
	}
	if again := mustTicket(t, s, want.ID); !sameTicket(again, want) {
		t.Errorf("a refused duplicate changed the ticket: %+v", again)
	}
	if ns := drain(t, s, "c1"); len(ns) != 1 {
		t.Errorf("notices after a create and a refused duplicate: %v, want one", noticeStrings(ns))
	}
}

func testTicketNotFound(t *testing.T, s Tickets, _ *clock, _ time.Duration) {
	id := bot.NewTicketID()
	if _, err := s.Ticket(t.Context(), id); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Ticket of an unknown id: %v, want ErrNotFound", err)
	}
	called := false
	_, err := s.UpdateTicket(t.Context(), id, bot.NoticeClaimed, func(*bot.Ticket) error {
		called = true
		return nil
	})
	if !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("UpdateTicket of an unknown id: %v, want ErrNotFound", err)
	}
	if called {
		t.Error("UpdateTicket of an unknown id called change")
	}
	if ns := drain(t, s, "c1"); len(ns) != 0 {
		t.Errorf("notices after updating an unknown ticket: %v", noticeStrings(ns))
	}
	if ts, err := s.Tickets(t.Context(), ""); err != nil || len(ts) != 0 {
		t.Errorf("Tickets of an empty store: %d, %v", len(ts), err)
	}
}

func claim(at time.Time, who string) func(*bot.Ticket) error {
	return func(t *bot.Ticket) error {
		if t.Status != bot.StatusOpen {
			return fmt.Errorf("%w: %s", bot.ErrConflict, t.Status)
		}
		t.Status, t.Claimant = bot.StatusClaimed, who
		t.History = append(t.History, bot.TicketEvent{At: at, Actor: who, Action: "claimed"})
		return nil
	}
}

func testUpdateTicket(t *testing.T, s Tickets, _ *clock, _ time.Duration) {
	tk := sampleTicket(ticketEpoch, bot.CategoryOtherUse)
	mustCreate(t, s, tk)
	drain(t, s, "c1")

	at := ticketEpoch.Add(time.Minute)
	got, err := s.UpdateTicket(t.Context(), tk.ID, bot.NoticeClaimed, claim(at, "slack:UC"))
	if err != nil {
		t.Fatalf("UpdateTicket: %v", err)
	}
	want := tk
	want.Status, want.Claimant = bot.StatusClaimed, "slack:UC"
	want.History = append(slices.Clone(tk.History), bot.TicketEvent{At: at, Actor: "slack:UC", Action: "claimed"})
	if !sameTicket(got, want) {
		t.Errorf("UpdateTicket returned\n %+v\nwant %+v", got, want)
	}
	if stored := mustTicket(t, s, tk.ID); !sameTicket(stored, want) {
		t.Errorf("stored after update:\n %+v\nwant %+v", stored, want)
	}
	ns := drain(t, s, "c1")
	if want := []string{bot.NoticeClaimed + ":" + tk.ID}; !slices.Equal(noticeStrings(ns), want) {
		t.Errorf("notices after the update: %v, want %v", noticeStrings(ns), want)
	}

	// A change that fails its own check is refused with its error.
	if _, err := s.UpdateTicket(t.Context(), tk.ID, bot.NoticeClaimed, claim(at, "slack:UD")); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("claiming a claimed ticket: %v, want the change's ErrConflict", err)
	}

	// Without a notice kind nothing is queued.
	got, err = s.UpdateTicket(t.Context(), tk.ID, "", func(t *bot.Ticket) error {
		t.RemindedAt = at.Add(time.Hour)
		return nil
	})
	if err != nil || !got.RemindedAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("UpdateTicket without notice: %+v, %v", got, err)
	}
	if stored := mustTicket(t, s, tk.ID); !stored.RemindedAt.Equal(at.Add(time.Hour)) {
		t.Errorf("update without notice not stored: %v", stored.RemindedAt)
	}
	if ns := drain(t, s, "c1"); len(ns) != 0 {
		t.Errorf("notices after an update without notice kind: %v", noticeStrings(ns))
	}
}

func testUpdateTicketAborted(t *testing.T, s Tickets, _ *clock, _ time.Duration) {
	tk := sampleTicket(ticketEpoch, bot.CategoryOtherPI)
	mustCreate(t, s, tk)
	drain(t, s, "c1")
	errNo := errors.New("not today")
	_, err := s.UpdateTicket(t.Context(), tk.ID, bot.NoticeResolved, func(t *bot.Ticket) error {
		// Changes made before the error must not be kept.
		t.Status, t.Resolution = bot.StatusResolved, "half done"
		t.History = append(t.History, bot.TicketEvent{Action: "resolved"})
		return errNo
	})
	if !errors.Is(err, errNo) {
		t.Errorf("UpdateTicket whose change fails: %v, want the change's error", err)
	}
	if stored := mustTicket(t, s, tk.ID); !sameTicket(stored, tk) {
		t.Errorf("an aborted update changed the ticket: %+v", stored)
	}
	if ns := drain(t, s, "c1"); len(ns) != 0 {
		t.Errorf("an aborted update queued notices: %v", noticeStrings(ns))
	}
}

func testUpdateTicketConcurrent(t *testing.T, s Tickets, _ *clock, _ time.Duration) {
	const n = 20
	tk := sampleTicket(ticketEpoch, bot.CategoryBreach)
	mustCreate(t, s, tk)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, err := s.UpdateTicket(t.Context(), tk.ID, bot.NoticeReminder, func(t *bot.Ticket) error {
				t.History = append(t.History, bot.TicketEvent{At: ticketEpoch, Actor: fmt.Sprint("writer-", i), Action: "noted"})
				return nil
			})
			if err != nil {
				t.Errorf("UpdateTicket by writer %d: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	got := mustTicket(t, s, tk.ID)
	if len(got.History) != len(tk.History)+n {
		t.Errorf("%d concurrent appends: history has %d events, want %d", n, len(got.History), len(tk.History)+n)
	}
	seen := map[string]int{}
	for _, e := range got.History[min(len(tk.History), len(got.History)):] {
		seen[e.Actor]++
	}
	for i := range n {
		if w := fmt.Sprint("writer-", i); seen[w] != 1 {
			t.Errorf("writer %d's event is in the history %d times", i, seen[w])
		}
	}
	kinds := map[string]int{}
	for _, nt := range drain(t, s, "c1") {
		kinds[nt.Kind]++
	}
	if kinds[bot.NoticeOpened] != 1 || kinds[bot.NoticeReminder] != n || len(kinds) != 2 {
		t.Errorf("notices after %d concurrent updates: %v, want 1 opened and %d reminder", n, kinds, n)
	}
}

func testTicketsByStatus(t *testing.T, s Tickets, _ *clock, _ time.Duration) {
	ctx := t.Context()
	// Created out of order: the list is by creation time, not insertion.
	var tks []bot.Ticket
	for _, m := range []int{2, 0, 3, 1} {
		tk := sampleTicket(ticketEpoch.Add(time.Duration(m)*time.Minute), bot.CategoryOtherUse)
		mustCreate(t, s, tk)
		tks = append(tks, tk)
	}
	byAge := []string{tks[2].ID, tks[0].ID, tks[3].ID, tks[1].ID} // newest first
	if _, err := s.UpdateTicket(ctx, tks[0].ID, bot.NoticeClaimed, claim(ticketEpoch, "slack:UC")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateTicket(ctx, tks[3].ID, bot.NoticeResolved, func(t *bot.Ticket) error {
		t.Status, t.Resolution = bot.StatusResolved, "done"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ids := func(status bot.TicketStatus) []string {
		t.Helper()
		ts, err := s.Tickets(ctx, status)
		if err != nil {
			t.Fatalf("Tickets(%q): %v", status, err)
		}
		var out []string
		for _, tk := range ts {
			if status != "" && tk.Status != status {
				t.Errorf("Tickets(%q) lists %s, which is %s", status, tk.ID, tk.Status)
			}
			out = append(out, tk.ID)
		}
		return out
	}
	for status, want := range map[bot.TicketStatus][]string{
		"":                 byAge,
		bot.StatusOpen:     {tks[2].ID, tks[1].ID},
		bot.StatusClaimed:  {tks[0].ID},
		bot.StatusResolved: {tks[3].ID},
	} {
		if got := ids(status); !slices.Equal(got, want) {
			t.Errorf("Tickets(%q) = %v, want %v (newest first)", status, got, want)
		}
	}
	ts, err := s.Tickets(ctx, bot.StatusClaimed)
	if err != nil || len(ts) != 1 || ts[0].Claimant != "slack:UC" || len(ts[0].History) != 3 {
		t.Errorf("Tickets(claimed) = %+v, %v; want the whole claimed ticket", ts, err)
	}
}

// testRequesterTickets lists one requester's tickets, newest first, as they
// are now (a resolution shows), at most limit, and nobody else's.
func testRequesterTickets(t *testing.T, s Tickets, _ *clock, _ time.Duration) {
	ctx := t.Context()
	// Requester ids are unique to this subtest: a store may be shared.
	me, other := "slack:UREQ"+bot.NewTicketID(), "discord:"+bot.NewTicketID()
	var mine []bot.Ticket
	for _, m := range []int{1, 3, 0, 2} {
		tk := sampleTicket(ticketEpoch.Add(time.Duration(m)*time.Minute), bot.CategoryBreach)
		tk.Requester = bot.Person{ID: me}
		mustCreate(t, s, tk)
		mine = append(mine, tk)
	}
	theirs := sampleTicket(ticketEpoch.Add(time.Hour), bot.CategoryBreach)
	theirs.Requester = bot.Person{ID: other}
	mustCreate(t, s, theirs)
	if _, err := s.UpdateTicket(ctx, mine[1].ID, bot.NoticeResolved, func(t *bot.Ticket) error {
		t.Status, t.Resolution = bot.StatusResolved, "Contained; no notification needed."
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.RequesterTickets(ctx, me, 3)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tk := range got {
		ids = append(ids, tk.ID)
	}
	if want := []string{mine[1].ID, mine[3].ID, mine[0].ID}; !slices.Equal(ids, want) {
		t.Fatalf("RequesterTickets(me, 3) = %v, want the newest three %v", ids, want)
	}
	if got[0].Status != bot.StatusResolved || got[0].Resolution != "Contained; no notification needed." {
		t.Errorf("newest ticket = %s %q, want it resolved with its note", got[0].Status, got[0].Resolution)
	}
	if all, err := s.RequesterTickets(ctx, me, 10); err != nil || len(all) != 4 {
		t.Errorf("RequesterTickets(me, 10) = %d tickets, %v; want all 4", len(all), err)
	}
	if got, err := s.RequesterTickets(ctx, other, 10); err != nil || len(got) != 1 || got[0].ID != theirs.ID {
		t.Errorf("RequesterTickets(other) = %+v, %v; want only their ticket", got, err)
	}
	if got, err := s.RequesterTickets(ctx, "slack:UNOBODY"+bot.NewTicketID(), 10); err != nil || len(got) != 0 {
		t.Errorf("RequesterTickets(nobody) = %+v, %v; want none", got, err)
	}
	if r, ok := s.(bot.TicketRestorer); ok {
		old := sampleTicket(ticketEpoch.Add(-time.Hour), bot.CategoryOtherPI)
		old.Requester = bot.Person{ID: other}
		if _, err := r.RestoreTicket(ctx, old); err != nil {
			t.Fatal(err)
		}
		if got, err := s.RequesterTickets(ctx, other, 10); err != nil || len(got) != 2 || got[1].ID != old.ID {
			t.Errorf("after a restore, RequesterTickets(other) = %+v, %v; want the restored ticket last", got, err)
		}
	}
}

func testOpenedNotice(t *testing.T, s Tickets, _ *clock, _ time.Duration) {
	tk := sampleTicket(ticketEpoch, bot.CategoryBreach)
	mustCreate(t, s, tk)
	n, ok, err := s.NextNotice(t.Context(), "c1", time.Second)
	if err != nil || !ok {
		t.Fatalf("NextNotice after CreateTicket: %+v, %v, %v", n, ok, err)
	}
	if n.ID == "" || n.TicketID != tk.ID || n.Kind != bot.NoticeOpened {
		t.Errorf("notice %+v, want an opened notice for %s with an id", n, tk.ID)
	}
	ack(t, s, n)
	if n, ok := next(t, s, "c1"); ok {
		t.Errorf("second notice after one CreateTicket: %+v", n)
	}
	if n, ok := next(t, s, "c2"); ok {
		t.Errorf("another consumer got a notice after one CreateTicket: %+v", n)
	}
}

func testNextNoticeWaits(t *testing.T, s Tickets, _ *clock, _ time.Duration) {
	ctx := t.Context()
	// Nothing queued: NextNotice returns by itself, within about the wait.
	for _, wait := range []time.Duration{0, 300 * time.Millisecond} {
		start := time.Now()
		n, ok, err := s.NextNotice(ctx, "c1", wait)
		took := time.Since(start)
		if err != nil || ok {
			t.Errorf("NextNotice(wait %v) on an empty outbox: %+v, %v, %v", wait, n, ok, err)
		}
		if took > wait+time.Second {
			t.Errorf("NextNotice(wait %v) on an empty outbox took %v", wait, took)
		}
	}

	// A notice queued during the wait ends it.
	type result struct {
		n   bot.Notice
		ok  bool
		err error
		at  time.Time
	}
	got := make(chan result, 1)
	go func() {
		n, ok, err := s.NextNotice(ctx, "c1", 5*time.Second)
		got <- result{n, ok, err, time.Now()}
	}()
	time.Sleep(100 * time.Millisecond)
	tk := sampleTicket(ticketEpoch, bot.CategoryRequested)
	mustCreate(t, s, tk)
	created := time.Now()
	select {
	case r := <-got:
		if r.err != nil || !r.ok || r.n.TicketID != tk.ID {
			t.Errorf("NextNotice waiting while a ticket is created: %+v, %v, %v", r.n, r.ok, r.err)
		} else if d := r.at.Sub(created); d > 2*time.Second {
			t.Errorf("NextNotice returned %v after the notice was queued", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("NextNotice(wait 5s) did not return")
	}

	// A cancelled context ends the wait too.
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	n, ok, err := s.NextNotice(cctx, "c2", 10*time.Second)
	if ok {
		t.Errorf("NextNotice with an expiring context: %+v", n)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("NextNotice(wait 10s) with a 200ms context took %v (err %v)", took, err)
	}
}

func testNoticeRedelivered(t *testing.T, s Tickets, c *clock, redeliver time.Duration) {
	tk := sampleTicket(ticketEpoch, bot.CategoryOtherUse)
	mustCreate(t, s, tk)
	first, ok := next(t, s, "replica-a")
	if !ok {
		t.Fatal("no notice after CreateTicket")
	}
	// replica-a "crashes" before acknowledging it. Until the redelivery
	// period is over nobody else gets it.
	if n, ok := next(t, s, "replica-b"); ok {
		t.Errorf("notice handed out twice at once: %+v", n)
	}
	c.wait(redeliver)
	again, ok := next(t, s, "replica-b")
	if !ok {
		t.Fatalf("unacknowledged notice not handed out again after %v", redeliver)
	}
	if again != first {
		t.Errorf("redelivered notice %+v, want %+v", again, first)
	}
	ack(t, s, again)
	c.wait(redeliver)
	for _, consumer := range []string{"replica-a", "replica-b"} {
		if n, ok := next(t, s, consumer); ok {
			t.Errorf("acknowledged notice handed to %s again: %+v", consumer, n)
		}
	}
}

func testAckedNotRedelivered(t *testing.T, s Tickets, c *clock, redeliver time.Duration) {
	one, two := sampleTicket(ticketEpoch, bot.CategoryOtherUse), sampleTicket(ticketEpoch.Add(time.Minute), bot.CategoryOtherUse)
	mustCreate(t, s, one)
	mustCreate(t, s, two)
	a, ok1 := next(t, s, "replica-a")
	b, ok2 := next(t, s, "replica-a")
	if !ok1 || !ok2 || a.ID == b.ID {
		t.Fatalf("two notices after two tickets: %+v %v, %+v %v", a, ok1, b, ok2)
	}
	if got := []string{a.TicketID, b.TicketID}; !slices.Contains(got, one.ID) || !slices.Contains(got, two.ID) {
		t.Fatalf("notices for %v, want %s and %s", got, one.ID, two.ID)
	}
	ack(t, s, a)
	c.wait(redeliver)
	// Only the unacknowledged one comes back.
	n, ok := next(t, s, "replica-b")
	if !ok || n != b {
		t.Errorf("after the redelivery period: %+v, %v; want %+v", n, ok, b)
	}
	ack(t, s, n)
	if n, ok := next(t, s, "replica-b"); ok {
		t.Errorf("a third notice after two tickets: %+v", n)
	}
}

func lock(t *testing.T, s Tickets, name, owner string, ttl time.Duration) bool {
	t.Helper()
	ok, err := s.TryLock(t.Context(), name, owner, ttl)
	if err != nil {
		t.Fatalf("TryLock(%s, %s): %v", name, owner, err)
	}
	return ok
}

func unlock(t *testing.T, s Tickets, name, owner string) {
	t.Helper()
	if err := s.Unlock(t.Context(), name, owner); err != nil {
		t.Fatalf("Unlock(%s, %s): %v", name, owner, err)
	}
}

func testLock(t *testing.T, s Tickets, _ *clock, _ time.Duration) {
	name, other := unique("lock"), unique("lock")
	if !lock(t, s, name, "a", time.Minute) {
		t.Fatal("TryLock of a free lock: refused")
	}
	if lock(t, s, name, "b", time.Minute) {
		t.Error("second owner got a held lock")
	}
	if !lock(t, s, name, "a", time.Minute) {
		t.Error("owner could not lock again")
	}
	if !lock(t, s, other, "b", time.Minute) {
		t.Error("another lock's name is held too")
	}
	// Only the owner releases it.
	unlock(t, s, name, "b")
	if lock(t, s, name, "b", time.Minute) {
		t.Error("Unlock by another owner released the lock")
	}
	unlock(t, s, name, "a")
	if !lock(t, s, name, "b", time.Minute) {
		t.Error("lock still held after its owner unlocked it")
	}
	if lock(t, s, name, "a", time.Minute) {
		t.Error("first owner got the lock back while b holds it")
	}
	// Unlocking a free lock is not an error.
	unlock(t, s, name, "b")
	unlock(t, s, name, "b")
	unlock(t, s, unique("lock"), "a")
}

func testLockExpiry(t *testing.T, s Tickets, c *clock, _ time.Duration) {
	name := unique("lock")
	ttl := 2 * short
	step := ttl * 3 / 5
	if !lock(t, s, name, "a", ttl) {
		t.Fatal("TryLock of a free lock: refused")
	}
	c.wait(step)
	// Locking again extends the lock from now.
	if !lock(t, s, name, "a", ttl) {
		t.Fatal("owner could not extend its lock")
	}
	c.wait(step)
	if lock(t, s, name, "b", ttl) {
		t.Fatal("the lock expired from its first TryLock, not its extension")
	}
	c.wait(step)
	if !lock(t, s, name, "b", ttl) {
		t.Fatal("lock not free after its ttl")
	}
	// The old owner's late Unlock leaves the new owner's lock alone.
	unlock(t, s, name, "a")
	if lock(t, s, name, "a", ttl) {
		t.Error("a's late Unlock released b's lock")
	}
}

func testTicketsCancelled(t *testing.T, s Tickets, _ *clock, _ time.Duration) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	tk := sampleTicket(ticketEpoch, bot.CategoryBreach)
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: error %v, want context.Canceled", op, err)
		}
	}
	check("CreateTicket", s.CreateTicket(ctx, tk))
	_, err := s.Ticket(ctx, tk.ID)
	check("Ticket", err)
	_, err = s.UpdateTicket(ctx, tk.ID, bot.NoticeClaimed, func(*bot.Ticket) error { return nil })
	check("UpdateTicket", err)
	_, err = s.Tickets(ctx, "")
	check("Tickets", err)
	_, ok, err := s.NextNotice(ctx, "c1", time.Second)
	check("NextNotice", err)
	if ok {
		t.Error("NextNotice with a cancelled context: ok")
	}
	check("AckNotice", s.AckNotice(ctx, "1-0"))
	ok, err = s.TryLock(ctx, unique("lock"), "a", time.Minute)
	check("TryLock", err)
	if ok {
		t.Error("TryLock with a cancelled context: ok")
	}
	check("Unlock", s.Unlock(ctx, unique("lock"), "a"))
	// Nothing was stored.
	if _, err := s.Ticket(t.Context(), tk.ID); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Ticket after a cancelled create: %v, want ErrNotFound", err)
	}
	if ns := drain(t, s, "c1"); len(ns) != 0 {
		t.Errorf("notices after a cancelled create: %v", noticeStrings(ns))
	}
}
