package intents_test

import (
	"strings"
	"testing"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/intents"
	"github.com/commsbot/commsbot/knowledge"
)

// state is what the engine keeps of an answer for the next message.
func state(u bot.Understanding) bot.State {
	return bot.State{Lang: u.Lang, Intent: u.Intent, Entry: u.Entry, Slots: u.Slots, Review: u.Review, Category: u.Category}
}

// TestBreachConversationSteps: in a conversation about a breach, a short
// message naming another step of the guidance is answered from that step,
// and the breach stays flagged.
func TestBreachConversationSteps(t *testing.T) {
	nlu, err := intents.New()
	if err != nil {
		t.Fatal(err)
	}
	first := nlu.Understand("Our clerk emailed a client's file to the wrong person yesterday. How quickly must we tell her?", bot.State{}, "")
	if !strings.HasPrefix(first.Intent, "breach.") || !first.Review {
		t.Fatalf("first message: %s (review %v), want a breach flagged", first.Intent, first.Review)
	}
	for q, want := range map[string]string{
		"and the commissioner too?":                        "breach.commissioner",
		"et le commissaire?":                               "breach.commissioner",
		"what should go in the letter?":                    "breach.elements",
		"could we just put a notice on our website?":       "breach.indirect",
		"the person says they deleted it, does it matter?": "breach.containment",
		"il dit qu'il l'a détruit, ça change quoi?":        "breach.containment",
		"how long do we have?":                             "breach.timing",
	} {
		u := nlu.Understand(q, state(first), "")
		if u.Intent != want || !u.Review {
			t.Errorf("%q after a breach: %s (review %v), want %s flagged", q, u.Intent, u.Review, want)
		}
	}
	// Outside a breach conversation the same words are not a step.
	if u := nlu.Understand("and the commissioner too?", bot.State{}, ""); u.Review {
		t.Errorf("no conversation: flagged %+v", u.Detectors)
	}
}

// TestQuandMeme: French "quand même" (anyway) says nothing of when.
func TestQuandMeme(t *testing.T) {
	nlu, err := intents.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range nlu.Scores("Faut-il quand même aviser les clients?") {
		for _, c := range s.Cues {
			if c == "quand & aviser=2.5" {
				t.Errorf("%s scored on %q", s.Intent, c)
			}
		}
	}
}

// TestSituationCarriesToFollowUps: a follow-up in a situation already sent
// to a coordinator stays flagged; a question of its own, or a follow-up
// that removes what made it a situation, does not.
func TestSituationCarriesToFollowUps(t *testing.T) {
	nlu, err := intents.New()
	if err != nil {
		t.Fatal(err)
	}
	reuse := nlu.Understand("We want to reuse the emails people gave us for the contest to promote another campaign.", bot.State{}, "")
	if !reuse.Review || reuse.Category != bot.CategorySecondaryUse {
		t.Fatalf("first message: review %v %q, want a secondary use", reuse.Review, reuse.Category)
	}
	for _, q := range []string{"do we need to ask them first?", "et une ÉFVP?"} {
		if u := nlu.Understand(q, state(reuse), ""); !u.Review || u.Category != bot.CategorySecondaryUse {
			t.Errorf("%q: review %v %q, want the conversation's secondary use", q, u.Review, u.Category)
		}
	}
	if u := nlu.Understand("and if they emailed us asking to be added?", state(reuse), ""); u.Review {
		t.Errorf("people who asked to be added: still flagged %+v", u.Detectors)
	}
	platform := nlu.Understand("peut-on ouvrir un compte Mastodon pour le ministère?", bot.State{}, "")
	if !platform.Review || platform.Category != bot.CategoryUnreviewedPlatform {
		t.Fatalf("Mastodon: review %v %q", platform.Review, platform.Category)
	}
	if u := nlu.Understand("faut-il un consentement pour une liste d'envoi?", state(platform), ""); u.Review {
		t.Errorf("a question of its own after Mastodon: flagged %+v", u.Detectors)
	}
	health := nlu.Understand("Can we ask followers for their health conditions in a poll?", bot.State{}, "")
	if !health.Review || health.Category != bot.CategoryOtherPI {
		t.Fatalf("health: review %v %q", health.Review, health.Category)
	}
	if u := nlu.Understand("and if it's just their name and email?", state(health), ""); u.Review {
		t.Errorf("only what the standard PIBs hold: still flagged %+v", u.Detectors)
	}
}

// TestSituationsSession13: the detectors and decisions added in session 13.
func TestSituationsSession13(t *testing.T) {
	nlu, err := intents.New()
	if err != nil {
		t.Fatal(err)
	}
	flagged := map[string]string{
		// A list of people picked out by what they do or say.
		"Can we keep a spreadsheet of the accounts that keep attacking our program online?": bot.CategoryOtherUse,
		"On voudrait une liste des personnes qui critiquent la ministre sur X.":             bot.CategoryOtherUse,
		// Past tenses of a secondary use; a contest's entrants in a newsletter.
		"We shared the registrants' emails with the regional office for its own survey.": bot.CategorySecondaryUse,
		"Can we add all the contest entrants to our newsletter afterwards?":              bot.CategorySecondaryUse,
		// Employees listed by what they liked; everything one person posts;
		// people judged by what they posted.
		"HR wants the list of employees who liked our posts for their performance reviews.":  bot.CategoryOtherUse,
		"Mon directeur veut qu'on compile tout ce qu'il publie sur sa famille.":              bot.CategoryOtherUse,
		"Can we take a candidate's comments on our page into account in the hiring process?": bot.CategoryOtherUse,
		// A hypothetical that is the asker's own plan.
		"What if we add everyone who commented on our page to the newsletter?": bot.CategorySecondaryUse,
	}
	for q, cat := range flagged {
		u := nlu.Understand(q, bot.State{}, "")
		found := false
		for _, d := range u.Detectors {
			found = found || d.Category == cat
		}
		if !found || !u.Review {
			t.Errorf("%q: detectors %+v, review %v; want %s", q, u.Detectors, u.Review, cat)
		}
	}
	for _, q := range []string{
		"One of our posts is going viral for the wrong reasons. How do we respond?",
		// A public servant's own authority is no decision about others.
		"I'm a manager with staffing authority. Can I comment on a candidate's post?",
		// A hypothetical that is nobody's plan.
		"What if someone adds everyone who commented to a newsletter?",
		"What's the Criminal Code penalty for impersonating an official account?",
	} {
		if u := nlu.Understand(q, bot.State{}, ""); u.Review {
			t.Errorf("%q: flagged %+v", q, u.Detectors)
		}
	}
	for q, want := range map[string]string{
		"Which consistent uses do PSU 938 and PSU 914 list?":                   "secondary-use-consistent",
		"Quels usages compatibles les FRP standard prévoient-ils?":             "secondary-use-consistent",
		"Which uses are not covered by the prescribed processes?":              "other-uses",
		"Quelles utilisations ne sont pas couvertes par les processus prévus?": "other-uses",
	} {
		if u := nlu.Understand(q, bot.State{}, ""); u.Entry != want {
			t.Errorf("%q: entry %q, want %q", q, u.Entry, want)
		}
	}
}

// TestOutOfScopeByExamplesIsDeclined: a question the learned model knows
// to be out of scope, with a word of a situation in it (a credit card is
// financial information), gets no answer from the guidance; the detector's
// word still sends it to a coordinator.
func TestOutOfScopeByExamplesIsDeclined(t *testing.T) {
	kb, err := knowledge.Load()
	if err != nil {
		t.Fatal(err)
	}
	nlu, err := intents.NewWith(kb.Examples(), kb.PrimarySections(), kb.Situations())
	if err != nil {
		t.Fatal(err)
	}
	u := nlu.Understand("Can we pay for a boosted Instagram post with the department's credit card?", bot.State{}, "")
	if u.Entry != "" || len(u.Clarify) > 0 || !u.Review {
		t.Errorf("entry %q, clarify %v, review %v; want declined and flagged", u.Entry, u.Clarify, u.Review)
	}
}

// TestBreachNobodyToldYet: a breach told with the time gone by and nobody
// told yet is answered from the timing section.
func TestBreachNobodyToldYet(t *testing.T) {
	nlu, err := intents.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"Two weeks ago we noticed our volunteer sign-up sheet was posted publicly with everyone's phone numbers, and we haven't told anyone yet.",
		"Il y a dix jours, on a envoyé la liste des clients au mauvais organisme et nous n'avons toujours pas écrit aux clients.",
	} {
		u := nlu.Understand(q, bot.State{}, "")
		if u.Entry != "breach-timing" || !u.Review {
			t.Errorf("%q: entry %q, review %v; want breach-timing flagged", q, u.Entry, u.Review)
		}
	}
}

// TestHarmFactorFocus: the story of a breach that happened is answered as
// such (what to do about it), with the factor of significant harm its own
// words bear on as the focus; a story that names no factor, and a question
// that tells no story, have none.
func TestHarmFactorFocus(t *testing.T) {
	kb, err := knowledge.Load()
	if err != nil {
		t.Fatal(err)
	}
	nlu, err := intents.NewWith(kb.Examples(), kb.PrimarySections(), kb.Situations())
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"a staffer emailed the list of applicants with their health conditions to a vendor by mistake":                "breach-sensitivity",
		"Un employé a envoyé par erreur à un fournisseur la liste des clients avec leurs numéros d'assurance sociale": "breach-sensitivity",
		"an ex-employee still had access to our inbox and downloaded the complaints last week":                        "breach-relationships",
		"a USB key with counselling intake forms has gone missing from our office":                                    "breach-containment",
		"someone posted the spreadsheet of program participants and their allergies on our public page by accident":   "breach-sensitivity",
		"we sent the newsletter with everyone in cc instead of bcc":                                                   "",
	} {
		u := nlu.Understand(q, bot.State{}, "")
		if u.Entry != "breach-incident" || !u.Review {
			t.Errorf("%q: entry %q (review %v), want the breach story flagged", q, u.Entry, u.Review)
			continue
		}
		if u.Focus != want {
			t.Errorf("%q: focus %q, want %q", q, u.Focus, want)
		}
	}
	for _, q := range []string{"what must a breach notification letter include?", "Which platforms were already reviewed?"} {
		if u := nlu.Understand(q, bot.State{}, ""); u.Focus != "" {
			t.Errorf("%q: focus %q on a question that tells no story", q, u.Focus)
		}
	}
}

// TestLearnedSituationFlags: the model learned from questions labelled by
// whether their situation needs a coordinator flags an answer no detector
// flagged, when it is sure; it changes no answer, never says a breach
// happened, and without labelled situations nothing is flagged.
func TestLearnedSituationFlags(t *testing.T) {
	kb, err := knowledge.Load()
	if err != nil {
		t.Fatal(err)
	}
	q := "How long must we keep the comments we collect on our page?"
	plain, err := intents.NewWith(kb.Examples(), kb.PrimarySections(), nil)
	if err != nil {
		t.Fatal(err)
	}
	before := plain.Understand(q, bot.State{}, "")
	if before.Entry == "" || before.Review || len(before.Detectors) > 0 {
		t.Fatalf("without situations: entry %q, review %v, detectors %v; the test needs a plain answer", before.Entry, before.Review, before.Detectors)
	}
	situations := []bot.Example{
		{Entry: knowledge.SituationReview, Lang: bot.English, Text: "how long must we keep the comments we collect"},
		{Entry: knowledge.SituationReview, Lang: bot.English, Text: "how long do we keep comments collected on our page"},
		{Entry: knowledge.SituationReview, Lang: bot.English, Text: "must we keep the comments people leave on our page"},
		{Entry: knowledge.SituationNoReview, Lang: bot.English, Text: "which platforms were already reviewed"},
		{Entry: knowledge.SituationNoReview, Lang: bot.English, Text: "what is a personal information bank"},
		{Entry: knowledge.SituationNoReview, Lang: bot.English, Text: "who do we contact with questions about the notice"},
	}
	nlu, err := intents.NewWith(kb.Examples(), kb.PrimarySections(), situations)
	if err != nil {
		t.Fatal(err)
	}
	u := nlu.Understand(q, bot.State{}, "")
	if u.Entry != before.Entry || !u.Review || u.Category != bot.CategorySituation {
		t.Fatalf("with situations: entry %q (was %q), review %v, category %q; want the same answer flagged as a situation to assess",
			u.Entry, before.Entry, u.Review, u.Category)
	}
	if len(u.Detectors) != 1 || !strings.Contains(u.Detectors[0].Evidence, "situation needs a coordinator") {
		t.Errorf("detectors %v, want the learned situation model's", u.Detectors)
	}
	if u := nlu.Understand("Which platforms were already reviewed?", bot.State{}, ""); u.Review {
		t.Errorf("a question labelled no-review was flagged: %v", u.Detectors)
	}
}

// TestImpersonalBreachQuestion: a question about "a breach" that speaks of
// no case of the asker's own is general and not flagged; the same question
// about the breach, or from someone who had one, is.
func TestImpersonalBreachQuestion(t *testing.T) {
	nlu, err := intents.New()
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]bool{
		"Quel délai pour aviser les personnes touchées par une atteinte ?":        false,
		"How long to notify the people affected by a breach?":                     false,
		"Quel délai pour aviser les personnes touchées par l'atteinte de mardi ?": true,
		"How long do we have to notify the people affected by the breach?":        true,
	} {
		u := nlu.Understand(q, bot.State{}, "")
		if !strings.HasPrefix(u.Intent, "breach.") || u.Review != want {
			t.Errorf("%q: %s, review %v; want a breach step, review %v", q, u.Intent, u.Review, want)
		}
	}
}
