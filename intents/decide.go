package intents

import (
	"strings"

	"github.com/commsbot/commsbot/bot"
)

// entryOf is the knowledge entry for intents whose answer does not depend on
// slots.
var entryOf = map[string]string{
	"pin.effective-date":     "pin-effective-date",
	"pin.authorities":        "pin-authorities",
	"pin.application":        "pin-application",
	"pin.purpose":            "pin-purpose",
	"pin.background":         "pin-background",
	"pin.guidelines":         "pin-guidelines",
	"pin.references":         "pin-references",
	"pin.enquiries":          "pin-enquiries",
	"pin.processes":          "prescribed-processes",
	"pin.platform":           "platforms-reviewed-list",
	"pin.pia":                "pia-required",
	"pin.existing":           "existing-accounts",
	"pin.uses":               "covered-uses",
	"pin.other-use":          "other-uses",
	"pin.secondary":          "secondary-use",
	"pin.consent-collection": "consent-collection",
	"pin.consent-mailing":    "consent-mailing-list",
	"pin.pib":                "pib-standard",
	"pin.retention":          "retention",
	"psc.applies":            "psc-applies",
	"psc.rights":             "psc-rights",
	"psc.deputy":             "psc-deputy-heads",
	"psc.dos-donts":          "psc-dos-donts",
	"psc.consider":           "psc-consider",
	"psc.other-online":       "psc-other-online",
	"psc.improper":           "psc-improper",
	"psc.support":            "psc-support",
	"breach.incident":        "breach-incident",
	"breach.scope":           "breach-scope",
	"breach.harm":            "breach-harm",
	"breach.sensitivity":     "breach-sensitivity",
	"breach.individuals":     "breach-individuals",
	"breach.relationships":   "breach-relationships",
	"breach.containment":     "breach-containment",
	"breach.timing":          "breach-timing",
	"breach.notice-method":   "breach-notify-individuals",
	"breach.verbal":          "breach-verbal",
	"breach.indirect":        "breach-indirect",
	"breach.elements":        "breach-elements",
	"breach.exceptions":      "breach-exceptions",
	"breach.commissioner":    "breach-commissioner",
	"breach.help":            "breach-help",
}

// The consistent uses that A.6 lists for the standard PIBs: moderating
// discussions, evaluating programs, establishing distribution lists, and
// transferring questions and complaints within or outside the department.
var (
	consistentUseRe = mustPhrases(` (moderat|moderer|evaluat|evaluer|evaluation|distribution list|mailing list|liste de diffusion|liste d envoi|newsletter|infolettre|consistent use|usage compatible|utilisation compatible|fin compatible|fins compatibles)`)
	// consistentUseTermRe names the notion itself.
	consistentUseTermRe = mustPhrases(` (consistent use|consistent uses|usage compatible|usages compatibles|utilisation compatible|utilisations compatibles|fin compatible|fins compatibles|compatible use|compatible uses|uses consistent|usages coherents|utilisations coherentes)( |$)`)
	transferRe          = mustPhrases(` (transfer|forward|pass|refer|route|send|transmettre|transferer|acheminer|envoyer|faire suivre|follow up|faire un suivi)`)
	questionsRe         = mustPhrases(` (question|complain|plainte|enquiries|inquiries|inquiry|enquiry|demande|request|message|dm |courriel)`)
	// pia and newAccountRe tell a question about a PIA or a new account
	// from one about what to do with an account.
	piaRe        = mustPhrases(` (pia|privacy impact|impact assessment|evaluation des facteurs)`)
	newAccountRe = mustPhrases(` (open|opening|create|creating|start|starting|launch|launching|set up|setting up|new|ouvrir|creer|lancer|nouveau|nouvelle|demarrer|approved|reviewed|examine|list|liste|platform|plateforme)`)
)

// lateRe: the people affected have not been told yet, or the asker fears
// it is late.
var lateRe = mustPhrases(` (haven t told|have not told|haven t notified|have not notified|haven t informed|have not informed|haven t contacted|have not contacted|haven t reached|not told anyone|told no one|told nobody|not yet (told|notified|informed|contacted|written)|nobody has been told|no one has been told|pas encore (avise|avises|avisee|avisees|ecrit|informe|informes|contacte|contactes|prevenu|prevenus|dit)|avise personne|informe personne|prevenu personne|contacte personne|n avons (pas encore|toujours pas)|toujours pas (avise|ecrit|informe|prevenu)|too late|trop tard|are we late|already late|sommes nous en retard|on est en retard|deja en retard)( |$)`)

// notCoveredRe asks about the uses outside the covered ones: A.5's
// subject, not A.4's.
var notCoveredRe = mustPhrases(` (not covered|do not cover|don t cover|does not cover|doesn t cover|ne couvrent pas|ne couvre pas|aren t covered|are not covered|isn t covered|is not covered|not among the covered|outside the covered|other than the (four |4 )?covered|beyond the (four |4 )?covered|pas couvert|pas couverts|pas couverte|pas couvertes|non couvert|non couverts|non couverte|non couvertes|non vise|non visees|non prevu|non prevus|non prevue|non prevues|pas prevu|pas prevus|pas prevue|pas prevues|autres que les (quatre |4 )?(utilisations|usages))( |$)`)

// otherPurposeRe names purposes that are none of A.6's consistent uses:
// information sent on "for a fundraiser" is not a question transferred for
// an answer.
var otherPurposeRe = mustPhrases(` (fundrais|fund rais|donat|don |dons |foundation|fondation|campaign|campagne|partisan|political|politique|party|parti |election|vote|marketing|market |advertis|ad campaign|ads |flyers?|publicite|pub |promot|sell|sale|vendre|vente|sollicit|recruit|recrut|survey|sondage|research|recherche|enquete|investigat|profil|track|suivre les|partner|partenaire|gala|briefing|note d information|note de breffage|case example|case stud|etude de cas|exemples de cas|speech|discours|minister s office|ministers office|cabinet du ministre|bureau du ministre|(for|pour) (its|their|his|her|sa|son|ses|leur|leurs) (own|propre|propres)|to invite|pour les inviter|(another|other|different|new|separate) (program|programs|branch|team|service|department|unit|initiative|project|organization)|(autre|autres|nouveau|nouvelle) (programme|programmes|direction|equipe|service|ministere|unite|initiative|projet|organisme))`)

func consistentUse(folded *scanned) bool {
	if otherPurposeRe.Match(folded) {
		return false
	}
	return consistentUseRe.Match(folded) || transferRe.Match(folded) && questionsRe.Match(folded)
}

func coveredUse(uses []string) bool {
	for _, u := range uses {
		if Covered(u) && u != UseBroadcasting {
			return true
		}
	}
	return false
}

// decide applies the notice's decision logic to an intent and its slots,
// choosing the knowledge entry and whether people must review the case.
func decide(u bot.Understanding, folded *scanned) bot.Understanding {
	s := u.Slots
	otherUse := false
	for _, use := range s.Uses {
		if !Covered(use) {
			otherUse = true
		}
	}
	unreviewed := (s.Platform != "" && !s.PlatformReviewed) || (s.Platform == "" && s.NewPlatform)

	switch u.Intent {
	case "pin.platform", "pin.pia", "pin.uses", "pin.other-use":
		switch {
		// Uses other than the four covered ones (A.5), on any platform.
		case otherUse || u.Intent == "pin.other-use" || u.Intent == "pin.uses" && notCoveredRe.Match(folded):
			u.Entry = "other-uses"
		// A platform that was not analysed (A.9): a PIA may be required.
		case unreviewed:
			u.Entry = "platform-unreviewed"
		// Personal information the standard PIBs do not list (A.10), on
		// a reviewed platform.
		case beyondStandardPI(s.PersonalInfo):
			u.Entry = "pib-other-pi"
		// A reviewed platform used within the covered uses: no PIA (A.9).
		case s.Platform != "" && (u.Intent == "pin.pia" || piaRe.Match(folded)):
			u.Entry = "platform-reviewed-pia"
		// What to do with an account on a reviewed platform: the uses (A.4).
		case s.Platform != "" && coveredUse(s.Uses) && !newAccountRe.Match(folded):
			u.Entry = "covered-uses"
		case s.Platform != "" && u.Intent != "pin.uses":
			u.Entry = "platform-reviewed"
		default:
			u.Entry = entryOf[u.Intent]
		}
	case "pin.processes":
		// How to open an account on a platform nobody reviewed: that
		// platform's answer says what the processes add (A.9).
		u.Entry = entryOf[u.Intent]
		if s.Platform != "" && unreviewed {
			u.Entry = "platform-unreviewed"
		}
	case "pin.secondary":
		u.Entry = "secondary-use"
		if consistentUse(folded) {
			u.Entry = "secondary-use-consistent"
		}
	case "breach.incident":
		// The duty to notify in general, or a breach that happened.
		u.Entry = "breach-duty"
		switch {
		// A breach nobody has been told about yet, or told late: the
		// question is whether it is too late (timing).
		case s.Incident && lateRe.Match(folded):
			u.Intent, u.Entry = "breach.timing", "breach-timing"
		case s.Incident:
			u.Entry = "breach-incident"
		}
	case "pin.pib":
		u.Entry = "pib-standard"
		switch {
		case beyondStandardPI(s.PersonalInfo):
			u.Entry = "pib-other-pi"
		// The consistent uses of the standard PIBs are listed in A.6, not
		// in A.10 (what the PIBs hold): "what consistent uses do PSU 938
		// and PSU 914 allow?" is answered there.
		case consistentUseTermRe.Match(folded):
			u.Entry = "secondary-use-consistent"
		}
	default:
		// An intent of the cue file has its entry; an entry an analyst
		// added with examples only is its own intent.
		if e, ok := entryOf[u.Intent]; ok {
			u.Entry = e
		} else if u.Entry == "" {
			u.Entry = u.Intent
		}
	}
	// A breach that happened needs people, whatever part of the breach
	// guidance answers the question.
	if s.Incident && strings.HasPrefix(u.Intent, "breach.") {
		u.Review, u.Category = true, "breach"
	}
	return u
}
