package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
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
--as is not authenticated: whoever can reach Redis can act as any coordinator.
Access to Redis is the real control; the ticket's history records each claim
and resolution made here as coming from the command line on this host.
show prints the ticket for reading; --json prints it as stored. export writes every ticket, one JSON object per line (a backup); import
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
	actor := bot.Person{ID: *as, Via: cliVia()}
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
		if *asJSON {
			return writeJSON(stdout, t)
		}
		if sub == "show" {
			return writeTicket(stdout, t)
		}
		fmt.Fprintf(stdout, "%s is now %s\n", t.ID, t.Status)
		return nil
	}
	fmt.Fprintln(stderr, reviewsUsage)
	return fmt.Errorf("unknown reviews subcommand %q", sub)
}

// cliVia names where a command-line action came from, for the ticket's
// history: the host, since --as itself proves nothing.
func cliVia() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return "cli on host " + host
}

// writeTicket prints a ticket for a person to read: its header, the
// question and answer as stored (redacted), the sources and the history.
func writeTicket(w io.Writer, t bot.Ticket) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Ticket\t%s\n", t.ID)
	fmt.Fprintf(tw, "Status\t%s\n", t.Status)
	fmt.Fprintf(tw, "Category\t%s\n", t.Category)
	fmt.Fprintf(tw, "Created\t%s\n", t.Created.UTC().Format("2006-01-02 15:04 MST"))
	req := t.Requester.ID
	if o := t.Origin; o.Platform != "" {
		where := []string{o.Platform}
		if o.Workspace != "" {
			where = append(where, "workspace "+o.Workspace)
		}
		if o.Channel != "" {
			where = append(where, "channel "+o.Channel)
		}
		req += " (" + strings.Join(where, ", ") + ")"
	}
	fmt.Fprintf(tw, "Requester\t%s\n", req)
	if o := t.Origin; o.Permalink != "" {
		fmt.Fprintf(tw, "Link\t%s\n", o.Permalink)
	}
	fmt.Fprintf(tw, "Language\t%s\n", t.Lang)
	if t.Topic != "" {
		fmt.Fprintf(tw, "Topic\t%s\n", t.Topic)
	}
	if len(t.Redacted) > 0 {
		fmt.Fprintf(tw, "Redacted\t%s\n", strings.Join(t.Redacted, ", "))
	}
	if t.Claimant != "" {
		fmt.Fprintf(tw, "Claimant\t%s\n", t.Claimant)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var b strings.Builder
	block := func(title, text string) {
		if text == "" {
			return
		}
		fmt.Fprintf(&b, "\n%s:\n", title)
		for line := range strings.SplitSeq(strings.TrimRight(text, "\n"), "\n") {
			fmt.Fprintf(&b, "  %s\n", line)
		}
	}
	block("Question", t.Question)
	block("Answer given", t.Answer)
	if cs := t.LabelledCitations(); len(cs) > 0 {
		b.WriteString("\nSources:\n")
		for _, c := range cs {
			label := c.Label
			if label == "" {
				label = c.Section
			}
			title := c.Title
			if title == "" {
				title = c.Doc
			}
			fmt.Fprintf(&b, "  %s, %s\n", title, label)
		}
	}
	block("Resolution", t.Resolution)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if len(t.History) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nHistory:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, e := range t.History {
		detail := e.Note
		if e.Via != "" {
			detail = strings.TrimSpace(detail + " (" + e.Via + ")")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", e.At.UTC().Format("2006-01-02 15:04"), e.Action, e.Actor, detail)
	}
	return tw.Flush()
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
