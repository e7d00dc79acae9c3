package intents

// litSet finds which of many literal strings occur in a text in one pass
// (an Aho–Corasick automaton), instead of one strings.Contains per
// literal. Literals may be grouped: each gets the number of its group.
//
// The automaton is the package's own rather than a library's so that a
// pass appends its hits to the caller's buffer (a library's FindAll grew a
// new slice on every message, several times) and so that it can stop at
// the first hit.
type litSet struct {
	// class numbers the bytes the literals use (from 1); every other byte
	// is class 0, on which every state goes back to the start.
	class [256]uint8
	width uint32 // classes: the length of a state's row
	// trans[state+class] is the next state, premultiplied (a state's row
	// starts at its number × width), with hitFlag set when some literal
	// ends there. The failure links are folded in: every transition is
	// there, one load a byte. States are numbered breadth first, so the
	// rows of the shallow states, which most bytes of a text lead to, lie
	// together at the start of the table instead of scattered through it.
	trans []uint32
	// ends[endFrom[i]:endFrom[i+1]] are the literals that end at state i
	// (its own and those of its suffixes).
	ends    []int32
	endFrom []int32
	lens    []int32 // literal → length
	group   []int   // literal → group
}

// hitFlag marks a transition to a state where a literal ends.
const hitFlag = 1 << 31

// litHit is an occurrence of literal lit starting at byte start.
type litHit struct {
	lit, start int32
}

// newLitSet compiles groups of literals; a literal's group is the index of
// its list.
func newLitSet(groups ...[]string) *litSet {
	s := &litSet{}
	var lits []string
	for g, l := range groups {
		for _, lit := range l {
			lits = append(lits, lit)
			s.group = append(s.group, g)
			s.lens = append(s.lens, int32(len(lit)))
		}
	}
	nclass := 1
	for _, l := range lits {
		for i := range len(l) {
			if s.class[l[i]] == 0 {
				s.class[l[i]] = uint8(nclass)
				nclass++
			}
		}
	}
	width := nclass
	// The trie, in rows of width transitions (-1: none yet), and the
	// literals that end at each state.
	trans := make([]int32, width)
	for i := range trans {
		trans[i] = -1
	}
	var own [][]int32
	own = append(own, nil)
	for id, l := range lits {
		st := int32(0)
		for i := range len(l) {
			c := int32(s.class[l[i]])
			next := trans[int(st)*width+int(c)]
			if next < 0 {
				next = int32(len(own))
				trans[int(st)*width+int(c)] = next
				own = append(own, nil)
				for range width {
					trans = append(trans, -1)
				}
			}
			st = next
		}
		own[st] = append(own[st], int32(id))
	}
	// Breadth first, each state's failure link and missing transitions
	// from its failure state's (complete by then: it is shallower), and
	// its literals with its failure state's.
	n := len(own)
	fail := make([]int32, n)
	queue := make([]int32, 0, n)
	order := []int32{0} // the states breadth first
	for c := range width {
		switch v := trans[c]; {
		case v < 0:
			trans[c] = 0
		default:
			fail[v] = 0
			queue = append(queue, v)
		}
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		order = append(order, u)
		for c := range width {
			i := int(u)*width + c
			f := trans[int(fail[u])*width+c]
			if v := trans[i]; v >= 0 {
				fail[v] = f
				own[v] = append(own[v], own[f]...)
				queue = append(queue, v)
			} else {
				trans[i] = f
			}
		}
	}
	// Renumber breadth first.
	number := make([]int32, n)
	for k, st := range order {
		number[st] = int32(k)
	}
	s.width = uint32(width)
	s.trans = make([]uint32, len(trans))
	s.endFrom = make([]int32, n+1)
	for k, st := range order {
		row := trans[int(st)*width : int(st+1)*width]
		for c, v := range row {
			t := uint32(number[v]) * s.width
			if len(own[v]) > 0 {
				t |= hitFlag
			}
			s.trans[k*width+c] = t
		}
		s.ends = append(s.ends, own[st]...)
		s.endFrom[k+1] = int32(len(s.ends))
	}
	return s
}

// find appends to hits every occurrence of every literal in text,
// overlapping ones included, in the order they end.
func (s *litSet) find(text string, hits []litHit) []litHit {
	st := uint32(0)
	for i := 0; i < len(text); i++ {
		st = s.trans[st+uint32(s.class[text[i]])]
		if st&hitFlag == 0 {
			continue
		}
		st &^= hitFlag
		k := st / s.width
		for _, l := range s.ends[s.endFrom[k]:s.endFrom[k+1]] {
			hits = append(hits, litHit{lit: l, start: int32(i+1) - s.lens[l]})
		}
	}
	return hits
}

// any reports whether any literal occurs in text.
func (s *litSet) any(text string) bool {
	st := uint32(0)
	for i := 0; i < len(text); i++ {
		st = s.trans[st+uint32(s.class[text[i]])]
		if st&hitFlag != 0 {
			return true
		}
	}
	return false
}
