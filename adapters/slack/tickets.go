package slack

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/commsbot/commsbot/bot"
	"github.com/slack-go/slack"
)

// Platform implements bot.Notifier.
func (a *Adapter) Platform() string { return platform }

// Notify implements bot.Notifier: opened, claimed and reminder notices go
// to the coordinators' channel (ATIP_SLACK_CHANNEL), the ticket's message
// updated in place when this replica knows it; resolved notices update that
// message and tell the requester in their thread, or in a direct message.
// An error leaves the notice in the outbox, to be delivered again.
func (a *Adapter) Notify(ctx context.Context, kind string, t bot.Ticket) error {
	switch kind {
	case bot.NoticeOpened, bot.NoticeClaimed, bot.NoticeReminder:
		return a.postTicket(ctx, kind, t)
	case bot.NoticeResolved:
		if p, ok := a.ticketPost(ctx, t.ID); ok {
			fallback, blocks := ticketBlocks(t, kind, time.Now())
			if err := a.update(ctx, p.Channel, p.TS, fallback, blocks); err != nil {
				a.log.WarnContext(ctx, "ticket message not updated", "ticket", t.ID, "err", err)
			}
		}
		return a.tellRequester(ctx, t)
	}
	a.log.WarnContext(ctx, "unknown review notice", "kind", kind, "ticket", t.ID)
	return nil
}

func (a *Adapter) postTicket(ctx context.Context, kind string, t bot.Ticket) error {
	if a.cfg.ATIPChannel == "" {
		a.log.InfoContext(ctx, "review notice (ATIP_SLACK_CHANNEL not set)", "kind", kind, "ticket", t.ID,
			"category", t.Category, "status", string(t.Status))
		return nil
	}
	fallback, blocks := ticketBlocks(t, kind, time.Now())
	p, ok := a.ticketPost(ctx, t.ID)
	if !ok && kind != bot.NoticeReminder && a.postAttempted(ctx, t.ID) {
		// An earlier attempt may have posted and died before recording
		// where: look for the ticket's message before posting another.
		p, ok = a.findTicketPost(ctx, t)
	}
	if ok && kind != bot.NoticeReminder {
		if err := a.update(ctx, p.Channel, p.TS, fallback, blocks); err == nil {
			a.rememberPost(ctx, t.ID, p)
			return nil
		}
		// The message is gone or out of reach: post the ticket afresh.
	}
	if kind != bot.NoticeReminder {
		// Without the mark a crash after posting could post twice: while
		// the store cannot take it, the notice waits (it stays in the
		// outbox and is delivered again).
		if err := a.markPostAttempt(ctx, t.ID); err != nil {
			return fmt.Errorf("post ticket %s: %w", t.ID, err)
		}
	}
	ch, ts, err := a.post(ctx, a.cfg.ATIPChannel, "", fallback, blocks)
	if err != nil {
		return fmt.Errorf("post ticket %s to the coordinators' channel: %w", t.ID, err)
	}
	a.rememberPost(ctx, t.ID, postRef{Channel: ch, TS: ts})
	a.log.InfoContext(ctx, "review notice posted", "kind", kind, "ticket", t.ID)
	return nil
}

// postTTL is how long every replica remembers where a ticket was posted:
// longer than any ticket stays open in practice. A ticket whose message is
// forgotten gets a fresh status message, nothing worse.
const postTTL = 400 * 24 * time.Hour

func postKey(id string) string { return "slack:ticket-post:" + id }

// ticketPost returns where ticket id was posted in the coordinators'
// channel, as this replica or, through Config.Shared, another remembers it.
func (a *Adapter) ticketPost(ctx context.Context, id string) (postRef, bool) {
	if p, ok := a.posts.get(id); ok {
		return p, true
	}
	if a.cfg.Shared == nil {
		return postRef{}, false
	}
	v, ok, err := a.cfg.Shared.GetCache(ctx, postKey(id))
	if err != nil {
		a.log.WarnContext(ctx, "ticket message location unavailable", "ticket", id, "err", err)
		return postRef{}, false
	}
	ch, ts, found := strings.Cut(v, "/")
	if !ok || !found {
		return postRef{}, false
	}
	p := postRef{Channel: ch, TS: ts}
	a.posts.put(id, p)
	return p, true
}

func attemptKey(id string) string { return "slack:ticket-post-attempt:" + id }

// markPostAttempt records, before posting, that ticket id's message is
// being posted: a replica that dies between the post and rememberPost
// leaves this mark, and the next delivery searches before posting again.
func (a *Adapter) markPostAttempt(ctx context.Context, id string) error {
	if a.cfg.Shared == nil {
		return nil
	}
	if err := a.cfg.Shared.SetCache(ctx, attemptKey(id), "1", postTTL); err != nil {
		return fmt.Errorf("record the post attempt: %w", err)
	}
	return nil
}

// postAttempted reports whether a post of ticket id was begun before.
// Unknown (the shared store failed) counts as begun: a search costs one
// call, a duplicate message confuses coordinators. Without a shared store
// there is one replica, whose outbox dies with it.
func (a *Adapter) postAttempted(ctx context.Context, id string) bool {
	if a.cfg.Shared == nil {
		return false
	}
	_, ok, err := a.cfg.Shared.GetCache(ctx, attemptKey(id))
	return ok || err != nil
}

// historyPages bounds the search of the coordinators' channel.
const historyPages = 5

// findTicketPost looks for ticket t's message in the coordinators' channel,
// by its marker block, among the messages posted since the ticket opened.
func (a *Adapter) findTicketPost(ctx context.Context, t bot.Ticket) (postRef, bool) {
	marker := ticketMarker(t.ID)
	params := &slack.GetConversationHistoryParameters{
		ChannelID: a.cfg.ATIPChannel, Limit: 200,
		Oldest: fmt.Sprintf("%d.000000", t.Created.Add(-time.Minute).Unix()),
	}
	for range historyPages {
		var resp *slack.GetConversationHistoryResponse
		err := a.call(ctx, "conversations.history", func(ctx context.Context) error {
			var err error
			resp, err = a.api.GetConversationHistoryContext(ctx, params)
			return err
		})
		if err != nil {
			a.log.WarnContext(ctx, "ticket message search failed", "ticket", t.ID, "err", err)
			return postRef{}, false
		}
		for _, m := range resp.Messages {
			for _, b := range m.Blocks.BlockSet {
				if sb, ok := b.(*slack.SectionBlock); ok && sb.BlockID == marker {
					return postRef{Channel: a.cfg.ATIPChannel, TS: m.Timestamp}, true
				}
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	return postRef{}, false
}

// rememberPost records where ticket id was posted, for every replica.
func (a *Adapter) rememberPost(ctx context.Context, id string, p postRef) {
	if a.cfg.Shared != nil {
		if err := a.cfg.Shared.SetCache(ctx, postKey(id), p.Channel+"/"+p.TS, postTTL); err != nil {
			a.log.WarnContext(ctx, "ticket message location not shared", "ticket", id, "err", err)
		}
	}
	a.posts.put(id, p)
}

// tellRequester tells the requester their ticket was resolved: in the
// thread they asked in (a mention), in the direct message, or else (a
// slash command, whose answers are private) in a direct message.
func (a *Adapter) tellRequester(ctx context.Context, t bot.Ticket) error {
	user, ok := strings.CutPrefix(t.Requester.ID, platform+":")
	if t.Origin.Platform != platform || !ok {
		a.log.InfoContext(ctx, "resolved notice for another platform", "ticket", t.ID, "platform", t.Origin.Platform)
		return nil
	}
	note := strings.ReplaceAll(escape(trimWords(t.Resolution, 2500)), "\n", "\n>")
	fallback, blocks := textBlocks(fmt.Sprintf(text(t.Lang, msgResolvedNotice), t.ID, note))
	ch, thread := t.Origin.Channel, t.Origin.Thread
	if ch != "" && (thread != "" || strings.HasPrefix(ch, "D")) {
		_, _, err := a.post(ctx, ch, thread, fallback, blocks)
		if err == nil {
			return nil
		}
		// The bot may have left the channel: fall back to a direct message.
	}
	dm, err := a.openDM(ctx, user)
	if err != nil {
		return fmt.Errorf("open a direct message for ticket %s: %w", t.ID, err)
	}
	if _, _, err := a.post(ctx, dm, "", fallback, blocks); err != nil {
		return fmt.Errorf("tell the requester of ticket %s: %w", t.ID, err)
	}
	return nil
}
