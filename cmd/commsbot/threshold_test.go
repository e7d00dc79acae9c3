package main

import (
	"fmt"
	"testing"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/intents"
)

// TestAbstentionThreshold sweeps the classifier's abstention threshold over
// the tuning part of the question sets (which include out-of-scope and prompt-injection
// questions) and checks that intents.Threshold is within a whisker of the
// best trade-off between answering in-scope questions and abstaining on
// the rest. It fails if the cues change so much that the threshold should
// be tuned again.
func TestAbstentionThreshold(t *testing.T) {
	// The tuning part only: the frozen part is never tuned on.
	items, _, err := splitEvalSets(questionSets(t)...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := intents.New()
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
			if it.OOS {
				oos++
				if u.Intent == "" {
					abstained++
				}
				continue
			}
			in++
			if u.Intent != "" {
				answered++
			}
		}
		return float64(answered)/float64(in) + float64(abstained)/float64(oos)
	}
	best, bestTh := 0.0, 0.0
	var table string
	for th := 0.20; th <= 0.701; th += 0.02 {
		s := score(th)
		table += fmt.Sprintf("  threshold %.2f: %.3f\n", th, s)
		if s > best {
			best, bestTh = s, th
		}
	}
	chosen := score(intents.Threshold)
	t.Logf("answered in-scope + abstained out-of-scope, by threshold:\n%s", table)
	t.Logf("best %.3f at %.2f; intents.Threshold %.2f scores %.3f", best, bestTh, intents.Threshold, chosen)
	if chosen < best-0.02 {
		t.Errorf("intents.Threshold %.2f scores %.3f, but %.2f scores %.3f: tune it again", intents.Threshold, chosen, bestTh, best)
	}
}
