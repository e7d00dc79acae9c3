package intents

// New compiles the embedded cue file into a classifier without a learned
// model: the cue engine, slots, decision logic and review detectors alone,
// for tests of those. Production builds with NewWith.
func New() (*Classifier, error) {
	c, err := newCues()
	if err != nil {
		return nil, err
	}
	c.lex = newLexicon(c, nil)
	return c, nil
}

// groups marks in seen (one entry per group) the groups of which a literal
// occurs in text.
func (s *litSet) groups(text string, seen []bool) {
	st := uint32(0)
	for i := 0; i < len(text); i++ {
		st = s.trans[st+uint32(s.class[text[i]])]
		if st&hitFlag == 0 {
			continue
		}
		st &^= hitFlag
		k := st / s.width
		for _, l := range s.ends[s.endFrom[k]:s.endFrom[k+1]] {
			seen[s.group[l]] = true
		}
	}
}
