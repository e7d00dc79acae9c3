package intents

import (
	"testing"

	"github.com/commsbot/commsbot/bot"
)

// TestMinorsConsentDeclined: the sources do not settle consent for or from
// minors (A.7 is silent on age), so such a question is declined rather
// than answered from the consent section; a breach story about children's
// forms, or consent with no minor in it, is not.
func TestMinorsConsentDeclined(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"do we need a parent's consent before we share a photo of kids from the school visit?",
		"Faut-il le consentement des parents pour publier la photo d'un enfant de 10 ans?",
		"can a 15 year old consent to being on our mailing list?",
	} {
		if u := c.Understand(q, bot.State{}, ""); u.Abstain != "out-of-scope" {
			t.Errorf("%q: intent %q, abstain %q; want declined as out of scope", q, u.Intent, u.Abstain)
		}
	}
	for _, q := range []string{
		"do we need consent before adding someone to our mailing list?",
		"Un stagiaire a publié sur son compte des formulaires d'autorisation parentale avec les noms des enfants",
	} {
		if u := c.Understand(q, bot.State{}, ""); u.Abstain == "out-of-scope" {
			t.Errorf("%q was declined as out of scope", q)
		}
	}
}
