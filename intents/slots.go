package intents

import (
	"slices"
	"strings"
)

// Platform is a social media platform commsbot knows by name.
type Platform struct {
	Name string
	// Reviewed is true for the seven platforms listed in A.2 of the notice.
	Reviewed bool
	// Aliases are folded, lower-case word sequences.
	Aliases []string
}

// Platforms are the platforms recognised in questions. The first seven are
// the notice's reviewed platforms (A.2); every other one is unreviewed.
var Platforms = []Platform{
	{"Facebook", true, []string{"facebook", "face book", "facebook live", "fbook", "meta facebook"}},
	{"Flickr", true, []string{"flickr", "flicker", "flikr"}},
	{"Instagram", true, []string{"instagram", "instagramme", "instragram", "instagam"}},
	{"LinkedIn", true, []string{"linkedin", "linked in", "linkdin", "linkedln"}},
	{"Pinterest", true, []string{"pinterest", "pintrest"}},
	{"Twitter", true, []string{"twitter", "x", "x com", "tweeter", "twiter", "bird app", "birdsite"}},
	{"YouTube", true, []string{"youtube", "you tube", "utube"}},
	{"Threads", false, []string{"threads", "meta threads"}},
	{"TikTok", false, []string{"tiktok", "tik tok", "tic toc", "ticktock", "short video app"}},
	{"Bluesky", false, []string{"bluesky", "blue sky", "bsky"}},
	{"Mastodon", false, []string{"mastodon", "mastodonte"}},
	{"Reddit", false, []string{"reddit", "subreddit"}},
	{"Snapchat", false, []string{"snapchat", "snap chat"}},
	{"WhatsApp", false, []string{"whatsapp", "whats app", "what s app"}},
	{"Telegram", false, []string{"telegram"}},
	{"Twitch", false, []string{"twitch"}},
	{"WeChat", false, []string{"wechat", "we chat", "weixin"}},
	{"Tumblr", false, []string{"tumblr"}},
	{"Discord", false, []string{"discord"}},
	{"Vimeo", false, []string{"vimeo"}},
	{"Signal", false, []string{"signal app"}},
	{"Weibo", false, []string{"weibo"}},
	{"Medium", false, []string{"medium com"}},
	{"Substack", false, []string{"substack"}},
	{"Spotify", false, []string{"spotify"}},
	{"SoundCloud", false, []string{"soundcloud"}},
	{"Dailymotion", false, []string{"dailymotion"}},
	{"Rumble", false, []string{"rumble"}},
	{"Truth Social", false, []string{"truth social"}},
	{"Nextdoor", false, []string{"nextdoor"}},
	{"Quora", false, []string{"quora"}},
	{"Clubhouse", false, []string{"clubhouse"}},
	{"BeReal", false, []string{"bereal", "be real"}},
	{"Viber", false, []string{"viber"}},
	{"LINE", false, []string{"line app"}},
	{"Kick", false, []string{"kick com"}},
	{"Patreon", false, []string{"patreon"}},
	{"Lemon8", false, []string{"lemon8"}},
	{"Xiaohongshu (RedNote)", false, []string{"rednote", "xiaohongshu"}},
	{"Messenger", false, []string{"messenger"}},
	{"Pixelfed", false, []string{"pixelfed"}},
}

// aliasWords are the words of Platforms[i].Aliases[j], split once.
var aliasWords = func() [][][]string {
	out := make([][][]string, len(Platforms))
	for i, p := range Platforms {
		for _, a := range p.Aliases {
			out[i] = append(out[i], strings.Fields(a))
		}
	}
	return out
}()

// findPlatform returns the first platform named in the message. "X" is
// taken for Twitter only when typed as a capital or after a word such as
// "on"/"sur", so that "x" in other senses is not misread.
func findPlatform(toks []token) (Platform, int, bool) {
	p, i, ok := firstPlatform(toks, 0)
	// "Pinterest or Bluesky?": the one nobody reviewed is what needs an
	// answer, and a person.
	for at := i + 1; ok && p.Reviewed && at < len(toks); {
		q, j, found := firstPlatform(toks, at)
		if !found {
			break
		}
		if !q.Reviewed {
			return q, j, true
		}
		at = j + 1
	}
	return p, i, ok
}

// allPlatforms appends to out (a caller's buffer, which spares an
// allocation on every message that names one) every platform named, once
// each, in order.
func allPlatforms(toks []token, out []Platform) []Platform {
	for at := 0; at < len(toks); {
		p, i, ok := firstPlatform(toks, at)
		if !ok {
			break
		}
		if !slices.ContainsFunc(out, func(q Platform) bool { return q.Name == p.Name }) {
			out = append(out, p)
		}
		at = i + 1
	}
	return out
}

// aliasRef is an alias of a platform: Platforms[p].Aliases[a].
type aliasRef struct{ p, a int }

// aliasByFirst indexes the aliases by their first word, in Platforms
// order: a word is looked up instead of comparing every alias.
var aliasByFirst = func() map[string][]aliasRef {
	m := map[string][]aliasRef{}
	for pi, words := range aliasWords {
		for ai, w := range words {
			m[w[0]] = append(m[w[0]], aliasRef{pi, ai})
		}
	}
	return m
}()

// firstPlatform finds the first platform named at or after toks[from].
// At one position, the platform listed first wins.
func firstPlatform(toks []token, from int) (Platform, int, bool) {
	for i := from; i < len(toks); i++ {
		best := aliasRef{-1, -1}
		try := func(refs []aliasRef) {
			for _, r := range refs {
				if best.p >= 0 && (r.p > best.p || r.p == best.p && r.a > best.a) {
					return // refs are in order: none after r can win
				}
				if aliasAt(toks, i, r) {
					best = r
					return
				}
			}
		}
		// The lexeme has both lists unless a context-dependent reading
		// gave the token another word than the one typed.
		if lx := toks[i].lx; lx != nil && lx.typed == toks[i].typed {
			try(lx.aliases)
			if toks[i].typed != toks[i].fold {
				try(lx.typedAliases)
			}
		} else {
			try(aliasByFirst[toks[i].fold])
			if toks[i].typed != toks[i].fold {
				try(aliasByFirst[toks[i].typed])
			}
		}
		if best.p >= 0 {
			return Platforms[best.p], i, true
		}
	}
	return Platform{}, -1, false
}

// aliasAt reports whether alias r is named at toks[i].
func aliasAt(toks []token, i int, r aliasRef) bool {
	words := aliasWords[r.p][r.a]
	if i+len(words) > len(toks) {
		return false
	}
	for j, w := range words {
		if toks[i+j].fold != w && toks[i+j].typed != w {
			return false
		}
	}
	return !(Platforms[r.p].Aliases[r.a] == "x" && !isPlatformX(toks, i))
}

func isPlatformX(toks []token, i int) bool {
	if toks[i].orig == "X" {
		return true
	}
	if i > 0 {
		switch toks[i-1].fold {
		case "on", "sur", "use", "using", "utiliser", "account", "compte", "via", "to":
			return true
		}
	}
	return false
}

// The uses of the information, as in A.4 and A.5.
const (
	UseBroadcasting   = "broadcasting"
	UseEngaging       = "engaging"
	UseManagement     = "account-management"
	UseAnalytics      = "account-analytics"
	UseInvestigations = "investigations"
	UseFraud          = "fraud-detection"
	UseLifestyle      = "lifestyle-analysis"
	UseMonitoring     = "monitoring"
	// UseOtherAdmin is A.9's "other administrative purposes", unnamed.
	UseOtherAdmin = "other-administrative"
)

// Covered reports whether a use is one of the four the notice pre-analysed.
func Covered(use string) bool {
	switch use {
	case UseBroadcasting, UseEngaging, UseManagement, UseAnalytics:
		return true
	}
	return false
}

// useCues map folded word prefixes or phrases to uses. A cue ending in a
// space matches a whole word; otherwise it matches a word's beginning.
var useCues = []struct {
	use  string
	cues []string
}{
	{UseInvestigations, []string{"investigat", "enquet", "evidence ", "preuve", "enforcement", "compliance case", "law enforcement", "police",
		"inspector", "inspecteur", "respectent leurs conditions", "verify compliance", "verifier la conformite", "check compliance",
		"build a case", "building a case", "monter un dossier", "monter des dossiers", "constituer un dossier", "build files", "compliance unit",
		"reperer les personnes qui", "identify people who"}},
	{UseFraud, []string{"fraud", "fraude", "fraudul", "benefit cheat", "abus des prestations", "touchent des prestations", "pendant qu ils touchent",
		"while collecting benefits", "while on benefits", "while receiving benefits", "really live where", "where they claim",
		"mentent sur leur situation", "qui mentent"}},
	{UseLifestyle, []string{"lifestyle", "mode de vie", "habitudes de vie"}},
	{UseOtherAdmin, []string{"other administrative", "autres fins administratives", "d autres fins administratives", "other admin purpose",
		"administrative decision", "decision administrative", "other than the four", "other than the 4", "outside the four", "outside the 4",
		"beyond the four", "beyond the 4", "autre chose que les quatre", "autre chose que les 4", "en dehors des quatre", "en dehors des 4",
		"hors des quatre", "hors des 4", "au dela des quatre", "au dela des 4", "research paper", "research project", "projet de recherche",
		"sentiment analysis", "analyze the sentiment", "analyse de sentiment", "analyse des sentiments"}},
	{UseMonitoring, []string{"monitor individ", "monitor people", "monitor user", "monitor citizen", "monitor employee", "monitor staff",
		"surveil", "screen applicant", "screen candidate", "screen job", "screening", "background check", "verifier les antecedents",
		"online behaviour", "online behavior", "comportement en ligne", "profiling", "profilage", "build a profile", "profile of each", "profiles of",
		"dresser un profil", "dresser le profil", "track people", "track individ", "track user", "suivre les gens",
		"vet applicant", "vetting", "vet ", "to vet", "epier", "tracking individ", "tracking people", "tracking user", "track individual users", "watch list", "spy", "espionn", "determine eligibility", "decide eligibility", "assess eligibility", "verify eligibility", "eligibility decision", "are eligible",
		"determiner l admissibilite", "verifier l admissibilite", "sont admissibles", "determine benefit",
		"keep an eye", "keeping an eye", "list of people who", "list of the people who", "liste des citoyens qui", "liste des usagers qui", "identify who", "find out who", "identifier qui", "trouver qui", "unmask", "demasquer", "who is behind", "qui se cache", "track the movements", "suivre les deplacements", "catch people who", "catch those who", "pogner ceux", "attraper ceux", "facial recognition to", "reconnaissance faciale pour", "list of critics", "list of complainers", "people who criticize", "liste des gens qui", "liste des personnes qui", "gens qui critiquent", "dossiers on", "dossier on", "build files on", "profiler ", "risk score", "scoring", "cote de risque", "garder un oeil", "misconduct", "inconduite", "monitor our followers", "monitor followers",
		"surveiller nos abonnes", "spot possible threats", "reperer des menaces"}},
	{UseManagement, []string{"block", "bloqu", "ban ", "bannir", "moderat", "modere", "moderer", "remove comment", "delete comment", "hide comment",
		"supprim", "masquer", "retirer des commentaires", "troll", "hateful", "haineu", "spam", "commenting standard", "mute "}},
	{UseEngaging, []string{"respond", "reply", "replies", "answer question", "answer their", "repondre", "reponse", "dialogue", "discussion", "engag",
		"interact", "echang", "conversation with"}},
	{UseAnalytics, []string{"analytic", "analytique", "statistic", "statistique", "metric", "mesure", "measure", "engagement rate", "audience",
		"insight", "reach ", "portee"}},
	{UseBroadcasting, []string{"broadcast", "dissemin", "announce", "annonc", "publish", "publier", "post ", "posting", "share information",
		"diffuser", "redirect", "rediriger", "direct users", "link to", "lien vers", "promot", "stream", "video", "photo"}},
}

// otherThanRe asks about a use other than the covered ones by naming them:
// "anything other than broadcasting and engaging", "à d'autres fins que la
// diffusion". That is the notice's A.5 question, whatever words follow.
var otherThanRe = mustPhrases(` (other than|beyond|outside( of)?|besides|apart from|anything but|autre chose que|autres fins que|d autres fins que|en dehors de|au dela de|hormis)( [a-z]+){0,3} (broadcast|disseminat|engag|moderat|manag|analytic|diffus|echang|mobilis|moder|gestion|analyti|mesur|publi|post)`)

// findUses lists the uses a message mentions, in useCues order.
func findUses(folded *scanned) []string {
	var uses []string
	if otherThanRe.Match(folded) {
		uses = append(uses, UseOtherAdmin)
	}
	// The scan noted which uses' cues occur.
	at := allLits().useFlag
	for i, u := range useCues {
		if folded.flag(at + i) {
			uses = append(uses, u.use)
		}
	}
	return uses
}

// Slot cues match at a word start in folded text (which has a space before
// and after every word): init puts a space before every cue once, and
// compiles each list into one automaton.
var useLits, piLits, incidentLits *litSet

func init() {
	var uses, kinds [][]string
	for _, u := range useCues {
		spaced(u.cues)
		uses = append(uses, u.cues)
	}
	for _, k := range piCues {
		spaced(k.cues)
		kinds = append(kinds, k.cues)
	}
	spaced(incidentCues)
	useLits, piLits, incidentLits = newLitSet(uses...), newLitSet(kinds...), newLitSet(incidentCues)
}

func spaced(cues []string) {
	for i, c := range cues {
		cues[i] = " " + c
	}
}

// Kinds of personal information. The first seven are what the standard
// PIBs list (A.10); the others go beyond them.
var standardPI = []string{"name", "contact", "biographical", "image", "opinions", "comments", "ip-address"}

var piCues = []struct {
	kind string
	cues []string
}{
	{"name", []string{"name ", "names ", "nom ", "noms ", "username", "nom d utilisateur"}},
	{"contact", []string{"email", "courriel", "phone number", "telephone", "numero de telephone", "address", "adresse", "contact information", "coordonnees"}},
	{"biographical", []string{"biograph"}},
	{"image", []string{"photo", "image", "picture", "selfie"}},
	{"opinions", []string{"opinion"}},
	{"comments", []string{"comment"}},
	{"ip-address", []string{"ip address", "ip addresses", "adresse ip", "adresses ip"}},
	// Health as personal information, not "Health Canada" or "recettes santé".
	{"health", []string{"health information", "health data", "health condition", "health status", "health issue", "health record", "health number",
		"health problem", "their health", "his health", "her health", "etat de sante", "renseignements sur la sante", "donnees de sante",
		"problemes de sante", "probleme de sante", "dossier de sante", "dossiers de sante", "leur sante", "sa sante", "medical", "medic", "disabilit",
		"handicap", "mental health", "sante mentale", "symptom", "symptome", "diagnos", "prescription", "allerg"}},
	{"financial", []string{"income", "revenu", "salary", "salaire", "financial", "financier", "financiere", "bank", "banc", "credit card", "carte de credit"}},
	{"household", []string{"household", "menage", "family size", "taille de la famille", "marital", "etat civil", "dependants", "personnes a charge"}},
	{"sin", []string{"sin ", "social insurance", "assurance sociale", "nas "}},
	{"education", []string{"report card", "transcript", "releve de notes", "releves de notes", "bulletin scolaire", "bulletins scolaires", "school record", "dossier scolaire"}},
	{"employment", []string{"employment status", "employment info", "employment history", "employer", "situation d emploi", "statut d emploi", "emploi des parents"}},
	{"identity", []string{"ethnic", "race ", "racial", "religio", "faith ", "confession religieuse", "croyance", "sexual orientation", "orientation sexuelle", "gender identity", "identite de genre",
		"indigenous", "autochtone", "immigration status", "statut d immigr", "citizenship", "citoyennete"}},
	{"location", []string{"geoloc", "location data", "gps", "localisation", "home address", "adresse domicile"}},
	{"birthdate", []string{"birth date", "date of birth", "dates of birth", "dates de naissance", "birthdate", "date de naissance", "age "}},
	{"biometric", []string{"biometric", "biometrique", "fingerprint", "empreinte", "facial recognition", "reconnaissance faciale"}},
	// Someone's record, not the law: "Criminal Code", "code criminel" say
	// nothing about a person.
	{"criminal", []string{"criminal record", "criminal history", "criminal background", "criminal check", "criminal conviction", "criminal charge",
		"conviction", "casier judiciaire", "antecedents judiciaires", "antecedent judiciaire", "antecedents criminels", "dossier criminel", "verification judiciaire",
		"condamnation", "accusations criminelles", "police record", "police check", "record check"}},
	{"identity-document", []string{"photo of their id", "photo id", "piece d identite", "pieces d identite", "proof of age", "preuve d age", "permis de conduire", "driver s licence", "driver s license", "drivers licence", "drivers license", "passport number",
		"numero de passeport", "passport", "passeport", "health card", "carte sante", "carte d assurance maladie"}},
	{"file-number", []string{"case number", "file number", "client number", "numero de dossier", "numero de client", "numero client"}},
}

// findPI lists the kinds of personal information a message mentions.
func findPI(folded *scanned) []string {
	var kinds []string
	// The scan noted which kinds' cues occur.
	at := allLits().piFlag
	for i, k := range piCues {
		if folded.flag(at + i) {
			kinds = append(kinds, k.kind)
		}
	}
	return kinds
}

// beyondStandardPI reports whether kinds include personal information the
// standard PIBs do not list.
func beyondStandardPI(kinds []string) bool {
	for _, k := range kinds {
		if !slices.Contains(standardPI, k) {
			return true
		}
	}
	return false
}

// incidentCues describe a privacy breach that has happened (folded phrase
// starts). Questions about breaches in general ("how fast must we notify
// after a breach?") do not match.
var incidentCues = []string{
	"leaked", "the leak", "our leak", "had a leak", "a leak at", "there was a leak", "was lost", "were lost", "got lost", "lost a ", "lost an ", "lost the ", "lost our", "lost his", "lost her", "lost their",
	"was stolen", "were stolen", "got stolen", "stole ", "been stolen", "broken into", "break in",
	"was hacked", "were hacked", "got hacked", "been hacked", "hacked ", "ransomware", "got phished", "were phished", "phishing attack",
	"misdirected", "misaddressed", "wrong address", "wrong person", "wrong recipient", "wrong email", "wrong people", "wrong client",
	"by mistake", "by accident", "accidentally", "inadvertently", "mistakenly", "in error",
	"cc d", "cc ed", "ccd ", "instead of bcc", "in cc", "reply all", "reply-all",
	"got posted",
	"we lost", "we had a breach", "we have had a breach",
	"there was a breach", "there has been a breach", "has been breached", "was breached", "were breached", "data breach at", "breach happened",
	"breach occurred", "our breach", "leaked file", "theft of", "lost usb", "lost laptop", "lost phone",
	"went to the wrong", "sent to the wrong", "emailed the wrong", "came back undelivered", "to the wrong ", "au mauvais ", "a la mauvaise ", "returned undelivered", "bounced",
	"got exposed", "were exposed", "was exposed", "been exposed", "meant for someone else", "intended for someone else", "on the bus", "in a taxi", "on the train", "on the subway", "in the car", "left behind", "we discovered", "found out about the breach", "haven t told", "have not told", "perdu", "perdue", "vole ", "volee", "voles ", "volees", "vol d un", "vol de l", "eu une fuite", "y a une fuite", "dans l autobus", "dans le bus", "dans le taxi", "dans le metro", "destine a quelqu", "on a decouvert", "nous avons decouvert", "pirate", "piratage", "rancongiciel",
	"par erreur", "par accident", "accidentellement", "par megarde", "mal achemine", "mal adresse", "mauvaise adresse", "mauvais destinataire",
	"mauvaise personne", "au lieu de bcc", "au lieu de cci", "en cc", "en copie conforme", "divulgue",

	"cette atteinte", "notre atteinte", "laisse en ligne", "accessible a tous", "on vient de decouvrir", "a toute la liste", "sent to the whole", "sent to the entire", "to other users", "a d autres utilisateurs", "visible to others", "was found in", "recycling bin",
	"bac de recyclage", "overheard", "a tout entendu", "ont entendu", "est parti a", "est partie a", "sat in a public",
	"in a public folder", "dans un dossier public", "was accessible", "were accessible", "etait accessible", "got into our", "phished",
	"au mauvais numero", "faxed to the wrong", "wrong fax", "wrong house", "mauvaise maison", "in the rush", "dans la precipitation", "touchee par l atteinte", "touche par l atteinte", "touchees par l atteinte", "affected by the breach",
	"was left at", "hasn t been recovered", "has not been recovered", "n a pas ete recupere", "went to the person", "breached file", "the breached",
	"affected client", "client touche", "cliente touchee", "suite de la fuite", "fuite de donnees de notre", "cette fuite", "notre fuite", "on a bus", "on a city bus", "left a box", "est reste en ligne", "reste en ligne pendant",
	"stayed online", "was online for", "faxed to", "was faxed", "envoye par telecopieur", "fois avant qu on", "before we took it down",
	"avant qu on la retire", "avant qu on le retire", "were affected", "ont ete touchees", "ont ete touches", "people affected are", "fichier expose", "a ete expose", "ont ete exposes", "exposed file", "got out", "leaked out",
	"was posted publicly", "posted publicly", "briefly posted", "mis en ligne par erreur", "les personnes touchees sont", "the affected people are",
	"the affected person is", "affected individuals are", "mal dirige", "mal dirigee", "on ne sait pas a qui", "non livre", "retournes a l expediteur", "exposed records", "the exposed", "donnees exposees", "renseignements exposes", "fait voler", "fait pirater", "fait hacker",
}

// findIncident reports whether a message describes a breach that happened.
func findIncident(folded *scanned) bool {
	return folded.flag(allLits().incidentFlag) // the scan noted whether one occurs
}
