package intents

import (
	"cmp"
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
	// The prior is uniform: how many examples an analyst wrote for an
	// entry says nothing about how often it is asked.
	//
	// Log-likelihoods are kept sparse: every class gets unseen[c] for a
	// feature it never saw, and post lists the classes that did see a
	// feature with the difference from unseen[c].
	unseen []float64
	// post[starts[b]:starts[b+1]] are the postings of the features hashed
	// to bucket b = h & tableMask (the hashing trick: a collision merges
	// two rare features). The buckets' postings are laid out in bucket
	// order, so one start per bucket is enough: half the memory of a
	// table of spans, for a lookup that misses the cache on most
	// features.
	starts  []int32
	post    []posting
	tempInv float64
	// words caches, for the words the examples use most, what their
	// character n-grams add to each class (and how many of them the model
	// knows): one lookup per word instead of a dozen or more scattered
	// ones. The sums are the same terms added in another order.
	words map[string]*wordGrams
	// rank[i] is classes[i]'s place in the classes sorted by name: predict
	// breaks ties in probability on it instead of comparing names.
	// byRank is the inverse: the class of each rank.
	rank, byRank []int32
}

// wordGrams is one word's character n-grams' share of every class's score.
type wordGrams struct {
	known  int
	scores []float64
}

// maxCachedWords bounds the word cache (about 400 bytes a word with 50
// classes); minCachedUses is how often the examples must use a word.
const (
	maxCachedWords = 4096
	minCachedUses  = 3
)

type posting struct {
	class int32
	delta float32
}

// tableSize buckets hold the features (a power of two).
const (
	tableSize = 1 << 18
	tableMask = tableSize - 1
)

// nbAlpha is the additive (Lidstone) smoothing of feature counts.
const nbAlpha = 0.1

// nbTemperature flattens the model's posteriors: naive Bayes counts
// overlapping n-grams as independent evidence and is overconfident. It was
// chosen by 5-fold cross-validation on the tuning part (cmd/commsbot
// TestCalibrationTrace) so that the top class's probability tracks how
// often it is right (0.8–0.9 → 0.92 right, 0.5 → 0.74).
const nbTemperature = 30.0

func trainLearned(examples []bot.Example) *learned {
	idx := map[string]int{}
	m := &learned{tempInv: 1 / nbTemperature}
	var counts []map[uint64]float64
	var totals []float64
	vocab := map[uint64]bool{}
	uses := map[string]int{} // word → how often the examples use it
	var buf []uint64
	for _, ex := range examples {
		i, ok := idx[ex.Entry]
		if !ok {
			i = len(m.classes)
			idx[ex.Entry] = i
			m.classes = append(m.classes, ex.Entry)
			counts = append(counts, map[uint64]float64{})
			totals = append(totals, 0)
		}
		toks := tokenize(ex.Text)
		for _, t := range toks {
			if len(t.fold) >= nbMinGram {
				uses[t.fold]++
			}
		}
		buf = features(toks, buf[:0])
		for _, f := range buf {
			counts[i][f]++
			totals[i]++
			vocab[f] = true
		}
	}
	v := float64(len(vocab))
	byFeat := map[uint64][]posting{}
	for i := range m.classes {
		denom := totals[i] + nbAlpha*v
		unseen := math.Log(nbAlpha / denom)
		m.unseen = append(m.unseen, unseen)
		for f, c := range counts[i] {
			byFeat[f] = append(byFeat[f], posting{class: int32(i), delta: float32(math.Log((c+nbAlpha)/denom) - unseen)})
		}
	}
	// Merge colliding features' postings, class by class.
	buckets := make([]map[int32]float32, tableSize)
	for f, ps := range byFeat {
		b := f & tableMask
		if buckets[b] == nil {
			buckets[b] = map[int32]float32{}
		}
		for _, p := range ps {
			buckets[b][p.class] += p.delta
		}
	}
	m.starts = make([]int32, tableSize+1)
	for b, cl := range buckets {
		start := int32(len(m.post))
		for c, d := range cl {
			m.post = append(m.post, posting{class: c, delta: d})
		}
		m.starts[b], m.starts[b+1] = start, int32(len(m.post))
	}
	m.cacheWords(uses)
	byName := make([]int32, len(m.classes))
	for i := range byName {
		byName[i] = int32(i)
	}
	slices.SortFunc(byName, func(a, b int32) int { return cmp.Compare(m.classes[a], m.classes[b]) })
	m.rank, m.byRank = make([]int32, len(m.classes)), byName
	for r, i := range byName {
		m.rank[i] = int32(r)
	}
	return m
}

// cacheWords fills m.words with the examples' most used words (uses:
// how often the examples use each word, counted during training).
func (m *learned) cacheWords(uses map[string]int) {
	var common []string
	for w, n := range uses {
		if n >= minCachedUses {
			common = append(common, w)
		}
	}
	slices.SortFunc(common, func(a, b string) int {
		if c := cmp.Compare(uses[b], uses[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	m.words = make(map[string]*wordGrams, min(len(common), maxCachedWords))
	var buf []uint64
	for _, w := range common[:min(len(common), maxCachedWords)] {
		g := &wordGrams{scores: make([]float64, len(m.classes))}
		buf = charGrams(w, buf[:0])
		g.known = m.add(buf, g.scores)
		m.words[w] = g
	}
}

// add adds the postings of feats to scores and returns how many of feats
// the model knows.
func (m *learned) add(feats []uint64, scores []float64) int {
	known := 0
	for _, f := range feats {
		b := f & tableMask
		from, to := m.starts[b], m.starts[b+1]
		if from == to {
			continue
		}
		known++
		for _, p := range m.post[from:to] {
			scores[p.class] += float64(p.delta)
		}
	}
	return known
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
func (m *learned) predict(toks []token) []Candidate { return m.predictInto(toks, nil) }

// predictInto is predict, the candidates in out's storage when it has room.
func (m *learned) predictInto(toks []token, out []Candidate) []Candidate {
	if m == nil || len(m.classes) == 0 {
		return nil
	}
	var arr [256]uint64
	// The scores, probabilities and order live on the stack for up to
	// maxStackClasses classes: one allocation a message (the answer)
	// instead of two.
	var scoreArr, probArr [maxStackClasses]float64
	var orderArr [maxStackClasses]int32
	var scores, probs []float64
	var order []int32
	if n := len(m.classes); n <= maxStackClasses {
		scores, probs, order = scoreArr[:n], probArr[:n], orderArr[:n]
	} else {
		scores, probs, order = make([]float64, n), make([]float64, n), make([]int32, n)
	}
	if m.ownLexemes(toks) {
		return m.predictLexemes(toks, scores, probs, order, out)
	}
	known := 0
	feats := wordFeatures(toks, arr[:0])
	for _, t := range toks {
		if len(t.fold) < nbMinGram {
			continue
		}
		g, ok := (*wordGrams)(nil), false
		if t.lx != nil && t.lx.nb == m {
			g, ok = t.lx.grams, t.lx.grams != nil
		} else {
			g, ok = m.words[t.fold]
		}
		if ok {
			known += g.known
			for i, s := range g.scores {
				scores[i] += s
			}
			continue
		}
		feats = charGrams(t.fold, feats)
	}
	known += m.add(feats, scores)
	return m.finish(scores, known, probs, order, out)
}

// finish turns the classes' summed log-likelihoods (scores) and the number
// of known features into the candidates, in out's storage when it has
// room; probs and order are scratch of len(scores).
func (m *learned) finish(scores []float64, known int, probs []float64, order []int32, out []Candidate) []Candidate {
	for i := range scores {
		scores[i] += float64(known) * m.unseen[i]
	}
	best := math.Inf(-1)
	for _, s := range scores {
		best = math.Max(best, s)
	}
	sum := 0.0
	for i, s := range scores {
		p := math.Exp((s - best) * m.tempInv)
		probs[i] = p
		sum += p
		order[i] = int32(i)
	}
	for i := range probs {
		probs[i] /= sum
	}
	// Most probable first, ties by name: sorting the classes' numbers by
	// probability and the name's rank gives the order sorting the
	// candidates by probability and name would, without moving them or
	// comparing strings.
	m.sortClasses(order, probs)
	if cap(out) >= len(m.classes) {
		out = out[:len(m.classes)] // every one is set below
	} else {
		out = make([]Candidate, len(m.classes))
	}
	for k, i := range order {
		out[k] = Candidate{Entry: m.classes[i], P: probs[i], Gap: scores[i] - best}
	}
	return out
}

// sortClasses sorts order (class numbers) by probability, highest first,
// then by name. With at most 64 classes it sorts integer keys (ordered
// sorts of integers are several times faster than a sort with a
// comparison function): a probability's bits, inverted, order like the
// probability does downwards (probabilities are ≥ 0), and the low six bits
// are replaced by the name's rank. Two probabilities that differ only in
// those bits may come out of order; a pass of insertion sort with the
// exact comparison puts them right (it moves nothing otherwise). The
// order is a total one, so the result is the one sorting by it gives.
func (m *learned) sortClasses(order []int32, probs []float64) {
	before := func(a, b int32) bool {
		return probs[a] > probs[b] || probs[a] == probs[b] && m.rank[a] < m.rank[b]
	}
	if len(order) > 64 {
		slices.SortFunc(order, func(a, b int32) int {
			if c := cmp.Compare(probs[b], probs[a]); c != 0 {
				return c
			}
			return cmp.Compare(m.rank[a], m.rank[b])
		})
		return
	}
	var keyArr [64]uint64
	keys := keyArr[:len(order)]
	for k, i := range order {
		keys[k] = ^math.Float64bits(probs[i])&^63 | uint64(m.rank[i])
	}
	slices.Sort(keys)
	for k, key := range keys {
		order[k] = m.byRank[key&63]
	}
	for k := 1; k < len(order); k++ {
		for j := k; j > 0 && before(order[j], order[j-1]); j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
}

// maxStackClasses bounds the classes predict keeps its scratch for on the
// stack (the knowledge base has about 50).
const maxStackClasses = 128

// features appends to out the hashes of a message's word unigrams and
// bigrams (stems) and the character 3- to 5-grams of its words.
func features(toks []token, out []uint64) []uint64 {
	out = wordFeatures(toks, out)
	for _, t := range toks {
		out = charGrams(t.fold, out)
	}
	return out
}

// wordFeatures appends to out the hashes of a message's word unigrams and
// bigrams (stems, function words left out).
func wordFeatures(toks []token, out []uint64) []uint64 {
	var prev string
	for _, t := range toks {
		w := t.en
		if w == "" {
			w = t.fold
		}
		if t.lx != nil && t.lx.nbStop || t.lx == nil && stopword(t.fold) {
			prev = ""
			continue
		}
		out = append(out, hashFeat('w', w, ""))
		if prev != "" {
			out = append(out, hashFeat('b', prev, w))
		}
		prev = w
	}
	return out
}

// charGrams appends to out the hashes of the character 3- to 5-grams of
// the word f with boundary marks ("<mot>"); none for a word shorter than
// 3 bytes.
func charGrams(f string, out []uint64) []uint64 {
	if len(f) < nbMinGram {
		return out
	}
	n := len(f) + 2
	at := func(i int) byte {
		switch i {
		case 0:
			return '<'
		case n - 1:
			return '>'
		}
		return f[i-1]
	}
	for size := nbMinGram; size <= nbMaxGram; size++ {
		for i := 0; i+size <= n; i++ {
			h := fnvStart('c')
			for j := i; j < i+size; j++ {
				h = fnvByte(h, at(j))
			}
			out = append(out, h)
		}
	}
	return out
}

// FNV-1a, inline: no allocation per feature.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvStart(kind byte) uint64 { return fnvByte(fnvOffset, kind) }

func fnvByte(h uint64, b byte) uint64 { return (h ^ uint64(b)) * fnvPrime }

func hashFeat(kind byte, a, b string) uint64 {
	h := fnvStart(kind)
	for i := 0; i < len(a); i++ {
		h = fnvByte(h, a[i])
	}
	if b != "" {
		h = fnvByte(h, ' ')
		for i := 0; i < len(b); i++ {
			h = fnvByte(h, b[i])
		}
	}
	return h
}

// stopword is a function word of either language: it carries no topic.
func stopword(w string) bool { return nbStop[w] }

var nbStop = set("the a an and or of to in on for is are be we our us i you it that this with do does can could should would will my your their they at by as from so if what how when le la les l d de des du un une et ou a au aux en est sont on nous je tu vous il elle ce cette ces qui que qu pour par sur dans avec pas ne se son sa ses mon ma mes notre nos votre vos leur leurs y")

// The character n-grams' sizes.
const (
	nbMinGram = 3
	nbMaxGram = 5
)

// The learned model's share of a lexeme: its features looked up once, when
// the lexicon is built. predict then adds the same postings in the same
// order as from the features' hashes (the same sums, to the bit:
// TestTokensAsBefore), without hashing them or looking up their buckets.

// span is the postings of one bucket: post[from:to].
type span struct{ from, to int32 }

// lexFeats is a word's features in a learned model.
type lexFeats struct {
	// unigram is the postings of the word's unigram (w: its English stem,
	// or its folded form without one); bigram is the FNV state of a
	// bigram that starts with the word, up to the word that follows it.
	unigram span
	bigram  uint64
	w       string
	// grams are the spans of the word's character n-grams that the model
	// knows, in charGrams's order (none for a word whose n-grams' scores
	// are cached, or that is too short).
	grams []span
}

// bucket returns the postings' span of feature f.
func (m *learned) bucket(f uint64) span {
	b := f & tableMask
	return span{m.starts[b], m.starts[b+1]}
}

// lexemeFeats works out what a lexeme's word gives m's predict.
func (m *learned) lexemeFeats(lx *lexeme) *lexFeats {
	lf := m.wordFeats(lx)
	if lx.grams == nil && len(lx.fold) >= nbMinGram {
		var arr [64]uint64
		for _, f := range charGrams(lx.fold, arr[:0]) {
			if s := m.bucket(f); s.from != s.to {
				lf.grams = append(lf.grams, s)
			}
		}
	}
	return &lf
}

// wordFeats is lexemeFeats without the n-grams.
func (m *learned) wordFeats(lx *lexeme) lexFeats {
	w := lx.en
	if w == "" {
		w = lx.fold
	}
	lf := lexFeats{unigram: m.bucket(hashFeat('w', w, "")), w: w}
	h := fnvStart('b')
	for i := 0; i < len(w); i++ {
		h = fnvByte(h, w[i])
	}
	lf.bigram = fnvByte(h, ' ')
	return lf
}

// ownLexemes reports whether every token has a lexeme worked out for m
// (bigrams are hashed from the first word's state: a word must not be
// empty, which none is).
func (m *learned) ownLexemes(toks []token) bool {
	for i := range toks {
		if lx := toks[i].lx; lx == nil || lx.nb != m || lx.en == "" && lx.fold == "" {
			return false
		}
	}
	return true
}

// predictLexemes is predict for tokens that all have m's lexemes: the
// features of wordFeatures, then the character n-grams of the words
// without cached scores, as spans.
func (m *learned) predictLexemes(toks []token, scores, probs []float64, order []int32, out []Candidate) []Candidate {
	var arr [256]span
	spans := arr[:0]
	var prevBigram uint64
	hasPrev := false
	for i := range toks {
		lx := toks[i].lx
		if lx.nbStop {
			hasPrev = false
			continue
		}
		var lf lexFeats
		if lx.feats != nil {
			lf = *lx.feats
		} else {
			lf = m.wordFeats(lx)
		}
		spans = append(spans, lf.unigram)
		if hasPrev {
			h := prevBigram
			for j := 0; j < len(lf.w); j++ {
				h = fnvByte(h, lf.w[j])
			}
			spans = append(spans, m.bucket(h))
		}
		prevBigram, hasPrev = lf.bigram, true
	}
	known := 0
	for i := range toks {
		lx := toks[i].lx
		if len(lx.fold) < nbMinGram {
			continue
		}
		if g := lx.grams; g != nil {
			known += g.known
			// Re-sliced to g's length, the loop needs no bounds check
			// per class.
			sc := scores[:len(g.scores)]
			for i, s := range g.scores {
				sc[i] += s
			}
			continue
		}
		if lx.feats != nil {
			spans = append(spans, lx.feats.grams...)
			continue
		}
		var garr [64]uint64
		for _, f := range charGrams(lx.fold, garr[:0]) {
			if s := m.bucket(f); s.from != s.to {
				spans = append(spans, s)
			}
		}
	}
	for _, s := range spans {
		if s.from == s.to {
			continue
		}
		known++
		for _, p := range m.post[s.from:s.to] {
			scores[p.class] += float64(p.delta)
		}
	}
	return m.finish(scores, known, probs, order, out)
}
