package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/storage/redis/redistest"
)

const testCoordinator = "slack:UCOORD"

// replicaEnv is the environment of one replica on a shared Redis.
func replicaEnv(redisURL, replica string) map[string]string {
	return map[string]string{
		"REDIS_URL":         redisURL,
		"COMMSBOT_REPLICA":  replica,
		"ATIP_COORDINATORS": testCoordinator,
		// No chat platform here, on purpose: serve would refuse to start.
		"COMMSBOT_NO_PLATFORM": "on",
	}
}

// openRuntime builds a runtime as serve does, reviews enabled. The caller
// closes it.
func openRuntime(t testing.TB, env map[string]string) *runtime {
	t.Helper()
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Not the test's log: go-redis's logger is process-wide and outlives
	// the test.
	rt, err := newRuntime(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("newRuntime: %v", err)
	}
	rt.enableReviews()
	return rt
}

// noticeLog is a Notifier that records every notice it delivers, shared by
// several runtimes.
type noticeLog struct {
	mu  sync.Mutex
	got []string // kind:ticket
}

func (*noticeLog) Platform() string { return "" }

func (n *noticeLog) Notify(_ context.Context, kind string, t bot.Ticket) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, kind+":"+t.ID)
	return nil
}

func (n *noticeLog) delivered() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.got)
}

var slackConv = bot.ConversationKey{Platform: "slack", Workspace: "T1", Channel: "C1", Thread: "1700000000.0001", User: "U1"}

// TestReplicasShareRedis runs three replicas on one Redis, as the
// Kubernetes deployment does: a platform event delivered to all three is
// answered once, opens one ticket and notifies once; tickets outlive the
// replicas.
func TestReplicasShareRedis(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	notices := &noticeLog{}
	var rts []*runtime
	for i := range 3 {
		rt := openRuntime(t, replicaEnv(srv.URL(), fmt.Sprint("commsbot-", i)))
		t.Cleanup(func() { rt.Close() })
		rt.reviews.Notifiers = []bot.Notifier{notices}
		rts = append(rts, rt)
	}

	msg := bot.Message{Conversation: slackConv, Text: "Can we open an account on Bluesky?", EventID: "Ev0001", UserName: "Dana"}
	replies := make([]bot.Reply, len(rts))
	errs := make([]error, len(rts))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, rt := range rts {
		wg.Go(func() {
			<-start
			replies[i], errs[i] = rt.engine.Handle(ctx, msg)
		})
	}
	close(start)
	wg.Wait()
	var answered []bot.Reply
	for i, err := range errs {
		switch {
		case err == nil:
			answered = append(answered, replies[i])
		case !errors.Is(err, bot.ErrDuplicate):
			t.Errorf("replica %d: %v", i, err)
		}
	}
	if len(answered) != 1 {
		t.Fatalf("%d replicas answered the event, want exactly 1 (errors %v)", len(answered), errs)
	}
	reply := answered[0]
	if reply.Ticket == "" || !strings.Contains(reply.Answer, reply.Ticket) {
		t.Fatalf("reply names no ticket: %q", reply.Answer)
	}
	tickets, err := rts[1].stores.Tickets(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(tickets) != 1 || tickets[0].ID != reply.Ticket {
		t.Fatalf("tickets in Redis: %d, want just %s", len(tickets), reply.Ticket)
	}

	// Every replica runs its dispatcher: the notice is delivered once.
	for range 3 {
		for _, rt := range rts {
			wg.Go(func() {
				if _, err := rt.reviews.DeliverNext(ctx, rt.cfg.Replica, 100*time.Millisecond); err != nil {
					t.Errorf("%s: DeliverNext: %v", rt.cfg.Replica, err)
				}
			})
		}
		wg.Wait()
	}
	if got, want := notices.delivered(), []string{bot.NoticeOpened + ":" + reply.Ticket}; !slices.Equal(got, want) {
		t.Errorf("delivered %v, want %v", got, want)
	}

	// A restart of the bot: every replica goes, a new one comes.
	for _, rt := range rts {
		if err := rt.Close(); err != nil {
			t.Fatal(err)
		}
	}
	rt := openRuntime(t, replicaEnv(srv.URL(), "commsbot-0"))
	defer rt.Close()
	listed, err := rt.reviews.List(ctx, bot.Person{ID: testCoordinator}, bot.StatusOpen)
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || listed[0].ID != reply.Ticket || listed[0].Requester.ID != "slack:U1" {
		t.Fatalf("after the restart, open tickets %+v; want %s", listed, reply.Ticket)
	}
	// So is the conversation: the same question points at the same ticket.
	again, err := rt.engine.Handle(ctx, bot.Message{Conversation: slackConv, Text: msg.Text, EventID: "Ev0002"})
	if err != nil || again.Ticket != reply.Ticket {
		t.Errorf("asked again after the restart: ticket %q, %v; want %s", again.Ticket, err, reply.Ticket)
	}
	// The delivered notice is not delivered again.
	rt.reviews.Notifiers = []bot.Notifier{notices}
	if ok, err := rt.reviews.DeliverNext(ctx, rt.cfg.Replica, 100*time.Millisecond); ok || err != nil {
		t.Errorf("DeliverNext after the restart: %v, %v", ok, err)
	}
}

func getStatus(t *testing.T, url string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitStatus polls url until it answers want.
func waitStatus(t *testing.T, url string, want int) {
	t.Helper()
	deadline := reportBy(t)
	for {
		code, body := getStatus(t, url)
		if code == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %d %q; want %d", url, code, strings.TrimSpace(body), want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRedisDown stops Redis under a running replica: questions are still
// answered, without memory and without claiming a ticket was filed; the
// replica is not ready until Redis is back, and recovers without a restart.
func TestRedisDown(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	env := replicaEnv(srv.URL(), "commsbot-0")
	rt := openRuntime(t, env)
	defer rt.Close()
	base := startServe(t, replicaEnv(srv.URL(), "commsbot-1"))
	waitStatus(t, base+"/readyz", http.StatusOK)

	srv.Stop()
	conv := slackConv
	conv.Thread = "down"
	start := time.Now()
	r, err := rt.engine.Handle(ctx, bot.Message{Conversation: conv, Text: "Can we open an account on Bluesky?", EventID: "Ev-down-1"})
	took := time.Since(start)
	t.Logf("Handle with Redis down took %v: %v", took, err)
	if !errors.Is(err, bot.ErrNoState) {
		t.Errorf("Handle with Redis down: error %v, want one wrapping ErrNoState", err)
	}
	if r.Entry == "" || len(r.Citations) == 0 || !r.NeedsReview {
		t.Errorf("no cited answer with Redis down: %+v", r)
	}
	// The request is queued under its ticket id, honestly: not "notified".
	queued := r.Ticket
	if queued == "" || strings.Contains(r.Answer, "has been notified") ||
		!strings.Contains(r.Answer, fmt.Sprintf(bot.Text(bot.English, bot.MsgTicketQueued), queued)) || !strings.Contains(r.Answer, "ATIP office") {
		t.Errorf("with Redis down: ticket %q, answer %q; want the queued message with its id", r.Ticket, r.Answer)
	}

	waitStatus(t, base+"/readyz", http.StatusServiceUnavailable)
	// It says what is down, never where (addresses go to the log only).
	if _, body := getStatus(t, base+"/readyz"); body != "not ready: redis unavailable\n" {
		t.Errorf("/readyz with Redis down says %q", body)
	}
	if code, _ := getStatus(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz with Redis down: %d; the process is alive", code)
	}
	rec := httptest.NewRecorder()
	rt.metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	metricsText := rec.Body.String()
	for _, want := range []string{
		`commsbot_reviews_total{action="failed",category="unreviewed-platform"} 1`,
		`commsbot_reviews_total{action="queued",category="unreviewed-platform"} 1`,
		`commsbot_events_total{event="state-unavailable"}`,
	} {
		if !strings.Contains(metricsText, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	srv.Restart()
	waitStatus(t, base+"/readyz", http.StatusOK)
	// The replica reconnects by itself: the queued ticket is filed under
	// the id the user was given, and new questions are answered with
	// memory again.
	deadline := reportBy(t)
	for {
		n, err := rt.reviews.FlushQueued(ctx)
		if err == nil && n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queued ticket not filed after Redis came back: %d, %v", n, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if tk, err := rt.stores.Ticket(ctx, queued); err != nil || tk.Status != bot.StatusOpen {
		t.Errorf("queued ticket %s after Redis came back: %+v, %v", queued, tk, err)
	}
	for i := 0; ; i++ {
		conv.Thread = fmt.Sprint("up-", i)
		r, err = rt.engine.Handle(ctx, bot.Message{Conversation: conv, Text: "Can we open an account on Mastodon?", EventID: fmt.Sprint("Ev-up-", i)})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Handle after Redis came back: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r.Ticket == "" || !strings.Contains(r.Answer, r.Ticket) || r.Ticket == queued {
		t.Errorf("after Redis came back: ticket %q, answer %q", r.Ticket, r.Answer)
	}
	if _, err := rt.stores.Ticket(ctx, r.Ticket); err != nil {
		t.Errorf("ticket %s named in the reply: %v", r.Ticket, err)
	}
}
