package intents

import (
	"slices"
	"testing"
)

// TestOneCuePerStem: of one intent's one-word cues sharing an English or
// a French stem, only the heaviest counts (the first of equals); phrases,
// sets and prefixes are left alone.
func TestOneCuePerStem(t *testing.T) {
	got := oneCuePerStem([]string{"contain=3", "contained=3", "containment=4", "contenir=2", "contain & notice=1.5", "contain*=1", "notice"})
	want := []string{"containment=4", "contenir=2", "contain & notice=1.5", "contain*=1", "notice"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
