package slack

import (
	"encoding/json"
	"fmt"
	commsredis "github.com/commsbot/commsbot/storage/redis"
	"github.com/commsbot/commsbot/storage/redis/redistest"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/commsbot/commsbot/bot"
)

func TestSlashCommandAnswersInlineWithCitation(t *testing.T) {
	e := setup(t)
	status, m := e.slash(asker, threadsQ, e.fake.responseURL("c1"))
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	if m.ResponseType != "ephemeral" {
		t.Errorf("response_type %q, want ephemeral", m.ResponseType)
	}
	txt := allText(m.Blocks)
	if !strings.Contains(txt, pinTitle) {
		t.Errorf("answer does not cite %s:\n%s", pinTitle, txt)
	}
	if !strings.Contains(txt, "Threads") || !strings.Contains(m.Text, "Threads") {
		t.Errorf("answer is not about Threads:\n%s", txt)
	}
	// Threads is not reviewed: the answer says so and names its ticket.
	if !strings.Contains(txt, "Needs review") || !strings.Contains(txt, "ticket R-") {
		t.Errorf("no review notice with a ticket:\n%s", txt)
	}
	for _, act := range []string{actUp, actDown, actLang} {
		if !hasButton(m.Blocks, act) {
			t.Errorf("no %s button", act)
		}
	}
	if hasButton(m.Blocks, actReview) {
		t.Error("Ask an ATIP coordinator offered although a ticket is open")
	}
	e.settle()
	if n := len(e.fake.responses("c1")); n != 0 {
		t.Errorf("answered inline and also %d times on the response_url", n)
	}
}

func TestSlowAnswerGoesToResponseURL(t *testing.T) {
	e := setup(t, func(c *Config) { c.InlineWait = 50 * time.Millisecond })
	// The answer is held until the acknowledgement is back: the
	// acknowledgement cannot have waited for it.
	gate := make(chan struct{})
	e.engine.gate.Store(&gate)
	status, m := e.slash(asker, threadsQ, e.fake.responseURL("slow"))
	close(gate)
	if status != http.StatusOK {
		t.Fatalf("status %d: want an acknowledgement", status)
	}
	if m.Text != text(bot.English, msgWorking) || strings.Contains(allText(m.Blocks), pinTitle) {
		t.Errorf("acknowledgement = %+v, want %q", m, text(bot.English, msgWorking))
	}
	waitFor(t, "the answer on the response_url", func() bool { return len(e.fake.responses("slow")) > 0 })
	e.settle()
	rs := e.fake.responses("slow")
	if len(rs) != 1 {
		t.Fatalf("%d deliveries on the response_url, want 1", len(rs))
	}
	got := decodeMessage(t, rs[0].Body)
	if !got.ReplaceOriginal || got.ResponseType != "ephemeral" || !strings.Contains(allText(got.Blocks), pinTitle) {
		t.Errorf("response_url message = %+v, want the cited answer replacing the acknowledgement", got)
	}
}

func TestSubcommands(t *testing.T) {
	e := setup(t)
	ask := func(user, q string) string {
		t.Helper()
		status, m := e.slash(user, q, e.fake.responseURL("sub"))
		if status != http.StatusOK {
			t.Fatalf("%q: status %d", q, status)
		}
		return allText(m.Blocks)
	}
	if got := ask(asker, "help"); !strings.Contains(got, bot.Text(bot.English, bot.MsgHelp)) || !strings.Contains(got, "/privacy platform") {
		t.Errorf("help = %q, want the engine's help and the command's usage", got)
	}
	if got := ask(frenchUser, "aide"); !strings.Contains(got, bot.Text(bot.French, bot.MsgHelp)) {
		t.Errorf("help for a French user = %q, want it in French", got)
	}
	if got := ask(asker, "platform LinkedIn"); !strings.Contains(got, "LinkedIn") || !strings.Contains(got, pinTitle) {
		t.Errorf("platform LinkedIn = %q", got)
	}
	if got := ask(asker, "platform"); !strings.Contains(got, text(bot.English, msgPlatformUsage)) {
		t.Errorf("platform without a name = %q", got)
	}
	// lang fr: the last answer (LinkedIn) again, in French.
	if got := ask(asker, "lang fr"); !strings.Contains(got, "LinkedIn") || !strings.Contains(got, pinTitleFr) {
		t.Errorf("lang fr = %q, want the LinkedIn answer in French", got)
	}
	if got := ask(asker, "lang xx"); !strings.Contains(got, text(bot.English, msgLangUsage)) {
		t.Errorf("lang xx = %q", got)
	}
	if got := ask(asker, "forget"); !strings.Contains(got, bot.Text(bot.French, bot.MsgForgotten)) && !strings.Contains(got, bot.Text(bot.English, bot.MsgForgotten)) {
		t.Errorf("forget = %q", got)
	}
	key := bot.ConversationKey{Platform: platform, Workspace: team, Channel: channel, User: asker}
	if st, ok, err := e.store.Conversation(t.Context(), key); err != nil || ok && st.Entry != "" {
		t.Errorf("state after forget: %+v %v %v", st, ok, err)
	}

	// review: a ticket, posted to the coordinators' channel.
	got := ask(asker, "review we want to run a contest on Instagram and keep the entrants' addresses")
	if !strings.Contains(got, "R-") {
		t.Fatalf("review = %q, want a ticket id", got)
	}
	ts, err := e.tickets.Tickets(t.Context(), bot.StatusOpen)
	if err != nil || len(ts) != 1 || ts[0].Requester.ID != "slack:"+asker || ts[0].Category != bot.CategoryRequested {
		t.Fatalf("tickets = %+v, %v", ts, err)
	}
	waitFor(t, "the ticket in the coordinators' channel", func() bool { return len(e.fake.posts(atipChannel)) == 1 })
	if post := allText(blocksOf(t, e.fake.posts(atipChannel)[0])); !strings.Contains(post, ts[0].ID) {
		t.Errorf("ticket post = %q", post)
	}

	// reviews: coordinators only.
	if got := ask(otherUser, "reviews"); !strings.Contains(got, text(bot.English, msgNotCoordinator)) {
		t.Errorf("reviews by a non-coordinator = %q", got)
	}
	if got := ask(coordUser, "reviews"); !strings.Contains(got, ts[0].ID) {
		t.Errorf("reviews by a coordinator = %q, want %s", got, ts[0].ID)
	}
	if got := ask(groupUser, "reviews"); !strings.Contains(got, ts[0].ID) {
		t.Errorf("reviews by a member of the coordinator group = %q, want %s", got, ts[0].ID)
	}
}

func TestFrenchUser(t *testing.T) {
	e := setup(t)
	// "TikTok?" carries no language: the Slack locale (fr-CA) decides.
	_, m := e.slash(frenchUser, "TikTok?", e.fake.responseURL("fr"))
	txt := allText(m.Blocks)
	if !strings.Contains(txt, pinTitleFr) || !strings.Contains(txt, "TikTok") {
		t.Errorf("answer to a French user = %q, want French with a French citation", txt)
	}
	if !hasButton(m.Blocks, actLang) || !strings.Contains(txt, "English") {
		t.Errorf("a French answer should offer English")
	}
	// The same words from an English user are answered in English.
	_, m = e.slash(asker, "TikTok?", e.fake.responseURL("en"))
	if txt := allText(m.Blocks); !strings.Contains(txt, pinTitle) {
		t.Errorf("answer to an English user = %q", txt)
	}
	// users.info is cached: one call per user.
	_, _ = e.slash(frenchUser, "et pour Mastodon?", e.fake.responseURL("fr2"))
	n := 0
	for _, c := range e.fake.get("users.info") {
		if c.Form.Get("user") == frenchUser {
			n++
		}
	}
	if n != 1 {
		t.Errorf("users.info called %d times for one user, want 1 (cached)", n)
	}
}

// mention is an app_mention in a thread of channel.
func mention(user, text, ts, thread string) map[string]any {
	return map[string]any{"type": "app_mention", "user": user, "text": "<@" + botUser + "> " + text,
		"ts": ts, "thread_ts": thread, "channel": channel, "event_ts": ts}
}

func TestMentionInThreadGetsOneThreadedReply(t *testing.T) {
	e := setup(t)
	// Acknowledge first, work after: the answer is held until the event
	// is acknowledged.
	gate := make(chan struct{})
	e.engine.gate.Store(&gate)
	status := e.event(e.url, "Ev001", mention(asker, threadsQ, "1700000100.000200", "1700000100.000100"), signed{})
	close(gate)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	waitFor(t, "the reply", func() bool { return len(e.fake.posts(channel)) > 0 })
	e.settle()
	posts := e.fake.posts(channel)
	if len(posts) != 1 {
		t.Fatalf("%d replies, want 1", len(posts))
	}
	if got := posts[0].Form.Get("thread_ts"); got != "1700000100.000100" {
		t.Errorf("reply in thread %q, want the mention's thread", got)
	}
	if txt := allText(blocksOf(t, posts[0])); !strings.Contains(txt, pinTitle) {
		t.Errorf("reply = %q", txt)
	}

	// A mention outside a thread starts one on the mention.
	e.event(e.url, "Ev002", mention(asker, "what about LinkedIn?", "1700000200.000100", ""), signed{})
	waitFor(t, "the second reply", func() bool { return len(e.fake.posts(channel)) == 2 })
	if got := e.fake.posts(channel)[1].Form.Get("thread_ts"); got != "1700000200.000100" {
		t.Errorf("reply in thread %q, want a thread on the mention", got)
	}
}

func TestDirectMessage(t *testing.T) {
	e := setup(t)
	e.event(e.url, "Ev010", map[string]any{"type": "message", "channel_type": "im", "channel": dmChannel,
		"user": asker, "text": "faut-il un consentement pour une liste d'envoi?", "ts": "1700000300.000100"}, signed{})
	waitFor(t, "the reply", func() bool { return len(e.fake.posts(dmChannel)) > 0 })
	e.settle()
	posts := e.fake.posts(dmChannel)
	if len(posts) != 1 || posts[0].Form.Get("thread_ts") != "" {
		t.Fatalf("posts = %+v, want one top-level reply in the DM", posts)
	}
	if txt := allText(blocksOf(t, posts[0])); !strings.Contains(txt, "consentement") || !strings.Contains(txt, pinTitleFr) {
		t.Errorf("reply = %q", txt)
	}
}

func TestRetriedEventAndReplicasAnswerOnce(t *testing.T) {
	e := setup(t)
	// A second replica: its own adapter and HTTP server, the same store.
	replica := e.newAdapter()
	replicaURL := e.serve(replica)
	ev := mention(asker, threadsQ, "1700000400.000200", "1700000400.000100")
	now := time.Now().Unix()
	for i, d := range []struct {
		url string
		s   signed
	}{
		{e.url, signed{ts: now}},
		{e.url, signed{ts: now + 1, headers: map[string]string{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}}},
		{replicaURL, signed{ts: now + 2}},
		{replicaURL, signed{ts: now + 3, headers: map[string]string{"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}}},
	} {
		if status := e.event(d.url, "Ev020", ev, d.s); status != http.StatusOK {
			t.Fatalf("delivery %d: status %d", i, status)
		}
	}
	waitFor(t, "the reply", func() bool { return len(e.fake.posts(channel)) > 0 })
	e.settle(e.a, replica)
	if n := len(e.fake.posts(channel)); n != 1 {
		t.Errorf("%d replies to one event delivered four times, want 1", n)
	}
	if n, err := e.tickets.Tickets(t.Context(), ""); err != nil || len(n) != 1 {
		t.Errorf("tickets = %d, %v; want 1", len(n), err)
	}
}

func TestMessageAndMentionAnsweredOnce(t *testing.T) {
	e := setup(t)
	const ts = "1700000500.000100"
	// In a DM, mentioning the bot can deliver the message as message.im
	// and as app_mention, with two event ids.
	e.event(e.url, "Ev030", map[string]any{"type": "message", "channel_type": "im", "channel": dmChannel,
		"user": asker, "text": "<@" + botUser + "> " + threadsQ, "ts": ts}, signed{})
	e.event(e.url, "Ev031", map[string]any{"type": "app_mention", "channel": dmChannel,
		"user": asker, "text": "<@" + botUser + "> " + threadsQ, "ts": ts}, signed{})
	waitFor(t, "the reply", func() bool { return len(e.fake.posts(dmChannel)) > 0 })
	e.settle()
	if n := len(e.fake.posts(dmChannel)); n != 1 {
		t.Errorf("%d replies, want 1", n)
	}
}

func TestBotMessagesEditsAndSubtypesIgnored(t *testing.T) {
	e := setup(t)
	events := []map[string]any{
		{"type": "message", "channel_type": "im", "channel": dmChannel, "bot_id": "B0BOT", "user": botUser, "text": threadsQ, "ts": "1.1"},
		{"type": "message", "channel_type": "im", "channel": dmChannel, "subtype": "bot_message", "bot_id": "B0BOT", "text": threadsQ, "ts": "1.2"},
		{"type": "message", "channel_type": "im", "channel": dmChannel, "subtype": "message_changed", "ts": "1.3",
			"message": map[string]any{"type": "message", "user": asker, "text": threadsQ, "ts": "1.0"}},
		{"type": "message", "channel_type": "im", "channel": dmChannel, "subtype": "message_deleted", "ts": "1.4", "deleted_ts": "1.0"},
		{"type": "message", "channel_type": "channel", "channel": channel, "user": asker, "text": threadsQ, "ts": "1.5"},
		{"type": "app_mention", "channel": channel, "user": asker, "text": "<@" + botUser + "> " + threadsQ, "ts": "1.6",
			"edited": map[string]any{"user": asker, "ts": "1.7"}},
		{"type": "app_mention", "channel": channel, "bot_id": "B0OTHER", "user": "U0OTHERBOT", "text": "<@" + botUser + "> hi", "ts": "1.8"},
		{"type": "reaction_added", "user": asker, "reaction": "thumbsup", "item": map[string]any{"type": "message", "channel": channel, "ts": "1.0"}},
	}
	for i, ev := range events {
		if status := e.event(e.url, fmt.Sprintf("EvIgnored%d", i), ev, signed{}); status != http.StatusOK {
			t.Errorf("event %d: status %d", i, status)
		}
	}
	e.settle()
	if n := len(e.fake.get("chat.postMessage")); n != 0 {
		t.Errorf("%d replies to messages that are not questions", n)
	}
	if n := e.engine.calls.Load(); n != 0 {
		t.Errorf("engine asked %d times", n)
	}
}

func TestForgedStaleAndReplayedRequestsRejected(t *testing.T) {
	e := setup(t)
	body := e.command(asker, threadsQ, e.fake.responseURL("x"))
	old := time.Now().Add(-6 * time.Minute).Unix()
	for name, s := range map[string]signed{
		"wrong secret":       {secret: "not-the-secret"},
		"garbage signature":  {sig: "v0=00ff"},
		"no signature":       {sig: "-"},
		"stale timestamp":    {ts: old},
		"future timestamp":   {ts: time.Now().Add(6 * time.Minute).Unix()},
		"signed for another": {sig: sign(secret, time.Now().Unix(), body+"&text=x")},
	} {
		for _, path := range []string{"/slack/commands", "/slack/events", "/slack/interactions"} {
			if status, _ := e.post(e.url, path, form, body, s); status != http.StatusUnauthorized {
				t.Errorf("%s on %s: status %d, want 401", name, path, status)
			}
		}
	}
	// Missing headers altogether.
	resp, err := http.Post(e.url+"/slack/commands", form, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned: status %d, want 401", resp.StatusCode)
	}

	// A valid event or interaction replayed within the five minutes is
	// refused. (A slash command replayed gets its first answer again: see
	// TestCommandRetriedAfterCrash.)
	for _, path := range []string{"/slack/events", "/slack/interactions"} {
		s := signed{ts: time.Now().Unix()}
		e.post(e.url, path, form, body, s)
		if status, _ := e.post(e.url, path, form, body, s); status != http.StatusUnauthorized {
			t.Errorf("replay on %s: status %d, want 401", path, status)
		}
	}
	e.settle()
	if n := e.engine.calls.Load(); n != 0 {
		t.Errorf("engine asked %d times, want 0", n)
	}
	if n := len(e.fake.get("response")); n != 0 {
		t.Errorf("%d response_url posts for rejected requests", n)
	}
}

func TestOversizedBody(t *testing.T) {
	e := setup(t, func(c *Config) { c.MaxBodyBytes = 4096 })
	big := e.command(asker, strings.Repeat("word ", 2000), e.fake.responseURL("big"))
	for _, path := range []string{"/slack/commands", "/slack/events", "/slack/interactions"} {
		if status, _ := e.post(e.url, path, form, big, signed{}); status != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: status %d, want 413", path, status)
		}
	}
	// Without a Content-Length (chunked), the limit still holds.
	req, _ := http.NewRequest(http.MethodPost, e.url+"/slack/commands", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Content-Type", form)
	now := time.Now().Unix()
	req.Header.Set("X-Slack-Request-Timestamp", fmt.Sprint(now))
	req.Header.Set("X-Slack-Signature", sign(secret, now, big))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: status %d, want 413", resp.StatusCode)
	}
	if n := e.engine.calls.Load(); n != 0 {
		t.Errorf("engine asked %d times", n)
	}
}

func TestURLVerification(t *testing.T) {
	e := setup(t)
	body := `{"token":"legacy","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
	status, got := e.post(e.url, "/slack/events", "application/json", body, signed{})
	if status != http.StatusOK || got != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("url_verification: %d %q", status, got)
	}
	// Unsigned, it is refused like anything else.
	if status, _ := e.post(e.url, "/slack/events", "application/json", body, signed{secret: "wrong"}); status != http.StatusUnauthorized {
		t.Errorf("unsigned url_verification: status %d", status)
	}
}

// answerInChannel gets an answer to q posted in channel (by a mention)
// and returns its blocks and timestamp.
func answerInChannel(t *testing.T, e *env, eventID, q string) ([]map[string]any, string) {
	t.Helper()
	n := len(e.fake.posts(channel))
	e.event(e.url, eventID, mention(asker, q, "1700000600."+eventID, ""), signed{})
	waitFor(t, "the answer", func() bool { return len(e.fake.posts(channel)) > n })
	e.settle()
	p := e.fake.posts(channel)[n]
	// The fake's ts for that post is the call's order; fetch it from the
	// response the adapter got: the fake numbers every recorded call.
	return blocksOf(t, p), p.Form.Get("thread_ts")
}

func TestFeedbackButtons(t *testing.T) {
	e := setup(t)
	blocks, thread := answerInChannel(t, e, "Ev040", "can we use LinkedIn?")
	up := button(t, blocks, actUp)
	down := button(t, blocks, actDown)
	var rf ref
	if err := json.Unmarshal([]byte(up), &rf); err != nil || rf.Intent == "" {
		t.Fatalf("button value %q: %v", up, err)
	}
	for i, p := range []struct{ user, act, value string }{
		{asker, actUp, up}, {otherUser, actDown, down}, {asker, actUp, up}, // the second vote of asker is not counted
	} {
		if status, _ := e.interact(e.press(p.user, p.act, p.value, channel, "1700000600.100000", e.fake.responseURL(fmt.Sprint("fb", i)), false)); status != http.StatusOK {
			t.Fatalf("press %d: status %d", i, status)
		}
	}
	e.settle()
	_ = thread
	got := scrape(t, e)
	for _, want := range []string{
		fmt.Sprintf(`commsbot_feedback_total{intent=%q,vote="up"} 1`, rf.Intent),
		fmt.Sprintf(`commsbot_feedback_total{intent=%q,vote="down"} 1`, rf.Intent),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if rs := e.fake.responses("fb0"); len(rs) != 1 || !strings.Contains(rs[0].Body, "Thanks") {
		t.Errorf("feedback acknowledgement = %+v", rs)
	}
}

func scrape(t *testing.T, e *env) string {
	t.Helper()
	rec := httptest.NewRecorder()
	e.metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

func TestLanguageButtonReRendersInPlace(t *testing.T) {
	e := setup(t)
	blocks, _ := answerInChannel(t, e, "Ev050", "can we use LinkedIn?")
	fr := button(t, blocks, actLang)
	status, _ := e.interact(e.press(asker, actLang, fr, channel, "1700000600.200000", e.fake.responseURL("lang"), false))
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	waitFor(t, "the update", func() bool { return len(e.fake.get("chat.update")) > 0 })
	e.settle()
	up := e.fake.get("chat.update")[0]
	if up.Form.Get("channel") != channel || up.Form.Get("ts") != "1700000600.200000" {
		t.Errorf("updated %s/%s, want the pressed message", up.Form.Get("channel"), up.Form.Get("ts"))
	}
	ub := blocksOf(t, up)
	if txt := allText(ub); !strings.Contains(txt, pinTitleFr) || !strings.Contains(txt, "LinkedIn") {
		t.Errorf("re-rendered answer = %q, want French", txt)
	}
	// And back: the French answer offers English.
	en := button(t, ub, actLang)
	e.interact(e.press(asker, actLang, en, channel, "1700000600.200000", e.fake.responseURL("lang2"), false))
	waitFor(t, "the second update", func() bool { return len(e.fake.get("chat.update")) > 1 })
	if txt := allText(blocksOf(t, e.fake.get("chat.update")[1])); !strings.Contains(txt, pinTitle) {
		t.Errorf("re-rendered answer = %q, want English", txt)
	}

	// An ephemeral answer (slash command) is replaced on its response_url.
	_, m := e.slash(asker, "can we use YouTube?", e.fake.responseURL("c"))
	fr = button(t, m.Blocks, actLang)
	e.interact(e.press(asker, actLang, fr, channel, "", e.fake.responseURL("eph"), true))
	waitFor(t, "the replacement", func() bool { return len(e.fake.responses("eph")) > 0 })
	if got := decodeMessage(t, e.fake.responses("eph")[0].Body); !got.ReplaceOriginal || !strings.Contains(allText(got.Blocks), pinTitleFr) {
		t.Errorf("replacement = %+v", got)
	}
}

func TestCoordinatorWorkflow(t *testing.T) {
	e := setup(t)
	// An answer that needs no review offers "Ask an ATIP coordinator".
	_, m := e.slash(asker, "can we use LinkedIn?", e.fake.responseURL("q"))
	askValue := button(t, m.Blocks, actReview)
	// Ephemeral messages have a ts too.
	const ephTS = "1700000650.000001"
	status, _ := e.interact(e.press(asker, actReview, askValue, channel, ephTS, e.fake.responseURL("ask"), true))
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	waitFor(t, "the confirmation", func() bool { return len(e.fake.responses("ask")) > 0 })
	ts, err := e.tickets.Tickets(t.Context(), "")
	if err != nil || len(ts) != 1 {
		t.Fatalf("tickets = %+v, %v", ts, err)
	}
	id := ts[0].ID
	if got := allText(decodeMessage(t, e.fake.responses("ask")[0].Body).Blocks); !strings.Contains(got, id) {
		t.Errorf("confirmation = %q, want the ticket id", got)
	}
	// Pressing again opens no second ticket.
	e.interact(e.press(asker, actReview, askValue, channel, ephTS, e.fake.responseURL("ask2"), true))
	e.settle()
	if ts, _ := e.tickets.Tickets(t.Context(), ""); len(ts) != 1 {
		t.Errorf("%d tickets after a second press", len(ts))
	}

	// The ticket is posted to the coordinators' channel with Claim and Resolve.
	waitFor(t, "the ticket post", func() bool { return len(e.fake.posts(atipChannel)) > 0 })
	post := blocksOf(t, e.fake.posts(atipChannel)[0])
	if got := button(t, post, actClaim); got != id {
		t.Fatalf("Claim button value %q, want %s", got, id)
	}
	resolveValue := button(t, post, actResolve)
	// Presses come from the posted message: the claim's own update and the
	// claimed notice's update (delivered from the outbox, in either order)
	// both land on it.
	postTS := e.fake.posts(atipChannel)[0].TS

	// Someone who is not a coordinator: a private refusal, nothing changes.
	e.interact(e.press(otherUser, actClaim, id, atipChannel, postTS, e.fake.responseURL("refused"), false))
	waitFor(t, "the refusal", func() bool { return len(e.fake.responses("refused")) > 0 })
	e.settle()
	refusal := decodeMessage(t, e.fake.responses("refused")[0].Body)
	if refusal.ResponseType != "ephemeral" || !strings.Contains(allText(refusal.Blocks), text(bot.English, msgNotCoordinator)) {
		t.Errorf("refusal = %+v", refusal)
	}
	if tk, _ := e.tickets.Ticket(t.Context(), id); tk.Status != bot.StatusOpen {
		t.Errorf("status after a refused claim: %s", tk.Status)
	}
	if n := len(e.fake.get("chat.update")); n != 0 {
		t.Errorf("%d message updates after a refused claim", n)
	}
	// Nor may they resolve.
	e.interact(e.press(otherUser, actResolve, id, atipChannel, postTS, e.fake.responseURL("refused2"), false))
	waitFor(t, "the second refusal", func() bool { return len(e.fake.responses("refused2")) > 0 })
	if n := len(e.fake.get("views.open")); n != 0 {
		t.Errorf("a non-coordinator opened the resolve modal")
	}

	// A coordinator claims: the message is updated in place.
	e.interact(e.press(coordUser, actClaim, id, atipChannel, postTS, e.fake.responseURL("claim"), false))
	waitFor(t, "the update", func() bool { return len(e.fake.get("chat.update")) > 0 })
	e.settle()
	up := e.fake.get("chat.update")[0]
	if up.Form.Get("channel") != atipChannel || up.Form.Get("ts") != postTS {
		t.Errorf("updated %s/%s, want %s/%s", up.Form.Get("channel"), up.Form.Get("ts"), atipChannel, postTS)
	}
	ub := blocksOf(t, up)
	if txt := allText(ub); !strings.Contains(txt, "Claimed by <@"+coordUser+">") || hasButton(ub, actClaim) || !hasButton(ub, actResolve) {
		t.Errorf("claimed ticket message = %q", txt)
	}
	if tk, _ := e.tickets.Ticket(t.Context(), id); tk.Status != bot.StatusClaimed || tk.Claimant != "slack:"+coordUser {
		t.Errorf("ticket after claim: %s by %s", tk.Status, tk.Claimant)
	}

	// A second claim: refused privately, the message shows the claim.
	e.interact(e.press(groupUser, actClaim, id, atipChannel, postTS, e.fake.responseURL("again"), false))
	waitFor(t, "the second claim's refusal", func() bool { return len(e.fake.responses("again")) > 0 })
	if got := allText(decodeMessage(t, e.fake.responses("again")[0].Body).Blocks); !strings.Contains(got, "already claimed") {
		t.Errorf("second claim answered %q", got)
	}

	// A member of the coordinator group resolves: a modal first.
	e.interact(e.press(groupUser, actResolve, resolveValue, atipChannel, postTS, e.fake.responseURL("resolve"), false))
	waitFor(t, "the modal", func() bool { return len(e.fake.get("views.open")) > 0 })
	var opened struct {
		TriggerID string `json:"trigger_id"`
		View      struct {
			CallbackID      string `json:"callback_id"`
			PrivateMetadata string `json:"private_metadata"`
		} `json:"view"`
	}
	if err := json.Unmarshal([]byte(e.fake.get("views.open")[0].Body), &opened); err != nil {
		t.Fatal(err)
	}
	if opened.TriggerID == "" || opened.View.CallbackID != cbResolve || !strings.Contains(opened.View.PrivateMetadata, id) {
		t.Fatalf("views.open = %+v", opened)
	}

	submit := func(user, note string) (int, string) {
		return e.interact(map[string]any{
			"type": "view_submission", "user": map[string]any{"id": user}, "team": map[string]any{"id": team},
			"view": map[string]any{"id": "V0VIEW", "type": "modal", "callback_id": cbResolve, "private_metadata": opened.View.PrivateMetadata,
				"state": map[string]any{"values": map[string]any{noteBlock: map[string]any{noteInput: map[string]any{"type": "plain_text_input", "value": note}}}}},
		})
	}
	// An empty note is refused in the modal.
	status, body := submit(groupUser, "  ")
	if status != http.StatusOK || !strings.Contains(body, `"response_action":"errors"`) {
		t.Errorf("empty note: %d %s", status, body)
	}
	// A non-coordinator's submission (forged) is refused too.
	if _, body := submit(otherUser, "approved"); !strings.Contains(body, "errors") {
		t.Errorf("non-coordinator submission: %s", body)
	}
	status, body = submit(groupUser, "Approved: use the standard privacy notice.")
	if status != http.StatusOK || strings.TrimSpace(body) != "" {
		t.Fatalf("submission: %d %q, want an empty 200 that closes the modal", status, body)
	}
	tk, err := e.tickets.Ticket(t.Context(), id)
	if err != nil || tk.Status != bot.StatusResolved || tk.Resolution != "Approved: use the standard privacy notice." {
		t.Fatalf("ticket after resolve: %+v %v", tk, err)
	}
	// The message shows the resolution, and the requester is told (the
	// request came from a slash command: in a direct message).
	waitFor(t, "the resolved message", func() bool {
		for _, u := range e.fake.get("chat.update") {
			if u.Form.Get("ts") == postTS && strings.Contains(allText(blocksOf(t, u)), "Resolved by <@"+groupUser+">") {
				return true
			}
		}
		return false
	})
	waitFor(t, "the requester's notice", func() bool { return len(e.fake.posts("D0NEW")) > 0 })
	if opens := e.fake.get("conversations.open"); len(opens) != 1 || opens[0].Form.Get("users") != asker {
		t.Errorf("conversations.open = %+v, want the requester", opens)
	}
	if txt := allText(blocksOf(t, e.fake.posts("D0NEW")[0])); !strings.Contains(txt, id) || !strings.Contains(txt, "Approved: use the standard privacy notice.") {
		t.Errorf("requester told %q", txt)
	}
}

func TestRequesterToldInThread(t *testing.T) {
	e := setup(t)
	// Threads needs review: the mention opens a ticket from the thread.
	e.event(e.url, "Ev060", mention(asker, threadsQ, "1700000800.000200", "1700000800.000100"), signed{})
	waitFor(t, "the answer", func() bool { return len(e.fake.posts(channel)) > 0 })
	e.settle()
	ts, err := e.tickets.Tickets(t.Context(), "")
	if err != nil || len(ts) != 1 {
		t.Fatalf("tickets %+v %v", ts, err)
	}
	if _, err := e.reviews.Resolve(t.Context(), bot.Person{ID: "slack:" + coordUser}, ts[0].ID, "A PIA is needed."); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the notice", func() bool { return len(e.fake.posts(channel)) > 1 })
	p := e.fake.posts(channel)[1]
	if p.Form.Get("thread_ts") != "1700000800.000100" || !strings.Contains(allText(blocksOf(t, p)), "A PIA is needed.") {
		t.Errorf("notice %+v", p.Form)
	}
}

func TestRateLimitedWebAPIRetried(t *testing.T) {
	e := setup(t)
	e.fake.rateLimit("chat.postMessage", "1", "") // Retry-After: 1, then a 429 without it
	start := time.Now()
	// LinkedIn needs no review: no ticket post competes for the 429s.
	e.event(e.url, "Ev070", mention(asker, "can we use LinkedIn?", "1700000900.000200", "1700000900.000100"), signed{})
	waitFor(t, "the reply", func() bool { return len(e.fake.posts(channel)) > 0 })
	if took := time.Since(start); took < 2*time.Second {
		t.Errorf("reply after %s: Retry-After (1 s) and the 429 without it (1 s) not honoured", took)
	}
	e.settle()
	if n := len(e.fake.posts(channel)); n != 1 {
		t.Errorf("%d replies, want 1", n)
	}
	if got := scrape(t, e); !strings.Contains(got, `commsbot_platform_api_errors_total{platform="slack"} 2`) {
		t.Errorf("platform errors not counted:\n%s", grep(got, "platform_api"))
	}

	// A Retry-After beyond MaxRetryWait is not waited for.
	e2 := setup(t, func(c *Config) { c.MaxRetryWait = time.Second })
	e2.fake.rateLimit("chat.postMessage", "120")
	e2.event(e2.url, "Ev071", mention(asker, "can we use LinkedIn?", "1700000901.000200", ""), signed{})
	e2.settle()
	// settle waited for the work to end: had it waited out the 120 s and
	// retried, the retry would have been posted.
	e2.fake.mu.Lock()
	left := len(e2.fake.limited["chat.postMessage"])
	e2.fake.mu.Unlock()
	if n := len(e2.fake.posts(channel)); n != 0 || left != 0 {
		t.Errorf("%d posts, %d rate-limited answers unused; want one attempt, answered 429, not retried", n, left)
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestHandlerPanicRecovered(t *testing.T) {
	e := setup(t)
	e.engine.panic.Store(true)
	// A slash command: the user gets an apology, not silence.
	status, m := e.slash(asker, threadsQ, e.fake.responseURL("p"))
	if status != http.StatusOK || !strings.Contains(allText(m.Blocks), text(bot.English, msgError)) {
		t.Errorf("slash command with a panicking engine: %d %+v", status, m)
	}
	// An event: acknowledged, the panic logged in the background.
	if status := e.event(e.url, "Ev080", mention(asker, threadsQ, "1700001000.000200", ""), signed{}); status != http.StatusOK {
		t.Errorf("event: status %d", status)
	}
	e.settle()
	// The process lives on and answers.
	e.engine.panic.Store(false)
	e.event(e.url, "Ev081", mention(asker, threadsQ, "1700001001.000200", ""), signed{})
	waitFor(t, "an answer after the panics", func() bool { return len(e.fake.posts(channel)) == 1 })

	// A panic in the HTTP handler itself is a 500, not a crash.
	h := e.a.verified("test", func(http.ResponseWriter, *http.Request, []byte) { panic("handler exploded") })
	srv := httptest.NewServer(h)
	defer srv.Close()
	if status, _ := e.post(srv.URL, "", form, "a=b", signed{}); status != http.StatusInternalServerError {
		t.Errorf("panicking handler: status %d, want 500", status)
	}
}

func TestRemindersAndNoticesWithoutChannel(t *testing.T) {
	e := setup(t)
	tk := bot.Ticket{ID: "R-REMIND23", Created: time.Now().Add(-5 * time.Hour), Category: bot.CategoryOtherUse, Status: bot.StatusOpen,
		Requester: bot.Person{ID: "slack:" + asker}, Origin: bot.Origin{Platform: platform, Channel: channel}}
	if err := e.a.Notify(t.Context(), bot.NoticeReminder, tk); err != nil {
		t.Fatal(err)
	}
	posts := e.fake.posts(atipChannel)
	if len(posts) != 1 || !strings.Contains(allText(blocksOf(t, posts[0])), "Reminder") {
		t.Fatalf("reminder posts = %+v", posts)
	}
	// A second reminder is a new message in the channel, not an edit.
	if err := e.a.Notify(t.Context(), bot.NoticeReminder, tk); err != nil || len(e.fake.posts(atipChannel)) != 2 {
		t.Errorf("second reminder: %v, %d posts", err, len(e.fake.posts(atipChannel)))
	}
	// Slack failing: the error goes back to the outbox, to retry.
	e.fake.rateLimit("chat.postMessage", "100")
	if err := e.a.Notify(t.Context(), bot.NoticeOpened, bot.Ticket{ID: "R-FAIL2345", Status: bot.StatusOpen}); err == nil {
		t.Error("a notice Slack refused reported as delivered")
	}

	// Without ATIP_SLACK_CHANNEL, coordinators' notices go to the log only.
	n := setup(t, func(c *Config) { c.ATIPChannel = "" })
	if err := n.a.Notify(t.Context(), bot.NoticeOpened, tk); err != nil || len(n.fake.get("chat.postMessage")) != 0 {
		t.Errorf("notice without a channel: %v, %d posts", err, len(n.fake.get("chat.postMessage")))
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{}); err == nil || !strings.Contains(err.Error(), "bot token") || !strings.Contains(err.Error(), "signing secret") || !strings.Contains(err.Error(), "engine") {
		t.Errorf("New(empty) = %v, want every problem", err)
	}
	a, err := New(Config{BotToken: "xoxb-x", AppToken: "xapp-x", APIURL: "http://127.0.0.1:1/api", Engine: &bot.Engine{}})
	if err != nil || a.cfg.APIURL != "http://127.0.0.1:1/api/" || a.Name() != "slack" {
		t.Errorf("New = %v, %v", a, err)
	}
	if err := a.Ready(); err == nil {
		t.Error("Socket Mode adapter ready before connecting")
	}
}

// TestClarifyButtonsAnswer: a question the classifier is unsure about gets
// one button per option; pressing one replaces the question with that
// entry's answer.
func TestClarifyButtonsAnswer(t *testing.T) {
	e := setup(t)
	_, m := e.slash(asker, "which activities are pre-cleared for our accounts?", e.fake.responseURL("clar"))
	second := button(t, m.Blocks, actChoose+"2")
	rf, err := decodeRef(second)
	if err != nil || rf.Entry == "" {
		t.Fatalf("option button value %q: %v", second, err)
	}
	if hasButton(m.Blocks, actLang) || hasButton(m.Blocks, actUp) {
		t.Error("a clarifying question offers no language or feedback buttons")
	}
	e.interact(e.press(asker, actChoose+"2", second, channel, "", e.fake.responseURL("pick"), true))
	waitFor(t, "the answer", func() bool { return len(e.fake.responses("pick")) > 0 })
	got := decodeMessage(t, e.fake.responses("pick")[0].Body)
	if !got.ReplaceOriginal {
		t.Error("the answer does not replace the question")
	}
	if hasButton(got.Blocks, actChoose+"1") || !hasButton(got.Blocks, actLang) {
		t.Errorf("the answer should be a normal answer: %s", allText(got.Blocks))
	}
	kbEntry, _ := kb.Entry(rf.Entry)
	if txt := allText(got.Blocks); !strings.Contains(txt, kbEntry.Cites[0].Quotes[bot.English][:20]) {
		t.Errorf("answer to option 2 does not quote %s: %s", rf.Entry, txt)
	}
}

// TestLanguageButtonKeepsItsAnswer: "Français" on an older answer shows
// that answer in French, not the conversation's latest; after forget too.
func TestLanguageButtonKeepsItsAnswer(t *testing.T) {
	e := setup(t)
	_, m := e.slash(asker, "can we use LinkedIn?", e.fake.responseURL("li"))
	fr := button(t, m.Blocks, actLang)
	e.slash(asker, "do we need consent to add someone to a mailing list?", e.fake.responseURL("consent"))
	e.interact(e.press(asker, actLang, fr, channel, "", e.fake.responseURL("fr1"), true))
	waitFor(t, "the re-rendered answer", func() bool { return len(e.fake.responses("fr1")) > 0 })
	if txt := allText(decodeMessage(t, e.fake.responses("fr1")[0].Body).Blocks); !strings.Contains(txt, "LinkedIn") || strings.Contains(txt, "liste de diffusion") {
		t.Errorf("Français on the LinkedIn answer shows %q", txt)
	}
	e.slash(asker, "forget me", e.fake.responseURL("forget"))
	e.interact(e.press(asker, actLang, fr, channel, "", e.fake.responseURL("fr2"), true))
	waitFor(t, "the answer after forget", func() bool { return len(e.fake.responses("fr2")) > 0 })
	if txt := allText(decodeMessage(t, e.fake.responses("fr2")[0].Body).Blocks); !strings.Contains(txt, "LinkedIn") || !strings.Contains(txt, "examinées") {
		t.Errorf("after forget, Français shows %q", txt)
	}
}

// TestCommandRetriedAfterCrash: a replica claims a slash command and dies
// before answering; the same request, retried byte for byte to another
// replica once the lease has run out, gets a cited answer, and a copy
// sent after that gets the same answer again (not an empty body, not a
// second ticket).
func TestCommandRetriedAfterCrash(t *testing.T) {
	e := setup(t)
	now := time.Now()
	e.store.SetClock(func() time.Time { return now })
	body := e.command("U0ASK", "Can we open an official account on Mastodon?", "")
	trigger, _ := url.ParseQuery(body)
	// The first replica claimed it, then was killed.
	if st, _, err := e.store.BeginEvent(t.Context(), "slack:cmd:"+trigger.Get("trigger_id"), bot.DefaultEventLease, bot.DedupeTTL); err != nil || st != bot.EventClaimed {
		t.Fatalf("claim: %v %v", st, err)
	}
	s := signed{ts: time.Now().Unix()}
	status, raw := e.post(e.url, "/slack/commands", form, body, s)
	if status != http.StatusOK || !strings.Contains(raw, "still answering") {
		t.Fatalf("retry while the dead replica's lease is live: %d %q, want a note that it is being answered", status, raw)
	}
	now = now.Add(bot.DefaultEventLease + time.Second)
	replica := e.serve(e.newAdapter())
	status, raw = e.post(replica, "/slack/commands", form, body, s)
	first := decodeMessage(t, raw)
	if status != http.StatusOK || !strings.Contains(raw, "Annex A, Q9") {
		t.Fatalf("retry after the lease: %d %q, want a cited answer", status, raw)
	}
	tickets, err := e.tickets.Tickets(t.Context(), "")
	if err != nil || len(tickets) != 1 {
		t.Fatalf("tickets after the retry: %d (%v), want 1", len(tickets), err)
	}
	status, raw = e.post(e.url, "/slack/commands", form, body, s)
	if again := decodeMessage(t, raw); status != http.StatusOK || again.Text != first.Text || again.Text == "" {
		t.Errorf("copy after the answer: %d %q, want the same answer %q", status, again.Text, first.Text)
	}
	if tickets, _ := e.tickets.Tickets(t.Context(), ""); len(tickets) != 1 {
		t.Errorf("%d tickets after the copy, want 1", len(tickets))
	}
}

// TestInteractionsFailClosedWhenStoreDown: with the replay store (a real
// Redis) stopped, a button press, which may change a ticket, is refused
// (503) rather than risk a replayed Claim or Resolve; an event is still
// acknowledged.
func TestInteractionsFailClosedWhenStoreDown(t *testing.T) {
	srv := redistest.Start(t)
	rs, err := commsredis.Open(t.Context(), commsredis.Options{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rs.Close() })
	e := setup(t)
	replica := e.serve(e.newAdapter(func(c *Config) { c.Dedupe = rs }))
	srv.Stop()
	payload := e.press(coordUser, "commsbot_claim", `{"k":"R-NOPE"}`, atipChannel, "1.1", "", false)
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	status, _ := e.post(replica, "/slack/interactions", form, "payload="+url.QueryEscape(string(b)), signed{})
	if status != http.StatusServiceUnavailable {
		t.Errorf("button press with the store down: status %d, want 503", status)
	}
	if status := e.event(replica, "Ev-down", map[string]any{"type": "app_mention", "user": "U0ASK", "channel": channel, "text": "<@U0BOT> hi", "ts": "1.2"}, signed{}); status != http.StatusOK {
		t.Errorf("event with the store down: status %d, want 200", status)
	}
	e.settle()
}
