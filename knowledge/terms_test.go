package knowledge_test

import (
	"strings"
	"testing"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/knowledge"
)

// Key terms are what a paraphrase must keep (llm): each must be in the
// answer it belongs to, or there is nothing to keep, and the Answer must
// carry them.
func TestKeyTermsAreInTheirAnswers(t *testing.T) {
	kb, err := knowledge.Load()
	if err != nil {
		t.Fatal(err)
	}
	norm := strings.NewReplacer("’", "'").Replace
	for _, id := range kb.Entries() {
		for _, lang := range []bot.Lang{bot.English, bot.French} {
			a, err := kb.Answer(id, lang, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Terms) == 0 || len(kb.Terms(id, lang)) != len(a.Terms) {
				t.Errorf("%s (%s): terms %q", id, lang, a.Terms)
			}
			for _, term := range a.Terms {
				if !strings.Contains(strings.ToLower(norm(a.Text)), strings.ToLower(norm(term))) {
					t.Errorf("%s (%s): key term %q is not in the answer", id, lang, term)
				}
			}
			if a.Note != "" && !strings.HasSuffix(a.Text, " "+a.Note) {
				t.Errorf("%s (%s): text does not end with its note %q", id, lang, a.Note)
			}
		}
	}
	if kb.Terms("no-such-entry", bot.English) != nil {
		t.Error("terms for an unknown entry")
	}
}
