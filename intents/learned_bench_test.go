package intents

import (
	"testing"

	"github.com/commsbot/commsbot/bot"
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
