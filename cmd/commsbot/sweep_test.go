package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"testing"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/intents"
	"github.com/commsbot/commsbot/internal/evalset"
	"github.com/commsbot/commsbot/knowledge"
	"github.com/commsbot/commsbot/storage/memory"
)

// TestCalibrationTrace writes, for 5-fold cross-validation on the tuning
// part only, the cue engine's reading and the learned model's candidates of
// every question, with the model trained on the other folds' examples. The
// combination's cut-offs (intents/combine.go) were chosen from it. It runs
// only when COMMSBOT_TRACE names the output file.
func TestCalibrationTrace(t *testing.T) {
	out := os.Getenv("COMMSBOT_TRACE")
	if out == "" {
		t.Skip("set COMMSBOT_TRACE=FILE to write the calibration trace")
	}
	paths, _ := filepath.Glob("../../testdata/*.jsonl")
	tune, _, err := evalset.Split(paths...)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := knowledge.Load()
	if err != nil {
		t.Fatal(err)
	}
	fold := func(it evalset.Item) int {
		k := it.Conversation
		if k == "" {
			k = it.ID
		}
		h := fnv.New32a()
		fmt.Fprintf(h, "fold|%s|%s", it.Set, k)
		return int(h.Sum32() % 5)
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	for k := range 5 {
		held := map[string]bool{}
		for _, it := range tune {
			if fold(it) == k {
				held[it.Q] = true
			}
		}
		var exs []bot.Example
		for _, ex := range kb.Examples() {
			if !held[ex.Text] {
				exs = append(exs, ex)
			}
		}
		nlu, err := intents.NewWith(exs, kb.PrimarySections())
		if err != nil {
			t.Fatal(err)
		}
		var cur map[string]any
		nlu.Trace = func(text string, cue bot.Understanding, cands []intents.Candidate, final bot.Understanding) {
			top := cands
			if len(top) > 6 {
				top = top[:6]
			}
			cur = map[string]any{"cue_entry": cue.Entry, "cue_conf": cue.Confidence, "cue_abstain": cue.Abstain,
				"followup": cue.FollowUp, "cands": top, "final_entry": final.Entry, "review": final.Review, "detectors": final.Detectors}
		}
		eng := &bot.Engine{NLU: nlu, KB: kb, Store: memory.New()}
		for i, it := range tune {
			if fold(it) != k {
				continue
			}
			key := bot.ConversationKey{Platform: "eval", User: "u", Thread: fmt.Sprint(i)}
			if it.Conversation != "" {
				key.Thread = it.Set + "/" + it.Conversation
			}
			cur = nil
			rep, err := eng.Handle(context.Background(), bot.Message{Conversation: key, Text: it.Q})
			if err != nil {
				t.Fatal(err)
			}
			first := ""
			if len(rep.Citations) > 0 {
				first = rep.Citations[0].Key()
			}
			_ = enc.Encode(map[string]any{"id": it.ID, "expect": it.Expect, "oos": it.OOS, "want_review": it.Review,
				"got": first, "needs_review": rep.NeedsReview, "trace": cur, "clarify": rep.Clarify})
		}
	}
}
