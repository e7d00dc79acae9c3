package discord

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/commsbot/commsbot/bot"
)

// Discord's limits on embeds and components. Lengths are counted in UTF-16
// code units, which is never less than what Discord counts.
const (
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxEmbedTotal  = 6000
	maxButtonsRow  = 5
	maxButtonLabel = 80
	maxCustomID    = 100
)

// Embed colours.
const (
	colourAnswer   = 0x1F6FB2
	colourReview   = 0xD97706
	colourAbstain  = 0x6B7280
	colourOpen     = 0xD97706
	colourClaimed  = 0x2563EB
	colourResolved = 0x15803D
)

// width is s's length as Discord counts it, at most.
func width(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// truncate cuts s to at most n (UTF-16) characters, at a word boundary when
// there is one in the last fifth, and marks the cut with "…".
func truncate(s string, n int) string {
	if width(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	// Keep runes while they fit in n-1, leaving room for "…".
	w, cut := 0, 0
	for i, r := range s {
		rw := 1
		if r > 0xFFFF {
			rw = 2
		}
		if w+rw > n-1 {
			cut = i
			break
		}
		w += rw
	}
	head := s[:cut]
	if sp := strings.LastIndexFunc(head, unicode.IsSpace); sp > 0 && width(head[:sp]) >= (n-1)*4/5 {
		head = head[:sp]
	}
	head = strings.TrimRightFunc(head, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) && r != ')' && r != '”' })
	return head + "…"
}

// truncateValue is truncate for a field's value; a quotation — “…” with
// perhaps a language tag after it — is cut inside its quotation marks.
func truncateValue(s string, n int) string {
	end := strings.LastIndex(s, "”")
	if width(s) <= n || !strings.HasPrefix(s, "“") || end < len("“") {
		return truncate(s, n)
	}
	suffix := s[end:]
	inner := n - 1 - width(suffix)
	if inner < 1 {
		return truncate(s, n)
	}
	return "“" + truncate(s[len("“"):end], inner) + suffix
}

// embedSize is the embed's total as Discord limits it.
func embedSize(e *discordgo.MessageEmbed) int {
	n := width(e.Title) + width(e.Description)
	for _, f := range e.Fields {
		n += width(f.Name) + width(f.Value)
	}
	if e.Footer != nil {
		n += width(e.Footer.Text)
	}
	if e.Author != nil {
		n += width(e.Author.Name)
	}
	return n
}

// fit shrinks an embed to Discord's limits: each part to its own limit,
// then — while the total is too large — the last fields' values, dropping
// fields from the end, and finally the description.
func fit(e *discordgo.MessageEmbed) *discordgo.MessageEmbed {
	e.Title = truncate(e.Title, maxTitle)
	e.Description = truncate(e.Description, maxDescription)
	if len(e.Fields) > maxFields {
		e.Fields = e.Fields[:maxFields]
	}
	for _, f := range e.Fields {
		f.Name = truncate(f.Name, maxFieldName)
		f.Value = truncateValue(f.Value, maxFieldValue)
	}
	if e.Footer != nil {
		e.Footer.Text = truncate(e.Footer.Text, maxFooter)
	}
	for i := len(e.Fields) - 1; i >= 0 && embedSize(e) > maxEmbedTotal; i-- {
		f := e.Fields[i]
		over := embedSize(e) - maxEmbedTotal
		if keep := width(f.Value) - over; keep >= 200 {
			f.Value = truncateValue(f.Value, keep)
		} else {
			e.Fields = e.Fields[:i]
		}
	}
	if over := embedSize(e) - maxEmbedTotal; over > 0 {
		e.Description = truncate(e.Description, width(e.Description)-over)
	}
	return e
}

// answerEmbed shows a reply: the answer, the review notice with its
// ticket, and a field per citation — the source's title and section, and
// its verbatim quote.
func answerEmbed(r bot.Reply) *discordgo.MessageEmbed {
	lang := r.Lang
	e := &discordgo.MessageEmbed{Description: r.Answer, Color: colourAnswer}
	if r.Abstained {
		e.Color = colourAbstain
	}
	if r.NeedsReview {
		e.Color = colourReview
		v := r.ReviewReason
		// The engine's answer names the ticket it opened; the field names
		// it only when the answer does not (a re-rendered answer).
		if r.Ticket != "" && !strings.Contains(r.Answer, r.Ticket) {
			// Cut the reason, never the ticket id.
			ticket := fmt.Sprintf(text(lang, msgTicket), r.Ticket)
			v = strings.TrimSpace(truncate(v, maxFieldValue-1-width(ticket)) + "\n" + ticket)
		}
		if v == "" {
			v = "—"
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: text(lang, msgNeedsReview), Value: v})
	}
	for _, c := range r.Citations {
		name := c.Title
		if label := c.Label; label != "" {
			name += ", " + label
		} else if c.Section != "" {
			name += ", " + c.Section
		}
		suffix := "”"
		if c.Lang != "" && c.Lang != lang {
			suffix = "” [" + string(c.Lang) + "]"
		}
		// Trim the quote itself, so that the closing mark stays.
		quote := truncate(c.Quote, maxFieldValue-1-width(suffix))
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "📄 " + name, Value: "“" + quote + suffix})
	}
	return fit(e)
}

// answerComponents are the buttons under an answer: 👍 / 👎 for answers,
// "Ask an ATIP coordinator" unless a ticket is already open, and the other
// language. asker is who asked: their answer switches language in place.
func answerComponents(r bot.Reply, asker string) []discordgo.MessageComponent {
	var buttons []discordgo.MessageComponent
	if len(r.Clarify) > 0 {
		// A clarifying question: one button per option, on a row of its
		// own, and a way to a coordinator; nothing to rate or translate.
		var opts []discordgo.MessageComponent
		for i, o := range r.Clarify {
			opts = append(opts, discordgo.Button{Label: truncate(fmt.Sprintf("%d. %s", i+1, o.Label), maxButtonLabel),
				Style: discordgo.PrimaryButton, CustomID: customID(idChoose, o.Entry, asker)})
		}
		out := rows(opts)
		if r.Ticket == "" {
			out = append(out, rows([]discordgo.MessageComponent{discordgo.Button{Label: truncate(text(r.Lang, msgAskCoordinator), maxButtonLabel), Style: discordgo.SecondaryButton, CustomID: idReview}})...)
		}
		return out
	}
	if r.Entry != "" || r.Abstained {
		intent := cleanIntent(r.Intent)
		buttons = append(buttons,
			discordgo.Button{Label: "👍", Style: discordgo.SecondaryButton, CustomID: customID(idFeedback, "up", intent)},
			discordgo.Button{Label: "👎", Style: discordgo.SecondaryButton, CustomID: customID(idFeedback, "down", intent)})
	}
	if r.Ticket == "" && r.Intent != "forget" && r.Intent != "review" {
		buttons = append(buttons, discordgo.Button{Label: truncate(text(r.Lang, msgAskCoordinator), maxButtonLabel), Style: discordgo.PrimaryButton, CustomID: idReview})
	}
	if r.Intent != "forget" {
		other := r.Lang.Other()
		if r.Lang == "" {
			other = bot.French
		}
		buttons = append(buttons, discordgo.Button{Label: text(other.Other(), msgOtherLanguage), Style: discordgo.SecondaryButton, CustomID: customID(idLang, string(other), asker, r.Entry, r.Platform)})
	}
	return rows(buttons)
}

// rows packs buttons five to a row.
func rows(buttons []discordgo.MessageComponent) []discordgo.MessageComponent {
	out := []discordgo.MessageComponent{}
	for len(buttons) > 0 {
		n := min(len(buttons), maxButtonsRow)
		out = append(out, discordgo.ActionsRow{Components: buttons[:n]})
		buttons = buttons[n:]
	}
	return out
}

func customID(parts ...string) string {
	id := strings.Join(parts, ":")
	if len(id) > maxCustomID {
		id = id[:maxCustomID]
		for !utf8.ValidString(id) {
			id = id[:len(id)-1]
		}
	}
	return id
}

// userRef shows a platform-qualified person: a mention for Discord users.
func userRef(p bot.Person) string {
	if id, ok := strings.CutPrefix(p.ID, Platform+":"); ok {
		return "<@" + id + ">"
	}
	if p.Name != "" {
		return p.Name + " (" + p.ID + ")"
	}
	return p.ID
}

func personRef(id string) string { return userRef(bot.Person{ID: id}) }

// ticketFooter marks a ticket's message with its id and status, so the
// message can be found again and its state read back.
func ticketFooter(t bot.Ticket) string { return "ticket " + t.ID + " · " + string(t.Status) }

// parseTicketFooter reads ticketFooter back.
func parseTicketFooter(s string) (id string, st bot.TicketStatus, ok bool) {
	rest, ok := strings.CutPrefix(s, "ticket ")
	if !ok {
		return "", "", false
	}
	id, status, ok := strings.Cut(rest, " · ")
	return id, bot.TicketStatus(status), ok
}

// ticketView is a ticket's message in the coordinators' channel, with the
// buttons its status allows. Labels are bilingual: coordinators read both.
func ticketView(t bot.Ticket) (*discordgo.MessageEmbed, []discordgo.MessageComponent) {
	colour := colourOpen
	switch t.Status {
	case bot.StatusClaimed:
		colour = colourClaimed
	case bot.StatusResolved:
		colour = colourResolved
	}
	where := "—"
	switch {
	case t.Origin.Platform == Platform && t.Origin.Workspace == "":
		where = "direct message · message privé"
	case t.Origin.Platform == Platform && t.Origin.Channel != "":
		where = "<#" + t.Origin.Channel + ">"
	case t.Origin.Platform != "":
		where = t.Origin.Platform
	}
	if t.Origin.Permalink != "" {
		where += " · " + t.Origin.Permalink
	}
	e := &discordgo.MessageEmbed{
		Title:  fmt.Sprintf("Review ticket · Billet d’examen %s — %s", t.ID, t.Status),
		Color:  colour,
		Footer: &discordgo.MessageEmbedFooter{Text: ticketFooter(t)},
		Fields: []*discordgo.MessageEmbedField{
			{Name: "Category · Catégorie", Value: orDash(categoryLabel(t.Category)), Inline: true},
			{Name: "Language · Langue", Value: orDash(string(t.Lang)), Inline: true},
			{Name: "Requester · Demandeur", Value: userRef(t.Requester), Inline: true},
			{Name: "From · Provenance", Value: where},
			{Name: redactedField(t.Redacted), Value: orDash(t.Question)},
		},
	}
	if t.Answer != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "commsbot's answer · Réponse de commsbot", Value: t.Answer})
	}
	if len(t.Citations) > 0 {
		var b strings.Builder
		seen := map[string]bool{}
		for _, c := range t.LabelledCitations() {
			label := c.Label
			if label == "" {
				label = c.Section
			}
			line := fmt.Sprintf("• %s, %s\n", c.Title, label)
			if !seen[line] {
				seen[line] = true
				b.WriteString(line)
			}
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Sources", Value: strings.TrimSpace(b.String())})
	}
	if t.Claimant != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Coordinator · Coordonnateur", Value: personRef(t.Claimant), Inline: true})
	}
	if t.Resolution != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Resolution · Résolution", Value: t.Resolution})
	}
	var buttons []discordgo.MessageComponent
	if t.Status == bot.StatusOpen {
		buttons = append(buttons, discordgo.Button{Label: "Claim · Prendre en charge", Style: discordgo.PrimaryButton, CustomID: customID(idClaim, t.ID)})
	}
	if t.Status != bot.StatusResolved {
		buttons = append(buttons, discordgo.Button{Label: "Resolve · Résoudre", Style: discordgo.SuccessButton, CustomID: customID(idResolve, t.ID)})
	}
	return fit(e), rows(buttons)
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// ticketListEmbed lists waiting tickets for /privacy reviews.
func ticketListEmbed(ts []bot.Ticket, lang bot.Lang) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Title: text(lang, msgOpenTickets), Color: colourOpen}
	for _, t := range ts {
		if len(e.Fields) == maxFields {
			e.Footer = &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("+%d", len(ts)-maxFields)}
			break
		}
		v := fmt.Sprintf("%s · <t:%d:R>", userRef(t.Requester), t.Created.Unix())
		if t.Claimant != "" {
			v += " · " + personRef(t.Claimant)
		}
		if q := strings.TrimSpace(t.Question); q != "" {
			v += "\n" + truncate(q, 200)
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: fmt.Sprintf("%s · %s · %s", t.ID, t.Status, orDash(categoryLabelIn(lang, t.Category))), Value: v})
	}
	return fit(e)
}

// resolvedEmbed tells the requester how their ticket was resolved, in the
// ticket's language.
func resolvedEmbed(t bot.Ticket) *discordgo.MessageEmbed {
	return fit(&discordgo.MessageEmbed{
		Title:       fmt.Sprintf(text(t.Lang, msgResolvedTitle), t.ID),
		Description: text(t.Lang, msgResolvedBody) + "\n\n" + t.Resolution,
		Color:       colourResolved,
	})
}

// redactedField names the question field with what was removed from it.
func redactedField(kinds []string) string {
	if len(kinds) == 0 {
		return "Question (redacted · caviardée)"
	}
	return "Question (redacted · caviardée: " + strings.Join(kinds, ", ") + ")"
}
