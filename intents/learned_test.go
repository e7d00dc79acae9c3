package intents

import (
	"math"
	"testing"

	"github.com/commsbot/commsbot/knowledge"
)

// TestWordCacheChangesNothing: the learned model gives the same classes in
// the same order, with the same probabilities (to rounding), with its word
// cache as without, on every example it was trained on and on text with
// words it has never seen.
func TestWordCacheChangesNothing(t *testing.T) {
	kb, err := knowledge.Load()
	if err != nil {
		t.Fatal(err)
	}
	exs := kb.Examples()
	m := trainLearned(exs)
	if len(m.words) < 1000 {
		t.Fatalf("only %d words cached", len(m.words))
	}
	bare := *m
	bare.words = nil
	texts := []string{"zzyzx qwerty flurbish?", "Peut-on utiliser Mastodon pour notre ministère?", ""}
	for _, ex := range exs {
		texts = append(texts, ex.Text)
	}
	for _, text := range texts {
		toks := tokenize(text)
		got, want := m.predict(toks), bare.predict(toks)
		if len(got) != len(want) {
			t.Fatalf("%q: %d classes, want %d", text, len(got), len(want))
		}
		for i := range got {
			if got[i].Entry != want[i].Entry && math.Abs(got[i].P-want[i].P) > 1e-12 || math.Abs(got[i].P-want[i].P) > 1e-9 {
				t.Errorf("%q: #%d %s %.12f, uncached %s %.12f", text, i, got[i].Entry, got[i].P, want[i].Entry, want[i].P)
				break
			}
		}
	}
}

// TestCandidatesHoldEveryMatchingCue: the cue index never leaves out a cue
// that matches: on every example question, each cue that matches the
// message (tried one by one) is among the candidates.
func TestCandidatesHoldEveryMatchingCue(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	kb, err := knowledge.Load()
	if err != nil {
		t.Fatal(err)
	}
	matched := 0
	for _, ex := range kb.Examples() {
		a := c.analyse(ex.Text, "")
		cands := map[int]bool{}
		for _, id := range c.m.candidates(a.toks, nil) {
			cands[id] = true
		}
		for id, cu := range c.m.byID {
			if cu.match(a.toks) {
				matched++
				if !cands[id] {
					t.Errorf("%q: cue %q matches but is not a candidate", ex.Text, cu.src)
				}
			}
		}
	}
	if matched < 1000 {
		t.Errorf("only %d matches: the check proves little", matched)
	}
	if len(c.m.always) > 0 {
		t.Errorf("%d cues are tried on every message", len(c.m.always))
	}
}
