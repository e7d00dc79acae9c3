package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/storage/redis/redistest"
)

// TestReviewsCLIRecordsWhereActionsCameFrom claims and resolves a ticket
// with the reviews command: --as proves nothing, so the history says the
// actions came from the command line on this host, and show prints the
// ticket for reading while --json keeps the stored JSON.
func TestReviewsCLIRecordsWhereActionsCameFrom(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := redistest.Start(t)
	rt := openRuntime(t, replicaEnv(srv.URL(), "commsbot-0"))
	defer rt.Close()
	created := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	tk := bot.Ticket{ID: bot.NewTicketID(), Created: created, Category: bot.CategoryBreach, Status: bot.StatusOpen,
		Requester: bot.Person{ID: "slack:U1"}, Origin: bot.Origin{Platform: "slack", Workspace: "T1", Channel: "C1"},
		Lang: bot.English, Question: "an intern cc'd the newsletter list\nwhat now?", Redacted: []string{"name"},
		Answer: "Contain it first.", Citations: []bot.Citation{{Doc: "bc-breach", Section: "step-1", Title: "Privacy Breaches: Tools and Resources"}},
		CitationLabels: []string{"Step 1"},
		History:        []bot.TicketEvent{{At: created, Actor: "slack:U1", Action: "opened", Note: bot.CategoryBreach}}}
	if err := rt.reviews.Store.CreateTicket(ctx, tk); err != nil {
		t.Fatal(err)
	}
	e := replicaEnv(srv.URL(), "cli")
	getenv := func(k string) string { return e[k] }
	run := func(args ...string) string {
		t.Helper()
		var out, errs bytes.Buffer
		if err := runEnv(ctx, args, nil, &out, &errs, getenv); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errs.String())
		}
		return out.String()
	}
	if got := run("reviews", "claim", tk.ID, "--as", testCoordinator); !strings.Contains(got, "is now claimed") {
		t.Errorf("claim printed %q", got)
	}
	run("reviews", "resolve", tk.ID, "--as", testCoordinator, "--note", "Contained; no notification needed.")

	host, _ := os.Hostname()
	var stored bot.Ticket
	if err := json.Unmarshal([]byte(run("reviews", "show", tk.ID, "--as", testCoordinator, "--json")), &stored); err != nil {
		t.Fatalf("show --json is not JSON: %v", err)
	}
	if len(stored.History) != 3 {
		t.Fatalf("history %+v, want opened, claimed, resolved", stored.History)
	}
	if stored.History[0].Via != "" {
		t.Errorf("the platform-made event has via %q", stored.History[0].Via)
	}
	for _, ev := range stored.History[1:] {
		if ev.Actor != testCoordinator || ev.Via != "cli on host "+host {
			t.Errorf("%s event: actor %q via %q, want %q via the CLI on %q", ev.Action, ev.Actor, ev.Via, testCoordinator, host)
		}
	}

	show := run("reviews", "show", tk.ID, "--as", testCoordinator)
	if json.Valid([]byte(show)) {
		t.Fatalf("show printed JSON:\n%s", show)
	}
	for _, want := range []string{
		"Ticket     " + tk.ID,
		"Status     resolved",
		"Requester  slack:U1 (slack, workspace T1, channel C1)",
		"Redacted   name",
		"Question:\n  an intern cc'd the newsletter list\n  what now?\n",
		"Sources:\n  Privacy Breaches: Tools and Resources, Step 1\n",
		"Resolution:\n  Contained; no notification needed.\n",
		"2026-12-01 09:30  opened    slack:U1",
		"claimed   " + testCoordinator + "  (cli on host " + host + ")",
	} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
}
