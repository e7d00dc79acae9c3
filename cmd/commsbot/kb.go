package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/intents"
	"github.com/commsbot/commsbot/knowledge"
)

func kbCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		return errors.New("usage: commsbot kb check | commsbot kb inbox [--jsonl] [--limit N]")
	}
	kb, err := knowledge.Load()
	if err != nil {
		return err
	}
	if err := checkEntries(kb); err != nil {
		return err
	}
	cover := map[string][]string{}
	for _, id := range kb.Entries() {
		e, _ := kb.Entry(id)
		for _, c := range e.Cites {
			k := c.Doc + "#" + c.Section
			if !slices.Contains(cover[k], id) {
				cover[k] = append(cover[k], id)
			}
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SECTION\tHEADING\tANSWERED BY")
	missing := 0
	for _, k := range kb.Sections() {
		doc, id, _ := strings.Cut(k, "#")
		s, _ := kb.Section(doc, id, bot.English)
		by := strings.Join(cover[k], ", ")
		if by == "" {
			by = "— (no answer)"
			missing++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", k, trim(s.Heading, 48), by)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%d entries, %d sections, %d without an answer. Knowledge base OK.\n", len(kb.Entries()), len(kb.Sections()), missing)
	return nil
}

func trim(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func explainCmd(args []string, stdout io.Writer) error {
	kb, err := knowledge.Load()
	if err != nil {
		return err
	}
	c, err := intents.NewWith(kb.Examples(), kb.PrimarySections(), kb.Situations())
	if err != nil {
		return err
	}
	q := strings.Join(args, " ")
	u := c.Understand(q, bot.State{}, "")
	fmt.Fprintf(stdout, "lang %s  intent %q  entry %q  confidence %.2f  abstain %q  review %v %s\nslots %+v\n",
		u.Lang, u.Intent, u.Entry, u.Confidence, u.Abstain, u.Review, u.Category, u.Slots)
	if len(u.Clarify) > 0 {
		fmt.Fprintf(stdout, "clarify: %s\n", strings.Join(u.Clarify, ", "))
	}
	if u.Focus != "" {
		fmt.Fprintf(stdout, "focus: %s (its quote leads the citations)\n", u.Focus)
	}
	fmt.Fprintln(stdout, "cue engine:")
	for i, s := range c.Scores(q) {
		if i >= 6 || s.Score == 0 {
			break
		}
		fmt.Fprintf(stdout, "  %5.2f  %-22s %s\n", s.Score, s.Intent, strings.Join(s.Cues, ", "))
	}
	fmt.Fprintln(stdout, "learned model:")
	for i, cd := range c.Learned(q) {
		if i >= 4 {
			break
		}
		fmt.Fprintf(stdout, "  %4.2f  %s\n", cd.P, cd.Entry)
	}
	if p, ok := c.Situation(q); ok {
		fmt.Fprintf(stdout, "learned review model: %.2f that the situation needs a coordinator (flags at %.2f)\n", p, intents.LearnedSituation)
	}
	fmt.Fprintln(stdout, "review detectors:")
	if len(u.Detectors) == 0 {
		fmt.Fprintln(stdout, "  none fired")
	}
	for _, d := range u.Detectors {
		fmt.Fprintf(stdout, "  %-20s %s\n", d.Category, d.Evidence)
	}
	return nil
}

// inboxCmd lists what use taught (clarification choices, 👎, abstentions,
// resolutions), newest first, or exports it with --jsonl as lines in the
// question-set format, for an analyst to label and add as examples. The
// inbox lives in Redis: without it there is nothing kept to list.
func inboxCmd(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("kb inbox", flag.ContinueOnError)
	jsonl := fs.Bool("jsonl", false, "export as question-set lines")
	limit := fs.Int("limit", 200, "how many items, newest first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if !cfg.hasRedis() {
		return errors.New("kb inbox: the inbox is kept in Redis; set REDIS_URL (a memory store's inbox ends with its process)")
	}
	rt, err := newRuntime(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer rt.Close()
	items, err := rt.redis.Inbox(ctx, *limit)
	if err != nil {
		return err
	}
	kb, err := knowledge.Load()
	if err != nil {
		return err
	}
	primary := kb.PrimarySections()
	if *jsonl {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		for i, it := range items {
			expect := []string{}
			if s := primary[it.Entry]; s != "" && it.Kind == bot.InboxChoice {
				expect = append(expect, s)
			}
			line := map[string]any{"id": fmt.Sprintf("inbox-%d", i+1), "q": it.Question, "lang": it.Lang, "expect": expect,
				"kind": it.Kind, "entry": it.Entry, "at": it.At.UTC().Format(time.RFC3339)}
			if it.Note != "" {
				line["note"] = it.Note
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tKIND\tLANG\tENTRY\tQUESTION")
	for _, it := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.At.UTC().Format("2006-01-02 15:04"), it.Kind, it.Lang, cmp.Or(it.Entry, "—"), trim(it.Question, 80))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%d items. Export with --jsonl, label, and add the questions to knowledge/examples/.\n", len(items))
	return nil
}
