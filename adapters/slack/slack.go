// Package slack connects commsbot to Slack, on github.com/slack-go/slack:
// the /privacy slash command, mentions in channels and direct messages,
// Block Kit answers with feedback, escalation and language buttons, and the
// ATIP coordinators' review queue in their own channel.
//
// Two connection modes, usable together:
//
//   - HTTP: POST /slack/commands, /slack/events and /slack/interactions,
//     each verified with the signing secret before anything is parsed.
//   - Socket Mode (an app-level token): an outbound WebSocket, so no public
//     URL is needed. Every envelope is acknowledged, including those
//     slack-go cannot parse, and a watchdog reconnects a silent socket.
//
// Slack wants an acknowledgement within 3 seconds. Events and button
// presses are acknowledged first and handled in tracked background
// goroutines; a slash command is answered inline when the answer is ready
// within InlineWait, otherwise acknowledged and answered on its
// response_url.
//
// Logs carry ids, types and errors, never message text, names or tokens.
package slack

import (
	"context"
	"errors"
	"fmt"
	"golang.org/x/sync/singleflight"
	"log"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/commsbot/commsbot/bot"
)

const platform = "slack"

// Engine answers messages; *bot.Engine implements it.
type Engine interface {
	Handle(ctx context.Context, m bot.Message) (bot.Reply, error)
	Render(ctx context.Context, key bot.ConversationKey, lang bot.Lang, entry, platform string) (bot.Reply, error)
	// Feedback records a 👍 / 👎 on the conversation's last answer.
	Feedback(ctx context.Context, key bot.ConversationKey, up bool) error
}

// Metrics counts what the adapter sees; *metrics.Metrics implements it.
type Metrics interface {
	PlatformError(platform string)
	Feedback(intent string, up bool)
}

// Config configures the adapter. BotToken and at least one of
// SigningSecret (HTTP) and AppToken (Socket Mode) are required, and Engine.
type Config struct {
	BotToken      string // xoxb-…
	SigningSecret string // verifies HTTP requests
	AppToken      string // xapp-…: Socket Mode
	// APIURL overrides the Web API base (tests, proxies); it must end
	// with "/", which New adds when missing.
	APIURL string
	// ATIPChannel receives review tickets and reminders; without it,
	// coordinators' notices go to the log.
	ATIPChannel string
	// CoordinatorGroup is a user group id whose members are coordinators.
	CoordinatorGroup string

	Engine Engine
	// Dedupe, usually the engine's, also remembers channel+timestamp of
	// messages (one answer for a message delivered as both message.im and
	// app_mention) and one feedback vote per user and answer.
	Dedupe bot.Deduper
	// Shared, when set (the runtime's store), remembers where each ticket
	// was posted in the coordinators' channel for every replica, so any
	// replica updates the message in place.
	Shared  bot.Cache
	Reviews *bot.Reviews
	Metrics Metrics
	Logger  *slog.Logger

	// InlineWait is how long a slash command waits for its answer before
	// acknowledging and answering on the response_url (default 2 s; Slack
	// allows 3).
	InlineWait time.Duration
	// WorkTimeout bounds the background work for one event (default 60 s).
	WorkTimeout time.Duration
	// MaxBodyBytes bounds request bodies (default 1 MiB): larger get 413.
	MaxBodyBytes int64
	// SilenceTimeout: a Socket Mode connection that receives nothing, not
	// even Slack's WebSocket pings, for this long is reconnected (default
	// 90 s).
	SilenceTimeout time.Duration
	// PingInterval is slack-go's own ping deadline (default 30 s).
	PingInterval time.Duration
	// MaxRetries bounds retries of a Web API call that Slack rate-limited
	// (default 3); a Retry-After longer than MaxRetryWait (default 30 s)
	// is not waited for.
	MaxRetries   int
	MaxRetryWait time.Duration
	// UserCacheTTL is how long a user's locale and name are cached
	// (default 1 h); GroupCacheTTL the coordinator group (default 1 min).
	UserCacheTTL  time.Duration
	GroupCacheTTL time.Duration
	// HTTPClient calls the Web API and response_urls (default: 15 s
	// timeout).
	HTTPClient *http.Client
}

// Adapter is the Slack adapter. It implements the adapter contract of
// `commsbot serve` (Name, Routes, Run, Ready, Notifier) and bot.Notifier.
type Adapter struct {
	cfg  Config
	api  *slack.Client
	log  *slog.Logger
	http *http.Client

	users     *cache[userInfo]
	userCalls singleflight.Group // one users.info call per user at a time
	// posts remembers where each ticket was posted in the coordinators'
	// channel, to update it in place: in memory, and in Config.Shared for
	// the other replicas (see ticketPost).
	posts *cache[postRef]
	group *cache[map[string]bool]

	// Background work, waited for by Run when it stops.
	mu      sync.Mutex
	closing bool
	work    sync.WaitGroup

	// Socket Mode state.
	connected atomic.Bool
	lastRead  atomic.Int64 // unix nanoseconds of the last byte read
	connects  atomic.Int64
}

type postRef struct{ Channel, TS string }

// New checks cfg and builds the adapter.
func New(cfg Config) (*Adapter, error) {
	var errs []error
	if cfg.BotToken == "" {
		errs = append(errs, errors.New("slack: a bot token is required"))
	}
	if cfg.SigningSecret == "" && cfg.AppToken == "" {
		errs = append(errs, errors.New("slack: a signing secret (HTTP) or an app-level token (Socket Mode) is required"))
	}
	if cfg.Engine == nil {
		errs = append(errs, errors.New("slack: an engine is required"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.InlineWait, 2*time.Second)
	def(&cfg.WorkTimeout, time.Minute)
	def(&cfg.SilenceTimeout, 90*time.Second)
	def(&cfg.PingInterval, 30*time.Second)
	def(&cfg.MaxRetryWait, 30*time.Second)
	def(&cfg.UserCacheTTL, time.Hour)
	def(&cfg.GroupCacheTTL, time.Minute)
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 3
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.APIURL != "" && !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	lg := cfg.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	a := &Adapter{
		cfg:   cfg,
		log:   lg,
		http:  cfg.HTTPClient,
		users: newCache[userInfo](cfg.UserCacheTTL, 10000),
		posts: newCache[postRef](30*24*time.Hour, 10000),
		group: newCache[map[string]bool](cfg.GroupCacheTTL, 4),
	}
	a.api = slack.New(cfg.BotToken, a.apiOptions()...)
	return a, nil
}

func (a *Adapter) apiOptions() []slack.Option {
	opts := []slack.Option{
		slack.OptionHTTPClient(a.http),
		// slack-go logs only in debug mode, which stays off: its debug
		// output includes payloads.
		slack.OptionLog(log.New(slogWriter{a.log}, "", 0)),
	}
	if a.cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(a.cfg.APIURL))
	}
	if a.cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(a.cfg.AppToken))
	}
	return opts
}

// slogWriter sends slack-go's log lines to slog at debug level.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Debug("slack-go", "msg", strings.TrimSpace(string(p)))
	return len(p), nil
}

// Name implements serve's adapter contract.
func (a *Adapter) Name() string { return platform }

// Notifier returns the adapter as the review workflow's Slack notifier.
func (a *Adapter) Notifier() bot.Notifier { return a }

// Ready reports whether Slack can reach commsbot: always in HTTP mode,
// while the socket is connected and not silent in Socket Mode.
func (a *Adapter) Ready() error {
	if a.cfg.AppToken == "" {
		return nil
	}
	if !a.connected.Load() {
		return errors.New("socket mode not connected")
	}
	if silent := time.Since(time.Unix(0, a.lastRead.Load())); silent > a.cfg.SilenceTimeout {
		return fmt.Errorf("socket mode silent for %s", silent.Round(time.Second))
	}
	return nil
}

// Run keeps the Socket Mode connection, when configured, until ctx is done;
// then it waits for the background work that handlers started (answers
// being delivered), so that a graceful shutdown does not drop them.
func (a *Adapter) Run(ctx context.Context) error {
	if a.cfg.AppToken != "" {
		a.runSocket(ctx)
	} else {
		<-ctx.Done()
	}
	a.Wait()
	return nil
}

// Wait stops accepting tracked background work and waits for what runs.
func (a *Adapter) Wait() {
	a.mu.Lock()
	a.closing = true
	a.mu.Unlock()
	a.work.Wait()
}

// background runs fn in a goroutine that outlives the request that started
// it (ack first, work after), bounded by WorkTimeout, tracked for Run and
// protected against panics.
func (a *Adapter) background(ctx context.Context, what string, fn func(ctx context.Context)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.WorkTimeout)
	a.mu.Lock()
	tracked := !a.closing
	if tracked {
		a.work.Add(1)
	}
	a.mu.Unlock()
	go func() {
		defer cancel()
		if tracked {
			defer a.work.Done()
		}
		defer a.recover(what)
		fn(ctx)
	}()
}

// recover logs a panic instead of letting it kill the process. Deferred.
func (a *Adapter) recover(what string) {
	if v := recover(); v != nil {
		a.logPanic(what, v)
	}
}

func (a *Adapter) logPanic(what string, v any) {
	a.log.Error("slack handler panicked", "handler", what, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
}

func (a *Adapter) platformError() {
	if a.cfg.Metrics != nil {
		a.cfg.Metrics.PlatformError(platform)
	}
}

// Coordinators extends next (ATIP_COORDINATORS) with the members of the
// coordinator user group, looked up with usergroups.users.list and cached
// for GroupCacheTTL.
func (a *Adapter) Coordinators(next bot.Coordinators) bot.Coordinators {
	return coordinators{next: next, a: a}
}

type coordinators struct {
	next bot.Coordinators
	a    *Adapter
}

func (c coordinators) IsCoordinator(ctx context.Context, p bot.Person) (bool, error) {
	var nextErr error
	if c.next != nil {
		ok, err := c.next.IsCoordinator(ctx, p)
		if ok {
			return true, nil
		}
		nextErr = err
	}
	user, isSlack := strings.CutPrefix(p.ID, platform+":")
	if !isSlack || c.a.cfg.CoordinatorGroup == "" {
		return false, nextErr
	}
	members, err := c.a.groupMembers(ctx)
	if err != nil {
		return false, errors.Join(nextErr, err)
	}
	return members[user], nil
}

func (a *Adapter) groupMembers(ctx context.Context) (map[string]bool, error) {
	g := a.cfg.CoordinatorGroup
	if m, ok := a.group.get(g); ok {
		return m, nil
	}
	var users []string
	err := a.call(ctx, "usergroups.users.list", func(ctx context.Context) error {
		var err error
		users, err = a.api.GetUserGroupMembersContext(ctx, g)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("slack user group: %w", err)
	}
	m := make(map[string]bool, len(users))
	for _, u := range users {
		m[u] = true
	}
	a.group.put(g, m)
	return m, nil
}
