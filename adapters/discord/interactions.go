package discord

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/commsbot/commsbot/bot"
)

// exchange is one interaction being answered. Its first response goes
// through respond exactly once — over REST for the gateway, in the HTTP
// response for the interactions endpoint; later changes edit it.
type exchange struct {
	i         *discordgo.Interaction
	respond   func(*discordgo.InteractionResponse) error
	responded atomic.Bool
	// skipped is closed when the interaction gets no response at all.
	skipped chan struct{}
}

func newExchange(i *discordgo.Interaction, respond func(*discordgo.InteractionResponse) error) *exchange {
	return &exchange{i: i, respond: respond, skipped: make(chan struct{})}
}

var errResponded = errors.New("interaction already answered")

func (x *exchange) reply(r *discordgo.InteractionResponse) error {
	if x.responded.Swap(true) {
		return errResponded
	}
	return x.respond(r)
}

// skip gives up on the interaction without a response.
func (x *exchange) skip() {
	if !x.responded.Swap(true) {
		close(x.skipped)
	}
}

const ephemeral = discordgo.MessageFlagsEphemeral

// dispatch answers one interaction.
func (a *Adapter) dispatch(ctx context.Context, x *exchange) {
	defer func() {
		if v := recover(); v != nil {
			a.log.Error("handler panic recovered", "where", "interaction", "panic", fmt.Sprint(v))
			if !x.responded.Load() {
				a.send(ctx, x, notice(a.lang(x.i), msgError))
			}
		}
	}()
	i := x.i
	switch i.Type {
	case discordgo.InteractionPing:
		x.reply(&discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
	case discordgo.InteractionApplicationCommand:
		a.command(ctx, x)
	case discordgo.InteractionApplicationCommandAutocomplete:
		a.autocomplete(ctx, x)
	case discordgo.InteractionMessageComponent:
		a.component(ctx, x)
	case discordgo.InteractionModalSubmit:
		a.modal(ctx, x)
	default:
		a.send(ctx, x, notice(a.lang(i), msgUnsupported))
	}
}

// send gives r as the interaction's response, logging a failure.
func (a *Adapter) send(ctx context.Context, x *exchange, r *discordgo.InteractionResponse) {
	if err := x.reply(r); err != nil && !errors.Is(err, errResponded) {
		a.log.Warn("interaction response not sent", "type", x.i.Type.String(), "err", restErr(err))
	}
}

// within answers with work's response when it is ready within DeferAfter.
// Otherwise it responds with deferred — a "thinking…" message
// (DeferredChannelMessageWithSource, ephemeral or not) or a silent
// acknowledgement of a button (DeferredMessageUpdate) — and, when work is
// done, edits the original response or sends a follow-up. work returning
// nil means no response (a duplicate event).
func (a *Adapter) within(ctx context.Context, x *exchange, deferred discordgo.InteractionResponseType, private bool, work func(ctx context.Context) *discordgo.InteractionResponse) {
	done := make(chan *discordgo.InteractionResponse, 1)
	go func() {
		var r *discordgo.InteractionResponse
		defer func() {
			if v := recover(); v != nil {
				a.log.Error("handler panic recovered", "where", "answer", "panic", fmt.Sprint(v))
				r = notice(a.lang(x.i), msgError)
			}
			done <- r
		}()
		r = work(ctx)
	}()
	timer := time.NewTimer(a.cfg.DeferAfter)
	defer timer.Stop()
	select {
	case r := <-done:
		if r == nil {
			x.skip()
			return
		}
		a.send(ctx, x, r)
		return
	case <-timer.C:
	}
	d := &discordgo.InteractionResponse{Type: deferred}
	if private && deferred == discordgo.InteractionResponseDeferredChannelMessageWithSource {
		d.Data = &discordgo.InteractionResponseData{Flags: ephemeral}
	}
	if err := x.reply(d); err != nil {
		a.log.Warn("deferred response not sent", "err", restErr(err))
		return
	}
	var r *discordgo.InteractionResponse
	select {
	case r = <-done:
	case <-ctx.Done():
		return
	}
	a.followUp(ctx, x.i, deferred, r)
}

// followUp delivers a response that came after a deferred one: it edits
// the original message when the kinds match, otherwise it sends a follow-up
// message (e.g. a refusal after a deferred button update).
func (a *Adapter) followUp(ctx context.Context, i *discordgo.Interaction, deferred discordgo.InteractionResponseType, r *discordgo.InteractionResponse) {
	opt := discordgo.WithContext(ctx)
	if r == nil {
		if deferred == discordgo.InteractionResponseDeferredChannelMessageWithSource {
			if err := a.s.InteractionResponseDelete(i, opt); err != nil {
				a.log.Warn("deferred response not deleted", "err", restErr(err))
			}
		}
		return
	}
	data := r.Data
	if data == nil {
		data = &discordgo.InteractionResponseData{}
	}
	same := (deferred == discordgo.InteractionResponseDeferredChannelMessageWithSource && r.Type == discordgo.InteractionResponseChannelMessageWithSource) ||
		(deferred == discordgo.InteractionResponseDeferredMessageUpdate && r.Type == discordgo.InteractionResponseUpdateMessage)
	var err error
	if same {
		components := data.Components
		if components == nil {
			components = []discordgo.MessageComponent{}
		}
		_, err = a.s.InteractionResponseEdit(i, &discordgo.WebhookEdit{
			Content: &data.Content, Embeds: &data.Embeds, Components: &components, AllowedMentions: data.AllowedMentions,
		}, opt)
	} else {
		_, err = a.s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{
			Content: data.Content, Embeds: data.Embeds, Components: data.Components, Flags: data.Flags, AllowedMentions: data.AllowedMentions,
		}, opt)
	}
	if err != nil {
		a.log.Warn("deferred answer not delivered", "err", restErr(err))
	}
}

// actor is who acted: the member in a guild, the user in a direct message
// (where Member is nil).
func actor(i *discordgo.Interaction) (u *discordgo.User, roles []string, m *discordgo.Member) {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User, i.Member.Roles, i.Member
	}
	return i.User, nil, nil
}

// lang is the interaction's language: the user's Discord locale, else the
// guild's; English when neither is French.
func (a *Adapter) lang(i *discordgo.Interaction) bot.Lang {
	if bot.ParseLang(locale(i)) == bot.French {
		return bot.French
	}
	return bot.English
}

func locale(i *discordgo.Interaction) string {
	if i.Locale != "" {
		return string(i.Locale)
	}
	if i.GuildLocale != nil {
		return string(*i.GuildLocale)
	}
	return ""
}

// message is the bot.Message for text typed in an interaction.
func message(i *discordgo.Interaction, u *discordgo.User, m *discordgo.Member, text string) bot.Message {
	return bot.Message{
		Conversation: key(i, u),
		UserName:     displayName(m, u),
		Text:         text,
		Locale:       locale(i),
		EventID:      i.ID,
		Permalink:    permalink(i.GuildID, i.ChannelID, ""),
	}
}

func key(i *discordgo.Interaction, u *discordgo.User) bot.ConversationKey {
	return bot.ConversationKey{Platform: Platform, Workspace: i.GuildID, Channel: i.ChannelID, User: u.ID}
}

func person(u *discordgo.User, m *discordgo.Member) bot.Person {
	return bot.Person{ID: Platform + ":" + u.ID, Name: displayName(m, u)}
}

// notice is an ephemeral message with one of the adapter's texts.
func notice(lang bot.Lang, id msgID, args ...any) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: fmt.Sprintf(text(lang, id), args...), Flags: ephemeral,
			AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}},
	}
}

// answerResponse is a reply as a message; private makes it ephemeral.
func answerResponse(r bot.Reply, asker string, private bool, update bool) *discordgo.InteractionResponse {
	t := discordgo.InteractionResponseChannelMessageWithSource
	if update {
		t = discordgo.InteractionResponseUpdateMessage
	}
	d := &discordgo.InteractionResponseData{
		Embeds:          []*discordgo.MessageEmbed{answerEmbed(r)},
		Components:      answerComponents(r, asker),
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	}
	if private && !update {
		d.Flags = ephemeral
	}
	return &discordgo.InteractionResponse{Type: t, Data: d}
}

// option returns a string option's value, "" when absent or not a string.
func option(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) string {
	for _, o := range opts {
		if o != nil && o.Name == name {
			if s, ok := o.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}

// command answers /privacy and its sub-commands.
func (a *Adapter) command(ctx context.Context, x *exchange) {
	i := x.i
	data := i.ApplicationCommandData()
	u, roles, m := actor(i)
	if u == nil || data.Name != CommandName || len(data.Options) == 0 || data.Options[0] == nil {
		a.send(ctx, x, notice(a.lang(i), msgUnsupported))
		return
	}
	sub := data.Options[0]
	lang := a.lang(i)
	const later = discordgo.InteractionResponseDeferredChannelMessageWithSource
	ask := func(text string, private bool) {
		a.within(ctx, x, later, private, func(ctx context.Context) *discordgo.InteractionResponse {
			r, ok := a.handle(ctx, message(i, u, m, text))
			if !ok {
				return nil
			}
			return answerResponse(r, u.ID, private, false)
		})
	}
	switch sub.Name {
	case "ask":
		ask(option(sub.Options, "question"), !a.cfg.PublicAnswers)
	case "platform":
		name := truncate(strings.TrimSpace(option(sub.Options, "name")), 100)
		ask(fmt.Sprintf(text(lang, msgPlatformQuestion), name), !a.cfg.PublicAnswers)
	case "review":
		ask(strings.TrimSpace("review "+option(sub.Options, "details")), true)
	case "forget":
		ask("forget me", true)
	case "lang":
		l := bot.ParseLang(option(sub.Options, "language"))
		if l == "" {
			l = bot.English
		}
		a.within(ctx, x, later, true, func(ctx context.Context) *discordgo.InteractionResponse {
			r, err := a.cfg.Handler.Render(ctx, key(i, u), l, "", "")
			if err != nil && r.Answer == "" {
				a.log.Error("no answer", "err", err)
				return notice(l, msgError)
			}
			return answerResponse(r, u.ID, true, false)
		})
	case "reviews":
		a.within(ctx, x, later, true, func(ctx context.Context) *discordgo.InteractionResponse {
			return a.listReviews(withMember(ctx, u.ID, roles), person(u, m), lang)
		})
	default:
		a.send(ctx, x, notice(lang, msgUnsupported))
	}
}

// autocomplete offers the known platforms matching what was typed.
func (a *Adapter) autocomplete(_ context.Context, x *exchange) {
	data := x.i.ApplicationCommandData()
	typed := ""
	for _, sub := range data.Options {
		if sub == nil {
			continue
		}
		for _, o := range sub.Options {
			if o != nil && o.Focused {
				typed, _ = o.Value.(string)
			}
		}
	}
	x.reply(&discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: platformChoices(a.cfg.Platforms, typed)},
	})
}

// platformChoices are up to 25 platforms: those starting with typed first,
// then those containing it.
func platformChoices(platforms []string, typed string) []*discordgo.ApplicationCommandOptionChoice {
	typed = strings.ToLower(strings.TrimSpace(typed))
	var first, then []string
	for _, p := range platforms {
		l := strings.ToLower(p)
		switch {
		case strings.HasPrefix(l, typed):
			first = append(first, p)
		case strings.Contains(l, typed):
			then = append(then, p)
		}
	}
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, p := range append(first, then...) {
		if len(choices) == 25 {
			break
		}
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: p, Value: p})
	}
	return choices
}

// Custom ids of the buttons and the modal.
const (
	idFeedback = "fb"     // fb:up:<intent>, fb:down:<intent>
	idReview   = "review" // ask an ATIP coordinator
	idLang     = "lang"   // lang:<en|fr>:<asker id>[:<entry>[:<platform>]]
	idChoose   = "choose" // choose:<entry>:<asker id>, an option of a clarifying question
	idClaim    = "claim"  // claim:<ticket>
	idResolve  = "resolve"
)

var (
	ticketIDRe = regexp.MustCompile(`^R-[0-9A-Z]{4,16}$`)
	// entryIDRe is the shape of a knowledge entry id.
	entryIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{0,60}$`)
)

// component answers a button.
func (a *Adapter) component(ctx context.Context, x *exchange) {
	i := x.i
	u, roles, m := actor(i)
	lang := a.lang(i)
	if u == nil {
		a.send(ctx, x, notice(lang, msgUnsupported))
		return
	}
	parts := strings.Split(i.MessageComponentData().CustomID, ":")
	switch parts[0] {
	case idFeedback:
		if len(parts) == 3 && a.cfg.Metrics != nil {
			a.cfg.Metrics.Feedback(cleanIntent(parts[2]), parts[1] == "up")
		}
		if err := a.cfg.Handler.Feedback(ctx, key(i, u), parts[min(1, len(parts)-1)] == "up"); err != nil {
			a.log.Warn("feedback not recorded", "err", err)
		}
		a.send(ctx, x, notice(lang, msgThanks))
	case idReview:
		a.within(ctx, x, discordgo.InteractionResponseDeferredChannelMessageWithSource, true, func(ctx context.Context) *discordgo.InteractionResponse {
			r, ok := a.handle(ctx, message(i, u, m, "review"))
			if !ok {
				return nil
			}
			return answerResponse(r, u.ID, true, false)
		})
	case idLang:
		l := bot.ParseLang(parts[min(1, len(parts)-1)])
		if l == "" {
			l = bot.English
		}
		// The asker's own answer changes language in place; anyone else
		// gets their own conversation's answer, privately.
		inPlace := len(parts) >= 3 && parts[2] == u.ID && i.Message != nil
		var entry, platform string
		if len(parts) >= 4 && entryIDRe.MatchString(parts[3]) {
			entry = parts[3]
		}
		if len(parts) >= 5 {
			platform = parts[4]
		}
		deferred := discordgo.InteractionResponseDeferredChannelMessageWithSource
		if inPlace {
			deferred = discordgo.InteractionResponseDeferredMessageUpdate
		}
		a.within(ctx, x, deferred, !inPlace, func(ctx context.Context) *discordgo.InteractionResponse {
			r, err := a.cfg.Handler.Render(ctx, key(i, u), l, entry, platform)
			if err != nil && r.Answer == "" {
				a.log.Error("no answer", "err", err)
				return notice(l, msgError)
			}
			return answerResponse(r, u.ID, !inPlace, inPlace)
		})
	case idChoose:
		if len(parts) != 3 || !entryIDRe.MatchString(parts[1]) {
			a.send(ctx, x, notice(lang, msgUnsupported))
			return
		}
		// The asker's question is replaced by the answer; anyone else gets
		// the answer privately, in their own conversation.
		inPlace := parts[2] == u.ID && i.Message != nil
		deferred := discordgo.InteractionResponseDeferredChannelMessageWithSource
		if inPlace {
			deferred = discordgo.InteractionResponseDeferredMessageUpdate
		}
		a.within(ctx, x, deferred, !inPlace, func(ctx context.Context) *discordgo.InteractionResponse {
			m := message(i, u, m, "")
			m.Choice = parts[1]
			r, ok := a.handle(ctx, m)
			if !ok {
				return nil
			}
			return answerResponse(r, u.ID, !inPlace, inPlace)
		})
	case idClaim:
		if len(parts) != 2 || !ticketIDRe.MatchString(parts[1]) {
			a.send(ctx, x, notice(lang, msgUnsupported))
			return
		}
		a.within(ctx, x, discordgo.InteractionResponseDeferredMessageUpdate, false, func(ctx context.Context) *discordgo.InteractionResponse {
			if a.cfg.Reviews == nil {
				return notice(lang, msgNotCoordinator)
			}
			ctx, p := withMember(ctx, u.ID, roles), person(u, m)
			t, err := a.cfg.Reviews.Claim(ctx, p, parts[1])
			if errors.Is(err, bot.ErrConflict) {
				return a.repeated(ctx, i, lang, p, parts[1], bot.StatusClaimed)
			}
			if err != nil {
				return a.reviewRefusal(lang, parts[1], err)
			}
			return a.ticketUpdate(i, t)
		})
	case idResolve:
		if len(parts) != 2 || !ticketIDRe.MatchString(parts[1]) {
			a.send(ctx, x, notice(lang, msgUnsupported))
			return
		}
		// A modal must be the immediate response: check the coordinator
		// first (the static list and the member's roles, no I/O).
		if !a.isCoordinator(withMember(ctx, u.ID, roles), person(u, m)) {
			a.send(ctx, x, notice(lang, msgNotCoordinator))
			return
		}
		a.send(ctx, x, resolveModal(parts[1]))
	default:
		a.send(ctx, x, notice(lang, msgUnsupported))
	}
}

// modal takes the resolution note for a ticket.
func (a *Adapter) modal(ctx context.Context, x *exchange) {
	i := x.i
	u, roles, m := actor(i)
	lang := a.lang(i)
	data := i.ModalSubmitData()
	id, ok := strings.CutPrefix(data.CustomID, idResolve+":")
	if u == nil || !ok || !ticketIDRe.MatchString(id) {
		a.send(ctx, x, notice(lang, msgUnsupported))
		return
	}
	note := modalValue(data.Components, "note")
	// A modal opened from the ticket's button updates that message.
	deferred := discordgo.InteractionResponseDeferredChannelMessageWithSource
	if i.Message != nil {
		deferred = discordgo.InteractionResponseDeferredMessageUpdate
	}
	a.within(ctx, x, deferred, true, func(ctx context.Context) *discordgo.InteractionResponse {
		if a.cfg.Reviews == nil {
			return notice(lang, msgNotCoordinator)
		}
		ctx, p := withMember(ctx, u.ID, roles), person(u, m)
		t, err := a.cfg.Reviews.Resolve(ctx, p, id, note)
		if errors.Is(err, bot.ErrConflict) {
			return a.repeated(ctx, i, lang, p, id, bot.StatusResolved)
		}
		if err != nil {
			return a.reviewRefusal(lang, id, err)
		}
		if i.Message == nil {
			return notice(lang, msgResolvedOK, t.ID)
		}
		return a.ticketUpdate(i, t)
	})
}

// ticketUpdate is the ticket's message updated in place. The notifier is
// told where the message is, not what it shows — the update may yet fail —
// so its own edit for the notice makes sure.
func (a *Adapter) ticketUpdate(i *discordgo.Interaction, t bot.Ticket) *discordgo.InteractionResponse {
	if i.Message != nil && i.ChannelID == a.cfg.CoordinatorChannel {
		a.tickets.put(t.ID, ticketMessage{channel: i.ChannelID, id: i.Message.ID})
	}
	embed, components := ticketView(t)
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseUpdateMessage,
		Data: &discordgo.InteractionResponseData{Embeds: []*discordgo.MessageEmbed{embed}, Components: components,
			AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}},
	}
}

// repeated answers a coordinator's Claim or Resolve that the ticket store
// refused because the ticket had moved on — often by this very action:
// Discord delivering an interaction again, a double click, two presses
// racing. The store changes a ticket, and queues its notice, atomically
// and only from the status the action expects, so the work was done once;
// this decides what the repeat shows. When the ticket is where this
// coordinator's action puts it, the repeat gets the same update as the
// first; otherwise the coordinator is told, privately, where it is.
func (a *Adapter) repeated(ctx context.Context, i *discordgo.Interaction, lang bot.Lang, p bot.Person, id string, want bot.TicketStatus) *discordgo.InteractionResponse {
	t, err := a.cfg.Reviews.Show(ctx, p, id)
	if err != nil {
		return a.reviewRefusal(lang, id, fmt.Errorf("read ticket after a conflict: %w", err))
	}
	switch {
	case t.Status == want && madeBy(t, want) == p.ID:
		if want == bot.StatusResolved && i.Message == nil {
			return notice(lang, msgResolvedOK, t.ID)
		}
		return a.ticketUpdate(i, t)
	case t.Status == bot.StatusResolved:
		return notice(lang, msgAlreadyResolved, t.ID)
	case t.Status == bot.StatusClaimed:
		return notice(lang, msgAlreadyClaimed, t.ID, personRef(t.Claimant))
	}
	return notice(lang, msgTicketConflict, id)
}

// madeBy is who last put the ticket in status s, from its history, whose
// actions are named as the statuses they lead to ("claimed", "resolved").
func madeBy(t bot.Ticket, s bot.TicketStatus) string {
	for _, e := range slices.Backward(t.History) {
		if e.Action == string(s) {
			return e.Actor
		}
	}
	return ""
}

// reviewRefusal explains why a coordinator's action failed.
func (a *Adapter) reviewRefusal(lang bot.Lang, id string, err error) *discordgo.InteractionResponse {
	switch {
	case errors.Is(err, bot.ErrForbidden):
		return notice(lang, msgNotCoordinator)
	case errors.Is(err, bot.ErrNotFound):
		return notice(lang, msgNoTicket, id)
	case errors.Is(err, bot.ErrConflict):
		return notice(lang, msgTicketConflict, id)
	}
	a.log.Error("review action failed", "ticket", id, "err", err)
	return notice(lang, msgError)
}

func (a *Adapter) isCoordinator(ctx context.Context, p bot.Person) bool {
	if a.cfg.Reviews == nil || a.cfg.Reviews.Coordinators == nil {
		return false
	}
	ok, err := a.cfg.Reviews.Coordinators.IsCoordinator(ctx, p)
	if err != nil {
		a.log.Warn("coordinator check failed", "err", err)
	}
	return ok && err == nil
}

// listReviews lists the open and claimed tickets, for coordinators.
func (a *Adapter) listReviews(ctx context.Context, p bot.Person, lang bot.Lang) *discordgo.InteractionResponse {
	if a.cfg.Reviews == nil {
		return notice(lang, msgNotCoordinator)
	}
	all, err := a.cfg.Reviews.List(ctx, p, "")
	if err != nil {
		if errors.Is(err, bot.ErrForbidden) {
			return notice(lang, msgNotCoordinator)
		}
		a.log.Error("review list failed", "err", err)
		return notice(lang, msgError)
	}
	pending := slices.DeleteFunc(all, func(t bot.Ticket) bool { return t.Status == bot.StatusResolved })
	if len(pending) == 0 {
		return notice(lang, msgNoOpenTickets)
	}
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Embeds: []*discordgo.MessageEmbed{ticketListEmbed(pending, lang)}, Flags: ephemeral,
			AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}},
	}
}

func resolveModal(id string) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseModal,
		Data: &discordgo.InteractionResponseData{
			CustomID: idResolve + ":" + id,
			Title:    truncate("Resolve "+id+" · Résoudre", 45),
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.TextInput{CustomID: "note", Label: "Resolution note · Note de résolution", Style: discordgo.TextInputParagraph,
					Placeholder: "Sent to the requester · Transmise au demandeur", Required: true, MinLength: 1, MaxLength: 1000},
			}}},
		},
	}
}

// modalValue finds a text input's value in a submitted modal.
func modalValue(components []discordgo.MessageComponent, id string) string {
	for _, c := range components {
		switch c := c.(type) {
		case *discordgo.ActionsRow:
			if v := modalValue(c.Components, id); v != "" {
				return v
			}
		case *discordgo.TextInput:
			if c.CustomID == id {
				return c.Value
			}
		}
	}
	return ""
}

var intentRe = regexp.MustCompile(`^[a-z0-9._-]{1,60}$`)

// cleanIntent keeps a feedback button's intent label within a bounded set
// of shapes; anything else is counted as "other".
func cleanIntent(s string) string {
	if intentRe.MatchString(s) {
		return s
	}
	return "other"
}
