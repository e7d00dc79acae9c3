package intents

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/knowledge"
	"github.com/coregx/ahocorasick"
	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"golang.org/x/text/unicode/norm"
)

// The tests here hold each speed-up of the message path to the code it
// replaced (kept below as reference functions): same results, on every
// question of the sets in testdata.

// questionTexts returns every question of testdata/*.jsonl, and texts made
// to reach odd corners (empty, one word, a typo, accents).
func questionTexts(t testing.TB) []string {
	t.Helper()
	texts := []string{"", " ", "?", "pia", "Facebok account", "Peut-on utiliser Mastodon pour notre ministère?", "zzyzx qwerty flurbish?",
		"We blocked a troll. How long must we keep their comments?", "e\u0301te\u0301 — ok?"}
	paths, _ := filepath.Glob("../testdata/*.jsonl")
	if len(paths) < 10 {
		t.Fatalf("question sets not found: %d files", len(paths))
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(string(b)) {
			var q struct{ Q string }
			if json.Unmarshal([]byte(line), &q) == nil {
				texts = append(texts, q.Q)
			}
		}
	}
	return texts
}

// TestScoreAsBefore: score gives every intent the same score, cues and
// order, and the same document evidence, as the version that allocated its
// scratch, sorted every intent and kept the documents' weights in a map
// (referenceScore), on every question, with and without a previous
// document.
func TestScoreAsBefore(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, text := range questionTexts(t) {
		for _, prev := range []string{"", "bc-breach-notify", "psc-political-sm"} {
			a := c.analyse(text, prev)
			got, gotDoc := c.score(a, prev)
			want, wantDoc := referenceScore(c, a, prev)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q (prev %q):\n got %v\nwant %v", text, prev, got, want)
			}
			for _, doc := range append(slices.Collect(maps.Keys(c.m.docs)), "no-such-doc") {
				if gotDoc.of(doc) != wantDoc[doc] {
					t.Fatalf("%q (prev %q): evidence for %s %v, want %v", text, prev, doc, gotDoc.of(doc), wantDoc[doc])
				}
			}
			if len(got) > 0 && got[0].Score > 0 {
				n++
			}
		}
	}
	if n < 1000 {
		t.Errorf("only %d scored messages: the comparison proves little", n)
	}
}

// TestSortScoresIsStable: sortScores orders like a stable sort of the whole
// slice, on slices with many zeros, ties and the odd negative score.
func TestSortScoresIsStable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		in := make([]Scored, r.IntN(50))
		for i := range in {
			in[i].Intent = string(rune('a' + i))
			switch r.IntN(6) {
			case 0, 1, 2:
			case 3:
				in[i].Score = float64(r.IntN(3))
			case 4:
				in[i].Score = r.Float64() * 10
			default:
				if r.IntN(10) == 0 {
					in[i].Score = -float64(r.IntN(2) + 1)
				} else {
					in[i].Score = math.Round(r.Float64()*8) / 2
				}
			}
		}
		got, want := slices.Clone(in), slices.Clone(in)
		sortScores(got)
		slices.SortStableFunc(want, byScore)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%v:\n got %v\nwant %v", in, got, want)
		}
	}
}

// referenceScore is score as it was before its scratch moved to the stack.
func referenceScore(c *Classifier, a analysis, prevDoc string) ([]Scored, map[string]float64) {
	docScore := map[string]float64{}
	sums := make([]float64, len(c.m.intents))
	matched := make([][]string, len(c.m.intents))
	for _, id := range c.m.candidates(a.toks, nil) {
		cu, owner := c.m.byID[id], c.m.owners[id]
		if !cu.match(a.toks) {
			continue
		}
		if owner.intent < 0 {
			docScore[owner.doc] += cu.weight
			continue
		}
		w := cu.weight
		if a.focus != nil && cu.match(a.focus) {
			w *= focusBoost
		}
		sums[owner.intent] += w
		matched[owner.intent] = append(matched[owner.intent], cu.src)
	}
	out := make([]Scored, 0, len(c.m.intents))
	for ii, in := range c.m.intents {
		s, matched := sums[ii], matched[ii]
		if s > 0 {
			s += math.Min(docScore[in.doc], 4)
			if gated[in.doc] && docScore[in.doc] == 0 && prevDoc != in.doc && !(a.slots.Incident && in.doc == "bc-breach-notify") {
				s *= gateFactor
			}
		}
		out = append(out, Scored{Intent: in.name, Doc: in.doc, Score: s, Cues: matched})
	}
	c.slotBonus(a, out)
	if politicalRe.Match(a.folded) && !nonPoliticalRe.Match(a.folded) {
		for i := range out {
			if out[i].Intent == "psc.other-online" {
				out[i].Score *= 0.5
			}
		}
	}
	slices.SortStableFunc(out, func(x, y Scored) int {
		switch {
		case x.Score > y.Score:
			return -1
		case x.Score < y.Score:
			return 1
		}
		return 0
	})
	return out, docScore
}

// TestPredictAsBefore: predict gives the same candidates, in the same order,
// with the same probabilities and gaps (to the bit), as the version that
// sorted the candidates themselves (referencePredict), on every question.
func TestPredictAsBefore(t *testing.T) {
	kb, err := knowledge.Load()
	if err != nil {
		t.Fatal(err)
	}
	m := trainLearned(kb.Examples())
	texts := questionTexts(t)
	for _, ex := range kb.Examples() {
		texts = append(texts, ex.Text)
	}
	for _, text := range texts {
		toks := tokenize(text)
		if got, want := m.predict(toks), referencePredict(m, toks); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n got %v\nwant %v", text, got, want)
		}
	}
}

// referencePredict is predict as it was before it sorted class numbers.
func referencePredict(m *learned, toks []token) []Candidate {
	var arr [256]uint64
	scores := make([]float64, len(m.classes))
	known := 0
	feats := wordFeatures(toks, arr[:0])
	for _, t := range toks {
		if len(t.fold) < nbMinGram {
			continue
		}
		if g, ok := m.words[t.fold]; ok {
			known += g.known
			for i, s := range g.scores {
				scores[i] += s
			}
			continue
		}
		feats = charGrams(t.fold, feats)
	}
	known += m.add(feats, scores)
	for i := range scores {
		scores[i] += float64(known) * m.unseen[i]
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

// TestCorrectAsBefore: the typo corrector corrects every word of every
// question, and the same words with a letter dropped, doubled or swapped,
// as the version that built each deletion as a new string and kept words
// and deletions in two maps (referenceCorrect) did.
func TestCorrectAsBefore(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	words := map[string]bool{}
	for _, text := range questionTexts(t) {
		for _, tok := range tokenize(text) {
			w := tok.fold
			words[w] = true
			for i := range len(w) {
				words[w[:i]+w[i+1:]] = true
				words[w[:i+1]+w[i:]] = true
				if i+1 < len(w) {
					words[w[:i]+w[i+1:i+2]+w[i:i+1]+w[i+2:]] = true
				}
			}
		}
	}
	// The old maps, built by the old code from the same vocabulary.
	var vocab []string
	for w, e := range c.fuzzy.near {
		if e.word {
			vocab = append(vocab, w)
		}
	}
	old := referenceNewFuzzy(vocab, c.fuzzy)
	corrected := 0
	for w := range words {
		got, gotOK := c.fuzzy.correct(w)
		want, wantOK := referenceCorrect(old, w)
		if got != want || gotOK != wantOK {
			t.Fatalf("correct(%q) = %q, %v; want %q, %v", w, got, gotOK, want, wantOK)
		}
		if gotOK {
			corrected++
		}
	}
	if corrected < 1000 {
		t.Errorf("only %d of %d words corrected: the comparison proves little", corrected, len(words))
	}
}

// referenceFuzzy is fuzzy's maps as they were.
type referenceFuzzy struct {
	words  map[string]bool
	dels   map[string][]string
	maxLen int
	known  map[string]bool
}

// referenceNewFuzzy is newFuzzy as it was; the known words are f's.
func referenceNewFuzzy(vocab []string, f *fuzzy) *referenceFuzzy {
	r := &referenceFuzzy{words: map[string]bool{}, dels: map[string][]string{}, known: f.known}
	for _, w := range vocab {
		if r.words[w] {
			continue
		}
		r.words[w] = true
		r.maxLen = max(r.maxLen, len(w))
		if len(w) < minFuzzyLen-1 {
			continue
		}
		for i := range len(w) {
			d := w[:i] + w[i+1:]
			r.dels[d] = append(r.dels[d], w)
		}
	}
	return r
}

// referenceCorrect is fuzzy.correct as it was, with osa's as it was.
func referenceCorrect(f *referenceFuzzy, w string) (string, bool) {
	if len(w) < minFuzzyLen || len(w) > f.maxLen+1 || f.words[w] || f.known[w] || !ascii(w) {
		return "", false
	}
	var found string
	consider := func(c string) bool {
		if c[0] != w[0] {
			return true
		}
		if found != "" && found != c {
			return false
		}
		found = c
		return true
	}
	for i := range len(w) {
		d := w[:i] + w[i+1:]
		if f.words[d] && !consider(d) {
			return "", false
		}
		for _, c := range f.dels[d] {
			if referenceOSA(w, c) == 1 && !consider(c) {
				return "", false
			}
		}
	}
	for _, c := range f.dels[w] {
		if !consider(c) {
			return "", false
		}
	}
	return found, found != ""
}

func referenceOSA(a, b string) int {
	if a == b {
		return 0
	}
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 {
		return 2
	}
	prev2 := make([]int, lb+1)
	prev := make([]int, lb+1)
	cur := make([]int, lb+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[lb], 2)
}

// TestOSAAsBefore: osa with its rows on the stack agrees with the old one on
// random words over a small alphabet, short and longer than its buffers.
func TestOSAAsBefore(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	word := func() string {
		b := make([]byte, r.IntN(80))
		for i := range b {
			b[i] = "abc"[r.IntN(3)]
		}
		return string(b)
	}
	for range 20000 {
		a := word()
		b := a
		switch r.IntN(3) {
		case 0:
			b = word()
		case 1:
			if len(a) > 0 {
				i := r.IntN(len(a))
				b = a[:i] + a[i+1:]
			}
		default:
			if len(a) > 1 {
				i := r.IntN(len(a) - 1)
				b = a[:i] + a[i+1:i+2] + a[i:i+1] + a[i+2:]
			}
		}
		if got, want := osa(a, b), referenceOSA(a, b); got != want {
			t.Fatalf("osa(%q, %q) = %d, want %d", a, b, got, want)
		}
	}
}

// TestLitSetAsLibrary: the package's automaton finds exactly the
// occurrences (literal, start) the Aho–Corasick library it replaced found,
// and any agrees with the library's IsMatch, for every literal set the
// package builds, on every question (folded and as typed) and on texts made
// of the literals themselves.
func TestLitSetAsLibrary(t *testing.T) {
	type set struct {
		name string
		lits [][]string
		s    *litSet
	}
	var sets []set
	all := allLits()
	groups := make([][]string, all.n+all.nflags)
	for i, p := range allPhrases[:all.n] {
		if p.pre != nil {
			groups[i] = p.lits
			sets = append(sets, set{fmt.Sprint("pattern ", i), [][]string{p.lits}, p.pre()})
		}
		if p.need != nil {
			groups[all.n+i] = p.needLits
		}
	}
	for i, u := range useCues {
		groups[all.n+all.useFlag+i] = u.cues
	}
	for i, k := range piCues {
		groups[all.n+all.piFlag+i] = k.cues
	}
	groups[all.n+all.incidentFlag] = incidentCues
	sets = append(sets, set{"all patterns", groups, all.set})
	var uses, kinds [][]string
	for _, u := range useCues {
		uses = append(uses, u.cues)
	}
	for _, k := range piCues {
		kinds = append(kinds, k.cues)
	}
	sets = append(sets, set{"uses", uses, useLits}, set{"pi", kinds, piLits}, set{"incident", [][]string{incidentCues}, incidentLits})
	var texts []string
	for _, q := range questionTexts(t) {
		texts = append(texts, q, foldText(tokenize(q)))
	}
	for _, g := range append(uses, append(kinds, incidentCues)...) {
		for i, l := range g {
			texts = append(texts, l, l+g[(i+1)%len(g)], " a"+l+"b ", strings.Repeat(l, 3), "\xff"+l+"é")
		}
	}
	found := 0
	for _, st := range sets {
		var pats []string
		for _, l := range st.lits {
			pats = append(pats, l...)
		}
		lib, err := ahocorasick.NewBuilder().AddStrings(pats).Build()
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range texts {
			var want, got [][3]int
			for _, m := range lib.FindAllOverlapping([]byte(text)) {
				want = append(want, [3]int{m.PatternID, m.Start, m.End})
			}
			for _, h := range st.s.find(text, nil) {
				got = append(got, [3]int{int(h.lit), int(h.start), int(h.start + st.s.lens[h.lit])})
			}
			slices.SortFunc(want, func(a, b [3]int) int { return slices.Compare(a[:], b[:]) })
			slices.SortFunc(got, func(a, b [3]int) int { return slices.Compare(a[:], b[:]) })
			if !slices.Equal(got, want) {
				t.Fatalf("%s on %q: found %v, the library %v", st.name, text, got, want)
			}
			if g, w := st.s.any(text), lib.IsMatch([]byte(text)); g != w {
				t.Fatalf("%s on %q: any %v, the library %v", st.name, text, g, w)
			}
			found += len(got)
		}
	}
	if found < 10000 {
		t.Errorf("only %d occurrences found: the comparison proves little", found)
	}
}

// TestScanAsLibrary: the one pass over a message gives each pattern the
// sorted starts of its literals (a start twice when two literals start
// there) that the library finds for the pattern's literals alone.
func TestScanAsLibrary(t *testing.T) {
	libs := map[int]*ahocorasick.Automaton{}
	for i, p := range allPhrases[:allLits().n] {
		if p.pre != nil {
			lib, err := ahocorasick.NewBuilder().AddStrings(p.lits).Build()
			if err != nil {
				t.Fatal(err)
			}
			libs[i] = lib
		}
	}
	hits := 0
	for _, q := range questionTexts(t) {
		for _, text := range []string{q, foldText(tokenize(q))} {
			sc := scan(text)
			for i, lib := range libs {
				var want []int32
				for _, m := range lib.FindAllOverlapping([]byte(text)) {
					want = append(want, int32(m.Start))
				}
				slices.Sort(want)
				if got := allPhrases[i].offsetsIn(sc); !slices.Equal(got, want) {
					t.Fatalf("pattern %d on %q: offsets %v, the library %v", i, text, got, want)
				}
				hits += len(want)
			}
		}
	}
	if hits < 10000 {
		t.Errorf("only %d offsets: the comparison proves little", hits)
	}
}

// TestWordStartLiterals: the account pattern, run on every message that
// names an account word, looks for its words rather than trying every word
// boundary; TestPhrasesAgreeWithRegexp holds it to the plain regexp.
func TestWordStartLiterals(t *testing.T) {
	if accountOnRe.words == nil {
		t.Fatal("accountOnRe has no literals for its word starts")
	}
	// Word starts of its words only ("_page" is inside a word; "pageant"
	// is tried and fails).
	s := "Our page on Mastodon, a pageant on TV, _page on X and an account  on\tBluesky"
	if got, want := accountOnRe.offsets(s, nil), []int32{4, 24, 57}; !slices.Equal(got, want) {
		t.Errorf("offsets %v, want %v", got, want)
	}
	if got, want := accountOnRe.FindAllStringSubmatch(s, -1), regexp.MustCompile(accountOnRe.re.String()).FindAllStringSubmatch(s, -1); !slices.EqualFunc(got, want, slices.Equal) || len(got) != 2 {
		t.Errorf("matches %q, regexp %q", got, want)
	}
}

// TestStartsHoldEachBucket: with one start per bucket (the end is the next
// bucket's start), each bucket still holds exactly the classes whose
// examples have a feature hashed there, as the table of spans did.
func TestStartsHoldEachBucket(t *testing.T) {
	kb, err := knowledge.Load()
	if err != nil {
		t.Fatal(err)
	}
	exs := kb.Examples()
	m := trainLearned(exs)
	if len(m.starts) != tableSize+1 || m.starts[0] != 0 || int(m.starts[tableSize]) != len(m.post) {
		t.Fatalf("starts: %d entries, first %d, last %d, %d postings", len(m.starts), m.starts[0], m.starts[len(m.starts)-1], len(m.post))
	}
	class := map[string]int32{}
	for i, c := range m.classes {
		class[c] = int32(i)
	}
	want := map[uint64]map[int32]bool{}
	var buf []uint64
	for _, ex := range exs {
		buf = features(tokenize(ex.Text), buf[:0])
		for _, f := range buf {
			b := f & tableMask
			if want[b] == nil {
				want[b] = map[int32]bool{}
			}
			want[b][class[ex.Entry]] = true
		}
	}
	for b := range uint64(tableSize) {
		if m.starts[b] > m.starts[b+1] {
			t.Fatalf("bucket %d: starts %d > %d", b, m.starts[b], m.starts[b+1])
		}
		got := map[int32]bool{}
		for _, p := range m.post[m.starts[b]:m.starts[b+1]] {
			got[p.class] = true
		}
		if !maps.Equal(got, want[b]) && (len(got) > 0 || len(want[b]) > 0) {
			t.Fatalf("bucket %d: classes %v, want %v", b, got, want[b])
		}
	}
}

// TestSortClassesAsComparison: sorting by integer keys orders classes as
// the comparison by probability and name does, on random probabilities
// with exact ties, zeros and neighbours that differ in their last bits
// only, for 0 to 70 classes (beyond 64 the comparison sort runs).
func TestSortClassesAsComparison(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		n := r.IntN(71)
		m := &learned{rank: make([]int32, n), byRank: make([]int32, n)}
		for i, p := range r.Perm(n) {
			m.rank[i], m.byRank[p] = int32(p), int32(i)
		}
		probs := make([]float64, n)
		base := r.Float64()
		for i := range probs {
			switch r.IntN(4) {
			case 0:
				probs[i] = r.Float64()
			case 1:
				probs[i] = math.Float64frombits(math.Float64bits(base) + uint64(r.IntN(200)) - 100)
			case 2:
				probs[i] = base
			default:
				probs[i] = 0
			}
		}
		got, want := make([]int32, n), make([]int32, n)
		for i := range n {
			got[i], want[i] = int32(i), int32(i)
		}
		m.sortClasses(got, probs)
		slices.SortFunc(want, func(a, b int32) int {
			if c := cmp.Compare(probs[b], probs[a]); c != 0 {
				return c
			}
			return cmp.Compare(m.rank[a], m.rank[b])
		})
		if !slices.Equal(got, want) {
			t.Fatalf("probabilities %v ranks %v: %v, want %v", probs, m.rank, got, want)
		}
	}
}

// TestFoldAsBefore: fold, with its table for Latin letters, folds as the
// decomposition it replaced (foldSlow) on every word of every question,
// lower-cased and as typed, on every rune below U+0400 alone and between
// letters, and on random strings of ASCII, Latin letters, combining marks
// and invalid bytes.
func TestFoldAsBefore(t *testing.T) {
	var texts []string
	for _, q := range questionTexts(t) {
		texts = append(texts, strings.Fields(q)...)
		texts = append(texts, strings.Fields(strings.ToLower(q))...)
	}
	for r := rune(0); r < 0x400; r++ {
		texts = append(texts, string(r), "e"+string(r)+"é", string(r)+"\u0301")
	}
	alphabet := []string{"a", "E", "é", "È", "ç", "œ", "Œ", "ß", "ſ", "\u0301", "\u0327", "\u0323", "ǖ", "ÿ", "Ÿ", "\xff", "\xc3", "×", "µ", "ª", " ", "日"}
	r := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		texts = append(texts, b.String())
	}
	for _, s := range texts {
		if got, want := fold(s), foldSlow(s); got != want {
			t.Fatalf("fold(%q) = %q, decomposition gives %q", s, got, want)
		}
		if got, want := isNFC(s), norm.NFC.IsNormalString(s); got != want {
			t.Fatalf("isNFC(%q) = %v, norm says %v", s, got, want)
		}
	}
}

// TestNumberAsBefore: numbering a message's tokens, with a lookup per
// distinct string, gives each token the numbers a lookup of each of its
// three strings gives, on every question.
func TestNumberAsBefore(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range questionTexts(t) {
		toks := tokenize(q)
		c.m.number(toks)
		for _, tok := range toks {
			want := [3]int32{c.m.id(tok.fold, false), c.m.id(tok.en, false), c.m.id(tok.fr, false)}
			if tok.ids != want {
				t.Fatalf("%q in %q: numbers %v, want %v", tok.fold, q, tok.ids, want)
			}
			if want[0] > 0 && want[1] > 0 && want[2] > 0 {
				n++
			}
		}
	}
	if n < 10000 {
		t.Errorf("only %d tokens with three numbers: the comparison proves little", n)
	}
}

// TestStemsAsComputed: with the frozen copy of the stem cache, stems still
// gives every word of every question the stems the stemmers give, and the
// copy holds most of those words (or it would be no use).
func TestStemsAsComputed(t *testing.T) {
	kb, err := knowledge.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewWith(kb.Examples(), nil, nil); err != nil {
		t.Fatal(err)
	}
	frozen := *frozenStems.Load()
	in, all := 0, 0
	for _, q := range questionTexts(t) {
		for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			en, fr := stems(w)
			wantEn, wantFr := fold(w), fold(w)
			if len(w) > 2 {
				wantEn, wantFr = fold(english.Stem(w, true)), fold(french.Stem(w, true))
			}
			if en != wantEn || fr != wantFr {
				t.Fatalf("stems(%q) = %q, %q; the stemmers give %q, %q", w, en, fr, wantEn, wantFr)
			}
			if len(w) > 2 {
				all++
				if _, ok := frozen[w]; ok {
					in++
				}
			}
		}
	}
	if in < all/2 {
		t.Errorf("only %d of %d words in the frozen stems", in, all)
	}
}

// TestDetectLangAsBefore: detectLang, which looks for elisions only in a
// message with an apostrophe, guesses as the version that always did, on
// every question and on texts with odd apostrophes and case.
func TestDetectLangAsBefore(t *testing.T) {
	texts := append(questionTexts(t), "L'AVIS", "QU’IL", "l'", "’", "D'accord d'abord", "I'm fine", "c\u0301'est", "\xffl'x", "İl'a")
	for _, q := range texts {
		toks := tokenize(q)
		gotLang, gotSure := detectLang(toks, q)
		wantLang, wantSure := referenceDetectLang(toks, q)
		if gotLang != wantLang || gotSure != wantSure {
			t.Fatalf("%q: %v %v, want %v %v", q, gotLang, gotSure, wantLang, wantSure)
		}
	}
}

// TestElisionCountAsBefore: counting elisions in the message as typed, in
// one pass, counts what counting each of them in its lower-case copy did,
// on every question and on texts with odd case and runes.
func TestElisionCountAsBefore(t *testing.T) {
	texts := append(questionTexts(t), "L'AVIS", "QU’IL", "l'", "’", "D'accord d'abord", "(L'x \"J'y", "K'\u212a' ſ' İ'", "ÀL'a", "\xffl'x", "ll'l'", "QU'QU'", "'l'", "qu’’", "u'", "Q'", "(qu'", "\"n'", "x’", "\xe2\x80", "l\xe2\x80\x99", " s\xe2\x80\x99")
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := []string{"l", "L", "d", "q", "Q", "u", "U", "s", "c", "j", " ", "(", `"`, "'", "’", "x", "é", "\u212a", "\xe2"}
	for range 20000 {
		var b strings.Builder
		for range r.IntN(10) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		texts = append(texts, b.String())
	}
	n := 0
	for _, q := range texts {
		want := 0
		for _, e := range []string{"l'", "d'", "qu'", "j'", "n'", "s'", "c'", "l’", "d’", "qu’", "j’", "n’", "s’", "c’"} {
			want += countWordPrefix(strings.ToLower(q), e)
		}
		if got := countElisions(q); got != want {
			t.Fatalf("%q: %d elisions, want %d", q, got, want)
		}
		n += want
	}
	if n < 50 {
		t.Errorf("only %d elisions: the comparison proves little", n)
	}
}

// countWordPrefix counts occurrences of p at the start of a word.
func countWordPrefix(s, p string) int {
	n := 0
	for i := 0; ; {
		j := strings.Index(s[i:], p)
		if j < 0 {
			return n
		}
		at := i + j
		if at == 0 || s[at-1] == ' ' || s[at-1] == '(' || s[at-1] == '"' {
			n++
		}
		i = at + len(p)
	}
}

// referenceDetectLang is detectLang as it was.
func referenceDetectLang(toks []token, raw string) (lang bot.Lang, sure bool) {
	var fr, en float64
	for _, t := range toks {
		if frWords[t.fold] {
			fr++
		}
		if enWords[t.fold] {
			en++
		}
		if t.fold != t.lower {
			fr += 0.5
		}
	}
	low := strings.ToLower(raw)
	for _, e := range []string{"l'", "d'", "qu'", "j'", "n'", "s'", "c'", "l’", "d’", "qu’", "j’", "n’", "s’", "c’"} {
		fr += 0.5 * float64(countWordPrefix(low, e))
	}
	switch {
	case fr > en:
		return bot.French, true
	case en > fr:
		return bot.English, true
	}
	return bot.English, false
}

// TestRequiredLiterals: the strings a pattern needs are in every match of
// it, on every question (folded and as typed); the command patterns, which
// start with optional words, have them; and required gives what it should
// on small patterns. TestPhrasesAgreeWithRegexp holds the patterns that
// use them to the plain regexp.
func TestRequiredLiterals(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		want    []string // nil: none known
	}{
		{`^ (can you )?(say it )?in (french|english) $`, []string{"in english ", "in french "}},
		{`(ab|cd)?xyz+`, []string{"xyz"}},
		{`(?i:abc)`, nil},
		{`a*|bcd`, nil},
		{`\b([A-Z]+)\s+(page|pages)\b`, []string{"page"}},
	} {
		tree, err := syntax.Parse(tc.pattern, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := required(tree.Simplify())
		slices.Sort(got)
		if !ok {
			got = nil
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: required %q, want %q", tc.pattern, got, tc.want)
		}
	}
	for _, p := range []*phrases{toFrenchRe, toEnglishRe, forgetRe, reviewRe, ticketsRe, helpRe, accountOfRe} {
		if p.need == nil {
			t.Errorf("%q needs no literal", p.re)
		}
	}
	var texts []string
	for _, q := range questionTexts(t) {
		texts = append(texts, q, foldText(tokenize(q)))
	}
	matches := 0
	for _, p := range allPhrases {
		if p.need == nil {
			continue
		}
		need := p.need()
		for _, s := range texts {
			for _, m := range p.re.FindAllString(s, -1) {
				matches++
				if !need.any(m) {
					t.Errorf("%q: match %q in %q has none of the needed strings", p.re, m, s)
				}
			}
		}
	}
	if matches < 20 {
		t.Errorf("only %d matches: the check proves little", matches)
	}
}

// TestPIKindsHaveNoSpaces: detect tests whether a kind of personal
// information is a standard one with slices.Contains, where it searched
// the kinds joined with spaces; the two agree as long as no kind has a
// space.
func TestPIKindsHaveNoSpaces(t *testing.T) {
	for _, k := range piCues {
		if strings.ContainsRune(k.kind, ' ') {
			t.Errorf("kind %q has a space", k.kind)
		}
	}
	for _, k := range standardPI {
		if strings.ContainsRune(k, ' ') {
			t.Errorf("standard kind %q has a space", k)
		}
	}
}

// TestScanFlags: the one pass over a message notes, for every pattern with
// needed literals, whether one occurs as the pattern's own automaton says,
// and which uses, kinds of personal information and incident cues occur as
// their automata say, on every question (as typed and folded) and on the
// cues themselves.
func TestScanFlags(t *testing.T) {
	all := allLits()
	var texts []string
	for _, q := range questionTexts(t) {
		texts = append(texts, q, foldText(tokenize(q)))
	}
	for _, u := range useCues {
		texts = append(texts, u.cues...)
	}
	for _, k := range piCues {
		texts = append(texts, k.cues...)
	}
	texts = append(texts, incidentCues...)
	needs, on := 0, 0
	sc := new(scratch)
	for _, text := range texts {
		for _, folded := range []*scanned{scan(text), sc.scan(text)} {
			for i, p := range allPhrases[:all.n] {
				if p.need == nil {
					continue
				}
				needs++
				if got, want := folded.flag(i), p.need().any(text); got != want {
					t.Fatalf("pattern %d on %q: needed literals %v, its automaton says %v", i, text, got, want)
				}
			}
			uses, kinds := make([]bool, len(useCues)), make([]bool, len(piCues))
			useLits.groups(text, uses)
			piLits.groups(text, kinds)
			for i, want := range uses {
				if folded.flag(all.useFlag+i) != want {
					t.Fatalf("%q: use %s %v, want %v", text, useCues[i].use, !want, want)
				}
				if want {
					on++
				}
			}
			for i, want := range kinds {
				if folded.flag(all.piFlag+i) != want {
					t.Fatalf("%q: kind %s %v, want %v", text, piCues[i].kind, !want, want)
				}
			}
			if got, want := folded.flag(all.incidentFlag), incidentLits.any(text); got != want {
				t.Fatalf("%q: incident %v, want %v", text, got, want)
			}
		}
	}
	if needs == 0 || on < 1000 {
		t.Errorf("%d needed-literal checks, %d uses found: the comparison proves little", needs, on)
	}
}
