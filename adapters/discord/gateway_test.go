package discord_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/commsbot/commsbot/adapters/discord"
	"github.com/commsbot/commsbot/adapters/discord/discordtest"
)

// gatewayOn connects the adapter's gateway to the fake.
func gatewayOn(c *discord.Config, _ *countingHandler) { c.Gateway = true }

// waitReady waits for the gateway's READY to be handled.
func waitReady(t *testing.T, e *env) {
	t.Helper()
	e.fake.Wait(t, 10*time.Second, "gateway ready", func() bool { return e.a.Ready() == nil && len(e.fake.Identifies()) > 0 })
}

// userMessage is a MESSAGE_CREATE payload; guild "" is a direct message.
func userMessage(from, guildID, channel, content string, mentions ...string) map[string]any {
	m := map[string]any{
		"id": id(), "channel_id": channel, "content": content, "timestamp": "2026-01-01T00:00:00Z", "type": 0,
		"author":   map[string]any{"id": from, "username": "user" + from, "global_name": "User " + from},
		"mentions": []any{},
	}
	for _, u := range mentions {
		m["mentions"] = append(m["mentions"].([]any), map[string]any{"id": u, "username": "commsbot", "bot": true})
	}
	if guildID != "" {
		m["guild_id"] = guildID
		m["member"] = map[string]any{"nick": "", "roles": []any{}, "joined_at": "2024-01-01T00:00:00Z"}
	}
	return m
}

func TestGatewayIdentifiesAndIsReady(t *testing.T) {
	t.Parallel() // each waits a second for discordgo to close its connection
	e := setup(t, gatewayOn)
	if err := e.a.Ready(); err == nil {
		// Run may not have connected yet; Ready must say so until it has.
		if len(e.fake.Identifies()) == 0 {
			t.Error("Ready before the gateway connected")
		}
	}
	waitReady(t, e)
	id := e.fake.Identifies()[0]
	if id["token"] != "Bot test-token" {
		t.Errorf("identify token %v", id["token"])
	}
	if got, want := id["intents"], float64(discord.Intents); got != want {
		t.Errorf("identify intents %v, want %v", got, want)
	}
	if c := e.fake.CallsTo(http.MethodGet, "/api/v9/gateway"); len(c) == 0 {
		t.Error("the gateway URL was not asked of DISCORD_API_URL")
	}

	// The connection drops and cannot be reopened for a while: not ready.
	e.fake.SetDown(true)
	e.fake.Drop()
	e.fake.Wait(t, 10*time.Second, "not ready after a drop", func() bool { return e.a.Ready() != nil })
	// Back: the supervisor reconnects, resuming the session.
	e.fake.SetDown(false)
	e.fake.Wait(t, 15*time.Second, "ready again", func() bool { return e.a.Ready() == nil })
	if e.fake.Resumes() == 0 {
		t.Errorf("reconnected without resuming (%d identifies)", len(e.fake.Identifies()))
	}
}

func TestGatewayWithoutItIsAlwaysReady(t *testing.T) {
	t.Parallel() // each waits a second for discordgo to close its connection
	e := setup(t)
	if err := e.a.Ready(); err != nil {
		t.Errorf("HTTP-only adapter not ready: %v", err)
	}
}

func TestGatewayShardIdentify(t *testing.T) {
	t.Parallel() // each waits a second for discordgo to close its connection
	e := setup(t, func(c *discord.Config, _ *countingHandler) {
		c.Gateway, c.ShardID, c.ShardCount = true, 1, 2
	})
	waitReady(t, e)
	shard, _ := e.fake.Identifies()[0]["shard"].([]any)
	if len(shard) != 2 || shard[0] != float64(1) || shard[1] != float64(2) {
		t.Errorf("identify shard %v, want [1 2]", shard)
	}
	// Only shard 0 registers the commands.
	time.Sleep(200 * time.Millisecond)
	if c := e.fake.CallsTo(http.MethodPut, "/commands"); len(c) != 0 {
		t.Errorf("shard 1 registered commands: %d calls", len(c))
	}
}

func TestGatewayMentionInChannel(t *testing.T) {
	t.Parallel() // each waits a second for discordgo to close its connection
	e := setup(t, gatewayOn)
	waitReady(t, e)
	// A message that does not mention the bot is not answered.
	e.fake.Dispatch(t, "MESSAGE_CREATE", userMessage(asker, guild, "chan-9", threadsQ))
	// Nor are other bots.
	bm := userMessage(otherUser, guild, "chan-9", "<@"+discordtest.BotID+"> "+threadsQ, discordtest.BotID)
	bm["author"].(map[string]any)["bot"] = true
	e.fake.Dispatch(t, "MESSAGE_CREATE", bm)

	m := userMessage(asker, guild, "chan-9", "<@"+discordtest.BotID+"> "+threadsQ, discordtest.BotID)
	if n := e.fake.Dispatch(t, "MESSAGE_CREATE", m); n != 1 {
		t.Fatalf("dispatched to %d connections", n)
	}
	c := e.fake.WaitCall(t, http.MethodPost, "/channels/chan-9/messages", 0)
	var reply message
	c.JSON(t, &reply)
	citation(t, reply, pinTitle)
	if !strings.Contains(reply.Embeds[0].Description, "Threads") {
		t.Errorf("reply is not about Threads: %q", reply.Embeds[0].Description)
	}
	if reply.MessageReference == nil || reply.MessageReference.MessageID != m["id"] {
		t.Errorf("reply does not reference the question: %+v", reply.MessageReference)
	}
	if _, ok := reply.button("lang:fr:" + asker); !ok {
		t.Errorf("reply has no language button:\n%s", reply.text())
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(e.fake.CallsTo(http.MethodPost, "/channels/chan-9/messages")); n != 1 {
		t.Errorf("%d replies in the channel, want 1 (only the mention)", n)
	}
	if n := e.handler.calls.Load(); n != 1 {
		t.Errorf("engine asked %d times, want 1", n)
	}
	// The mention is not part of the question the ticket records.
	ticket := ticketRe.FindString(reply.text())
	if tk := status(t, e, ticket); strings.Contains(tk.Question, "<@") || !strings.Contains(tk.Question, "Threads") {
		t.Errorf("ticket question %q", tk.Question)
	}
}

func TestGatewayHandlerPanicIsRecovered(t *testing.T) {
	t.Parallel() // each waits a second for discordgo to close its connection
	e := setup(t, gatewayOn)
	waitReady(t, e)
	e.handler.panic.Store(true)
	e.fake.Dispatch(t, "MESSAGE_CREATE", userMessage(asker, guild, "chan-3", "<@"+discordtest.BotID+"> "+consentQ, discordtest.BotID))
	var reply message
	e.fake.WaitCall(t, http.MethodPost, "/channels/chan-3/messages", 0).JSON(t, &reply)
	if !strings.Contains(reply.text(), "something went wrong") {
		t.Errorf("after a panic: %q", reply.text())
	}
	e.handler.panic.Store(false)
	e.fake.Dispatch(t, "MESSAGE_CREATE", userMessage(asker, guild, "chan-3", "<@"+discordtest.BotID+"> "+consentQ, discordtest.BotID))
	e.fake.WaitCall(t, http.MethodPost, "/channels/chan-3/messages", 1).JSON(t, &reply)
	citation(t, reply, pinTitle)
	if err := e.a.Ready(); err != nil {
		t.Errorf("gateway lost after a panic: %v", err)
	}
}

func TestGatewayDirectMessage(t *testing.T) {
	t.Parallel() // each waits a second for discordgo to close its connection
	e := setup(t, gatewayOn)
	waitReady(t, e)
	e.fake.Dispatch(t, "MESSAGE_CREATE", userMessage(asker, "", "dm-"+asker, "faut-il un consentement pour une liste d'envoi?"))
	c := e.fake.WaitCall(t, http.MethodPost, "/channels/dm-"+asker+"/messages", 0)
	var reply message
	c.JSON(t, &reply)
	citation(t, reply, "Avis de mise en œuvre")
	if !strings.Contains(reply.Embeds[0].Description, "consentement") {
		t.Errorf("DM reply not in French: %q", reply.Embeds[0].Description)
	}
}

func TestGatewayInteractionInDirectMessage(t *testing.T) {
	t.Parallel() // each waits a second for discordgo to close its connection
	e := setup(t, gatewayOn)
	waitReady(t, e)
	// In a direct message the interaction has user, not member.
	i := discordtest.Interaction(id(), typeCommand, discordtest.Ask("ask", map[string]string{"question": threadsQ}), asker, "", nil, "en-US")
	e.fake.Dispatch(t, "INTERACTION_CREATE", i)
	c := e.fake.WaitCall(t, http.MethodPost, "/interactions/"+i["id"].(string)+"/"+i["token"].(string)+"/callback", 0)
	var r response
	c.JSON(t, &r)
	if r.Type != respMessage {
		t.Fatalf("response type %d", r.Type)
	}
	citation(t, r.Data, pinTitle)
	tk := status(t, e, ticketRe.FindString(r.Data.text()))
	if tk.Requester.ID != "discord:"+asker {
		t.Errorf("requester %q", tk.Requester.ID)
	}
}

func TestGatewayInteractionDeferred(t *testing.T) {
	t.Parallel() // each waits a second for discordgo to close its connection
	e := setup(t, gatewayOn, func(c *discord.Config, h *countingHandler) {
		c.DeferAfter = 100 * time.Millisecond
		h.delay.Store(int64(500 * time.Millisecond))
	})
	waitReady(t, e)
	i := ask(asker, threadsQ, "en-US")
	e.fake.Dispatch(t, "INTERACTION_CREATE", i)
	c := e.fake.WaitCall(t, http.MethodPost, "/interactions/"+i["id"].(string)+"/", 0)
	var r response
	c.JSON(t, &r)
	if r.Type != respDeferred {
		t.Fatalf("response type %d, want deferred", r.Type)
	}
	edit := e.fake.WaitCall(t, http.MethodPatch, "/webhooks/app/"+i["token"].(string)+"/messages/@original", 0)
	if !edit.At.After(c.At) {
		t.Error("edit before the deferred response")
	}
	var m message
	edit.JSON(t, &m)
	citation(t, m, pinTitle)
}

func TestGatewayReplicasAnswerOnce(t *testing.T) {
	t.Parallel() // each waits a second for discordgo to close its connection
	// Two replicas on the same shard share the dedupe store: one answer.
	e := setup(t, gatewayOn)
	waitReady(t, e)
	second, err := discord.New(discord.Config{Token: "test-token", Gateway: true, APIURL: e.fake.APIURL(),
		Handler: e.handler, Dedupe: e.handler.Engine.Dedupe, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { second.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	e.fake.Wait(t, 10*time.Second, "second replica ready", func() bool { return second.Ready() == nil })

	m := userMessage(asker, guild, "chan-7", "<@"+discordtest.BotID+"> "+consentQ, discordtest.BotID)
	if n := e.fake.Dispatch(t, "MESSAGE_CREATE", m); n != 2 {
		t.Fatalf("dispatched to %d connections, want 2", n)
	}
	e.fake.WaitCall(t, http.MethodPost, "/channels/chan-7/messages", 0)
	time.Sleep(300 * time.Millisecond)
	if n := len(e.fake.CallsTo(http.MethodPost, "/channels/chan-7/messages")); n != 1 {
		t.Errorf("%d replies from two replicas, want 1", n)
	}
}

func TestCommandRegistrationIsIdempotent(t *testing.T) {
	e := setup(t)
	first := e.fake.WaitCall(t, http.MethodPut, appCommands, 0) // Run registers at start
	if err := e.a.Register(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.a.Register(context.Background()); err != nil {
		t.Fatal(err)
	}
	puts := e.fake.CallsTo(http.MethodPut, "/commands")
	if len(puts) != 3 {
		t.Fatalf("%d PUTs, want 3", len(puts))
	}
	for _, p := range puts {
		if p.Path != appCommands || !bytes.Equal(p.Body, first.Body) {
			t.Errorf("registration %s differs from the first", p.Path)
		}
	}
	if n := len(e.fake.CallsTo(http.MethodPost, "/commands")); n != 0 {
		t.Errorf("%d commands created one by one", n)
	}
	cmds := e.fake.Commands(appCommands)
	if len(cmds) != 1 || cmds[0]["name"] != "privacy" {
		t.Fatalf("registered %v", cmds)
	}
	var subs []string
	for _, o := range cmds[0]["options"].([]any) {
		o := o.(map[string]any)
		subs = append(subs, o["name"].(string))
		if o["name"] == "platform" {
			name := o["options"].([]any)[0].(map[string]any)
			if name["name"] != "name" || name["autocomplete"] != true {
				t.Errorf("platform name: option is %v", name)
			}
		}
	}
	if got := strings.Join(subs, ","); got != "ask,platform,review,reviews,lang,forget" {
		t.Errorf("sub-commands %s", got)
	}
	if first.Auth != "Bot test-token" {
		t.Errorf("registration Authorization %q", first.Auth)
	}
}

func TestCommandRegistrationInGuild(t *testing.T) {
	e := setup(t, func(c *discord.Config, _ *countingHandler) { c.GuildID = guild })
	e.fake.WaitCall(t, http.MethodPut, guildCommand, 0)
	if err := e.a.Register(context.Background()); err != nil {
		t.Fatal(err)
	}
	if cmds := e.fake.Commands(guildCommand); len(cmds) != 1 {
		t.Errorf("guild commands %v", cmds)
	}
	if c := e.fake.CallsTo(http.MethodPut, appCommands); len(c) != 0 {
		t.Error("registered globally as well as in the guild")
	}
}

func TestRateLimitIsHonoured(t *testing.T) {
	t.Parallel()
	e := setup(t, gatewayOn)
	waitReady(t, e)
	// The first reply in the channel is refused with a 429: it is sent
	// again after retry_after, not dropped.
	e.fake.Fail(http.MethodPost, "/api/v9/channels/chan-5/messages", http.StatusTooManyRequests,
		`{"message": "You are being rate limited.", "retry_after": 0.4, "global": false}`,
		http.Header{"Retry-After": {"1"}, "X-Ratelimit-Scope": {"user"}}, 1)
	e.fake.Dispatch(t, "MESSAGE_CREATE", userMessage(asker, guild, "chan-5", "<@"+discordtest.BotID+"> "+consentQ, discordtest.BotID))
	second := e.fake.WaitCall(t, http.MethodPost, "/channels/chan-5/messages", 1)
	first := e.fake.CallsTo(http.MethodPost, "/channels/chan-5/messages")[0]
	if gap := second.At.Sub(first.At); gap < 400*time.Millisecond {
		t.Errorf("retried after %v, before retry_after (400ms)", gap)
	}
	if !bytes.Equal(first.Body, second.Body) {
		t.Error("the retry is not the same message")
	}
	if n := counter(t, e.metrics, "commsbot_platform_api_errors_total", map[string]string{"platform": "discord"}); n < 1 {
		t.Errorf("the 429 was not counted as an API error (%v)", n)
	}
}
