package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/commsbot/commsbot/bot"
	"io"
	"net/http"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

const (
	hdrSignature = "X-Slack-Signature"
	// replayWindow outlasts the five minutes SecretsVerifier accepts a
	// timestamp for, with room for clock skew.
	replayWindow = 10 * time.Minute
)

// Routes registers the webhook endpoints when a signing secret is
// configured (none in Socket Mode only).
func (a *Adapter) Routes(mux *http.ServeMux) {
	if a.cfg.SigningSecret == "" {
		return
	}
	mux.Handle("POST /slack/commands", a.verified("commands", a.serveCommand))
	mux.Handle("POST /slack/events", a.verified("events", a.serveEvent))
	mux.Handle("POST /slack/interactions", a.verified("interactions", a.serveInteraction))
}

// verified reads the body (bounded: 413 beyond MaxBodyBytes), checks
// Slack's signature and timestamp with slack-go's SecretsVerifier before
// anything parses it (401 and nothing else when they fail), then hands the
// body to next. A panic in next is logged and answered with a 500.
func (a *Adapter) verified(name string, next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				a.logPanic(name, v)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		limit := a.cfg.MaxBodyBytes
		if r.ContentLength > limit {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		if int64(len(body)) > limit {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
		if err == nil {
			_, _ = sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			reason := "invalid signature"
			switch {
			case errors.Is(err, slack.ErrMissingHeaders):
				reason = "missing signature headers"
			case errors.Is(err, slack.ErrExpiredTimestamp):
				reason = "timestamp too old"
			}
			a.log.WarnContext(r.Context(), "slack request rejected", "endpoint", name, "reason", reason)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		// A valid signature is good for Slack's five minutes: remember
		// each one for longer, so that a captured request replayed within
		// that window is refused like a forged one. Slack signs each
		// delivery afresh, retries included (X-Slack-Retry-Num). Slash
		// commands are the exception when the store keeps an event log:
		// a byte-identical retry (a proxy, a replica that died mid-answer)
		// is then answered once, by the command's trigger id, and a later
		// copy gets the same answer again, with no second effect.
		_, idempotent := a.cfg.Dedupe.(bot.EventLog)
		if a.cfg.Dedupe != nil && !(name == "commands" && idempotent) {
			first, err := a.cfg.Dedupe.SeenOnce(r.Context(), platform+":sig:"+r.Header.Get(hdrSignature), replayWindow)
			switch {
			case err != nil && name == "interactions":
				// Button presses change state (Claim, Resolve): while the
				// store is down a replay cannot be told apart, so they are
				// refused (Slack shows the user an error; they press again).
				a.log.WarnContext(r.Context(), "slack replay check unavailable: interaction refused", "endpoint", name, "err", err)
				http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
				return
			case err != nil:
				// The signature and timestamp were valid: better to risk a
				// replay than to refuse Slack while the store is down.
				a.log.WarnContext(r.Context(), "slack replay check unavailable", "endpoint", name, "err", err)
			case !first:
				a.log.WarnContext(r.Context(), "slack request rejected", "endpoint", name, "reason", "replayed")
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		// The form parsers read the body again.
		r.Body = io.NopCloser(bytes.NewReader(body))
		if r.Header.Get("Content-Type") == "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		next(w, r, body)
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if m, ok := v.(*slack.WebhookMessage); ok {
		v = wire(m)
	}
	_ = json.NewEncoder(w).Encode(v)
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, _ []byte) {
	cmd, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	m := a.command(r.Context(), cmd)
	if m == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, m)
}

func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if ev.Type == slackevents.URLVerification {
		if v, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent); ok {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, v.Challenge)
			return
		}
	}
	// Acknowledge first, whatever the event: an error status only makes
	// Slack retry what we cannot read anyway.
	w.WriteHeader(http.StatusOK)
	if err != nil {
		a.log.DebugContext(r.Context(), "slack event not parsed", "err", err)
		return
	}
	if ev.Type != slackevents.CallbackEvent {
		return
	}
	a.background(r.Context(), "event", func(ctx context.Context) { a.handleEvent(ctx, ev) })
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, _ []byte) {
	cb, err := slack.InteractionCallbackParse(r)
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	switch cb.Type {
	case slack.InteractionTypeViewSubmission:
		if resp := a.viewSubmission(r.Context(), cb); resp != nil {
			writeJSON(w, resp)
			return
		}
		w.WriteHeader(http.StatusOK)
	case slack.InteractionTypeBlockActions:
		w.WriteHeader(http.StatusOK)
		a.background(r.Context(), "interaction", func(ctx context.Context) { a.handleActions(ctx, cb) })
	default:
		w.WriteHeader(http.StatusOK)
	}
}
