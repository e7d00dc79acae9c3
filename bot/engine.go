package bot

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxMessageBytes is the longest question the engine reads. Longer messages
// get a polite refusal rather than a truncated, possibly misread, answer.
const MaxMessageBytes = 4000

// Slots are what a question says beyond its intent.
type Slots struct {
	// Platform is the canonical name of a social media platform ("Threads").
	Platform string `json:"platform,omitempty"`
	// PlatformReviewed is true for the seven platforms of the notice's A.2.
	PlatformReviewed bool `json:"platform_reviewed,omitempty"`
	// NewPlatform is true when the user speaks of an unnamed platform that
	// is not on the reviewed list.
	NewPlatform bool `json:"new_platform,omitempty"`
	// Uses of the information: broadcasting, engaging, account-management,
	// account-analytics (the four covered uses) or investigations,
	// fraud-detection, lifestyle-analysis, monitoring, other.
	Uses []string `json:"uses,omitempty"`
	// PersonalInfo lists kinds of personal information mentioned; the
	// standard ones (name, contact, biographical, image, opinions, comments,
	// ip-address) and others (health, financial, sin, …).
	PersonalInfo []string `json:"personal_info,omitempty"`
	// Incident is true when the user describes a privacy breach that has
	// happened.
	Incident bool `json:"incident,omitempty"`
	// Reviewed and Unreviewed list every platform named when there are
	// several, so that the answer speaks of each.
	Reviewed   []string `json:"reviewed_platforms,omitempty"`
	Unreviewed []string `json:"unreviewed_platforms,omitempty"`
}

// Command is a request about the conversation rather than a question.
type Command string

// The commands the engine understands in free text.
const (
	CmdNone       Command = ""
	CmdSwitchLang Command = "lang"   // "in French please", "en anglais"
	CmdForget     Command = "forget" // "forget me", "oublie-moi"
	CmdHelp       Command = "help"
	CmdReview     Command = "review"  // "review <details>", "ask an ATIP coordinator"
	CmdMyTickets  Command = "tickets" // "my tickets", "mes demandes"
)

// Understanding is what the classifier made of a message.
type Understanding struct {
	Lang    Lang
	Command Command
	// Intent is the classified intent, "" when the engine must abstain.
	Intent string
	// Entry is the knowledge entry that answers the intent and slots.
	Entry      string
	Slots      Slots
	Confidence float64
	// Review is set by the decision logic when the situation, not only the
	// entry, needs a person (a breach that happened); Category says why.
	Review   bool
	Category string
	// FollowUp is true when the message was read in the light of the
	// previous one ("what about TikTok?").
	FollowUp bool
	// Abstain explains an empty Intent: "out-of-scope", "injection",
	// "empty".
	Abstain string
	// Details is what follows a command ("review <details>").
	Details string
	// Clarify lists 2 to 4 entries the question may be asking for, when
	// the classifier is not sure enough to choose: the engine asks the user
	// which one they mean instead of answering.
	Clarify []string
	// Detectors are the review detectors that fired, each with its
	// evidence, for explanations.
	Detectors []Detection
	// Tentative is set when the reading is not sure enough for the entry's
	// opening verdict ("Yes —", "No —") to be the answer to the question
	// actually asked: the engine drops the verdict.
	Tentative bool
	// Focus is a second entry whose first citation leads the reply: the
	// part of the guidance the situation described bears on most (the
	// harm factor a breach story turns on). The answer stays Entry's.
	Focus string
	// General is set when the question asks what the guidance says about
	// a use, naming no case of the asker's own ("is fraud detection a
	// covered use?"): the entry's own review flag, meant for a situation,
	// does not apply.
	General bool
}

// Detection is one review detector's verdict: the situation needs a person.
type Detection struct {
	// Category is the review category (breach, unreviewed-platform,
	// other-use, secondary-use, other-pi).
	Category string `json:"category"`
	// Evidence is the words that made the detector fire.
	Evidence string `json:"evidence"`
}

// State is what the engine remembers of a conversation between messages.
type State struct {
	Lang   Lang   `json:"lang,omitempty"`
	Intent string `json:"intent,omitempty"`
	Entry  string `json:"entry,omitempty"`
	Slots  Slots  `json:"slots,omitempty"`
	// Review and Category are the decision logic's review flag for Entry
	// (a breach that happened), kept so that re-rendering the answer in
	// the other language flags it again.
	Review   bool      `json:"review,omitempty"`
	Category string    `json:"review_category,omitempty"`
	Updated  time.Time `json:"updated"`
	// Reviewed lists the review topics already raised in this
	// conversation, so a repeated question does not raise them again.
	Reviewed []string `json:"reviewed,omitempty"`
	// Clarify holds the entries offered by the last clarifying question,
	// with the slots of the question that raised it, until one is chosen.
	Clarify      []string `json:"clarify,omitempty"`
	ClarifySlots *Slots   `json:"clarify_slots,omitempty"`
	ClarifyCat   string   `json:"clarify_category,omitempty"`
	// Question is the last question answered or clarified, redacted: what
	// a 👎 or a choice is about.
	Question string `json:"question,omitempty"`
}

// Understander classifies a message in the light of the conversation so far.
// hint is a language hint (platform locale), "" when unknown.
type Understander interface {
	Understand(text string, prev State, hint Lang) Understanding
}

// Knowledge renders curated answers.
type Knowledge interface {
	Answer(entry string, lang Lang, vars map[string]string) (Answer, error)
}

// ConversationStore keeps conversation state. Implementations must let state
// expire after ttl and must let a user be forgotten everywhere.
type ConversationStore interface {
	// Conversation returns the state for key; ok is false when there is none.
	Conversation(ctx context.Context, key ConversationKey) (st State, ok bool, err error)
	SaveConversation(ctx context.Context, key ConversationKey, st State, ttl time.Duration) error
	// Forget deletes every conversation of the platform-qualified user.
	Forget(ctx context.Context, platform, user string) error
}

// Observer is told what the engine does, for metrics. Implementations must
// be safe for concurrent use.
type Observer interface {
	ReviewObserver
	// Answered is called once per handled message.
	Answered(r Reply, took time.Duration)
	// Event counts something that happened: "duplicate", "rate-limited",
	// "state-unavailable".
	Event(name string)
}

// Engine answers messages. Its zero value is not usable: set NLU, KB and
// Store; the rest is optional.
type Engine struct {
	NLU   Understander
	KB    Knowledge
	Store ConversationStore
	// StateTTL is how long conversation state is kept; default 24 h.
	StateTTL time.Duration
	// Dedupe, when set, makes a message with an EventID seen before return
	// ErrDuplicate, so platform retries and replicas answer once. When it
	// is also an EventLog, a retry of a message whose first handling died
	// is answered, and a retry of a finished one gets the same reply again
	// (ErrReplayed).
	Dedupe Deduper
	// EventLease is how long a message being answered is leased to its
	// replica (EventLog); default DefaultEventLease.
	EventLease time.Duration
	// Limiter and RateLimit bound questions per user per minute (default
	// 20 when Limiter is set).
	Limiter   RateLimiter
	RateLimit int
	// Reviews, when set, opens a review ticket when an answer needs one.
	Reviews  *Reviews
	Observer Observer
	Logger   *slog.Logger
	// Paraphraser, when set, rephrases curated answers for the question
	// asked (never abstentions or commands); on any error, or after
	// ParaphraseTimeout (default DefaultParaphraseTimeout), the curated
	// text is used. Citations always come from the knowledge base.
	Paraphraser       Paraphraser
	ParaphraseTimeout time.Duration
	// Inbox, when set, records clarification choices, 👎, abstentions
	// (and, through Reviews, resolutions) for an analyst.
	Inbox Inbox
	// Now returns the current time; defaults to time.Now.
	Now func() time.Time
}

// ErrNoState is wrapped into errors from the store; the engine still answers
// without memory when the store fails.
var ErrNoState = errors.New("conversation state unavailable")

// ErrDuplicate is returned for a message whose EventID was already handled:
// the caller must not answer it.
var ErrDuplicate = errors.New("duplicate event")

// ErrInProgress is returned (wrapping ErrDuplicate) for a message another
// replica or request is answering now.
var ErrInProgress = fmt.Errorf("%w: still being answered", ErrDuplicate)

// ErrReplayed is returned (wrapping ErrDuplicate) with the reply recorded
// for a message already answered: a caller that answers in the response
// to the request (a slash command retried by a proxy) sends it again; one
// that posts messages does not post it twice.
var ErrReplayed = fmt.Errorf("%w: answered before", ErrDuplicate)

// DefaultEventLease is how long a message being answered is leased: more
// than any answer takes, LLM included (see LLM_TIMEOUT).
const DefaultEventLease = 30 * time.Second

// DedupeTTL is how long event ids are remembered: longer than any platform
// retries a delivery.
const DedupeTTL = 15 * time.Minute

func (e *Engine) event(name string) {
	if e.Observer != nil {
		e.Observer.Event(name)
	}
}

// Handle answers one message. The Reply is always usable unless err is
// ErrDuplicate: when the store fails the engine answers without
// conversation memory and returns the reply together with an error wrapping
// ErrNoState.
func (e *Engine) Handle(ctx context.Context, m Message) (Reply, error) {
	start := time.Now()
	var r Reply
	var err error
	if log, ok := e.Dedupe.(EventLog); ok && m.EventID != "" {
		r, err = e.handleLeased(ctx, log, m)
	} else {
		r, err = e.handle(ctx, m, true)
	}
	if e.Observer != nil && !errors.Is(err, ErrDuplicate) {
		e.Observer.Answered(r, time.Since(start))
	}
	return r, err
}

// handleLeased answers m under a lease on its event id (EventLog).
func (e *Engine) handleLeased(ctx context.Context, log EventLog, m Message) (Reply, error) {
	id := m.Conversation.Platform + ":" + m.EventID
	lease := e.EventLease
	if lease <= 0 {
		lease = DefaultEventLease
	}
	// A store that keeps both the event log and the conversations does
	// the event's store work in two round trips: begin and load, save and
	// finish.
	ec, combined := log.(EventConversations)
	combined = combined && any(e.Store) == any(ec)
	var t *turn
	var status EventStatus
	var result []byte
	var err error
	if combined {
		var rate *RateCheck
		if e.Limiter != nil && any(e.Limiter) == any(ec) {
			rate = &RateCheck{Key: e.rateKey(m), Limit: e.rateLimit(), Window: time.Minute}
		}
		var start EventStart
		start, err = ec.BeginEventLoad(ctx, id, lease, DedupeTTL, m.Conversation, rate)
		status, result = start.Status, start.Result
		t = &turn{prev: start.State, loadErr: start.LoadErr, rate: start.Rate}
	} else {
		status, result, err = log.BeginEvent(ctx, id, lease, DedupeTTL)
	}
	switch {
	case err != nil:
		// Better to risk answering twice than not at all.
		e.logger().WarnContext(ctx, "event log unavailable", "err", err)
		return e.handleUnlogged(ctx, m)
	case status == EventRunning:
		e.event("duplicate")
		return Reply{}, ErrInProgress
	case status == EventDone:
		e.event("duplicate")
		r, err := decodeRecord(result)
		if err != nil {
			return Reply{}, ErrDuplicate
		}
		return r, ErrReplayed
	}
	r, herr := e.handleTurn(ctx, m, false, t)
	if errors.Is(herr, ErrDuplicate) {
		return r, herr
	}
	// The record keeps the fields ask --jsonl leaves out (citation labels,
	// the platform), so that a replay renders alike. A review that could
	// not be filed is not recorded: a retry (the user's "File it now")
	// must try again, not replay the failure.
	var record []byte
	if !(r.NeedsReview && r.Ticket == "" && e.Reviews != nil) {
		b, err := encodeRecord(r)
		if err != nil {
			e.logger().WarnContext(ctx, "event log: encode", "err", err)
		}
		record = b
	}
	if t != nil && t.save != nil {
		if err := ec.SaveAndFinish(context.WithoutCancel(ctx), m.Conversation, *t.save, t.ttl, id, record, DedupeTTL); err != nil {
			e.event("state-unavailable")
			e.logger().WarnContext(ctx, "conversation state not saved, event not finished", "err", err)
			if herr == nil {
				herr = fmt.Errorf("%w: %w", ErrNoState, err)
			}
		}
		return r, herr
	}
	if err := log.FinishEvent(context.WithoutCancel(ctx), id, record, DedupeTTL); err != nil {
		e.logger().WarnContext(ctx, "event log: finish", "err", err)
	}
	return r, herr
}

// rateKey is the rate limit's key for m's sender: all their messages.
func (e *Engine) rateKey(m Message) string { return "user:" + m.Conversation.UserID() }

// rateLimit is RateLimit or its default.
func (e *Engine) rateLimit() int {
	if e.RateLimit <= 0 {
		return 20
	}
	return e.RateLimit
}

// turn carries an event's store work between handleLeased and handleTurn
// when the store combines it (EventConversations): the conversation read
// with the event's lease, and the state to save with its result.
type turn struct {
	prev    State
	loadErr error
	// rate is the rate limit's verdict, counted with the event's start
	// (nil: count it as usual).
	rate *RateVerdict
	// save is set by handleTurn, instead of saving, for the caller to
	// save with the event's result.
	save *State
	ttl  time.Duration
}

func (e *Engine) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

// handleUnlogged is handle without the dedupe check (the lease did it).
func (e *Engine) handleUnlogged(ctx context.Context, m Message) (Reply, error) {
	return e.handle(ctx, m, false)
}

// handle answers m; checkSeen marks its event id seen first (Deduper).
func (e *Engine) handle(ctx context.Context, m Message, checkSeen bool) (Reply, error) {
	return e.handleTurn(ctx, m, checkSeen, nil)
}

// handleTurn is handle; with t, the conversation comes from t and the
// state to save goes back in it.
func (e *Engine) handleTurn(ctx context.Context, m Message, checkSeen bool, t *turn) (Reply, error) {
	log := e.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	ttl := e.StateTTL
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}

	if checkSeen && m.EventID != "" && e.Dedupe != nil {
		first, err := e.Dedupe.SeenOnce(ctx, m.Conversation.Platform+":"+m.EventID, DedupeTTL)
		switch {
		case err != nil:
			// Better to risk answering twice than not at all.
			log.WarnContext(ctx, "dedupe unavailable", "err", err)
		case !first:
			e.event("duplicate")
			return Reply{}, ErrDuplicate
		}
	}

	text := strings.ToValidUTF8(m.Text, "\uFFFD")
	var storeErr error
	var prev State
	var err error
	if t != nil {
		prev, err = t.prev, t.loadErr
	} else {
		prev, _, err = e.Store.Conversation(ctx, m.Conversation)
	}
	if err != nil {
		storeErr = fmt.Errorf("%w: %w", ErrNoState, err)
		e.event("state-unavailable")
		log.WarnContext(ctx, "conversation state unavailable", "err", err)
		prev = State{}
	}
	hint := ParseLang(m.Locale)

	if len(text) > MaxMessageBytes {
		lang := m.Lang
		if lang == "" {
			lang = e.NLU.Understand(truncate(text, 500), prev, hint).Lang
		}
		return Reply{Lang: lang, Intent: "too-long", Answer: Text(lang, MsgTooLong), Abstained: true}, storeErr
	}

	u, chosen := e.choice(m, text, prev)
	rendered := false
	switch {
	case m.Render != "":
		u, rendered = e.rendering(m, prev), true
	case !chosen:
		u = e.NLU.Understand(text, prev, hint)
	}
	lang := u.Lang
	if m.Lang != "" {
		lang = m.Lang
	}
	if lang == "" {
		lang = English
	}

	if e.Limiter != nil && u.Command != CmdForget {
		var ok bool
		var err error
		if t != nil && t.rate != nil {
			// Counted with the event's start, in the same round trip.
			ok, err = t.rate.OK, t.rate.Err
		} else {
			ok, _, err = e.Limiter.Allow(ctx, e.rateKey(m), e.rateLimit(), time.Minute)
		}
		switch {
		case err != nil:
			log.WarnContext(ctx, "rate limiter unavailable", "err", err)
		case !ok:
			e.event("rate-limited")
			return Reply{Lang: lang, Intent: "rate-limited", Answer: Text(lang, MsgRateLimited)}, storeErr
		}
	}

	var reply Reply
	// rerender is a language switch re-rendering the last answer: not a
	// question to paraphrase an answer for.
	rerender := u.Command == CmdSwitchLang || rendered
	switch u.Command {
	case CmdForget:
		if err := e.Store.Forget(ctx, m.Conversation.Platform, m.Conversation.User); err != nil {
			return Reply{Lang: lang, Intent: "forget", Answer: Text(lang, MsgForgetFailed)}, fmt.Errorf("forget: %w", err)
		}
		return Reply{Lang: lang, Intent: "forget", Answer: Text(lang, MsgForgotten)}, storeErr
	case CmdHelp:
		reply = Reply{Lang: lang, Intent: "help", Answer: Text(lang, MsgHelp)}
		prev.Lang = lang
	case CmdReview:
		reply = e.requestReview(ctx, m, u, lang, &prev)
	case CmdMyTickets:
		reply = e.myTickets(ctx, m, lang)
		prev.Lang = lang
	case CmdSwitchLang:
		if prev.Entry == "" {
			reply = Reply{Lang: lang, Intent: "lang", Answer: Text(lang, MsgLangSwitched)}
			prev.Lang = lang
			break
		}
		// Re-render the previous answer in the new language.
		u = Understanding{Lang: lang, Intent: prev.Intent, Entry: prev.Entry, Slots: prev.Slots, Confidence: 1, FollowUp: true,
			Review: prev.Review, Category: prev.Category}
		fallthrough
	default:
		if len(u.Clarify) > 0 {
			r, err := e.clarify(u, lang)
			if err != nil {
				return Reply{}, err
			}
			reply = r
			slots := u.Slots
			prev.Lang, prev.Clarify, prev.ClarifySlots, prev.ClarifyCat = lang, u.Clarify, &slots, ""
			if e.Inbox != nil {
				prev.Question = Redact(text)
			}
			if u.Review {
				prev.ClarifyCat = u.Category
				reply.NeedsReview, reply.Category = true, u.Category
				reply.ReviewReason = Text(lang, reviewReason(u.Category))
				if e.Reviews != nil {
					e.openReview(ctx, m, &reply, u.Slots, &prev)
				}
			}
			break
		}
		if u.Intent == "" || u.Entry == "" {
			reply = Reply{Lang: lang, Intent: "out-of-scope", Answer: Text(lang, MsgAbstain), Abstained: true, Confidence: u.Confidence}
			if u.Abstain == "out-of-scope" || u.Abstain == "unsure" {
				e.record(ctx, InboxItem{Kind: InboxAbstained, Lang: lang, Question: text})
			}
			// A new question ends any pending choice.
			prev.Lang, prev.Clarify, prev.ClarifySlots, prev.ClarifyCat = lang, nil, nil, ""
			if u.Review {
				// No answer from the guidance, but a situation a
				// coordinator should see: say so, and send it to one.
				reply.Answer = Text(lang, MsgAbstainReview)
				reply.NeedsReview, reply.Category = true, u.Category
				reply.ReviewReason = Text(lang, reviewReason(u.Category))
				if e.Reviews != nil {
					e.openReview(ctx, m, &reply, u.Slots, &prev)
				}
			}
			break
		}
		a, err := e.KB.Answer(u.Entry, lang, vars(u.Slots))
		if err != nil && (chosen || rendered) {
			// A button from an old message naming an entry that is gone.
			reply = Reply{Lang: lang, Intent: "choice", Answer: Text(lang, MsgNoSuchChoice)}
			prev.Lang, prev.Clarify, prev.ClarifySlots = lang, nil, nil
			break
		}
		if err != nil {
			return Reply{}, fmt.Errorf("answer %s: %w", u.Entry, err)
		}
		if u.Tentative {
			a.Text = dropVerdict(a.Text)
		}
		if u.Focus != "" {
			a = e.withFocus(a, u.Focus, lang)
		}
		if each := platformsSentence(lang, u.Slots); each != "" {
			a.Text += " " + each
		}
		reply = Reply{
			Lang: lang, Intent: u.Intent, Answer: a.Text, Citations: a.Citations,
			Confidence: u.Confidence, Entry: a.Entry, Platform: u.Slots.Platform,
		}
		if e.Paraphraser != nil && !rerender {
			if p, ok := e.paraphrase(ctx, log, text, a, lang); ok {
				reply.Answer, reply.Paraphrased = p, true
			}
		}
		switch {
		case a.Review && !u.General:
			reply.NeedsReview, reply.Category = true, a.Category
		case u.Review:
			reply.NeedsReview, reply.Category = true, u.Category
			if u.Category == CategoryBreach {
				reply.Answer += " " + Text(lang, MsgBreachNote)
			} else {
				reply.Answer += " " + Text(lang, MsgSituationNote)
			}
		}
		if reply.NeedsReview {
			reply.ReviewReason = Text(lang, reviewReason(reply.Category))
		}
		var question string
		if e.Inbox != nil {
			question = Redact(text)
		}
		switch {
		case chosen:
			e.record(ctx, InboxItem{Kind: InboxChoice, Lang: lang, Question: prev.Question, Entry: u.Entry, Options: prev.Clarify})
			question = prev.Question
		case rerender:
			question = prev.Question
		}
		if rendered && u.Entry != prev.Entry {
			// An older answer re-rendered: the conversation keeps its
			// latest answer, in the language asked for.
			prev.Lang = lang
		} else {
			prev = State{Lang: lang, Intent: u.Intent, Entry: u.Entry, Slots: u.Slots, Review: u.Review, Category: u.Category,
				Reviewed: prev.Reviewed, Question: question}
		}
		// A re-render finds the ticket its topic already has and names it
		// in the new language; it never opens a second one (nor a first:
		// a language button is not a new question).
		switch {
		case reply.NeedsReview && e.Reviews != nil && !rendered:
			e.openReview(ctx, m, &reply, u.Slots, &prev)
		case reply.NeedsReview && rendered:
			e.existingReview(&reply, u.Slots, prev)
		}
	}
	prev.Updated = now()
	if t != nil {
		// A copy goes back to the caller: taking prev's own address
		// would move it to the heap on every message, leased or not.
		save := prev
		t.save, t.ttl = &save, ttl
		return reply, storeErr
	}
	if err := e.Store.SaveConversation(ctx, m.Conversation, prev, ttl); err != nil && storeErr == nil {
		storeErr = fmt.Errorf("%w: %w", ErrNoState, err)
		e.event("state-unavailable")
		log.WarnContext(ctx, "conversation state not saved", "err", err)
	}
	return reply, storeErr
}

// rendering is the understanding that re-renders m.Render in m.Lang: with
// the conversation's slots and review flag when it is still that answer,
// else with the platform the button carried.
func (e *Engine) rendering(m Message, prev State) Understanding {
	lang := m.Lang
	if lang == "" {
		lang = cmpOr(prev.Lang, English)
	}
	u := Understanding{Lang: lang, Intent: m.Render, Entry: m.Render, Confidence: 1, FollowUp: true}
	if prev.Entry == m.Render {
		u.Intent, u.Slots, u.Review, u.Category = prev.Intent, prev.Slots, prev.Review, prev.Category
	} else if m.Platform != "" {
		u.Slots.Platform = m.Platform
	}
	return u
}

func cmpOr(l, d Lang) Lang {
	if l != "" {
		return l
	}
	return d
}

// existingReview names, in an answer, the ticket its topic already has in
// this conversation; false when it has none.
func (e *Engine) existingReview(reply *Reply, slots Slots, st State) bool {
	topic := TopicOf(*reply, slots)
	for _, r := range st.Reviewed {
		if t, id, _ := strings.Cut(r, "|"); t == topic {
			reply.Ticket = id
			reply.Answer += "\n\n" + fmt.Sprintf(Text(reply.Lang, MsgAlreadyNotified), id)
			return true
		}
	}
	return false
}

// choice reads a pick from a clarifying question's options: a button
// (m.Choice) or the option's number typed as text. chosen is false for any
// other message.
func (e *Engine) choice(m Message, text string, prev State) (u Understanding, chosen bool) {
	entry := m.Choice
	if entry == "" && len(prev.Clarify) > 0 {
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), ".")))
		if err != nil || n < 1 || n > len(prev.Clarify) {
			return Understanding{}, false
		}
		entry = prev.Clarify[n-1]
	}
	if entry == "" {
		return Understanding{}, false
	}
	lang := prev.Lang
	if m.Lang != "" {
		lang = m.Lang
	}
	if lang == "" {
		lang = English
	}
	u = Understanding{Lang: lang, Intent: entry, Entry: entry, Confidence: 1}
	if slices.Contains(prev.Clarify, entry) {
		if prev.ClarifySlots != nil {
			u.Slots = *prev.ClarifySlots
		}
		if prev.ClarifyCat != "" {
			u.Review, u.Category = true, prev.ClarifyCat
		}
	}
	return u, true
}

// clarify asks which of the understanding's candidate entries the user
// means: a short question and the options, numbered, in lang.
func (e *Engine) clarify(u Understanding, lang Lang) (Reply, error) {
	r := Reply{Lang: lang, Intent: "clarify", Confidence: u.Confidence}
	var b strings.Builder
	b.WriteString(Text(lang, MsgClarify))
	for i, entry := range u.Clarify {
		a, err := e.KB.Answer(entry, lang, vars(u.Slots))
		if err != nil {
			return Reply{}, fmt.Errorf("clarify %s: %w", entry, err)
		}
		o := Option{Entry: entry, Label: a.Label}
		if len(a.Citations) > 0 {
			o.Doc, o.Section = a.Citations[0].Doc, a.Citations[0].Section
		}
		r.Clarify = append(r.Clarify, o)
		fmt.Fprintf(&b, "\n%d. %s", i+1, o.Label)
	}
	r.Answer = b.String()
	return r, nil
}

// Render re-renders the conversation's last answer in lang (the
// "Français" / "English" buttons), and remembers lang for the conversation.
//
// With entry set (the button's own answer) it re-renders that entry, with
// platform filling its {platform}; the conversation's later answers,
// expiry and forget do not change what the button shows.
func (e *Engine) Render(ctx context.Context, key ConversationKey, lang Lang, entry, platform string) (Reply, error) {
	if entry != "" {
		return e.Handle(ctx, Message{Conversation: key, Render: entry, Platform: platform, Lang: lang})
	}
	text := "in English"
	if lang == French {
		text = "en français"
	}
	return e.Handle(ctx, Message{Conversation: key, Text: text, Lang: lang})
}

// openReview opens a ticket for an answer that needs review, once per
// conversation and topic, and tells the user. The user is told a
// coordinator was notified only once the ticket is stored.
func (e *Engine) openReview(ctx context.Context, m Message, reply *Reply, slots Slots, st *State) {
	if e.existingReview(reply, slots, *st) {
		return
	}
	topic := TopicOf(*reply, slots)
	t, err := e.Reviews.Open(ctx, m, *reply, reply.Category, topic)
	if errors.Is(err, ErrQueued) {
		reply.Ticket = t.ID
		reply.Answer += "\n\n" + fmt.Sprintf(Text(reply.Lang, MsgTicketQueued), t.ID)
		st.Reviewed = append(st.Reviewed, topic+"|"+t.ID)
		return
	}
	if err != nil {
		reply.Answer += "\n\n" + Text(reply.Lang, MsgTicketFailed)
		return
	}
	reply.Ticket = t.ID
	reply.Answer += "\n\n" + fmt.Sprintf(Text(reply.Lang, MsgNotified), t.ID)
	st.Reviewed = append(st.Reviewed, topic+"|"+t.ID)
}

// requestReview handles "review <details>": the user asks for a
// coordinator explicitly.
func (e *Engine) requestReview(ctx context.Context, m Message, u Understanding, lang Lang, st *State) Reply {
	reply := Reply{Lang: lang, Intent: "review", NeedsReview: true, Category: CategoryRequested,
		ReviewReason: Text(lang, MsgReasonRequested)}
	if e.Reviews == nil {
		reply.Answer = Text(lang, MsgNoReviews)
		return reply
	}
	msg := m
	if strings.TrimSpace(u.Details) != "" {
		msg.Text = u.Details
	} else if st.Entry != "" {
		msg.Text = "(" + st.Entry + ")"
	}
	t, err := e.Reviews.Open(ctx, msg, reply, CategoryRequested, CategoryRequested)
	if errors.Is(err, ErrQueued) {
		reply.Ticket = t.ID
		reply.Answer = fmt.Sprintf(Text(lang, MsgTicketQueued), t.ID)
		st.Lang = lang
		return reply
	}
	if err != nil {
		reply.Answer = Text(lang, MsgTicketFailed)
		return reply
	}
	reply.Ticket = t.ID
	reply.Answer = fmt.Sprintf(Text(lang, MsgNotified), t.ID)
	st.Lang = lang
	return reply
}

// myTicketsShown is how many of a requester's tickets "my tickets" lists.
const myTicketsShown = 5

// myTickets lists the requester's own review tickets with their status and,
// once resolved, the coordinator's resolution.
func (e *Engine) myTickets(ctx context.Context, m Message, lang Lang) Reply {
	reply := Reply{Lang: lang, Intent: "tickets"}
	if e.Reviews == nil {
		reply.Answer = Text(lang, MsgNoReviews)
		return reply
	}
	ts, err := e.Reviews.Mine(ctx, m.Conversation.UserID(), myTicketsShown)
	if err != nil {
		e.logger().WarnContext(ctx, "listing a requester's tickets failed", "err", err)
		reply.Answer = Text(lang, MsgTicketsFailed)
		return reply
	}
	if len(ts) == 0 {
		reply.Answer = Text(lang, MsgNoTickets)
		return reply
	}
	var b strings.Builder
	b.WriteString(Text(lang, MsgYourTickets))
	for _, t := range ts {
		b.WriteString("\n• ")
		b.WriteString(TicketSummary(lang, t))
	}
	reply.Answer = b.String()
	return reply
}

// TicketSummary is one line about a ticket for its requester: id, date,
// what it is about, and where it stands (the resolution once resolved).
func TicketSummary(lang Lang, t Ticket) string {
	about := truncateRunes(strings.Join(strings.Fields(t.Question), " "), 60)
	var status string
	switch t.Status {
	case StatusOpen:
		status = Text(lang, MsgTicketOpen)
	case StatusClaimed:
		status = Text(lang, MsgTicketClaimed)
	case StatusResolved:
		status = fmt.Sprintf(Text(lang, MsgTicketResolved), strings.Join(strings.Fields(t.Resolution), " "))
	default:
		status = string(t.Status)
	}
	return fmt.Sprintf(Text(lang, MsgTicketLine), t.ID, t.Created.UTC().Format("2006-01-02"), about, status)
}

// truncateRunes cuts s to at most n runes, with an ellipsis when cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func vars(s Slots) map[string]string {
	if s.Platform == "" {
		return nil
	}
	return map[string]string{"platform": s.Platform}
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// verdicts are the openings of curated answers that give a verdict.
var verdicts = []string{"Yes — ", "No — ", "Possibly — ", "Oui — ", "Non — ", "Peut-être — ",
	"Yes, ", "No, ", "Oui, ", "Non, "}

// dropVerdict removes an answer's opening verdict: the rest of the answer
// still stands, but the verdict may answer another question than the one
// asked.
func dropVerdict(text string) string {
	for _, v := range verdicts {
		if rest, ok := strings.CutPrefix(text, v); ok {
			r, size := utf8.DecodeRuneInString(rest)
			return string(unicode.ToUpper(r)) + rest[size:]
		}
	}
	return text
}

// platformsSentence speaks of each platform when a question names several
// of both kinds: "Of the platforms you name, LinkedIn was already reviewed;
// Threads and Mastodon were not."
func platformsSentence(lang Lang, s Slots) string {
	if len(s.Unreviewed) == 0 || len(s.Reviewed)+len(s.Unreviewed) < 2 {
		return ""
	}
	and := map[Lang]string{English: " and ", French: " et "}[lang]
	list := func(names []string) string {
		if len(names) == 1 {
			return names[0]
		}
		return strings.Join(names[:len(names)-1], ", ") + and + names[len(names)-1]
	}
	switch {
	case lang == French && len(s.Reviewed) == 0:
		return "Aucune des plateformes nommées (" + list(s.Unreviewed) + ") ne fait partie des sept déjà examinées."
	case lang == French:
		return "Des plateformes nommées, " + list(s.Reviewed) + " fai" + plural(len(s.Reviewed), "t", "saient") + " partie des sept déjà examinées; " +
			list(s.Unreviewed) + " non : pour " + map[bool]string{true: "celle-ci", false: "celles-ci"}[len(s.Unreviewed) == 1] + ", une ÉFVP peut être nécessaire."
	case len(s.Reviewed) == 0:
		return "None of the platforms you name (" + list(s.Unreviewed) + ") is one of the seven already reviewed."
	}
	return "Of the platforms you name, " + list(s.Reviewed) + " " + plural(len(s.Reviewed), "is", "are") + " among the seven already reviewed; " +
		list(s.Unreviewed) + " " + plural(len(s.Unreviewed), "is", "are") + " not, and a PIA may be required for " + plural(len(s.Unreviewed), "it", "them") + "."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// replyRecord is a Reply as the event log keeps it: JSON, with the fields
// the wire format leaves out.
type replyRecord struct {
	Reply
	Labels   []string `json:"labels,omitempty"`
	Platform string   `json:"platform,omitempty"`
}

func encodeRecord(r Reply) ([]byte, error) {
	rec := replyRecord{Reply: r, Platform: r.Platform}
	for _, c := range r.Citations {
		rec.Labels = append(rec.Labels, c.Label)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("event record: %w", err)
	}
	return b, nil
}

// decodeRecord reads a record: JSON, or gob as versions before 0.12 wrote
// it (records live DedupeTTL, so a rolling upgrade meets some).
func decodeRecord(b []byte) (Reply, error) {
	if len(b) > 0 && b[0] == '{' {
		var rec replyRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return Reply{}, fmt.Errorf("event record: %w", err)
		}
		r := rec.Reply
		r.Platform = rec.Platform
		if len(rec.Labels) == len(r.Citations) {
			for i := range r.Citations {
				r.Citations[i].Label = rec.Labels[i]
			}
		}
		return r, nil
	}
	var r Reply
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&r); err != nil {
		return Reply{}, fmt.Errorf("event record: %w", err)
	}
	return r, nil
}

// withFocus leads a's citations with the first citation of the focus
// entry (the part of the guidance the situation bears on most) and names
// it in the answer. An entry that is gone or cites nothing leaves a as it
// was: the focus only orders what the answer already says.
func (e *Engine) withFocus(a Answer, focus string, lang Lang) Answer {
	f, err := e.KB.Answer(focus, lang, nil)
	if err != nil || len(f.Citations) == 0 || f.Label == "" {
		return a
	}
	lead := f.Citations[0]
	cites := make([]Citation, 0, len(a.Citations)+1)
	cites = append(cites, lead)
	for _, c := range a.Citations {
		if c.Doc != lead.Doc || c.Section != lead.Section || c.Quote != lead.Quote {
			cites = append(cites, c)
		}
	}
	a.Citations = cites
	a.Text += " " + fmt.Sprintf(Text(lang, MsgFocus), lowerFirst(f.Label))
	return a
}

// lowerFirst lowercases a label's first letter to run on in a sentence.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
