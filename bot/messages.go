package bot

// MsgID names one of the engine's own (non-knowledge) messages.
type MsgID int

// The engine's own messages, each in English and French.
const (
	MsgAbstain MsgID = iota
	MsgHelp
	MsgAbstainReview
	MsgTooLong
	MsgForgotten
	MsgForgetFailed
	MsgLangSwitched
	MsgRateLimited
	MsgBreachNote
	MsgSituationNote
	MsgClarify
	MsgNoSuchChoice
	MsgReasonUnreviewedPlatform
	MsgReasonOtherUse
	MsgReasonSecondaryUse
	MsgReasonOtherPI
	MsgReasonBreach
	MsgReasonRequested
	MsgNotified
	MsgAlreadyNotified
	MsgTicketFailed
	MsgTicketQueued
	MsgNoReviews
	MsgYourTickets
	MsgNoTickets
	MsgTicketsFailed
	MsgTicketLine
	MsgTicketOpen
	MsgTicketClaimed
	MsgTicketResolved
	MsgFocus
	MsgReasonSituation
)

var messages = map[MsgID][2]string{
	MsgFocus: {
		"For your case, start with this factor: %s.",
		"Dans votre cas, commencez par ce facteur : %s.",
	},
	MsgAbstain: {
		"I can't answer that from the guidance I hold. I can only answer from the Privacy Implementation Notice 2021-01 on official social media accounts, the Public Service Commission's guidance on political activities and social media, and the B.C. guidance on privacy breach notifications. For anything else, please ask your ATIP coordinator.",
		"Je ne peux pas répondre à cette question à partir des lignes directrices dont je dispose. Je réponds seulement à partir de l’avis de mise en œuvre 2021-01 sur les comptes de médias sociaux officiels, des lignes directrices de la Commission de la fonction publique sur les activités politiques et les médias sociaux, et des lignes directrices de la C.-B. sur les avis d’atteinte à la vie privée. Pour toute autre question, veuillez vous adresser à votre coordonnateur de l’AIPRP.",
	},
	MsgAbstainReview: {
		"I can't answer that from the guidance I hold, but it sounds like a situation an ATIP coordinator should assess.",
		"Je ne peux pas répondre à cette question à partir des lignes directrices dont je dispose, mais votre situation devrait être évaluée par un coordonnateur de l’AIPRP.",
	},
	MsgHelp: {
		"Ask me about privacy on official social media accounts: which platforms are already reviewed and when a PIA is needed, the four covered uses, consent (including mailing lists), personal information banks, retention, and secondary uses (Privacy Implementation Notice 2021-01); political activities of public servants on social media (Public Service Commission); and what to do about a privacy breach (B.C. guidance). Every answer cites its source. Say \"review\" followed by your situation to ask an ATIP coordinator, \"my tickets\" to follow your requests, \"in French\" to switch language, \"forget me\" to erase our conversation.",
		"Posez-moi vos questions sur la protection des renseignements personnels dans les comptes de médias sociaux officiels : les plateformes déjà examinées et quand une ÉFVP est nécessaire, les quatre utilisations prévues, le consentement (y compris pour les listes de diffusion), les fichiers de renseignements personnels, la conservation et les fins secondaires (avis de mise en œuvre 2021-01); les activités politiques des fonctionnaires sur les médias sociaux (Commission de la fonction publique); et que faire en cas d’atteinte à la vie privée (lignes directrices de la C.-B.). Chaque réponse cite sa source. Dites « revue » suivi de votre situation pour demander un coordonnateur de l’AIPRP, « mes demandes » pour suivre vos demandes, « en anglais » pour changer de langue, « oublie-moi » pour effacer notre conversation.",
	},
	MsgTooLong: {
		"That message is too long for me to read reliably. Please ask your question in a few sentences.",
		"Ce message est trop long pour que je le lise de façon fiable. Veuillez poser votre question en quelques phrases.",
	},
	MsgForgotten: {
		"Done — I have deleted everything I remembered about our conversations.",
		"C’est fait — j’ai supprimé tout ce que je gardais de nos conversations.",
	},
	MsgForgetFailed: {
		"Sorry, I could not delete our conversations just now. Please try again in a moment.",
		"Désolé, je n’ai pas pu supprimer nos conversations pour le moment. Veuillez réessayer dans un instant.",
	},
	MsgLangSwitched: {
		"Okay, I will answer in English.",
		"D’accord, je vais vous répondre en français.",
	},
	MsgRateLimited: {
		"You are asking questions faster than I can answer them. Please wait a minute and try again.",
		"Vous posez des questions plus vite que je ne peux y répondre. Veuillez attendre une minute et réessayer.",
	},
	MsgBreachNote: {
		"Because this breach has already happened, have your ATIP coordinator or privacy office assess it now.",
		"Comme cette atteinte s’est déjà produite, demandez dès maintenant à votre coordonnateur de l’AIPRP ou à votre bureau de la protection de la vie privée de l’évaluer.",
	},
	MsgSituationNote: {
		"My advice: what you describe goes beyond what this guidance settles, so have an ATIP coordinator assess your situation.",
		"Mon conseil : ce que vous décrivez dépasse ce que ces lignes directrices règlent; demandez à un coordonnateur de l’AIPRP d’évaluer votre situation.",
	},
	MsgClarify: {
		"I want to be sure I answer the right question. Which of these do you mean?",
		"Je veux être certain de répondre à la bonne question. Laquelle de ces questions voulez-vous poser?",
	},
	MsgNoSuchChoice: {
		"That choice is no longer available. Please ask your question again.",
		"Ce choix n’est plus offert. Veuillez poser votre question de nouveau.",
	},
	MsgReasonUnreviewedPlatform: {
		"The platform is not one of the seven already reviewed: a PIA and a legal analysis may be required.",
		"La plateforme ne fait pas partie des sept déjà examinées : une ÉFVP et une analyse juridique pourraient être nécessaires.",
	},
	MsgReasonOtherUse: {
		"The use is outside the four covered uses: the department must do its own analysis.",
		"L’utilisation dépasse les quatre utilisations prévues : le ministère doit faire sa propre analyse.",
	},
	MsgReasonSecondaryUse: {
		"A secondary use of personal information must be assessed: consent or a PIA may be required.",
		"Une utilisation secondaire de renseignements personnels doit être évaluée : un consentement ou une ÉFVP pourraient être nécessaires.",
	},
	MsgReasonOtherPI: {
		"Personal information beyond the standard PIBs may require a department-specific PIB.",
		"Des renseignements personnels qui dépassent les FRP ordinaires pourraient exiger un FRP propre au ministère.",
	},
	MsgReasonBreach: {
		"A privacy breach has happened: it must be assessed for significant harm and notification.",
		"Une atteinte à la vie privée s’est produite : il faut évaluer le risque de préjudice important et les avis à donner.",
	},
	MsgReasonSituation: {
		"What you describe resembles situations an ATIP coordinator must assess, though no rule I hold names why: have one look.",
		"Ce que vous décrivez ressemble à des situations qu’un coordonnateur de l’AIPRP doit évaluer, sans qu’une règle que je connais dise pourquoi : faites-la examiner.",
	},
	MsgReasonRequested: {
		"The user asked for an ATIP coordinator.",
		"La personne a demandé l’aide d’un coordonnateur de l’AIPRP.",
	},
	// %s is the ticket's id.
	MsgTicketQueued: {
		"The review system is briefly unavailable: your request is queued as ticket %s and will be filed, and an ATIP coordinator notified, as soon as it is back. If it is urgent, contact your ATIP office directly.",
		"Le système d’examen est brièvement indisponible : votre demande est en attente sous le billet %s et sera transmise, avec un avis à un coordonnateur de l’AIPRP, dès son retour. Si c’est urgent, communiquez directement avec votre bureau de l’AIPRP.",
	},
	MsgNotified: {
		"An ATIP coordinator has been notified (ticket %s).",
		"Un coordonnateur de l’AIPRP a été avisé (billet %s).",
	},
	MsgAlreadyNotified: {
		"An ATIP coordinator was already notified about this (ticket %s).",
		"Un coordonnateur de l’AIPRP a déjà été avisé à ce sujet (billet %s).",
	},
	MsgTicketFailed: {
		"I could not file a review request just now. Please try again in a moment, or contact your ATIP office directly.",
		"Je n’ai pas pu transmettre la demande d’examen pour le moment. Veuillez réessayer dans un instant ou communiquer directement avec votre bureau de l’AIPRP.",
	},
	MsgNoReviews: {
		"Review requests are not set up here. Please contact your ATIP office directly.",
		"Les demandes d’examen ne sont pas configurées ici. Veuillez communiquer directement avec votre bureau de l’AIPRP.",
	},
	MsgYourTickets: {
		"Your review requests, newest first:",
		"Vos demandes d’examen, de la plus récente à la plus ancienne :",
	},
	MsgNoTickets: {
		"You have no review requests. Say \"review\" followed by your situation to ask an ATIP coordinator.",
		"Vous n’avez aucune demande d’examen. Dites « revue » suivi de votre situation pour demander un coordonnateur de l’AIPRP.",
	},
	MsgTicketsFailed: {
		"I could not look up your review requests just now. Please try again in a moment.",
		"Je n’ai pas pu consulter vos demandes d’examen pour le moment. Veuillez réessayer dans un instant.",
	},
	// Ticket id, date opened, what it is about, where it stands.
	MsgTicketLine: {
		"%s, opened %s (“%s”): %s",
		"%s, ouvert le %s (« %s ») : %s",
	},
	MsgTicketOpen: {
		"waiting for an ATIP coordinator",
		"en attente d’un coordonnateur de l’AIPRP",
	},
	MsgTicketClaimed: {
		"an ATIP coordinator is looking at it",
		"un coordonnateur de l’AIPRP s’en occupe",
	},
	// %s is the coordinator's resolution note.
	MsgTicketResolved: {
		"resolved — %s",
		"réglé — %s",
	},
}

// Text returns one of the engine's messages in a language.
func Text(lang Lang, id MsgID) string {
	m := messages[id]
	if lang == French {
		return m[1]
	}
	return m[0]
}

func reviewReason(category string) MsgID {
	switch category {
	case "unreviewed-platform":
		return MsgReasonUnreviewedPlatform
	case "other-use":
		return MsgReasonOtherUse
	case "secondary-use":
		return MsgReasonSecondaryUse
	case "other-pi":
		return MsgReasonOtherPI
	case "breach":
		return MsgReasonBreach
	case CategorySituation:
		return MsgReasonSituation
	}
	return MsgReasonRequested
}
