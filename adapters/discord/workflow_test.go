package discord_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/commsbot/commsbot/adapters/discord"
	"github.com/commsbot/commsbot/adapters/discord/discordtest"
	"github.com/commsbot/commsbot/bot"
)

func command(from, sub string, opts map[string]string) map[string]any {
	return discordtest.Interaction(id(), typeCommand, discordtest.Ask(sub, opts), from, guild, nil, "en-US")
}

func TestLangReviewAndForgetCommands(t *testing.T) {
	e := setup(t)
	e.mustPost(t, ask(asker, consentQ, "en-US"))

	fr := e.mustPost(t, command(asker, "lang", map[string]string{"language": "fr"}))
	if !fr.Data.ephemeral() || !strings.Contains(fr.Data.Embeds[0].Description, "consentement") {
		t.Errorf("/privacy lang fr: ephemeral %v, %q", fr.Data.ephemeral(), fr.Data.text())
	}

	rv := e.mustPost(t, command(asker, "review", map[string]string{"details": "we also want to run a contest"}))
	ticket := ticketRe.FindString(rv.Data.text())
	if !rv.Data.ephemeral() || ticket == "" {
		t.Fatalf("/privacy review: ephemeral %v, %q", rv.Data.ephemeral(), rv.Data.text())
	}
	if tk := status(t, e, ticket); !strings.Contains(tk.Question, "contest") {
		t.Errorf("ticket question %q does not hold the details", tk.Question)
	}

	fg := e.mustPost(t, command(asker, "forget", nil))
	if !fg.Data.ephemeral() {
		t.Error("/privacy forget: the confirmation should be private")
	}
	// Nothing is left to re-render.
	after := e.mustPost(t, command(asker, "lang", map[string]string{"language": "en"}))
	if strings.Contains(after.Data.text(), "consent") {
		t.Errorf("after forget, /privacy lang still shows the old answer:\n%s", after.Data.text())
	}
}

func TestTicketMessageFoundByAnotherReplica(t *testing.T) {
	e := setup(t)
	ticket, msg := openTicket(t, e, asker)
	// Another replica, which did not post the message, delivers the claim
	// notice: it finds the message in the channel and edits it.
	other, err := discord.New(discord.Config{Token: "test-token", APIURL: e.fake.APIURL(), CoordinatorChannel: atipChannel,
		Handler: e.handler, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := e.reviews.Claim(context.Background(), bot.Person{ID: "discord:" + coordUser}, ticket)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Notifier().Notify(context.Background(), bot.NoticeClaimed, tk); err != nil {
		t.Fatal(err)
	}
	if len(e.fake.CallsTo(http.MethodGet, "/channels/"+atipChannel+"/messages")) == 0 {
		t.Error("the other replica did not look for the message")
	}
	edits := e.fake.CallsTo(http.MethodPatch, "/channels/"+atipChannel+"/messages/"+msg)
	if len(edits) == 0 {
		t.Fatal("the ticket message was not edited")
	}
	var m message
	edits[len(edits)-1].JSON(t, &m)
	if !strings.Contains(m.text(), "claimed") {
		t.Errorf("edited ticket message:\n%s", m.text())
	}
	if n := len(e.fake.Messages(atipChannel)); n != 1 {
		t.Errorf("%d messages in the coordinators' channel, want 1", n)
	}

	// A reminder replies to the ticket's message.
	if err := other.Notifier().Notify(context.Background(), bot.NoticeReminder, tk); err != nil {
		t.Fatal(err)
	}
	msgs := e.fake.Messages(atipChannel)
	last := msgs[len(msgs)-1]
	ref, _ := last["message_reference"].(map[string]any)
	if len(msgs) != 2 || ref["message_id"] != msg || !strings.Contains(last["content"].(string), ticket) {
		t.Errorf("reminder %v", last)
	}
}

func TestRequesterWithoutDirectMessagesIsToldInChannel(t *testing.T) {
	e := setup(t)
	ticket, _ := openTicket(t, e, asker)
	// The requester does not accept direct messages from the bot.
	e.fake.Fail(http.MethodPost, "/api/v9/channels/dm-"+asker+"/messages", http.StatusForbidden,
		`{"message": "Cannot send messages to this user", "code": 50007}`, nil, 1)
	if _, err := e.reviews.Resolve(context.Background(), bot.Person{ID: "discord:" + coordUser}, ticket, "Approved."); err != nil {
		t.Fatal(err)
	}
	c := e.fake.WaitCall(t, http.MethodPost, "/channels/chan-1/messages", 0)
	var m message
	c.JSON(t, &m)
	if m.Content != "<@"+asker+">" || !strings.Contains(m.text(), "Approved.") {
		t.Errorf("reply in the channel:\n%s", m.text())
	}
	if m.AllowedMentions == nil || len(m.AllowedMentions.Users) != 1 || m.AllowedMentions.Users[0] != asker {
		t.Errorf("the reply must ping the requester only: %+v", m.AllowedMentions)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(e.fake.CallsTo(http.MethodPost, "/channels/chan-1/messages")); n != 1 {
		t.Errorf("requester told %d times", n)
	}
}

// TestOpenedNoticeRedeliveredAfterCrash: a replica posted a ticket's
// message and died before acknowledging the "opened" notice; the notice,
// delivered again by another replica, finds the message: one message per
// ticket in the coordinators' channel.
func TestOpenedNoticeRedeliveredAfterCrash(t *testing.T) {
	e := setup(t)
	ticket, _ := openTicket(t, e, asker)
	tk, err := e.reviews.Store.Ticket(context.Background(), ticket)
	if err != nil {
		t.Fatal(err)
	}
	other, err := discord.New(discord.Config{Token: "test-token", APIURL: e.fake.APIURL(), CoordinatorChannel: atipChannel,
		Handler: e.handler, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Notifier().Notify(context.Background(), bot.NoticeOpened, tk); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.Messages(atipChannel)); n != 1 {
		t.Errorf("%d messages in the coordinators' channel for one ticket, want 1", n)
	}
}
