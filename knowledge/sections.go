package knowledge

import (
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/commsbot/commsbot/bot"
)

// Section is one citable part of a source text.
type Section struct {
	Doc     string
	ID      string
	Lang    bot.Lang
	Heading string
	// Text is the section's own text, without its heading and without the
	// text of its sub-sections.
	Text string
	// Parent is the ID of the enclosing section ("harm" for
	// "harm.containment"), or "".
	Parent string
}

// heading marks where a section starts in a source text: the first line, at
// or after the previous heading, that begins with Prefix.
type heading struct {
	id     string
	prefix string
}

// docSpec describes how to cut one source text into sections. Text before
// the first heading belongs to lead (or is the title when lead is "").
type docSpec struct {
	lead     string
	headings []heading
	// end is the line prefix where the citable text stops (page furniture).
	end string
}

// pinHeadings builds the section list of the implementation notice from the
// heading titles of its 8 numbered sections and its 11 annex questions.
func pinHeadings(body []string, annex string, questions []string) []heading {
	var hs []heading
	for i, t := range body {
		hs = append(hs, heading{id: fmt.Sprint(i + 1), prefix: fmt.Sprintf("%d. %s", i+1, t)})
	}
	hs = append(hs, heading{id: "", prefix: annex})
	for i, t := range questions {
		hs = append(hs, heading{id: fmt.Sprintf("A.%d", i+1), prefix: fmt.Sprintf("%d. %s", i+1, t)})
	}
	return hs
}

// specs cut the sources into exactly the sections listed in
// ../shared/citations.md. Keyed by doc, then language.
var specs = map[string]map[bot.Lang]docSpec{
	"pin-2021-01": {
		bot.English: {
			headings: pinHeadings(
				[]string{"Effective date", "Authorities", "Application", "Purpose", "Background", "Guidelines", "References", "Enquiries"},
				"Annex A: Questions and Answers",
				[]string{"What are the prescribed", "Which social media platforms", "Are existing official", "What uses of official",
					"If a department wants", "Can personal information be used", "Should consent be obtained before collecting",
					"Should consent be obtained from the individual", "When is a PIA", "Does a PIB", "How long does personal"}),
			end: "Page details",
		},
		bot.French: {
			headings: pinHeadings(
				[]string{"Date d’entrée en vigueur", "Pouvoirs", "Application", "Objectif", "Contexte", "Lignes directrices", "Documents de référence", "Demandes de renseignements"},
				"Annexe A : Questions et réponses",
				[]string{"Quels sont les processus", "Quelles sont les plateformes", "Est-ce que les comptes", "Quelles sont les utilisations",
					"Un ministère peut-il", "Peut-on utiliser", "Faut-il obtenir le consentement d’une personne avant de recueillir",
					"Faut-il obtenir le consentement d’une personne avant de l’ajouter", "Quand faut-il", "Est-ce que le contenu", "Quelle est la durée"}),
			end: "Détails de la page",
		},
	},
	"psc-political-sm": {
		bot.English: {
			lead: "rights",
			headings: []heading{
				{"rights", "Balancing rights and responsibilities"},
				{"dos-donts", "Dos and don’ts for public servants"},
				{"consider", "What to consider"},
				{"other-considerations", "Other considerations"},
				{"improper", "Improper political activities"},
				{"other-online", "Other online activities"},
				{"support", "Guidance and support"},
			},
			end: "Page details",
		},
	},
	"bc-breach-notify": {
		bot.English: {
			lead: "intro",
			headings: []heading{
				{"harm", "Assessing Significant Harm"},
				{"harm.sensitivity", "The sensitivity, context, and amount"},
				{"harm.individuals", "The individuals affected"},
				{"harm.relationships", "The relationships of those involved"},
				{"harm.containment", "Ability to contain the breach"},
				{"timing", "Conducting notifications without unreasonable delay"},
				{"individuals", "Notifying the Affected Individuals"},
				{"individuals.verbal", "Verbal notification"},
				{"individuals.indirect", "Indirect notifications"},
				{"elements", "Notification Elements"},
				{"exceptions", "Exceptions to the Notification Requirements"},
				{"commissioner", "Notifying the Commissioner"},
				{"help", "Get Help"},
			},
		},
	},
}

// parseSections cuts one source text into its sections. It fails when a
// heading of the spec is not found, so a changed source text cannot silently
// shift citations.
func parseSections(doc string, lang bot.Lang, text string, spec docSpec) ([]Section, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var (
		out  []Section
		cur  *Section
		next int
		body []string
	)
	flush := func() {
		if cur != nil {
			cur.Text = strings.TrimSpace(strings.Join(body, "\n"))
			// A section that appears twice (psc "rights": lead text and its
			// heading) is merged.
			if n := len(out); n > 0 && out[n-1].ID == cur.ID {
				out[n-1].Text = strings.TrimSpace(out[n-1].Text + "\n\n" + cur.Text)
				out[n-1].Heading = cur.Heading
			} else {
				out = append(out, *cur)
			}
		}
		cur, body = nil, nil
	}
	start := 0
	if spec.lead != "" {
		cur = &Section{Doc: doc, ID: spec.lead, Lang: lang, Heading: "Introduction"}
		start = 1 // the first line is the document title
	}
	for _, line := range lines[start:] {
		trimmed := strings.TrimSpace(line)
		if spec.end != "" && strings.HasPrefix(trimmed, spec.end) {
			break
		}
		if next < len(spec.headings) && line == strings.TrimLeft(line, " \t\u00a0") && strings.HasPrefix(Normalize(trimmed), Normalize(spec.headings[next].prefix)) {
			flush()
			h := spec.headings[next]
			next++
			if h.id != "" {
				cur = &Section{Doc: doc, ID: h.id, Lang: lang, Heading: trimmed, Parent: parentOf(h.id)}
			}
			continue
		}
		if cur != nil {
			body = append(body, line)
		}
	}
	flush()
	if next < len(spec.headings) {
		return nil, fmt.Errorf("%s.%s.txt: heading %q not found", doc, lang, spec.headings[next].prefix)
	}
	return out, nil
}

// parentOf returns "harm" for "harm.containment"; the annex questions
// ("A.8") have no parent.
func parentOf(id string) string {
	if strings.HasPrefix(id, "A.") {
		return ""
	}
	if i := strings.LastIndexByte(id, '.'); i > 0 {
		return id[:i]
	}
	return ""
}

var quoteFolder = strings.NewReplacer("\u2019", "'", "\u2018", "'", "\u201c", `"`, "\u201d", `"`)

// Normalize folds what a verbatim quote may differ in: Unicode composition,
// curly versus straight quotes, and runs of whitespace including non-breaking
// spaces.
func Normalize(s string) string {
	s = norm.NFC.String(s)
	s = quoteFolder.Replace(s)
	// strings.Fields splits on every Unicode space, non-breaking ones
	// included.
	return strings.Join(strings.Fields(s), " ")
}
