package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/slacktest"
	"go.yaml.in/yaml/v3"

	"github.com/commsbot/commsbot/adapters/slack"
	"github.com/commsbot/commsbot/bot"
)

// slackManifest is the part of a Slack app manifest commsbot depends on.
type slackManifest struct {
	Features struct {
		BotUser struct {
			DisplayName string `yaml:"display_name"`
		} `yaml:"bot_user"`
		AppHome struct {
			MessagesTab bool `yaml:"messages_tab_enabled"`
			ReadOnly    bool `yaml:"messages_tab_read_only_enabled"`
		} `yaml:"app_home"`
		SlashCommands []struct {
			Command     string `yaml:"command"`
			URL         string `yaml:"url"`
			Description string `yaml:"description"`
		} `yaml:"slash_commands"`
	} `yaml:"features"`
	OAuth struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		Events struct {
			RequestURL string   `yaml:"request_url"`
			BotEvents  []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			Enabled    bool   `yaml:"is_enabled"`
			RequestURL string `yaml:"request_url"`
		} `yaml:"interactivity"`
		SocketMode bool `yaml:"socket_mode_enabled"`
	} `yaml:"settings"`
}

// TestSlackManifest checks deploy/slack-manifest.yaml against what the
// adapter serves and needs.
func TestSlackManifest(t *testing.T) {
	b, err := os.ReadFile("../../deploy/slack-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m slackManifest
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(false)
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	// The request URLs must be routes the adapter registers.
	a, err := slack.New(slack.Config{BotToken: "xoxb-test", SigningSecret: "s", Engine: &bot.Engine{}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Routes(mux)
	routed := func(what, raw string) {
		t.Helper()
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			t.Errorf("%s URL %q: want an https URL", what, raw)
			return
		}
		_, pattern := mux.Handler(httptest.NewRequest(http.MethodPost, u.Path, nil))
		if pattern == "" {
			t.Errorf("%s URL %q: the adapter serves no POST %s", what, raw, u.Path)
		}
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/privacy" {
		t.Fatalf("slash commands = %+v, want /privacy", m.Features.SlashCommands)
	}
	routed("/privacy", m.Features.SlashCommands[0].URL)
	if !strings.HasSuffix(m.Features.SlashCommands[0].URL, "/slack/commands") {
		t.Errorf("/privacy goes to %s, want /slack/commands", m.Features.SlashCommands[0].URL)
	}
	routed("event subscriptions", m.Settings.Events.RequestURL)
	if !strings.HasSuffix(m.Settings.Events.RequestURL, "/slack/events") {
		t.Errorf("events go to %s", m.Settings.Events.RequestURL)
	}
	routed("interactivity", m.Settings.Interactivity.RequestURL)
	if !m.Settings.Interactivity.Enabled || !strings.HasSuffix(m.Settings.Interactivity.RequestURL, "/slack/interactions") {
		t.Errorf("interactivity = %+v", m.Settings.Interactivity)
	}
	if !m.Settings.SocketMode {
		t.Error("socket_mode_enabled is false: the README's first steps use Socket Mode")
	}
	// Least privilege: im:read is not used; channels:history and
	// groups:history find a ticket message a dead replica posted.
	wantScopes := []string{"app_mentions:read", "channels:history", "chat:write", "commands", "groups:history", "im:history", "im:write", "usergroups:read", "users:read"}
	got := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot))
	if !slices.Equal(got, wantScopes) {
		t.Errorf("bot scopes = %v, want %v", got, wantScopes)
	}
	events := slices.Sorted(slices.Values(m.Settings.Events.BotEvents))
	if !slices.Equal(events, []string{"app_mention", "message.im"}) {
		t.Errorf("bot events = %v, want app_mention and message.im", events)
	}
	if !m.Features.AppHome.MessagesTab || m.Features.AppHome.ReadOnly {
		t.Error("the Messages tab must be on and writable for direct messages")
	}
}

func TestLoadSlackConfig(t *testing.T) {
	base := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1-2", "SLACK_SIGNING_SECRET": "abc"}
	with := func(kv ...string) func(string) string {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return func(k string) string { return env[k] }
	}
	c, errs := loadSlackConfig(with("SLACK_APP_TOKEN", "xapp-1-A-1", "ATIP_SLACK_CHANNEL", "C0123ABCD",
		"SLACK_COORDINATOR_GROUP", "S0123ABCD", "SLACK_API_URL", "http://127.0.0.1:9/api/"))
	if len(errs) != 0 || !c.enabled() || c.Channel != "C0123ABCD" || c.Group != "S0123ABCD" || c.APIURL != "http://127.0.0.1:9/api/" {
		t.Errorf("valid config: %+v %v", c, errs)
	}
	if c, errs := loadSlackConfig(func(string) string { return "" }); c.enabled() || len(errs) != 0 {
		t.Errorf("no Slack variables: %+v %v", c, errs)
	}
	for name, tc := range map[string]struct {
		getenv func(string) string
		want   string
	}{
		"user token":           {with("SLACK_BOT_TOKEN", "xoxp-1"), "SLACK_BOT_TOKEN"},
		"bot token as app":     {with("SLACK_APP_TOKEN", "xoxb-1"), "SLACK_APP_TOKEN"},
		"no secret nor app":    {with("SLACK_SIGNING_SECRET", ""), "SLACK_SIGNING_SECRET"},
		"no bot token":         {with("SLACK_BOT_TOKEN", ""), "SLACK_BOT_TOKEN is not"},
		"channel name":         {with("ATIP_SLACK_CHANNEL", "#atip"), "ATIP_SLACK_CHANNEL"},
		"group handle":         {with("SLACK_COORDINATOR_GROUP", "@atip"), "SLACK_COORDINATOR_GROUP"},
		"bad API URL":          {with("SLACK_API_URL", "slack.com/api"), "SLACK_API_URL"},
		"spaces in the secret": {with("SLACK_SIGNING_SECRET", "abc def"), "SLACK_SIGNING_SECRET contains spaces"},
	} {
		_, errs := loadSlackConfig(tc.getenv)
		if len(errs) == 0 || !strings.Contains(fmt.Sprint(errs), tc.want) {
			t.Errorf("%s: errors %v, want one about %s", name, errs, tc.want)
		}
		for _, e := range errs {
			if strings.Contains(e.Error(), "xoxb-1-2") {
				t.Errorf("%s: an error shows the token: %v", name, e)
			}
		}
	}
	// serve reports the problems and does not start.
	var stderr strings.Builder
	getenv := with("SLACK_BOT_TOKEN", "xoxp-oops", "COMMSBOT_ADDR", "127.0.0.1:0")
	if err := serveCmd(t.Context(), nil, &stderr, getenv, nil); err != errConfig || !strings.Contains(stderr.String(), "SLACK_BOT_TOKEN") {
		t.Errorf("serve with a bad token: %v\n%s", err, stderr.String())
	}
}

// TestServeAnswersSignedSlashCommand is the "done when": with
// SLACK_API_URL on a local fake Slack, a signed `/privacy can we use
// Threads?` sent to `commsbot serve` is answered, citing the Privacy
// Implementation Notice 2021-01, inline or on the response_url, within 3
// seconds.
func TestServeAnswersSignedSlashCommand(t *testing.T) {
	var mu sync.Mutex
	var responses, posts []string
	fake := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/response/", func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			responses = append(responses, string(b))
			mu.Unlock()
			io.WriteString(w, "ok")
		})
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			mu.Lock()
			posts = append(posts, r.Form.Get("channel"))
			mu.Unlock()
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.000001"}`, r.Form.Get("channel"))
		})
	})
	fake.Start()
	t.Cleanup(fake.Stop)

	const secret = "e2e-signing-secret"
	base := startServe(t, map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-e2e", "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": fake.GetAPIURL(),
		"ATIP_SLACK_CHANNEL": "C0ATIP", "ATIP_COORDINATORS": "slack:U0COORD",
	})
	body := url.Values{
		"command": {"/privacy"}, "text": {"can we use Threads?"}, "team_id": {"T0E2E"}, "channel_id": {"C0E2E"},
		"user_id": {"U0E2E"}, "user_name": {"e2e"}, "trigger_id": {"trigger.e2e"},
		"response_url": {strings.TrimSuffix(fake.GetAPIURL(), "/") + "/response/e2e"},
	}.Encode()
	post := func(ts int64, sig string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", fmt.Sprint(ts))
		req.Header.Set("X-Slack-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	sign := func(ts int64) string {
		m := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(m, "v0:%d:%s", ts, body)
		return "v0=" + hex.EncodeToString(m.Sum(nil))
	}

	// Forged: refused.
	if status, _ := post(time.Now().Unix(), "v0=deadbeef"); status != http.StatusUnauthorized {
		t.Errorf("forged request: status %d, want 401", status)
	}

	start := time.Now()
	ts := time.Now().Unix()
	status, inline := post(ts, sign(ts))
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, inline)
	}
	const pin = "Privacy Implementation Notice 2021-01"
	answered := func() bool {
		if strings.Contains(inline, pin) {
			return true
		}
		mu.Lock()
		defer mu.Unlock()
		return slices.ContainsFunc(responses, func(s string) bool { return strings.Contains(s, pin) })
	}
	// A generous deadline that reports, not a bound on speed.
	for !answered() && time.Since(start) < 30*time.Second {
		time.Sleep(10 * time.Millisecond)
	}
	if took := time.Since(start); !answered() {
		t.Fatalf("no answer citing %s within %s; inline %q", pin, took, inline)
	}
	// Threads needs review: the ticket reaches the coordinators' channel.
	deadline := reportBy(t)
	for {
		mu.Lock()
		n := slices.Index(posts, "C0ATIP")
		mu.Unlock()
		if n >= 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the review ticket was not posted to ATIP_SLACK_CHANNEL")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The same signed request again (a proxy's retry, or a replay) gets
	// the answer it had, and files no second ticket.
	if status, again := post(ts, sign(ts)); status != http.StatusOK || strings.Contains(inline, pin) && again != inline {
		t.Errorf("repeated request: status %d, body %q; want 200 and the first answer", status, again)
	}
	mu.Lock()
	atip := 0
	for _, p := range posts {
		if p == "C0ATIP" {
			atip++
		}
	}
	mu.Unlock()
	if atip != 1 {
		t.Errorf("%d ticket messages in the coordinators' channel after the repeat, want 1", atip)
	}
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz = %d in HTTP mode", resp.StatusCode)
	}
}

// TestServeSlackSocketModeReadiness runs serve in Socket Mode only against
// a fake Slack: /readyz is 503 until the socket is connected, then 200, and
// no webhook routes are served.
func TestServeSlackSocketModeReadiness(t *testing.T) {
	hello := make(chan struct{})
	fake := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/ws", slacktest.Websocket(func(c *websocket.Conn) {
			<-hello // hold the connection before Slack's hello
			if err := c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1}); err != nil {
				return
			}
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}))
	})
	fake.Start()
	t.Cleanup(fake.Stop)
	base := startServe(t, map[string]string{"SLACK_BOT_TOKEN": "xoxb-e2e", "SLACK_APP_TOKEN": "xapp-1-e2e", "SLACK_API_URL": fake.GetAPIURL()})
	readyz := func() (int, string) {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := readyz(); status != http.StatusServiceUnavailable || !strings.Contains(body, "slack") {
		t.Errorf("/readyz before the socket is connected: %d %q", status, body)
	}
	close(hello)
	deadline := reportBy(t)
	for {
		status, body := readyz()
		if status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz = %d %q after the socket connected", status, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.Post(base+"/slack/commands", "application/x-www-form-urlencoded", strings.NewReader("text=x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /slack/commands in Socket Mode only: %d, want no route", resp.StatusCode)
	}
}
