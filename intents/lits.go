package intents

import (
	"fmt"
	"unsafe"

	"github.com/coregx/ahocorasick"
)

// litSet finds which of many literal strings occur in a text in one pass
// (an Aho–Corasick automaton), instead of one strings.Contains per
// literal. Literals may be grouped: each gets the number of its group.
type litSet struct {
	ac    *ahocorasick.Automaton
	group []int // pattern id → group
}

// newLitSet compiles groups of literals; a literal's group is the index of
// its list. It panics on an empty set: the lists are the package's own.
func newLitSet(groups ...[]string) *litSet {
	s := &litSet{}
	var pats []string
	for g, lits := range groups {
		for _, l := range lits {
			pats = append(pats, l)
			s.group = append(s.group, g)
		}
	}
	ac, err := ahocorasick.NewBuilder().AddStrings(pats).Build()
	if err != nil {
		panic(fmt.Sprintf("intents: literal set: %v", err))
	}
	s.ac = ac
	return s
}

// bytesOf is s's bytes without a copy; the automaton only reads them.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// any reports whether any literal occurs in s.
func (s *litSet) any(text string) bool {
	return len(text) > 0 && s.ac.IsMatch(bytesOf(text))
}

// groups marks in seen (one entry per group) the groups of which a literal
// occurs in text.
func (s *litSet) groups(text string, seen []bool) {
	if len(text) == 0 {
		return
	}
	for _, m := range s.ac.FindAllOverlapping(bytesOf(text)) {
		seen[s.group[m.PatternID]] = true
	}
}
