package discord_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/commsbot/commsbot/adapters/discord"
	"github.com/commsbot/commsbot/adapters/discord/discordtest"
	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/intents"
	"github.com/commsbot/commsbot/knowledge"
	"github.com/commsbot/commsbot/metrics"
	"github.com/commsbot/commsbot/storage/memory"
)

// Ids used across the tests.
const (
	guild        = "100000000000000001"
	coordRole    = "200000000000000002"
	coordUser    = "300000000000000003" // in the coordinators list
	roleUser     = "300000000000000004" // holds the coordinator role
	asker        = "300000000000000005"
	otherUser    = "300000000000000006"
	atipChannel  = "400000000000000007"
	threadsQ     = "can we use Threads?"
	pinTitle     = "Privacy Implementation Notice 2021-01"
	appCommands  = "/api/v9/applications/app/commands"
	guildCommand = "/api/v9/applications/app/guilds/" + guild + "/commands"
)

var (
	kbOnce sync.Once
	kb     *knowledge.KB
	nlu    *intents.Classifier
	kbErr  error
)

// env is an adapter wired to the real engine, in-memory stores, and a fake
// Discord.
type env struct {
	fake    *discordtest.Fake
	signer  discordtest.Signer
	a       *discord.Adapter
	handler *countingHandler
	reviews *bot.Reviews
	tickets *memory.TicketStore
	metrics *metrics.Metrics
	url     string // the interactions endpoint
}

// countingHandler counts the questions that reach the engine and can slow
// it down or make it panic.
type countingHandler struct {
	*bot.Engine
	calls atomic.Int64
	delay atomic.Int64 // nanoseconds
	panic atomic.Bool
}

func (h *countingHandler) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	h.calls.Add(1)
	if h.panic.Load() {
		panic("engine exploded")
	}
	if d := time.Duration(h.delay.Load()); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return bot.Reply{}, ctx.Err()
		}
	}
	return h.Engine.Handle(ctx, m)
}

func testLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// setup starts an adapter on a fake Discord: HTTP interactions with a
// bot token for REST, no gateway unless a change turns it on. The review
// notices are delivered by a dispatcher, as serve does.
func setup(t *testing.T, change ...func(*discord.Config, *countingHandler)) *env {
	t.Helper()
	kbOnce.Do(func() {
		kb, kbErr = knowledge.Load()
		if kbErr == nil {
			nlu, kbErr = intents.NewWith(kb.Examples(), kb.PrimarySections(), kb.Situations())
		}
	})
	if kbErr != nil {
		t.Fatal(kbErr)
	}
	store := memory.New()
	tickets := memory.NewTicketStore()
	m := metrics.New()
	coords, _ := bot.ParseCoordinators("discord:" + coordUser)
	reviews := &bot.Reviews{Store: tickets, Outbox: tickets, Locker: tickets,
		Coordinators: discord.RoleCoordinators{Next: coords, Role: coordRole}, Observer: m}
	eng := &bot.Engine{NLU: nlu, KB: kb, Store: store, Dedupe: store, Reviews: reviews, Observer: m}
	h := &countingHandler{Engine: eng}
	e := &env{fake: discordtest.New(t), signer: discordtest.NewSigner(t), handler: h, reviews: reviews, tickets: tickets, metrics: m}
	cfg := discord.Config{
		Token: "test-token", AppID: "app", PublicKey: e.signer.Public, APIURL: e.fake.APIURL(),
		CoordinatorChannel: atipChannel, Platforms: []string{"Facebook", "Threads", "TikTok", "Mastodon"},
		Handler: h, Reviews: reviews, Dedupe: store, Metrics: m, Logger: testLogger(),
	}
	for _, c := range change {
		c(&cfg, h)
	}
	a, err := discord.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.a = a
	reviews.Notifiers = []bot.Notifier{a.Notifier(), bot.LogNotifier{Logger: testLogger()}}

	mux := http.NewServeMux()
	mux.Handle("POST "+discord.InteractionsPath, a)
	srv := httptest.NewServer(mux)
	e.url = srv.URL + discord.InteractionsPath

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { a.Run(ctx) })
	wg.Go(func() { reviews.RunDispatcher(ctx, "test") })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		srv.Close()
	})
	return e
}

// response is an interaction response, or a webhook edit or message body,
// as JSON.
type response struct {
	Type int     `json:"type"`
	Data message `json:"data"`
}

type message struct {
	Content    string                    `json:"content"`
	Flags      int                       `json:"flags"`
	Embeds     []*discordgo.MessageEmbed `json:"embeds"`
	Components []struct {
		Type       int      `json:"type"`
		Components []button `json:"components"`
	} `json:"components"`
	CustomID         string `json:"custom_id"`
	Title            string `json:"title"`
	Choices          []struct{ Name, Value string }
	MessageReference *struct {
		MessageID string `json:"message_id"`
	} `json:"message_reference"`
	AllowedMentions *struct {
		Users []string `json:"users"`
	} `json:"allowed_mentions"`
}

type button struct {
	Type     int    `json:"type"`
	Label    string `json:"label"`
	CustomID string `json:"custom_id"`
}

func (m message) buttons() []button {
	var out []button
	for _, r := range m.Components {
		out = append(out, r.Components...)
	}
	return out
}

func (m message) button(prefix string) (button, bool) {
	for _, b := range m.buttons() {
		if strings.HasPrefix(b.CustomID, prefix) {
			return b, true
		}
	}
	return button{}, false
}

func (m message) ephemeral() bool { return m.Flags&64 != 0 }

// text is everything the message shows, for searching.
func (m message) text() string {
	var b strings.Builder
	b.WriteString(m.Content)
	for _, e := range m.Embeds {
		b.WriteString("\n" + e.Title + "\n" + e.Description)
		for _, f := range e.Fields {
			b.WriteString("\n" + f.Name + "\n" + f.Value)
		}
		if e.Footer != nil {
			b.WriteString("\n" + e.Footer.Text)
		}
	}
	for _, btn := range m.buttons() {
		b.WriteString("\n[" + btn.Label + "]")
	}
	return b.String()
}

// post signs and posts an interaction and decodes the response.
func (e *env) post(t *testing.T, i map[string]any) (int, response) {
	t.Helper()
	body, _ := json.Marshal(i)
	resp := e.signer.Post(t, e.url, body, time.Now())
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var r response
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("response %s: %v", b, err)
		}
	}
	return resp.StatusCode, r
}

// mustPost posts an interaction that must get 200.
func (e *env) mustPost(t *testing.T, i map[string]any) response {
	t.Helper()
	code, r := e.post(t, i)
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	return r
}

var nextID atomic.Int64

// id is a fresh snowflake-like id.
func id() string { return strconv.FormatInt(600000000000000000+nextID.Add(1), 10) }

// ask is /privacy ask question:q from a guild member.
func ask(from, q, locale string) map[string]any {
	return discordtest.Interaction(id(), 2, discordtest.Ask("ask", map[string]string{"question": q}), from, guild, nil, locale)
}

// fieldNamed returns the embed field whose name contains s.
func fieldNamed(m message, s string) *discordgo.MessageEmbedField {
	for _, e := range m.Embeds {
		for _, f := range e.Fields {
			if strings.Contains(f.Name, s) {
				return f
			}
		}
	}
	return nil
}

// counter reads a counter from the metrics registry.
func counter(t *testing.T, m *metrics.Metrics, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, mm := range mf.GetMetric() {
			for _, lp := range mm.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
					continue next
				}
			}
			total += mm.GetCounter().GetValue()
		}
	}
	return total
}
