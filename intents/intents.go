// Package intents turns a chat message into an intent, slots and a language,
// and decides which curated answer fits, following the decision logic of
// Privacy Implementation Notice 2021-01 and the B.C. breach guidance.
//
// Classification is a transparent weighted-cue model: each intent has cues
// (words and phrases in English and French, matched on Snowball stems with
// accents folded and typos corrected) listed in intents.yaml. The decision
// logic in decide.go then applies the notice's rules to the slots: reviewed
// platform × covered use needs no PIA; an unreviewed platform, another use,
// a secondary use or personal information beyond the standard PIBs needs
// review; so does a breach that has happened.
package intents

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/commsbot/commsbot/bot"
)

// strongScore is a score that only a question plainly about one intent
// reaches.
const strongScore = 7

// Threshold is the cue engine's confidence below which it abstains (the
// learned model may still answer, see combine.go). It is checked by the
// sweep of cmd/commsbot TestAbstentionThreshold: the whole classifier on
// the tuning part, with a learned model that never saw those questions.
// With tune44 the sweep prefers 0.50–0.54 by 0.02; 0.50 was tried and
// rejected: the held-out guard (TestHeldOutQuestions) saw blind40's French
// resolved fall from 0.86 to 0.82.
const Threshold = 0.42

// Classifier implements bot.Understander.
type Classifier struct {
	m     *model
	fuzzy *fuzzy
	// nb is the model learned from the knowledge base's example
	// questions; primary maps each entry to the section its answer cites
	// first ("pin-2021-01#A.8"). Both are nil for a cue-only classifier.
	nb      *learned
	primary map[string]string
	// sit is the model learned from questions labelled by whether their
	// situation needs a coordinator (knowledge/situations.yaml); nil
	// without them.
	sit *learned
	// lex holds the lexemes of the words the classifier knows.
	lex *lexicon
	// Trace, when set, is told the cue engine's reading, the learned
	// model's candidates and the final understanding of every message
	// (for calibration runs; never set in production).
	Trace func(text string, cue bot.Understanding, cands []Candidate, final bot.Understanding)
	// Threshold overrides the package Threshold when > 0.
	Threshold float64
}

// newCues compiles the embedded cue file, without the lexicon, which
// NewWith builds once the learned model is trained.
func newCues() (*Classifier, error) {
	m, err := loadModel(intentsYAML)
	if err != nil {
		return nil, err
	}
	words := make([]string, 0, len(m.vocab))
	for w := range m.vocab {
		words = append(words, w)
	}
	for _, p := range Platforms {
		for _, a := range p.Aliases {
			for _, w := range strings.Fields(a) {
				if len(w) >= 4 {
					words = append(words, w)
				}
			}
		}
	}
	c := &Classifier{m: m, fuzzy: newFuzzy(words, knownWords())}
	freezeStems() // the cue file's words are stemmed
	return c, nil
}

// Entries lists every knowledge entry the decision logic can choose, so that
// start-up can check the knowledge base has them all.
func Entries() []string {
	var out []string
	for _, e := range entryOf {
		out = append(out, e)
	}
	out = append(out, "platform-reviewed", "platform-unreviewed", "platforms-reviewed-list", "other-uses",
		"secondary-use-consistent", "pib-other-pi", "breach-duty", "platform-reviewed-pia", "covered-uses")
	slices.Sort(out)
	return slices.Compact(out)
}

// Scored is one intent's score, for explanations and tests.
type Scored struct {
	Intent string
	Doc    string
	Score  float64
	// Cues are the cues that matched.
	Cues []string
}

// analysis is everything read off one message.
type analysis struct {
	raw      string  // the message as typed
	toks     []token // all words, typos corrected
	focus    []token // the words of the last sentence, when there are several
	words    int     // how many content words
	folded   *scanned
	lang     bot.Lang
	langSure bool
	slots    bot.Slots
	scores   []Scored // sorted, best first
	// docEvidence is the weight of each document's own words in the
	// message ("breach", "political", "2021-01"…).
	docEvidence docWeights
	// sc holds the tokens, the scan, the scores and the candidates (see
	// scratch).
	sc *scratch
}

func (c *Classifier) analyse(text, prevDoc string) analysis {
	sc := newScratch()         // Understand gives it back
	toks := c.tokens(text, sc) // tokenized, typos corrected, numbered
	markFocus(text, toks)
	a := analysis{raw: text, toks: toks, words: countContent(toks), folded: sc.scan(foldText(toks)), sc: sc}
	// markFocus marks a suffix of the tokens: the focus shares them.
	if i := slices.IndexFunc(toks, func(t token) bool { return t.focus }); i >= 0 {
		a.focus = toks[i:len(toks):len(toks)]
	}
	if len(a.focus) == len(toks) {
		a.focus = nil // one sentence: nothing to favour
	}
	a.lang, a.langSure = detectLang(toks, text)
	if p, _, ok := findPlatform(toks); ok {
		a.slots.Platform, a.slots.PlatformReviewed = p.Name, p.Reviewed
	}
	var platArr [4]Platform
	if all := allPlatforms(toks, platArr[:0]); a.slots.Platform != "" && len(all) > 1 {
		for _, p := range all {
			if p.Reviewed {
				a.slots.Reviewed = append(a.slots.Reviewed, p.Name)
			} else {
				a.slots.Unreviewed = append(a.slots.Unreviewed, p.Name)
			}
		}
	}
	a.slots.NewPlatform = newPlatformRe.Match(a.folded)
	a.slots.Uses = findUses(a.folded)
	a.slots.PersonalInfo = findPI(a.folded)
	a.slots.Incident = findIncident(a.folded)
	a.scores, a.docEvidence = c.score(a, prevDoc)
	return a
}

var newPlatformRe = mustPhrases(` (new|other|different|another|unlisted|unreviewed) (social media )?(platform|site|app|network)| (nouvelle|autre) (plateforme|application|appli|reseau)| (not|isn t|is not|n est pas|pas) (on|sur) (the|la) (approved |reviewed )?list| (platform|plateforme) (that |qui )?(isn t|is not|wasn t|was not|hasn t been|has not been|n est pas|n a pas ete) (yet |encore )?(pre analy[sz]ed|preanaly[sz]ed|reviewed|analy[sz]ed|examinee|pre examinee|analysee)`)

// focusBoost weighs cues found in the question's last sentence above cues
// found in the context before it.
const focusBoost = 1.5

// A sentence ends with a run of end marks followed by white space, or a
// question mark on its own: the regexp `[.?!;:—–]+\s+|\?`, which
// splitSentences follows without running it (it is on every message's
// path; the tests compare the two).

func endMark(r rune) bool {
	switch r {
	case '.', '?', '!', ';', ':', '—', '–':
		return true
	}
	return false
}

// isSpace is regexp's \s.
func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r' }

// splitSentences splits s at its sentence ends, as regexp's Split does,
// appending the parts to parts (a caller's buffer).
func splitSentences(s string, parts []string) []string {
	if s == "" {
		return append(parts, "")
	}
	beg, end := 0, 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !endMark(r) {
			i += size
			continue
		}
		// The longest run of end marks from i, then white space.
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !endMark(r) {
				break
			}
			j += n
		}
		k := j
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		var mEnd int
		switch {
		case k > j:
			mEnd = k
		case r == '?':
			mEnd = i + 1
		default:
			i += size
			continue
		}
		end = i
		parts = append(parts, s[beg:end])
		beg = mEnd
		i = mEnd
	}
	if end != len(s) {
		parts = append(parts, s[beg:])
	}
	return parts
}

// markFocus flags the tokens of the last sentence that has words. Tokens
// are matched to sentences by their order in the text.
func markFocus(text string, toks []token) {
	var arr [16]string // most messages have fewer sentences
	parts := splitSentences(text, arr[:0])
	last := -1
	for i := len(parts) - 1; i >= 0; i-- {
		if countWords(parts[i]) > 0 {
			last = i
			break
		}
	}
	if last <= 0 {
		for i := range toks {
			toks[i].focus = true
		}
		return
	}
	n := 0
	for _, p := range parts[:last] {
		n += countWords(p)
	}
	for i := n; i < len(toks); i++ {
		toks[i].focus = true
	}
}

// gated documents answer only questions that show they are about them: a
// word of the document (breach, political…), or a conversation already on
// it. Otherwise a stray word ("youth", "comment") would pull a question about
// social media accounts into the breach or political-activity guidance.
var gated = map[string]bool{"psc-political-sm": true, "bc-breach-notify": true}

// politicalRe names party politics; nonPoliticalRe says a question is
// not about it.
var (
	politicalRe    = mustPhrases(` (party|parties|parti|partis|partisan|partisans|partisane|partisanes|candidate|candidates|candidat|candidats|campaign|campaigns|campagne electorale|election|elections|mp s|depute|deputes|rally|rallye) `)
	nonPoliticalRe = mustPhrases(` (not political|non political|aren t political|isn t political|ne sont pas politiques|nothing to do with (a |any )?(party|politics)|rien a voir avec (un |les |la )?(parti|politique)|pas politique|non partisan|pas partisan|rien de partisan|nothing partisan|apolitique)`)
)

// gateFactor scales the score of a gated document's intents without
// evidence for the document.
const gateFactor = 0.5

// score rates every intent against the message.
func (c *Classifier) score(a analysis, prevDoc string) ([]Scored, docWeights) {
	// Only the cues whose anchor word is in the message can match; they
	// are tried in the cue file's order, so each intent's score adds the
	// same terms in the same order as a pass over all its cues would.
	//
	// Per-message scratch (candidate ids, sums, the cues that matched)
	// lives in fixed arrays on the stack: this runs on every message, as
	// do the documents' weights.
	docScore := docWeights{names: c.m.docNames}
	n := len(c.m.intents)
	var sumsArr [64]float64
	var sums []float64
	if n <= len(sumsArr) {
		sums = sumsArr[:n]
	} else {
		sums = make([]float64, n)
	}
	var candArr [256]int
	var hitArr [64]int
	hits := hitArr[:0] // the matching intent cues' ids, in increasing order
	for _, id := range c.m.candidates(a.toks, candArr[:0]) {
		cu, owner := c.m.byID[id], c.m.owners[id]
		if !cu.match(a.toks) {
			continue
		}
		if owner.intent < 0 {
			docScore.w[owner.docID] += cu.weight
			continue
		}
		w := cu.weight
		if a.focus != nil && cu.match(a.focus) {
			w *= focusBoost
		}
		sums[owner.intent] += w
		hits = append(hits, id)
	}
	// Each intent's matched cues, in the order they matched, share one
	// backing array: one allocation instead of one per intent.
	out, srcs := a.sc.scored(n, len(hits))
	var cntArr [64]int
	var cnt []int
	if n <= len(cntArr) {
		cnt = cntArr[:n]
	} else {
		cnt = make([]int, n)
	}
	for _, id := range hits {
		cnt[c.m.owners[id].intent]++
	}
	at := 0
	for ii, k := range cnt {
		if k > 0 { // an intent without a match keeps nil Cues
			out[ii].Cues = srcs[at : at : at+k]
			at += k
		}
	}
	for _, id := range hits {
		cs := &out[c.m.owners[id].intent].Cues
		*cs = append(*cs, c.m.byID[id].src)
	}
	for ii, in := range c.m.intents {
		s := sums[ii]
		if s > 0 {
			// Document cues only strengthen an intent that has its own
			// evidence; they decide between documents, not within one.
			s += math.Min(docScore.w[in.docID], 4)
			if gated[in.doc] && docScore.w[in.docID] == 0 && prevDoc != in.doc && !(a.slots.Incident && in.doc == "bc-breach-notify") {
				s *= gateFactor
			}
		}
		out[ii].Intent, out[ii].Doc, out[ii].Score = in.name, in.doc, s
	}
	c.slotBonus(a, out)
	// The PSC's "other online activities" are the ones that are not
	// political: a question about a party or a candidate is not one of
	// them, unless it says it has nothing to do with one.
	if politicalRe.Match(a.folded) && !nonPoliticalRe.Match(a.folded) {
		for i := range out {
			if out[i].Intent == "psc.other-online" {
				out[i].Score *= 0.5
			}
		}
	}
	sortScores(out)
	return out, docScore
}

// byScore orders scores best first.
func byScore(x, y Scored) int {
	switch {
	case x.Score > y.Score:
		return -1
	case x.Score < y.Score:
		return 1
	}
	return 0
}

// sortScores is a stable sort by score, best first. Most intents score 0
// on a message: the few that do not are moved ahead, in order, and only
// they are sorted. A stable sort is unique, so the result is the one
// sorting the whole slice gives (sortScoresAlike compares them).
func sortScores(out []Scored) {
	// Stable partition: scores above 0 first.
	pos := 0
	for i := range out {
		if out[i].Score > 0 {
			if i != pos {
				x := out[i]
				copy(out[pos+1:i+1], out[pos:i])
				out[pos] = x
			}
			pos++
		}
	}
	slices.SortStableFunc(out[:pos], byScore)
	// The rest are all 0 unless a score went below it.
	for _, s := range out[pos:] {
		if s.Score != 0 {
			slices.SortStableFunc(out[pos:], byScore)
			break
		}
	}
}

// slotBonus lets slots vote: a named platform points at the platform
// intent, an uncovered use at A.5, a described breach at the breach
// guidance.
func (c *Classifier) slotBonus(a analysis, scores []Scored) {
	for i := range scores {
		s := &scores[i]
		switch s.Intent {
		case "pin.platform":
			if a.slots.Platform != "" {
				s.Score += 2.5
			}
			if a.slots.NewPlatform {
				s.Score += 2
			}
		case "pin.other-use":
			// "Can my manager investigate my partisan posts?" is the PSC's
			// business, not a use of an official account.
			if politicalRe.Match(a.folded) {
				break
			}
			for _, u := range a.slots.Uses {
				if !Covered(u) {
					s.Score += 1.5
					break
				}
			}
		case "breach.incident":
			if a.slots.Incident {
				s.Score += 3
			}
		}
		if s.Doc == "bc-breach-notify" && a.slots.Incident && s.Score > 0 {
			s.Score += 1
		}
	}
}

// confidence maps the best score and its margin over the runner-up to
// [0,1].
func confidence(scores []Scored) float64 {
	if len(scores) == 0 || scores[0].Score <= 0 {
		return 0
	}
	s1 := scores[0].Score
	s2 := 0.0
	if len(scores) > 1 {
		s2 = scores[1].Score
	}
	strength := 1 - math.Exp(-s1/3)
	margin := (s1 - s2) / s1
	return round2(strength * (0.75 + 0.25*margin))
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Scores explains a classification: every intent's score for text.
func (c *Classifier) Scores(text string) []Scored {
	return c.analyse(text, "").scores
}

// cues is the cue engine's reading of a message: its intent, entry and
// confidence, before the learned model is consulted (see Understand).
func (c *Classifier) cues(text string, prev bot.State, hint bot.Lang) (bot.Understanding, analysis) {
	a := c.analyse(text, docOf(c.m, prev.Intent))
	lang := a.lang
	if !a.langSure {
		switch {
		case hint != "":
			lang = hint
		case prev.Lang != "":
			lang = prev.Lang
		}
	}
	u := bot.Understanding{Lang: lang, Slots: a.slots}

	if strings.TrimSpace(text) == "" || len(a.toks) == 0 {
		u.Abstain = "empty"
		u.Command = bot.CmdHelp
		return u, a
	}
	if cmd, l, ok := command(a); ok {
		u.Command = cmd
		if cmd == bot.CmdReview {
			u.Details = reviewDetails(text)
		}
		if l != "" {
			u.Lang = l
		}
		return u, a
	}
	if injection(a.folded) {
		u.Abstain = "injection"
		return u, a
	}

	threshold := Threshold
	if c.Threshold > 0 {
		threshold = c.Threshold
	}
	scores := a.scores
	best := scores[0]
	// A subject the sources do not cover (copyright, advertising, writing
	// posts…) abstains unless the question is also plainly about what they
	// do cover.
	// Consent for or from a minor: the sources do not settle it (A.7 is
	// silent on age), so no neighbouring section answers it.
	if minorRe.Match(a.folded) && consentWordRe.Match(a.folded) && !a.slots.Incident {
		return abstain(u, "out-of-scope"), a
	}
	if bcRe.Match(a.folded) && bcOtherRe.Match(a.folded) && !a.slots.Incident {
		return abstain(u, "out-of-scope"), a
	}
	if outsideLawRe.Match(a.folded) || hrFileRe.Match(a.folded) && !a.slots.Incident ||
		otherProvinceRe.Match(a.folded) && provincialLawRe.Match(a.folded) && !federalLawRe.Match(a.folded) && !a.slots.Incident ||
		(offTopic(a.folded) || outsideSectorRe.Match(a.folded)) && !a.slots.Incident && best.Score < strongScore {
		return abstain(u, "out-of-scope"), a
	}

	u.Confidence = confidence(scores)

	// In a conversation about a breach, a message that names another step
	// of the breach guidance asks about that step: "and the commissioner
	// too?", "could we just post it on our page?", "what has to be in it?",
	// "they deleted it, does that help?".
	if docOf(c.m, prev.Intent) == breachDoc && a.words <= breachStepWords {
		if in := breachStep(a.folded); in != "" && in != prev.Intent {
			u.Intent, u.FollowUp = in, true
			u.Slots = mergeSlots(prev.Slots, a.slots, in)
			u.Confidence = math.Max(u.Confidence, 0.6)
			return decide(u, a.folded), a
		}
	}

	// Follow-ups: "what about TikTok?", "et pour LinkedIn?", "even if it's
	// just for statistics?" reuse the previous intent with the new slots.
	if prev.Intent != "" {
		if in, ok := followUp(a, prev, docOf(c.m, prev.Intent), best, u.Confidence, threshold); ok {
			u.Intent, u.FollowUp = in, true
			u.Slots = mergeSlots(prev.Slots, a.slots, in)
			u.Confidence = math.Max(u.Confidence, 0.6)
			return decide(u, a.folded), a
		}
		// A question in the same document as the last answer gets the
		// benefit of the doubt; so does one whose words say nothing of
		// another document ("on a combien de temps?" in a conversation
		// about a breach is about notifying, not about retention).
		prevDoc := docOf(c.m, prev.Intent)
		unmarked := a.docEvidence.of(best.Doc) == 0
		if best.Doc != prevDoc && (u.Confidence < threshold+0.15 || unmarked) {
			for _, s := range scores {
				if s.Doc == prevDoc && s.Score > 0 && (s.Score+1.5 >= best.Score || unmarked && s.Score >= best.Score/2) {
					best = s
					u.Confidence = math.Max(u.Confidence, threshold)
					break
				}
			}
		}
		if prev.Slots.Incident && best.Doc == "bc-breach-notify" {
			u.Slots.Incident = true
		}
		// A question on the same document that names no platform is about
		// the conversation's ("do we need to loop in legal?").
		if best.Doc == prevDoc && u.Slots.Platform == "" && !u.Slots.NewPlatform && prev.Slots.Platform != "" {
			u.Slots.Platform, u.Slots.PlatformReviewed = prev.Slots.Platform, prev.Slots.PlatformReviewed
		}
	}
	// A described breach is answered from the breach guidance even when
	// the words also fit another intent ("cc'd our newsletter list").
	if a.slots.Incident && best.Doc != "bc-breach-notify" {
		for _, s := range scores {
			if s.Doc == "bc-breach-notify" && s.Score > 0 {
				best = s
				break
			}
		}
	}
	if u.Confidence < threshold {
		return abstain(u, "unsure"), a
	}
	u.Intent = best.Intent
	return decide(u, a.folded), a
}

func abstain(u bot.Understanding, why string) bot.Understanding {
	u.Intent, u.Entry, u.Abstain = "", "", why
	return u
}

func docOf(m *model, intent string) string {
	for _, in := range m.intents {
		if in.name == intent {
			return in.doc
		}
	}
	// An answer chosen from a clarifying question's options is stored
	// under its entry.
	if in := intentOf(intent); in != intent {
		return docOf(m, in)
	}
	return ""
}

// breachDoc is the breach guidance's document id.
const breachDoc = "bc-breach-notify"

// breachStepWords bounds the messages read as a step of a breach
// conversation: a longer one is a question of its own.
const breachStepWords = 20

// The steps of the breach guidance a follow-up can name: notifying the
// commissioner, notifying indirectly (a public post), what a notification
// contains, and containing the breach (what was deleted, destroyed or got
// back).
var (
	commissionerStepRe = mustPhrases(` (commissioner|commissioner s|commissaire|oipc|cipvp)( |$)`)
	indirectStepRe     = mustPhrases(` (post|posting|publish|publishing|put|announce|afficher|publier|poster|mettre|annoncer)( [a-z]+){0,4} (on|sur|dans) (our|the|a|notre|la|le|l|une|un|nos)?( [a-z]+)? (page|website|web site|site|site web|facebook|instagram|twitter|linkedin|social media|reseaux sociaux|medias sociaux)( |$)`)
	elementsStepRe     = mustPhrases(` (what (has|needs|should|must|would) (to )?(be in|go in|say|include|contain|be included)|what do we (put|write|include|say) in|what goes in|qu est ce qu on (met|ecrit|dit) dans|quoi mettre dans|que doit contenir|doit contenir|doit dire|doit inclure|contenu de l avis|contents of the notice|content of the notice)( |$)`)
	timingStepRe       = mustPhrases(` (how long do we have|how much time do we have|how much time have we got|how soon|how quickly|how fast|too late|deadline|combien de temps (on a|avons nous|a t on|pour)|trop tard|quel delai|dans quel delai|tout de suite|right away|immediately|sans delai|without delay)( |$)`)
	containedStepRe    = mustPhrases(` (deleted|destroyed|wiped|erased|shredded|took it down|taken down|got it back|retrieved|recovered|returned it|supprime|supprimee|supprimes|supprimees|detruit|detruite|detruits|efface|effacee|retire|retiree|recupere|recuperee|rendu|rendue)( |$)`)
)

// breachStep is the breach guidance's intent for the step a message names,
// or "".
func breachStep(folded *scanned) string {
	switch {
	case commissionerStepRe.Match(folded):
		return "breach.commissioner"
	case elementsStepRe.Match(folded):
		return "breach.elements"
	case indirectStepRe.Match(folded):
		return "breach.indirect"
	case containedStepRe.Match(folded):
		return "breach.containment"
	case timingStepRe.Match(folded):
		return "breach.timing"
	}
	return ""
}

var followUpRe = mustPhrases(`^ (what about|how about|even|meme|and|and what about|and for|and if|what if|even if|even for|also|same for|same question for|same with|ok and|okay and|et|et pour|et si|et avec|et sur|et qu en est il|qu en est il|meme si|meme pour|meme question pour|pareil pour|aussi|ou|or|pis|puis|faque|fak|fait que|ca fait que|but|mais|so|alors|donc|then|ensuite) `)

// sameQuestionRe starts a follow-up that asks the last question again about
// something else ("what about the engagement numbers?"), unlike "and if…",
// which may ask another.
var sameQuestionRe = mustPhrases(`^ (what about|how about|and what about|and for|same for|same question for|same with|et pour|et qu en est il|qu en est il|meme pour|meme question pour|pareil pour|(and|ok and|et|pis|puis) (the|our|their|those|these|les|nos|leurs|ces|le|la|l)) `)

// facetScore is the score at which a follow-up in the same document asks
// its own question rather than repeating the last one with a new detail.
const facetScore = 3

// accountFamily are the intents about an account's life (the prescribed
// processes, existing accounts) where a platform follow-up asks about that
// platform.
var accountFamily = map[string]bool{"pin.processes": true, "pin.existing": true}

// platformFamily are intents that take a platform slot.
var platformFamily = map[string]bool{"pin.platform": true, "pin.pia": true, "pin.uses": true, "pin.other-use": true}

// followUp decides whether a message continues the previous question.
func followUp(a analysis, prev bot.State, prevDoc string, best Scored, conf, threshold float64) (string, bool) {
	marker := followUpRe.Match(a.folded)
	short := a.words <= 4
	if !marker && !short {
		return "", false
	}
	// A new platform after a platform question: same question, new slot.
	if a.slots.Platform != "" && (marker || a.words <= 2) {
		if platformFamily[prev.Intent] {
			return prev.Intent, true
		}
		// After a question on opening or keeping an account, another
		// platform asks whether that one was reviewed.
		if accountFamily[prev.Intent] {
			return "pin.platform", true
		}
	}
	// Another facet of the same document ("and how long do we keep
	// that?", "pis si la personne est mineure?"): that question, about
	// the same platform, breach or activity.
	if best.Intent != prev.Intent && best.Doc == prevDoc && best.Score >= facetScore && !sameQuestionRe.Match(a.folded) {
		return best.Intent, true
	}
	// A clear new question stands on its own; after "what about…" it
	// must be very clear.
	if marker && best.Score < strongScore || !marker && conf < threshold {
		return prev.Intent, true
	}
	return "", false
}

// mergeSlots keeps the previous slots where the follow-up says nothing new.
func mergeSlots(prev, cur bot.Slots, intent string) bot.Slots {
	out := prev
	if cur.Platform != "" || cur.NewPlatform {
		out.Platform, out.PlatformReviewed, out.NewPlatform = cur.Platform, cur.PlatformReviewed, cur.NewPlatform
	}
	if len(cur.Uses) > 0 && intent != "pin.retention" {
		out.Uses = cur.Uses
	}
	if len(cur.PersonalInfo) > 0 {
		out.PersonalInfo = cur.PersonalInfo
	}
	out.Incident = prev.Incident || cur.Incident
	return out
}

// Commands in free text.
var (
	toFrenchRe  = mustPhrases(`^ ((can you |could you )?(please )?(answer |reply |say that |repeat that |write )?(it |that |this )?in french( please)?|en francais( svp| s il vous plait| s il te plait)?( svp)?|french( please)?|francais( svp)?|lang fr|language fr|langue fr|reponds en francais|repondez en francais|peux tu repondre en francais|switch to french) $`)
	toEnglishRe = mustPhrases(`^ ((can you |could you )?(please )?(answer |reply |say that |repeat that |write )?(it |that |this )?in english( please)?|en anglais( svp| s il vous plait| s il te plait)?( svp)?|english( please)?|anglais( svp)?|lang en|language en|langue en|reponds en anglais|repondez en anglais|peux tu repondre en anglais|switch to english) $`)
	forgetRe    = mustPhrases(`^ ((please )?forget (me|about me|everything|my data|our conversation|this conversation)( please)?|delete (my data|my conversation|our conversation|everything about me)|oublie(z)? (moi|tout|notre conversation|mes donnees)( svp)?|efface(z)? (mes donnees|notre conversation|tout)( svp)?|forget) $`)
	reviewRe    = mustPhrases(`^ (review|revue|examen|escalate|(please )?(ask|contact|notify|talk to|get|i want|i d like) (an |a |the |my )?(atip|privacy) (coordinator|office|officer)( please)?|(parler|demander|contacter|aviser) (a |au |le |un )?(coordonnateur|bureau|responsable) (de l |du )?(atip|aiprp)?|demander un examen|request (a )?review)( |$)`)
	ticketsRe   = mustPhrases(`^ ((show |list |see |check )?(me )?my (tickets?|reviews?|review requests?|review tickets?|requests?)( please)?|(what s |what is )?(the )?(status|state) of my (tickets?|reviews?|review requests?|requests?)|(voir |afficher )?mes (demandes|billets|tickets|examens)( d examen)?( svp)?|(l )?(etat|statut|suivi) de (ma|mes) (demandes?|billets?|tickets?|examens?)( d examen)?|ou en est ma demande( d examen)?) $`)
	helpRe      = mustPhrases(`^ (help|aide|\?|what can you do|what can you answer|what do you know|que peux tu faire|que sais tu faire|qu est ce que tu peux faire|menu|start|hi|hello|bonjour|salut|allo|hey) $`)
)

func command(a analysis) (bot.Command, bot.Lang, bool) {
	switch {
	case toFrenchRe.Match(a.folded):
		return bot.CmdSwitchLang, bot.French, true
	case toEnglishRe.Match(a.folded):
		return bot.CmdSwitchLang, bot.English, true
	case forgetRe.Match(a.folded):
		return bot.CmdForget, "", true
	case helpRe.Match(a.folded):
		return bot.CmdHelp, "", true
	case ticketsRe.Match(a.folded):
		return bot.CmdMyTickets, "", true
	case reviewRe.Match(a.folded):
		return bot.CmdReview, "", true
	}
	return bot.CmdNone, "", false
}

// reviewDetails is what follows "review" in "review <details>".
func reviewDetails(text string) string {
	f := strings.Fields(text)
	if len(f) > 1 {
		switch strings.ToLower(strings.Trim(f[0], "/!:")) {
		case "review", "revue", "examen", "escalate":
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(text), f[0]))
		}
	}
	return ""
}

// injection spots attempts to change the bot's instructions or extract
// them. Such messages get the abstention, never an answer.
var injectionRe = mustPhrases(strings.Join([]string{
	` (ignore|disregard|forget|override|bypass) (all |any |the |your |my |previous |prior |above |earlier |these |those )*(instructions|rules|prompt|prompts|guidelines|guardrails|directives|constraints|programming)`,
	` (system|hidden|initial|original) (prompt|message|instructions)`,
	` (print|show|reveal|repeat|display|output|tell me|give me|leak) (me )?(your|the) (prompt|instructions|rules|configuration|system)`,
	` you are now `, ` act as `, ` pretend (to be|you are|that) `, ` jailbreak`, ` dan mode`, ` developer mode`, ` do anything now`,
	` (disregard|ignore|oublie|oubliez) (the |all |tout )?(above|previous|ce qui precede)`, ` (reveal|show|give me|montre|revele) (me )?(your )?(hidden|secret|internal|cachee|interne) (config|configuration|settings|parametres|prompt)`,
	` roleplay`, ` role play`, ` from now on you`, ` pretend (you re|youre|to be a|you are a)`, ` (answer|respond|reply|talk) (only )?(in|like) (a )?(pirate|rhymes?|emojis?|shakespeare)`,
	` (a partir de maintenant|desormais|dorenavant) tu`, ` (reponds|repondez|parle|parlez) (moi )?(seulement |uniquement )?(en|comme un) (pirate|rimes?|vers|emojis?)`,
	` (ignore|ignorez|oublie|oubliez) (toutes |tes |vos |les |tous |ces )*(instructions|regles|consignes|directives)`,
	` (repete|repetez|affiche|affichez|montre|montrez|revele|revelez|donne moi) (moi )?(tes|vos|les) (instructions|consignes|regles|prompt)`,
	` (prompt|instructions) (systeme|initiales|cachees)`, ` tu es maintenant`, ` fais semblant`, ` joue le role`,
	` (say|dis|dites|write|ecris) (that |que )?(consent|le consentement) (is|n est)`,
}, "|"))

func injection(folded *scanned) bool { return injectionRe.Match(folded) }

// offTopicRe lists subjects near commsbot's domain that the sources do not
// cover, so that a platform or policy word in such a question does not
// pull in an unrelated answer.
var offTopicRe = anyPhrases(offTopicParts)

var offTopicParts = []string{
	` copyright`, ` droit(s)? d auteur`, ` creative commons`, ` fair (dealing|use)`, ` utilisation equitable`,
	` (how many|combien de) (characters|caracteres)`, ` (character|caractere(s)?) (limit|count|maximum)`, ` limite de caracteres`,
	` (taille|size|dimension(s)?|format|resolution)( [a-z]+){0,4} (image|photo|banner|banniere|video|logo|profile picture|photo de profil)`,
	` (expense|expensing|note de frais|premium subscription|abonnement premium|linkedin premium)`, ` cookie`, ` temoin(s)? de connexion`,
	` (blackout|caretaker|convention de transition|periode de transition)`, ` (get|getting|obtenir|faire) (our |the |a |notre |le )?(account |compte )?(verified|verifie|certifie)`, ` (checkmark|blue check|coche bleue|badge de verification)`, ` (if|si) (i|we|on|je) (credit|give credit|credite|mentionne la source)`, ` (photo|image) credit`, ` crediter`, ` licen[cs]e (for|to use|pour)`, ` trademark`, ` marque de commerce`,
	` (buy|buying|purchase|boost|boosting|paid|sponsored) (ad|ads|advertising|posts?|campaign)`, ` ad budget`,
	` (acheter|payer|achat de|acheter de la|acheter des) (publicite|publicites|pubs|annonces)`, ` (advertising|publicitaire) (budget|campaign|rates|agency|agence)`,
	` (placement|budget) publicitaire`, ` (recette|recipe)s? (pour|for) `, ` (influencer|influenceur|influenceuse)`, ` (crise mediatique|media crisis|crisis communications?)`,
	` (image|photo|banner|banniere) (size|sizes|dimensions|taille)`, ` (conge|leave)( [a-z]+){0,4} (se presenter|to run|campaign|election|elections)`, ` (advertise|advertising) (on|our|a) `,
	` (in english and french|in french and english|en francais et en anglais|en anglais et en francais|both official languages|les deux langues officielles)( [a-z]+){0,4} (same time|meme temps|simultan)`,
	` (briefing note|note d information|notes d information|library and archives|bibliotheque et archives)`,
	` (qui est|who is) (l actuel |l actuelle |le |la |the current |the )?(commissaire|commissioner|ministre|minister|premier ministre|prime minister|president)`,
	` (what|which|quelle) (time|heure|moment)( of (the )?day)?( [a-z]+){0,3} (engagement|reach|portee|views|vues)`,
	` (translate|translated|translation|traduire|traduit|traduits|traduction|official languages|langues officielles)`,
	` (alt text|accessib|texte de remplacement|sous titr|caption)`,
	` (write|draft|compose|create|redige|rediger|ecrire|ecris|ecrivez|compose|suggest|suggere)( me| moi)?( [a-z0-9]+){0,3} (tweet|post|posts|caption|message|thread|publication|gazouillis|slogan|press release|communique|email|speech|discours|joke|blague|poem|poeme|texte|hashtag|reply|response|reponse|legende|enonce|privacy statement|bio|biography|biographie|text)`,
	` (surveymonkey|survey monkey|google forms|microsoft forms)`,
	` (hootsuite|sprout social|buffer app|scheduling tool|outil de planification|later com)`, ` (how many|combien d|combien de) (followers|abonnes|likes|views|vues|mentions j aime)`,
	` (which|what|quel|quelle) (party|parti)( [a-z]+){0,3} (best|meilleur|should i vote|vote)`, ` best (party|parti)`, ` (legende|caption) pour`,
	` budget (publicitaire|de publicite|pour (les )?(pubs|publicites|annonces))`, ` (texte alternatif|alt text|hashtag|promoted post|boosted post|publication commanditee|commandite)`,
	` (how often|how many times|a quelle frequence|meilleure frequence|frequence de publication|posting frequency|posting schedule|calendrier de publication)`,
	` (apply|applying|postuler|candidater) (for|to|a|pour|sur)( [a-z]+){0,3} (job|jobs|position|positions|poste|postes|emploi|emplois)`,
	` (spending limit|election financing|financement electoral|third party advertising|publicite electorale|elections canada|plafond des depenses)`,
	` (joke|blague|poem|poeme|limerick|haiku|weather|meteo|temps fera|lunch|diner|horoscope|sports score)`,
	` (keeps logging me out|logging me out|logged me out|can t log in|cannot log in|me deconnecte|keeps crashing|plante sans arret)`,
	` (schedul|planifi|programmer) (our |nos |les |des )?(social )?(posts|publications)`, ` (recommend|suggest|recommander|suggerer) (a |an |un |une )?(tool|app|software|outil|logiciel|application)`,
	` (can|may|could|should|would) (i|we|a public servant|an employee|public servants|employees) (run|stand|be a candidate)`,
	` (i|i m|im|i am|we re) (running|standing|planning to run|thinking of running|want to run|would like to run)`,
	` (je|j) (veux|voudrais|souhaite|compte|pense|aimerais) (me presenter|poser ma candidature|etre candidat)`,
	` (puis je|est ce que je peux|est ce qu on peut|peut on|pourrais je) (me|se) presenter`,
	` seek (the )?nomination`, ` candidacy`, ` candidature`, ` leave without pay`, ` conge sans solde`, ` keep my job`, ` garder mon emploi`,
	` (best|optimal|meilleur|meilleure|meilleurs) (time|times|moment|heure|heures|day|days|jour|jours)`, ` (grow|gain|more|increase|augmenter) (our )?(followers|abonnes)`,
	` (hashtag|mot clic|mots clics)`, ` algorithm`, ` seo `, ` (password|mot de passe|wifi|printer|imprimante|outlook|excel|laptop won t|vpn|crash|two factor|2fa|mfa|authentification a deux facteurs|double authentification)`,
	` (how much is|combien font|calculate|calcule) `, ` [0-9]+ (times|fois|plus|minus|moins) [0-9]+`,
	` (song|songs|music|musique|chanson|chansons|royalt|droits musicaux|stock photo|banque d images)`,
	` (ms teams|microsoft teams|teams meeting|teams call|reunion teams|zoom|webex|sharepoint|onedrive|screen share|share my screen|partager mon ecran|partage d ecran)`,
	` (font|fonts|police de caracteres|typeface|typographie)`, ` (brand colou?r|couleur de (la )?marque|hex code|code hex)`, ` (stanley cup|coupe stanley|super bowl|who won the|qui a gagne la)`, ` combien (coute|coutent|ca coute)`, ` how much (does|do|would|will)( [a-z]+){0,4} cost`, ` (your opinion|ton opinion|votre opinion|what do you think of|que penses tu de)`, ` (plan de communication|plan de communications|communications plan|communication plan)`, ` bonne legende`,
	` (ia generative|generative ai|chatgpt|intelligence artificielle|ai generated|ai image|genere(es)? par (l )?ia|midjourney|dall e|copilot)`,
	` (phishing|hameconnage|cyber|cybersecurite|cybersecurity) (training|formation|simulation|course|cours|awareness|sensibilisation)`,
	` (formation|training|course|cours) (sur|on|about|en) (l |le |la )?(phishing|hameconnage|cyber|cybersecurite|cybersecurity|securite informatique)`,
	` (salary|salaire|pay raise|promotion|overtime|heures supplementaires|vacation leave|conges annuels|pension|retraite)`,
}

func offTopic(folded *scanned) bool { return offTopicRe.Match(folded) }

// minorRe names children and minors; consentWordRe consent or a parent's
// permission.
var (
	minorRe       = mustPhrases(` (minor|minors|child|children|kid|kids|teen|teens|teenager|teenagers|youth|under 18|under 13|under 16|[0-9]{1,2} year old|[0-9]{1,2} years old|enfant|enfants|mineur|mineurs|mineure|mineures|ado|ados|adolescent|adolescents|adolescente|adolescentes|moins de 1[0-9] ans|[0-9]{1,2} ans)( |$)`)
	consentWordRe = mustPhrases(` (consent|consents|consented|consentement|consentements|consentir|permission (of|from) (the |their |his |her )?parents?|permission des parents|permission de ses parents)( |$)`)
)

// hrFileRe names employees' HR files: their handling is outside the
// sources, unless one was exposed in a breach.
var hrFileRe = mustPhrases(` (dossier(s)? rh|dossier(s)? du personnel|hr file(s)?|personnel file(s)?|employee file(s)?|employee record(s)?)`)

// outsideLawRe names legal regimes and sectors the sources do not cover at
// all: such questions abstain however many familiar words they contain.
var outsideLawRe = mustPhrases(` (loi 25|bill 64|projet de loi 64|quebec privacy law|loi quebecoise|cppa|c 27|gdpr|pipeda|lprpde|hipaa|ccpa|casl|lcap|european union|union europeenne|phipa|loi sur l acces a l information|access to information act|library and archives|bibliotheque et archives|publicite gouvernementale|government advertising|loi electorale|elections act|election act|porter plainte au commissariat|demande d acces a l information|demandes d acces a l information|access to information request|access to information requests|atip request|atip requests|demande d aiprp|demandes d aiprp|ati request|ati requests|mfippa|alberta foip|foip act|loi foip|pipa|freedom of information request|freedom of information requests|foi request|foi requests|loi sur l acces aux documents|material privacy breach|material breach|atteinte substantielle|atteintes substantielles|office of the privacy commissioner of canada|commissariat a la protection de la vie privee du canada)`)

// outsideSectorRe names sectors and provinces the sources do not cover: such
// a question abstains unless it is plainly about the sources (a breach that
// happened, a strong match), as "the fax went to a private company" is.
var outsideSectorRe = mustPhrases(` (private company|private sector|private business|entreprise privee|secteur prive|ontario|contre une entreprise|against a company|alberta|manitoba|saskatchewan|nova scotia|nouvelle ecosse|new brunswick|nouveau brunswick|united kingdom|royaume uni|in france|en france|united states|etats unis)`)

// A province other than B.C. (Quebec aside: federal offices there are
// many) named with a law, not a federal one, is that province's law: the
// sources hold the federal notice and B.C.'s breach guidance only.
var (
	otherProvinceRe = mustPhrases(` (ontario|ontarien|ontarienne|alberta|albertain|albertaine|manitoba|saskatchewan|nova scotia|nouvelle ecosse|new brunswick|nouveau brunswick|newfoundland|terre neuve|prince edward island|ile du prince edouard|yukon|nunavut|northwest territories|territoires du nord ouest)( |$)`)
	provincialLawRe = mustPhrases(` (law|laws|act|acts|legislation|statute|statutes|regulation|regulations|loi|lois|reglement|reglements|fippa|foip|foippa|laipvp)( |$)`)
	federalLawRe    = mustPhrases(` (privacy act|loi sur la protection des renseignements personnels|financial administration act|loi sur la gestion des finances publiques|public service employment act|loi sur l emploi dans la fonction publique)( |$)`)
)

// bcOtherRe: B.C. law other than breach notification (access requests,
// their fees and deadlines, PIAs, storage outside Canada) — the B.C.
// guidance the bot holds covers only notifying a breach.
var (
	bcRe      = mustPhrases(` (b c|bc|british columbia|colombie britannique|c b)( |$)`)
	bcOtherRe = mustPhrases(` (access request|access requests|foi|freedom of information request|demande d acces|demandes d acces|fees|frais|privacy impact assessment|pia|efvp|evaluation des facteurs|outside canada|a l exterieur du canada|hors du canada|data residency|residence des donnees|store personal information|heberger)( |$)`)
)
