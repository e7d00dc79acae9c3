package intents

import (
	"cmp"
	"hash/fnv"
	"math"
	"slices"

	"github.com/commsbot/commsbot/bot"
)

// OutOfScope is the pseudo-entry of example questions outside the sources.
const OutOfScope = "out-of-scope"

// learned is a multinomial naive Bayes model over hashed features: word
// unigrams and bigrams (on accent-folded stems, so "consentement" and
// "consentir" meet) and character 3- to 5-grams of each word (so typos and
// unknown inflections still share most of their features). It is trained at
// start-up from the examples in a few milliseconds.
type learned struct {
	classes []string
	// logPrior is uniform: how many examples an analyst wrote for an entry
	// says nothing about how often it is asked.
	logLik  []map[uint64]float64 // per class: log P(feature | class)
	unseen  []float64            // per class: log P(unseen feature | class)
	vocab   map[uint64]bool
	tempInv float64
}

// Smoothing is the additive (Lidstone) smoothing of feature counts.
const nbAlpha = 0.1

// nbTemperature flattens the model's posteriors: naive Bayes counts
// overlapping n-grams as independent evidence and is overconfident. The value
// was chosen by 5-fold cross-validation on the tuning examples so that the
// top class's probability matches how often it is right
// (TestLearnedCalibration).
const nbTemperature = 30.0

func trainLearned(examples []bot.Example) *learned {
	idx := map[string]int{}
	m := &learned{vocab: map[uint64]bool{}, tempInv: 1 / nbTemperature}
	var counts []map[uint64]float64
	var totals []float64
	for _, ex := range examples {
		i, ok := idx[ex.Entry]
		if !ok {
			i = len(m.classes)
			idx[ex.Entry] = i
			m.classes = append(m.classes, ex.Entry)
			counts = append(counts, map[uint64]float64{})
			totals = append(totals, 0)
		}
		for _, f := range features(tokenize(ex.Text)) {
			counts[i][f]++
			totals[i]++
			m.vocab[f] = true
		}
	}
	v := float64(len(m.vocab))
	for i := range m.classes {
		denom := totals[i] + nbAlpha*v
		ll := make(map[uint64]float64, len(counts[i]))
		for f, c := range counts[i] {
			ll[f] = math.Log((c + nbAlpha) / denom)
		}
		m.logLik = append(m.logLik, ll)
		m.unseen = append(m.unseen, math.Log(nbAlpha/denom))
	}
	return m
}

// Candidate is one class of the learned model with its probability.
type Candidate struct {
	Entry string
	P     float64
	// Gap is the class's log-likelihood minus the best class's (≤ 0),
	// before the temperature: for calibration.
	Gap float64
}

// predict returns every class, most probable first. Features the model never
// saw are ignored: they say nothing about any class.
func (m *learned) predict(toks []token) []Candidate {
	if m == nil || len(m.classes) == 0 {
		return nil
	}
	feats := features(toks)
	scores := make([]float64, len(m.classes))
	for _, f := range feats {
		if !m.vocab[f] {
			continue
		}
		for i := range m.classes {
			ll, ok := m.logLik[i][f]
			if !ok {
				ll = m.unseen[i]
			}
			scores[i] += ll
		}
	}
	best := math.Inf(-1)
	for _, s := range scores {
		best = math.Max(best, s)
	}
	out := make([]Candidate, len(m.classes))
	sum := 0.0
	for i, s := range scores {
		p := math.Exp((s - best) * m.tempInv)
		out[i] = Candidate{Entry: m.classes[i], P: p, Gap: s - best}
		sum += p
	}
	for i := range out {
		out[i].P /= sum
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if c := cmp.Compare(b.P, a.P); c != 0 {
			return c
		}
		return cmp.Compare(a.Entry, b.Entry)
	})
	return out
}

// features hashes a message's word unigrams and bigrams (stems) and the
// character 3- to 5-grams of its words.
func features(toks []token) []uint64 {
	out := make([]uint64, 0, len(toks)*12)
	prev := ""
	for _, t := range toks {
		w := t.en
		if w == "" {
			w = t.fold
		}
		if stopword(t.fold) {
			prev = ""
		} else {
			out = append(out, hashFeat('w', w, ""))
			if prev != "" {
				out = append(out, hashFeat('b', prev, w))
			}
			prev = w
		}
		word := "<" + t.fold + ">"
		if len(t.fold) < 3 {
			continue
		}
		for n := 3; n <= 5; n++ {
			for i := 0; i+n <= len(word); i++ {
				out = append(out, hashFeat('c', word[i:i+n], ""))
			}
		}
	}
	return out
}

func hashFeat(kind byte, a, b string) uint64 {
	h := fnv.New64a()
	h.Write([]byte{kind})
	h.Write([]byte(a))
	if b != "" {
		h.Write([]byte{' '})
		h.Write([]byte(b))
	}
	return h.Sum64()
}

// stopword is a function word of either language: it carries no topic.
func stopword(w string) bool { return nbStop[w] }

var nbStop = set("the a an and or of to in on for is are be we our us i you it that this with do does can could should would will my your their they at by as from so if what how when le la les l d de des du un une et ou a au aux en est sont on nous je tu vous il elle ce cette ces qui que qu pour par sur dans avec pas ne se son sa ses mon ma mes notre nos votre vos leur leurs y")
