package intents

import (
	"fmt"
	"slices"
	"strings"

	"github.com/commsbot/commsbot/bot"
)

// The review detectors are a stage of their own, after the answer is chosen:
// whatever the answer, a situation that needs an ATIP coordinator is
// flagged. Missing a review costs far more than an extra one, so they are
// tuned for recall. Each reports the words that made it fire (explain shows
// them).

// incidentThingRe names things that hold personal information; lossRe and
// misdirectRe the ways they go astray. Together (or with a breach word) they
// describe an incident that happened, in any tense or register.
var (
	incidentThingRe = mustPhrases(` (laptops?|phones?|cell( ?phone)?s?|tablets?|usb( key| stick| drive)?s?|memory stick|hard drive|devices?|files?|folders?|binders?|box(es)?|bags?|briefcase|documents?|records?|list|lists|spreadsheets?|forms?|letters?|envelopes?|packages?|parcels?|cheques?|checks?|emails?|courriels?|dossiers?|fichiers?|documents?|listes?|formulaires?|lettres?|enveloppes?|colis|ordinateur( portable)?|portable|cellulaire|telephone|cle usb|tablette|classeur|boite|sac|valise|chiffrier|tableur|renseignements|information|info|data|donnees|names|noms|addresses|adresses|coordonnees|details|detail)( |$)`)
	lossRe          = mustPhrases(` (lost|misplaced|forgot|forgotten|oublie|oubliee|oublies|missing|stolen|stole|swiped|went missing|disappeared|can t find|cannot find|can not find|hacked|hijacked|broken into|breached|accessed by|leaked|exposed|compromised|without wiping|not wiped|unwiped|unencrypted|not encrypted|perdu|perdue|perdus|perdues|egare|egaree|egares|vole|volee|voles|volees|disparu|disparue|introuvable|pirate|piratee|fuite|expose|exposee|exposes|compromis)( |$)`)
	misdirectVerbRe = mustPhrases(` (sent|send|went|got|received|arrived|emailed|alle|allee|alles|parti|partie|partis|rendu|rendue|arrive|arrivee|e mailed|mailed|faxed|posted|shared|forwarded|cc d|ccd|copied|delivered|given|handed|left|attached|printed|published|uploaded|envoye|envoyee|envoyes|envoyees|transmis|transmise|poste|postee|postes|publie|publiee|partage|partagee|remis|remise|laisse|laissee|faxe|imprime|televerse|mis en ligne)( |$)`)
	misdirectToRe   = mustPhrases(` (to the wrong|to a wrong|to another (person|client|family|household|customer|patient|employee|applicant|member|resident|student|user|citizen|recipient)|to someone else|to the whole|to the entire|to an entire|to everyone|to all|distribution list|liste de distribution|a toute une|a tout un|by mistake|by accident|in error|accidentally|instead of|where anyone|publicly|open to|visible to|au mauvais|a la mauvaise|a un autre (client|citoyen|usager|destinataire|patient|employe|demandeur|membre|resident|eleve|etudiant|parent)|a une autre (personne|cliente|famille|patiente|employee|demandeuse|residente|eleve|etudiante|citoyenne|usagere)|a tout le monde|a toute la|a tous|par erreur|par accident|par megarde|au lieu de|au lieu du|au lieu des|accessible a|visible par|en public|publiquement)( |$)`)
	// wrongIdiomRe: "wrong" that misdirects nothing ("viral for the wrong
	// reasons", "off on the wrong foot").
	wrongIdiomRe = mustPhrases(` (the|a) wrong (reason|reasons|way|tone|foot|side|idea|impression|time|moment|direction|thing|things|crowd|answer|question|message to send)( |$)`)
	sawRe        = mustPhrases(` (could see|could access|could read|was able to see|were able to see|saw|viewed|accessed|opened|read|a vu|ont vu|voyait|voyaient|pouvait voir|pouvaient voir|avait acces|avaient acces|a consulte|ont consulte|a ouvert|s est connecte|logged in)( |$)`)
	// A person who left and still has access or a copy.
	formerRe   = mustPhrases(` (former|ex|who left|who finished|finished last|a quitte|ancien|ancienne|ex contractuel|ex employe|ex employee|parti depuis)( |$)`)
	stillHasRe = mustPhrases(` ((still|encore|toujours) (has|had|have|a|avait|ont|avaient|keeps|garde|gardait)|(a|avait|ont|avaient|garde|gardait) (encore|toujours)) (access|acces|the|les|le|la|nos|our|a copy|une copie|des|copies)( |$)`)
	shouldntRe = mustPhrases(` (shouldn t|should not|wasn t supposed|weren t supposed|not supposed|never supposed|wasn t meant|not meant|never meant|shouldn t have|should never|without authori|unauthori|no longer|anymore|after leaving|n aurai(t|ent) (pas|jamais) du|sans autorisation|pas cense|pas censee|pas censes|jamais cense|plus acces|apres son depart)`)
	// Exposure by being left online or open, careless disposal, a
	// recipient who says they deleted it, people unknown who got it, harm a
	// recipient means to do, and a breach confirmed or discovered: each an
	// incident that happened.
	leftOpenRe  = mustPhrases(` (left|stayed|remained|was|were|been|reste|restee|restes|restees|laisse|laissee|laisses|etait|etaient) (online|en ligne|public|publicly|accessible|visible|open|ouvert|ouverte|ouverts|unlocked|unprotected|non protege|non protegee)( |$)`)
	disposalRe  = mustPhrases(` (without (being )?(shredded|wiped|erased|destroyed)|not shredded|unshredded|never shredded|sans (etre )?(dechiquete|dechiquetes|detruit|detruits|efface|effaces)|into (the )?(recycling|trash|garbage|dumpster)|in (the )?(recycling|trash|garbage|dumpster)|dans (le |la |les )?(recyclage|poubelle|bac de recyclage|vidanges)|au recyclage|a la poubelle|(instead of|rather than|au lieu d|au lieu du|au lieu de|plutot qu)( etre| being)? (shred|shredded|shredding|the shredder|destroyed|dechiquet|dechiquete|dechiquetee|dechiquetes|dechiquetees|dechiquetage|detruit|detruite|detruits|detruites))( |$)`)
	saysRe      = mustPhrases(` (says|said|confirms|confirmed|claims|told us|dit|affirme|confirme|assure)( |$)`)
	deletedRe   = mustPhrases(` (deleted|destroyed|shredded|returned|wiped|supprime|detruit|dechiquete|retourne|efface)( |$)`)
	unknownRe   = mustPhrases(` (don t know|do not know|no idea|not sure|unsure|can t tell|nobody knows|no one knows|ne sait pas|ne savons pas|sait pas|personne ne sait|personne sait|aucune idee|ignore) (who|whom|a qui|qui|where|ou)( |$)`)
	gotItRe     = mustPhrases(` (accessed|downloaded|received|saw|seen|got|opened|has it|have it|picked up|picked it up|took|taken|livree|livre|recu|recue|consulte|telecharge|eu acces|a vu|ont vu|ramasse|ramasses|ramassee|ramassees|pris|prise)( |$)`)
	againstRe   = mustPhrases(` (use it against|used against|against her|against him|against them|s en servir contre|l utiliser contre|utiliser contre elle|utiliser contre lui|threatening to|menace de)( |$)`)
	confirmedRe = mustPhrases(` (confirmed|discovered|detected|identified|had|have had|just had|confirm|confirme|confirmer|decouvert|detecte|avons eu|a eu|on a eu|venons de confirmer|venons de decouvrir)( a| an| une| un| our| notre)? (breach|privacy breach|atteinte|fuite|leak|privacy incident|incident de confidentialite)( |$)`)
	// wrongRe: something that went to, or was meant for, someone else.
	wrongRe = mustPhrases(` (the wrong|a wrong|wrong (person|people|address|recipient|letter|email|file|client|number|house|fax)|au mauvais|a la mauvaise|aux mauvais|mauvais destinataire|mauvaise personne|mauvaise adresse|(meant|intended) for (someone|somebody|another person|another client|a different)|destinee? a (quelqu un d autre|une autre personne|un autre client))( |$)`)
	// anyoneRe: information open to anyone, the public or each other.
	anyoneRe       = mustPhrases(` (anyone with the link|toute personne avec le lien|tous ceux qui ont le lien|(shared|open|opened|visible|accessible|partage|partagee|ouvert|ouverte) (with |to |a )(the whole|the entire|all the|tout le|toute la|toute l|tous les) (department|organization|org|ministere|organisation|staff|personnel|employes|office|bureau)|(anyone|anybody|everyone|everybody|n importe qui|tout le monde|le public|the public|all of them) (could|can|was able|were able|pouvait|pouvaient|peut|a pu|ont pu|avait acces|avaient acces|had access|has access|could access|saw|see|voir|de voir)|(visible|accessible|exposed|expose|exposes|exposees|open|ouvert|ouverte|public) (to|a) (anyone|everyone|each other|one another|all|the public|the world|tous|tout le monde|n importe qui|le public))`)
	proposalRe     = mustPhrases(`^ (what if|and what if|and if|if|suppose|et si|pis si|si) (we|we just|we also|on|nous|i|je)( |$)`)
	hypotheticalRe = anyPhrases([]string{`^ (if|what if|suppose|in case|when|si |en cas|au cas|lorsqu|quand)`, ` (what happens if|what should we do if|que faire si|qu est ce qu on fait si|in general|en general|in the event|hypothetical|hypothetique)`})
)

// situationRe: the user speaks of their own case (we, our, on, nous…)
// and of a particular breach or the people in it (them, the client, the
// recipient, la fuite…). A question on notifying,
// harm or the Commissioner asked that way comes from a breach that
// happened: the notification duties arise only after one.
var (
	firstPersonRe = mustPhrases(` (we|we re|we ve|our|us|i|i m|my|on|nous|notre|nos|je|j|mon|ma|mes)( |$)`)
	particularRe  = mustPhrases(` (them|they|the breach|this breach|the leak|the incident|the client|the clients|the recipient|her|him|la fuite|cette fuite|cette atteinte|le client|la cliente|les clients|le destinataire|la destinataire|lui|eux)( |$)`)
	// thisBreachRe speaks of one breach in particular, or of the people
	// it touched: "the breach involves…", "la personne touchée par l'atteinte".
	thisBreachRe = mustPhrases(` (the breach|this breach|our breach|the leak|this leak|the incident|this incident|la fuite|cette fuite|notre fuite|cette atteinte|l atteinte|notre atteinte|cet incident|l incident|caught up in|touchee par|touche par|touchees par|touches par|affected by it|the affected|les personnes touchees|les gens touches)( |$)`)
	// coveredQRe asks whether something is covered, allowed or permitted.
	coveredQRe = mustPhrases(` (covered|couvert|couverte|couverts|couvertes|allowed|permitted|permissible|permis|permise|autorise|autorisee|autorises|autorisees|acceptable|acceptables)( |$)`)
	// indefiniteBreachRe speaks of a breach, any breach.
	indefiniteBreachRe = mustPhrases(` (a breach|a privacy breach|any breach|an incident|a privacy incident|a leak|une atteinte|d une atteinte|toute atteinte|un incident|d un incident|une fuite|d une fuite)( |$)`)
	// disclosedRe: information handed over, told or shown, in the past
	// tense; with a question on a step of the breach guidance, the story
	// of a particular breach ("the clerk handed a client's file to her
	// ex-husband").
	disclosedRe = mustPhrases(` (handed|gave|showed|disclosed|revealed|divulged|leaked|emailed|faxed|mailed|forwarded|remis|remise|donne|donnee|montre|montree|divulgue|divulguee|devoile|devoilee|revele|revelee|faxe|faxee|telecopie)( |$)`)
	generalRe   = mustPhrases(` (in general|generally|en general|does the guidance|the guidance say|la directive|le guide|what does|qu est ce que dit|according to|selon|a public body|un organisme public|public bodies|organismes publics|any breach|une atteinte quelconque|typically|usually|habituellement)( |$)`)
)

// Physical exposure: papers or a device left, forgotten or found in a
// place others pass through ("left it on the shared printer", "retrouvée
// dans un corridor"). instead/meant: a message sent to some people
// instead of others, or received by someone it was meant for another.
var (
	leftVerbRe    = mustPhrases(` (left|leave|leaving|forgot|forgotten|found|dropped|abandoned|dumped|oublie|oubliee|oublies|oubliees|laisse|laissee|laisses|laissees|retrouve|retrouvee|retrouves|retrouvees|trouve|trouvee|trouves|trouvees|abandonne|abandonnee|jete|jetee|jetes|jetees)( |$)`)
	publicPlaceRe = mustPhrases(` (on|in|at|into|near|sur|dans|a|au|pres de)( the| a| an| our| le| la| l| un| une| notre| les)? (shared |public |common )?(printer|photocopier|copier|bus|train|taxi|subway|metro|cafe|restaurant|lobby|hallway|hall|corridor|elevator|park|parking lot|street|sidewalk|recycling|recycling bin|garbage|trash|dumpster|meeting room|boardroom|reception|counter|kitchen|kitchenette|imprimante|photocopieur|autobus|couloir|ascenseur|stationnement|rue|trottoir|bac de recyclage|recyclage|poubelle|salle de reunion|comptoir|cuisinette|aire commune|lieu public|endroit public)( |$)`)
	insteadRe     = mustPhrases(` (instead of|rather than|au lieu de|au lieu du|au lieu des|plutot qu|plutot que)( |$)`)
	meantForRe    = mustPhrases(` (meant for|intended for|addressed to|destined for|destinee a|destine a|destinees a|destines a|adressee a|adresse a|qui etait pour|that was for)( |$)`)
	receivedRe    = mustPhrases(` (received|got|opened|recu|recue|recus|a recu|ont recu|ouvert)( |$)`)
)

// peopleRe names people an account deals with; listOrRankRe compiling or
// ranking them one by one: a use beyond the four covered ones (A.5).
var (
	listOrRankRe = mustPhrases(` (list|lists|listing|liste|listes|database|spreadsheet|tableau|fichier|registry|registre|score|scores|scoring|rate|rating|rank|ranking|classify|classer|classement|noter|coter|cote|palmares|blacklist|liste noire)( of| des| de| d| les| each| every| all| our| chaque| tous les| toutes les| nos)?( the| our| nos| les)? (people|persons|individuals|users|followers|subscribers|commenters|commentators|citizens|clients|influencers|critics|journalists|employees|staff|abonnes|commentateurs|citoyens|usagers|utilisateurs|influenceurs|critiques|personnes|gens|internautes|employes|fonctionnaires|participants)( |$)`)
	oneByOneRe   = mustPhrases(` (by name|name by name|nom par nom|one by one|un par un|une par une|tied to their|linked to their|lie a leur|lies a leur|with their (names|usernames|handles|contact)|avec leurs (noms|coordonnees|courriels|adresses)|who they are|qui ils sont)( |$)`)
	mailingRe    = mustPhrases(` (mailing|distribution|newsletter|envoi|diffusion|infolettre|bulletin)( |$)`)
	// listWhoRe: a list of people, or of their accounts, picked out by
	// what they do or think ("a list of the accounts that attack the
	// minister", "la liste des influenceurs qui critiquent le programme"):
	// identifying individuals, whatever the list is for. optedInRe: people
	// who asked to be on it chose to be.
	listWhoRe = mustPhrases(` (list|lists|listing|liste|listes|database|spreadsheet|tableau|registry|registre|inventory|inventaire|tally|roster|repertoire)( of| des| de| d)?( the| our| all| every| nos| les| tous les| toutes les)?( [a-z0-9]+)?( [a-z]+)? (people|persons|individuals|users|followers|subscribers|commenters|commentators|citizens|clients|influencers|critics|journalists|employees|staff|accounts|profiles|handles|usernames|abonnes|commentateurs|citoyens|usagers|utilisateurs|influenceurs|critiques|personnes|gens|internautes|employes|comptes|profils|participants|reporters|journalists|journalistes|activists|militants|advocates|bloggers|blogueurs|youtubers|creators|createurs|commentators|chroniqueurs|opponents|opposants|detracteurs) (who|that|which|qui|ayant)( |$)`)
	// keepAllRe: everything one person posts, gathered ("compile tout ce
	// qu'il publie").
	keepAllRe = mustPhrases(` (compile|compiles|compiling|compiler|collect|collecting|collecter|gather|gathering|rassembler|archive|archiving|archiver|save|saving|sauvegarder|keep|keeping|garder|conserver|track|tracking|monitor|monitoring|surveiller|screenshot|screenshotting) (everything|all of what|all that|tout ce qu|tout ce que|toutes les publications|all the posts|all posts)( [a-z]+){0,2} (post|posts|posted|publish|publishes|published|publie|publient|write|writes|wrote|ecrit|ecrivent|say|says|said|dit|disent|share|shares|shared|partage|partagent|comment|comments|commente|commentent|de|d|of|by|from)( |$)`)
	// decisionRe: a decision about a person (hiring, a performance review,
	// eligibility); postsRe what people post, like or comment. Together:
	// judging individuals by their online activity, a use beyond the four.
	decisionRe      = mustPhrases(` (hiring|hiring decision|selection process|processus de selection|embauche|recrutement|performance review|performance reviews|performance evaluation|evaluation de rendement|evaluations de rendement|disciplinary|mesure disciplinaire|mesures disciplinaires|eligibility|admissibilite)( |$)`)
	postsRe         = mustPhrases(` (comment|comments|commented|commentaire|commentaires|post|posts|posted|publication|publications|publie|liked|likes|like|aime|shared|partage|retweet|retweets|profile|profil|online activity|activite en ligne)( |$)`)
	withoutAskingRe = mustPhrases(` (without asking|without asking them|without their consent|without consent|without permission|without their permission|without telling them|sans leur demander|sans demander|sans leur consentement|sans consentement|sans leur permission|sans permission|sans les aviser|sans leur dire)( |$)`)
	optedInRe       = mustPhrases(` (asked|asking|asks|requested|requesting|signed up|sign up|subscribed|registered|opted|consented|agreed|demande|demandent|inscrit|inscrits|inscrites|consenti|accepte|abonne)( |$)`)
)

// personalWordRe is personalAccountRe's cheap first test: its words are
// rare, "my" and "mon" are not.
var personalWordRe = mustPhrases(` (personal|personnel|personnelle|personnels|perso|private|prive|privee|own time|temps personnel)( |$)`)

// personalAccountRe: a public servant's own account, which the notice on
// official accounts does not govern (the PSC's guidance does).
var personalAccountRe = mustPhrases(` ((my|mon|ma|mes|her|his|their|son|sa|ses|leur|leurs) (own )?(personal|personnel|personnelle|personnels|perso|private|prive|privee)|(personal|personnel|perso) (account|accounts|compte|comptes|page|profile|profil)|a titre personnel|in a personal capacity|on my own time|sur mon temps personnel)( |$)`)

// People picked out from the account's audience by what they did on it
// ("everyone who commented", "les abonnés de la page") and moved into a
// mailing list: information collected to engage, used for outreach — A.6's
// secondary use, which A.8 says needs each person's consent first.
var (
	engagedPeopleRe = mustPhrases(` ((everyone|everybody|all|anyone|people|those|users|tous|toutes|tout le monde|ceux|celles|les gens|le monde) (who|that|qui) (have |has |ont |a )?(commented|comment|liked|like|likes|reacted|react|shared|retweeted|reposted|followed|follow|follows|messaged|dm d|dmed|dm ed|wrote to us|replied|answered|participated|commente|commentaire|like|liker|aime|reagi|partage|suit|suivent|nous suit|nous suivent|ecrit|repondu|participe)|(our|the|page|account|contest|event|nos|les|all the|all our|tous les|toutes les) (followers|commenters|likers|fans|page followers|entrants|contestants|participants|attendees|registrants|respondents|winners|gagnants|repondants|repondantes|commentateurs)|(list of|lists of|liste des|listes des|liste de) (entrants|contestants|participants|attendees|registrants|respondents|winners|gagnants|repondants|commentateurs)|abonnes (de|du|de la|de notre|de nos) (page|compte|comptes|chaine|profil|reseaux))( |$)`)
	listAddRe       = mustPhrases(` (add|adds|adding|added|import|imports|importing|imported|load|loaded|put|move|moved|copy|copied|transfer|transferred|sign up|signed up|subscribe|subscribed|ajouter|ajoute|ajoutes|ajoutees|importer|importe|importes|importees|verser|verse|verses|transferer|transfere|transferes|mettre|mis|mises|inscrire|inscrit|inscrits|abonner|abonne|abonnes|copier|copie|copies)( |$)`)
)

// Someone who had no business there getting into an account, tool or
// system: an incident whether or not anything is known to be lost.
var (
	intruderRe   = mustPhrases(` (someone|somebody|a stranger|an unknown|unknown person|a hacker|hackers|an outsider|quelqu un|quelqu une|un inconnu|une inconnue|un pirate|des pirates|une personne inconnue|un tiers) (got|get|gets|broke|break|logged|logs|log|signed|hacked|accessed|entered|gained|took over|est entre|est entree|s est connecte|s est connectee|s est introduit|s est introduite|a accede|a eu acces|a pirate|a pris le controle)( |$)`)
	credentialRe = mustPhrases(` (password|passwords|login|credentials|mot de passe|mots de passe|identifiants|code d acces)( |$)`)
	// readRe: could read or see what was there, said in the past.
	pastReadRe = mustPhrases(` (could read|could see|was able to read|were able to read|a pu lire|a pu voir|a pu consulter|ont pu lire|ont pu voir|ont pu consulter|pouvait lire|pouvaient lire)( |$)`)
	// Records of two people merged or swapped: each sees the other's.
	mixupRe = mustPhrases(` (merged|mixed up|swapped|switched|mismatched|fusionne|fusionnes|fusionnee|fusionnees|melange|melanges|melangee|melangees|interverti|intervertis|confondu|confondus)( |$)`)
)

// Watching particular people, or keeping a file on each: identifying or
// tracking individuals, a use beyond the four covered ones (A.5).
var (
	watchPeopleRe = mustPhrases(` (watch|watches|watching|track|tracks|tracking|follow|following|monitor|monitors|monitoring|look at|looks at|looking at|look into|check|checks|checking|check on|check up on|keep tabs on|keep an eye on|surveiller|surveille|surveillent|surveillions|suivre|suive|suivent|regarder|regarde|regardent|regardions|verifier|verifie|verifient|checker|checke|garder un oeil sur|espionner|espionne)( (what|ce que|ce qu)( [a-z]+){0,2}| which| quels| quelles| lesquels)?( certain| specific| particular| some| these| those| individual| certains| certaines| ces| quelques| des| nos| our)? (people|persons|individuals|users|followers|commenters|citizens|clients|journalists|reporters|employees|staff|colleagues|critics|activists|influencers|viewers|visitors|claimants|recipients|personnes|gens|usagers|citoyens|journalistes|employes|fonctionnaires|collegues|critiques|militants|influenceurs|abonnes|commentateurs|visiteurs|prestataires|beneficiaires)( |$)`)
	// peopleWordRe is watchPeopleRe's cheap first test: the people.
	peopleWordRe = mustPhrases(` (people|persons|individuals|users|followers|commenters|citizens|clients|journalists|reporters|employees|staff|colleagues|critics|activists|influencers|viewers|visitors|claimants|recipients|personnes|gens|usagers|citoyens|journalistes|employes|fonctionnaires|collegues|critiques|militants|influenceurs|abonnes|commentateurs|visiteurs|prestataires|beneficiaires)( |$)`)
	fileOnRe     = mustPhrases(` (keep|keeping|build|building|create|creating|compile|compiling|open|opening|start|garder|tenir|monter|constituer|creer|ouvrir|faire|bâtir|batir) (a |an |un |une |des )?(file|files|dossier|dossiers|profile|profiles|profil|profils|record|records|fiche|fiches) (on|about|for|sur|de|pour) (each|every|them|him|her|these|those|certain|specific|individual|everything (he|she|they)|all (his|her|their)|chacun|chacune|chaque|eux|elles|ces|certains|certaines|lui|tout ce qu|tout ce que|toutes ses|tous ses)( |$)`)
)

// situational breach intents: the sections on assessing and notifying.
func situationalBreach(intent string) bool {
	switch intent {
	case "breach.scope", "breach.help", "breach.incident":
		return false
	}
	return strings.HasPrefix(intent, "breach.")
}

// reviewEntries are the knowledge entries that send a case to people, by
// category: the learned model's probability on them is a detector of its
// own.
var reviewEntries = map[string]string{
	"platform-unreviewed": bot.CategoryUnreviewedPlatform,
	"other-uses":          bot.CategoryOtherUse,
	"secondary-use":       bot.CategorySecondaryUse,
	"pib-other-pi":        bot.CategoryOtherPI,
	"breach-incident":     bot.CategoryBreach,
}

// learnedReview is the learned model's probability, summed over the review
// entries, above which the situation is flagged. Chosen on the tuning
// part's cross-validation (cmd/commsbot TestCalibrationTrace): at 0.25 it
// recovers about a third of the reviews the other detectors miss while
// flagging about 3 % of questions that need none.
const learnedReview = 0.25

// learnedReviewSure is the same sum when the answer is sure (raw
// confidence at cueSure or more): overruling it takes half the learned
// model's belief. On the cross-validation trace every review the learned
// model alone caught under a sure answer had 0.55 or more; three in four
// of the false flags there had less than 0.5.
const learnedReviewSure = 0.5

// LearnedSituation is the learned review model's probability that a
// situation needs a coordinator above which an answer no detector flagged
// is flagged. Chosen on a leave-one-set-out cross-validation over the
// tuning part's sets: at 0.8 the model alone finds about three reviews in
// four at 2-3 % of the questions that need none; with the detectors it
// halved the reviews they missed (30 → 14) for 36 more flags on about
// 2,200 questions that need none. At 0.9 it found 13 for 14 more flags.
const LearnedSituation = 0.8

// situationP is the learned review model's probability that the situation
// a message describes needs a coordinator (0 without the model).
func (c *Classifier) situationP(a analysis) float64 {
	return prob(c.sit.predict(a.toks), situationReview)
}

// Situation returns the learned review model's probability that the
// situation text describes needs a coordinator, for explanations; false
// without the model.
func (c *Classifier) Situation(text string) (float64, bool) {
	if c.sit == nil {
		return 0, false
	}
	return c.situationP(c.analyse(text, "")), true
}

// situationReview is the label of situations.yaml's questions that need a
// coordinator.
const situationReview = "review"

// generalEntry lists the entries flagged for review whose subject people
// also ask about in general: what uses are covered, what a secondary use
// is. (Not information beyond the standard PIBs: "the form would ask for
// a passport, is that covered?" tells of a form of the asker's own.)
var generalEntry = map[string]bool{"other-uses": true, "secondary-use": true, "secondary-use-consistent": true}

// categoryEntry is the entry that answers each review situation.
var categoryEntry = map[string]string{
	bot.CategoryBreach:             "breach-incident",
	bot.CategoryUnreviewedPlatform: "platform-unreviewed",
	bot.CategoryOtherUse:           "other-uses",
	bot.CategorySecondaryUse:       "secondary-use",
	bot.CategoryOtherPI:            "pib-other-pi",
}

// carriesSituation reports whether u, the reading of a message that follows
// an answer flagged for review, continues that answer's situation: it
// follows up on it, or asks about the same document, and names no platform
// of its own nor asks in general.
func carriesSituation(u bot.Understanding, a analysis, prev bot.State, m *model) bool {
	if !prev.Review || prev.Category == "" || u.Intent == "" || u.Command != bot.CmdNone {
		return false
	}
	if a.slots.Platform != "" || a.slots.NewPlatform || generalRe.Match(a.folded) || docOf(m, prev.Intent) == "psc-political-sm" {
		return false
	}
	// A follow-up that changes what made it a situation ends it: only
	// covered uses ("just to moderate?"), only what the standard PIBs hold
	// ("just their name and email?"), people who asked to be added.
	switch prev.Category {
	case bot.CategoryOtherUse:
		if len(a.slots.Uses) > 0 && coveredOnly(a.slots.Uses) {
			return false
		}
	case bot.CategoryOtherPI:
		if len(a.slots.PersonalInfo) > 0 && !beyondStandardPI(a.slots.PersonalInfo) {
			return false
		}
	case bot.CategorySecondaryUse:
		if optedInRe.Match(a.folded) {
			return false
		}
	}
	// A question of its own on the same document ("do we need consent for
	// a mailing list?" after a question on a platform) is not the
	// situation: the same question again, one that continues ("and a
	// PIA?", "faque…") or one that points back at it ("do we ask them?")
	// is.
	return docOf(m, u.Intent) == docOf(m, prev.Intent) &&
		(u.Intent == prev.Intent || followUpRe.Match(a.folded) || backRe.Match(a.folded))
}

// backRe points back at what the conversation was about.
var backRe = mustPhrases(` (them|they|their|those|these|it|this|that|leur|leurs|ces|ca|cela|ceux|celles|eux|lui)( |$)`)

// coveredOnly reports whether every use in uses is one of the four covered.
func coveredOnly(uses []string) bool {
	for _, u := range uses {
		if !Covered(u) {
			return false
		}
	}
	return true
}

// hasCategory reports whether ds holds a detection of category cat.
func hasCategory(ds []bot.Detection, cat string) bool {
	for _, d := range ds {
		if d.Category == cat {
			return true
		}
	}
	return false
}

// learnedOnly reports whether only the learned model's detector fired: it
// may flag an answer, but it does not turn an abstention into one.
func learnedOnly(ds []bot.Detection) bool {
	return len(ds) == 1 && strings.HasPrefix(ds[0].Evidence, "learned model")
}

// secondaryRe: information gathered for one purpose and used for another;
// gatheredRe and reuseRe the same said in two steps ("the emails we
// collected for the contest … to promote").
var (
	secondaryRe = mustPhrases(` (reuse|re use|repurpose|reutilis|reemploy|other purpose|another purpose|different purpose|autre fin|autres fins|d autres fins|fins secondaires|secondary use|secondary purpose)`)
	gatheredRe  = mustPhrases(` (collected|gathered|obtained|received|recueilli|recueillis|recueillies|collecte|collectes|obtenu|obtenus) (for|pour|during|lors|when|dans le cadre)`)
	reuseRe     = mustPhrases(` (to|for|pour|a des fins|in order to|afin de) (send|use|contact|market|fundrais|promot|invite|recruit|utiliser|envoyer|contacter|solliciter|inviter|recruter|promouvoir)`)
)

// collectedRe names personal information gathered for a purpose of its
// own; useVerbRe putting it to use.
var (
	collectedRe = mustPhrases(` (entries|entrants|nous ont ecrit|who messaged us|who wrote to us|who dm d us|who dmed us|who dm ed us|who wrote|who messaged|who commented|who signed up|qui ont ecrit|qui se sont inscrits|sign ups|signups|sign up list|registrants|registrations|registration list|rsvp|rsvps|subscribers|participants|applicants|contest|concours|quiz|survey responses|inscrits|inscriptions|inscrit|participants|abonnes|contact list|mailing list|email list|liste|list|contacts|emails|courriels|addresses|adresses|postal codes|codes postaux|selfies|photos people|submissions|soumissions)( |$)`)
	useVerbRe   = mustPhrases(` (use|uses|using|used|reuse|reused|drop|dropping|dump|dumping|turn|turning|build|building|compile|compiling|take|taking|share|shares|sharing|shared|give|giving|gave|given|send|sending|sent|pass|passed|hand|handed|load|loaded|import|imported|transfer|transferred|upload|uploaded|add|added|feed|fed|put|mail|mailed|text|texted|invite|invited|transfere|transferer|refile|utiliser|utilise|utilises|donner|donne|donnes|refiler|partager|partage|partages|partagee|transmettre|transmis|transmise|envoyer|envoye|envoyes|verser|verse|verses|importer|importe|importes|ajouter|ajoute|ajoutes|fournir|fourni|fournis)( |$)`)
)

// followedBy returns the words where first matches in s and second within
// the window of text after it: two phrases of one clause, without a costly
// bounded repetition in one regexp. "" when they do not.
func followedBy(t *scanned, first *phrases, second *phrases, window int) string {
	loc := first.FindIndex(t)
	if loc == nil || second.inScan(t) && !t.has(second) {
		return ""
	}
	s := t.s
	rest := s[loc[1]-1:]
	if len(rest) > window {
		rest = rest[:window]
	}
	if m := second.FindString(rest); m != "" {
		return s[loc[0]:loc[1]] + "…" + m
	}
	return ""
}

// accountOnRe finds an account, channel, page… "on X" or "sur X"; accountOfRe
// "X account". openWorldStop are the words after "on" that are not a
// platform.
var (
	accountOnRe = mustPhrases(`\b(accounts?|channels?|groups?|pages?|blogs?|newsletters?|servers?|profiles?|podcasts?|community|communities|forums?|presence|handle|compte|comptes|chaine|chaines|groupe|groupes|page|pages|blogue|infolettre|serveur|profil|balado|communaute|forum|presence)\s+(on|sur|with|avec)\s+([A-Za-zÀ-ÿ0-9.]+)`)
	// streamOnRe: streaming or posting on a named service; nounNameRe the
	// French order, "une page Medium", "un compte Mastodon".
	streamOnRe   = mustPhrases(`\b(?i:stream|streams|streaming|livestream|live|lives|diffuser|diffuse|diffusons|webinaires?|webinars?|videos?|vidéos?|podcast|balado|publier|publish|post)\s+(?:\S+\s+){0,3}?(?i:on|sur)\s+([A-Z][A-Za-z0-9.]+)`)
	nounNameRe   = mustPhrases(`\b(?i:page|compte|comptes|chaîne|chaine|groupe|serveur|balado|profil|infolettre|blogue|communauté|communaute)\s+([A-Z][A-Za-z0-9.]+)`)
	accountOfRe  = mustPhrases(`\b([A-Z][A-Za-z0-9.]+)\s+(account|accounts|channel|channels|page|pages|server|servers|group|groups|community|newsletter|podcast|profile)\b`)
	streamWordRe = mustPhrases(` (stream|streams|streaming|livestream|live|lives|diffuser|diffuse|diffusons|webinaires|webinaire|webinars|webinar|videos|video|podcast|publier|publish|post)( |$)`)
	// accountWordRe is the prefilter: no account word, no account.
	accountWordRe = mustPhrases(` (accounts?|channels?|groups?|pages?|blogs?|newsletters?|servers?|profiles?|podcasts?|community|communities|forums?|presence|handle|clubs?|publication|lettre d information|compte|comptes|chaine|chaines|groupe|groupes|blogue|infolettre|serveur|profil|balado|communaute)( |$)`)
	openWorldStop = set("our the a an your their my his her its this that these those it them social media personal official government work web website site internet line online platforms platform there here both each all every other another any some which what new le la les un une des notre nos votre vos leur leurs mon ma mes son sa ses ce cette ces les reseaux reseau medias sociaux media site internet web ligne plateforme plateformes chaque tous toutes autre autres quelle quel quels quelles behalf me you us them him her personnel personnelle facebook")
)

// detectUnreviewed finds, open-world, an account on a platform that is not
// one of the seven reviewed: any name in "account on X" or "X account" that
// is not a reviewed platform's.
func detectUnreviewed(text string, folded *scanned) string {
	if !accountWordRe.Match(folded) && !streamWordRe.Match(folded) {
		return ""
	}
	for _, m := range accountOnRe.FindAllStringSubmatch(text, -1) {
		if name := m[3]; unknownPlatform(name) {
			return m[0]
		}
	}
	for _, re := range []*phrases{streamOnRe, nounNameRe} {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			if name := m[len(m)-1]; unknownPlatform(name) {
				return m[0]
			}
		}
	}
	for _, m := range accountOfRe.FindAllStringSubmatch(text, -1) {
		if name := m[1]; unknownPlatform(name) && !sentenceStart(text, m[0]) {
			return m[0]
		}
	}
	return ""
}

func sentenceStart(text, match string) bool {
	i := strings.Index(text, match)
	before := strings.TrimRight(text[:i], " ")
	return before == "" || strings.HasSuffix(before, ".") || strings.HasSuffix(before, "?") || strings.HasSuffix(before, "!")
}

func unknownPlatform(name string) bool {
	f := fold(strings.ToLower(strings.Trim(name, ".")))
	if f == "" || openWorldStop[f] || len(f) < 2 {
		return false
	}
	if _, _, ok := findPlatform(tokenize(name)); ok {
		return false
	}
	if _, ok := notPlatform[f]; ok {
		return false
	}
	return true
}

// notPlatform: capitalised words that stand before "account" or "page" and
// are not services (departments, programs, teams).
var notPlatform = set("department ministere program programme team equipe service services client clients user users staff government gouvernement canada federal provincial corporate main home landing contact help french english francais anglais twitter x monday tuesday wednesday thursday friday saturday sunday lundi mardi mercredi jeudi vendredi samedi dimanche january february march april may june july august september october november december janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre canada.ca gc ottawa quebec montreal toronto the our")

// detect runs the review detectors and flags the understanding when one
// fires and the answer is not already a review.
func (c *Classifier) detect(u bot.Understanding, a analysis, cands []Candidate, prev bot.State) bot.Understanding {
	if u.Command != bot.CmdNone || u.Abstain == "injection" || u.Abstain == "empty" {
		return u
	}
	// Out of scope by the cue file's rules, the learned model is heard only
	// where a detector of its own saw a situation (below): its breach
	// stories are not evidence against those rules.
	heard := cands
	if u.Abstain == "out-of-scope" {
		cands = nil
	}
	var ds []bot.Detection
	add := func(cat, ev string) { ds = append(ds, bot.Detection{Category: cat, Evidence: strings.TrimSpace(ev)}) }
	f := a.folded
	hypo := hypotheticalRe.Match(f)
	// musing: a hypothetical that is not the asker's own plan. "What if
	// we add everyone who commented?" proposes a use, and a use needs a
	// person whether it is done or planned; "what if someone posts their
	// SIN?" asks in general. (A breach must have happened: plans are no
	// breach.)
	musing := hypo && !proposalRe.Match(f)
	// A question on what the guidance covers or allows, naming no case of
	// the asker's own ("are investigations covered by the prescribed
	// processes?"), asks about the guidance: like a musing, it is answered
	// by its entry, without a flag.
	if !firstPersonRe.Match(f) && coveredQRe.Match(f) && (generalEntry[u.Entry] || slices.ContainsFunc(u.Clarify, func(e string) bool { return generalEntry[e] })) {
		musing = true
		u.General = true
	}
	switch {
	case a.slots.Incident:
		add(bot.CategoryBreach, "incident described")
	case !hypo && followedBy(f, misdirectVerbRe, misdirectToRe, 70) != "":
		add(bot.CategoryBreach, followedBy(f, misdirectVerbRe, misdirectToRe, 70))
	case !hypo && wrongRe.Match(f) && !wrongIdiomRe.Match(f):
		add(bot.CategoryBreach, wrongRe.Find(f))
	case !hypo && confirmedRe.Match(f):
		add(bot.CategoryBreach, confirmedRe.Find(f))
	case !hypo && (leftOpenRe.Match(f) || disposalRe.Match(f)) && (incidentThingRe.Match(f) || a.slots.PersonalInfo != nil):
		add(bot.CategoryBreach, leftOpenRe.Find(f)+disposalRe.Find(f))
	case !hypo && (followedBy(f, saysRe, deletedRe, 40) != "" || followedBy(f, unknownRe, gotItRe, 60) != "" || againstRe.Match(f)):
		add(bot.CategoryBreach, followedBy(f, saysRe, deletedRe, 40)+followedBy(f, unknownRe, gotItRe, 60)+againstRe.Find(f))
	case !hypo && formerRe.Match(f) && stillHasRe.Match(f):
		add(bot.CategoryBreach, formerRe.Find(f)+" /"+stillHasRe.Find(f))
	case !hypo && followedBy(f, sawRe, shouldntRe, 70) != "":
		add(bot.CategoryBreach, followedBy(f, sawRe, shouldntRe, 70))
	case !hypo && anyoneRe.Match(f) && (incidentThingRe.Match(f) || a.slots.PersonalInfo != nil):
		add(bot.CategoryBreach, anyoneRe.Find(f))
	case !hypo && lossRe.Match(f) && incidentThingRe.Match(f):
		add(bot.CategoryBreach, lossRe.Find(f)+" /"+incidentThingRe.Find(f))
	case !hypo && followedBy(f, leftVerbRe, publicPlaceRe, 80) != "" && (incidentThingRe.Match(f) || a.slots.PersonalInfo != nil):
		add(bot.CategoryBreach, followedBy(f, leftVerbRe, publicPlaceRe, 80))
	case !hypo && followedBy(f, misdirectVerbRe, insteadRe, 160) != "":
		add(bot.CategoryBreach, followedBy(f, misdirectVerbRe, insteadRe, 160))
	case !hypo && followedBy(f, receivedRe, meantForRe, 80) != "":
		add(bot.CategoryBreach, followedBy(f, receivedRe, meantForRe, 80))
	case !hypo && intruderRe.Match(f):
		add(bot.CategoryBreach, intruderRe.Find(f))
	case !hypo && pastReadRe.Match(f) && (credentialRe.Match(f) || formerRe.Match(f)):
		add(bot.CategoryBreach, pastReadRe.Find(f)+" /"+credentialRe.Find(f)+formerRe.Find(f))
	case !hypo && mixupRe.Match(f) && incidentThingRe.Match(f):
		add(bot.CategoryBreach, mixupRe.Find(f)+" /"+incidentThingRe.Find(f))
	}
	// An impersonal question about "a breach" ("how long to notify the
	// people affected by a breach?") asks in general, whoever it names.
	impersonal := indefiniteBreachRe.Match(f) && !firstPersonRe.Match(f)
	if len(ds) == 0 && situationalBreach(u.Intent) && !hypo && !generalRe.Match(f) && !impersonal &&
		(firstPersonRe.Match(f) && particularRe.Match(f) || thisBreachRe.Match(f) || disclosedRe.Match(f)) {
		add(bot.CategoryBreach, "a particular breach: "+strings.TrimSpace(particularRe.Find(f)+" "+disclosedRe.Find(f)))
		u.Slots.Incident = true
	}
	// A story the learned model is sure is a breach that happened (a photo
	// posted with names in the background, a link to a file that should
	// not have been public) is one, even when no phrase of the detectors
	// above tells it and another situation (health information) was seen.
	if !hypo && !hasCategory(ds, bot.CategoryBreach) && len(cands) > 0 && cands[0].Entry == breachStory && cands[0].P >= learnedRescue {
		add(bot.CategoryBreach, fmt.Sprintf("learned model: %.2f on a breach that happened", cands[0].P))
	}
	raw := strings.ToValidUTF8(a.raw, "")
	// The PSC's guidance is about public servants' own accounts: a
	// platform or a use named there is not an official account's.
	ownAccount := personalWordRe.Match(f) && personalAccountRe.Match(f)
	personal := strings.HasPrefix(u.Intent, "psc.") || ownAccount
	switch {
	case personal:
	case a.slots.Platform != "" && !a.slots.PlatformReviewed:
		add(bot.CategoryUnreviewedPlatform, a.slots.Platform)
	case a.slots.NewPlatform:
		add(bot.CategoryUnreviewedPlatform, "a platform not on the list")
	default:
		if ev := detectUnreviewed(raw, f); ev != "" && a.slots.Platform == "" {
			add(bot.CategoryUnreviewedPlatform, ev)
			u.Slots.NewPlatform = true
		}
	}
	for _, use := range a.slots.Uses {
		if !Covered(use) && !personal && !politicalRe.Match(f) {
			add(bot.CategoryOtherUse, use)
			break
		}
	}
	if !personal && !musing && (listOrRankRe.Match(f) && (oneByOneRe.Match(f) || a.slots.PersonalInfo != nil) && !mailingRe.Match(f)) {
		add(bot.CategoryOtherUse, listOrRankRe.Find(f)+oneByOneRe.Find(f))
	}
	// Listing people, keeping everything someone posts, or judging people
	// by what they posted is watching them, whoever they are — employees
	// included, so a question the PSC's guidance would otherwise take (its
	// subject is public servants' own activity) is flagged too; only a
	// public servant's own account is not an official account's use.
	if !ownAccount && !musing && listWhoRe.Match(f) && !mailingRe.Match(f) && !optedInRe.Match(f) && !hasCategory(ds, bot.CategoryOtherUse) {
		add(bot.CategoryOtherUse, listWhoRe.Find(f))
	}
	if !ownAccount && !musing && !hasCategory(ds, bot.CategoryOtherUse) && keepAllRe.Match(f) {
		add(bot.CategoryOtherUse, keepAllRe.Find(f))
	}
	if !ownAccount && !musing && !hasCategory(ds, bot.CategoryOtherUse) && decisionRe.Match(f) && postsRe.Match(f) {
		add(bot.CategoryOtherUse, decisionRe.Find(f)+" /"+postsRe.Find(f))
	}
	if !personal && !musing && peopleWordRe.Match(f) && !politicalRe.Match(f) && watchPeopleRe.Match(f) ||
		!personal && !musing && fileOnRe.Match(f) && !politicalRe.Match(f) {
		add(bot.CategoryOtherUse, watchPeopleRe.Find(f)+fileOnRe.Find(f))
	}
	var secondary string
	switch {
	case secondaryRe.Match(f):
		secondary = secondaryRe.Find(f)
	case gatheredRe.Match(f):
		secondary = followedBy(f, gatheredRe, reuseRe, 90)
	}
	// Personal information gathered for one thing (entries, a sign-up
	// list) put to a named other purpose (a campaign, another program, a
	// fundraiser): A.6's secondary use.
	if secondary == "" && collectedRe.Match(f) && useVerbRe.Match(f) && otherPurposeRe.Match(f) {
		secondary = collectedRe.Find(f) + " /" + otherPurposeRe.Find(f)
	}
	if secondary != "" && !consistentUse(f) {
		add(bot.CategorySecondaryUse, secondary)
	}
	// People put on a mailing list without being asked: A.8 wants their
	// consent, so it is no consistent use.
	if mailingRe.Match(f) && listAddRe.Match(f) && withoutAskingRe.Match(f) && !musing && !generalRe.Match(f) && !hasCategory(ds, bot.CategorySecondaryUse) {
		add(bot.CategorySecondaryUse, withoutAskingRe.Find(f)+" /"+mailingRe.Find(f))
	}
	// The account's audience moved into a mailing list in bulk: they
	// engaged, they did not sign up, so a mailing list is not the
	// consistent use it is for people who asked to be on it.
	// A plan is the situation too: "what if we add everyone who
	// commented?" asks to do it (only a question in general does not).
	// The list may be the conversation's: "and add them?" after a
	// question on a mailing list.
	mailing := mailingRe.Match(f) || prev.Intent == "pin.consent-mailing"
	if mailing && engagedPeopleRe.Match(f) && listAddRe.Match(f) && !generalRe.Match(f) {
		add(bot.CategorySecondaryUse, engagedPeopleRe.Find(f)+" /"+mailingRe.Find(f))
	}
	for _, k := range a.slots.PersonalInfo {
		if !slices.Contains(standardPI, k) { // the kinds have no spaces: as the joined list did
			add(bot.CategoryOtherPI, k)
			break
		}
	}
	// A follow-up in a situation the conversation already sent to a
	// coordinator ("do we need their consent?", "is our PIB enough?" after
	// "we want to reuse the entrants' emails") is still that situation,
	// unless it names another platform or asks in general.
	if len(ds) == 0 && !hypo && carriesSituation(u, a, prev, c.m) {
		add(prev.Category, "the conversation's situation")
	}
	if len(ds) == 0 && !hypo && len(cands) > 0 {
		mass, best, bestP := 0.0, "", 0.0
		for _, cd := range cands {
			if cat, ok := reviewEntries[cd.Entry]; ok {
				mass += cd.P
				if cd.P > bestP {
					best, bestP = cat, cd.P
				}
			}
		}
		need := learnedReview
		if u.Entry != "" && len(u.Clarify) == 0 && u.Confidence >= cueSure {
			need = learnedReviewSure
		}
		if mass >= need {
			add(best, fmt.Sprintf("learned model: %.2f on review answers", mass))
		}
	}
	// A situation the learned review model is sure needs a coordinator,
	// though no detector named it: the answer stands, flagged as a
	// situation to assess (the model cannot say which rule applies, so the
	// reason given makes no claim of one).
	if len(ds) == 0 && !musing && u.Entry != "" && len(u.Clarify) == 0 && u.Abstain == "" && len(cands) > 0 {
		if _, review := reviewEntries[u.Entry]; !review {
			if p := c.situationP(a); p >= LearnedSituation {
				add(bot.CategorySituation, fmt.Sprintf("learned model: %.2f that the situation needs a coordinator", p))
			}
		}
	}
	u.Detectors = ds
	// A breach that happened is answered from the breach guidance, whatever
	// else the question touches (the lost laptop held allergies: the
	// breach comes first, not the PIB).
	if len(ds) > 0 && ds[0].Category == bot.CategoryBreach && !hypo && u.Intent != "" &&
		!strings.HasPrefix(u.Intent, "breach.") && !learnedOnly(ds) {
		u.Intent, u.Entry, u.Clarify = "breach.incident", "breach-incident", nil
		u.Slots.Incident = true
		u = decide(u, f)
	}
	// The duty to notify in general is no answer to a breach that
	// happened: what to do about it is.
	if len(ds) > 0 && ds[0].Category == bot.CategoryBreach && !hypo && u.Entry == "breach-duty" &&
		(!learnedOnly(ds) || len(cands) > 0 && cands[0].Entry == breachStory) {
		u.Slots.Incident = true
		u = decide(u, f)
	}
	if len(ds) == 0 || u.Review {
		return u
	}
	if u.Intent == "" && len(u.Clarify) == 0 {
		// Too little evidence for an answer, but a situation that needs a
		// person: answer from that situation's entry and flag it, rather
		// than turn the user away. A subject the sources do not cover
		// still abstains.
		//
		// A word of a subject the sources do not cover (a printer, a
		// briefing note) inside the story of a breach does not make the
		// breach out of scope: a breach a detector of its own saw, or
		// one the learned model is sure of, is answered and flagged.
		entry, cat := categoryEntry[ds[0].Category], ds[0].Category
		if len(cands) > 0 && cands[0].P >= learnedRescue {
			if c, ok := reviewEntries[cands[0].Entry]; ok {
				entry, cat = cands[0].Entry, c
			}
		}
		switch {
		case hypo:
			return u
		case u.Abstain == "unsure" && learnedOnly(ds) && len(cands) > 0 && cands[0].Entry != OutOfScope:
			// Too little evidence to answer, and only the learned model
			// sees a situation that needs a person: no answer from the
			// guidance, but a coordinator is asked to look.
			u.Review, u.Category = true, ds[0].Category
			return u
		case u.Abstain == "unsure" && ds[0].Category != bot.CategoryBreach && len(cands) > 0 &&
			cands[0].Entry == OutOfScope && cands[0].P >= learnedOOS:
			// Out of scope by the examples, with a word of a situation in
			// it ("the department's credit card"): no answer from the
			// guidance, but a coordinator is asked to look.
			u.Review, u.Category = true, ds[0].Category
			return u
		case u.Abstain == "unsure" && !learnedOnly(ds):
		case u.Abstain == "out-of-scope" && (ds[0].Category == bot.CategoryBreach && !learnedOnly(ds) || entry == breachStory && cat == bot.CategoryBreach):
		case u.Abstain == "out-of-scope" && !learnedOnly(ds) && len(heard) > 0 &&
			heard[0].Entry == categoryEntry[ds[0].Category] && heard[0].P >= learnedSure:
			// A word the cue file keeps out of scope ("influencer") in a
			// situation a detector of its own saw and the learned model is
			// sure of: answered from that situation's entry, and flagged.
		case u.Abstain == "out-of-scope" && !learnedOnly(ds):
			// A subject the guidance does not cover, in a situation a
			// detector of its own says needs a person (reusing what was
			// collected, watching or listing people): no answer from the
			// guidance, but a coordinator is asked to look.
			u.Review, u.Category = true, ds[0].Category
			return u
		default:
			return u
		}
		u.Abstain = ""
		u.Intent, u.Entry = intentOf(entry), entry
		u.Tentative = true
		if cat == bot.CategoryBreach {
			u.Slots.Incident = true
		}
		u = decide(u, f)
		u.Review, u.Category = true, cat
		return u
	}
	// An informational question about the same subject ("is fraud
	// detection a covered use?") is answered by its entry, which carries
	// its own review flag; a situation the user is in gets flagged.
	if musing && ds[0].Category != bot.CategoryBreach {
		return u
	}
	if len(u.Clarify) > 0 {
		// A situation that needs a person settles the question: answer
		// from its entry when it was one of the options, and offer it
		// first otherwise.
		want := categoryEntry[ds[0].Category]
		if !hypo && slices.Contains(u.Clarify, want) {
			u.Clarify = nil
			u.Intent, u.Entry = intentOf(want), want
			u = decide(u, f)
		} else if !slices.Contains(u.Clarify, want) && !learnedOnly(ds) {
			u.Clarify = append([]string{want}, u.Clarify[:min(len(u.Clarify), 3)]...)
		}
	}
	u.Review, u.Category = true, ds[0].Category
	return u
}
