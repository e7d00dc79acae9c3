package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/intents"
	"github.com/commsbot/commsbot/knowledge"
	"github.com/commsbot/commsbot/storage/memory"
)

var updateCalibration = flag.Bool("update-calibration", false, "refit intents/calibration.json from the 5-fold cross-validation of the tuning part")

// TestCalibrationTrace cross-validates the learned model on the tuning part
// only (5 folds: the model trained on the other folds' examples) and fails
// if its top-1 falls below 0.85 (it was 0.89 when the cut-offs of
// intents/combine.go were chosen from this run's trace). With
// COMMSBOT_TRACE=FILE it writes, for every question, the cue engine's
// reading and the learned model's candidates: the calibration trace.
func TestCalibrationTrace(t *testing.T) {
	out := os.Getenv("COMMSBOT_TRACE")
	if out == "" {
		out = filepath.Join(t.TempDir(), "trace.jsonl")
	}
	paths, _ := filepath.Glob("../../testdata/*.jsonl")
	tune, _, err := splitEvalSets(paths...)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := knowledge.Load()
	if err != nil {
		t.Fatal(err)
	}
	fold := func(it evalItem) int {
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
	primary := kb.PrimarySections()
	judged, right := 0, 0
	var raws []float64
	var oks []bool
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
		nlu, err := intents.NewWith(exs, kb.PrimarySections(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var cur map[string]any
		var top string
		nlu.Trace = func(text string, cue bot.Understanding, cands []intents.Candidate, final bot.Understanding) {
			if len(cands) > 0 {
				top = cands[0].Entry
			}
			top := cands
			if len(top) > 6 {
				top = top[:6]
			}
			cur = map[string]any{"cue_entry": cue.Entry, "cue_conf": cue.Confidence, "cue_abstain": cue.Abstain,
				"followup": cue.FollowUp, "cands": top, "final_entry": final.Entry, "final_conf": final.Confidence, "review": final.Review, "detectors": final.Detectors}
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
			cur, top = nil, ""
			rep, err := eng.Handle(context.Background(), bot.Message{Conversation: key, Text: it.Q})
			if err != nil {
				t.Fatal(err)
			}
			first := ""
			if len(rep.Citations) > 0 {
				first = rep.Citations[0].Key()
			}
			if cur != nil && !cur["followup"].(bool) && top != "" {
				judged++
				if it.OOS && top == intents.OutOfScope || !it.OOS && matches(primary[top], it.Expect) {
					right++
				}
			}
			if cur != nil && !it.OOS && len(rep.Citations) > 0 && cur["final_entry"] != "" {
				raws = append(raws, cur["final_conf"].(float64))
				oks = append(oks, matches(first, it.Expect))
			}
			_ = enc.Encode(map[string]any{"id": it.ID, "lang": it.Lang, "expect": it.Expect, "oos": it.OOS, "want_review": it.Review,
				"got": first, "needs_review": rep.NeedsReview, "trace": cur, "clarify": rep.Clarify})
		}
	}
	// The reported confidence is the raw score through the calibration
	// map: on these answers it must say how often they are right at least
	// as well as the raw score does.
	// Besides the cross-validated answers (whose cue engine was tuned on
	// these sets, so they flatter), the answers tuning sets got when they
	// were first scored, blind, before any change made for them: how
	// confidence fares on writers the bot has never seen.
	firstRaws, firstOks := firstScores(t, tune)
	cal := fitCalibration(append(slices.Clone(raws), firstRaws...), append(slices.Clone(oks), firstOks...), 40,
		fmt.Sprintf("5-fold cross-validation of the tuning part (%d answers) and first blind scores of tuning sets (%d answers)", len(raws), len(firstRaws)))
	if *updateCalibration {
		b, err := json.MarshalIndent(cal, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("../../intents/calibration.json", append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stored := storedCalibration(t)
	var rawB, calB float64
	for i, x := range raws {
		y := 0.0
		if oks[i] {
			y = 1
		}
		p := stored.Apply(x)
		rawB += (x - y) * (x - y)
		calB += (p - y) * (p - y)
	}
	n := float64(max(len(raws), 1))
	t.Logf("confidence Brier score on the cross-validated answers: raw %.3f, calibrated %.3f (%d answers)", rawB/n, calB/n, len(raws))
	if calB > rawB {
		t.Errorf("the stored calibration makes confidence worse on the tuning part (Brier %.3f > raw %.3f): refit with -update-calibration", calB/n, rawB/n)
	}
	acc := float64(right) / float64(max(judged, 1))
	t.Logf("learned model, 5-fold cross-validated top-1 on the tuning part: %.3f of %d", acc, judged)
	if acc < 0.85 {
		t.Errorf("learned model's cross-validated top-1 %.3f < 0.85", acc)
	}
}

// firstScores reads testdata/firstscores/SET.jsonl, the answers a tuning
// set got when it was scored once, blind (its id, confidence and first
// citation), and returns the confidence of each direct answer to an
// in-scope question and whether it was right.
func firstScores(t *testing.T, tune []evalItem) (raws []float64, oks []bool) {
	t.Helper()
	byID := map[string]evalItem{}
	for _, it := range tune {
		byID[it.Set+"/"+it.ID] = it
	}
	paths, _ := filepath.Glob("../../testdata/firstscores/*.jsonl")
	for _, p := range paths {
		set := strings.TrimSuffix(filepath.Base(p), ".jsonl")
		if !tuneOnlySets[set] {
			t.Fatalf("%s: first scores are kept for tuning sets only", p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.SplitSeq(strings.TrimSpace(string(b)), "\n") {
			var o struct {
				ID         string  `json:"id"`
				Confidence float64 `json:"confidence"`
				Cited      string  `json:"cited"`
			}
			if err := json.Unmarshal([]byte(line), &o); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			it, ok := byID[set+"/"+o.ID]
			if !ok {
				t.Fatalf("%s: %s is not a question of %s", p, o.ID, set)
			}
			if it.OOS || o.Cited == "" {
				continue
			}
			raws = append(raws, o.Confidence)
			oks = append(oks, matches(o.Cited, it.Expect))
		}
	}
	return raws, oks
}
