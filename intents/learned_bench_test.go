package intents

import (
	"slices"
	"testing"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/knowledge"
)

func BenchmarkLearnedPredict(b *testing.B) {
	var exs []bot.Example
	for i, q := range []string{"do we need consent for a mailing list?", "can we open an account on Threads?", "how long must we keep comments?", "our intern emailed the client list to the wrong person"} {
		for j := range 300 {
			exs = append(exs, bot.Example{Entry: string(rune('a' + (i*7+j)%49)), Text: q})
		}
	}
	m := trainLearned(exs)
	toks := tokenize("Our communications team would like to know whether we need to get consent before adding people who comment on our Facebook page to the newsletter mailing list")
	b.ReportAllocs()
	for b.Loop() {
		m.predict(toks)
	}
}

// BenchmarkPredictQuestions predicts every question of the sets once per
// iteration, from tokens with the lexicon's features (lexemes) and from
// the same tokens without (hashes).
func BenchmarkPredictQuestions(b *testing.B) {
	kb, err := knowledge.Load()
	if err != nil {
		b.Fatal(err)
	}
	c, err := NewWith(kb.Examples(), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	var withLex, without [][]token
	for _, q := range questionTexts(b)[:2000] {
		toks := c.tokens(q, nil)
		withLex = append(withLex, toks)
		bare := slices.Clone(toks)
		for i := range bare {
			bare[i].lx = nil
		}
		without = append(without, bare)
	}
	for _, bc := range []struct {
		name string
		toks [][]token
	}{{"lexemes", withLex}, {"hashes", without}} {
		b.Run(bc.name, func(b *testing.B) {
			out := make([]Candidate, 0, 64)
			for b.Loop() {
				for _, toks := range bc.toks {
					out = c.nb.predictInto(toks, out)
				}
			}
		})
	}
}
