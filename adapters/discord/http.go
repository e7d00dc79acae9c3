package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// InteractionsPath is where Discord posts interactions when the
// application's "Interactions Endpoint URL" points at commsbot.
const InteractionsPath = "/discord/interactions"

// ServeHTTP is the HTTP interactions endpoint. A request must carry a valid
// ed25519 signature of its timestamp and body by the application's key
// (discordgo.VerifyInteraction) and a timestamp within MaxSkew of now;
// anything else gets 401 and is otherwise ignored. PING gets PONG. Other
// interactions get their response in the HTTP response — the answer, or a
// deferred response followed by an edit over REST.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if a.cfg.PublicKey == nil {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read request", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !discordgo.VerifyInteraction(r, a.cfg.PublicKey) {
		a.log.Warn("interaction refused: bad signature")
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	if !a.fresh(r.Header.Get("X-Signature-Timestamp")) {
		a.log.Warn("interaction refused: stale timestamp")
		http.Error(w, "stale request", http.StatusUnauthorized)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	if i.Type == discordgo.InteractionPing {
		if err := writeJSON(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}); err != nil {
			a.log.Warn("pong not sent", "err", err)
		}
		return
	}
	// The first response goes out in this HTTP response. respond returns
	// once it is written and flushed, so that an edit of a deferred
	// response never reaches Discord before the deferral itself.
	type written struct {
		resp *discordgo.InteractionResponse
		sent chan error
	}
	ch := make(chan written)
	gone := make(chan struct{})
	defer close(gone)
	x := newExchange(&i, func(resp *discordgo.InteractionResponse) error {
		sent := make(chan error, 1)
		select {
		case ch <- written{resp, sent}:
			return <-sent
		case <-gone:
			return errors.New("interaction request already answered or gone")
		}
	})
	a.goJob(func(ctx context.Context) { a.dispatch(ctx, x) })
	// within answers by DeferAfter; this bound only guards against a bug.
	limit := time.NewTimer(discordgo.InteractionDeadline)
	defer limit.Stop()
	select {
	case wr := <-ch:
		err := writeJSON(w, wr.resp)
		if err == nil {
			err = http.NewResponseController(w).Flush()
		}
		wr.sent <- err
	case <-x.skipped:
		w.WriteHeader(http.StatusNoContent)
	case <-limit.C:
		a.log.Error("interaction not answered in time", "type", i.Type.String())
		http.Error(w, "no response", http.StatusServiceUnavailable)
	case <-r.Context().Done():
	}
}

// fresh reports whether a signed unix timestamp is within MaxSkew of now.
func (a *Adapter) fresh(ts string) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := a.cfg.Now().Sub(time.Unix(sec, 0))
	return d <= a.cfg.MaxSkew && d >= -a.cfg.MaxSkew
}

func writeJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "cannot encode response", http.StatusInternalServerError)
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	return nil
}
