package intents

import (
	_ "embed"
	"strings"
)

// knownTxt lists real English and French words (folded) one edit away from
// a cue word: "really" is not a typo of "rally", nor "contacting" of
// "contracting". It is generated from the Debian word lists wcanadian and
// wfrench by `go test ./intents -run TestKnownWords -update`, and the test
// fails when the cues change and the list is stale.
//
//go:embed known.txt
var knownTxt string

// fuzzy corrects typos of one edit (insertion, deletion, substitution or
// transposition) against a vocabulary, using the symmetric-delete method:
// a word and its misspelling share a one-deletion variant.
type fuzzy struct {
	// near holds every vocabulary word (word) and every one-deletion
	// variant of one, with the words it came from (dels): a string
	// correct builds is looked up once for both.
	near map[string]nearby
	// maxLen is the longest vocabulary word: a longer word than maxLen+1
	// cannot be one edit away, and is not searched (which would cost time
	// quadratic in its length).
	maxLen int
	// known words are never corrected.
	known map[string]bool
}

// nearby is what a string is to the vocabulary.
type nearby struct {
	word bool     // a vocabulary word
	dels []string // the vocabulary words it is a one-deletion variant of
}

// minFuzzyLen is the shortest word corrected: short words have too many
// neighbours for a correction to be trustworthy.
const minFuzzyLen = 6

func newFuzzy(vocab []string, known []string) *fuzzy {
	f := &fuzzy{near: map[string]nearby{}, known: map[string]bool{}}
	for _, w := range known {
		f.known[w] = true
	}
	for _, w := range vocab {
		e := f.near[w]
		if e.word {
			continue
		}
		e.word = true
		f.near[w] = e
		f.maxLen = max(f.maxLen, len(w))
		if len(w) < minFuzzyLen-1 {
			continue
		}
		for i := range len(w) {
			d := w[:i] + w[i+1:]
			e := f.near[d]
			e.dels = append(e.dels, w)
			f.near[d] = e
		}
	}
	return f
}

// correct returns the vocabulary word w is a one-edit typo of. Words that
// are in the vocabulary, short, or ambiguous are left alone.
func (f *fuzzy) correct(w string) (string, bool) {
	if len(w) < minFuzzyLen || len(w) > f.maxLen+1 || !ascii(w) {
		return "", false
	}
	self := f.near[w]
	if self.word || f.known[w] {
		return "", false
	}
	var found string
	consider := func(c string) bool {
		if c[0] != w[0] {
			return true // typos seldom touch the first letter; "auteur" is not "tuteur"
		}
		if found != "" && found != c {
			return false // ambiguous
		}
		found = c
		return true
	}
	// w has one extra letter: deleting it gives a vocabulary word. The
	// deletion is built in a buffer on the stack and looked up without a
	// copy (most are in neither map); only one that is a word is copied.
	var buf [64]byte
	for i := range len(w) {
		d := append(append(buf[:0], w[:i]...), w[i+1:]...)
		e := f.near[string(d)]
		if e.word && !consider(string(d)) {
			return "", false
		}
		// Substitution or transposition: both share a deletion.
		for _, c := range e.dels {
			if osa(w, c) == 1 && !consider(c) {
				return "", false
			}
		}
	}
	// w lacks one letter.
	for _, c := range self.dels {
		if !consider(c) {
			return "", false
		}
	}
	return found, found != ""
}

func ascii(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// osa is the optimal string alignment distance, capped at 2.
func osa(a, b string) int {
	if a == b {
		return 0
	}
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 {
		return 2
	}
	// Three rows, on the stack for words of up to 63 bytes.
	var rows [3][64]int
	var prev2, prev, cur []int
	if lb+1 <= len(rows[0]) {
		prev2, prev, cur = rows[0][:lb+1], rows[1][:lb+1], rows[2][:lb+1]
	} else {
		prev2, prev, cur = make([]int, lb+1), make([]int, lb+1), make([]int, lb+1)
	}
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

// knownWords is the embedded list of real words never corrected.
func knownWords() []string { return strings.Fields(knownTxt) }
