package discord

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/commsbot/commsbot/bot"
)

// superviseGateway keeps the gateway connected until ctx is done: it opens
// the connection, waits for it to drop, and opens it again — resuming the
// session when Discord allows — with backoff while opening fails.
func (a *Adapter) superviseGateway(ctx context.Context) {
	// discordgo's Open takes no context: its dialer gets Run's, so that a
	// connection attempt in progress stops at shutdown, and a shorter
	// handshake timeout than the default 45 s.
	a.s.Dialer = &websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: 15 * time.Second,
		NetDialContext: func(_ context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	wait := time.Second
	for ctx.Err() == nil {
		select { // forget a disconnect signalled before this attempt
		case <-a.disconnected:
		default:
		}
		err := a.s.Open()
		if err == nil {
			wait = time.Second
			select {
			case <-a.disconnected:
				a.log.Warn("gateway disconnected, reconnecting")
				continue
			case <-ctx.Done():
				if err := a.s.Close(); err != nil {
					a.log.Warn("gateway close", "err", err)
				}
				a.connected.Store(false)
				return
			}
		}
		a.apiError()
		a.log.Warn("gateway connection failed, retrying", "err", gatewayErr(err), "in", wait.String())
		sleep(ctx, jitter(wait))
		wait = min(wait*2, 2*time.Minute)
	}
}

// gatewayErr explains the gateway's fatal close codes.
func gatewayErr(err error) string {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004:
			return "authentication failed: check DISCORD_BOT_TOKEN"
		case 4010, 4011:
			return "invalid shard or sharding required: check DISCORD_SHARD_ID and DISCORD_SHARD_COUNT"
		case 4013, 4014:
			return "intents refused: see the README's Discord section"
		}
	}
	return restErr(err)
}

func (a *Adapter) onConnect(_ *discordgo.Session, _ *discordgo.Connect) {
	a.connected.Store(true)
	a.log.Info("gateway connected", "shard", a.cfg.ShardID, "shards", max(a.cfg.ShardCount, 1))
}

func (a *Adapter) onDisconnect(_ *discordgo.Session, _ *discordgo.Disconnect) {
	a.connected.Store(false)
	select {
	case a.disconnected <- struct{}{}:
	default:
	}
}

func (a *Adapter) onReady(_ *discordgo.Session, r *discordgo.Ready) {
	if r.User != nil {
		a.botID.Store(r.User.ID)
	}
}

// gatewayJob runs f for a gateway event unless another replica on the same
// shard already took the event, holding a slot of the semaphore: when all
// slots are busy the gateway's read loop waits.
func (a *Adapter) gatewayJob(eventID string, f func(ctx context.Context)) {
	a.sem <- struct{}{}
	a.goJob(func(ctx context.Context) {
		defer func() { <-a.sem }()
		if a.cfg.Dedupe != nil && eventID != "" {
			first, err := a.cfg.Dedupe.SeenOnce(ctx, "discord-gateway:"+eventID, bot.DedupeTTL)
			if err == nil && !first {
				return
			}
			if err != nil {
				a.log.Warn("dedupe unavailable", "err", err)
			}
		}
		f(ctx)
	})
}

func (a *Adapter) onInteraction(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic.Interaction == nil {
		return
	}
	i := ic.Interaction
	a.gatewayJob(i.ID, func(ctx context.Context) {
		x := newExchange(i, func(r *discordgo.InteractionResponse) error {
			return s.InteractionRespond(i, r, discordgo.WithContext(ctx))
		})
		a.dispatch(ctx, x)
	})
}

var mentionRe = regexp.MustCompile(`<@!?(\d+)>`)

// onMessage answers a message that mentions the bot in a guild channel, or
// any message in a direct message, with one reply.
func (a *Adapter) onMessage(s *discordgo.Session, mc *discordgo.MessageCreate) {
	m := mc.Message
	if m == nil || m.Author == nil || m.Author.Bot || m.WebhookID != "" {
		return
	}
	self, _ := a.botID.Load().(string)
	if m.GuildID != "" && !mentions(m, self) {
		return
	}
	text := strings.TrimSpace(mentionRe.ReplaceAllStringFunc(m.Content, func(s string) string {
		if mentionRe.FindStringSubmatch(s)[1] == self {
			return ""
		}
		return s
	}))
	a.gatewayJob(m.ID, func(ctx context.Context) {
		msg := bot.Message{
			Conversation: bot.ConversationKey{Platform: Platform, Workspace: m.GuildID, Channel: m.ChannelID, User: m.Author.ID},
			UserName:     displayName(m.Member, m.Author),
			Text:         text,
			EventID:      m.ID,
			Permalink:    permalink(m.GuildID, m.ChannelID, m.ID),
		}
		r, ok := a.handleRecovered(ctx, msg)
		if !ok {
			return
		}
		send := &discordgo.MessageSend{
			Embeds:          []*discordgo.MessageEmbed{answerEmbed(r)},
			Components:      answerComponents(r, m.Author.ID),
			Reference:       &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: new(false)},
			AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, RepliedUser: true},
		}
		if _, err := s.ChannelMessageSendComplex(m.ChannelID, send, discordgo.WithContext(ctx)); err != nil {
			a.log.Warn("reply not sent", "err", restErr(err))
		}
	})
}

func mentions(m *discordgo.Message, self string) bool {
	if self == "" {
		return false
	}
	for _, u := range m.Mentions {
		if u != nil && u.ID == self {
			return true
		}
	}
	return false
}

// handle asks the handler; ok is false when there is nothing to send (a
// duplicate event).
func (a *Adapter) handle(ctx context.Context, m bot.Message) (bot.Reply, bool) {
	r, err := a.cfg.Handler.Handle(ctx, m)
	switch {
	case errors.Is(err, bot.ErrDuplicate):
		return r, false
	case err != nil && r.Answer == "":
		a.log.Error("no answer", "err", err)
		lang := bot.ParseLang(m.Locale)
		return bot.Reply{Lang: lang, Intent: "error", Answer: text(lang, msgError)}, true
	case err != nil:
		a.log.Warn("answered with degraded state", "err", err)
	}
	return r, true
}

// handleRecovered is handle, with a panic turned into an apology.
func (a *Adapter) handleRecovered(ctx context.Context, m bot.Message) (r bot.Reply, ok bool) {
	defer func() {
		if v := recover(); v != nil {
			a.log.Error("handler panic recovered", "where", "message", "panic", fmt.Sprint(v))
			lang := bot.ParseLang(m.Locale)
			r, ok = bot.Reply{Lang: lang, Intent: "error", Answer: text(lang, msgError)}, true
		}
	}()
	return a.handle(ctx, m)
}

func displayName(m *discordgo.Member, u *discordgo.User) string {
	if m != nil && m.Nick != "" {
		return m.Nick
	}
	if u == nil {
		return ""
	}
	if u.GlobalName != "" {
		return u.GlobalName
	}
	return u.Username
}

// permalink links to a message, or to a channel when messageID is empty.
func permalink(guildID, channelID, messageID string) string {
	if channelID == "" {
		return ""
	}
	g := guildID
	if g == "" {
		g = "@me"
	}
	link := "https://discord.com/channels/" + g + "/" + channelID
	if messageID != "" {
		link += "/" + messageID
	}
	return link
}
