package intents_test

import (
	"testing"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/intents"
)

// TestBreachStoriesInOtherWords: incidents told without "breach", in the
// grammar of either language, are seen by the breach detectors themselves
// (the cue engine alone, without the learned model's help).
func TestBreachStoriesInOtherWords(t *testing.T) {
	nlu, err := intents.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		// Sent to another person of the same kind as the intended one.
		"We mailed one resident's benefit statement to another resident by mistake last week.",
		"La lettre de décision d'un demandeur a été envoyée à un autre demandeur.",
		"Our clerk faxed a student's report card to another student.",
		// Word order: "avait encore accès", not only "encore accès".
		"Un ancien employé avait encore accès au dossier partagé des plaintes.",
		// Nobody knows who picked it up.
		"The binder was left at the front counter and no one knows who picked it up.",
		"Le cartable est resté au comptoir et personne ne sait qui l'a ramassé.",
	} {
		u := nlu.Understand(q, bot.State{}, "")
		found := false
		for _, d := range u.Detectors {
			found = found || d.Category == bot.CategoryBreach
		}
		if !found || !u.Review {
			t.Errorf("%q: detectors %+v, review %v; want a breach seen", q, u.Detectors, u.Review)
		}
	}
	// Sending to another department or to a colleague is not by itself an
	// incident.
	for _, q := range []string{
		"Can we forward a complaint from our page to another department?",
		"What should a notification letter to affected individuals contain?",
	} {
		u := nlu.Understand(q, bot.State{}, "")
		for _, d := range u.Detectors {
			if d.Category == bot.CategoryBreach {
				t.Errorf("%q: breach detected (%q)", q, d.Evidence)
			}
		}
	}
}

// TestOtherProvincesLaws: another province's law is outside the sources
// (declined), however strongly its words match the breach guidance; a
// breach that happened there is still answered and flagged.
func TestOtherProvincesLaws(t *testing.T) {
	nlu, err := intents.New()
	if err != nil {
		t.Fatal(err)
	}
	for q, oos := range map[string]bool{
		"Does Manitoba's privacy legislation require us to notify the affected individuals of a privacy breach?": true,
		"En Ontario, la loi oblige-t-elle un organisme municipal à aviser le commissaire?":                       true,
		"Does the Nova Scotia act require notifying the Commissioner of a privacy breach?":                       true,
		"We lost a USB key with client files at our Saskatchewan office. Does the law require notice?":           false,
	} {
		u := nlu.Understand(q, bot.State{}, "")
		if got := u.Abstain == "out-of-scope"; got != oos {
			t.Errorf("%q: out of scope %v (abstain %q, entry %q), want %v", q, got, u.Abstain, u.Entry, oos)
		}
	}
}
