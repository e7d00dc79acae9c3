package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/commsbot/commsbot/bot"
)

var updateGolden = flag.Bool("update-answers", false, "rewrite testdata/answers.golden from the current engine")

// goldenPath holds what the engine answers to every question of every set.
const goldenPath = "../../testdata/answers.golden"

// TestAnswersUnchanged answers every question set and compares each reply
// with testdata/answers.golden: the intent, the citations, the options of
// a clarification, the review flag and a hash of the text. A change made
// for speed must leave it as it is; a change meant to alter answers
// rewrites it with -update-answers, and the diff shows which answers moved.
// The file holds answers, not scores: it says nothing about which are
// right, so the frozen part stays unread.
func TestAnswersUnchanged(t *testing.T) {
	eng, err := newEngine(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, path := range questionSets(t) {
		items, err := loadEvalSet(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, it := range items {
			key := bot.ConversationKey{Platform: "golden", User: "u", Thread: fmt.Sprint(path, i)}
			if it.Conversation != "" {
				key.Thread = path + "/" + it.Conversation
			}
			rep, err := eng.Handle(context.Background(), bot.Message{Conversation: key, Text: it.Q})
			if err != nil {
				t.Fatalf("%s: %v", it.ID, err)
			}
			out.WriteString(goldenLine(it.ID, rep))
		}
	}
	if *updateGolden {
		if err := os.WriteFile(goldenPath, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/commsbot -run TestAnswersUnchanged -update-answers)", err)
	}
	if !bytes.Equal(want, out.Bytes()) {
		got, wantLines := bytes.Split(out.Bytes(), []byte("\n")), bytes.Split(want, []byte("\n"))
		shown := 0
		for i := 0; i < len(got) || i < len(wantLines); i++ {
			var g, w []byte
			if i < len(got) {
				g = got[i]
			}
			if i < len(wantLines) {
				w = wantLines[i]
			}
			if !bytes.Equal(g, w) && shown < 20 {
				t.Errorf("answer changed:\n  was %s\n  now %s", w, g)
				shown++
			}
		}
		t.Errorf("answers differ from %s (rewrite it with -update-answers if the change is meant)", goldenPath)
	}
}

// goldenLine summarises one reply on one line.
func goldenLine(id string, rep bot.Reply) string {
	var cites, opts []string
	for _, c := range rep.Citations {
		cites = append(cites, c.Key())
	}
	for _, o := range rep.Clarify {
		opts = append(opts, o.Entry)
	}
	sum := sha256.Sum256([]byte(rep.Answer))
	b, _ := json.Marshal(struct {
		ID      string   `json:"id"`
		Lang    bot.Lang `json:"lang"`
		Intent  string   `json:"intent,omitempty"`
		Cites   []string `json:"cites,omitempty"`
		Clarify []string `json:"clarify,omitempty"`
		Review  bool     `json:"review,omitempty"`
		Text    string   `json:"text"`
	}{id, rep.Lang, rep.Intent, cites, opts, rep.NeedsReview, fmt.Sprintf("%x", sum[:6])})
	return string(b) + "\n"
}
