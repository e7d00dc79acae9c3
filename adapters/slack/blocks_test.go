package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/commsbot/commsbot/bot"
)

func TestTrimWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"short enough", 20, "short enough"},
		{"the quick brown fox jumps", 12, "the quick…"},
		{"the quick brown fox jumps", 10, "the quick…"},
		{"the quick, brown fox", 11, "the quick…"},
		{"Privacy Implementation Notice", 15, "Privacy…"},
		{"Supercalifragilistic", 8, "Superca…"}, // one word longer than max: nothing better
		{"l’avis de mise en œuvre", 12, "l’avis de…"},
	} {
		got := trimWords(c.in, c.max)
		if got != c.want {
			t.Errorf("trimWords(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
		if n := utf8.RuneCountInString(got); n > c.max {
			t.Errorf("trimWords(%q, %d) has %d characters", c.in, c.max, n)
		}
	}
}

// TestLongAnswerWithinBlockKitLimits renders an answer far beyond Slack's
// limits and checks the message stays within them, with quotes trimmed on
// word boundaries.
func TestLongAnswerWithinBlockKitLimits(t *testing.T) {
	words := strings.Repeat("personal information collected through official accounts ", 400) // ~23,000 characters
	quote := strings.TrimSpace(strings.Repeat("individuals may request access to their personal information ", 30))
	r := bot.Reply{Lang: bot.English, Intent: "pia-required", Entry: "e", Answer: words, NeedsReview: true,
		ReviewReason: strings.Repeat("why ", 1000), Ticket: "R-ABCDEFGH"}
	for range 80 {
		r.Citations = append(r.Citations, bot.Citation{Doc: "pin-2021-01", Section: "A.9", Title: pinTitle, Label: "Annex A, Q9", Quote: quote})
	}
	fallback, blocks := answerBlocks(r, ref{Team: team, Channel: channel, Thread: strings.Repeat("1", 20), User: asker})
	if len(blocks) > maxBlocks {
		t.Errorf("%d blocks, Slack allows %d", len(blocks), maxBlocks)
	}
	if n := utf8.RuneCountInString(fallback); n > maxFallback {
		t.Errorf("fallback text has %d characters", n)
	}
	b, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var decoded []map[string]any
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	quotes := 0
	for _, bl := range blocks {
		switch bl := bl.(type) {
		case *slack.SectionBlock:
			if n := utf8.RuneCountInString(bl.Text.Text); n > maxSectionText {
				t.Errorf("section with %d characters", n)
			}
		case *slack.ContextBlock:
			for _, el := range bl.ContextElements.Elements {
				tx, ok := el.(*slack.TextBlockObject)
				if !ok {
					continue
				}
				if n := utf8.RuneCountInString(tx.Text); n > maxContextText {
					t.Errorf("context text with %d characters", n)
				}
				_, q, ok := strings.Cut(tx.Text, "“")
				if !ok {
					continue
				}
				quotes++
				q = strings.TrimSuffix(q, "”")
				if !strings.HasSuffix(q, "…") {
					t.Errorf("long quote not trimmed with an ellipsis: %q", q)
				}
				kept := strings.TrimSuffix(q, "…")
				if !strings.HasPrefix(quote, kept) || quote[len(kept)] != ' ' {
					t.Errorf("quote cut mid-word: %q", kept[max(0, len(kept)-30):])
				}
				if utf8.RuneCountInString(kept) > maxQuote {
					t.Errorf("quote of %d characters", utf8.RuneCountInString(kept))
				}
			}
		case *slack.ActionBlock:
			for _, el := range bl.Elements.ElementSet {
				if bt, ok := el.(*slack.ButtonBlockElement); ok && utf8.RuneCountInString(bt.Value) > maxButtonValue {
					t.Errorf("button value of %d characters", utf8.RuneCountInString(bt.Value))
				}
			}
		}
	}
	if quotes == 0 || quotes > maxCitations {
		t.Errorf("%d quotes shown, want 1 to %d", quotes, maxCitations)
	}
	if txt := allText(decoded); !strings.Contains(txt, "… and 70 more sources.") {
		t.Errorf("the citations left out are not counted")
	}
	if !hasButton(decoded, actUp) || !hasButton(decoded, actLang) {
		t.Errorf("buttons lost to the length")
	}
}

func TestTicketBlocksStatus(t *testing.T) {
	now := time.Now()
	tk := bot.Ticket{ID: "R-2345ABCD", Created: now.Add(-5 * time.Hour), Category: bot.CategoryBreach, Status: bot.StatusOpen,
		Requester: bot.Person{ID: "slack:" + asker}, Origin: bot.Origin{Platform: platform, Channel: channel, Thread: "1.1"},
		Lang: bot.French, Question: "we <leaked> a list & more", Answer: "Notify."}
	_, blocks := ticketBlocks(tk, bot.NoticeReminder, now)
	b, _ := json.Marshal(blocks)
	var decoded []map[string]any
	_ = json.Unmarshal(b, &decoded)
	txt := allText(decoded)
	for _, want := range []string{"Reminder", "R-2345ABCD", "privacy breach", "<@" + asker + ">", "<#" + channel + ">", "&lt;leaked&gt; a list &amp; more"} {
		if !strings.Contains(txt, want) {
			t.Errorf("ticket message lacks %q:\n%s", want, txt)
		}
	}
	if !hasButton(decoded, actClaim) || !hasButton(decoded, actResolve) {
		t.Error("open ticket without Claim and Resolve")
	}
	tk.Status, tk.Claimant = bot.StatusResolved, "slack:"+coordUser
	tk.History = []bot.TicketEvent{{Actor: "slack:" + coordUser, Action: "claimed"}, {Actor: "slack:" + groupUser, Action: "resolved"}}
	tk.Resolution = "done"
	_, blocks = ticketBlocks(tk, bot.NoticeResolved, now)
	b, _ = json.Marshal(blocks)
	decoded = nil
	_ = json.Unmarshal(b, &decoded)
	if txt := allText(decoded); !strings.Contains(txt, "Resolved by <@"+groupUser+">") || hasButton(decoded, actClaim) || hasButton(decoded, actResolve) {
		t.Errorf("resolved ticket = %s", txt)
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"<@U0BOT> can we use Threads?":                                 "can we use Threads?",
		"<@U0BOT>   what about <https://threads.net|Threads> &amp; X?": "what about Threads & X?",
		"post in <#C123|comms> about <!here> consent":                  "post in #comms about consent",
		"a &lt;b&gt;": "a <b>",
	} {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFileItNowWhenFilingFailed: a review request the bot could not file
// (store down, queue full) offers a "File it now" button; a filed one and
// a queued one (which carries its ticket id) do not.
func TestFileItNowWhenFilingFailed(t *testing.T) {
	failed := bot.Reply{Lang: bot.English, Intent: "review", NeedsReview: true, Answer: bot.Text(bot.English, bot.MsgTicketFailed)}
	_, blocks := answerBlocks(failed, ref{Team: team, Channel: channel, User: asker})
	b, _ := json.Marshal(blocks)
	if !strings.Contains(string(b), "File it now") || !strings.Contains(string(b), actReview) {
		t.Errorf("failed review request: no File it now button in %s", b)
	}
	for _, r := range []bot.Reply{
		{Lang: bot.English, Intent: "review", NeedsReview: true, Ticket: "R-FILED234", Answer: "filed"},
		{Lang: bot.English, Intent: "review", NeedsReview: true, Ticket: "R-QUEUED23", Answer: "queued"},
	} {
		_, blocks := answerBlocks(r, ref{Team: team, Channel: channel, User: asker})
		if b, _ := json.Marshal(blocks); strings.Contains(string(b), "File it now") {
			t.Errorf("%s: File it now offered with ticket %s", r.Answer, r.Ticket)
		}
	}
}

// TestTicketPostSaysAnnexQuestion: a ticket read back from the store (JSON,
// which leaves citation labels out of Citation) still shows "Annex A, Q9",
// not "A.9".
func TestTicketPostSaysAnnexQuestion(t *testing.T) {
	tk := bot.Ticket{ID: "R-LABEL234", Created: time.Now(), Category: bot.CategoryUnreviewedPlatform, Status: bot.StatusOpen, Lang: bot.English,
		Citations:      []bot.Citation{{Doc: "pin-2021-01", Section: "A.9", Title: "Privacy Implementation Notice 2021-01", Label: "Annex A, Q9", Quote: "If a different platform is chosen, a PIA may be required."}},
		CitationLabels: []string{"Annex A, Q9"}}
	b, err := json.Marshal(tk)
	if err != nil {
		t.Fatal(err)
	}
	var stored bot.Ticket
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	_, blocks := ticketBlocks(stored, bot.NoticeOpened, time.Now())
	out, _ := json.Marshal(blocks)
	if !strings.Contains(string(out), "Annex A, Q9") {
		t.Errorf("ticket post without the citation's label: %s", out)
	}
}
