package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/storage/memory"
)

// clarifyingQuestion is a question the real classifier is unsure about:
// the cue engine and the learned model disagree on its section.
const clarifyingQuestion = "which activities are pre-cleared for our accounts?"

func askClarify(t *testing.T, eng *bot.Engine, key bot.ConversationKey) bot.Reply {
	t.Helper()
	r, err := eng.Handle(context.Background(), bot.Message{Conversation: key, Text: clarifyingQuestion})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Clarify) < 2 || len(r.Clarify) > 4 {
		t.Fatalf("%q: want a clarifying question with 2 to 4 options, got %+v", clarifyingQuestion, r)
	}
	if len(r.Citations) != 0 || r.Abstained {
		t.Errorf("a clarifying question cites nothing and does not abstain: %+v", r)
	}
	seen := map[string]bool{}
	for _, o := range r.Clarify {
		if o.Entry == "" || o.Doc == "" || o.Section == "" || o.Label == "" {
			t.Errorf("incomplete option %+v", o)
		}
		if seen[o.Doc+"#"+o.Section] {
			t.Errorf("two options answer from %s#%s", o.Doc, o.Section)
		}
		seen[o.Doc+"#"+o.Section] = true
	}
	return r
}

func TestClarifyThenChooseByNumber(t *testing.T) {
	eng, kb := wire(t, nil)
	key := bot.ConversationKey{Platform: "console", User: "u1"}
	q := askClarify(t, eng, key)
	want := q.Clarify[1]
	r, err := eng.Handle(context.Background(), bot.Message{Conversation: key, Text: "2"})
	if err != nil {
		t.Fatal(err)
	}
	checkReply(t, kb, "2", r)
	if r.Entry != want.Entry || len(r.Citations) == 0 || r.Citations[0].Doc != want.Doc || r.Citations[0].Section != want.Section {
		t.Fatalf("choosing 2 answered %q citing %v, want %s (%s#%s)", r.Entry, r.Citations, want.Entry, want.Doc, want.Section)
	}
	// The choice is answered once: "2" afterwards is no longer a choice
	// (the pending options are gone; a chosen answer has confidence 1,
	// whatever the classifier makes of a bare "2").
	st, _, _ := eng.Store.Conversation(context.Background(), key)
	if len(st.Clarify) != 0 {
		t.Errorf("options still pending after the choice: %v", st.Clarify)
	}
	r2, _ := eng.Handle(context.Background(), bot.Message{Conversation: key, Text: "2"})
	if r2.Confidence == 1 {
		t.Errorf("a second \"2\" was read as a choice again: %+v", r2)
	}
}

func TestClarifyThenChooseByButton(t *testing.T) {
	eng, kb := wire(t, nil)
	key := bot.ConversationKey{Platform: "slack", User: "u2"}
	q := askClarify(t, eng, key)
	want := q.Clarify[0]
	r, err := eng.Handle(context.Background(), bot.Message{Conversation: key, Choice: want.Entry, Lang: bot.French})
	if err != nil {
		t.Fatal(err)
	}
	checkReply(t, kb, "choice", r)
	if r.Entry != want.Entry || r.Lang != bot.French {
		t.Errorf("button answered %q in %s, want %q in French", r.Entry, r.Lang, want.Entry)
	}
	// A follow-up continues the conversation from the chosen answer.
	st, ok, err := eng.Store.Conversation(context.Background(), key)
	if err != nil || !ok || st.Entry != want.Entry || len(st.Clarify) != 0 {
		t.Errorf("state after the choice = %+v (ok %v, err %v), want entry %q and no pending options", st, ok, err, want.Entry)
	}
}

func TestChoiceOfUnknownEntry(t *testing.T) {
	eng, _ := wire(t, nil)
	key := bot.ConversationKey{Platform: "slack", User: "u3"}
	r, err := eng.Handle(context.Background(), bot.Message{Conversation: key, Choice: "no-such-entry"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Answer != bot.Text(bot.English, bot.MsgNoSuchChoice) || len(r.Citations) != 0 {
		t.Errorf("unknown choice answered %+v", r)
	}
}

func TestNumberWithoutPendingQuestionIsAQuestion(t *testing.T) {
	eng, _ := wire(t, nil)
	key := bot.ConversationKey{Platform: "console", User: "u4"}
	r, err := eng.Handle(context.Background(), bot.Message{Conversation: key, Text: "2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Citations) != 0 || r.Entry != "" {
		t.Errorf("\"2\" out of the blue answered %+v", r)
	}
}

func TestInboxRecordsUse(t *testing.T) {
	store := memory.New()
	eng, _ := wire(t, store)
	eng.Inbox = store
	ctx := context.Background()
	key := bot.ConversationKey{Platform: "slack", User: "u5"}
	askClarify(t, eng, key)
	if _, err := eng.Handle(ctx, bot.Message{Conversation: key, Text: "1"}); err != nil {
		t.Fatal(err)
	}
	if err := eng.Feedback(ctx, key, false); err != nil {
		t.Fatal(err)
	}
	other := bot.ConversationKey{Platform: "slack", User: "u6"}
	if _, err := eng.Handle(ctx, bot.Message{Conversation: other, Text: "what's the best pizza in Gatineau? call me at 613-555-0199"}); err != nil {
		t.Fatal(err)
	}
	items, err := store.Inbox(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bot.InboxItem{}
	for _, it := range items {
		got[it.Kind] = it
	}
	if c := got[bot.InboxChoice]; c.Question != clarifyingQuestion || c.Entry == "" || len(c.Options) < 2 {
		t.Errorf("choice = %+v", c)
	}
	if d := got[bot.InboxThumbsDown]; d.Question != clarifyingQuestion || d.Entry != got[bot.InboxChoice].Entry {
		t.Errorf("thumbs-down = %+v", d)
	}
	if a := got[bot.InboxAbstained]; !strings.Contains(a.Question, "pizza") || strings.Contains(a.Question, "555-0199") {
		t.Errorf("abstention = %+v (want the question, redacted)", a)
	}
}
