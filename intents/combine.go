package intents

import (
	"math"

	"github.com/commsbot/commsbot/bot"
)

// NewWith builds the full classifier: the cue engine, and a model learned
// from the knowledge base's example questions. primary maps every entry to
// the section its answer cites first ("pin-2021-01#A.8"): two entries that
// cite the same section first are the same answer for the purpose of
// agreeing.
//
// situations, when given, are questions labelled by whether the situation
// they describe needs a coordinator (Entry "review" or "no-review"): they
// train the learned review detector.
func NewWith(examples []bot.Example, primary map[string]string, situations []bot.Example) (*Classifier, error) {
	c, err := newCues()
	if err != nil {
		return nil, err
	}
	c.nb = trainLearned(examples)
	c.primary = primary
	if len(situations) > 0 {
		c.sit = trainLearned(situations)
	}
	freezeStems() // and now the examples' words
	c.lex = newLexicon(c, examples)
	return c, nil
}

// The combination's cut-offs, chosen by 5-fold cross-validation on the
// tuning part of the question sets (cmd/commsbot TestCombineSweep): the
// cue engine's confidence is well calibrated at the top (≥ cueSure is
// almost always right), the learned model's probability in the middle.
var (
	// cueSure: above it the cue engine answers even when the learned
	// model disagrees.
	cueSure = 0.9
	// clarifyBelow: an answer less sure than this is turned into a
	// question offering it and its alternatives (on the held-out tune31
	// set, answers below 0.6 were right about two times in three).
	clarifyBelow = 0.6
	// learnedSure: the learned model's probability above which it answers
	// alone when the cue engine is unsure (cue confidence < cueUnsure) or
	// abstained for want of evidence.
	learnedSure = 0.8
	cueUnsure   = 0.75
	// learnedOption: a candidate of the learned model is offered as an
	// option when its probability reaches it.
	learnedOption = 0.15
	// learnedOOS: the learned model's probability of "out of scope" above
	// which an unsure cue answer abstains.
	learnedOOS = 0.6
	// oosRatio, oosMin: "out of scope" at oosMin or more and oosRatio
	// times the cue engine's section abstains too.
	oosRatio = 5.0
	oosMin   = 0.2
	// learnedRescue: the probability at which the learned model answers a
	// question the cue engine found too little evidence in.
	learnedRescue = 0.9
	// A disagreement is worth a question only when the learned model has
	// an opinion: its top entry at learnedDisagree or more, and at least
	// disagreeRatio times its probability of the cue engine's section.
	// ("can we use LinkedIn?" is too short for it to have one.)
	learnedDisagree = 0.3
	// learnedOwn: the probability at which an entry only the learned model
	// knows (added with examples, no cues) replaces the cue engine's
	// entry for the same section.
	learnedOwn = 0.5
	// storySure: the learned model's probability of a breach story above
	// which it outweighs an unsure step of the breach guidance.
	storySure     = 0.95
	disagreeRatio = 2.0
)

// Understand implements bot.Understander: the cue engine's reading,
// checked against the learned model. When they agree the answer stands;
// when one of them is sure it decides; otherwise the user is asked which
// of the candidates they mean. The review detectors run last, on every
// answer.
func (c *Classifier) Understand(text string, prev bot.State, hint bot.Lang) bot.Understanding {
	u, a := c.cues(text, prev, hint)
	defer c.release(a.sc)
	cue := u
	var cands []Candidate
	if c.nb != nil && u.Command == bot.CmdNone && !u.FollowUp &&
		(u.Abstain == "" || u.Abstain == "unsure" || u.Abstain == "out-of-scope") {
		cands = c.predict(a)
	}
	// Out of scope by the cue file's rules, the learned model is heard by
	// the review detectors only.
	if cands != nil && u.Abstain != "out-of-scope" {
		u = c.combine(u, a, cands)
		if u.Entry != "" && len(u.Clarify) == 0 && u.Confidence < clarifyBelow && c.contested(u, a, cands) {
			// Too unsure to answer outright, and the evidence points
			// elsewhere too: ask.
			u = c.clarify(u, a, cands)
		}
		if u.Entry != "" && u.Confidence < sureVerdict {
			u.Tentative = true
		}
	}
	u = c.detect(u, a, cands, prev)
	if u.Entry == breachStory && len(u.Clarify) == 0 {
		u.Focus = harmFactor(a, cands)
	}
	if c.Trace != nil {
		c.Trace(text, cue, cands, u)
	}
	// An answer's confidence is reported as the probability that it is
	// right (the trace above keeps the raw score the map is fitted on).
	if u.Entry != "" && len(u.Clarify) == 0 && c.nb != nil {
		u.Confidence = round2(calibration.Apply(u.Confidence))
	}
	return u
}

// Learned returns the learned model's candidates for text, most probable
// first, for explanations.
func (c *Classifier) Learned(text string) []Candidate {
	if c.nb == nil {
		return nil
	}
	a := c.analyse(text, "")
	return c.nb.predict(a.toks)
}

func (c *Classifier) section(entry string) string {
	if s, ok := c.primary[entry]; ok {
		return s
	}
	return entry
}

// adopt answers with entry, applying the decision logic to the question's
// slots (the learned model may say "platform-reviewed" for a platform the
// slots know was not reviewed).
func (c *Classifier) adopt(u bot.Understanding, a analysis, entry string, conf float64) bot.Understanding {
	u.Abstain = ""
	u.Intent, u.Entry = intentOf(entry), entry
	u.Confidence = round2(conf)
	u.Tentative = conf < sureVerdict
	return decide(u, a.folded)
}

// sureVerdict is the confidence below which an answer does not open with
// its entry's verdict ("Yes —", "No —"): the cue engine is right about 60 %
// of the time between 0.42 and 0.60.
const sureVerdict = 0.6

func (c *Classifier) combine(u bot.Understanding, a analysis, cands []Candidate) bot.Understanding {
	if len(cands) == 0 {
		return u
	}
	top := cands[0]
	if u.Abstain == "unsure" {
		// The cue engine saw too little: only a learned model that is
		// very sure answers instead.
		if top.Entry != OutOfScope && top.P >= learnedRescue {
			return c.adopt(u, a, top.Entry, top.P)
		}
		return u
	}
	// Ties between intents are broken on evidence (the learned model),
	// never on the order of the cue file.
	if len(a.scores) > 1 && a.scores[0].Score == a.scores[1].Score && a.scores[0].Intent == u.Intent {
		alt := decide(bot.Understanding{Lang: u.Lang, Intent: a.scores[1].Intent, Slots: u.Slots}, a.folded)
		if prob(cands, alt.Entry) > prob(cands, u.Entry) {
			alt.Confidence = u.Confidence
			u = alt
		}
	}
	if c.section(top.Entry) == c.section(u.Entry) {
		// An entry an analyst added with examples only (the cue file
		// cannot choose it) answers when the learned model is sure of it.
		if _, known := entryIntent[top.Entry]; !known && top.Entry != u.Entry && top.P >= learnedOwn {
			return c.adopt(u, a, top.Entry, top.P)
		}
		u.Confidence = round2(math.Max(u.Confidence, top.P))
		return u
	}
	if u.Confidence >= cueSure {
		return u
	}
	// The learned model knows a breach story when it sees one, whatever is
	// asked about it; the cue engine knows what is asked ("how do we reach
	// them?", "how long do we have?"). A story that asks about one step of
	// the breach guidance is answered from that step (and flagged by the
	// review detectors as a breach).
	if top.Entry == breachStory && situationalBreach(u.Intent) {
		// Unless the cue engine's step came from the story's own words
		// (phone numbers in it are no question about phoning people): a
		// story the learned model is all but certain of, with a step the
		// cue engine is unsure of, is answered as the story. On the
		// cross-validation trace such answers were right 6 times in 13
		// as the step and 11 as the story.
		if top.P >= storySure && u.Confidence < cueUnsure {
			return c.adopt(u, a, top.Entry, top.P)
		}
		return u
	}
	if top.Entry == OutOfScope {
		// Out of scope by the examples, and the cue engine's entry is
		// nowhere near: abstain rather than answer a stray word ("call
		// me at…" is not a question about notifying by phone).
		cueP := c.sectionP(cands, u.Entry)
		if top.P >= learnedOOS && u.Confidence < cueUnsure || top.P >= oosMin && top.P >= oosRatio*cueP {
			return abstain(u, "unsure")
		}
		return u
	}
	if top.P >= learnedSure && u.Confidence < cueUnsure {
		return c.adopt(u, a, top.Entry, top.P)
	}
	cueP := c.sectionP(cands, u.Entry)
	if top.P < learnedDisagree || top.P < disagreeRatio*cueP {
		return u
	}
	return c.clarify(u, a, cands)
}

// contested reports whether another section has real support besides u's
// answer: the learned model's top candidate is elsewhere, or the cue
// engine's runner-up (another section) scored close to its choice.
func (c *Classifier) contested(u bot.Understanding, a analysis, cands []Candidate) bool {
	if len(cands) > 0 && cands[0].Entry != OutOfScope && cands[0].P >= learnedOption && c.section(cands[0].Entry) != c.section(u.Entry) {
		return true
	}
	if len(a.scores) > 1 && a.scores[0].Score > 0 && a.scores[1].Score >= closeRunnerUp*a.scores[0].Score {
		alt := decide(bot.Understanding{Lang: u.Lang, Intent: a.scores[1].Intent, Slots: u.Slots}, a.folded)
		return alt.Entry != "" && c.section(alt.Entry) != c.section(u.Entry)
	}
	return false
}

// closeRunnerUp: a cue runner-up scoring this share of the top intent's
// score is a real alternative.
const closeRunnerUp = 0.8

// breachStory is the entry the learned model gives a breach that happened.
const breachStory = "breach-incident"

// harmFactors are the four factors of the B.C. guidance's test of
// significant harm, each with the cue intent that asks about it and the
// entry that explains it.
var harmFactors = [...]struct{ intent, entry string }{
	{"breach.sensitivity", "breach-sensitivity"},
	{"breach.individuals", "breach-individuals"},
	{"breach.relationships", "breach-relationships"},
	{"breach.containment", "breach-containment"},
}

// harmFactor is the factor of significant harm a breach story's own words
// bear on most: health records or a SIN (sensitivity), children (the
// individuals), an ex-partner or a former employee (relationships), a lost
// key or a file that cannot be recalled (containment). It is the factor
// with the most cue evidence, ties broken by the learned model; "" when
// the story names none, or two equally. A story that names no factor but
// information beyond the standard PIBs turns on its sensitivity.
//
// Whatever the factor, the answer is the story's (what to do about a
// breach that happened); the factor's quote leads its citations, so the
// user sees first the part of the test their case turns on.
func harmFactor(a analysis, cands []Candidate) string {
	best, bestScore, bestP, tie := "", 0.0, 0.0, false
	for _, s := range a.scores {
		if s.Score <= 0 {
			continue
		}
		for _, f := range harmFactors {
			if s.Intent != f.intent {
				continue
			}
			p := prob(cands, f.entry)
			switch {
			case s.Score > bestScore:
				best, bestScore, bestP, tie = f.entry, s.Score, p, false
			case s.Score == bestScore && p > bestP:
				best, bestP, tie = f.entry, p, false
			case s.Score == bestScore && p == bestP:
				tie = true
			}
		}
	}
	if tie {
		return ""
	}
	// No factor's words, but information beyond the standard PIBs
	// (health, financial, a SIN): the guidance's first factor is the
	// sensitivity of what was breached.
	if best == "" && beyondStandardPI(a.slots.PersonalInfo) {
		return "breach-sensitivity"
	}
	return best
}

// sectionP is the learned model's probability of the section entry cites
// first.
func (c *Classifier) sectionP(cands []Candidate, entry string) float64 {
	p := 0.0
	for _, cd := range cands {
		if c.section(cd.Entry) == c.section(entry) {
			p += cd.P
		}
	}
	return p
}

func prob(cands []Candidate, entry string) float64 {
	for _, c := range cands {
		if c.Entry == entry {
			return c.P
		}
	}
	return 0
}

// clarify offers the cue engine's choice, its runner-up and the learned
// model's likely entries, at most one per section, 2 to 4 in all. With
// fewer than two the cue engine's answer stands.
func (c *Classifier) clarify(u bot.Understanding, a analysis, cands []Candidate) bot.Understanding {
	var opts []string
	seen := map[string]bool{}
	add := func(entry string) {
		if entry == "" || entry == OutOfScope || len(opts) == 4 || seen[c.section(entry)] {
			return
		}
		seen[c.section(entry)] = true
		opts = append(opts, entry)
	}
	add(u.Entry)
	add(decide(bot.Understanding{Lang: u.Lang, Intent: intentOf(cands[0].Entry), Entry: cands[0].Entry, Slots: u.Slots}, a.folded).Entry)
	if len(a.scores) > 1 && a.scores[1].Score > 0 {
		add(decide(bot.Understanding{Lang: u.Lang, Intent: a.scores[1].Intent, Slots: u.Slots}, a.folded).Entry)
	}
	for _, cd := range cands[1:] {
		if cd.P < learnedOption {
			break
		}
		add(decide(bot.Understanding{Lang: u.Lang, Intent: intentOf(cd.Entry), Entry: cd.Entry, Slots: u.Slots}, a.folded).Entry)
	}
	if len(opts) < 2 {
		return u
	}
	u.Clarify = opts
	return u
}

// intentOf is the cue intent that answers with entry: the intents of the
// cue file, and for entries the decision logic chooses, the intent whose
// decision leads there. An entry the cue file does not know is its own
// intent.
func intentOf(entry string) string {
	if in, ok := entryIntent[entry]; ok {
		return in
	}
	return entry
}

var entryIntent = func() map[string]string {
	m := map[string]string{
		"platform-reviewed":        "pin.platform",
		"platform-unreviewed":      "pin.platform",
		"platform-reviewed-pia":    "pin.pia",
		"covered-uses":             "pin.uses",
		"other-uses":               "pin.other-use",
		"secondary-use-consistent": "pin.secondary",
		"pib-other-pi":             "pin.pib",
		"breach-duty":              "breach.incident",
		"breach-incident":          "breach.incident",
	}
	for in, e := range entryOf {
		if _, ok := m[e]; !ok {
			m[e] = in
		}
	}
	return m
}()
