package discord_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commsbot/commsbot/adapters/discord/discordtest"
	"github.com/commsbot/commsbot/bot"
)

// resolveSubmit is the Resolve modal, with its note, submitted from the
// ticket's message.
func resolveSubmit(ticket, from, msg, note string) map[string]any {
	i := discordtest.Interaction(id(), typeModalSubmit, map[string]any{"custom_id": "resolve:" + ticket, "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "note", "value": note}}},
	}}, from, guild, nil, "en-US")
	i["channel_id"] = atipChannel
	i["message"] = map[string]any{"id": msg, "channel_id": atipChannel, "content": ""}
	return i
}

// postAll posts the interactions at the same moment, each from a goroutine
// of its own, and returns their responses in order.
func postAll(t *testing.T, e *env, is ...map[string]any) []response {
	t.Helper()
	out := make([]response, len(is))
	errs := make([]error, len(is))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for k, i := range is {
		body, err := json.Marshal(i)
		if err != nil {
			t.Fatal(err)
		}
		stamp, sig := e.signer.Sign(body, time.Now())
		wg.Go(func() {
			<-start
			req, err := http.NewRequest(http.MethodPost, e.url, bytes.NewReader(body))
			if err != nil {
				errs[k] = err
				return
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Signature-Timestamp", stamp)
			req.Header.Set("X-Signature-Ed25519", sig)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs[k] = err
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				errs[k] = fmt.Errorf("status %d: %s", resp.StatusCode, b)
				return
			}
			errs[k] = json.Unmarshal(b, &out[k])
		})
	}
	close(start)
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Fatalf("interaction %d: %v", k, err)
		}
	}
	return out
}

// settle files a review ticket of another category and waits for its
// message in the coordinators' channel. The dispatcher hands notices out
// in the order they were queued, one at a time: every notice queued
// before has been delivered by then, and counted under its own category.
func settle(t *testing.T, e *env) {
	t.Helper()
	r := e.mustPost(t, command(otherUser, "review", map[string]string{"details": "a contest on our account"}))
	ticket := ticketRe.FindString(r.Data.text())
	if ticket == "" {
		t.Fatalf("/privacy review opened no ticket:\n%s", r.Data.text())
	}
	e.fake.Wait(t, 10*time.Second, "the last ticket's message", func() bool {
		for _, m := range e.fake.Messages(atipChannel) {
			if strings.Contains(footer(m), ticket) {
				return true
			}
		}
		return false
	})
}

// actions lists a ticket's history.
func actions(t *testing.T, e *env, ticket string) []string {
	t.Helper()
	var out []string
	for _, h := range status(t, e, ticket).History {
		out = append(out, h.Action+" by "+h.Actor)
	}
	return out
}

// notified counts the review notices delivered for a category.
func notified(t *testing.T, e *env, category string) float64 {
	t.Helper()
	return counter(t, e.metrics, "commsbot_reviews_total", map[string]string{"action": "notified", "category": category})
}

// TestClaimAndResolveDeliveredTwice: Discord delivers the same Claim
// press, and then the same Resolve submission, twice. Each is done once —
// one history entry, one notice, one message to the requester — and the
// repeat gets the same update as the first delivery.
func TestClaimAndResolveDeliveredTwice(t *testing.T) {
	e := setup(t)
	ticket, msg := openTicket(t, e, asker)

	claim := press("claim:"+ticket, coordUser, nil, atipChannel, msg)
	first := e.mustPost(t, claim)
	again := e.mustPost(t, claim)
	if first.Type != respUpdate || !strings.Contains(first.Data.text(), "claimed") {
		t.Fatalf("claim: type %d:\n%s", first.Type, first.Data.text())
	}
	if again.Type != respUpdate || again.Data.text() != first.Data.text() {
		t.Errorf("claim delivered again: type %d, want the same update (%d):\n%s", again.Type, respUpdate, again.Data.text())
	}

	const note = "Approved: complete a PIA first."
	submit := resolveSubmit(ticket, coordUser, msg, note)
	done := e.mustPost(t, submit)
	doneAgain := e.mustPost(t, submit)
	if done.Type != respUpdate || !strings.Contains(done.Data.text(), note) {
		t.Fatalf("resolve: type %d:\n%s", done.Type, done.Data.text())
	}
	if doneAgain.Type != respUpdate || doneAgain.Data.text() != done.Data.text() {
		t.Errorf("resolve delivered again: type %d, want the same update (%d):\n%s", doneAgain.Type, respUpdate, doneAgain.Data.text())
	}

	by := "discord:" + coordUser
	if got, want := actions(t, e, ticket), []string{"opened by discord:" + asker, "claimed by " + by, "resolved by " + by}; !slices.Equal(got, want) {
		t.Errorf("history %q, want %q", got, want)
	}
	settle(t, e)
	if n := notified(t, e, bot.CategoryUnreviewedPlatform); n != 3 {
		t.Errorf("%v notices delivered for the ticket, want 3 (opened, claimed, resolved)", n)
	}
	if n := len(e.fake.CallsTo(http.MethodPost, "/channels/dm-"+asker+"/messages")); n != 1 {
		t.Errorf("requester told of the resolution %d times", n)
	}
	if n := len(e.fake.Messages(atipChannel)); n != 2 {
		t.Errorf("%d messages in the coordinators' channel, want one per ticket (2)", n)
	}
}

// TestClaimPressedTwice: a coordinator double-clicks Claim while another
// presses it too — three interactions at once. One claim wins, whichever
// it is; the winner's repeat gets the same update, the other coordinator
// is told, privately and in their language, who has the ticket.
func TestClaimPressedTwice(t *testing.T) {
	e := setup(t)
	ticket, msg := openTicket(t, e, asker)

	rs := postAll(t, e,
		press("claim:"+ticket, coordUser, nil, atipChannel, msg),
		press("claim:"+ticket, coordUser, nil, atipChannel, msg),
		press("claim:"+ticket, roleUser, []string{coordRole}, atipChannel, msg))

	tk := status(t, e, ticket)
	if tk.Status != bot.StatusClaimed {
		t.Fatalf("ticket %s after the presses", tk.Status)
	}
	var claimed []string
	for _, h := range tk.History {
		if h.Action == "claimed" {
			claimed = append(claimed, h.Actor)
		}
	}
	if len(claimed) != 1 || claimed[0] != tk.Claimant {
		t.Fatalf("claimed %d times (%q), want once", len(claimed), claimed)
	}
	if n := counter(t, e.metrics, "commsbot_reviews_total", map[string]string{"action": "claimed"}); n != 1 {
		t.Errorf("claims counted %v times, want 1", n)
	}
	update := func(r response) bool {
		return r.Type == respUpdate && strings.Contains(r.Data.text(), "claimed") && strings.Contains(r.Data.text(), "<@"+strings.TrimPrefix(tk.Claimant, "discord:")+">")
	}
	refused := func(r response, want string) bool {
		return r.Type == respMessage && r.Data.ephemeral() && r.Data.Content == want
	}
	var loser map[string]any
	switch tk.Claimant {
	case "discord:" + coordUser:
		for k, r := range rs[:2] {
			if !update(r) {
				t.Errorf("press %d by the claimant: type %d, want the ticket updated:\n%s", k+1, r.Type, r.Data.text())
			}
		}
		if want := "Ticket " + ticket + " is already claimed by <@" + coordUser + ">."; !refused(rs[2], want) {
			t.Errorf("the other coordinator's press: type %d, %q; want privately %q", rs[2].Type, rs[2].Data.text(), want)
		}
		loser = press("claim:"+ticket, roleUser, []string{coordRole}, atipChannel, msg)
	case "discord:" + roleUser:
		if !update(rs[2]) {
			t.Errorf("press by the claimant: type %d, want the ticket updated:\n%s", rs[2].Type, rs[2].Data.text())
		}
		for k, r := range rs[:2] {
			if want := "Ticket " + ticket + " is already claimed by <@" + roleUser + ">."; !refused(r, want) {
				t.Errorf("the other coordinator's press %d: type %d, %q; want privately %q", k+1, r.Type, r.Data.text(), want)
			}
		}
		loser = press("claim:"+ticket, coordUser, nil, atipChannel, msg)
	default:
		t.Fatalf("claimed by %q", tk.Claimant)
	}
	// The same, for a coordinator whose Discord is in French.
	loser["locale"] = "fr"
	if r, want := e.mustPost(t, loser), "Le billet "+ticket+" est déjà pris en charge par <@"+strings.TrimPrefix(tk.Claimant, "discord:")+">."; !refused(r, want) {
		t.Errorf("a French coordinator's press: type %d, %q; want privately %q", r.Type, r.Data.text(), want)
	}

	settle(t, e)
	if n := notified(t, e, bot.CategoryUnreviewedPlatform); n != 2 {
		t.Errorf("%v notices delivered for the ticket, want 2 (opened, claimed)", n)
	}
	if n := len(e.fake.Messages(atipChannel)); n != 2 {
		t.Errorf("%d messages in the coordinators' channel, want one per ticket (2)", n)
	}

	// Resolved meanwhile: a late press is told so.
	if _, err := e.reviews.Resolve(t.Context(), bot.Person{ID: "discord:" + coordUser}, ticket, "Done."); err != nil {
		t.Fatal(err)
	}
	late := e.mustPost(t, press("claim:"+ticket, coordUser, nil, atipChannel, msg))
	if want := "Ticket " + ticket + " is already resolved."; !refused(late, want) {
		t.Errorf("claim of a resolved ticket: type %d, %q; want privately %q", late.Type, late.Data.text(), want)
	}
	lateFR := press("claim:"+ticket, coordUser, nil, atipChannel, msg)
	lateFR["locale"] = "fr"
	if r, want := e.mustPost(t, lateFR), "Le billet "+ticket+" est déjà résolu."; !refused(r, want) {
		t.Errorf("claim of a resolved ticket, in French: type %d, %q; want privately %q", r.Type, r.Data.text(), want)
	}
}

// TestTicketMessageShowsCategoryLabel: the coordinators read the review
// category in words, in both languages, not its slug.
func TestTicketMessageShowsCategoryLabel(t *testing.T) {
	e := setup(t)
	ticket, _ := openTicket(t, e, asker)
	c := e.fake.WaitCall(t, http.MethodPost, "/channels/"+atipChannel+"/messages", 0)
	var posted message
	c.JSON(t, &posted)
	if !strings.Contains(posted.text(), ticket) {
		t.Fatalf("first message is not about %s:\n%s", ticket, posted.text())
	}
	f := fieldNamed(posted, "Category")
	if f == nil || f.Value != "unreviewed platform · plateforme non examinée" {
		t.Errorf("category field %+v, want the label", f)
	}
}
