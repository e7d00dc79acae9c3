package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/slacktest"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/intents"
	"github.com/commsbot/commsbot/knowledge"
	"github.com/commsbot/commsbot/metrics"
	"github.com/commsbot/commsbot/storage/memory"
)

// Ids used across the tests.
const (
	secret      = "8f742231b10e8888abcd99yyyzzz85a5"
	team        = "T0TEAM"
	asker       = "U0ASK"
	frenchUser  = "U0FR"
	coordUser   = "U0COORD" // in ATIP_COORDINATORS
	groupUser   = "U0GROUP" // member of the coordinator user group
	otherUser   = "U0OTHER"
	coordGroup  = "S0COORD"
	atipChannel = "C0ATIP"
	channel     = "C0GENERAL"
	dmChannel   = "D0ASK"
	botUser     = "U0BOT"
	pinTitle    = "Privacy Implementation Notice 2021-01"
	pinTitleFr  = "Avis de mise en œuvre de la protection des renseignements personnels 2021-01"
	threadsQ    = "can we use Threads?"
)

var (
	kbOnce sync.Once
	kb     *knowledge.KB
	nlu    *intents.Classifier
	kbErr  error
)

// call is one request the fake Slack received.
type call struct {
	Method string     // Web API method, or "response" for a response_url
	Path   string     // the request path
	Form   url.Values // form-encoded calls
	Body   string     // JSON calls (views.open, response_url)
	TS     string     // the timestamp the fake answered with
}

// fakeSlack is slack-go's slacktest server with the Web API methods the
// adapter uses overridden to record what was sent, and response_urls.
type fakeSlack struct {
	srv *slacktest.Server

	mu    sync.Mutex
	calls []call
	// limited makes the next calls of a method answer 429; the value is
	// the Retry-After header ("" for none).
	limited map[string][]string
	ts      int

	// sockets receives each Socket Mode connection the adapter opens.
	sockets chan *socketConn
	// usersGate, when set, holds every users.info answer until closed.
	usersGate chan struct{}
}

// socketConn is one Socket Mode connection, seen from Slack's side.
type socketConn struct {
	c    *websocket.Conn
	acks chan socketAck
}

// socketAck is what the adapter sent back for an envelope.
type socketAck struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload"`
}

// socket serves one Socket Mode connection: hello, then it records the
// acknowledgements until the connection closes. The test sends envelopes.
func (f *fakeSlack) socket(c *websocket.Conn) {
	sc := &socketConn{c: c, acks: make(chan socketAck, 100)}
	if err := c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": "A0APP"}, "debug_info": map[string]any{"host": "fake"}}); err != nil {
		return
	}
	f.sockets <- sc
	for {
		var ack socketAck
		if err := c.ReadJSON(&ack); err != nil {
			close(sc.acks)
			return
		}
		sc.acks <- ack
	}
}

// send writes one envelope (raw JSON).
func (sc *socketConn) send(t *testing.T, envelope string) {
	t.Helper()
	if err := sc.c.WriteMessage(websocket.TextMessage, []byte(envelope)); err != nil {
		t.Fatal(err)
	}
}

func newFakeSlack(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{limited: map[string][]string{}, sockets: make(chan *socketConn, 10)}
	record := func(method string, reply func(c call) string) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			c := call{Method: method, Path: r.URL.Path}
			if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
				c.Form, _ = url.ParseQuery(string(b))
			} else {
				c.Body = string(b)
			}
			f.mu.Lock()
			if l := f.limited[method]; len(l) > 0 {
				f.limited[method] = l[1:]
				f.mu.Unlock()
				if l[0] != "" {
					w.Header().Set("Retry-After", l[0])
				}
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			f.ts++
			ts := fmt.Sprintf("1700000000.%06d", f.ts)
			c.TS = ts
			f.calls = append(f.calls, c)
			f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, strings.ReplaceAll(reply(c), "$TS", ts))
		}
	}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", record("chat.postMessage", func(c call) string {
			return fmt.Sprintf(`{"ok":true,"channel":%q,"ts":"$TS"}`, c.Form.Get("channel"))
		}))
		// conversations.history lists the messages posted to a channel,
		// newest first, with their blocks.
		c.Handle("/conversations.history", record("conversations.history", func(c call) string {
			var msgs []string
			for _, p := range f.posts(c.Form.Get("channel")) {
				blocks := p.Form.Get("blocks")
				if blocks == "" {
					blocks = "[]"
				}
				msgs = append([]string{fmt.Sprintf(`{"type":"message","ts":%q,"text":%q,"blocks":%s}`, p.TS, p.Form.Get("text"), blocks)}, msgs...)
			}
			return `{"ok":true,"has_more":false,"messages":[` + strings.Join(msgs, ",") + `]}`
		}))
		c.Handle("/chat.update", record("chat.update", func(c call) string {
			return fmt.Sprintf(`{"ok":true,"channel":%q,"ts":%q}`, c.Form.Get("channel"), c.Form.Get("ts"))
		}))
		c.Handle("/chat.postEphemeral", record("chat.postEphemeral", func(call) string { return `{"ok":true,"message_ts":"$TS"}` }))
		c.Handle("/views.open", record("views.open", func(call) string { return `{"ok":true,"view":{"id":"V0VIEW"}}` }))
		c.Handle("/conversations.open", record("conversations.open", func(call) string { return `{"ok":true,"channel":{"id":"D0NEW"}}` }))
		c.Handle("/usergroups.users.list", record("usergroups.users.list", func(c call) string {
			if c.Form.Get("usergroup") != coordGroup {
				return `{"ok":false,"error":"no_such_subteam"}`
			}
			return fmt.Sprintf(`{"ok":true,"users":[%q]}`, groupUser)
		}))
		c.Handle("/users.info", record("users.info", func(c call) string {
			f.mu.Lock()
			gate := f.usersGate
			f.mu.Unlock()
			if gate != nil {
				<-gate
			}
			id := c.Form.Get("user")
			locale := "en-US"
			if id == frenchUser {
				locale = "fr-CA"
			}
			return fmt.Sprintf(`{"ok":true,"user":{"id":%q,"name":"user-%s","real_name":"Test %s","locale":%q,"profile":{}}}`, id, id, id, locale)
		}))
		c.Handle("/response/", record("response", func(call) string { return `{"ok":true}` }))
		c.Handle("/ws", slacktest.Websocket(f.socket))
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

// APIURL is the Web API base.
func (f *fakeSlack) APIURL() string { return f.srv.GetAPIURL() }

// responseURL is a response_url on the fake.
func (f *fakeSlack) responseURL(name string) string {
	return strings.TrimSuffix(f.srv.GetAPIURL(), "/") + "/response/" + name
}

// rateLimit makes the next len(retryAfter) calls of method answer 429.
func (f *fakeSlack) rateLimit(method string, retryAfter ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limited[method] = append(f.limited[method], retryAfter...)
}

// calls of method (all when method is "").
func (f *fakeSlack) get(method string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// responses posted to the response_url called name.
func (f *fakeSlack) responses(name string) []call {
	var out []call
	for _, c := range f.get("response") {
		if strings.HasSuffix(c.Path, "/response/"+name) {
			out = append(out, c)
		}
	}
	return out
}

// posts to channel.
func (f *fakeSlack) posts(channel string) []call {
	var out []call
	for _, c := range f.get("chat.postMessage") {
		if c.Form.Get("channel") == channel {
			out = append(out, c)
		}
	}
	return out
}

// waitFor polls cond until it holds or 5 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := reportBy(t)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// engine is the real engine, counting the messages that reach it; it can
// be slowed down or made to panic.
type engine struct {
	*bot.Engine
	calls atomic.Int64
	delay atomic.Int64 // nanoseconds
	panic atomic.Bool
	// gate, when set, holds every message until it is closed: a test can
	// see what the adapter does while an answer is still being worked on,
	// without timing anything.
	gate atomic.Pointer[chan struct{}]
}

func (e *engine) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	e.calls.Add(1)
	if e.panic.Load() {
		panic("engine exploded")
	}
	if g := e.gate.Load(); g != nil {
		select {
		case <-*g:
		case <-ctx.Done():
			return bot.Reply{}, ctx.Err()
		}
	}
	if d := time.Duration(e.delay.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return bot.Reply{}, ctx.Err()
		}
	}
	return e.Engine.Handle(ctx, m)
}

func testLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// env is an adapter wired to the real engine (classifier, knowledge base,
// in-memory stores, review workflow) and a fake Slack, served over HTTP.
type env struct {
	t       *testing.T
	fake    *fakeSlack
	engine  *engine
	store   *memory.Store
	tickets *memory.TicketStore
	reviews *bot.Reviews
	metrics *metrics.Metrics
	a       *Adapter
	url     string // the adapter's HTTP server
	trigger atomic.Int64
}

func loadKB(t *testing.T) {
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
}

// setup starts an adapter in HTTP mode on a fake Slack; the review
// notices are delivered by a dispatcher, as serve does.
func setup(t *testing.T, change ...func(*Config)) *env {
	t.Helper()
	loadKB(t)
	e := &env{t: t, fake: newFakeSlack(t), store: memory.New(), tickets: memory.NewTicketStore(), metrics: metrics.New()}
	coords, err := bot.ParseCoordinators("slack:" + coordUser)
	if err != nil {
		t.Fatal(err)
	}
	e.reviews = &bot.Reviews{Store: e.tickets, Outbox: e.tickets, Locker: e.tickets, Coordinators: coords, Observer: e.metrics}
	e.engine = &engine{Engine: &bot.Engine{NLU: nlu, KB: kb, Store: e.store, Dedupe: e.store, Reviews: e.reviews, Observer: e.metrics}}
	e.a = e.newAdapter(change...)
	e.reviews.Coordinators = e.a.Coordinators(coords)
	e.reviews.Notifiers = []bot.Notifier{e.a.Notifier(), bot.LogNotifier{Logger: testLogger()}}
	e.url = e.serve(e.a)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { e.reviews.RunDispatcher(ctx, "test") })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return e
}

// newAdapter builds another adapter on the same engine, stores and fake
// Slack: a second replica.
func (e *env) newAdapter(change ...func(*Config)) *Adapter {
	e.t.Helper()
	cfg := Config{
		BotToken: "xoxb-test", SigningSecret: secret, APIURL: e.fake.APIURL(),
		ATIPChannel: atipChannel, CoordinatorGroup: coordGroup,
		Engine: e.engine, Dedupe: e.store, Reviews: e.reviews, Metrics: e.metrics, Logger: testLogger(),
	}
	for _, c := range change {
		c(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// serve runs a's routes and Run until the test ends.
func (e *env) serve(a *Adapter) string {
	mux := http.NewServeMux()
	a.Routes(mux)
	srv := httptest.NewServer(mux)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Run(ctx)
	}()
	e.t.Cleanup(func() {
		cancel()
		<-done
		srv.Close()
	})
	return srv.URL
}

// settle waits for the adapter's background work (ack first, work after).
func (e *env) settle(as ...*Adapter) {
	if len(as) == 0 {
		as = []*Adapter{e.a}
	}
	for _, a := range as {
		a.work.Wait()
	}
}

// sign signs body as Slack does (v0 HMAC-SHA256 of "v0:ts:body").
func sign(secret string, ts int64, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%d:%s", ts, body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// signed is a request signed now with the test secret.
type signed struct {
	ts      int64  // default: now
	secret  string // default: the test secret
	sig     string // overrides the signature
	headers map[string]string
}

// post sends body to path on base, signed, and returns the status and body.
func (e *env) post(base, path, contentType, body string, s signed) (int, string) {
	e.t.Helper()
	if s.ts == 0 {
		s.ts = time.Now().Unix()
	}
	if s.secret == "" {
		s.secret = secret
	}
	if s.sig == "" {
		s.sig = sign(s.secret, s.ts, body)
	}
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(s.ts, 10))
	req.Header.Set("X-Slack-Signature", s.sig)
	for k, v := range s.headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const form = "application/x-www-form-urlencoded"

// command is a /privacy slash command's form.
func (e *env) command(user, text, responseURL string) string {
	v := url.Values{
		"command": {"/privacy"}, "text": {text}, "team_id": {team}, "channel_id": {channel},
		"user_id": {user}, "user_name": {"name-" + user}, "response_url": {responseURL},
		"trigger_id": {fmt.Sprintf("trigger.%d", e.trigger.Add(1))}, "api_app_id": {"A0APP"},
	}
	return v.Encode()
}

// slash sends /privacy text as user and returns the status and the
// decoded inline response.
func (e *env) slash(user, text, responseURL string) (int, webhookMessage) {
	e.t.Helper()
	status, body := e.post(e.url, "/slack/commands", form, e.command(user, text, responseURL), signed{})
	var m webhookMessage
	if status == http.StatusOK && body != "" {
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			e.t.Fatalf("slash command response %q: %v", body, err)
		}
	}
	return status, m
}

// event posts an Events API callback.
func (e *env) event(base, eventID string, inner map[string]any, s signed) int {
	e.t.Helper()
	b, err := json.Marshal(map[string]any{
		"token": "legacy", "team_id": team, "api_app_id": "A0APP", "type": "event_callback",
		"event_id": eventID, "event_time": time.Now().Unix(), "event": inner,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	status, _ := e.post(base, "/slack/events", "application/json", string(b), s)
	return status
}

// interact posts an interaction payload.
func (e *env) interact(payload map[string]any) (int, string) {
	e.t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.post(e.url, "/slack/interactions", form, url.Values{"payload": {string(b)}}.Encode(), signed{})
}

// press is a block_actions payload: user pressed the button action with
// value on a message in channel at ts.
func (e *env) press(user, action, value, channel, ts, responseURL string, ephemeral bool) map[string]any {
	return map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": team},
		"api_app_id": "A0APP", "trigger_id": fmt.Sprintf("trigger.%d", e.trigger.Add(1)), "response_url": responseURL,
		"container": map[string]any{"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral},
		"channel":   map[string]any{"id": channel},
		"actions":   []map[string]any{{"action_id": action, "block_id": "b", "type": "button", "value": value}},
	}
}

// webhookMessage is a slash command or response_url message.
type webhookMessage struct {
	ResponseType    string           `json:"response_type"`
	Text            string           `json:"text"`
	ReplaceOriginal bool             `json:"replace_original"`
	Blocks          []map[string]any `json:"blocks"`
}

func decodeMessage(t *testing.T, body string) webhookMessage {
	t.Helper()
	var m webhookMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("message %q: %v", body, err)
	}
	return m
}

// blocksOf decodes the blocks a form call (chat.postMessage, chat.update)
// carried.
func blocksOf(t *testing.T, c call) []map[string]any {
	t.Helper()
	var b []map[string]any
	if err := json.Unmarshal([]byte(c.Form.Get("blocks")), &b); err != nil {
		t.Fatalf("blocks %q: %v", c.Form.Get("blocks"), err)
	}
	return b
}

// allText is every text in blocks, joined by newlines.
func allText(blocks []map[string]any) string {
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "text" {
					b.WriteString(s + "\n")
					continue
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	for _, bl := range blocks {
		walk(bl)
	}
	return b.String()
}

// button finds the button with action id in blocks and returns its value.
func button(t *testing.T, blocks []map[string]any, action string) string {
	t.Helper()
	for _, bl := range blocks {
		els, _ := bl["elements"].([]any)
		for _, el := range els {
			m, _ := el.(map[string]any)
			if m["action_id"] == action {
				v, _ := m["value"].(string)
				return v
			}
		}
	}
	t.Fatalf("no %s button in %v", action, blocks)
	return ""
}

// hasButton reports whether blocks have a button with action id.
func hasButton(blocks []map[string]any, action string) bool {
	for _, bl := range blocks {
		els, _ := bl["elements"].([]any)
		for _, el := range els {
			if m, _ := el.(map[string]any); m["action_id"] == action {
				return true
			}
		}
	}
	return false
}
