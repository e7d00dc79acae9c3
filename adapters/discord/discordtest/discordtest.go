// Package discordtest is a local stand-in for Discord, for tests: a REST
// API and a gateway websocket on loopback that record what they are sent,
// and a signer for HTTP interactions.
//
// The REST API answers the calls commsbot makes (command registration,
// interaction callbacks, webhook edits and follow-ups, channel messages,
// direct-message channels); the gateway says hello, takes identify or
// resume, sends READY or RESUMED, acknowledges heartbeats and then sends
// the events a test gives it.
package discordtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// BotID is the bot's user id in READY and on the messages it posts.
const BotID = "900000000000000001"

// Call is one REST request the fake received.
type Call struct {
	Method string
	// Path is the URL path, e.g. /api/v9/channels/123/messages.
	Path string
	// Auth is the Authorization header.
	Auth string
	Body []byte
	// At is when the fake received it.
	At time.Time
}

// JSON decodes the call's body into v.
func (c Call) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(c.Body, v); err != nil {
		t.Fatalf("%s %s: body %s: %v", c.Method, c.Path, c.Body, err)
	}
}

// Fake is a fake Discord. Create it with New.
type Fake struct {
	Server *httptest.Server

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change
	calls    []Call
	commands map[string][]map[string]any // registration path → commands
	messages map[string][]map[string]any // channel → messages, oldest first
	fail     []failure
	nextID   int64

	conns      []*gwConn
	down       bool
	identifies []map[string]any
	resumes    int
	seq        int64
}

type failure struct {
	method, prefix string
	status         int
	body           string
	header         http.Header
	times          int
}

type gwConn struct {
	mu    sync.Mutex
	c     *websocket.Conn
	ready bool
}

func (g *gwConn) write(v any) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.c.WriteJSON(v)
}

// New starts a fake Discord, stopped when the test ends.
func New(t testing.TB) *Fake {
	f := &Fake{changed: make(chan struct{}), commands: map[string][]map[string]any{}, messages: map[string][]map[string]any{}, nextID: 1000}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v9/gateway", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"url": "ws" + strings.TrimPrefix(f.Server.URL, "http") + "/gateway"})
	})
	mux.HandleFunc("GET /api/v9/gateway/bot", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"url": "ws" + strings.TrimPrefix(f.Server.URL, "http") + "/gateway", "shards": 1})
	})
	// discordgo adds a slash to the URL it is given.
	mux.HandleFunc("GET /gateway", f.gateway)
	mux.HandleFunc("GET /gateway/", f.gateway)
	mux.HandleFunc("PUT /api/v9/applications/{app}/commands", f.overwrite)
	mux.HandleFunc("PUT /api/v9/applications/{app}/guilds/{guild}/commands", f.overwrite)
	mux.HandleFunc("GET /api/v9/applications/{app}/commands", f.listCommands)
	mux.HandleFunc("GET /api/v9/applications/{app}/guilds/{guild}/commands", f.listCommands)
	mux.HandleFunc("POST /api/v9/interactions/{id}/{token}/callback", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("PATCH /api/v9/webhooks/{app}/{token}/messages/{msg}", func(w http.ResponseWriter, r *http.Request) {
		m := decode(r)
		m["id"] = f.id()
		reply(w, m)
	})
	mux.HandleFunc("DELETE /api/v9/webhooks/{app}/{token}/messages/{msg}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /api/v9/webhooks/{app}/{token}", func(w http.ResponseWriter, r *http.Request) {
		m := decode(r)
		m["id"] = f.id()
		reply(w, m)
	})
	mux.HandleFunc("POST /api/v9/channels/{ch}/messages", func(w http.ResponseWriter, r *http.Request) {
		m := decode(r)
		m["id"], m["channel_id"] = f.id(), r.PathValue("ch")
		m["author"] = map[string]any{"id": BotID, "username": "commsbot", "bot": true}
		f.mu.Lock()
		f.messages[r.PathValue("ch")] = append(f.messages[r.PathValue("ch")], m)
		// A later edit changes m under the lock: answer with a copy.
		out := maps.Clone(m)
		f.mu.Unlock()
		reply(w, out)
	})
	mux.HandleFunc("PATCH /api/v9/channels/{ch}/messages/{msg}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, m := range f.messages[r.PathValue("ch")] {
			if m["id"] == r.PathValue("msg") {
				for k, v := range decode(r) {
					m[k] = v
				}
				reply(w, m)
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message": "Unknown Message", "code": 10008}`)
	})
	mux.HandleFunc("GET /api/v9/channels/{ch}/messages", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		ms := f.messages[r.PathValue("ch")]
		out := make([]map[string]any, 0, len(ms))
		for i := len(ms) - 1; i >= 0; i-- {
			out = append(out, ms[i])
		}
		reply(w, out)
	})
	mux.HandleFunc("POST /api/v9/users/@me/channels", func(w http.ResponseWriter, r *http.Request) {
		m := decode(r)
		reply(w, map[string]any{"id": fmt.Sprint("dm-", m["recipient_id"]), "type": 1})
	})
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gateway" || r.URL.Path == "/gateway/" {
			f.mu.Lock()
			down := f.down
			f.mu.Unlock()
			if down {
				http.Error(w, "gateway unavailable", http.StatusServiceUnavailable)
				return
			}
			mux.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		f.mu.Lock()
		f.calls = append(f.calls, Call{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: body, At: time.Now()})
		var fl *failure
		for k := range f.fail {
			if x := &f.fail[k]; x.times > 0 && x.method == r.Method && strings.HasPrefix(r.URL.Path, x.prefix) {
				x.times--
				fl = x
				break
			}
		}
		f.changedLocked()
		f.mu.Unlock()
		if fl != nil {
			for k, v := range fl.header {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(fl.status)
			io.WriteString(w, fl.body)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		f.mu.Lock()
		for _, c := range f.conns {
			c.c.Close()
		}
		f.mu.Unlock()
		f.Server.Close()
	})
	return f
}

// APIURL is the base that replaces https://discord.com/api.
func (f *Fake) APIURL() string { return f.Server.URL + "/api" }

// Fail makes the next times requests with method and a path starting with
// prefix fail with status and body (and header, if not nil).
func (f *Fake) Fail(method, prefix string, status int, body string, header http.Header, times int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = append(f.fail, failure{method, prefix, status, body, header, times})
}

// Calls returns the REST calls so far.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Commands returns the commands registered at a path such as
// /api/v9/applications/APP/commands.
func (f *Fake) Commands(path string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.commands[path]
}

// Messages returns a channel's messages, oldest first.
func (f *Fake) Messages(channel string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	// Copies: an edit changes a message under the lock.
	out := make([]map[string]any, 0, len(f.messages[channel]))
	for _, m := range f.messages[channel] {
		out = append(out, maps.Clone(m))
	}
	return out
}

// Identifies returns the identify payloads received, in order.
func (f *Fake) Identifies() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.identifies...)
}

// Resumes counts the resume requests received.
func (f *Fake) Resumes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.resumes
}

// Wait waits until cond holds, checking after every change; it fails the
// test after timeout.
func (f *Fake) Wait(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		ch := f.changed
		f.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-time.After(20 * time.Millisecond):
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// WaitCall waits for a call matching method and a path containing part,
// after the first skip such calls, and returns it.
func (f *Fake) WaitCall(t testing.TB, method, part string, skip int) Call {
	t.Helper()
	var found Call
	f.Wait(t, 10*time.Second, method+" "+part, func() bool {
		n := 0
		for _, c := range f.Calls() {
			if c.Method == method && strings.Contains(c.Path, part) {
				if n == skip {
					found = c
					return true
				}
				n++
			}
		}
		return false
	})
	return found
}

// CallsTo returns the calls with method and a path containing part.
func (f *Fake) CallsTo(method, part string) []Call {
	var out []Call
	for _, c := range f.Calls() {
		if c.Method == method && strings.Contains(c.Path, part) {
			out = append(out, c)
		}
	}
	return out
}

func (f *Fake) changedLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *Fake) id() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	return strconv.FormatInt(f.nextID, 10)
}

func (f *Fake) overwrite(w http.ResponseWriter, r *http.Request) {
	var cmds []map[string]any
	if err := json.NewDecoder(r.Body).Decode(&cmds); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, c := range cmds {
		// Discord keeps a command's id across overwrites by name.
		c["id"] = "cmd-" + fmt.Sprint(c["name"])
		c["application_id"] = r.PathValue("app")
	}
	f.mu.Lock()
	f.commands[r.URL.Path] = cmds
	f.mu.Unlock()
	reply(w, cmds)
}

func (f *Fake) listCommands(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cmds := f.commands[r.URL.Path]
	if cmds == nil {
		cmds = []map[string]any{}
	}
	reply(w, cmds)
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// gateway speaks the gateway protocol on one connection.
func (f *Fake) gateway(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	g := &gwConn{c: c}
	f.mu.Lock()
	f.conns = append(f.conns, g)
	f.mu.Unlock()
	defer c.Close()
	if g.write(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}}) != nil {
		return
	}
	for {
		var p struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := c.ReadJSON(&p); err != nil {
			return
		}
		switch p.Op {
		case 1: // heartbeat
			g.write(map[string]any{"op": 11})
		case 2: // identify
			var d map[string]any
			json.Unmarshal(p.D, &d)
			f.mu.Lock()
			f.identifies = append(f.identifies, d)
			f.seq++
			seq := f.seq
			f.mu.Unlock()
			g.mu.Lock()
			g.c.WriteJSON(map[string]any{"op": 0, "t": "READY", "s": seq, "d": map[string]any{
				"v": 9, "session_id": "session-1", "resume_gateway_url": "ws" + strings.TrimPrefix(f.Server.URL, "http") + "/gateway",
				"user":        map[string]any{"id": BotID, "username": "commsbot", "bot": true},
				"application": map[string]any{"id": "app"}, "guilds": []any{}, "private_channels": []any{},
			}})
			g.ready = true
			g.mu.Unlock()
			f.touch()
		case 6: // resume
			f.mu.Lock()
			f.resumes++
			f.seq++
			seq := f.seq
			f.mu.Unlock()
			g.mu.Lock()
			g.c.WriteJSON(map[string]any{"op": 0, "t": "RESUMED", "s": seq, "d": map[string]any{}})
			g.ready = true
			g.mu.Unlock()
			f.touch()
		}
	}
}

func (f *Fake) touch() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.changedLocked()
}

// Dispatch sends an event (INTERACTION_CREATE, MESSAGE_CREATE, …) to every
// connection that is ready, and reports how many there were.
func (f *Fake) Dispatch(t testing.TB, event string, data any) int {
	t.Helper()
	f.mu.Lock()
	conns := append([]*gwConn(nil), f.conns...)
	f.seq++
	seq := f.seq
	f.mu.Unlock()
	n := 0
	for _, g := range conns {
		g.mu.Lock()
		if g.ready && g.c.WriteJSON(map[string]any{"op": 0, "t": event, "s": seq, "d": data}) == nil {
			n++
		}
		g.mu.Unlock()
	}
	return n
}

// SetDown makes the gateway refuse new connections (down) or take them
// again.
func (f *Fake) SetDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
	f.changedLocked()
}

// Drop closes every gateway connection abruptly, as a network failure
// would.
func (f *Fake) Drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, g := range f.conns {
		g.mu.Lock()
		g.ready = false
		g.c.Close()
		g.mu.Unlock()
	}
	f.conns = nil
}

func decode(r *http.Request) map[string]any {
	m := map[string]any{}
	json.NewDecoder(r.Body).Decode(&m)
	return m
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// Signer signs HTTP interactions as Discord does, with a key of its own.
type Signer struct {
	Public  ed25519.PublicKey
	private ed25519.PrivateKey
}

// NewSigner generates a key pair.
func NewSigner(t testing.TB) Signer {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return Signer{Public: pub, private: priv}
}

// PublicKeyHex is the public key as the developer portal shows it.
func (s Signer) PublicKeyHex() string { return hex.EncodeToString(s.Public) }

// Sign returns the X-Signature-Timestamp and X-Signature-Ed25519 headers
// Discord would send with body at ts.
func (s Signer) Sign(body []byte, ts time.Time) (stamp, sig string) {
	stamp = strconv.FormatInt(ts.Unix(), 10)
	return stamp, hex.EncodeToString(ed25519.Sign(s.private, append([]byte(stamp), body...)))
}

// Post signs body with timestamp ts and posts it to url.
func (s Signer) Post(t testing.TB, url string, body []byte, ts time.Time) *http.Response {
	t.Helper()
	stamp, sig := s.Sign(body, ts)
	return Post(t, url, body, stamp, sig)
}

// Post posts body to url with the given signature headers.
func Post(t testing.TB, url string, body []byte, stamp, sig string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Timestamp", stamp)
	req.Header.Set("X-Signature-Ed25519", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// Interaction builds an interaction payload. kind is 2 (command), 3
// (button), 4 (autocomplete) or 5 (modal submit); data is its data; from
// is the acting user's id; guild is "" for a direct message, where the
// user is in "user" rather than "member".
func Interaction(id string, kind int, data any, from string, guild string, roles []string, locale string) map[string]any {
	i := map[string]any{
		"id": id, "application_id": "app", "type": kind, "data": data, "token": "tok-" + id,
		"channel_id": "chan-1", "version": 1, "locale": locale,
	}
	user := map[string]any{"id": from, "username": "user" + from, "global_name": "User " + from}
	if guild != "" {
		if roles == nil {
			roles = []string{}
		}
		i["guild_id"] = guild
		i["member"] = map[string]any{"user": user, "roles": roles, "nick": "", "joined_at": "2024-01-01T00:00:00Z"}
	} else {
		i["channel_id"] = "dm-" + from
		i["user"] = user
	}
	return i
}

// Ask is /privacy <sub> with string options, as command data.
func Ask(sub string, opts map[string]string) map[string]any {
	var o []any
	for k, v := range opts {
		o = append(o, map[string]any{"name": k, "type": 3, "value": v})
	}
	return map[string]any{"id": "cmd-privacy", "name": "privacy", "type": 1,
		"options": []any{map[string]any{"name": sub, "type": 1, "options": o}}}
}
