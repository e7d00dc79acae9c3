package intents

import (
	_ "embed"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed intents.yaml
var intentsYAML []byte

// cueWord is one word of a cue.
type cueWord struct {
	prefix string // folded prefix, for words written with *
	en, fr string // stems
	fold   string
	// ids number fold, en and fr (see model.ids).
	ids [3]int32
}

// matches compares the word's numbers with the token's (set by
// model.number): equal strings have equal numbers.
func (w *cueWord) matches(t *token) bool {
	if w.prefix != "" {
		return strings.HasPrefix(t.fold, w.prefix)
	}
	return t.ids[0] == w.ids[0] || t.ids[1] == w.ids[1] || t.ids[2] == w.ids[2]
}

// cue is a phrase (words in order, small gaps allowed) or, when all is
// true, a set of words that must all occur anywhere.
type cue struct {
	src    string
	words  []cueWord
	all    bool
	weight float64
	// id numbers the cue in its model, for candidates.
	id int
}

// maxGap is how many words may separate two words of a phrase.
const maxGap = 2

// match reports whether the cue occurs in the message's words.
func (c *cue) match(toks []token) bool {
	if c.all {
		for wi := range c.words {
			w := &c.words[wi]
			found := false
			for ti := range toks {
				if w.matches(&toks[ti]) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	for i := range toks {
		if c.words[0].matches(&toks[i]) && c.rest(toks, i+1, 1) {
			return true
		}
	}
	return false
}

// rest matches words[k:] starting at toks[from:], allowing gaps.
func (c *cue) rest(toks []token, from, k int) bool {
	if k == len(c.words) {
		return true
	}
	for j := from; j < len(toks) && j <= from+maxGap; j++ {
		if c.words[k].matches(&toks[j]) && c.rest(toks, j+1, k+1) {
			return true
		}
	}
	return false
}

// intentDef is an intent and its cues.
type intentDef struct {
	name  string
	doc   string
	docID int // doc's number (model.docNames)
	cues  []cue
}

type cueFile struct {
	// Vocabulary lists extra words for typo correction.
	Vocabulary []string            `yaml:"vocabulary"`
	Docs       map[string][]string `yaml:"docs"`
	Intents    []struct {
		Name string   `yaml:"name"`
		Doc  string   `yaml:"doc"`
		Cues []string `yaml:"cues"`
	} `yaml:"intents"`
}

// model is the compiled cue file.
type model struct {
	intents []intentDef
	docs    map[string][]cue
	// vocab holds every folded cue word, for typo correction.
	vocab map[string]bool
	// index maps a word key (see keys) to the cues whose anchor word it
	// matches; always lists the cues without an anchor (prefix words
	// only). A cue can match a message only if its anchor matches one of
	// the message's words, so only the candidates are tried.
	index  [3][][]int // kind (fold, en, fr) → word number → cue ids
	always []int
	// byPrefix maps the first prefixKey bytes (or fewer, for a shorter
	// prefix) of a prefix-only cue's longest prefix to the cue's ids.
	byPrefix map[string][]int
	ncues    int
	// owners[id] says whose cue id is: an intent (its index in intents)
	// or a document; byID[id] is the cue. Set by finish.
	owners []cueOwner
	byID   []*cue
	// docNames numbers the documents (sorted), for docWeights.
	docNames []string
	// ids numbers every string a cue word has (from 1).
	ids map[string]int32
}

// id returns s's number, adding it when add is true; 0 when s is unknown.
func (m *model) id(s string, add bool) int32 {
	if n, ok := m.ids[s]; ok {
		return n
	}
	if !add {
		return 0
	}
	n := int32(len(m.ids) + 1)
	m.ids[s] = n
	return n
}

// number sets the tokens' numbers. It must run on every token a cue is
// matched against.
func (m *model) number(toks []token) {
	for i := range toks {
		t := &toks[i]
		// A stem is often the word itself, and the two stems are often
		// alike: equal strings have equal numbers, so each distinct
		// string is looked up once.
		t.ids[0] = m.id(t.fold, false)
		switch t.en {
		case t.fold:
			t.ids[1] = t.ids[0]
		default:
			t.ids[1] = m.id(t.en, false)
		}
		switch t.fr {
		case t.en:
			t.ids[2] = t.ids[1]
		case t.fold:
			t.ids[2] = t.ids[0]
		default:
			t.ids[2] = m.id(t.fr, false)
		}
	}
}

// indexCue registers c under its anchor: its longest whole word, the
// rarest in practice.
func (m *model) indexCue(c cue) {
	anchor := -1
	for i, w := range c.words {
		if w.prefix == "" && (anchor < 0 || len(w.fold) > len(c.words[anchor].fold)) {
			anchor = i
		}
	}
	if anchor < 0 {
		// Prefix words only ("consent*"): indexed by the first bytes of
		// the longest prefix, which every matching word starts with.
		for i, w := range c.words {
			if anchor < 0 || len(w.prefix) > len(c.words[anchor].prefix) {
				anchor = i
			}
		}
		p := c.words[anchor].prefix
		if p == "" {
			m.always = append(m.always, c.id)
			return
		}
		if m.byPrefix == nil {
			m.byPrefix = map[string][]int{}
		}
		key := p[:min(len(p), prefixKey)]
		m.byPrefix[key] = append(m.byPrefix[key], c.id)
		return
	}
	w := c.words[anchor]
	for k, n := range w.ids {
		for int(n) >= len(m.index[k]) {
			m.index[k] = append(m.index[k], nil)
		}
		if l := m.index[k][n]; len(l) == 0 || l[len(l)-1] != c.id {
			m.index[k][n] = append(l, c.id)
		}
	}
}

// cueOwner is the intent (intent ≥ 0) or the document (intent < 0) a cue
// belongs to.
type cueOwner struct {
	intent int
	doc    string
	docID  int // doc's number (model.docNames)
}

// prefixKey is how many leading bytes of a prefix index its cues.
const prefixKey = 3

// finish numbers the cues' owners, once every cue is parsed.
func (m *model) finish() {
	m.owners = make([]cueOwner, m.ncues)
	m.byID = make([]*cue, m.ncues)
	m.docNames = slices.Sorted(maps.Keys(m.docs))
	for id, doc := range m.docNames {
		cues := m.docs[doc]
		for i := range cues {
			m.owners[cues[i].id] = cueOwner{intent: -1, doc: doc, docID: id}
			m.byID[cues[i].id] = &cues[i]
		}
	}
	for in := range m.intents {
		m.intents[in].docID = slices.Index(m.docNames, m.intents[in].doc)
		for i := range m.intents[in].cues {
			c := &m.intents[in].cues[i]
			m.owners[c.id] = cueOwner{intent: in}
			m.byID[c.id] = c
		}
	}
}

// maxDocs bounds the documents of a cue file: a message's evidence for
// each (docWeights) is a fixed array, not a map made for every message.
const maxDocs = 16

// docWeights is the weight of each document's own words in a message, by
// the document's number.
type docWeights struct {
	names []string // model.docNames
	w     [maxDocs]float64
}

// of returns doc's weight; 0 for a document the model does not have.
func (d *docWeights) of(doc string) float64 {
	if i := slices.Index(d.names, doc); i >= 0 {
		return d.w[i]
	}
	return 0
}

// candidates appends to out, in increasing order (the cue file's order
// within each intent and document), the ids of the cues that may match
// toks. The caller's buffer and a set on the stack (for up to
// 64 × 64 cues) spare two allocations a message.
func (m *model) candidates(toks []token, out []int) []int {
	var arr [64]uint64
	var set []uint64
	if n := (m.ncues + 63) / 64; n <= len(arr) {
		set = arr[:n]
	} else {
		set = make([]uint64, n)
	}
	for _, id := range m.always {
		set[id/64] |= 1 << (id % 64)
	}
	for ti := range toks {
		if lx := toks[ti].lx; lx != nil {
			// The same ids, gathered when the lexicon was built.
			for _, id := range lx.cands {
				set[id/64] |= 1 << (id % 64)
			}
			continue
		}
		for k, n := range toks[ti].ids {
			if n > 0 && int(n) < len(m.index[k]) {
				for _, id := range m.index[k][n] {
					set[id/64] |= 1 << (id % 64)
				}
			}
		}
		f := toks[ti].fold
		for l := 1; l <= min(len(f), prefixKey); l++ {
			for _, id := range m.byPrefix[f[:l]] {
				set[id/64] |= 1 << (id % 64)
			}
		}
	}
	for w, bits64 := range set {
		for b := bits64; b != 0; b &= b - 1 {
			out = append(out, w*64+bits.TrailingZeros64(b))
		}
	}
	return out
}

func loadModel(b []byte) (*model, error) {
	var f cueFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("intents.yaml: %w", err)
	}
	m := &model{docs: map[string][]cue{}, vocab: map[string]bool{}, ids: map[string]int32{}}
	for _, w := range f.Vocabulary {
		for _, t := range tokenize(w) {
			m.vocab[t.fold] = true
		}
	}
	for doc, srcs := range f.Docs {
		for _, s := range srcs {
			c, err := m.parseCue(s)
			if err != nil {
				return nil, fmt.Errorf("intents.yaml: docs %s: %w", doc, err)
			}
			m.docs[doc] = append(m.docs[doc], c)
		}
	}
	seen := map[string]bool{}
	for _, in := range f.Intents {
		if seen[in.Name] {
			return nil, fmt.Errorf("intents.yaml: duplicate intent %q", in.Name)
		}
		seen[in.Name] = true
		if _, ok := f.Docs[in.Doc]; !ok {
			return nil, fmt.Errorf("intents.yaml: intent %s: unknown doc %q", in.Name, in.Doc)
		}
		d := intentDef{name: in.Name, doc: in.Doc}
		sigs := map[string]string{}
		for _, s := range oneCuePerStem(in.Cues) {
			c, err := m.parseCue(s)
			if err != nil {
				return nil, fmt.Errorf("intents.yaml: intent %s: %w", in.Name, err)
			}
			// Two cues that match the same words would count twice.
			if other, dup := sigs[c.signature()]; dup {
				return nil, fmt.Errorf("intents.yaml: intent %s: cues %q and %q match the same words", in.Name, other, s)
			}
			sigs[c.signature()] = s
			d.cues = append(d.cues, c)
		}
		m.intents = append(m.intents, d)
	}
	if len(m.docs) > maxDocs {
		return nil, fmt.Errorf("intents.yaml: %d documents, at most %d", len(m.docs), maxDocs)
	}
	m.finish()
	return m, nil
}

// oneCuePerStem keeps, of an intent's one-word cues that share a stem
// ("contain", "contained", "containment": all "contain" in English), the
// one with the highest weight (the first of equals). A word matches a cue
// word by its English or its French stem, so each of them matched the
// same words, and one word in a message would count two or three times
// ("what must the notice contain?" scored 10 for containment).
func oneCuePerStem(srcs []string) []string {
	type word struct {
		en, fr string
		w      float64
	}
	words := make([]word, len(srcs))
	for i, s := range srcs {
		body, weight, _ := strings.Cut(s, "=")
		w, err := strconv.ParseFloat(strings.TrimSpace(weight), 64)
		if weight == "" {
			w, err = 1, nil
		}
		body = strings.TrimSpace(body)
		if err != nil || strings.ContainsAny(body, "&*") {
			continue
		}
		if toks := tokenize(body); len(toks) == 1 {
			words[i] = word{en: toks[0].en, fr: toks[0].fr, w: w}
		}
	}
	out := make([]string, 0, len(srcs))
	for i, s := range srcs {
		wi := words[i]
		keep := true
		for j, wj := range words {
			if j == i || wi.en == "" || wj.en == "" || wi.en != wj.en && wi.fr != wj.fr {
				continue
			}
			if wj.w > wi.w || wj.w == wi.w && j < i {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

// signature identifies what a cue matches.
func (c cue) signature() string {
	var b strings.Builder
	if c.all {
		b.WriteString("&")
	}
	for _, w := range c.words {
		if w.prefix != "" {
			b.WriteString(w.prefix + "* ")
		} else {
			b.WriteString(w.en + "/" + w.fr + " ")
		}
	}
	return b.String()
}

func (m *model) parseCue(s string) (cue, error) {
	c := cue{src: s, weight: 1, id: m.ncues}
	m.ncues++
	if i := strings.LastIndexByte(s, '='); i >= 0 {
		w, err := strconv.ParseFloat(strings.TrimSpace(s[i+1:]), 64)
		if err != nil || w <= 0 || math.IsInf(w, 0) {
			return cue{}, fmt.Errorf("cue %q: bad weight", s)
		}
		c.weight = w
		s = s[:i]
	}
	var parts []string
	if strings.Contains(s, "&") {
		c.all = true
		parts = strings.Split(s, "&")
	} else {
		parts = []string{s}
	}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		star := strings.HasSuffix(p, "*")
		p = strings.TrimSuffix(p, "*")
		toks := tokenize(p)
		if len(toks) == 0 {
			return cue{}, fmt.Errorf("cue %q has no words", c.src)
		}
		for i, t := range toks {
			w := cueWord{en: t.en, fr: t.fr, fold: t.fold, ids: [3]int32{m.id(t.fold, true), m.id(t.en, true), m.id(t.fr, true)}}
			if star && i == len(toks)-1 {
				w = cueWord{prefix: t.fold}
			}
			// Typos are corrected to whole words only: a prefix
			// ("achemin*") would turn "achemine" into "achemin".
			if len(t.fold) >= 4 && w.prefix == "" {
				m.vocab[t.fold] = true
			}
			c.words = append(c.words, w)
		}
	}
	m.indexCue(c)
	return c, nil
}
