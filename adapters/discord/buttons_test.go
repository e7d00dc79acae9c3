package discord_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/commsbot/commsbot/adapters/discord/discordtest"
	"github.com/commsbot/commsbot/bot"
)

const consentQ = "do we need consent to add someone to a mailing list?"

// press is a button press on a message in a channel.
func press(customID, from string, roles []string, channel, messageID string) map[string]any {
	i := discordtest.Interaction(id(), typeComponent, map[string]any{"custom_id": customID, "component_type": 2}, from, guild, roles, "en-US")
	i["channel_id"] = channel
	i["message"] = map[string]any{"id": messageID, "channel_id": channel, "content": ""}
	return i
}

func TestFeedbackButtonsAreCounted(t *testing.T) {
	e := setup(t)
	r := e.mustPost(t, ask(asker, consentQ, "en-US"))
	up, ok := r.Data.button("fb:up:")
	down, ok2 := r.Data.button("fb:down:")
	if !ok || !ok2 || up.Label != "👍" || down.Label != "👎" {
		t.Fatalf("no 👍 / 👎 buttons:\n%s", r.Data.text())
	}
	intent := strings.TrimPrefix(up.CustomID, "fb:up:")
	for _, b := range []button{up, up, down} {
		fb := e.mustPost(t, press(b.CustomID, otherUser, nil, "chan-1", "msg-1"))
		if fb.Type != respMessage || !fb.Data.ephemeral() || !strings.Contains(fb.Data.Content, "Thanks") {
			t.Errorf("feedback answered with type %d, %q", fb.Type, fb.Data.text())
		}
	}
	if n := counter(t, e.metrics, "commsbot_feedback_total", map[string]string{"intent": intent, "vote": "up"}); n != 2 {
		t.Errorf("👍 counted %v times, want 2", n)
	}
	if n := counter(t, e.metrics, "commsbot_feedback_total", map[string]string{"intent": intent, "vote": "down"}); n != 1 {
		t.Errorf("👎 counted %v times, want 1", n)
	}
	// A forged intent label does not become a metric label.
	e.mustPost(t, press("fb:up:<script>", otherUser, nil, "chan-1", "msg-1"))
	if n := counter(t, e.metrics, "commsbot_feedback_total", map[string]string{"intent": "other", "vote": "up"}); n != 1 {
		t.Errorf("odd intent label counted %v times as other, want 1", n)
	}
}

func TestAskCoordinatorButtonOpensTicket(t *testing.T) {
	e := setup(t)
	r := e.mustPost(t, ask(asker, consentQ, "en-US"))
	if ticketRe.MatchString(r.Data.text()) {
		t.Fatalf("a consent answer should not open a ticket by itself:\n%s", r.Data.text())
	}
	b, ok := r.Data.button("review")
	if !ok || b.Label != "Ask an ATIP coordinator" {
		t.Fatalf("no Ask an ATIP coordinator button:\n%s", r.Data.text())
	}
	got := e.mustPost(t, press(b.CustomID, asker, nil, "chan-1", "msg-1"))
	if !got.Data.ephemeral() {
		t.Error("the review confirmation should be private")
	}
	ticket := ticketRe.FindString(got.Data.text())
	if ticket == "" {
		t.Fatalf("no ticket in the confirmation:\n%s", got.Data.text())
	}
	tk, err := e.tickets.Ticket(context.Background(), ticket)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Requester.ID != "discord:"+asker || tk.Status != bot.StatusOpen {
		t.Errorf("ticket %+v", tk)
	}
	c := e.fake.WaitCall(t, http.MethodPost, "/channels/"+atipChannel+"/messages", 0)
	var posted message
	c.JSON(t, &posted)
	if !strings.Contains(posted.text(), ticket) {
		t.Errorf("coordinators' channel message is not about %s:\n%s", ticket, posted.text())
	}
}

func TestLanguageButtonRerenders(t *testing.T) {
	e := setup(t)
	r := e.mustPost(t, ask(asker, consentQ, "en-US"))
	b, ok := r.Data.button("lang:fr:" + asker)
	if !ok || b.Label != "Français" {
		t.Fatalf("no Français button:\n%s", r.Data.text())
	}
	// The asker's answer changes language in place.
	fr := e.mustPost(t, press(b.CustomID, asker, nil, "chan-1", "msg-1"))
	if fr.Type != respUpdate {
		t.Fatalf("Français: response type %d, want %d (update in place)", fr.Type, respUpdate)
	}
	if d := fr.Data.Embeds[0].Description; !strings.Contains(d, "consentement") {
		t.Errorf("Français: not French: %q", d)
	}
	citation(t, fr.Data, "Avis de mise en œuvre")
	en, ok := fr.Data.button("lang:en:" + asker)
	if !ok || en.Label != "English" {
		t.Fatalf("no English button on the French answer:\n%s", fr.Data.text())
	}
	back := e.mustPost(t, press(en.CustomID, asker, nil, "chan-1", "msg-1"))
	if back.Type != respUpdate || !strings.Contains(back.Data.Embeds[0].Description, "consent is required") {
		t.Errorf("English: type %d, %q", back.Type, back.Data.text())
	}
	// Someone else pressing it gets the button's answer, privately, and the
	// asker's message is left alone — whatever that user asked last.
	e.mustPost(t, ask(otherUser, "can we use Threads?", "en-US"))
	other := e.mustPost(t, press(b.CustomID, otherUser, nil, "chan-1", "msg-1"))
	if other.Type != respMessage || !other.Data.ephemeral() {
		t.Fatalf("another user's press: type %d, ephemeral %v", other.Type, other.Data.ephemeral())
	}
	if d := other.Data.Embeds[0].Description; !strings.Contains(d, "consentement") || strings.Contains(d, "Threads") {
		t.Errorf("another user's press should render the button's answer in French: %q", d)
	}
}

// TestLanguageButtonKeepsItsAnswer: the button re-renders the answer it
// belongs to, not the conversation's latest, and still does after forget.
func TestLanguageButtonKeepsItsAnswer(t *testing.T) {
	e := setup(t)
	first := e.mustPost(t, ask(asker, "can we use LinkedIn?", "en-US"))
	b, ok := first.Data.button("lang:fr:" + asker)
	if !ok {
		t.Fatalf("no Français button:\n%s", first.Data.text())
	}
	e.mustPost(t, ask(asker, consentQ, "en-US"))
	fr := e.mustPost(t, press(b.CustomID, asker, nil, "chan-1", "msg-1"))
	if d := fr.Data.Embeds[0].Description; !strings.Contains(d, "LinkedIn") || strings.Contains(d, "liste de diffusion") {
		t.Errorf("Français on the LinkedIn answer shows %q", d)
	}
	e.mustPost(t, ask(asker, "forget me", "en-US"))
	again := e.mustPost(t, press(b.CustomID, asker, nil, "chan-1", "msg-1"))
	if d := again.Data.Embeds[0].Description; !strings.Contains(d, "LinkedIn") || !strings.Contains(d, "examinées") {
		t.Errorf("after forget, Français shows %q", d)
	}
}

// openTicket asks about Threads, which opens a ticket, and returns the
// ticket id and the id of its message in the coordinators' channel.
func openTicket(t *testing.T, e *env, from string) (ticket, msgID string) {
	t.Helper()
	r := e.mustPost(t, ask(from, threadsQ, "en-US"))
	ticket = ticketRe.FindString(r.Data.text())
	if ticket == "" {
		t.Fatalf("no ticket:\n%s", r.Data.text())
	}
	e.fake.Wait(t, 10*time.Second, "ticket message", func() bool {
		for _, m := range e.fake.Messages(atipChannel) {
			if strings.Contains(footer(m), ticket) {
				msgID = m["id"].(string)
				return true
			}
		}
		return false
	})
	return ticket, msgID
}

func footer(m map[string]any) string {
	embeds, _ := m["embeds"].([]any)
	for _, e := range embeds {
		if f, ok := e.(map[string]any)["footer"].(map[string]any); ok {
			s, _ := f["text"].(string)
			return s
		}
	}
	return ""
}

func status(t *testing.T, e *env, ticket string) bot.Ticket {
	t.Helper()
	tk, err := e.tickets.Ticket(context.Background(), ticket)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestCoordinatorWorkflow(t *testing.T) {
	e := setup(t)
	ticket, msg := openTicket(t, e, asker)

	// Someone who is not a coordinator can neither claim nor resolve.
	for _, b := range []string{"claim:" + ticket, "resolve:" + ticket} {
		r := e.mustPost(t, press(b, otherUser, []string{"some-other-role"}, atipChannel, msg))
		if r.Type != respMessage || !r.Data.ephemeral() || r.Data.Content != notCoordinatorText {
			t.Errorf("%s by a non-coordinator: type %d, ephemeral %v, %q", b, r.Type, r.Data.ephemeral(), r.Data.Content)
		}
	}
	// A role id in a direct message (no member, no roles) proves nothing.
	dm := discordtest.Interaction(id(), typeComponent, map[string]any{"custom_id": "claim:" + ticket, "component_type": 2}, roleUser, "", nil, "en-US")
	if r := e.mustPost(t, dm); r.Data.Content != notCoordinatorText {
		t.Errorf("claim from a direct message: %q", r.Data.text())
	}
	if tk := status(t, e, ticket); tk.Status != bot.StatusOpen {
		t.Fatalf("refused claims changed the ticket: %s", tk.Status)
	}

	// A holder of DISCORD_COORDINATOR_ROLE claims it: the message changes
	// in place.
	r := e.mustPost(t, press("claim:"+ticket, roleUser, []string{"some-other-role", coordRole}, atipChannel, msg))
	if r.Type != respUpdate {
		t.Fatalf("claim: response type %d, want %d (update in place): %s", r.Type, respUpdate, r.Data.text())
	}
	if txt := r.Data.text(); !strings.Contains(txt, "claimed") || !strings.Contains(txt, "<@"+roleUser+">") {
		t.Errorf("claimed message does not show the claim by the coordinator:\n%s", txt)
	}
	if _, ok := r.Data.button("claim:"); ok {
		t.Error("a claimed ticket still has a Claim button")
	}
	resolve, ok := r.Data.button("resolve:" + ticket)
	if !ok {
		t.Fatalf("no Resolve button on the claimed ticket:\n%s", r.Data.text())
	}
	if tk := status(t, e, ticket); tk.Status != bot.StatusClaimed || tk.Claimant != "discord:"+roleUser {
		t.Fatalf("after claim: %s by %s", tk.Status, tk.Claimant)
	}
	// Another coordinator claiming it is told who has it.
	again := e.mustPost(t, press("claim:"+ticket, coordUser, nil, atipChannel, msg))
	if !again.Data.ephemeral() || again.Data.Content != "Ticket "+ticket+" is already claimed by <@"+roleUser+">." {
		t.Errorf("second claim: %q", again.Data.text())
	}

	// Resolve opens a modal for the note (a coordinator from the list).
	modal := e.mustPost(t, press(resolve.CustomID, coordUser, nil, atipChannel, msg))
	if modal.Type != respModal || modal.Data.CustomID != "resolve:"+ticket || len(modal.Data.Title) > 45*4 {
		t.Fatalf("resolve: type %d, custom id %q", modal.Type, modal.Data.CustomID)
	}
	if len(modal.Data.Components) != 1 || len(modal.Data.Components[0].Components) != 1 || modal.Data.Components[0].Components[0].CustomID != "note" {
		t.Fatalf("modal has no note input: %+v", modal.Data.Components)
	}

	// Submitting it resolves the ticket, updates the message in place and
	// tells the requester.
	const note = "Approved: complete a PIA with your ATIP office first."
	submit := discordtest.Interaction(id(), typeModalSubmit, map[string]any{"custom_id": "resolve:" + ticket, "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "note", "value": note}}},
	}}, coordUser, guild, nil, "en-US")
	submit["channel_id"] = atipChannel
	submit["message"] = map[string]any{"id": msg, "channel_id": atipChannel, "content": ""}
	done := e.mustPost(t, submit)
	if done.Type != respUpdate || !strings.Contains(done.Data.text(), "resolved") || !strings.Contains(done.Data.text(), note) {
		t.Fatalf("modal submit: type %d:\n%s", done.Type, done.Data.text())
	}
	if len(done.Data.buttons()) != 0 {
		t.Errorf("a resolved ticket still has buttons:\n%s", done.Data.text())
	}
	if tk := status(t, e, ticket); tk.Status != bot.StatusResolved || tk.Resolution != note {
		t.Fatalf("after resolve: %s, %q", tk.Status, tk.Resolution)
	}
	// The requester gets a direct message with the note.
	dmOpen := e.fake.WaitCall(t, http.MethodPost, "/users/@me/channels", 0)
	var rcpt struct {
		RecipientID string `json:"recipient_id"`
	}
	dmOpen.JSON(t, &rcpt)
	if rcpt.RecipientID != asker {
		t.Errorf("direct message opened with %q, want the requester %s", rcpt.RecipientID, asker)
	}
	told := e.fake.WaitCall(t, http.MethodPost, "/channels/dm-"+asker+"/messages", 0)
	var tm message
	told.JSON(t, &tm)
	if !strings.Contains(tm.text(), ticket) || !strings.Contains(tm.text(), note) {
		t.Errorf("requester's message:\n%s", tm.text())
	}
	// The coordinators' channel message ends up showing the resolution.
	e.fake.Wait(t, 10*time.Second, "ticket message resolved", func() bool {
		for _, m := range e.fake.Messages(atipChannel) {
			if m["id"] == msg {
				return strings.Contains(footer(m), "resolved")
			}
		}
		return false
	})
	if n := len(e.fake.Messages(atipChannel)); n != 1 {
		t.Errorf("%d messages in the coordinators' channel, want the one ticket message", n)
	}
}

func TestReviewsCommandIsForCoordinators(t *testing.T) {
	e := setup(t)
	ticket, _ := openTicket(t, e, asker)
	list := discordtest.Interaction(id(), typeCommand, discordtest.Ask("reviews", nil), otherUser, guild, nil, "en-US")
	if r := e.mustPost(t, list); !r.Data.ephemeral() || r.Data.Content != notCoordinatorText {
		t.Errorf("/privacy reviews by a non-coordinator: %q", r.Data.text())
	}
	list = discordtest.Interaction(id(), typeCommand, discordtest.Ask("reviews", nil), roleUser, guild, []string{coordRole}, "en-US")
	r := e.mustPost(t, list)
	if !r.Data.ephemeral() || !strings.Contains(r.Data.text(), ticket) {
		t.Errorf("/privacy reviews by a coordinator:\n%s", r.Data.text())
	}
}

// TestClarifyButtonsAnswer: a question the classifier is unsure about gets
// one button per option; the asker's press replaces the question with that
// entry's answer, in place.
func TestClarifyButtonsAnswer(t *testing.T) {
	e := setup(t)
	r := e.mustPost(t, ask(asker, "which activities are pre-cleared for our accounts?", "en-US"))
	b, ok := r.Data.button("choose:")
	if !ok || !strings.HasPrefix(b.Label, "1. ") {
		t.Fatalf("no option buttons:\n%s", r.Data.text())
	}
	if _, ok := r.Data.button("lang:"); ok {
		t.Error("a clarifying question offers no language button")
	}
	entry := strings.Split(b.CustomID, ":")[1]
	got := e.mustPost(t, press(b.CustomID, asker, nil, "chan-1", "msg-1"))
	if got.Type != respUpdate {
		t.Fatalf("option: response type %d, want %d (update in place)", got.Type, respUpdate)
	}
	if _, ok := got.Data.button("choose:"); ok {
		t.Errorf("the answer still offers options:\n%s", got.Data.text())
	}
	if _, ok := got.Data.button("lang:fr:" + asker); !ok {
		t.Errorf("the chosen answer is a normal answer with a Français button:\n%s", got.Data.text())
	}
	a, err := kb.Answer(entry, bot.English, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Data.text(), a.Citations[0].Quote[:20]) {
		t.Errorf("answer to option %q does not quote it:\n%s", entry, got.Data.text())
	}
	// A forged entry id is refused, not answered.
	bad := e.mustPost(t, press("choose:../../etc:"+asker, asker, nil, "chan-1", "msg-1"))
	if !bad.Data.ephemeral() || len(bad.Data.Embeds) > 0 && strings.Contains(bad.Data.text(), "Source") {
		t.Errorf("forged option answered: %s", bad.Data.text())
	}
}
