package intents

import (
	"strings"
	"testing"
)

// TestLitSetAgreesWithContains checks the automaton against
// strings.Contains, literal by literal, on every slot cue list and on
// texts built from the lists' own literals (overlapping, nested, at the
// ends) and from ordinary words.
func TestLitSetAgreesWithContains(t *testing.T) {
	var groups [][]string
	for _, u := range useCues {
		groups = append(groups, u.cues)
	}
	for _, k := range piCues {
		groups = append(groups, k.cues)
	}
	groups = append(groups, incidentCues)
	set := newLitSet(groups...)
	texts := []string{"", " ", " nothing to see here ", " the quick brown fox "}
	for _, g := range groups {
		for i, l := range g {
			texts = append(texts, l, l+g[(i+1)%len(g)], " a"+l+"b ", l[:len(l)/2], strings.Repeat(l, 2))
		}
	}
	for _, text := range texts {
		want := make([]bool, len(groups))
		anyWant := false
		for gi, g := range groups {
			for _, l := range g {
				if strings.Contains(text, l) {
					want[gi], anyWant = true, true
				}
			}
		}
		got := make([]bool, len(groups))
		set.groups(text, got)
		for gi := range groups {
			if got[gi] != want[gi] {
				t.Fatalf("text %q: group %d found %v, strings.Contains says %v", text, gi, got[gi], want[gi])
			}
		}
		if set.any(text) != anyWant {
			t.Fatalf("text %q: any %v, strings.Contains says %v", text, set.any(text), anyWant)
		}
	}
}
