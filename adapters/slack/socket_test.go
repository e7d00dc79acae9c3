package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// setupSocket starts an adapter in Socket Mode only (no signing secret)
// on the fake Slack and returns its first connection.
func setupSocket(t *testing.T, change ...func(*Config)) (*env, *socketConn) {
	t.Helper()
	e := setup(t, append([]func(*Config){func(c *Config) {
		c.SigningSecret, c.AppToken = "", "xapp-1-test"
		c.PingInterval = time.Minute // the fake sends no WebSocket pings
		c.SilenceTimeout = time.Minute
	}}, change...)...)
	select {
	case sc := <-e.fake.sockets:
		waitFor(t, "the adapter to be ready", func() bool { return e.a.Ready() == nil })
		return e, sc
	case <-time.After(time.Until(reportBy(t))):
		t.Fatal("the adapter did not open a Socket Mode connection")
	}
	return nil, nil
}

// envelope wraps a payload as Socket Mode does.
func envelope(t *testing.T, id, typ string, payload any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": typ != "events_api"})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// waitAcks collects acknowledgements until every id in want has one.
func waitAcks(t *testing.T, sc *socketConn, want ...string) map[string]socketAck {
	t.Helper()
	got := map[string]socketAck{}
	deadline := time.After(time.Until(reportBy(t)))
	for {
		missing := 0
		for _, id := range want {
			if _, ok := got[id]; !ok {
				missing++
			}
		}
		if missing == 0 {
			return got
		}
		select {
		case a, ok := <-sc.acks:
			if !ok {
				t.Fatalf("connection closed; acknowledged %v of %v", keys(got), want)
			}
			if _, dup := got[a.EnvelopeID]; dup {
				t.Errorf("envelope %s acknowledged twice", a.EnvelopeID)
			}
			got[a.EnvelopeID] = a
		case <-deadline:
			t.Fatalf("acknowledged %v, want %v", keys(got), want)
		}
	}
}

func keys(m map[string]socketAck) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestSocketModeAcksEveryEnvelope(t *testing.T) {
	e, sc := setupSocket(t)
	cb := map[string]any{"token": "legacy", "team_id": team, "api_app_id": "A0APP", "type": "event_callback",
		"event_id": "EvS1", "event_time": time.Now().Unix(), "event": mention(asker, threadsQ, "1700002000.000200", "1700002000.000100")}
	sc.send(t, envelope(t, "env-event", "events_api", cb))
	sc.send(t, envelope(t, "env-command", "slash_commands", map[string]any{
		"command": "/privacy", "text": "can we use LinkedIn?", "team_id": team, "channel_id": channel, "user_id": asker,
		"user_name": "asker", "response_url": e.fake.responseURL("sock"), "trigger_id": "trigger.sock"}))
	// Unparseable envelopes: slack-go does not acknowledge these itself.
	sc.send(t, `{"envelope_id":"env-bad-payload","type":"events_api","payload":"not an event"}`)
	sc.send(t, `{"envelope_id":"env-unknown-type","type":"brand_new_type","payload":{}}`)
	sc.send(t, `{"envelope_id":"env-bad-interaction","type":"interactive","payload":[1,2,3]}`)
	sc.send(t, `{"envelope_id":"env-bad-command","type":"slash_commands","payload":{"text":42}}`)
	acks := waitAcks(t, sc, "env-event", "env-command", "env-bad-payload", "env-unknown-type", "env-bad-interaction", "env-bad-command")

	// The slash command's answer travels in its acknowledgement.
	var m webhookMessage
	if err := json.Unmarshal(acks["env-command"].Payload, &m); err != nil {
		t.Fatalf("slash command ack payload %s: %v", acks["env-command"].Payload, err)
	}
	if txt := allText(m.Blocks); !strings.Contains(txt, "LinkedIn") || !strings.Contains(txt, pinTitle) {
		t.Errorf("slash command answer = %q", txt)
	}
	// The mention is answered once, in its thread.
	waitFor(t, "the reply", func() bool { return len(e.fake.posts(channel)) > 0 })

	// A button press and a modal submission are acknowledged too.
	blocks := blocksOf(t, e.fake.posts(channel)[0])
	press := e.press(asker, actUp, button(t, blocks, actUp), channel, "1700002000.000300", e.fake.responseURL("sockfb"), false)
	sc.send(t, envelope(t, "env-press", "interactive", press))
	sc.send(t, envelope(t, "env-view", "interactive", map[string]any{"type": "view_submission", "user": map[string]any{"id": asker},
		"view": map[string]any{"callback_id": "someone_else", "private_metadata": ""}}))
	waitAcks(t, sc, "env-press", "env-view")
	waitFor(t, "the feedback thanks", func() bool { return len(e.fake.responses("sockfb")) == 1 })

	// The same event again (Slack redelivers unacknowledged envelopes):
	// acknowledged, not answered again.
	sc.send(t, envelope(t, "env-event-again", "events_api", cb))
	waitAcks(t, sc, "env-event-again")
	e.settle()
	posts := e.fake.posts(channel)
	if len(posts) != 1 || posts[0].Form.Get("thread_ts") != "1700002000.000100" {
		t.Errorf("posts = %+v, want one threaded reply", posts)
	}
}

func TestSocketModeWatchdogReconnects(t *testing.T) {
	e, first := setupSocket(t, func(c *Config) { c.SilenceTimeout = 300 * time.Millisecond })
	// The fake says nothing more on the first connection: the watchdog
	// gives up on it and the adapter connects again.
	select {
	case second := <-e.fake.sockets:
		waitFor(t, "ready again", func() bool { return e.a.Ready() == nil })
		// The new connection works.
		second.send(t, envelope(t, "env-after", "events_api", map[string]any{"type": "event_callback", "team_id": team,
			"event_id": "EvW1", "event": mention(asker, "can we use LinkedIn?", "1700003000.000100", "")}))
		waitAcks(t, second, "env-after")
		waitFor(t, "the reply", func() bool { return len(e.fake.posts(channel)) == 1 })
	case <-time.After(time.Until(reportBy(t))):
		t.Fatal("no reconnection after the socket went silent")
	}
	if n := e.a.connects.Load(); n < 2 {
		t.Errorf("%d connection attempts, want at least 2", n)
	}
	// The silent connection was closed by the adapter.
	waitFor(t, "the first connection to close", func() bool {
		select {
		case _, ok := <-first.acks:
			return !ok
		default:
			return false
		}
	})
}

func TestSocketModeNotReadyWhenSilent(t *testing.T) {
	e, _ := setupSocket(t)
	// Nothing read for longer than the silence timeout: not ready, even
	// before the watchdog replaces the connection.
	e.a.lastRead.Store(time.Now().Add(-2 * time.Minute).UnixNano())
	if err := e.a.Ready(); err == nil || !strings.Contains(err.Error(), "silent") {
		t.Errorf("Ready() = %v, want silent", err)
	}
	e.a.touch()
	if err := e.a.Ready(); err != nil {
		t.Errorf("Ready() = %v after activity", err)
	}
	// HTTP mode is always ready.
	h := setup(t)
	if err := h.a.Ready(); err != nil {
		t.Errorf("HTTP mode: Ready() = %v", err)
	}
}
