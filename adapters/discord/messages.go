package discord

import "github.com/commsbot/commsbot/bot"

// msgID names one of the adapter's own texts.
type msgID int

const (
	msgError msgID = iota
	msgUnsupported
	msgThanks
	msgNotCoordinator
	msgNoTicket
	msgTicketConflict
	msgResolvedOK
	msgNoOpenTickets
	msgPlatformQuestion
	msgNeedsReview
	msgTicket
	msgAskCoordinator
	msgOpenTickets
	msgResolvedTitle
	msgResolvedBody
	msgOtherLanguage
	msgAlreadyClaimed
	msgAlreadyResolved
)

var texts = map[msgID][2]string{
	msgError: {
		"Sorry, something went wrong on my side. Please try again in a moment.",
		"Désolé, un problème est survenu de mon côté. Veuillez réessayer dans un instant.",
	},
	msgUnsupported: {
		"I don't know that action. Try `/" + CommandName + " ask`.",
		"Je ne connais pas cette action. Essayez `/" + commandNameFR + " " + askNameFR + "`.",
	},
	msgThanks: {
		"Thanks — your feedback was counted (anonymously).",
		"Merci — votre avis a été compté (de façon anonyme).",
	},
	msgNotCoordinator: {
		"Only ATIP coordinators can do that.",
		"Seuls les coordonnateurs de l’AIPRP peuvent faire cela.",
	},
	msgNoTicket: {
		"There is no review ticket %s.",
		"Il n’y a pas de billet d’examen %s.",
	},
	msgTicketConflict: {
		"Ticket %s has changed meanwhile (already claimed or resolved).",
		"Le billet %s a changé entre-temps (déjà pris en charge ou résolu).",
	},
	msgResolvedOK: {
		"Ticket %s is resolved; the requester will be told.",
		"Le billet %s est résolu; la personne qui l’a demandé en sera avisée.",
	},
	msgNoOpenTickets: {
		"No review tickets are waiting.",
		"Aucun billet d’examen n’est en attente.",
	},
	msgPlatformQuestion: {
		"Can we use %s for an official account?",
		"Peut-on utiliser %s pour un compte officiel?",
	},
	msgNeedsReview: {
		"⚑ Needs review by an ATIP coordinator",
		"⚑ À faire examiner par un coordonnateur de l’AIPRP",
	},
	msgTicket: {
		"Ticket: %s",
		"Billet : %s",
	},
	msgAskCoordinator: {
		"Ask an ATIP coordinator",
		"Demander à un coordonnateur de l’AIPRP",
	},
	msgOpenTickets: {
		"Review tickets waiting",
		"Billets d’examen en attente",
	},
	msgResolvedTitle: {
		"Your review request %s is resolved",
		"Votre demande d’examen %s est traitée",
	},
	msgResolvedBody: {
		"An ATIP coordinator resolved your request:",
		"Un coordonnateur de l’AIPRP a traité votre demande :",
	},
	msgOtherLanguage: {
		"Français",
		"English",
	},
	msgAlreadyClaimed: {
		"Ticket %s is already claimed by %s.",
		"Le billet %s est déjà pris en charge par %s.",
	},
	msgAlreadyResolved: {
		"Ticket %s is already resolved.",
		"Le billet %s est déjà résolu.",
	},
}

// categoryLabels name the review categories (bot.Category*) for people,
// in English and French.
var categoryLabels = map[string][2]string{
	bot.CategoryUnreviewedPlatform: {"unreviewed platform", "plateforme non examinée"},
	bot.CategoryOtherUse:           {"use outside the four covered uses", "utilisation hors des quatre utilisations prévues"},
	bot.CategorySecondaryUse:       {"secondary use", "utilisation secondaire"},
	bot.CategoryOtherPI:            {"personal information beyond the standard PIBs", "renseignements personnels au-delà des FRP ordinaires"},
	bot.CategoryBreach:             {"privacy breach", "atteinte à la vie privée"},
	bot.CategoryRequested:          {"requested by the user", "demandé par la personne"},
	bot.CategorySituation:          {"situation to assess (learned model)", "situation à évaluer (modèle appris)"},
}

// categoryLabel is a review category in both languages, for the
// coordinators ("privacy breach · atteinte à la vie privée"); an unknown
// category is shown as it is.
func categoryLabel(c string) string {
	if l, ok := categoryLabels[c]; ok {
		return l[0] + " · " + l[1]
	}
	return c
}

// categoryLabelIn is a review category in one language.
func categoryLabelIn(lang bot.Lang, c string) string {
	l, ok := categoryLabels[c]
	switch {
	case !ok:
		return c
	case lang == bot.French:
		return l[1]
	}
	return l[0]
}

func text(lang bot.Lang, id msgID) string {
	if lang == bot.French {
		return texts[id][1]
	}
	return texts[id][0]
}
