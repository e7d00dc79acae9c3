package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/storage/memory"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// notified is one delivered notice, as a notifier saw it.
type notified struct {
	Kind   string
	Ticket string
	Status bot.TicketStatus
}

// recorder is a Notifier that records what it is asked to deliver, and
// fails the first fail calls.
type recorder struct {
	platform string
	mu       sync.Mutex
	fail     int
	calls    int
	got      []notified
}

func (r *recorder) Platform() string { return r.platform }

func (r *recorder) Notify(_ context.Context, kind string, t bot.Ticket) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.fail > 0 {
		r.fail--
		return errors.New("chat platform unavailable")
	}
	r.got = append(r.got, notified{kind, t.ID, t.Status})
	return nil
}

func (r *recorder) delivered() []notified {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// kinds lists the kinds delivered for ticket id, in order.
func (r *recorder) kinds(id string) []string {
	var out []string
	for _, n := range r.delivered() {
		if n.Ticket == id {
			out = append(out, n.Kind)
		}
	}
	return out
}

// reviewObserver counts review events.
type reviewObserver struct {
	mu     sync.Mutex
	events map[string]int // action/category
}

func (o *reviewObserver) ReviewEvent(action, category string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.events == nil {
		o.events = map[string]int{}
	}
	o.events[action+"/"+category]++
}

func (o *reviewObserver) count(action, category string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.events[action+"/"+category]
}

// recordingTickets is a ticket store that remembers which tickets it
// accepted, and refuses them while down is set.
type recordingTickets struct {
	*memory.TicketStore
	down    atomic.Bool
	mu      sync.Mutex
	created []string
}

var errTicketsDown = errors.New("ticket store unreachable")

func (s *recordingTickets) CreateTicket(ctx context.Context, t bot.Ticket) error {
	if s.down.Load() {
		return errTicketsDown
	}
	if err := s.TicketStore.CreateTicket(ctx, t); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.created = append(s.created, t.ID)
	return nil
}

func (s *recordingTickets) accepted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.created)
}

const coordinator = "slack:UCOORD"

type reviewRig struct {
	engine   *bot.Engine
	reviews  *bot.Reviews
	tickets  *recordingTickets
	notifier *recorder
	observer *reviewObserver
	clock    *fakeClock
}

// newReviewRig wires the real classifier and knowledge base with memory
// stores, a fake clock and a recording notifier.
func newReviewRig(t *testing.T) *reviewRig {
	t.Helper()
	e, _ := wire(t, nil)
	clock := newFakeClock()
	ts := &recordingTickets{TicketStore: memory.NewTicketStore()}
	ts.SetClock(clock.Now)
	ts.Redeliver = time.Minute
	rec := &recorder{}
	obs := &reviewObserver{}
	r := &bot.Reviews{
		Store: ts, Outbox: ts, Locker: ts,
		Coordinators: bot.CoordinatorList{coordinator: true},
		Notifiers:    []bot.Notifier{rec},
		Observer:     obs,
		Now:          clock.Now,
	}
	e.Reviews = r
	return &reviewRig{engine: e, reviews: r, tickets: ts, notifier: rec, observer: obs, clock: clock}
}

func (rig *reviewRig) ask(t *testing.T, k bot.ConversationKey, text string) bot.Reply {
	t.Helper()
	r, err := rig.engine.Handle(t.Context(), bot.Message{Conversation: k, Text: text, UserName: "Dana", Permalink: "https://x.slack.com/p1"})
	if err != nil {
		t.Fatalf("Handle(%q): %v", text, err)
	}
	return r
}

// deliverAll runs DeliverNext until no notice is left.
func (rig *reviewRig) deliverAll(t *testing.T, consumer string) int {
	t.Helper()
	n := 0
	for range 1000 {
		ok, err := rig.reviews.DeliverNext(t.Context(), consumer, 0)
		if err != nil {
			t.Fatalf("DeliverNext: %v", err)
		}
		if !ok {
			return n
		}
		n++
	}
	t.Fatal("DeliverNext never runs dry")
	return n
}

func (rig *reviewRig) allTickets(t *testing.T) []bot.Ticket {
	t.Helper()
	ts, err := rig.tickets.Tickets(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

var (
	convA = bot.ConversationKey{Platform: "slack", Workspace: "T1", Channel: "C1", User: "U1"}
	convB = bot.ConversationKey{Platform: "slack", Workspace: "T1", Channel: "C2", User: "U2"}
)

const bluesky = "Can we open an account on Bluesky?"

func notifiedText(id string) string {
	return fmt.Sprintf(bot.Text(bot.English, bot.MsgNotified), id)
}

func TestReviewOpensOneTicketPerConversationAndTopic(t *testing.T) {
	rig := newReviewRig(t)
	ctx := t.Context()

	first := rig.ask(t, convA, bluesky)
	if !first.NeedsReview || first.Category != bot.CategoryUnreviewedPlatform {
		t.Fatalf("%q: needs review %v, category %q", bluesky, first.NeedsReview, first.Category)
	}
	id := first.Ticket
	if !strings.HasPrefix(id, "R-") || len(id) != 10 {
		t.Fatalf("ticket id %q, want R- and 8 characters", id)
	}
	// The reply names the ticket the store accepted, and only that.
	if acc := rig.tickets.accepted(); !slices.Equal(acc, []string{id}) {
		t.Fatalf("store accepted %v, reply names %s", acc, id)
	}
	if !strings.HasSuffix(first.Answer, notifiedText(id)) {
		t.Errorf("answer does not end by naming the ticket: %q", first.Answer)
	}
	tk, err := rig.tickets.Ticket(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Status != bot.StatusOpen || tk.Category != bot.CategoryUnreviewedPlatform || tk.Requester.ID != "slack:U1" ||
		tk.Requester.Name != "Dana" || tk.Origin.Channel != "C1" || tk.Origin.Permalink == "" ||
		tk.Question != bluesky || tk.Answer == "" || len(tk.Citations) == 0 || !tk.Created.Equal(rig.clock.Now()) ||
		tk.Topic != "unreviewed-platform/"+first.Entry+"/bluesky" {
		t.Errorf("stored ticket %+v", tk)
	}
	if len(tk.History) != 1 || tk.History[0].Action != "opened" || tk.History[0].Actor != "slack:U1" {
		t.Errorf("history %+v, want one opened event by the requester", tk.History)
	}
	if got := rig.observer.count("opened", bot.CategoryUnreviewedPlatform); got != 1 {
		t.Errorf("observer saw %d opened", got)
	}

	// The same question again in the same conversation: no second ticket,
	// and the reply points at the first.
	again := rig.ask(t, convA, bluesky)
	if again.Ticket != id || !strings.Contains(again.Answer, fmt.Sprintf(bot.Text(bot.English, bot.MsgAlreadyNotified), id)) {
		t.Errorf("asked again: ticket %q, answer %q; want a mention of %s", again.Ticket, again.Answer, id)
	}
	if strings.Contains(again.Answer, notifiedText(id)) {
		t.Errorf("asked again: answer says a coordinator was notified anew: %q", again.Answer)
	}
	if n := len(rig.allTickets(t)); n != 1 {
		t.Fatalf("%d tickets after asking twice in one conversation, want 1", n)
	}

	// Another conversation opens its own.
	other := rig.ask(t, convB, bluesky)
	if other.Ticket == "" || other.Ticket == id || !strings.Contains(other.Answer, notifiedText(other.Ticket)) {
		t.Errorf("other conversation: ticket %q, answer %q", other.Ticket, other.Answer)
	}
	// Another topic in the first conversation opens its own too.
	mastodon := rig.ask(t, convA, "Can we open an account on Mastodon?")
	if mastodon.Ticket == "" || mastodon.Ticket == id || mastodon.Ticket == other.Ticket {
		t.Errorf("another platform in the same conversation: ticket %q", mastodon.Ticket)
	}
	if n := len(rig.allTickets(t)); n != 3 {
		t.Errorf("%d tickets, want 3", n)
	}

	// One opened notice per ticket.
	if n := rig.deliverAll(t, "replica-a"); n != 3 {
		t.Errorf("%d notices delivered, want 3", n)
	}
	for _, tid := range []string{id, other.Ticket, mastodon.Ticket} {
		if got := rig.notifier.kinds(tid); !slices.Equal(got, []string{bot.NoticeOpened}) {
			t.Errorf("notices for %s: %v, want [opened]", tid, got)
		}
	}
}

func TestReviewRequestedIsRedacted(t *testing.T) {
	rig := newReviewRig(t)
	r := rig.ask(t, convA, "review please look at our Bluesky plan, my email is a@b.ca")
	if r.Intent != "review" || r.Ticket == "" || r.Answer != notifiedText(r.Ticket) {
		t.Fatalf("review request: intent %q, ticket %q, answer %q", r.Intent, r.Ticket, r.Answer)
	}
	tk, err := rig.tickets.Ticket(t.Context(), r.Ticket)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Category != bot.CategoryRequested || tk.Status != bot.StatusOpen {
		t.Errorf("ticket category %q, status %q", tk.Category, tk.Status)
	}
	if strings.Contains(tk.Question, "a@b.ca") || !strings.Contains(tk.Question, "[email]") || !strings.Contains(tk.Question, "Bluesky plan") {
		t.Errorf("ticket question %q: want the details with the address redacted", tk.Question)
	}
}

// TestTicketSaysWhatWasRedacted: a breach story with the user's name, a
// health card number and a street address is filed without them, and the
// ticket lists the kinds removed for the coordinators' header.
func TestTicketSaysWhatWasRedacted(t *testing.T) {
	rig := newReviewRig(t)
	r := rig.ask(t, convA, "review I'm Marie Roy; we mailed Mr. Tremblay's letter with his health card 1234-567-890-AB to 12 Elm Street")
	if r.Ticket == "" {
		t.Fatalf("no ticket: %+v", r)
	}
	tk, err := rig.tickets.Ticket(t.Context(), r.Ticket)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"Marie", "Roy", "Tremblay", "1234", "Elm"} {
		if strings.Contains(tk.Question, leak) {
			t.Errorf("ticket question %q still holds %q", tk.Question, leak)
		}
	}
	want := []string{"address", "health-card", "name"}
	got := slices.Sorted(slices.Values(tk.Redacted))
	if !slices.Equal(got, want) {
		t.Errorf("ticket redacted %v, want %v", tk.Redacted, want)
	}
}

// TestReviewStoreFailure: with the ticket store down, a request is tried
// a few times, then queued under its ticket id and the user is told so
// (never that a coordinator was notified); when the store is back the
// queue is filed under the same ids. A full queue says it could not file.
func TestReviewStoreFailure(t *testing.T) {
	rig := newReviewRig(t)
	rig.reviews.RetryDelay = time.Millisecond
	rig.reviews.MaxQueued = 2
	rig.tickets.down.Store(true)
	failed := bot.Text(bot.English, bot.MsgTicketFailed)

	var queued []string
	for _, q := range []string{bluesky, "review please look at our Bluesky plan"} {
		r, err := rig.engine.Handle(t.Context(), bot.Message{Conversation: convA, Text: q})
		if err != nil {
			t.Errorf("%q with the ticket store down: error %v; the user must still get an answer", q, err)
		}
		if r.Ticket == "" || !strings.Contains(r.Answer, fmt.Sprintf(bot.Text(bot.English, bot.MsgTicketQueued), r.Ticket)) {
			t.Errorf("%q with the ticket store down: ticket %q, answer %q; want the queued message with its id", q, r.Ticket, r.Answer)
		}
		if strings.Contains(r.Answer, "has been notified") {
			t.Errorf("%q: answer claims a coordinator was notified: %q", q, r.Answer)
		}
		queued = append(queued, r.Ticket)
	}
	if rig.observer.count("queued", bot.CategoryUnreviewedPlatform) != 1 || rig.observer.count("queued", bot.CategoryRequested) != 1 {
		t.Errorf("observer: %v, want one queued per category", rig.observer.events)
	}
	if n := len(rig.allTickets(t)); n != 0 {
		t.Errorf("%d tickets stored by a failing store", n)
	}
	// The queue is full: the next request says it could not be filed.
	r, _ := rig.engine.Handle(t.Context(), bot.Message{Conversation: convB, Text: "review our TikTok plan"})
	if !strings.Contains(r.Answer, failed) || r.Ticket != "" {
		t.Errorf("with the queue full: ticket %q, answer %q; want the could-not-file message", r.Ticket, r.Answer)
	}
	if n, err := rig.reviews.FlushQueued(t.Context()); n != 0 || err == nil {
		t.Errorf("flush with the store down: %d filed, %v; want 0 and an error", n, err)
	}

	rig.tickets.down.Store(false)
	if n, err := rig.reviews.FlushQueued(t.Context()); n != 2 || err != nil || rig.reviews.Queued() != 0 {
		t.Fatalf("flush with the store back: %d filed, %v, %d left; want 2, nil, 0", n, err, rig.reviews.Queued())
	}
	for _, id := range queued {
		if tk, err := rig.tickets.Ticket(t.Context(), id); err != nil || tk.Status != bot.StatusOpen {
			t.Errorf("queued ticket %s after the flush: %+v, %v", id, tk, err)
		}
	}
	// The conversation remembers the queued ticket: the same question is
	// not filed twice.
	r = rig.ask(t, convA, bluesky)
	if r.Ticket != queued[0] {
		t.Errorf("after the flush, the same question: ticket %q, want %q", r.Ticket, queued[0])
	}
	if n := len(rig.allTickets(t)); n != 2 {
		t.Errorf("%d tickets, want the 2 queued", n)
	}
}

func openTicket(t *testing.T, r *bot.Reviews, k bot.ConversationKey, category string) bot.Ticket {
	t.Helper()
	tk, err := r.Open(t.Context(), bot.Message{Conversation: k, Text: "call me at 613-555-1234"},
		bot.Reply{Lang: bot.English, Answer: "an answer"}, category, category)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return tk
}

func TestReviewCoordinatorsOnly(t *testing.T) {
	rig := newReviewRig(t)
	ctx := t.Context()
	tk := openTicket(t, rig.reviews, convA, bot.CategoryOtherUse)
	if tk.Question != "call me at [phone]" {
		t.Errorf("question stored as %q", tk.Question)
	}
	outsider := bot.Person{ID: "slack:U1"} // the requester, not a coordinator
	if _, err := rig.reviews.Claim(ctx, outsider, tk.ID); !errors.Is(err, bot.ErrForbidden) {
		t.Errorf("Claim by a non-coordinator: %v, want ErrForbidden", err)
	}
	if _, err := rig.reviews.Resolve(ctx, outsider, tk.ID, "done"); !errors.Is(err, bot.ErrForbidden) {
		t.Errorf("Resolve by a non-coordinator: %v, want ErrForbidden", err)
	}
	if _, err := rig.reviews.List(ctx, outsider, ""); !errors.Is(err, bot.ErrForbidden) {
		t.Errorf("List by a non-coordinator: %v, want ErrForbidden", err)
	}
	if _, err := rig.reviews.Show(ctx, bot.Person{ID: "discord:UCOORD"}, tk.ID); !errors.Is(err, bot.ErrForbidden) {
		t.Errorf("Show by the coordinator's id on another platform: %v, want ErrForbidden", err)
	}
	if got, _ := rig.tickets.Ticket(ctx, tk.ID); got.Status != bot.StatusOpen || len(got.History) != 1 {
		t.Errorf("refused actions changed the ticket: %+v", got)
	}
	// Without a coordinator list nobody is one.
	r := &bot.Reviews{Store: rig.reviews.Store, Outbox: rig.reviews.Outbox, Locker: rig.reviews.Locker}
	if _, err := r.Claim(ctx, bot.Person{ID: coordinator}, tk.ID); !errors.Is(err, bot.ErrForbidden) {
		t.Errorf("Claim without coordinators configured: %v", err)
	}
}

func TestReviewClaimResolveNotices(t *testing.T) {
	rig := newReviewRig(t)
	ctx := t.Context()
	coord := bot.Person{ID: coordinator}
	tk := openTicket(t, rig.reviews, convA, bot.CategoryOtherUse)

	rig.clock.Add(10 * time.Minute)
	claimed, err := rig.reviews.Claim(ctx, coord, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if claimed.Status != bot.StatusClaimed || claimed.Claimant != coordinator {
		t.Errorf("claimed ticket: %+v", claimed)
	}
	if _, err := rig.reviews.Claim(ctx, coord, tk.ID); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("claiming twice: %v, want ErrConflict", err)
	}
	if _, err := rig.reviews.Resolve(ctx, coord, tk.ID, "  "); err == nil {
		t.Error("Resolve without a note: no error")
	}
	rig.clock.Add(time.Hour)
	resolved, err := rig.reviews.Resolve(ctx, coord, tk.ID, "No PIA needed: the account only broadcasts.")
	if err != nil {
		t.Fatal(err)
	}
	if resolved.Status != bot.StatusResolved || resolved.Resolution == "" {
		t.Errorf("resolved ticket: %+v", resolved)
	}
	if _, err := rig.reviews.Resolve(ctx, coord, tk.ID, "again"); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("resolving twice: %v, want ErrConflict", err)
	}
	if _, err := rig.reviews.Claim(ctx, coord, bot.NewTicketID()); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("claiming an unknown ticket: %v, want ErrNotFound", err)
	}

	stored, err := rig.reviews.Show(ctx, coord, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range stored.History {
		actions = append(actions, e.Action+" by "+e.Actor)
	}
	wantActions := []string{"opened by slack:U1", "claimed by " + coordinator, "resolved by " + coordinator}
	if !slices.Equal(actions, wantActions) {
		t.Errorf("history %v, want %v", actions, wantActions)
	}
	if h := stored.History; len(h) == 3 && (!h[1].At.Equal(tk.Created.Add(10*time.Minute)) || !h[2].At.Equal(tk.Created.Add(70*time.Minute)) ||
		h[2].Note != resolved.Resolution) {
		t.Errorf("history times or note: %+v", h)
	}

	// The notices come out in order, each once.
	if n := rig.deliverAll(t, "replica-a"); n != 3 {
		t.Errorf("delivered %d notices, want 3", n)
	}
	want := []string{bot.NoticeOpened, bot.NoticeClaimed, bot.NoticeResolved}
	if got := rig.notifier.kinds(tk.ID); !slices.Equal(got, want) {
		t.Errorf("notices %v, want %v", got, want)
	}
	// Long after, nothing is delivered again.
	rig.clock.Add(time.Hour)
	if n := rig.deliverAll(t, "replica-b"); n != 0 {
		t.Errorf("%d notices delivered again", n)
	}
	if got := rig.notifier.kinds(tk.ID); !slices.Equal(got, want) {
		t.Errorf("notices after a redelivery period: %v, want %v (resolved once)", got, want)
	}
	if rig.observer.count("notified", bot.CategoryOtherUse) != 3 || rig.observer.count("claimed", bot.CategoryOtherUse) != 1 ||
		rig.observer.count("resolved", bot.CategoryOtherUse) != 1 {
		t.Errorf("observer: %v", rig.observer.events)
	}
}

func TestReviewNotifierRouting(t *testing.T) {
	rig := newReviewRig(t)
	slack := &recorder{platform: "slack"}
	discord := &recorder{platform: "discord"}
	fallback := &recorder{}
	rig.reviews.Notifiers = []bot.Notifier{slack, fallback, discord}
	fromSlack := openTicket(t, rig.reviews, convA, bot.CategoryOtherPI)
	fromDiscord := openTicket(t, rig.reviews, bot.ConversationKey{Platform: "discord", User: "9"}, bot.CategoryOtherPI)
	fromCLI := openTicket(t, rig.reviews, bot.ConversationKey{Platform: "cli", User: "me"}, bot.CategoryOtherPI)
	rig.deliverAll(t, "replica-a")
	for _, c := range []struct {
		r  *recorder
		id string
	}{{slack, fromSlack.ID}, {discord, fromDiscord.ID}, {fallback, fromCLI.ID}} {
		if got := c.r.delivered(); len(got) != 1 || got[0].Ticket != c.id {
			t.Errorf("notifier %q delivered %+v, want only %s", c.r.platform, got, c.id)
		}
	}
}

func TestReviewNotifierFailureRedelivers(t *testing.T) {
	rig := newReviewRig(t)
	ctx := t.Context()
	rig.notifier.fail = 1
	tk := openTicket(t, rig.reviews, convA, bot.CategoryBreach)

	ok, err := rig.reviews.DeliverNext(ctx, "replica-a", 0)
	if err == nil || ok {
		t.Fatalf("DeliverNext with a failing notifier: %v, %v; want an error", ok, err)
	}
	if rig.observer.count("notify-failed", bot.CategoryBreach) != 1 {
		t.Errorf("observer: %v", rig.observer.events)
	}
	// The notice is left in the outbox, handed out again once the
	// redelivery period is over — to this replica or another.
	if ok, err := rig.reviews.DeliverNext(ctx, "replica-b", 0); ok || err != nil {
		t.Errorf("DeliverNext within the redelivery period: %v, %v", ok, err)
	}
	rig.clock.Add(time.Minute)
	if ok, err := rig.reviews.DeliverNext(ctx, "replica-b", 0); !ok || err != nil {
		t.Fatalf("DeliverNext after the redelivery period: %v, %v", ok, err)
	}
	if got := rig.notifier.kinds(tk.ID); !slices.Equal(got, []string{bot.NoticeOpened}) {
		t.Errorf("delivered %v, want [opened]", got)
	}
	rig.clock.Add(time.Hour)
	if n := rig.deliverAll(t, "replica-a"); n != 0 || rig.notifier.calls != 2 {
		t.Errorf("after delivery: %d more notices, %d notifier calls (want 0, 2)", n, rig.notifier.calls)
	}
}

// reminded counts a ticket's reminder events.
func reminded(t *testing.T, s bot.TicketStore, id string) int {
	t.Helper()
	tk, err := s.Ticket(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range tk.History {
		if e.Action == "reminded" {
			n++
		}
	}
	return n
}

func TestSendReminders(t *testing.T) {
	rig := newReviewRig(t)
	ctx := t.Context()
	breach := openTicket(t, rig.reviews, convA, bot.CategoryBreach)
	platform := openTicket(t, rig.reviews, convB, bot.CategoryUnreviewedPlatform)
	claimed := openTicket(t, rig.reviews, convA, bot.CategorySecondaryUse)
	if _, err := rig.reviews.Claim(ctx, bot.Person{ID: coordinator}, claimed.ID); err != nil {
		t.Fatal(err)
	}
	start := rig.clock.Now()
	steps := []struct {
		at   time.Duration // since the tickets were opened
		want []string      // tickets reminded at this run
	}{
		{59 * time.Minute, nil},
		{61 * time.Minute, []string{breach.ID}},
		{62 * time.Minute, nil}, // not again at the next run
		{2 * time.Hour, nil},    // 59 min since the reminder
		{2*time.Hour + 2*time.Minute, []string{breach.ID}},
		{3*time.Hour + time.Minute, nil},
		{3*time.Hour + 3*time.Minute, []string{breach.ID}},
		{3*time.Hour + 59*time.Minute, nil},
		{4*time.Hour + time.Minute, []string{platform.ID}}, // 4 h for others
		{4*time.Hour + 5*time.Minute, []string{breach.ID}},
		{5*time.Hour + time.Minute, nil},
		{24 * time.Hour, []string{breach.ID, platform.ID}},
	}
	counts := map[string]int{}
	for _, s := range steps {
		rig.clock.Add(start.Add(s.at).Sub(rig.clock.Now()))
		n, err := rig.reviews.SendReminders(ctx, "replica-a")
		if err != nil {
			t.Fatalf("at %v: %v", s.at, err)
		}
		if n != len(s.want) {
			t.Errorf("at %v: %d reminders, want %d", s.at, n, len(s.want))
		}
		for _, id := range s.want {
			counts[id]++
		}
		for _, id := range []string{breach.ID, platform.ID, claimed.ID} {
			if got := reminded(t, rig.tickets, id); got != counts[id] {
				t.Errorf("at %v: ticket %s reminded %d times, want %d", s.at, id, got, counts[id])
			}
		}
	}
	if reminded(t, rig.tickets, claimed.ID) != 0 {
		t.Error("a claimed ticket was reminded")
	}
	tk, _ := rig.tickets.Ticket(ctx, breach.ID)
	if !tk.RemindedAt.Equal(start.Add(24 * time.Hour)) {
		t.Errorf("RemindedAt %v, want the last run's time", tk.RemindedAt)
	}
	// Each reminder is a notice for the coordinators.
	rig.deliverAll(t, "replica-a")
	for id, n := range counts {
		got := rig.notifier.kinds(id)
		if r := len(slices.DeleteFunc(slices.Clone(got), func(k string) bool { return k != bot.NoticeReminder })); r != n {
			t.Errorf("ticket %s: %d reminder notices (%v), want %d", id, r, got, n)
		}
	}
	if got := rig.notifier.kinds(claimed.ID); slices.Contains(got, bot.NoticeReminder) {
		t.Errorf("claimed ticket's notices %v", got)
	}
	if rig.observer.count("reminded", bot.CategoryBreach) != counts[breach.ID] {
		t.Errorf("observer: %v", rig.observer.events)
	}
}

// TestSendRemindersReplicas runs two replicas' reminders on one store at
// once, many times: each overdue ticket is reminded once per round.
func TestSendRemindersReplicas(t *testing.T) {
	rig := newReviewRig(t)
	ctx := t.Context()
	replicas := []*bot.Reviews{rig.reviews, {
		Store: rig.tickets, Outbox: rig.tickets, Locker: rig.tickets, Now: rig.clock.Now,
	}}
	var ids []string
	for i := range 6 {
		cat := bot.CategoryOtherUse
		if i%2 == 0 {
			cat = bot.CategoryBreach
		}
		ids = append(ids, openTicket(t, rig.reviews, bot.ConversationKey{Platform: "slack", User: fmt.Sprint(i)}, cat).ID)
	}
	const rounds = 20
	for round := 1; round <= rounds; round++ {
		rig.clock.Add(4*time.Hour + time.Minute) // everything is overdue
		var sent atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, r := range replicas {
			wg.Go(func() {
				<-start
				n, err := r.SendReminders(ctx, fmt.Sprint("replica-", i))
				if err != nil {
					t.Errorf("replica %d: %v", i, err)
				}
				sent.Add(int64(n))
			})
		}
		close(start)
		wg.Wait()
		if got := sent.Load(); got != int64(len(ids)) {
			t.Fatalf("round %d: %d reminders sent by two replicas, want %d", round, got, len(ids))
		}
		for _, id := range ids {
			if got := reminded(t, rig.tickets, id); got != round {
				t.Fatalf("round %d: ticket %s reminded %d times", round, id, got)
			}
		}
	}
	if n := rig.deliverAll(t, "replica-0"); n != len(ids)*(rounds+1) {
		t.Errorf("%d notices, want %d opened and %d reminders", n, len(ids), len(ids)*rounds)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"write to jane.doe+atip@example.gc.ca today":    "write to [email] today",
		"my email is a@b.ca":                            "my email is [email]",
		"call 613-555-1234":                             "call [phone]",
		"call (613) 555 1234 now":                       "call [phone] now",
		"call +1 613 555 1234.":                         "call [phone].",
		"call 613.555.1234 or 6135551234":               "call [phone] or [phone]",
		"SIN 123-456-789":                               "SIN [sin]",
		"SIN 123 456 789, please":                       "SIN [sin], please",
		"SIN 123456789":                                 "SIN [sin]",
		"from 192.168.1.20 and 10.0.0.1":                "from [ip] and [ip]",
		"from 192.168.100.200":                          "from [ip]",
		"from 2001:0db8:85a3:0000:0000:8a2e:0370:7334.": "from [ip].",
		"from 2001:db8::1 and fe80::1ff:fe23:4567:890a": "from [ip] and [ip]",
		"loopback ::1 or ::ffff:192.0.2.1":              "loopback [ip] or [ip]",
		// Not personal information: left alone.
		"Privacy Implementation Notice 2021-01, updated in 2021":   "Privacy Implementation Notice 2021-01, updated in 2021",
		"PSU 938 and PSU 938-2":                                    "PSU 938 and PSU 938-2",
		"meeting at 10:30:45, section A.2, Q8":                     "meeting at 10:30:45, section A.2, Q8",
		"version 1.2.3, 50 accounts":                               "version 1.2.3, 50 accounts",
		"Peut-on ouvrir un compte Bluesky? Où est l’ÉFVP de 2019?": "Peut-on ouvrir un compte Bluesky? Où est l’ÉFVP de 2019?",
		"": "",
	} {
		if got := bot.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// The "Français" button re-renders a review answer in French: it names the
// ticket already opened, in French, and opens no second one.
func TestReviewRenderInOtherLanguage(t *testing.T) {
	rig := newReviewRig(t)
	first := rig.ask(t, convA, bluesky)
	if first.Ticket == "" {
		t.Fatalf("no ticket for %q", bluesky)
	}
	fr, err := rig.engine.Render(t.Context(), convA, bot.French, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if fr.Lang != bot.French || fr.Entry != first.Entry || !fr.NeedsReview || fr.Ticket != first.Ticket {
		t.Errorf("re-rendered: lang %s entry %s review %v ticket %q; want French %s true %s",
			fr.Lang, fr.Entry, fr.NeedsReview, fr.Ticket, first.Entry, first.Ticket)
	}
	if want := fmt.Sprintf(bot.Text(bot.French, bot.MsgAlreadyNotified), first.Ticket); !strings.Contains(fr.Answer, want) {
		t.Errorf("French answer %q does not name the ticket (%q)", fr.Answer, want)
	}
	if n := len(rig.allTickets(t)); n != 1 {
		t.Errorf("%d tickets after a re-render, want 1", n)
	}
}

// TestFailedFilingIsRetriedNotReplayed: a review request that could be
// neither filed nor queued is not recorded as answered, so the same event
// delivered again (the "File it now" button) files it once the store is
// back, instead of replaying the failure.
func TestFailedFilingIsRetriedNotReplayed(t *testing.T) {
	rig := newReviewRig(t)
	store := memory.New()
	rig.engine.Dedupe = store
	rig.reviews.RetryDelay = time.Millisecond
	rig.reviews.MaxQueued = 1
	rig.tickets.down.Store(true)
	// Fill the queue with another request.
	if _, err := rig.engine.Handle(t.Context(), bot.Message{Conversation: convB, Text: "review our TikTok plan", EventID: "E-other"}); err != nil {
		t.Fatal(err)
	}
	m := bot.Message{Conversation: convA, Text: "review please look at our Bluesky plan", EventID: "E-file-now"}
	r, err := rig.engine.Handle(t.Context(), m)
	if err != nil || r.Ticket != "" || !strings.Contains(r.Answer, bot.Text(bot.English, bot.MsgTicketFailed)) {
		t.Fatalf("with the store down and the queue full: %+v, %v; want the could-not-file message", r, err)
	}
	rig.tickets.down.Store(false)
	r, err = rig.engine.Handle(t.Context(), m)
	if err != nil || r.Ticket == "" {
		t.Fatalf("the same event once the store is back: ticket %q, %v; want it filed", r.Ticket, err)
	}
	again, err := rig.engine.Handle(t.Context(), m)
	if !errors.Is(err, bot.ErrReplayed) || again.Ticket != r.Ticket {
		t.Errorf("the event a third time: ticket %q, %v; want the filed reply replayed", again.Ticket, err)
	}
}

// TestMyTicketsShowStatusAndResolution: a requester asks for their tickets
// in either language and sees each one's status, and the coordinator's
// resolution once resolved; nobody else's tickets show.
func TestMyTicketsShowStatusAndResolution(t *testing.T) {
	rig := newReviewRig(t)
	ctx := t.Context()
	none := rig.ask(t, convA, "my tickets")
	if none.Intent != "tickets" || none.Answer != bot.Text(bot.English, bot.MsgNoTickets) {
		t.Fatalf("before any ticket: intent %q, answer %q", none.Intent, none.Answer)
	}
	first := rig.ask(t, convA, bluesky)
	rig.clock.Add(time.Hour)
	second := rig.ask(t, convA, "review our intern emailed the client list to the wrong person")
	if first.Ticket == "" || second.Ticket == "" || first.Ticket == second.Ticket {
		t.Fatalf("tickets %q and %q, want two", first.Ticket, second.Ticket)
	}
	list := rig.ask(t, convA, "Show my tickets please")
	if list.Intent != "tickets" || list.NeedsReview {
		t.Fatalf("my tickets: intent %q, review %v", list.Intent, list.NeedsReview)
	}
	lines := strings.Split(list.Answer, "\n")
	if len(lines) != 3 || lines[0] != bot.Text(bot.English, bot.MsgYourTickets) ||
		!strings.HasPrefix(lines[1], "• "+second.Ticket+", opened ") || !strings.HasPrefix(lines[2], "• "+first.Ticket+", opened ") ||
		!strings.HasSuffix(lines[1], bot.Text(bot.English, bot.MsgTicketOpen)) {
		t.Fatalf("my tickets answer:\n%s\nwant the header, then %s and %s, newest first, each waiting", list.Answer, second.Ticket, first.Ticket)
	}
	if _, err := rig.reviews.Claim(ctx, bot.Person{ID: coordinator}, first.Ticket); err != nil {
		t.Fatal(err)
	}
	if _, err := rig.reviews.Resolve(ctx, bot.Person{ID: coordinator}, second.Ticket, "Contained: no notification needed."); err != nil {
		t.Fatal(err)
	}
	fr := rig.ask(t, convA, "où en est ma demande?")
	if fr.Lang != bot.French || !strings.Contains(fr.Answer, second.Ticket+", ouvert le ") ||
		!strings.Contains(fr.Answer, fmt.Sprintf(bot.Text(bot.French, bot.MsgTicketResolved), "Contained: no notification needed.")) ||
		!strings.Contains(fr.Answer, bot.Text(bot.French, bot.MsgTicketClaimed)) {
		t.Errorf("French status answer:\n%s", fr.Answer)
	}
	if other := rig.ask(t, convB, "mes demandes"); other.Answer != bot.Text(bot.French, bot.MsgNoTickets) {
		t.Errorf("another user sees %q, want no tickets", other.Answer)
	}
	// Asking about tickets is not a question about tickets' subjects.
	if q := rig.ask(t, convB, "what must a privacy notice contain?"); q.Intent == "tickets" {
		t.Errorf("a question was taken for the tickets command")
	}
}

// TestAbstentionThatNeedsAPersonOpensATicket: a question the guidance
// cannot answer, but which the learned model reads as a situation for a
// coordinator, gets no answer and no citation, says so, and opens a
// ticket; a question simply outside the guidance opens none.
func TestAbstentionThatNeedsAPersonOpensATicket(t *testing.T) {
	rig := newReviewRig(t)
	r := rig.ask(t, convA, "can we see which of the people who message us are on social assistance")
	if !r.Abstained || len(r.Citations) != 0 || !r.NeedsReview || r.Category != bot.CategoryOtherUse || r.Ticket == "" {
		t.Fatalf("abstained %v, citations %d, review %v %q, ticket %q; want no answer, flagged, a ticket", r.Abstained, len(r.Citations), r.NeedsReview, r.Category, r.Ticket)
	}
	if !strings.HasPrefix(r.Answer, bot.Text(bot.English, bot.MsgAbstainReview)) || !strings.HasSuffix(r.Answer, notifiedText(r.Ticket)) {
		t.Errorf("answer %q", r.Answer)
	}
	tk, err := rig.tickets.Ticket(t.Context(), r.Ticket)
	if err != nil || tk.Category != bot.CategoryOtherUse || len(tk.Citations) != 0 {
		t.Errorf("ticket %+v, %v", tk, err)
	}
	out := rig.ask(t, convB, "what font should we use in our posts?")
	if !out.Abstained || out.NeedsReview || out.Ticket != "" {
		t.Errorf("out of scope: abstained %v, review %v, ticket %q; want a plain abstention", out.Abstained, out.NeedsReview, out.Ticket)
	}
	// A subject the guidance does not cover (an influencer agency) in a
	// situation a detector says needs a person (reusing what people gave
	// for one thing for another): declined, and sent to a coordinator all
	// the same.
	q := "Can we give our subscribers' emails to an influencer agency for another purpose?"
	r = rig.ask(t, bot.ConversationKey{Platform: "slack", Workspace: "T1", Channel: "C3", User: "U3"}, q)
	if !r.Abstained || len(r.Citations) != 0 || !r.NeedsReview || r.Category != bot.CategorySecondaryUse || r.Ticket == "" {
		t.Errorf("%q: abstained %v, citations %d, review %v %q, ticket %q; want no answer, a secondary use flagged, a ticket", q, r.Abstained, len(r.Citations), r.NeedsReview, r.Category, r.Ticket)
	}
	// When the learned model is sure of that situation's entry as well,
	// the out-of-scope word (advertising) does not decline it: answered
	// from the situation's entry (A.6), flagged, a ticket.
	q = "Can we reuse the selfies people submitted for our photo contest in a paid ad campaign next year?"
	r = rig.ask(t, bot.ConversationKey{Platform: "slack", Workspace: "T1", Channel: "C4", User: "U4"}, q)
	if r.Abstained || len(r.Citations) == 0 || r.Citations[0].Key() != "pin-2021-01#A.6" || !r.NeedsReview || r.Category != bot.CategorySecondaryUse || r.Ticket == "" {
		t.Errorf("%q: abstained %v, citations %v, review %v %q, ticket %q; want A.6, a secondary use flagged, a ticket", q, r.Abstained, r.Citations, r.NeedsReview, r.Category, r.Ticket)
	}
}
