package slack

import "github.com/commsbot/commsbot/bot"

// msg names one of the adapter's own messages (the engine's are in bot).
type msg int

const (
	msgWorking msg = iota
	msgError
	msgUsage
	msgPlatformUsage
	msgLangUsage
	msgPlatformQuestion
	msgNotCoordinator
	msgFeedbackThanks
	msgNeedsReview
	msgTicket
	msgMoreSources
	msgHelpful
	msgNotHelpful
	msgAskCoordinator
	msgOtherLang
	msgResolvedNotice
	msgNoOpenTickets
	msgOpenTickets
	msgNoReviews
	msgTicketGone
	msgTicketClosed
	msgAlreadyClaimed
	msgCheckFailed
	msgStillWorking
	msgFileNow
)

var texts = map[msg][2]string{
	msgWorking: {"⏳ One moment…", "⏳ Un instant…"},
	msgFileNow: {"File it now", "Transmettre maintenant"},
	msgStillWorking: {
		"⏳ I'm still answering this question (it arrived twice). The answer will be in the first reply; if none comes, ask again in a minute.",
		"⏳ Je réponds encore à cette question (elle est arrivée deux fois). La réponse sera dans la première réponse; si rien n’arrive, reposez-la dans une minute.",
	},
	msgError: {
		"Sorry, something went wrong on my side. Please try again in a moment.",
		"Désolé, un problème est survenu de mon côté. Veuillez réessayer dans un instant.",
	},
	msgUsage: {
		"*Slash command:* `/privacy <question>` · `/privacy platform <name>` · `/privacy review <details>` (ask an ATIP coordinator) · `/privacy lang en|fr` · `/privacy forget` · `/privacy help`. ATIP coordinators: `/privacy reviews`. You can also mention me in a channel or send me a direct message.",
		"*Commande :* `/privacy <question>` · `/privacy platform <nom>` · `/privacy review <détails>` (demander un coordonnateur de l’AIPRP) · `/privacy lang en|fr` · `/privacy forget` · `/privacy help`. Coordonnateurs de l’AIPRP : `/privacy reviews`. Vous pouvez aussi me mentionner dans une chaîne ou m’écrire en message direct.",
	},
	msgPlatformUsage: {"Which platform? For example: `/privacy platform Threads`.", "Quelle plateforme? Par exemple : `/privacy platform Threads`."},
	msgLangUsage:     {"Use `/privacy lang en` or `/privacy lang fr`.", "Utilisez `/privacy lang en` ou `/privacy lang fr`."},
	// %s is the platform's name.
	msgPlatformQuestion: {"can we use %s?", "peut-on utiliser %s?"},
	msgNotCoordinator: {
		"Only ATIP coordinators can do that. If you need one, use the “Ask an ATIP coordinator” button or `/privacy review <details>`.",
		"Seuls les coordonnateurs de l’AIPRP peuvent faire cela. Pour en joindre un, utilisez le bouton « Demander un coordonnateur de l’AIPRP » ou `/privacy review <détails>`.",
	},
	msgFeedbackThanks: {"Thanks — your feedback was recorded (counts only, no names).", "Merci — votre avis a été enregistré (des totaux seulement, aucun nom)."},
	msgNeedsReview:    {"⚑ Needs review by an ATIP coordinator", "⚑ À faire examiner par un coordonnateur de l’AIPRP"},
	msgTicket:         {"ticket %s", "billet %s"},
	msgMoreSources:    {"… and %d more sources.", "… et %d autres sources."},
	msgHelpful:        {"👍 Helpful", "👍 Utile"},
	msgNotHelpful:     {"👎 Not helpful", "👎 Pas utile"},
	msgAskCoordinator: {"Ask an ATIP coordinator", "Demander un coordonnateur de l’AIPRP"},
	// The button that switches to the other language is labelled in that
	// language: an English answer offers "Français".
	msgOtherLang: {"Français", "English"},
	// %s: ticket id, resolution note.
	msgResolvedNotice: {
		"✅ Your review request %s was resolved by an ATIP coordinator:\n>%s",
		"✅ Votre demande d’examen %s a été traitée par un coordonnateur de l’AIPRP :\n>%s",
	},
	msgNoOpenTickets: {"No open review tickets.", "Aucun billet d’examen ouvert."},
	msgOpenTickets:   {"*Review tickets not yet resolved* (newest first):", "*Billets d’examen non résolus* (les plus récents d’abord) :"},
	msgNoReviews:     {"Review tickets are not set up here.", "Les billets d’examen ne sont pas configurés ici."},
	msgTicketGone:    {"That review ticket no longer exists.", "Ce billet d’examen n’existe plus."},
	msgTicketClosed:  {"Ticket %s is already resolved.", "Le billet %s est déjà résolu."},
	msgAlreadyClaimed: {
		"Ticket %s is already %s.",
		"Le billet %s est déjà %s.",
	},
	msgCheckFailed: {
		"I could not check that just now. Please try again in a moment.",
		"Je n’ai pas pu vérifier cela pour le moment. Veuillez réessayer dans un instant.",
	},
}

func text(lang bot.Lang, id msg) string {
	if lang == bot.French {
		return texts[id][1]
	}
	return texts[id][0]
}
