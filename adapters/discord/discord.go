// Package discord connects commsbot to Discord.
//
// It answers the /privacy application command (ask, platform, review,
// reviews, lang, forget — /vie-privée demander, plateforme, examen, billets,
// langue, oublier in a French client), mentions in guild channels and direct
// messages, and the buttons under its answers (👍 / 👎, "Ask an ATIP
// coordinator", "Français" / "English"); it posts review tickets to the ATIP
// coordinators' channel with Claim and Resolve buttons and tells requesters
// when their ticket is resolved. A Claim or Resolve that Discord delivers
// twice, or that is pressed twice, changes the ticket once.
//
// Interactions reach it in one of two ways, as configured in the Discord
// developer portal:
//
//   - over the gateway (a websocket kept open by Run, with a bot token), which
//     also carries mentions and direct messages; or
//   - on the HTTP interactions endpoint (Handler), verified with the
//     application's public key, which needs no gateway connection.
//
// Either way every interaction is answered within Discord's 3-second window:
// with the answer when it is ready in time, otherwise with a deferred
// response that is edited when the answer is ready.
//
// REST calls go through the session's HTTP client, whose transport points
// https://discord.com/api at Config.APIURL when it is set (tests, proxies)
// and counts API errors; discordgo's rate limiter honours Discord's rate-limit
// headers and 429 responses.
package discord

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/commsbot/commsbot/bot"
)

// Platform is the platform name in conversation keys and person ids
// ("discord:123").
const Platform = "discord"

// Handler answers messages; *bot.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, m bot.Message) (bot.Reply, error)
	// Render re-renders the conversation's last answer in lang.
	Render(ctx context.Context, key bot.ConversationKey, lang bot.Lang, entry, platform string) (bot.Reply, error)
	// Feedback records a 👍 / 👎 on the conversation's last answer.
	Feedback(ctx context.Context, key bot.ConversationKey, up bool) error
}

// Metrics counts what the adapter sees; *metrics.Metrics implements it.
type Metrics interface {
	PlatformError(platform string)
	Feedback(intent string, up bool)
}

// Config configures an Adapter. Handler is required, and at least one of
// Token (gateway, REST) and PublicKey (HTTP interactions endpoint).
type Config struct {
	// Token is the bot token, without the "Bot " prefix. It authenticates
	// REST calls (command registration, the coordinators' channel, direct
	// messages) and the gateway.
	Token string
	// AppID is the application id; needed to register commands.
	AppID string
	// GuildID, when set, registers the commands in that guild only
	// (instantly visible) instead of globally.
	GuildID string
	// PublicKey verifies requests to the HTTP interactions endpoint; nil
	// disables the endpoint.
	PublicKey ed25519.PublicKey
	// Gateway connects the gateway websocket in Run (requires Token).
	Gateway bool
	// PublicAnswers makes /privacy ask and /privacy platform answers
	// visible to the channel. By default they are private (ephemeral), like
	// Slack's: a question about an incident ("our intern e-mailed the
	// client list to the wrong person") is nobody else's business.
	PublicAnswers bool
	// ShardID and ShardCount split the gateway's guilds across processes;
	// ShardCount 0 or 1 means no sharding.
	ShardID, ShardCount int
	// APIURL replaces https://discord.com/api in REST calls, e.g.
	// "http://127.0.0.1:8081/api"; empty for Discord itself.
	APIURL string
	// CoordinatorChannel is the channel id review tickets are posted to.
	CoordinatorChannel string
	// Platforms are the platform names offered by /privacy platform's
	// autocomplete.
	Platforms []string

	Handler Handler
	// Reviews runs the coordinators' actions (claim, resolve, list); nil
	// refuses them. Its Coordinators decide who may act: wrap them with
	// RoleCoordinators to accept a Discord role.
	Reviews *bot.Reviews
	// Dedupe, when set, drops gateway events already handled by another
	// replica connected to the same shard.
	Dedupe  bot.Deduper
	Metrics Metrics
	Logger  *slog.Logger

	// DeferAfter is how long an interaction waits for its answer before it
	// is deferred (default 2 s; Discord allows 3 s in all).
	DeferAfter time.Duration
	// MaxSkew is how far an HTTP interaction's signed timestamp may be from
	// now (default 5 min): older requests are replays.
	MaxSkew time.Duration
	// MaxBody bounds an HTTP interaction's body (default 256 KiB).
	MaxBody int64
	// Now returns the current time; defaults to time.Now.
	Now func() time.Time
}

// Adapter is commsbot on Discord. Create it with New.
type Adapter struct {
	cfg     Config
	s       *discordgo.Session
	log     *slog.Logger
	tickets *ticketMessages

	connected    atomic.Bool
	botID        atomic.Value // string: the bot's user id, from READY
	disconnected chan struct{}

	// jobs are the goroutines answering events; Run waits for them on
	// shutdown. sem bounds them for gateway events.
	jobs sync.WaitGroup
	sem  chan struct{}
}

// New checks cfg and prepares a session; nothing is connected until Run.
func New(cfg Config) (*Adapter, error) {
	if cfg.Handler == nil {
		return nil, errors.New("discord: no handler")
	}
	if cfg.Token == "" && cfg.PublicKey == nil {
		return nil, errors.New("discord: set a bot token or a public key")
	}
	if cfg.Gateway && cfg.Token == "" {
		return nil, errors.New("discord: the gateway needs a bot token")
	}
	if cfg.PublicKey != nil && len(cfg.PublicKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("discord: public key has %d bytes, want %d", len(cfg.PublicKey), ed25519.PublicKeySize)
	}
	if cfg.ShardCount > 1 && (cfg.ShardID < 0 || cfg.ShardID >= cfg.ShardCount) {
		return nil, fmt.Errorf("discord: shard id %d is not below the shard count %d", cfg.ShardID, cfg.ShardCount)
	}
	var base *url.URL
	if cfg.APIURL != "" {
		u, err := url.Parse(cfg.APIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("discord: API URL %q is not an http(s) URL", cfg.APIURL)
		}
		base = u
	}
	if cfg.DeferAfter <= 0 {
		cfg.DeferAfter = 2 * time.Second
	}
	if cfg.MaxSkew <= 0 {
		cfg.MaxSkew = 5 * time.Minute
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 256 << 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("adapter", Platform)

	token := ""
	if cfg.Token != "" {
		token = "Bot " + cfg.Token
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	a := &Adapter{cfg: cfg, s: s, log: log, tickets: newTicketMessages(2000),
		disconnected: make(chan struct{}, 1), sem: make(chan struct{}, 64)}
	a.botID.Store("")

	s.Client = &http.Client{Timeout: 20 * time.Second, Transport: &transport{base: base, next: http.DefaultTransport, onError: a.apiError}}
	// discordgo logs through the standard log package, with payloads at
	// its higher levels: silence it; the adapter logs what matters.
	s.LogLevel = -1
	// Our handlers only hand events to goroutines of our own (recovered,
	// bounded, waited for on shutdown), so they may run in the gateway's
	// read loop, in order.
	s.SyncEvents = true
	// Reconnects are supervised by Run, which can stop them.
	s.ShouldReconnectOnError = false
	s.StateEnabled = false
	s.Identify.Intents = Intents
	if cfg.ShardCount > 1 {
		s.ShardID, s.ShardCount = cfg.ShardID, cfg.ShardCount
	}
	s.AddHandler(a.onConnect)
	s.AddHandler(a.onDisconnect)
	s.AddHandler(a.onReady)
	s.AddHandler(a.onInteraction)
	s.AddHandler(a.onMessage)
	return a, nil
}

// Intents are the gateway intents the bot asks for. None is privileged:
// Discord gives a bot the content of messages that mention it and of direct
// messages without the Message Content intent, and those are the only
// messages commsbot answers.
const Intents = discordgo.IntentGuilds | discordgo.IntentGuildMessages | discordgo.IntentDirectMessages

// apiError counts an error from Discord's API.
func (a *Adapter) apiError() {
	if a.cfg.Metrics != nil {
		a.cfg.Metrics.PlatformError(Platform)
	}
}

// Run registers the commands (with a token and an application id, from
// shard 0) and keeps the gateway connected (when enabled) until ctx is done;
// then it waits, for at most 20 seconds, for the answers in progress.
func (a *Adapter) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	if a.cfg.Token != "" && a.cfg.AppID != "" && a.cfg.ShardID == 0 {
		wg.Go(func() { a.registerLoop(ctx) })
	}
	if a.cfg.Gateway {
		wg.Go(func() { a.superviseGateway(ctx) })
	}
	<-ctx.Done()
	wg.Wait()
	done := make(chan struct{})
	go func() { a.jobs.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		a.log.Warn("answers still in progress at shutdown")
	}
	return nil
}

// Ready reports whether the gateway is connected; nil without a gateway.
func (a *Adapter) Ready() error {
	if a.cfg.Gateway && !a.connected.Load() {
		return errors.New("gateway not connected")
	}
	return nil
}

// Notifier posts review notices to the coordinators' channel and tells
// requesters of resolutions; nil without a bot token, which posting needs.
func (a *Adapter) Notifier() bot.Notifier {
	if a.cfg.Token == "" {
		return nil
	}
	return notifier{a}
}

// goJob runs f in a goroutine that Run waits for, with panics recovered
// and logged. The context is not the caller's: an answer must be finished
// and sent even after the request that carried the question has ended.
func (a *Adapter) goJob(f func(ctx context.Context)) {
	a.jobs.Add(1)
	go func() {
		defer a.jobs.Done()
		defer a.recover("job")
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		f(ctx)
	}()
}

// recover logs a panic in a handler instead of crashing the process.
func (a *Adapter) recover(where string) {
	if v := recover(); v != nil {
		a.log.Error("handler panic recovered", "where", where, "panic", fmt.Sprint(v))
	}
}

// restErr describes a REST error for the log without its URL, which can
// hold an interaction token.
func restErr(err error) string {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		if re.Message != nil {
			return fmt.Sprintf("HTTP %d, Discord code %d", re.Response.StatusCode, re.Message.Code)
		}
		return fmt.Sprintf("HTTP %d", re.Response.StatusCode)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		return "rate limited, retry after " + rl.RetryAfter.String()
	}
	return err.Error()
}

// status is the HTTP status of a REST error, 0 for other errors.
func status(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}
