package intents

import (
	"regexp"
	"regexp/syntax"
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
	pre  *litSet // lits, compiled
}

// maxLits bounds the prefilter; beyond it the regexp runs on its own.
const maxLits = 400

func mustPhrases(pattern string) *phrases {
	p := &phrases{re: regexp.MustCompile(pattern)}
	tree, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		panic(err) // unreachable: MustCompile accepted it
	}
	if lits, _, ok := starts(tree.Simplify()); ok {
		for _, l := range lits {
			// A bare space is in every message: no use as a filter.
			if len(l) < 2 {
				return p
			}
		}
		p.lits = lits
		p.pre = newLitSet(lits)
	}
	return p
}

// MatchString reports whether s contains a match.
func (p *phrases) MatchString(s string) bool {
	if p.pre != nil && !p.pre.any(s) {
		return false
	}
	return p.re.MatchString(s)
}

// FindString is regexp's, behind the prefilter.
func (p *phrases) FindString(s string) string {
	if p.pre != nil && !p.pre.any(s) {
		return ""
	}
	return p.re.FindString(s)
}

// FindStringIndex is regexp's, behind the prefilter.
func (p *phrases) FindStringIndex(s string) []int {
	if p.pre != nil && !p.pre.any(s) {
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

// phraseSet matches when any of its patterns does. Each pattern keeps its
// own prefilter, so a message runs only the few small regexps whose
// literals it contains, instead of one large alternation whose literals
// ("can i", "i m") are in most messages; the prefilters of all patterns
// are one automaton, run once over the message.
type phraseSet struct {
	pats []*phrases
	pre  *litSet // literals of the patterns that have some, grouped by pattern
	with []int   // pre's group → index in pats
	bare []int   // patterns without literals: always run
}

func anyPhrases(patterns []string) *phraseSet {
	set := &phraseSet{}
	var groups [][]string
	for i, src := range patterns {
		p := mustPhrases(src)
		set.pats = append(set.pats, p)
		if p.pre == nil {
			set.bare = append(set.bare, i)
			continue
		}
		groups = append(groups, p.lits)
		set.with = append(set.with, i)
	}
	if len(groups) > 0 {
		set.pre = newLitSet(groups...)
	}
	return set
}

// MatchString reports whether any pattern matches s.
func (set *phraseSet) MatchString(s string) bool {
	for _, i := range set.bare {
		if set.pats[i].re.MatchString(s) {
			return true
		}
	}
	if set.pre == nil {
		return false
	}
	fired := make([]bool, len(set.with))
	set.pre.groups(s, fired)
	for g, ok := range fired {
		if ok && set.pats[set.with[g]].re.MatchString(s) {
			return true
		}
	}
	return false
}

// FindAllStringSubmatch is regexp's, behind the prefilter.
func (p *phrases) FindAllStringSubmatch(s string, n int) [][]string {
	if p.pre != nil && !p.pre.any(s) {
		return nil
	}
	return p.re.FindAllStringSubmatch(s, n)
}
