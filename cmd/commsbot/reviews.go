package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/commsbot/commsbot/bot"
)

const reviewsUsage = `usage:
  commsbot reviews list [--status open|claimed|resolved] [--json] --as USER
  commsbot reviews show ID [--json] --as USER
  commsbot reviews claim ID --as USER
  commsbot reviews resolve ID --as USER --note TEXT
  commsbot reviews export > tickets.jsonl
  commsbot reviews import < tickets.jsonl
USER is a platform-qualified id listed in ATIP_COORDINATORS, e.g. slack:U123.
export writes every ticket, one JSON object per line (a backup); import
restores such a file without notifying anyone and skips tickets that exist.
Both are operator tools: access to Redis is what controls them.`

// reviewsCmd is the coordinators' command line, against the configured
// store (REDIS_URL).
func reviewsCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, reviewsUsage)
		return errors.New("reviews needs a subcommand")
	}
	sub, rest := args[0], args[1:]
	var id string
	if sub != "list" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		id, rest = rest[0], rest[1:]
	}
	fs := flag.NewFlagSet("reviews "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	as := fs.String("as", "", "your platform-qualified user id (must be in ATIP_COORDINATORS)")
	status := fs.String("status", "", "list only tickets with this status")
	asJSON := fs.Bool("json", false, "print JSON")
	note := fs.String("note", "", "resolution note")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if id == "" && fs.NArg() > 0 {
		id = fs.Arg(0)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if !cfg.hasRedis() {
		fmt.Fprintln(stderr, "commsbot: REDIS_URL is not set: tickets live only inside a running commsbot, so there are none to see here.")
	}
	rt, err := newRuntime(ctx, cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer rt.Close()
	switch sub {
	case "export":
		return exportTickets(ctx, rt.reviews.Store, stdout)
	case "import":
		return importTickets(ctx, rt.reviews.Store, stdin, stdout)
	}
	actor := bot.Person{ID: *as}
	if *as == "" {
		return errors.New("--as USER is required (a platform-qualified id listed in ATIP_COORDINATORS)")
	}
	r := rt.reviews
	switch sub {
	case "list":
		st := bot.TicketStatus(*status)
		switch st {
		case "", bot.StatusOpen, bot.StatusClaimed, bot.StatusResolved:
		default:
			return fmt.Errorf("--status must be open, claimed or resolved, not %q", *status)
		}
		ts, err := r.List(ctx, actor, st)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, ts)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCREATED\tSTATUS\tCATEGORY\tREQUESTER\tCLAIMANT")
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Created.Format(time.DateTime), t.Status, t.Category, t.Requester.ID, t.Claimant)
		}
		return tw.Flush()
	case "show", "claim", "resolve":
		if id == "" {
			return fmt.Errorf("reviews %s needs a ticket id", sub)
		}
		var t bot.Ticket
		switch sub {
		case "show":
			t, err = r.Show(ctx, actor, id)
		case "claim":
			t, err = r.Claim(ctx, actor, id)
		case "resolve":
			t, err = r.Resolve(ctx, actor, id, *note)
		}
		if err != nil {
			return err
		}
		if *asJSON || sub == "show" {
			return writeJSON(stdout, t)
		}
		fmt.Fprintf(stdout, "%s is now %s\n", t.ID, t.Status)
		return nil
	}
	fmt.Fprintln(stderr, reviewsUsage)
	return fmt.Errorf("unknown reviews subcommand %q", sub)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// exportTickets writes every ticket as JSON lines, oldest first.
func exportTickets(ctx context.Context, store bot.TicketStore, w io.Writer) error {
	ts, err := store.Tickets(ctx, "")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	for i := len(ts) - 1; i >= 0; i-- {
		if err := enc.Encode(ts[i]); err != nil {
			return err
		}
	}
	return nil
}

// importTickets restores tickets from JSON lines; it says how many were
// restored and skipped, and stops at the first line it cannot read.
func importTickets(ctx context.Context, store bot.TicketStore, r io.Reader, w io.Writer) error {
	rs, ok := store.(bot.TicketRestorer)
	if !ok {
		return errors.New("this store cannot restore tickets")
	}
	dec := json.NewDecoder(r)
	restored, skipped := 0, 0
	for line := 1; ; line++ {
		var t bot.Ticket
		err := dec.Decode(&t)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("ticket %d: %w (%d restored before it)", line, err, restored)
		}
		if t.ID == "" || t.Created.IsZero() || t.Status == "" {
			return fmt.Errorf("ticket %d: id, created and status are required (%d restored before it)", line, restored)
		}
		ok, err := rs.RestoreTicket(ctx, t)
		if err != nil {
			return fmt.Errorf("ticket %s: %w (%d restored before it)", t.ID, err, restored)
		}
		if ok {
			restored++
		} else {
			skipped++
		}
	}
	fmt.Fprintf(w, "%d tickets restored, %d already there\n", restored, skipped)
	return nil
}
