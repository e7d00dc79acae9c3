package discord

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/commsbot/commsbot/bot"
)

// notifier delivers review notices for tickets opened on Discord: a message
// per ticket in the coordinators' channel, updated in place as the ticket is
// claimed and resolved; a reminder as a reply to it; and a direct message to
// the requester when it is resolved.
//
// Where a ticket's message is: each replica remembers the messages it posted
// or saw a button pressed on (a bounded map in memory). On a miss — another
// replica posted it, or a restart — the notifier looks for the message among
// the channel's last 100 messages, by the "ticket R-… · status" footer that
// every ticket message carries, which also says what the message shows. A
// ticket whose message is older than that gets a new message. Tickets are
// not changed to hold message ids: the store stays platform-neutral.
type notifier struct{ a *Adapter }

func (n notifier) Platform() string { return Platform }

func (n notifier) Notify(ctx context.Context, kind string, t bot.Ticket) error {
	a := n.a
	var err error
	switch kind {
	case bot.NoticeOpened:
		// Found first: a replica that posted the message and died before
		// acknowledging the notice must not leave two messages.
		err = a.updateTicket(ctx, t)
	case bot.NoticeClaimed:
		err = a.updateTicket(ctx, t)
	case bot.NoticeResolved:
		if err = a.updateTicket(ctx, t); err == nil {
			err = a.tellRequester(ctx, t)
		}
	case bot.NoticeReminder:
		err = a.remind(ctx, t)
	default:
		a.log.Warn("unknown notice kind", "kind", kind, "ticket", t.ID)
	}
	if err != nil && permanent(err) {
		// Retrying will not help (no access to the channel, the user does
		// not take direct messages): drop the notice rather than block it.
		a.log.Error("review notice dropped", "kind", kind, "ticket", t.ID, "err", restErr(err))
		return nil
	}
	if err != nil {
		return fmt.Errorf("discord: %s", restErr(err))
	}
	return nil
}

// permanent reports a client error other than a rate limit.
func permanent(err error) bool {
	s := status(err)
	return s >= 400 && s < 500 && s != 429
}

func (a *Adapter) postTicket(ctx context.Context, t bot.Ticket) error {
	ch := a.cfg.CoordinatorChannel
	if ch == "" {
		a.log.Warn("review ticket not posted: ATIP_DISCORD_CHANNEL is not set", "ticket", t.ID)
		return nil
	}
	embed, components := ticketView(t)
	m, err := a.s.ChannelMessageSendComplex(ch, &discordgo.MessageSend{
		Embeds: []*discordgo.MessageEmbed{embed}, Components: components,
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	}, discordgo.WithContext(ctx))
	if err != nil {
		return err
	}
	a.tickets.put(t.ID, ticketMessage{channel: ch, id: m.ID, status: t.Status})
	return nil
}

// findTicket finds the ticket's message in the coordinators' channel.
func (a *Adapter) findTicket(ctx context.Context, id string) (ticketMessage, bool, error) {
	if m, ok := a.tickets.get(id); ok {
		return m, true, nil
	}
	ch := a.cfg.CoordinatorChannel
	msgs, err := a.s.ChannelMessages(ch, 100, "", "", "", discordgo.WithContext(ctx))
	if err != nil {
		return ticketMessage{}, false, err
	}
	self, _ := a.botID.Load().(string)
	for _, m := range msgs {
		if m == nil || (self != "" && m.Author != nil && m.Author.ID != self) {
			continue
		}
		for _, e := range m.Embeds {
			if e == nil || e.Footer == nil {
				continue
			}
			if tid, st, ok := parseTicketFooter(e.Footer.Text); ok && tid == id {
				tm := ticketMessage{channel: ch, id: m.ID, status: st}
				a.tickets.put(id, tm)
				return tm, true, nil
			}
		}
	}
	return ticketMessage{}, false, nil
}

// updateTicket shows the ticket's current state on its message, unless the
// message shows it already (a coordinator's button updated it in place).
func (a *Adapter) updateTicket(ctx context.Context, t bot.Ticket) error {
	if a.cfg.CoordinatorChannel == "" {
		return nil
	}
	m, ok, err := a.findTicket(ctx, t.ID)
	if err != nil {
		return err
	}
	if !ok {
		return a.postTicket(ctx, t)
	}
	if m.status == t.Status {
		return nil
	}
	embed, components := ticketView(t)
	_, err = a.s.ChannelMessageEditComplex(&discordgo.MessageEdit{
		Channel: m.channel, ID: m.id, Embeds: &[]*discordgo.MessageEmbed{embed}, Components: &components,
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	}, discordgo.WithContext(ctx))
	if status(err) == 404 {
		a.tickets.drop(t.ID)
		return a.postTicket(ctx, t)
	}
	if err != nil {
		return err
	}
	a.tickets.put(t.ID, ticketMessage{channel: m.channel, id: m.id, status: t.Status})
	return nil
}

// remind replies to the ticket's message, pinging nobody but drawing the
// channel's attention.
func (a *Adapter) remind(ctx context.Context, t bot.Ticket) error {
	ch := a.cfg.CoordinatorChannel
	if ch == "" {
		return nil
	}
	send := &discordgo.MessageSend{
		Content: fmt.Sprintf("⏰ Review ticket %s is still waiting for a coordinator (opened <t:%d:R>). · Le billet d’examen %s attend toujours un coordonnateur.",
			t.ID, t.Created.Unix(), t.ID),
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	}
	if m, ok, err := a.findTicket(ctx, t.ID); err == nil && ok {
		send.Reference = &discordgo.MessageReference{MessageID: m.id, ChannelID: m.channel, FailIfNotExists: new(false)}
	} else {
		embed, components := ticketView(t)
		send.Embeds, send.Components = []*discordgo.MessageEmbed{embed}, components
	}
	_, err := a.s.ChannelMessageSendComplex(ch, send, discordgo.WithContext(ctx))
	return err
}

// tellRequester sends the resolution to the requester: by direct message,
// or — when they do not accept direct messages from the bot — as a reply
// mentioning them where they asked.
func (a *Adapter) tellRequester(ctx context.Context, t bot.Ticket) error {
	uid, ok := strings.CutPrefix(t.Requester.ID, Platform+":")
	if !ok {
		return nil
	}
	opt := discordgo.WithContext(ctx)
	send := &discordgo.MessageSend{
		Embeds:          []*discordgo.MessageEmbed{resolvedEmbed(t)},
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	}
	dm, err := a.s.UserChannelCreate(uid, opt)
	if err == nil {
		_, err = a.s.ChannelMessageSendComplex(dm.ID, send, opt)
	}
	if err == nil || !permanent(err) || t.Origin.Channel == "" || t.Origin.Workspace == "" {
		return err
	}
	a.log.Info("requester takes no direct messages; replying in the channel", "ticket", t.ID)
	send.Content = "<@" + uid + ">"
	send.AllowedMentions = &discordgo.MessageAllowedMentions{Users: []string{uid}}
	_, err = a.s.ChannelMessageSendComplex(t.Origin.Channel, send, opt)
	return err
}

// ticketMessage is where a ticket's message is and which status it shows.
type ticketMessage struct {
	channel, id string
	status      bot.TicketStatus
}

// ticketMessages remembers ticket messages, at most max of them.
type ticketMessages struct {
	mu  sync.Mutex
	max int
	m   map[string]ticketMessage
}

func newTicketMessages(max int) *ticketMessages {
	return &ticketMessages{max: max, m: map[string]ticketMessage{}}
}

func (c *ticketMessages) get(id string) (ticketMessage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.m[id]
	return m, ok
}

func (c *ticketMessages) put(id string, m ticketMessage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[id]; !ok && len(c.m) >= c.max {
		for k := range c.m { // forget an arbitrary one: a miss costs one lookup
			delete(c.m, k)
			break
		}
	}
	c.m[id] = m
}

func (c *ticketMessages) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}
