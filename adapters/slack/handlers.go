package slack

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/commsbot/commsbot/bot"
)

// This file holds what HTTP and Socket Mode share: slash commands, events
// and interactions, once verified and parsed.

// command answers a slash command. It returns the inline answer when the
// engine answers within InlineWait (nil: nothing to say, e.g. a replayed
// request); otherwise a "one moment" acknowledgement, and the answer
// follows on the command's response_url, replacing it.
func (a *Adapter) command(ctx context.Context, cmd slack.SlashCommand) *slack.WebhookMessage {
	result := make(chan *slack.WebhookMessage, 1)
	var taken atomic.Bool // whoever sets it delivers: inline or response_url
	a.background(ctx, "command", func(ctx context.Context) {
		m := a.safeCommand(ctx, cmd)
		if taken.CompareAndSwap(false, true) {
			result <- m
			return
		}
		if m == nil || cmd.ResponseURL == "" {
			return
		}
		m.ReplaceOriginal = true
		if err := a.respond(ctx, cmd.ResponseURL, m); err != nil {
			a.log.ErrorContext(ctx, "slash command answer not delivered", "err", err)
		}
	})
	t := time.NewTimer(a.cfg.InlineWait)
	defer t.Stop()
	select {
	case m := <-result:
		return m
	case <-t.C:
		if !taken.CompareAndSwap(false, true) {
			return <-result // ready at the last moment
		}
		a.log.InfoContext(ctx, "slash command answer deferred to response_url")
		u, _ := a.users.get(cmd.UserID)
		return &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: text(bot.ParseLang(u.Locale), msgWorking)}
	}
}

// safeCommand is runCommand with a panic turned into an apology, so that
// the user is not left with "one moment" for ever.
func (a *Adapter) safeCommand(ctx context.Context, cmd slack.SlashCommand) (m *slack.WebhookMessage) {
	defer func() {
		if v := recover(); v != nil {
			a.logPanic("command", v)
			u, _ := a.users.get(cmd.UserID)
			m = ephemeralText(text(orEnglish(bot.ParseLang(u.Locale)), msgError))
		}
	}()
	return a.runCommand(ctx, cmd)
}

// ephemeralText is a slash command's private answer with no buttons.
func ephemeralText(s string) *slack.WebhookMessage {
	fallback, blocks := textBlocks(s)
	return &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: fallback, Blocks: &slack.Blocks{BlockSet: blocks}}
}

func orEnglish(l bot.Lang) bot.Lang { return cmp.Or(l, bot.English) }

// runCommand turns /privacy's subcommands into messages for the engine.
// Answers are ephemeral: a privacy question is the asker's business.
func (a *Adapter) runCommand(ctx context.Context, cmd slack.SlashCommand) *slack.WebhookMessage {
	info := a.user(ctx, cmd.UserID)
	lang := bot.ParseLang(info.Locale)
	key := bot.ConversationKey{Platform: platform, Workspace: cmd.TeamID, Channel: cmd.ChannelID, User: cmd.UserID}
	m := bot.Message{Conversation: key, UserName: cmp.Or(info.Name, cmd.UserName), Locale: info.Locale}
	if cmd.TriggerID != "" {
		// A signed request can be replayed within Slack's five minutes.
		m.EventID = "cmd:" + cmd.TriggerID
	}
	full := strings.TrimSpace(cmd.Text)
	sub, rest, _ := strings.Cut(full, " ")
	rest = strings.TrimSpace(rest)
	usage := false
	switch strings.ToLower(sub) {
	case "", "help", "aide", "?":
		m.Text, usage = "help", true
	case "platform", "plateforme":
		if rest == "" {
			return ephemeralText(text(orEnglish(lang), msgPlatformUsage))
		}
		m.Text = fmt.Sprintf(text(orEnglish(lang), msgPlatformQuestion), rest)
	case "review", "revue", "examen":
		m.Text = strings.TrimSpace("review " + rest)
	case "reviews", "tickets", "billets":
		return a.listReviews(ctx, cmd.UserID, info, orEnglish(lang))
	case "lang", "langue", "language":
		l := bot.ParseLang(rest)
		if l == "" {
			return ephemeralText(text(orEnglish(lang), msgLangUsage))
		}
		m.Lang, m.Text = l, "in English"
		if l == bot.French {
			m.Text = "en français"
		}
	case "forget", "oublie", "oublie-moi", "oubliez-moi":
		m.Text = "forget me"
	default:
		m.Text = full
	}
	reply, err := a.cfg.Engine.Handle(ctx, m)
	switch {
	case errors.Is(err, bot.ErrReplayed):
		// A retried request (a proxy, a rollout): the same answer again.
	case errors.Is(err, bot.ErrInProgress):
		return ephemeralText(text(orEnglish(cmp.Or(m.Lang, lang)), msgStillWorking))
	default:
		var ok bool
		if reply, ok = a.afterHandle(ctx, m, lang, reply, err); !ok {
			return nil
		}
	}
	fallback, blocks := answerBlocks(reply, ref{Team: cmd.TeamID, Channel: cmd.ChannelID, User: cmd.UserID})
	if usage && len(blocks) < maxBlocks {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(text(orEnglish(reply.Lang), msgUsage))))
	}
	return &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: fallback, Blocks: &slack.Blocks{BlockSet: blocks}}
}

// handle asks the engine. ok is false when the message must not be
// answered (a duplicate). An engine error with no usable reply becomes an
// apology in the user's language.
func (a *Adapter) handle(ctx context.Context, m bot.Message, lang bot.Lang) (bot.Reply, bool) {
	reply, err := a.cfg.Engine.Handle(ctx, m)
	return a.afterHandle(ctx, m, lang, reply, err)
}

// afterHandle is handle's treatment of the engine's reply and error.
func (a *Adapter) afterHandle(ctx context.Context, m bot.Message, lang bot.Lang, reply bot.Reply, err error) (bot.Reply, bool) {
	if errors.Is(err, bot.ErrDuplicate) {
		a.log.DebugContext(ctx, "duplicate slack event ignored", "event", m.EventID)
		return bot.Reply{}, false
	}
	if err != nil {
		a.log.WarnContext(ctx, "engine error", "err", err)
		if strings.TrimSpace(reply.Answer) == "" {
			l := orEnglish(cmp.Or(m.Lang, lang))
			reply = bot.Reply{Lang: l, Intent: "error", Answer: text(l, msgError)}
		}
	}
	return reply, true
}

// listReviews is `/privacy reviews`: the unresolved tickets, for
// coordinators only.
func (a *Adapter) listReviews(ctx context.Context, user string, info userInfo, lang bot.Lang) *slack.WebhookMessage {
	if a.cfg.Reviews == nil {
		return ephemeralText(text(lang, msgNoReviews))
	}
	ts, err := a.cfg.Reviews.List(ctx, bot.Person{ID: platform + ":" + user, Name: info.Name}, "")
	switch {
	case errors.Is(err, bot.ErrForbidden):
		return ephemeralText(text(lang, msgNotCoordinator))
	case err != nil:
		a.log.WarnContext(ctx, "listing review tickets", "err", err)
		return ephemeralText(text(lang, msgCheckFailed))
	}
	var lines []string
	now := time.Now()
	for _, t := range ts {
		if t.Status == bot.StatusResolved {
			continue
		}
		if len(lines) == 25 {
			lines = append(lines, "…")
			break
		}
		line := fmt.Sprintf("• *%s* · %s · %s · %s ago · %s", t.ID, t.Status, escape(categoryLabel(t.Category)), roundAge(now.Sub(t.Created)), person(t.Requester.ID))
		if t.Claimant != "" {
			line += " · → " + person(t.Claimant)
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return ephemeralText(text(lang, msgNoOpenTickets))
	}
	return ephemeralText(text(lang, msgOpenTickets) + "\n" + strings.Join(lines, "\n"))
}

// incoming is a message the bot was sent: a mention or a direct message.
type incoming struct {
	team, channel, thread, user, text, ts, eventID string
}

// handleEvent handles an Events API event (HTTP or Socket Mode), after it
// was acknowledged.
func (a *Adapter) handleEvent(ctx context.Context, ev slackevents.EventsAPIEvent) {
	var eventID string
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		eventID = cb.EventID
	}
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.Edited != nil || e.User == "" {
			return
		}
		// Answer in the mention's thread, starting one when needed.
		a.answer(ctx, incoming{team: ev.TeamID, channel: e.Channel, thread: cmp.Or(e.ThreadTimeStamp, e.TimeStamp),
			user: e.User, text: e.Text, ts: e.TimeStamp, eventID: eventID})
	case *slackevents.MessageEvent:
		// message.im only; the bot's own messages, edits, deletions and
		// every other subtype are not questions.
		if e.ChannelType != "im" || e.BotID != "" || e.SubType != "" || e.User == "" {
			return
		}
		a.answer(ctx, incoming{team: ev.TeamID, channel: e.Channel, thread: e.ThreadTimeStamp,
			user: e.User, text: e.Text, ts: e.TimeStamp, eventID: eventID})
	default:
		a.log.DebugContext(ctx, "slack event ignored", "type", ev.InnerEvent.Type)
	}
}

// answer answers a mention or direct message once, whichever way and
// however many times Slack delivers it.
func (a *Adapter) answer(ctx context.Context, in incoming) {
	if a.cfg.Dedupe != nil && in.ts != "" {
		// The same message can come as message.im and as app_mention,
		// with two event ids: its channel and timestamp identify it.
		first, err := a.cfg.Dedupe.SeenOnce(ctx, platform+":msg:"+in.channel+":"+in.ts, bot.DedupeTTL)
		switch {
		case err != nil:
			a.log.WarnContext(ctx, "dedupe unavailable", "err", err)
		case !first:
			a.log.DebugContext(ctx, "duplicate slack message ignored", "event", in.eventID)
			return
		}
	}
	info := a.user(ctx, in.user)
	key := bot.ConversationKey{Platform: platform, Workspace: in.team, Channel: in.channel, Thread: in.thread, User: in.user}
	reply, ok := a.handle(ctx, bot.Message{Conversation: key, UserName: info.Name, Text: cleanText(in.text),
		Locale: info.Locale, EventID: in.eventID}, bot.ParseLang(info.Locale))
	if !ok {
		return
	}
	fallback, blocks := answerBlocks(reply, ref{Team: in.team, Channel: in.channel, Thread: in.thread, User: in.user})
	if _, _, err := a.post(ctx, in.channel, in.thread, fallback, blocks); err != nil {
		a.log.ErrorContext(ctx, "slack answer not delivered", "event", in.eventID, "err", err)
	}
}

// handleActions handles button presses, after they were acknowledged.
func (a *Adapter) handleActions(ctx context.Context, cb slack.InteractionCallback) {
	for _, act := range cb.ActionCallback.BlockActions {
		switch act.ActionID {
		case actUp, actDown:
			a.feedback(ctx, cb, act, act.ActionID == actUp)
		case actReview:
			a.askCoordinator(ctx, cb, act)
		case actLang:
			a.switchLang(ctx, cb, act)
		case actClaim:
			a.claim(ctx, cb, act)
		case actChoose + "1", actChoose + "2", actChoose + "3", actChoose + "4":
			a.choose(ctx, cb, act)
		case actResolve:
			a.openResolve(ctx, cb, act)
		default:
			a.log.DebugContext(ctx, "unknown slack action", "action", act.ActionID)
		}
	}
}

func (a *Adapter) feedback(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction, up bool) {
	rf, _ := decodeRef(act.Value)
	count := true
	if a.cfg.Dedupe != nil {
		// One vote per person and answer.
		msg := cmp.Or(cb.Container.MessageTs, rf.Channel+"/"+rf.Thread)
		first, err := a.cfg.Dedupe.SeenOnce(ctx, platform+":vote:"+cb.Container.ChannelID+":"+msg+":"+cb.User.ID, 30*24*time.Hour)
		count = err != nil || first
	}
	if count && a.cfg.Metrics != nil {
		a.cfg.Metrics.Feedback(cmp.Or(rf.Intent, "none"), up)
	}
	if count && rf.User == cb.User.ID {
		// The asker's 👎 goes to the inbox with the question it answered.
		if err := a.cfg.Engine.Feedback(ctx, rf.key(), up); err != nil {
			a.log.WarnContext(ctx, "feedback not recorded", "err", err)
		}
	}
	a.ephemeral(ctx, cb.ResponseURL, cb.Container.ChannelID, cb.User.ID, text(orEnglish(rf.Lang), msgFeedbackThanks))
}

// askCoordinator opens a review ticket through the engine, as
// `review` typed in the same conversation would; the presser is the
// requester.
func (a *Adapter) askCoordinator(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	rf, err := decodeRef(act.Value)
	if err != nil {
		return
	}
	presser := cb.User.ID
	key := rf.key()
	q := "review"
	if presser != rf.User {
		// Someone else in the thread: their own request about that answer.
		key.User = presser
		if rf.Entry != "" {
			q = "review (" + rf.Entry + ")"
		}
	}
	info := a.user(ctx, presser)
	m := bot.Message{Conversation: key, UserName: info.Name, Text: q, Locale: info.Locale, Lang: rf.Lang,
		// Pressing twice opens one ticket: the message, or else the answer
		// the button belongs to, identifies the press.
		EventID: "ask:" + cmp.Or(cb.Container.MessageTs, digest(act.Value)) + ":" + presser}
	reply, ok := a.handle(ctx, m, rf.Lang)
	if !ok {
		return
	}
	fallback, blocks := answerBlocks(reply, rf)
	if err := a.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: fallback, Blocks: &slack.Blocks{BlockSet: blocks}}); err != nil {
		a.log.ErrorContext(ctx, "review confirmation not delivered", "err", err)
	}
}

// choose answers a clarifying question's option the user pressed, and
// replaces the question with the answer. Someone else in the thread who
// presses gets their own answer, in their own conversation.
func (a *Adapter) choose(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	rf, err := decodeRef(act.Value)
	if err != nil || rf.Entry == "" {
		return
	}
	presser := cb.User.ID
	key := rf.key()
	key.User = presser
	info := a.user(ctx, presser)
	m := bot.Message{Conversation: key, UserName: info.Name, Choice: rf.Entry, Locale: info.Locale, Lang: rf.Lang,
		EventID: "choose:" + cmp.Or(cb.Container.MessageTs, digest(act.Value)) + ":" + presser + ":" + rf.Entry}
	reply, ok := a.handle(ctx, m, rf.Lang)
	if !ok {
		return
	}
	fallback, blocks := answerBlocks(reply, ref{Team: rf.Team, Channel: rf.Channel, Thread: rf.Thread, User: presser})
	if presser == rf.User && (cb.Container.IsEphemeral || cb.Container.MessageTs == "") {
		err = a.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ReplaceOriginal: true, Text: fallback, Blocks: &slack.Blocks{BlockSet: blocks}})
	} else if presser == rf.User {
		err = a.update(ctx, cb.Container.ChannelID, cb.Container.MessageTs, fallback, blocks)
	} else {
		err = a.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: fallback, Blocks: &slack.Blocks{BlockSet: blocks}})
	}
	if err != nil {
		a.log.ErrorContext(ctx, "chosen answer not delivered", "err", err)
	}
}

// digest is a short, stable hash of s, for dedupe keys.
func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:12])
}

// switchLang re-renders the answer in the other language and replaces the
// message.
func (a *Adapter) switchLang(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	rf, err := decodeRef(act.Value)
	if err != nil || rf.Lang == "" {
		return
	}
	// The button's own answer, for whoever pressed it: the asker's message
	// changes language in place, anyone else gets it privately.
	key := rf.key()
	key.User = cb.User.ID
	reply, err := a.cfg.Engine.Render(ctx, key, rf.Lang, rf.Entry, rf.Platform)
	if err != nil {
		a.log.WarnContext(ctx, "engine error on render", "err", err)
	}
	if reply.Entry == "" {
		// Nothing to re-render (an old button without its entry): say so
		// privately.
		a.ephemeral(ctx, cb.ResponseURL, cb.Container.ChannelID, cb.User.ID, cmp.Or(reply.Answer, text(rf.Lang, msgError)))
		return
	}
	fallback, blocks := answerBlocks(reply, ref{Team: rf.Team, Channel: rf.Channel, Thread: rf.Thread, User: cb.User.ID, Ticket: rf.Ticket})
	if cb.User.ID != rf.User {
		err = a.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: fallback, Blocks: &slack.Blocks{BlockSet: blocks}})
	} else if cb.Container.IsEphemeral || cb.Container.MessageTs == "" {
		err = a.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ReplaceOriginal: true, Text: fallback, Blocks: &slack.Blocks{BlockSet: blocks}})
	} else {
		err = a.update(ctx, cb.Container.ChannelID, cb.Container.MessageTs, fallback, blocks)
	}
	if err != nil {
		a.log.ErrorContext(ctx, "re-rendered answer not delivered", "err", err)
	}
}

func (a *Adapter) actor(ctx context.Context, user string) (bot.Person, bot.Lang) {
	info := a.user(ctx, user)
	return bot.Person{ID: platform + ":" + user, Name: info.Name}, orEnglish(bot.ParseLang(info.Locale))
}

// refusal tells the presser privately why a coordinator action failed.
func (a *Adapter) refusal(ctx context.Context, cb slack.InteractionCallback, lang bot.Lang, id string, err error) {
	var s string
	switch {
	case errors.Is(err, bot.ErrForbidden):
		s = text(lang, msgNotCoordinator)
	case errors.Is(err, bot.ErrNotFound):
		s = text(lang, msgTicketGone)
	case errors.Is(err, bot.ErrConflict):
		if t, e := a.cfg.Reviews.Store.Ticket(ctx, id); e == nil {
			s = fmt.Sprintf(text(lang, msgAlreadyClaimed), id, t.Status)
			a.refreshPost(ctx, t, cb.Container.ChannelID, cb.Container.MessageTs)
		} else {
			s = fmt.Sprintf(text(lang, msgTicketClosed), id)
		}
	default:
		a.log.WarnContext(ctx, "coordinator action failed", "ticket", id, "err", err)
		s = text(lang, msgCheckFailed)
	}
	a.ephemeral(ctx, cb.ResponseURL, cb.Container.ChannelID, cb.User.ID, s)
}

func (a *Adapter) claim(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	if a.cfg.Reviews == nil {
		return
	}
	actor, lang := a.actor(ctx, cb.User.ID)
	t, err := a.cfg.Reviews.Claim(ctx, actor, act.Value)
	if err != nil {
		a.refusal(ctx, cb, lang, act.Value, err)
		return
	}
	a.log.InfoContext(ctx, "review ticket claimed in slack", "ticket", t.ID)
	a.refreshPost(ctx, t, cb.Container.ChannelID, cb.Container.MessageTs)
}

// refreshPost updates the ticket's message in the coordinators' channel,
// and remembers where it is.
func (a *Adapter) refreshPost(ctx context.Context, t bot.Ticket, channel, ts string) {
	if channel == "" || ts == "" {
		return
	}
	a.rememberPost(ctx, t.ID, postRef{Channel: channel, TS: ts})
	fallback, blocks := ticketBlocks(t, "", time.Now())
	if err := a.update(ctx, channel, ts, fallback, blocks); err != nil {
		a.log.WarnContext(ctx, "ticket message not updated", "ticket", t.ID, "err", err)
	}
}

// openResolve opens the modal that asks for the resolution note.
func (a *Adapter) openResolve(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	if a.cfg.Reviews == nil {
		return
	}
	actor, lang := a.actor(ctx, cb.User.ID)
	t, err := a.cfg.Reviews.Show(ctx, actor, act.Value)
	if err == nil && t.Status == bot.StatusResolved {
		err = bot.ErrConflict
	}
	if err != nil {
		a.refusal(ctx, cb, lang, act.Value, err)
		return
	}
	view := resolveModal(modalMeta{Ticket: t.ID, Channel: cb.Container.ChannelID, TS: cb.Container.MessageTs})
	err = a.call(ctx, "views.open", func(ctx context.Context) error {
		_, err := a.api.OpenViewContext(ctx, cb.TriggerID, view)
		return err
	})
	if err != nil {
		a.ephemeral(ctx, cb.ResponseURL, cb.Container.ChannelID, cb.User.ID, text(lang, msgCheckFailed))
	}
}

// viewSubmission handles the resolution modal's submission; its result
// is the response Slack expects within 3 seconds: nil closes the modal,
// errors are shown under the note.
func (a *Adapter) viewSubmission(ctx context.Context, cb slack.InteractionCallback) *slack.ViewSubmissionResponse {
	if cb.View.CallbackID != cbResolve || a.cfg.Reviews == nil {
		return nil
	}
	var meta modalMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Ticket == "" {
		return nil
	}
	var note string
	if cb.View.State != nil {
		note = strings.TrimSpace(cb.View.State.Values[noteBlock][noteInput].Value)
	}
	actor, lang := a.actor(ctx, cb.User.ID)
	fail := func(s string) *slack.ViewSubmissionResponse {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{noteBlock: s})
	}
	if note == "" {
		return fail("A resolution note is required. / Une note de résolution est requise.")
	}
	t, err := a.cfg.Reviews.Resolve(ctx, actor, meta.Ticket, note)
	switch {
	case errors.Is(err, bot.ErrForbidden):
		return fail(text(lang, msgNotCoordinator))
	case errors.Is(err, bot.ErrConflict):
		return fail(fmt.Sprintf(text(lang, msgTicketClosed), meta.Ticket))
	case errors.Is(err, bot.ErrNotFound):
		return fail(text(lang, msgTicketGone))
	case err != nil:
		a.log.WarnContext(ctx, "resolving ticket", "ticket", meta.Ticket, "err", err)
		return fail(text(lang, msgCheckFailed))
	}
	a.log.InfoContext(ctx, "review ticket resolved in slack", "ticket", t.ID)
	a.background(ctx, "ticket update", func(ctx context.Context) { a.refreshPost(ctx, t, meta.Channel, meta.TS) })
	return nil
}
