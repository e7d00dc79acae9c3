package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/storage/redis/redistest"
)

// TestReviewsExportImport backs tickets up from one Redis and restores
// them into an empty one: every ticket comes back as it was, no notice is
// queued for coordinators, and a second import restores nothing.
func TestReviewsExportImport(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	src, dst := redistest.Start(t), redistest.Start(t)
	rt := openRuntime(t, replicaEnv(src.URL(), "commsbot-0"))
	defer rt.Close()
	now := time.Now().UTC().Truncate(time.Millisecond)
	want := map[string]bot.TicketStatus{}
	for i, st := range []bot.TicketStatus{bot.StatusOpen, bot.StatusClaimed, bot.StatusResolved} {
		tk := bot.Ticket{ID: bot.NewTicketID(), Created: now.Add(time.Duration(i) * time.Minute), Category: bot.CategoryBreach,
			Status: bot.StatusOpen, Lang: bot.French, Question: "on a perdu une clé USB", History: []bot.TicketEvent{{At: now, Actor: "slack:U1", Action: "opened"}}}
		if err := rt.reviews.Store.CreateTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		if st != bot.StatusOpen {
			if _, err := rt.reviews.Store.UpdateTicket(ctx, tk.ID, "", func(t *bot.Ticket) error { t.Status = st; return nil }); err != nil {
				t.Fatal(err)
			}
		}
		want[tk.ID] = st
	}
	env := func(url string) func(string) string {
		e := replicaEnv(url, "cli")
		return func(k string) string { return e[k] }
	}
	var backup, errs bytes.Buffer
	if err := runEnv(ctx, []string{"reviews", "export"}, nil, &backup, &errs, env(src.URL())); err != nil {
		t.Fatalf("export: %v (%s)", err, errs.String())
	}
	if n := strings.Count(backup.String(), "\n"); n != 3 {
		t.Fatalf("export wrote %d lines, want 3:\n%s", n, backup.String())
	}
	var out bytes.Buffer
	if err := runEnv(ctx, []string{"reviews", "import"}, strings.NewReader(backup.String()), &out, &errs, env(dst.URL())); err != nil {
		t.Fatalf("import: %v (%s)", err, errs.String())
	}
	if !strings.Contains(out.String(), "3 tickets restored, 0 already there") {
		t.Errorf("import said %q", out.String())
	}
	restored := openRuntime(t, replicaEnv(dst.URL(), "commsbot-1"))
	defer restored.Close()
	for id, st := range want {
		tk, err := restored.reviews.Store.Ticket(ctx, id)
		if err != nil || tk.Status != st || tk.Question != "on a perdu une clé USB" || len(tk.History) == 0 {
			t.Errorf("restored %s: %+v, %v; want status %s and its question and history", id, tk, err, st)
		}
	}
	if open, err := restored.reviews.Store.Tickets(ctx, bot.StatusOpen); err != nil || len(open) != 1 {
		t.Errorf("open tickets after restore: %d, %v; want 1", len(open), err)
	}
	if delivered, err := restored.reviews.DeliverNext(ctx, "test", 100*time.Millisecond); err != nil || delivered {
		t.Errorf("a notice was queued by the import (%v, %v): coordinators would hear of old tickets again", delivered, err)
	}
	out.Reset()
	if err := runEnv(ctx, []string{"reviews", "import"}, strings.NewReader(backup.String()), &out, &errs, env(dst.URL())); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 tickets restored, 3 already there") {
		t.Errorf("second import said %q", out.String())
	}
	if err := runEnv(ctx, []string{"reviews", "import"}, strings.NewReader("{not json\n"), &out, &errs, env(dst.URL())); err == nil {
		t.Error("import of a broken file: no error")
	}
}
