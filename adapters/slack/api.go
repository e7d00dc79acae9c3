package slack

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// call runs one Web API call, retrying when Slack rate-limits it: after the
// Retry-After Slack sent (a RateLimitedError), or a second for a 429
// without one, at most MaxRetries times. Every failed attempt is counted as
// a platform error.
func (a *Adapter) call(ctx context.Context, method string, fn func(ctx context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		a.platformError()
		wait, retry := retryAfter(err)
		if !retry || attempt >= a.cfg.MaxRetries || wait > a.cfg.MaxRetryWait || ctx.Err() != nil {
			err = safeErr(err)
			a.log.WarnContext(ctx, "slack api call failed", "method", method, "attempts", attempt+1, "err", err)
			return err
		}
		a.log.InfoContext(ctx, "slack rate limited", "method", method, "retry_after", wait.String(), "attempt", attempt+1)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// retryAfter says whether err is Slack rate-limiting, and how long to wait.
func retryAfter(err error) (time.Duration, bool) {
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		if rl.RetryAfter <= 0 {
			return time.Second, true
		}
		return rl.RetryAfter, true
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok && sc.Code == http.StatusTooManyRequests {
		return time.Second, true
	}
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok && se.Err == "ratelimited" {
		return time.Second, true
	}
	return 0, false
}

// safeErr drops the URL from HTTP client errors: a response_url is a
// credential of sorts and must not reach the logs.
func safeErr(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return errors.New(ue.Op + ": " + ue.Err.Error())
	}
	return err
}

// post posts a message (in a thread when thread is set) and returns its
// channel and timestamp.
func (a *Adapter) post(ctx context.Context, channel, thread, fallback string, blocks []slack.Block) (string, string, error) {
	opts := []slack.MsgOption{slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...), slack.MsgOptionDisableLinkUnfurl()}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	var ch, ts string
	err := a.call(ctx, "chat.postMessage", func(ctx context.Context) error {
		var err error
		ch, ts, err = a.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ch, ts, err
}

// update replaces a message in place.
func (a *Adapter) update(ctx context.Context, channel, ts, fallback string, blocks []slack.Block) error {
	return a.call(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...))
		return err
	})
}

// respond posts to an interaction's or command's response_url.
func (a *Adapter) respond(ctx context.Context, responseURL string, m *slack.WebhookMessage) error {
	return a.call(ctx, "response_url", func(ctx context.Context) error {
		return slack.PostWebhookCustomHTTPContext(ctx, responseURL, a.http, m)
	})
}

// ephemeral shows text to one user only: on the response_url when there is
// one, else with chat.postEphemeral.
func (a *Adapter) ephemeral(ctx context.Context, responseURL, channel, user, s string) {
	fallback, blocks := textBlocks(s)
	var err error
	if responseURL != "" {
		err = a.respond(ctx, responseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: fallback, Blocks: &slack.Blocks{BlockSet: blocks}})
	} else {
		err = a.call(ctx, "chat.postEphemeral", func(ctx context.Context) error {
			_, err := a.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...))
			return err
		})
	}
	if err != nil {
		a.log.WarnContext(ctx, "ephemeral message not delivered", "err", err)
	}
}

// userInfo is what users.info tells about a user.
type userInfo struct {
	Locale string
	Name   string
}

// user returns a user's locale and name, cached. It is best effort: a
// failure gives an empty userInfo (cached briefly) rather than delaying the
// answer.
func (a *Adapter) user(ctx context.Context, id string) userInfo {
	if id == "" {
		return userInfo{}
	}
	if u, ok := a.users.get(id); ok {
		return u
	}
	// A burst of messages from a new user makes one call, not one each.
	v, _, _ := a.userCalls.Do(id, func() (any, error) {
		return a.fetchUser(context.WithoutCancel(ctx), id), nil
	})
	return v.(userInfo)
}

// fetchUser calls users.info and caches the result.
func (a *Adapter) fetchUser(ctx context.Context, id string) userInfo {
	if u, ok := a.users.get(id); ok {
		return u
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	u, err := a.api.GetUserInfoContext(ctx, id, slack.GetUserInfoOptionIncludeLocale(true))
	if err != nil {
		a.platformError()
		a.log.WarnContext(ctx, "slack users.info failed", "err", safeErr(err))
		a.users.putFor(id, userInfo{}, time.Minute)
		return userInfo{}
	}
	info := userInfo{Locale: u.Locale, Name: u.RealName}
	if info.Name == "" {
		info.Name = u.Profile.DisplayName
	}
	if info.Name == "" {
		info.Name = u.Name
	}
	a.users.put(id, info)
	return info
}

// openDM returns the direct-message channel with a user.
func (a *Adapter) openDM(ctx context.Context, user string) (string, error) {
	var ch string
	err := a.call(ctx, "conversations.open", func(ctx context.Context) error {
		c, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
		if err == nil {
			ch = c.ID
		}
		return err
	})
	return ch, err
}

// cache is a small map with expiry and a size bound.
type cache[V any] struct {
	mu  sync.Mutex
	ttl time.Duration
	max int
	m   map[string]cached[V]
}

type cached[V any] struct {
	v   V
	exp time.Time
}

func newCache[V any](ttl time.Duration, max int) *cache[V] {
	return &cache[V]{ttl: ttl, max: max, m: map[string]cached[V]{}}
}

func (c *cache[V]) get(k string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || time.Now().After(e.exp) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *cache[V]) put(k string, v V) { c.putFor(k, v, c.ttl) }

func (c *cache[V]) putFor(k string, v V, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		now := time.Now()
		for k, e := range c.m {
			if now.After(e.exp) {
				delete(c.m, k)
			}
		}
		for k := range c.m { // still full: drop arbitrary entries
			if len(c.m) < c.max {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[k] = cached[V]{v: v, exp: time.Now().Add(ttl)}
}

// cleanText turns Slack's message markup back into what the user typed:
// user mentions removed (the bot's own, and ids that are not the
// question's business), channel and link markup to their labels, entities
// unescaped.
func cleanText(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		inner := s[i+1 : i+j]
		s = s[i+j+1:]
		target, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "!"):
			// user mention or special (@here): dropped
		case strings.HasPrefix(target, "#"):
			if hasLabel {
				b.WriteString("#" + label)
			}
		case hasLabel:
			b.WriteString(label)
		default:
			b.WriteString(target)
		}
	}
	out := mrkdwnUnescaper.Replace(b.String())
	return strings.Join(strings.Fields(out), " ")
}

var mrkdwnUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
