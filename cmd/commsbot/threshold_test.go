package main

import (
	"fmt"
	"testing"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/intents"
	"github.com/commsbot/commsbot/knowledge"
)

// TestAbstentionThreshold sweeps the cue engine's abstention threshold over
// the tuning part of the question sets (which include out-of-scope and
// prompt-injection questions), with the classifier as it answers: the cue
// engine and the learned model, which rescues or overrules unsure answers.
// The learned model is trained without the tuning part's questions, so that
// it does not know the answers it is swept on. The test checks that
// intents.Threshold is within a whisker of the best trade-off between
// answering in-scope questions and abstaining on the rest, and fails if the
// cues or the model change so much that it should be tuned again.
func TestAbstentionThreshold(t *testing.T) {
	// The tuning part only: the frozen part is never tuned on.
	items, _, err := splitEvalSets(questionSets(t)...)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := knowledge.Load()
	if err != nil {
		t.Fatal(err)
	}
	asked := map[string]bool{}
	for _, it := range items {
		asked[it.Q] = true
	}
	var exs []bot.Example
	for _, ex := range kb.Examples() {
		if !asked[ex.Text] {
			exs = append(exs, ex)
		}
	}
	c, err := intents.NewWith(exs, kb.PrimarySections(), nil)
	if err != nil {
		t.Fatal(err)
	}
	score := func(th float64) float64 {
		c.Threshold = th
		var in, answered, oos, abstained int
		prev := map[string]bot.State{}
		for _, it := range items {
			st := prev[it.Set+"/"+it.Conversation]
			u := c.Understand(it.Q, st, "")
			if it.Conversation != "" && u.Intent != "" {
				prev[it.Set+"/"+it.Conversation] = bot.State{Lang: u.Lang, Intent: u.Intent, Entry: u.Entry, Slots: u.Slots}
			}
			replied := u.Entry != "" || len(u.Clarify) > 0
			if it.OOS {
				oos++
				if !replied {
					abstained++
				}
				continue
			}
			in++
			if replied {
				answered++
			}
		}
		return float64(answered)/float64(in) + float64(abstained)/float64(oos)
	}
	best, bestTh := 0.0, 0.0
	var table string
	for th := 0.30; th <= 0.601; th += 0.04 {
		s := score(th)
		table += fmt.Sprintf("  threshold %.2f: %.3f\n", th, s)
		if s > best {
			best, bestTh = s, th
		}
	}
	chosen := score(intents.Threshold)
	t.Logf("answered in-scope + abstained out-of-scope, by threshold:\n%s", table)
	t.Logf("best %.3f at %.2f; intents.Threshold %.2f scores %.3f", best, bestTh, intents.Threshold, chosen)
	// The whisker is 0.025: with tune44 the sweep prefers 0.50–0.54 by
	// 0.021, and moving there lost held-out answers (see intents.Threshold).
	if chosen < best-0.025 {
		t.Errorf("intents.Threshold %.2f scores %.3f, but %.2f scores %.3f: tune it again", intents.Threshold, chosen, bestTh, best)
	}
}
