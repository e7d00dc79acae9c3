package intents

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// phrases is a regular expression over folded text with a literal
// prefilter. Go's regexp runs a large unanchored alternation through its
// NFA at every position of the text (tens of microseconds a message); but
// every match of these patterns starts with one of a few dozen literal
// strings (" copyright", " buy ", …), and most messages contain none of
// them, which strings.Contains finds far faster.
type phrases struct {
	re *regexp.Regexp
	// lits holds strings of which every match starts with one; nil when
	// the pattern has no such set, and the regexp always runs.
	lits []string
	// pre is lits compiled, built the first time a text that was not
	// scanned is asked about (most patterns are only ever asked about
	// scanned texts: their own automaton would be memory for nothing).
	pre func() *litSet
	// anchored is the pattern anchored at its start, run only where one
	// of lits occurs (every match starts at one): a few bytes per literal
	// found instead of the regexp at every position of the text. Nil when
	// the pattern looks behind its start (\b, ^), which a slice of the
	// text would not see.
	anchored *regexp.Regexp
	// wordStart, for a pattern that begins with \b and has no literal
	// prefilter: anchored (without the \b) runs only at word boundaries
	// whose byte can begin a match.
	wordStart bool
	first     [256]bool
	// words, for such a pattern whose matches (after the \b) all start
	// with one of a few literals ("account", "page"…), finds them: the
	// offsets are then the word boundaries where one occurs, not every
	// boundary before a possible first byte. Nil otherwise.
	words func() *litSet
	id    int // index in allPhrases
	// heads, for a pattern anchored at the start of the text (^), are
	// strings one of which every match begins with: a text that begins
	// with none of them does not match.
	heads []string
	// need, for a pattern with no literal prefilter (pre, words), finds
	// strings one of which occurs somewhere in every match (see
	// required): a text with none of them does not match, and the regexp
	// is not run. Nil when no such strings of three bytes or more are
	// known.
	need     func() *litSet
	needLits []string // need's literals
}

// possible reports whether s may match p as far as its heads and its
// needed literals tell.
func (p *phrases) possible(s string) bool {
	if p.need != nil && !p.need().any(s) {
		return false
	}
	return p.headsOK(s)
}

// headsOK reports whether s begins with one of p's heads, if it has any.
func (p *phrases) headsOK(s string) bool {
	if p.heads == nil {
		return true
	}
	for _, h := range p.heads {
		if strings.HasPrefix(s, h) {
			return true
		}
	}
	return false
}

// maxLits bounds the prefilter; beyond it the regexp runs on its own.
const maxLits = 400

// allPhrases lists every pattern the package compiled, for tests.
var allPhrases []*phrases

func mustPhrases(pattern string) *phrases {
	p := &phrases{re: regexp.MustCompile(pattern), id: len(allPhrases)}
	allPhrases = append(allPhrases, p)
	tree, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		panic(err) // unreachable: MustCompile accepted it
	}
	p.prefilter(pattern, tree)
	if p.pre == nil && p.words == nil {
		if lits, ok := required(tree.Simplify()); ok && !slices.ContainsFunc(lits, func(l string) bool { return len(l) < 3 }) {
			p.need = sync.OnceValue(func() *litSet { return newLitSet(lits) })
			p.needLits = lits
		}
	}
	return p
}

// prefilter sets what tells p where its matches may start: literals, heads
// or word starts.
func (p *phrases) prefilter(pattern string, tree *syntax.Regexp) {
	if lits, _, ok := starts(tree.Simplify()); ok {
		for _, l := range lits {
			// A bare space is in every message: no use as a filter.
			if len(l) < 2 {
				return
			}
		}
		p.lits = lits
		p.pre = sync.OnceValue(func() *litSet { return newLitSet(lits) })
		if !looksBehind(tree) {
			p.anchored = regexp.MustCompile(`^(?:` + pattern + `)`)
		}
		return
	}
	// ^, then strings one of which begins every match.
	if re := tree.Simplify(); re.Op == syntax.OpConcat && len(re.Sub) > 1 && re.Sub[0].Op == syntax.OpBeginText {
		rest := &syntax.Regexp{Op: syntax.OpConcat, Sub: re.Sub[1:]}
		if heads, _, ok := starts(rest); ok {
			p.heads = heads
		}
		return
	}
	// \b, then something that takes at least one byte and whose first
	// byte is one of a known set: every match starts at a word boundary
	// before such a byte, and what follows its first byte sees the text it
	// looks behind at in a slice too.
	if re := tree.Simplify(); re.Op == syntax.OpConcat && len(re.Sub) > 1 && re.Sub[0].Op == syntax.OpWordBoundary &&
		!looksBehind(re.Sub[1]) && minLen(re.Sub[1]) > 0 && firstBytes(re.Sub[1], &p.first) {
		rest := &syntax.Regexp{Op: syntax.OpConcat, Sub: re.Sub[1:]}
		p.anchored = regexp.MustCompile(`^(?:` + rest.String() + `)`)
		p.wordStart = true
		if lits, _, ok := starts(rest); ok && !slices.ContainsFunc(lits, func(l string) bool { return len(l) < 2 }) {
			p.words = sync.OnceValue(func() *litSet { return newLitSet(lits) })
		}
	}
}

// minLen is the fewest bytes a match of re takes (a lower bound).
func minLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(string(re.Rune))
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minLen(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min * minLen(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, sub := range re.Sub {
			n += minLen(sub)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, sub := range re.Sub {
			if m := minLen(sub); n < 0 || m < n {
				n = m
			}
		}
		return max(n, 0)
	}
	return 0
}

// firstBytes marks in set every byte a match of re (which takes at least
// one byte) can begin with: the first byte of its first rune, in every
// case for a case-folded literal, any leading byte for a non-ASCII class.
// It reports false when it cannot tell.
func firstBytes(re *syntax.Regexp, set *[256]bool) bool {
	switch re.Op {
	case syntax.OpLiteral:
		r := re.Rune[0]
		mark := func(r rune) { set[string(r)[0]] = true }
		mark(r)
		if re.Flags&syntax.FoldCase != 0 {
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				mark(f)
			}
		}
		return true
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			for r := lo; r <= min(hi, utf8.RuneSelf-1); r++ {
				set[r] = true
			}
			if hi >= utf8.RuneSelf {
				for b := 0xC0; b < 0x100; b++ {
					set[b] = true
				}
			}
		}
		return true
	case syntax.OpCapture, syntax.OpPlus:
		return firstBytes(re.Sub[0], set)
	case syntax.OpRepeat:
		return re.Min > 0 && firstBytes(re.Sub[0], set)
	case syntax.OpConcat:
		return minLen(re.Sub[0]) > 0 && firstBytes(re.Sub[0], set)
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if minLen(sub) == 0 || !firstBytes(sub, set) {
				return false
			}
		}
		return true
	}
	return false
}

// isWordByte is regexp's \w for the byte at a rune's start (a non-ASCII
// rune is not a word character to \b).
func isWordByte(b byte) bool {
	return b < utf8.RuneSelf && syntax.IsWordChar(rune(b))
}

// looksBehind reports whether re has an assertion about what precedes a
// position (word boundaries, beginnings of text or line).
func looksBehind(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpBeginLine, syntax.OpBeginText:
		return true
	}
	for _, sub := range re.Sub {
		if looksBehind(sub) {
			return true
		}
	}
	return false
}

// at returns the start of the first match of p at or after from, given
// the sorted offsets where p's literals occur, and its submatch indices
// (relative to the start); -1 when there is none.
func (p *phrases) at(s string, offsets []int32, from int) (int, []int) {
	for _, o := range offsets {
		if int(o) < from {
			continue
		}
		if loc := p.anchored.FindStringSubmatchIndex(s[o:]); loc != nil {
			return int(o), loc
		}
	}
	return -1, nil
}

// span is at without the submatches (which cost the regexp more): the
// match's start and end, or -1.
func (p *phrases) span(s string, offsets []int32) (int, int) {
	for _, o := range offsets {
		if loc := p.anchored.FindStringIndex(s[o:]); loc != nil {
			return int(o), int(o) + loc[1]
		}
	}
	return -1, -1
}

// any reports whether p matches at one of offsets.
func (p *phrases) any(s string, offsets []int32) bool {
	for _, o := range offsets {
		if p.anchored.MatchString(s[o:]) {
			return true
		}
	}
	return false
}

// offsets returns the sorted, distinct offsets in s where p's literals
// occur, in out's storage (a caller's buffer, empty).
func (p *phrases) offsets(s string, out []int32) []int32 {
	if p.words != nil {
		// Every match starts with one of the literals, at a word
		// boundary.
		var arr [16]litHit
		for _, h := range p.words().find(s, arr[:0]) {
			if o := int(h.start); (o > 0 && isWordByte(s[o-1])) != isWordByte(s[o]) {
				out = append(out, h.start)
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	if p.wordStart {
		for o := 0; o < len(s); o++ {
			// \b before s[o]: s[o] is a word byte and the one before it
			// is not, or the other way round.
			if p.first[s[o]] && (o > 0 && isWordByte(s[o-1])) != isWordByte(s[o]) {
				out = append(out, int32(o))
			}
		}
		return out
	}
	var arr [64]litHit
	for _, h := range p.pre().find(s, arr[:0]) {
		out = append(out, h.start)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// MatchString reports whether s contains a match.
func (p *phrases) MatchString(s string) bool {
	if p.need != nil && !p.need().any(s) {
		return false
	}
	return p.matchRest(s)
}

// matchRest is MatchString once p's needed literals are known to occur in
// s.
func (p *phrases) matchRest(s string) bool {
	switch {
	case !p.headsOK(s):
		return false
	case p.anchored != nil:
		var arr [32]int32
		return p.any(s, p.offsets(s, arr[:0])) // no literal, no offset
	case p.pre != nil && !p.pre().any(s):
		return false
	}
	return p.re.MatchString(s)
}

// FindString is regexp's, behind the prefilter.
func (p *phrases) FindString(s string) string {
	if loc := p.FindStringIndex(s); loc != nil {
		return s[loc[0]:loc[1]]
	}
	return ""
}

// FindStringIndex is regexp's, behind the prefilter.
func (p *phrases) FindStringIndex(s string) []int {
	switch {
	case !p.possible(s):
		return nil
	case p.anchored != nil:
		var arr [32]int32
		if o, e := p.span(s, p.offsets(s, arr[:0])); o >= 0 {
			return []int{o, e}
		}
		return nil
	case p.pre != nil && !p.pre().any(s):
		return nil
	}
	return p.re.FindStringIndex(s)
}

// starts returns strings one of which begins every match of re; exact is
// true when they are exactly the strings re matches. ok is false when no
// such finite set is known (re can match the empty string, a large
// character class, …).
func starts(re *syntax.Regexp) (lits []string, exact, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil, false, false
		}
		return []string{string(re.Rune)}, true, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if out = append(out, string(r)); len(out) > 16 {
					return nil, false, false
				}
			}
		}
		return out, true, len(out) > 0
	case syntax.OpCapture:
		return starts(re.Sub[0])
	case syntax.OpPlus:
		l, _, ok := starts(re.Sub[0])
		return l, false, ok
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil, false, false
		}
		l, _, ok := starts(re.Sub[0])
		return l, false, ok
	case syntax.OpAlternate:
		exact := true
		var out []string
		for _, sub := range re.Sub {
			l, e, ok := starts(sub)
			if !ok {
				return nil, false, false
			}
			exact = exact && e
			if out = append(out, l...); len(out) > maxLits {
				return nil, false, false
			}
		}
		return out, exact, true
	case syntax.OpConcat:
		out, exact, ok := starts(re.Sub[0])
		if !ok {
			return nil, false, false
		}
		for _, sub := range re.Sub[1:] {
			if !exact {
				break
			}
			next, e, ok := starts(sub)
			if !ok || len(out)*len(next) > maxLits {
				// What is known so far still begins every match.
				return out, false, true
			}
			joined := make([]string, 0, len(out)*len(next))
			for _, a := range out {
				for _, b := range next {
					joined = append(joined, a+b)
				}
			}
			out, exact = joined, e
		}
		return out, exact, true
	}
	return nil, false, false
}

// required returns strings one of which occurs somewhere in every match
// of re; ok is false when no such finite set is known. Of the sets a
// concatenation offers (each part's, and what each run of parts starts
// with), it takes the one whose shortest string is longest: the rarest in
// text.
func required(re *syntax.Regexp) (lits []string, ok bool) {
	switch re.Op {
	case syntax.OpLiteral, syntax.OpCharClass:
		lits, _, ok := starts(re)
		return lits, ok
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil, false
		}
		return required(re.Sub[0])
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			l, ok := required(sub)
			if !ok {
				return nil, false
			}
			if out = append(out, l...); len(out) > maxLits {
				return nil, false
			}
		}
		return out, true
	case syntax.OpConcat:
		shortest := func(l []string) int { return len(slices.MinFunc(l, func(a, b string) int { return len(a) - len(b) })) }
		var best []string
		consider := func(l []string, ok bool) {
			if ok && len(l) > 0 && (best == nil || shortest(l) > shortest(best)) {
				best = l
			}
		}
		for i, sub := range re.Sub {
			consider(required(sub))
			l, _, ok := starts(&syntax.Regexp{Op: syntax.OpConcat, Sub: re.Sub[i:]})
			consider(l, ok)
		}
		return best, best != nil
	}
	return nil, false
}

// phraseSet matches when any of its patterns does. Each pattern keeps its
// own prefilter, so a message runs only the few small regexps whose
// literals it contains, instead of one large alternation whose literals
// ("can i", "i m") are in most messages; the literals of all patterns are
// found in the one pass over the message (scanned).
type phraseSet struct {
	pats []*phrases
}

func anyPhrases(patterns []string) *phraseSet {
	set := &phraseSet{}
	for _, src := range patterns {
		set.pats = append(set.pats, mustPhrases(src))
	}
	return set
}

// FindAllStringSubmatch is regexp's, behind the prefilter.
func (p *phrases) FindAllStringSubmatch(s string, n int) [][]string {
	if !p.possible(s) || p.anchored == nil && p.pre != nil && !p.pre().any(s) {
		return nil
	}
	if p.anchored == nil {
		return p.re.FindAllStringSubmatch(s, n)
	}
	// Matches are never empty (a literal starts each), so each search
	// goes on where the last match ended, as regexp's does.
	var out [][]string
	var arr [32]int32
	offs := p.offsets(s, arr[:0])
	for from := 0; n < 0 || len(out) < n; {
		o, loc := p.at(s, offs, from)
		if o < 0 {
			break
		}
		sub := make([]string, len(loc)/2)
		for i := range sub {
			if loc[2*i] >= 0 {
				sub[i] = s[o+loc[2*i] : o+loc[2*i+1]]
			}
		}
		out = append(out, sub)
		from = o + loc[1]
	}
	return out
}

// scanned is a text with the occurrences of every pattern's literals,
// found in one pass of one automaton: the patterns asked about it then
// need no pass of their own.
type scanned struct {
	s string
	n int // patterns the pass looked for: allPhrases[:n]
	// offs holds where each pattern's literals occur, grouped by pattern
	// and sorted: pattern i's are offs[from[i]:from[i+1]].
	offs []int32
	from []int32
	// flags[i] is 1 when a literal of flag group i occurs (see
	// literalScan).
	flags []int32
}

// flag reports whether a literal of flag group i occurs in t.
func (t *scanned) flag(i int) bool { return t.flags[i] != 0 }

// literalScan is the literals of every pattern with a prefilter, grouped
// by the pattern's index in allPhrases, for the first n patterns; then, in
// groups of which the scan only notes whether one occurs (flags), the
// needed literals of the first n patterns (flag i: pattern i's) and the
// slot cues (flags from useFlag, piFlag and incidentFlag): each of these
// took a pass over the message of its own.
type literalScan struct {
	set    *litSet
	n      int
	nflags int
	// useFlag is the flag of useCues[0] (useCues[i]'s is useFlag+i);
	// piFlag likewise for piCues; incidentFlag is incidentCues'.
	useFlag, piFlag, incidentFlag int
}

// allLits is built once, after the package's patterns (a pattern compiled
// later, by a test, is not in it and is matched on its own) and its init
// (which puts a space before each slot cue).
var allLits = sync.OnceValue(func() literalScan {
	if useLits == nil {
		panic("intents: a message scanned before the package's init")
	}
	n := len(allPhrases)
	ls := literalScan{n: n, useFlag: n, piFlag: n + len(useCues), incidentFlag: n + len(useCues) + len(piCues)}
	ls.nflags = ls.incidentFlag + 1
	groups := make([][]string, n+ls.nflags)
	for i, p := range allPhrases {
		if p.pre != nil {
			groups[i] = p.lits
		}
		if p.need != nil {
			groups[n+i] = p.needLits
		}
	}
	for i, u := range useCues {
		groups[n+ls.useFlag+i] = u.cues
	}
	for i, k := range piCues {
		groups[n+ls.piFlag+i] = k.cues
	}
	groups[n+ls.incidentFlag] = incidentCues
	ls.set = newLitSet(groups...)
	return ls
})

// inScan reports whether t's pass looked for p's literals.
func (p *phrases) inScan(t *scanned) bool { return p.pre != nil && p.id < t.n }

func scan(s string) *scanned {
	t := &scanned{}
	t.fill(s, nil)
	return t
}

// fill makes t the scan of s, its offsets and flags in buf's storage
// (grown as needed), and returns the storage.
func (t *scanned) fill(s string, buf []int32) []int32 {
	all := allLits()
	n := all.n
	// The hits go to a buffer on the stack (most messages have fewer);
	// the group bounds, the flags and the offsets share one allocation,
	// or none when buf has room.
	var arr [256]litHit
	hits := all.set.find(s, arr[:0])
	if need := n + 1 + all.nflags + len(hits); cap(buf) >= need {
		buf = buf[:need]
		clear(buf[:n+1+all.nflags]) // the counts start at 0; the offsets are all set
	} else {
		buf = make([]int32, need)
	}
	from, flags := buf[:n+1], buf[n+1:n+1+all.nflags]
	// Counting sort of the pattern groups' offsets by pattern: count each
	// group's hits in from[g], sum them so that from[g] is where group g
	// ends, then place the hits from the last, each one step before its
	// group's end; from[g] is left where group g starts. Each pattern's
	// offsets are then sorted. The flag groups' hits set their flags.
	for _, h := range hits {
		if g := all.set.group[h.lit]; g < n {
			from[g]++
		} else {
			flags[g-n] = 1
		}
	}
	for g := 1; g <= n; g++ {
		from[g] += from[g-1]
	}
	offs := buf[n+1+all.nflags : n+1+all.nflags+int(from[n])]
	for i := len(hits) - 1; i >= 0; i-- {
		if g := all.set.group[hits[i].lit]; g < n {
			from[g]--
			offs[from[g]] = hits[i].start
		}
	}
	for g := range n {
		if from[g+1]-from[g] > 1 {
			slices.Sort(offs[from[g]:from[g+1]])
		}
	}
	*t = scanned{s: s, n: n, from: from, offs: offs, flags: flags}
	return buf
}

// has reports whether a literal of p (which t's pass looked for) occurs in
// t.
func (t *scanned) has(p *phrases) bool { return t.from[p.id+1] > t.from[p.id] }

// offsetsIn returns the sorted offsets in t where p's literals occur (an
// offset where two of them start comes twice: trying it twice changes
// nothing).
func (p *phrases) offsetsIn(t *scanned) []int32 { return t.offs[t.from[p.id]:t.from[p.id+1]] }

// Match is MatchString on a scanned text.
func (p *phrases) Match(t *scanned) bool {
	if !p.inScan(t) {
		if p.need != nil && p.id < t.n {
			// The pass noted whether its needed literals occur.
			return t.flag(p.id) && p.matchRest(t.s)
		}
		return p.MatchString(t.s)
	}
	if !t.has(p) {
		return false
	}
	if p.anchored == nil {
		return p.re.MatchString(t.s)
	}
	return p.any(t.s, p.offsetsIn(t))
}

// Find is FindString on a scanned text.
func (p *phrases) Find(t *scanned) string {
	if loc := p.FindIndex(t); loc != nil {
		return t.s[loc[0]:loc[1]]
	}
	return ""
}

// FindIndex is FindStringIndex on a scanned text.
func (p *phrases) FindIndex(t *scanned) []int {
	if !p.inScan(t) {
		return p.FindStringIndex(t.s)
	}
	if !t.has(p) {
		return nil
	}
	if p.anchored == nil {
		return p.re.FindStringIndex(t.s)
	}
	if o, e := p.span(t.s, p.offsetsIn(t)); o >= 0 {
		return []int{o, e}
	}
	return nil
}

// Match reports whether any pattern of the set matches t.
func (set *phraseSet) Match(t *scanned) bool {
	for _, p := range set.pats {
		if p.Match(t) {
			return true
		}
	}
	return false
}
