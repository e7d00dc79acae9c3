package discord_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/commsbot/commsbot/adapters/discord"
	"github.com/commsbot/commsbot/adapters/discord/discordtest"
)

var ticketRe = regexp.MustCompile(`R-[0-9A-Z]{4,16}`)

// Interaction response types, as Discord numbers them.
const (
	respPong           = 1
	respMessage        = 4
	respDeferred       = 5
	respUpdate         = 7
	respAutocomplete   = 8
	respModal          = 9
	typeCommand        = 2
	typeComponent      = 3
	typeAutocomplete   = 4
	typeModalSubmit    = 5
	ephemeralFlag      = 64
	notCoordinatorText = "Only ATIP coordinators can do that."
)

// citation returns the embed field citing the notice, or fails.
func citation(t *testing.T, m message, title string) string {
	t.Helper()
	f := fieldNamed(m, title)
	if f == nil {
		t.Fatalf("no citation of %q in:\n%s", title, m.text())
	}
	if !strings.HasPrefix(f.Value, "“") || !strings.Contains(f.Value, "”") {
		t.Errorf("citation %q is not a quote", f.Value)
	}
	return f.Name
}

// interactionCalls are the REST calls that answering an interaction makes.
func interactionCalls(f *discordtest.Fake) []discordtest.Call {
	var out []discordtest.Call
	for _, c := range f.Calls() {
		if strings.Contains(c.Path, "/interactions/") || strings.Contains(c.Path, "/webhooks/") || strings.Contains(c.Path, "/channels/") {
			out = append(out, c)
		}
	}
	return out
}

func TestPingGetsPong(t *testing.T) {
	e := setup(t)
	r := e.mustPost(t, map[string]any{"id": id(), "application_id": "app", "type": 1, "token": "tok", "version": 1})
	if r.Type != respPong {
		t.Fatalf("PING answered with type %d, want %d (PONG)", r.Type, respPong)
	}
	if n := e.handler.calls.Load(); n != 0 {
		t.Errorf("PING reached the engine %d times", n)
	}
}

// TestPublicAnswers: with PublicAnswers (DISCORD_PUBLIC_ANSWERS=on) the
// channel sees /privacy ask answers.
func TestPublicAnswers(t *testing.T) {
	e := setup(t, func(c *discord.Config, _ *countingHandler) { c.PublicAnswers = true })
	r := e.mustPost(t, ask(asker, threadsQ, "en-US"))
	if r.Type != respMessage || r.Data.ephemeral() {
		t.Errorf("with PublicAnswers the answer is public: type %d, ephemeral %v", r.Type, r.Data.ephemeral())
	}
}

func TestAskAnswersWithCitation(t *testing.T) {
	e := setup(t)
	r := e.mustPost(t, ask(asker, threadsQ, "en-US"))
	if r.Type != respMessage {
		t.Fatalf("response type %d, want %d", r.Type, respMessage)
	}
	if !r.Data.ephemeral() {
		t.Error("an answer to /privacy ask is private by default (an incident told in a question is nobody else's business)")
	}
	if len(r.Data.Embeds) != 1 || !strings.Contains(r.Data.Embeds[0].Description, "Threads") {
		t.Fatalf("answer embed missing or not about Threads:\n%s", r.Data.text())
	}
	name := citation(t, r.Data, pinTitle)
	if !strings.Contains(name, "Annex A") {
		t.Errorf("citation %q does not name the section", name)
	}
	// Threads is not a reviewed platform: the answer says so, with the
	// ticket that was opened.
	// The ticket is named once: in the answer, not again in the notice.
	review := fieldNamed(r.Data, "Needs review")
	both := r.Data.Embeds[0].Description + "\n"
	if review != nil {
		both += review.Value
	}
	if review == nil || len(ticketRe.FindAllString(both, -1)) != 1 {
		t.Fatalf("want a review notice and the ticket named once:\n%s", r.Data.text())
	}
	for _, prefix := range []string{"fb:up:", "fb:down:", "lang:fr:" + asker} {
		if _, ok := r.Data.button(prefix); !ok {
			t.Errorf("no %s button:\n%s", prefix, r.Data.text())
		}
	}
	if _, ok := r.Data.button("review"); ok {
		t.Error("Ask an ATIP coordinator offered although a ticket is open")
	}
	if r.Data.AllowedMentions == nil {
		t.Error("an answer must not ping anyone: allowed_mentions missing")
	}
	// The ticket reaches the coordinators' channel.
	ticket := ticketRe.FindString(review.Value)
	c := e.fake.WaitCall(t, http.MethodPost, "/channels/"+atipChannel+"/messages", 0)
	var posted message
	c.JSON(t, &posted)
	if !strings.Contains(posted.text(), ticket) || !strings.Contains(posted.text(), "open") {
		t.Errorf("ticket message does not show %s as open:\n%s", ticket, posted.text())
	}
	if _, ok := posted.button("claim:" + ticket); !ok {
		t.Errorf("ticket message has no Claim button:\n%s", posted.text())
	}
	if _, ok := posted.button("resolve:" + ticket); !ok {
		t.Errorf("ticket message has no Resolve button:\n%s", posted.text())
	}
	if c.Auth != "Bot test-token" {
		t.Errorf("channel message sent with Authorization %q", c.Auth)
	}
}

func TestFrenchLocaleIsAHint(t *testing.T) {
	e := setup(t)
	fr := e.mustPost(t, ask(asker, "TikTok?", "fr"))
	if d := fr.Data.Embeds[0].Description; !strings.Contains(d, "ne fait pas partie") {
		t.Errorf("locale fr, ambiguous text: answer not in French: %q", d)
	}
	if fieldNamed(fr.Data, "À faire examiner") == nil {
		t.Errorf("review notice not in French:\n%s", fr.Data.text())
	}
	citation(t, fr.Data, "Avis de mise en œuvre")
	if _, ok := fr.Data.button("lang:en:" + asker); !ok {
		t.Errorf("no English button under a French answer:\n%s", fr.Data.text())
	}
	// The same text with an English locale, and French text with an
	// English locale: the locale is only a hint.
	en := e.mustPost(t, ask(otherUser, "TikTok?", "en-GB"))
	if d := en.Data.Embeds[0].Description; !strings.Contains(d, "is not one of") {
		t.Errorf("locale en-GB: answer not in English: %q", d)
	}
	frText := e.mustPost(t, ask(coordUser, "faut-il un consentement pour une liste d'envoi?", "en-US"))
	if d := frText.Data.Embeds[0].Description; !strings.Contains(d, "consentement") {
		t.Errorf("French question, English locale: answer not in French: %q", d)
	}
}

func TestDeferredAnswerIsEdited(t *testing.T) {
	e := setup(t, func(c *discord.Config, h *countingHandler) {
		c.DeferAfter = 100 * time.Millisecond
		h.delay.Store(int64(600 * time.Millisecond))
	})
	i := ask(asker, threadsQ, "en-US")
	r := e.mustPost(t, i)
	if r.Type != respDeferred {
		t.Fatalf("slow answer: response type %d, want %d (deferred)", r.Type, respDeferred)
	}
	if !r.Data.ephemeral() {
		t.Error("the deferred answer to /privacy ask is private by default")
	}
	c := e.fake.WaitCall(t, http.MethodPatch, "/webhooks/app/"+i["token"].(string)+"/messages/@original", 0)
	var edit message
	c.JSON(t, &edit)
	citation(t, edit, pinTitle)
	if !strings.Contains(edit.Embeds[0].Description, "Threads") {
		t.Errorf("edited answer is not about Threads: %q", edit.Embeds[0].Description)
	}
	if _, ok := edit.button("fb:up:"); !ok {
		t.Errorf("edited answer has no buttons:\n%s", edit.text())
	}
	if n := len(e.fake.CallsTo(http.MethodPost, "/webhooks/")); n != 0 {
		t.Errorf("%d follow-up messages besides the edit", n)
	}
}

func TestPlatformAutocomplete(t *testing.T) {
	e := setup(t)
	complete := func(typed string) []string {
		t.Helper()
		data := map[string]any{"id": "cmd-privacy", "name": "privacy", "type": 1, "options": []any{
			map[string]any{"name": "platform", "type": 1, "options": []any{
				map[string]any{"name": "name", "type": 3, "value": typed, "focused": true},
			}},
		}}
		r := e.mustPost(t, discordtest.Interaction(id(), typeAutocomplete, data, asker, guild, nil, "en-US"))
		if r.Type != respAutocomplete {
			t.Fatalf("autocomplete answered with type %d", r.Type)
		}
		var names []string
		for _, c := range r.Data.Choices {
			if c.Name != c.Value {
				t.Errorf("choice %q has value %q", c.Name, c.Value)
			}
			names = append(names, c.Name)
		}
		return names
	}
	if got := strings.Join(complete("th"), ","); got != "Threads" {
		t.Errorf("typed th: %s", got)
	}
	if got := strings.Join(complete("TOK"), ","); got != "TikTok" {
		t.Errorf("typed TOK: %s", got)
	}
	// Prefix matches come before other matches.
	if got := strings.Join(complete("t"), ","); got != "Threads,TikTok,Mastodon" {
		t.Errorf("typed t: %s", got)
	}
	if got := complete("zzz"); len(got) != 0 {
		t.Errorf("typed zzz: %v", got)
	}
	if n := e.handler.calls.Load(); n != 0 {
		t.Errorf("autocomplete reached the engine %d times", n)
	}

	// The chosen platform is then asked about.
	r := e.mustPost(t, discordtest.Interaction(id(), typeCommand, discordtest.Ask("platform", map[string]string{"name": "TikTok"}), asker, guild, nil, "en-US"))
	if d := r.Data.Embeds[0].Description; !strings.Contains(d, "TikTok is not one of") {
		t.Errorf("/privacy platform name:TikTok: %q", d)
	}
	citation(t, r.Data, pinTitle)
}

func TestDirectMessageInteractionUsesUser(t *testing.T) {
	e := setup(t)
	i := discordtest.Interaction(id(), typeCommand, discordtest.Ask("ask", map[string]string{"question": threadsQ}), asker, "", nil, "en-US")
	if _, ok := i["member"]; ok {
		t.Fatal("a direct-message interaction has no member")
	}
	r := e.mustPost(t, i)
	citation(t, r.Data, pinTitle)
	ticket := ticketRe.FindString(r.Data.text())
	if ticket == "" {
		t.Fatalf("no ticket:\n%s", r.Data.text())
	}
	tk, err := e.tickets.Ticket(context.Background(), ticket)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Requester.ID != "discord:"+asker || tk.Origin.Workspace != "" || tk.Origin.Channel != "dm-"+asker {
		t.Errorf("ticket from a direct message: requester %q, origin %+v", tk.Requester.ID, tk.Origin)
	}
	c := e.fake.WaitCall(t, http.MethodPost, "/channels/"+atipChannel+"/messages", 0)
	var posted message
	c.JSON(t, &posted)
	if !strings.Contains(posted.text(), "direct message") {
		t.Errorf("ticket does not say it came from a direct message:\n%s", posted.text())
	}
}

func TestRefusedRequests(t *testing.T) {
	e := setup(t)
	body, _ := json.Marshal(ask(asker, threadsQ, "en-US"))
	forger := discordtest.NewSigner(t)
	now := time.Now()
	stamp, sig := e.signer.Sign(body, now)
	other, _ := json.Marshal(ask(asker, "can we use TikTok?", "en-US"))
	refused := []struct {
		name string
		resp *http.Response
		want int
	}{
		{"signed by another key", forger.Post(t, e.url, body, now), http.StatusUnauthorized},
		{"stale", e.signer.Post(t, e.url, body, now.Add(-10*time.Minute)), http.StatusUnauthorized},
		{"from the future", e.signer.Post(t, e.url, body, now.Add(10*time.Minute)), http.StatusUnauthorized},
		{"no signature", discordtest.Post(t, e.url, body, stamp, ""), http.StatusUnauthorized},
		{"no timestamp", discordtest.Post(t, e.url, body, "", sig), http.StatusUnauthorized},
		{"signature not hex", discordtest.Post(t, e.url, body, stamp, "zz"), http.StatusUnauthorized},
		{"zero signature", discordtest.Post(t, e.url, body, stamp, hex.EncodeToString(make([]byte, 64))), http.StatusUnauthorized},
		{"another body", discordtest.Post(t, e.url, other, stamp, sig), http.StatusUnauthorized},
		{"another timestamp", discordtest.Post(t, e.url, body, stamp+"0", sig), http.StatusUnauthorized},
		{"invalid JSON, signed", e.signer.Post(t, e.url, []byte("{not json"), now), http.StatusBadRequest},
		{"too large, signed", e.signer.Post(t, e.url, append(bytes.Repeat([]byte(" "), 300<<10), body...), now), http.StatusRequestEntityTooLarge},
	}
	for _, c := range refused {
		c.resp.Body.Close()
		if c.resp.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d", c.name, c.resp.StatusCode, c.want)
		}
	}
	resp, err := http.Get(e.url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d, want 405", resp.StatusCode)
	}
	time.Sleep(300 * time.Millisecond) // anything started would have called out by now
	if n := e.handler.calls.Load(); n != 0 {
		t.Errorf("refused requests reached the engine %d times", n)
	}
	for _, c := range interactionCalls(e.fake) {
		t.Errorf("a refused request made a REST call: %s %s", c.Method, c.Path)
	}
	tickets, err := e.tickets.Tickets(context.Background(), "")
	if err != nil || len(tickets) != 0 {
		t.Errorf("refused requests opened tickets: %v %v", tickets, err)
	}
	// The very same request, with its own signature, is answered.
	resp = discordtest.Post(t, e.url, body, stamp, sig)
	var r response
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("valid request: status %d, %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	citation(t, r.Data, pinTitle)
}

func TestHandlerPanicIsRecovered(t *testing.T) {
	e := setup(t)
	e.handler.panic.Store(true)
	r := e.mustPost(t, ask(asker, threadsQ, "en-US"))
	if r.Type != respMessage || !r.Data.ephemeral() || !strings.Contains(r.Data.Content, "something went wrong") {
		t.Fatalf("after a panic: type %d, %q", r.Type, r.Data.text())
	}
	e.handler.panic.Store(false)
	r = e.mustPost(t, ask(asker, threadsQ, "en-US"))
	citation(t, r.Data, pinTitle)
}
