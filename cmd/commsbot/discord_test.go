package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/commsbot/commsbot/adapters/discord/discordtest"
)

const (
	discordGuild   = "100000000000000001"
	discordAsker   = "300000000000000005"
	discordChannel = "400000000000000007"
	pinTitle       = "Privacy Implementation Notice 2021-01"
)

// threadsInteraction is /privacy ask question:"can we use Threads?".
func threadsInteraction(id string) map[string]any {
	return discordtest.Interaction(id, int(discordgo.InteractionApplicationCommand),
		discordtest.Ask("ask", map[string]string{"question": "can we use Threads?"}), discordAsker, discordGuild, nil, "en-US")
}

// answerData is what the tests read of a response's data (discordgo's
// type cannot decode components).
type answerData struct {
	Embeds []*discordgo.MessageEmbed `json:"embeds"`
}

// citesNotice reports whether an interaction response or webhook edit
// shows an answer citing the Privacy Implementation Notice.
func citesNotice(t *testing.T, data *answerData) bool {
	t.Helper()
	if data == nil || len(data.Embeds) == 0 {
		return false
	}
	e := data.Embeds[0]
	if !strings.Contains(e.Description, "Threads") {
		t.Errorf("answer is not about Threads: %q", e.Description)
	}
	for _, f := range e.Fields {
		if strings.Contains(f.Name, pinTitle) && strings.HasPrefix(f.Value, "“") {
			return true
		}
	}
	return false
}

// TestServeDiscordInteraction is the "done when": a signed
// APPLICATION_COMMAND posted to serve gets an answer citing the notice,
// directly or as a deferred response edited on DISCORD_API_URL.
func TestServeDiscordInteraction(t *testing.T) {
	serveThreads(t, map[string]string{}, false)
}

// TestServeDiscordInteractionDeferred makes the answer slow — a model
// server that does not answer, waited for up to LLM_TIMEOUT — so that the
// interaction is deferred and the curated answer comes as an edit.
func TestServeDiscordInteractionDeferred(t *testing.T) {
	stop := make(chan struct{})
	llm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets the server notice the client giving up.
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(func() { close(stop); llm.Close() })
	serveThreads(t, map[string]string{"OPENAI_BASE_URL": llm.URL + "/v1", "LLM_TIMEOUT": "2500ms"}, true)
}

// serveThreads starts serve in HTTP interactions mode with env added and
// checks the answer to /privacy ask question:"can we use Threads?".
func serveThreads(t *testing.T, env map[string]string, wantDeferred bool) {
	fake := discordtest.New(t)
	signer := discordtest.NewSigner(t)
	env["DISCORD_PUBLIC_KEY"] = signer.PublicKeyHex()
	env["DISCORD_API_URL"] = fake.APIURL()
	env["DISCORD_GATEWAY"] = "off"
	base := startServe(t, env)
	url := base + "/discord/interactions"

	// Discord checks the endpoint with a PING when it is saved.
	ping, _ := json.Marshal(map[string]any{"id": "1", "application_id": "app", "type": 1, "token": "t", "version": 1})
	resp := signer.Post(t, url, ping, time.Now())
	var pong discordgo.InteractionResponse
	if err := json.NewDecoder(resp.Body).Decode(&pong); err != nil || resp.StatusCode != http.StatusOK || pong.Type != discordgo.InteractionResponsePong {
		t.Fatalf("PING: status %d, type %d, %v", resp.StatusCode, pong.Type, err)
	}
	resp.Body.Close()

	i := threadsInteraction("700000000000000001")
	body, _ := json.Marshal(i)
	// A forged request gets 401.
	forged := discordtest.NewSigner(t).Post(t, url, body, time.Now())
	forged.Body.Close()
	if forged.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged request: status %d, want 401", forged.StatusCode)
	}

	resp = signer.Post(t, url, body, time.Now())
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var r struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data *answerData                       `json:"data"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("response %s: %v", b, err)
	}
	if wantDeferred && r.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Fatalf("slow answer: response type %d, want a deferred response", r.Type)
	}
	switch r.Type {
	case discordgo.InteractionResponseChannelMessageWithSource:
		if !citesNotice(t, r.Data) {
			t.Fatalf("answer does not cite %s: %s", pinTitle, b)
		}
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		edit := fake.WaitCall(t, http.MethodPatch, "/webhooks/app/"+i["token"].(string)+"/messages/@original", 0)
		var data answerData
		edit.JSON(t, &data)
		if !citesNotice(t, &data) {
			t.Fatalf("edited answer does not cite %s: %s", pinTitle, edit.Body)
		}
	default:
		t.Fatalf("response type %d: %s", r.Type, b)
	}
}

// TestServeDiscordGateway runs serve with the bot token against the fake
// gateway: commands registered, /readyz following the connection, an
// interaction answered over REST and the ticket posted to the coordinators.
func TestServeDiscordGateway(t *testing.T) {
	fake := discordtest.New(t)
	base := startServe(t, map[string]string{
		"DISCORD_BOT_TOKEN":        "test-token",
		"DISCORD_APP_ID":           "200000000000000009",
		"DISCORD_GUILD_ID":         discordGuild,
		"DISCORD_API_URL":          fake.APIURL(),
		"ATIP_DISCORD_CHANNEL":     discordChannel,
		"DISCORD_COORDINATOR_ROLE": "200000000000000002",
	})
	readyz := func() (int, string) {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	fake.Wait(t, 15*time.Second, "/readyz 200", func() bool { code, _ := readyz(); return code == http.StatusOK })
	put := fake.WaitCall(t, http.MethodPut, "/applications/200000000000000009/guilds/"+discordGuild+"/commands", 0)
	if put.Auth != "Bot test-token" {
		t.Errorf("registration Authorization %q", put.Auth)
	}

	i := threadsInteraction("700000000000000002")
	if n := fake.Dispatch(t, "INTERACTION_CREATE", i); n != 1 {
		t.Fatalf("dispatched to %d connections", n)
	}
	c := fake.WaitCall(t, http.MethodPost, "/interactions/700000000000000002/"+i["token"].(string)+"/callback", 0)
	var r struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data *answerData                       `json:"data"`
	}
	c.JSON(t, &r)
	if r.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource {
		edit := fake.WaitCall(t, http.MethodPatch, "/messages/@original", 0)
		r.Data = &answerData{}
		edit.JSON(t, r.Data)
	}
	if !citesNotice(t, r.Data) {
		t.Fatalf("gateway answer does not cite %s: %s", pinTitle, c.Body)
	}
	ticket := fake.WaitCall(t, http.MethodPost, "/channels/"+discordChannel+"/messages", 0)
	if !strings.Contains(string(ticket.Body), "claim:R-") {
		t.Errorf("ticket message has no Claim button: %s", ticket.Body)
	}

	// The gateway drops and cannot reconnect: not ready, naming Discord.
	fake.SetDown(true)
	fake.Drop()
	fake.Wait(t, 15*time.Second, "/readyz 503", func() bool {
		code, body := readyz()
		return code == http.StatusServiceUnavailable && strings.Contains(body, "discord")
	})
	fake.SetDown(false)
	fake.Wait(t, 20*time.Second, "/readyz 200 again", func() bool { code, _ := readyz(); return code == http.StatusOK })
}

func TestDiscordConfig(t *testing.T) {
	key := strings.Repeat("ab", 32)
	cases := []struct {
		name string
		env  map[string]string
		want string // a fragment of the error, "" for none
	}{
		{"off", map[string]string{}, ""},
		{"HTTP only", map[string]string{"DISCORD_PUBLIC_KEY": key}, ""},
		{"gateway", map[string]string{"DISCORD_BOT_TOKEN": "tok", "DISCORD_APP_ID": "123"}, ""},
		{"bad key", map[string]string{"DISCORD_PUBLIC_KEY": "abc"}, "DISCORD_PUBLIC_KEY"},
		{"token without app id", map[string]string{"DISCORD_BOT_TOKEN": "tok"}, "DISCORD_APP_ID"},
		{"gateway without token", map[string]string{"DISCORD_PUBLIC_KEY": key, "DISCORD_GATEWAY": "on"}, "DISCORD_GATEWAY"},
		{"gateway maybe", map[string]string{"DISCORD_PUBLIC_KEY": key, "DISCORD_GATEWAY": "maybe"}, "DISCORD_GATEWAY"},
		{"shard out of range", map[string]string{"DISCORD_BOT_TOKEN": "tok", "DISCORD_APP_ID": "1", "DISCORD_SHARD_ID": "2", "DISCORD_SHARD_COUNT": "2"}, "DISCORD_SHARD_ID"},
		{"channel not an id", map[string]string{"DISCORD_BOT_TOKEN": "tok", "DISCORD_APP_ID": "1", "ATIP_DISCORD_CHANNEL": "#atip"}, "ATIP_DISCORD_CHANNEL"},
		{"channel without token", map[string]string{"DISCORD_PUBLIC_KEY": key, "ATIP_DISCORD_CHANNEL": "1"}, "ATIP_DISCORD_CHANNEL"},
		{"API URL", map[string]string{"DISCORD_PUBLIC_KEY": key, "DISCORD_API_URL": "discord.com/api"}, "DISCORD_API_URL"},
		{"only a guild", map[string]string{"DISCORD_GUILD_ID": "1"}, "neither DISCORD_BOT_TOKEN"},
	}
	for _, c := range cases {
		_, errs := loadDiscordConfig(func(k string) string { return c.env[k] })
		err := errors.Join(errs...)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want one about %s", c.name, err, c.want)
		}
	}
	c, _ := loadDiscordConfig(func(k string) string {
		return map[string]string{"DISCORD_BOT_TOKEN": "Bot tok", "DISCORD_APP_ID": "1", "DISCORD_API_URL": "http://127.0.0.1:9/api/"}[k]
	})
	if c.Token != "tok" || !c.Gateway || c.APIURL != "http://127.0.0.1:9/api" || c.ShardCount != 1 {
		t.Errorf("config %+v", c)
	}
}
