package slack

import (
	"context"
	"encoding/json"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// runSocket keeps a Socket Mode connection until ctx is done. slack-go
// reconnects when Slack asks it to or when Slack's pings stop; on top of
// that a watchdog restarts a connection on which nothing at all has been
// read for SilenceTimeout, and a connection that ends for any reason is
// opened again, with backoff while it keeps failing.
func (a *Adapter) runSocket(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		established, err := a.socketOnce(ctx)
		a.connected.Store(false)
		if ctx.Err() != nil {
			return
		}
		if established {
			backoff = time.Second
			a.log.WarnContext(ctx, "slack socket mode connection ended; reconnecting", "err", err)
			continue
		}
		a.log.WarnContext(ctx, "slack socket mode connection failed", "err", err, "retry_in", backoff.String())
		t := time.NewTimer(backoff + rand.N(backoff/2))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, 5*time.Minute)
	}
}

// socketOnce runs one slack-go Socket Mode client until it stops, ctx is
// done or the watchdog finds it silent. established reports whether it
// connected.
func (a *Adapter) socketOnce(ctx context.Context) (established bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	api := slack.New(a.cfg.BotToken, a.apiOptions()...)
	client := socketmode.New(api,
		socketmode.OptionDialer(a.dialer()),
		socketmode.OptionPingInterval(a.cfg.PingInterval),
		socketmode.OptionLog(log.New(slogWriter{a.log}, "", 0)),
	)
	var connected sync.Once
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-client.Events:
				if evt.Type == socketmode.EventTypeConnected {
					connected.Do(func() { established = true })
				}
				a.socketEvent(ctx, client, evt)
			}
		}
	})
	wg.Go(func() { a.watchdog(ctx, cancel) })
	a.touch()
	err = client.RunContext(ctx)
	cancel()
	wg.Wait()
	return established, err
}

// watchdog cancels the connection when nothing was read from it for
// SilenceTimeout while it was meant to be connected.
func (a *Adapter) watchdog(ctx context.Context, cancel context.CancelFunc) {
	every := max(a.cfg.SilenceTimeout/4, 10*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			silent := time.Since(time.Unix(0, a.lastRead.Load()))
			if a.connected.Load() && silent > a.cfg.SilenceTimeout {
				a.log.WarnContext(ctx, "slack socket mode silent; reconnecting", "silent", silent.Round(time.Millisecond).String())
				a.connected.Store(false)
				cancel()
				return
			}
		}
	}
}

func (a *Adapter) touch() { a.lastRead.Store(time.Now().UnixNano()) }

// dialer is slack-go's WebSocket dialer (proxy from the environment, a
// write buffer above Slack's 20 KB frame limit) whose connections record
// when they last read anything, Slack's pings included, for the watchdog.
func (a *Adapter) dialer() *websocket.Dialer {
	nd := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: 45 * time.Second,
		WriteBufferSize:  32 * 1024,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := nd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &activityConn{Conn: c, touch: a.touch}, nil
		},
	}
}

type activityConn struct {
	net.Conn
	touch func()
}

func (c *activityConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.touch()
	}
	return n, err
}

// socketEvent handles one event from slack-go's Socket Mode client. It
// never blocks the event loop: envelopes are acknowledged at once and the
// work runs in the background; a slash command or modal submission, whose
// answer travels in the acknowledgement, is acknowledged from its own
// goroutine.
func (a *Adapter) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	defer a.recover("socket event")
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		a.connected.Store(false)
		a.connects.Add(1)
		a.log.InfoContext(ctx, "slack socket mode connecting")
		return
	case socketmode.EventTypeConnected:
		// Dialled; ready once Slack says hello on it.
		a.touch()
		return
	case socketmode.EventTypeHello:
		a.touch()
		if !a.connected.Swap(true) {
			a.log.InfoContext(ctx, "slack socket mode connected")
		}
		return
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		a.connected.Store(false)
		a.platformError()
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			a.log.WarnContext(ctx, "slack socket mode connection error", "err", safeErr(e.ErrorObj))
		} else {
			a.log.ErrorContext(ctx, "slack socket mode: invalid app-level token")
		}
		return
	case socketmode.EventTypeDisconnect:
		a.log.InfoContext(ctx, "slack asked to reconnect")
		return
	case socketmode.EventTypeErrorBadMessage:
		// slack-go could not parse it and does not acknowledge it: do it,
		// or Slack delivers it again and again.
		if bad, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			var env struct {
				EnvelopeID string `json:"envelope_id"`
				Type       string `json:"type"`
			}
			_ = json.Unmarshal(bad.Message, &env)
			a.log.WarnContext(ctx, "slack envelope not understood", "type", env.Type, "envelope", env.EnvelopeID, "err", bad.Cause)
			if env.EnvelopeID != "" {
				a.ack(ctx, client, env.EnvelopeID, nil)
			}
		}
		return
	}
	req := evt.Request
	if req == nil || req.EnvelopeID == "" {
		return
	}
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		// The work is tracked before the acknowledgement goes out, so that
		// a shutdown (or a test) that saw the acknowledgement waits for it.
		if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok && ev.Type == slackevents.CallbackEvent {
			a.background(ctx, "event", func(ctx context.Context) { a.handleEvent(ctx, ev) })
		}
		a.ack(ctx, client, req.EnvelopeID, nil)
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			a.ack(ctx, client, req.EnvelopeID, nil)
			return
		}
		a.background(ctx, "command", func(ctx context.Context) {
			acked := false
			defer func() {
				if !acked {
					a.ack(ctx, client, req.EnvelopeID, nil)
				}
			}()
			m := a.command(ctx, cmd)
			acked = true
			if m == nil {
				a.ack(ctx, client, req.EnvelopeID, nil)
				return
			}
			if err := client.AckCtx(ctx, req.EnvelopeID, m); err != nil {
				// Too large for an acknowledgement (Slack's 20 KB): send
				// it on the response_url instead.
				a.ack(ctx, client, req.EnvelopeID, nil)
				if cmd.ResponseURL != "" {
					if err := a.respond(ctx, cmd.ResponseURL, m); err != nil {
						a.log.ErrorContext(ctx, "slash command answer not delivered", "err", err)
					}
				}
			}
		})
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			a.ack(ctx, client, req.EnvelopeID, nil)
			return
		}
		switch cb.Type {
		case slack.InteractionTypeViewSubmission:
			a.background(ctx, "view submission", func(ctx context.Context) {
				var resp *slack.ViewSubmissionResponse
				defer func() {
					if resp != nil {
						a.ack(ctx, client, req.EnvelopeID, resp)
					} else {
						a.ack(ctx, client, req.EnvelopeID, nil)
					}
				}()
				resp = a.viewSubmission(ctx, cb)
			})
		case slack.InteractionTypeBlockActions:
			a.background(ctx, "interaction", func(ctx context.Context) { a.handleActions(ctx, cb) })
			a.ack(ctx, client, req.EnvelopeID, nil)
		default:
			a.ack(ctx, client, req.EnvelopeID, nil)
		}
	default:
		a.ack(ctx, client, req.EnvelopeID, nil)
	}
}

func (a *Adapter) ack(ctx context.Context, client *socketmode.Client, envelope string, payload any) {
	// The acknowledgement must go out on the connection's life, not the
	// work's: bound it.
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.AckCtx(ctx, envelope, payload); err != nil {
		a.log.WarnContext(ctx, "slack envelope not acknowledged", "envelope", envelope, "err", err)
	}
}
