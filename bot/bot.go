// Package bot is commsbot's engine and its domain types.
//
// The packages around it implement the interfaces declared here: intents
// classifies messages, knowledge holds the curated answers, storage/memory and
// storage/redis keep conversation state, and the adapters translate platform
// events into Messages and Replies back into platform messages. bot imports
// none of them; cmd/commsbot wires them together.
package bot

import (
	"strings"
)

// Lang is an answer language: English or French.
type Lang string

// The two languages commsbot answers in.
const (
	English Lang = "en"
	French  Lang = "fr"
)

// ParseLang accepts "en", "fr" and locale strings such as "fr-CA" or "en_US".
// It returns "" for anything else.
func ParseLang(s string) Lang {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "en" || strings.HasPrefix(s, "en-") || strings.HasPrefix(s, "en_") || s == "english" || s == "anglais":
		return English
	case s == "fr" || strings.HasPrefix(s, "fr-") || strings.HasPrefix(s, "fr_") || s == "french" || s == "francais" || s == "français":
		return French
	}
	return ""
}

// Other returns the other language.
func (l Lang) Other() Lang {
	if l == French {
		return English
	}
	return French
}

// Message is one question from a user on some platform.
type Message struct {
	// Conversation identifies the conversation this message belongs to.
	Conversation ConversationKey
	// UserName is a display name, used only on review tickets.
	UserName string
	// Text is what the user typed.
	Text string
	// Locale is the platform's locale for the user ("fr-CA"), a hint used
	// when the text itself is ambiguous.
	Locale string
	// Lang, when set, forces the answer language.
	Lang Lang
	// EventID is the platform's id for the event that carried the message,
	// for deduplication; empty when there is none.
	EventID string
	// Permalink links to the message on its platform, for review tickets.
	Permalink string
	// Choice, when set, is the knowledge entry the user picked from a
	// clarifying question's options (a button); Text is then ignored.
	Choice string
	// Render, when set, re-renders this knowledge entry in Lang (a language
	// button): the answer the button belongs to, whatever the conversation
	// said since, and even after it expired or was forgotten. Platform is
	// the platform that answer named. Text is then ignored.
	Render   string
	Platform string
}

// ConversationKey says where a message was sent and by whom. Conversation
// state is kept per key.
type ConversationKey struct {
	Platform  string // "slack", "discord", "console", "cli"
	Workspace string // Slack team or Discord guild
	Channel   string
	Thread    string
	User      string // platform user id
}

// String renders the key as a stable storage key.
func (k ConversationKey) String() string {
	return strings.Join([]string{esc(k.Platform), esc(k.Workspace), esc(k.Channel), esc(k.Thread), esc(k.User)}, ":")
}

// UserID is the platform-qualified user id, e.g. "slack:U123".
func (k ConversationKey) UserID() string { return k.Platform + ":" + k.User }

func esc(s string) string { return strings.ReplaceAll(s, ":", "%3A") }

// Citation points at a section of a source text and quotes it verbatim.
type Citation struct {
	Doc     string `json:"doc"`
	Section string `json:"section"`
	Lang    Lang   `json:"lang"`
	Title   string `json:"title"`
	// Label is a human-readable section reference such as "Annex A, Q8".
	Label string `json:"-"`
	Quote string `json:"quote"`
}

// Key is the citation written DOC#SECTION.
func (c Citation) Key() string { return c.Doc + "#" + c.Section }

// Reply is the engine's answer to a Message.
type Reply struct {
	Lang         Lang       `json:"lang"`
	Intent       string     `json:"intent"`
	Answer       string     `json:"answer"`
	Citations    []Citation `json:"citations"`
	NeedsReview  bool       `json:"needs_review"`
	ReviewReason string     `json:"review_reason"`
	Confidence   float64    `json:"confidence"`
	// Entry is the knowledge entry the answer comes from; empty when the
	// engine abstained or answered a command.
	Entry string `json:"entry,omitempty"`
	// Abstained is true when the question is outside the guidance held.
	Abstained bool `json:"abstained,omitempty"`
	// Category is the review category when NeedsReview is true
	// (unreviewed-platform, other-use, secondary-use, other-pi, breach).
	Category string `json:"review_category,omitempty"`
	// Ticket is the review ticket opened for (or already covering) this
	// answer.
	Ticket string `json:"ticket,omitempty"`
	// Paraphrased is true when Answer is a model's rephrasing of the
	// curated answer that passed the paraphrase checks; Citations are the
	// knowledge base's either way.
	Paraphrased bool `json:"paraphrased"`
	// Clarify, when set, is a question back to the user instead of an
	// answer: 2 to 4 options, one of which the user picks (Message.Choice,
	// or the option's number as text). Citations are then empty.
	Clarify []Option `json:"clarify,omitempty"`
	// Platform is the platform the answer speaks of, for its language
	// button to re-render the same answer.
	Platform string `json:"-"`
}

// Answer is a curated answer rendered in one language, as the knowledge base
// returns it.
type Answer struct {
	Entry     string
	Text      string
	Citations []Citation
	// Review and Category come from the entry: the answer tells the user
	// that people must assess something.
	Review   bool
	Category string
	// Terms are the entry's key terms in the answer's language: words a
	// paraphrase must keep.
	Terms []string
	// Note is a sentence the knowledge base appended to the entry's text
	// (that the source is in English only), "" when none; Text ends with it.
	Note string
	// Label says in a few words what a user asking for this entry means:
	// the option offered when the engine asks which one they mean.
	Label string
}

// Example is an example question for a knowledge entry, from the data files
// an analyst edits; the classifier learns from them.
type Example struct {
	Entry string
	Lang  Lang
	Text  string
}

// Option is one choice of a clarifying question: the knowledge entry it
// answers from, the section that answer cites first, and a label in the
// user's language.
type Option struct {
	Entry   string `json:"entry"`
	Doc     string `json:"doc"`
	Section string `json:"section"`
	Label   string `json:"label"`
}
