package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/commsbot/commsbot/bot"
)

// Slack's limits on messages (https://docs.slack.dev/reference/block-kit/blocks).
const (
	maxBlocks      = 50   // blocks in one message
	maxSectionText = 3000 // characters in a section's text
	maxContextText = 2000 // characters we allow in one context element
	maxButtonValue = 2000 // characters in a button's value
	maxFallback    = 3000 // the top-level text shown in notifications
	maxQuote       = 300  // a citation's quote, trimmed on a word boundary
	maxCitations   = 10   // citations shown; the rest are counted
)

// Action ids of the buttons.
const (
	actUp     = "commsbot_feedback_up"
	actDown   = "commsbot_feedback_down"
	actReview = "commsbot_ask_coordinator"
	actLang   = "commsbot_lang"
	// actChoose prefixes the buttons of a clarifying question's options
	// ("commsbot_choose_1"…): action ids must differ within a block.
	actChoose = "commsbot_choose_"
	// maxButtonText is Slack's limit on a button's label.
	maxButtonText = 75
	actClaim      = "commsbot_claim"
	actResolve    = "commsbot_resolve"
	// cbResolve is the callback id of the resolution modal.
	cbResolve = "commsbot_resolve_modal"
	noteBlock = "note"
	noteInput = "note"
)

// ref is what an answer's buttons carry: the conversation the answer
// belongs to and what the buttons need to act on it. Slack hands it back,
// signed, when a button is pressed.
type ref struct {
	Team    string   `json:"t,omitempty"`
	Channel string   `json:"c,omitempty"`
	Thread  string   `json:"h,omitempty"`
	User    string   `json:"u,omitempty"`
	Intent  string   `json:"i,omitempty"`
	Entry   string   `json:"e,omitempty"`
	Ticket  string   `json:"k,omitempty"`
	Lang    bot.Lang `json:"l,omitempty"`
	// Platform is the platform the answer named, to re-render it.
	Platform string `json:"p,omitempty"`
}

func (r ref) key() bot.ConversationKey {
	return bot.ConversationKey{Platform: platform, Workspace: r.Team, Channel: r.Channel, Thread: r.Thread, User: r.User}
}

func (r ref) encode() string {
	b, _ := json.Marshal(r)
	if len(b) > maxButtonValue {
		r.Entry, r.Intent = "", ""
		b, _ = json.Marshal(r)
	}
	return string(b)
}

func decodeRef(s string) (ref, error) {
	var r ref
	err := json.Unmarshal([]byte(s), &r)
	return r, err
}

// escape makes text safe for mrkdwn: Slack reads &, < and > as markup.
func escape(s string) string { return mrkdwnEscaper.Replace(s) }

// mrkdwnEscaper is built once: a Replacer is safe for concurrent use, and
// building one costs more than using it.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// trimWords shortens s to at most max characters, cutting on a word
// boundary and ending with an ellipsis; it never cuts a word in two.
func trimWords(s string, max int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max < 2 {
		return "…"
	}
	runes := []rune(s)
	cut := runes[:max-1] // room for the ellipsis
	// runes[max-1] starts the part we drop; if it is not a space, the last
	// word of cut is incomplete: drop it.
	if !unicode.IsSpace(runes[max-1]) {
		i := len(cut) - 1
		for i >= 0 && !unicode.IsSpace(cut[i]) {
			i--
		}
		if i > 0 {
			cut = cut[:i]
		}
		// A single word longer than max is cut; nothing better to do.
	}
	out := strings.TrimRightFunc(string(cut), func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == ';' || r == ':' || r == '—' || r == '-'
	})
	return out + "…"
}

// splitText cuts s into pieces of at most max characters, on line or word
// boundaries, for successive section blocks.
func splitText(s string, max int) []string {
	var parts []string
	for utf8.RuneCountInString(s) > max {
		runes := []rune(s)
		cut := max
		if i := lastIndexRune(runes[:max], '\n'); i > max/2 {
			cut = i
		} else if i := lastSpace(runes[:max]); i > max/2 {
			cut = i
		}
		parts = append(parts, strings.TrimSpace(string(runes[:cut])))
		s = strings.TrimSpace(string(runes[cut:]))
	}
	if s != "" {
		parts = append(parts, s)
	}
	return parts
}

func lastIndexRune(rs []rune, r rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

func lastSpace(rs []rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if unicode.IsSpace(rs[i]) {
			return i
		}
	}
	return -1
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}
func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

func section(s string) *slack.SectionBlock { return slack.NewSectionBlock(mrkdwn(s), nil, nil) }

// citationText is one source line: title, section, quote.
func citationText(c bot.Citation, lang bot.Lang) string {
	label := c.Label
	if label == "" {
		label = c.Section
	}
	src := "Source"
	if lang == bot.French {
		src = "Source :"
	} else {
		src += ":"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s *%s*", src, escape(c.Title))
	if label != "" {
		fmt.Fprintf(&b, ", %s", escape(label))
	}
	if q := trimWords(c.Quote, maxQuote); q != "" {
		fmt.Fprintf(&b, " — “%s”", escape(q))
	}
	return trimWords(b.String(), maxContextText)
}

// answerBlocks renders an engine reply: the answer, the review notice, one
// context block per citation and the buttons. It stays within Slack's
// limits: at most 50 blocks, 3000 characters per section.
func answerBlocks(r bot.Reply, rf ref) (fallback string, blocks []slack.Block) {
	lang := r.Lang
	if lang == "" {
		lang = bot.English
	}
	answer := strings.TrimSpace(r.Answer)
	if answer == "" {
		answer = text(lang, msgError)
	}
	fallback = trimWords(answer, maxFallback)

	for _, p := range splitText(escape(answer), maxSectionText) {
		blocks = append(blocks, section(p))
	}
	const answerMax = 10
	if len(blocks) > answerMax { // a very long answer: keep room for the rest
		blocks = blocks[:answerMax]
	}
	if r.NeedsReview {
		notice := "*" + text(lang, msgNeedsReview) + "*"
		if r.ReviewReason != "" {
			notice += ": " + escape(r.ReviewReason)
		}
		ticket := r.Ticket
		if ticket == "" {
			ticket = rf.Ticket
		}
		// The engine's answer names the ticket it opened; the notice names
		// it only when the answer does not.
		if ticket != "" && !strings.Contains(r.Answer, ticket) {
			notice += " (" + fmt.Sprintf(text(lang, msgTicket), ticket) + ")"
		}
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(trimWords(notice, maxContextText))))
	}

	cites := r.Citations
	// Room left: the actions block, and a "more sources" line if needed.
	room := maxBlocks - len(blocks) - 2
	limit := min(maxCitations, room)
	for i, c := range cites {
		if i == limit {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf(text(lang, msgMoreSources), len(cites)-limit))))
			break
		}
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(citationText(c, lang))))
	}

	if r.Intent == "forget" || r.Intent == "rate-limited" || r.Intent == "too-long" {
		return fallback, blocks // nothing to rate or escalate
	}
	rf.Intent, rf.Entry, rf.Lang, rf.Platform = r.Intent, r.Entry, lang, r.Platform
	if r.Ticket != "" {
		rf.Ticket = r.Ticket
	}
	if len(r.Clarify) > 0 {
		// A clarifying question: one button per option; pressing one
		// answers from that entry.
		var opts []slack.BlockElement
		for i, o := range r.Clarify {
			pick := rf
			pick.Intent, pick.Entry = "", o.Entry
			opts = append(opts, slack.NewButtonBlockElement(fmt.Sprintf("%s%d", actChoose, i+1), pick.encode(),
				plain(trimWords(fmt.Sprintf("%d. %s", i+1, o.Label), maxButtonText))))
		}
		blocks = append(blocks, slack.NewActionBlock("commsbot_clarify", opts...))
	}
	value := rf.encode()
	var buttons []slack.BlockElement
	if r.Entry != "" || r.Abstained {
		buttons = append(buttons,
			slack.NewButtonBlockElement(actUp, value, plain(text(lang, msgHelpful))),
			slack.NewButtonBlockElement(actDown, value, plain(text(lang, msgNotHelpful))))
	}
	switch {
	case r.Ticket == "" && rf.Ticket == "" && r.Intent != "review":
		buttons = append(buttons, slack.NewButtonBlockElement(actReview, value, plain(text(lang, msgAskCoordinator))))
	case r.Ticket == "" && r.Intent == "review" && r.NeedsReview:
		// The request could not be filed (the store is down and the
		// queue full): one press files it when the store is back.
		buttons = append(buttons, slack.NewButtonBlockElement(actReview, value, plain(text(lang, msgFileNow))))
	}
	if r.Entry != "" {
		// Only a knowledge answer can be re-rendered in the other language.
		other := rf
		other.Lang = lang.Other()
		buttons = append(buttons, slack.NewButtonBlockElement(actLang, other.encode(), plain(text(lang, msgOtherLang))))
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock("commsbot_actions", buttons...))
	}
	return fallback, blocks
}

// textBlocks is a plain message in one section (ephemeral notes, lists).
func textBlocks(s string) (string, []slack.Block) {
	var blocks []slack.Block
	for _, p := range splitText(s, maxSectionText) {
		blocks = append(blocks, section(p))
		if len(blocks) == maxBlocks {
			break
		}
	}
	return trimWords(s, maxFallback), blocks
}

// person renders a platform-qualified id for Slack: a mention for Slack
// users, the id otherwise.
func person(id string) string {
	if u, ok := strings.CutPrefix(id, platform+":"); ok && u != "" {
		return "<@" + u + ">"
	}
	return escape(id)
}

var categoryLabels = map[string]string{
	bot.CategoryUnreviewedPlatform: "unreviewed platform",
	bot.CategoryOtherUse:           "use outside the four covered uses",
	bot.CategorySecondaryUse:       "secondary use",
	bot.CategoryOtherPI:            "personal information beyond the standard PIBs",
	bot.CategoryBreach:             "privacy breach",
	bot.CategoryRequested:          "requested by the user",
	bot.CategorySituation:          "situation to assess (learned model)",
}

func categoryLabel(c string) string {
	if l, ok := categoryLabels[c]; ok {
		return l
	}
	return c
}

// ticketBlocks renders a review ticket for the coordinators' channel, with
// Claim and Resolve buttons while they apply. kind is the notice that
// caused the post (a reminder gets a banner).
func ticketBlocks(t bot.Ticket, kind string, now time.Time) (string, []slack.Block) {
	var status string
	switch t.Status {
	case bot.StatusClaimed:
		status = "🟡 Claimed by " + person(t.Claimant)
	case bot.StatusResolved:
		// The resolver may not be the claimant: the history says who.
		by := t.Claimant
		for _, h := range t.History {
			if h.Action == "resolved" {
				by = h.Actor
			}
		}
		status = "✅ Resolved by " + person(by)
	default:
		status = "🔴 Open — waiting for a coordinator"
	}
	head := fmt.Sprintf("*Review ticket %s* · %s\n%s", t.ID, escape(categoryLabel(t.Category)), status)
	if kind == bot.NoticeReminder && t.Status == bot.StatusOpen {
		head = fmt.Sprintf("⏰ *Reminder:* ticket %s has waited %s for a coordinator.\n", t.ID, roundAge(now.Sub(t.Created))) + head
	}
	fallback := fmt.Sprintf("Review ticket %s (%s): %s", t.ID, categoryLabel(t.Category), t.Status)
	headBlock := section(head)
	headBlock.BlockID = ticketMarker(t.ID)
	blocks := []slack.Block{headBlock}

	where := "—"
	if t.Origin.Platform == platform && t.Origin.Channel != "" {
		where = "<#" + t.Origin.Channel + ">"
		if t.Origin.Thread != "" {
			where += " (thread)"
		}
	} else if t.Origin.Platform != "" {
		where = escape(t.Origin.Platform)
	}
	if t.Origin.Permalink != "" {
		where = "<" + t.Origin.Permalink + "|" + where + ">"
	}
	requester := person(t.Requester.ID)
	if t.Requester.Name != "" && !strings.HasPrefix(t.Requester.ID, platform+":") {
		requester = escape(t.Requester.Name)
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, []*slack.TextBlockObject{
		mrkdwn("*Requester*\n" + requester),
		mrkdwn("*Where*\n" + where),
		mrkdwn("*Language*\n" + string(t.Lang)),
		mrkdwn("*Opened*\n" + fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Created.Unix(), t.Created.UTC().Format(time.RFC3339))),
	}, nil))
	if q := strings.TrimSpace(t.Question); q != "" {
		blocks = append(blocks, section("*Question* ("+redactedNote(t.Redacted)+")\n>"+strings.ReplaceAll(escape(trimWords(q, 1500)), "\n", "\n>")))
	}
	if a := strings.TrimSpace(t.Answer); a != "" {
		blocks = append(blocks, section("*commsbot answered*\n"+escape(trimWords(a, 1200))))
	}
	for i, c := range t.LabelledCitations() {
		if i == 3 {
			break
		}
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(citationText(c, bot.English))))
	}
	if t.Status == bot.StatusResolved && t.Resolution != "" {
		blocks = append(blocks, section("*Resolution*\n"+escape(trimWords(t.Resolution, 2500))))
	}
	var buttons []slack.BlockElement
	if t.Status == bot.StatusOpen {
		buttons = append(buttons, slack.NewButtonBlockElement(actClaim, t.ID, plain("Claim / Prendre en charge")).WithStyle(slack.StylePrimary))
	}
	if t.Status != bot.StatusResolved {
		buttons = append(buttons, slack.NewButtonBlockElement(actResolve, t.ID, plain("Resolve / Résoudre")))
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock("commsbot_ticket", buttons...))
	}
	return fallback, blocks
}

func roundAge(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return d.Round(time.Hour).String()
	case d >= time.Minute:
		return d.Round(time.Minute).String()
	}
	return "less than a minute"
}

// modalMeta is what the resolution modal carries between opening and
// submission: the ticket and the channel message to update.
type modalMeta struct {
	Ticket  string `json:"ticket"`
	Channel string `json:"channel,omitempty"`
	TS      string `json:"ts,omitempty"`
}

func resolveModal(meta modalMeta) slack.ModalViewRequest {
	b, _ := json.Marshal(meta)
	input := slack.NewPlainTextInputBlockElement(plain("What did you decide? The requester will see this note."), noteInput).
		WithMultiline(true).WithMaxLength(2500)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      cbResolve,
		Title:           plain("Resolve " + meta.Ticket), // under Slack's 24 characters
		Submit:          plain("Resolve"),
		Close:           plain("Cancel"),
		PrivateMetadata: string(b),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf("Resolve review ticket *%s*. The requester is told in their thread or direct messages.", meta.Ticket)),
			slack.NewInputBlock(noteBlock, plain("Resolution note / Note de résolution"), nil, input),
		}},
	}
}

// redactedNote says what was removed from a ticket's question.
func redactedNote(kinds []string) string {
	if len(kinds) == 0 {
		return "personal information redacted; none found"
	}
	return "personal information redacted: " + strings.Join(kinds, ", ")
}

// ticketMarker is the block id of a ticket message's first block: it lets
// a replica that lost track of a post find it in the channel's history.
func ticketMarker(id string) string { return "commsbot_ticket_" + id }
