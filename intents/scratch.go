package intents

import "sync"

// scratch is the working memory of one message's analysis: its tokens, the
// scan of its folded text, the intents' scores and the learned model's
// candidates. Understand takes one from a pool and gives it back when the
// message is answered, so that these, each made anew for every message
// before, are made once per goroutine that needs one at a time. Nothing an
// Understanding holds points into it (its strings are never in it: the
// tokens' and the scores' strings are the message's, the lexicon's or the
// cue file's, which no one changes).
type scratch struct {
	toks   []token
	folded scanned
	offs   []int32 // folded's storage
	scores []Scored
	srcs   []string // the scores' Cues' storage
	cands  []Candidate
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// newScratch returns a scratch from the pool.
func newScratch() *scratch { return scratchPool.Get().(*scratch) }

// maxPooledTokens bounds the tokens a pooled scratch keeps room for: an
// outsized message's buffers are left to the collector.
const maxPooledTokens = 512

// release gives sc back to the pool: the analysis it served, and what was
// taken from it (tokens, scores, candidates), must not be used after. nil
// is ignored.
func (c *Classifier) release(sc *scratch) {
	if sc == nil {
		return
	}
	if c.Trace != nil {
		sc.cands = nil // Trace was given them and may keep them
	}
	if cap(sc.toks) > maxPooledTokens {
		sc.toks, sc.offs = nil, nil
	}
	// The tokens keep strings of the message alive until the scratch
	// serves another: a bounded cost, unlike clearing them each time.
	sc.folded = scanned{}
	scratchPool.Put(sc)
}

// scan is the package's scan, with sc's storage; the result is sc's own.
// A nil sc makes a new one.
func (sc *scratch) scan(s string) *scanned {
	if sc == nil {
		return scan(s)
	}
	sc.offs = sc.folded.fill(s, sc.offs)
	return &sc.folded
}

// scored returns n zero scores in sc's storage, and room for cues more
// cues' names; a nil sc makes new ones.
func (sc *scratch) scored(n, cues int) ([]Scored, []string) {
	var out []Scored
	var srcs []string
	if sc != nil && cap(sc.scores) >= n {
		out = sc.scores[:n]
		clear(out)
	} else {
		out = make([]Scored, n)
	}
	if cues > 0 {
		if sc != nil && cap(sc.srcs) >= cues {
			srcs = sc.srcs[:cues]
		} else {
			srcs = make([]string, cues)
		}
	}
	if sc != nil {
		sc.scores = out
		if cap(srcs) > cap(sc.srcs) {
			sc.srcs = srcs
		}
	}
	return out, srcs
}

// tokens is Classifier.tokens in sc's storage.
func (sc *scratch) tokenBuf(n int) []token {
	if sc != nil && cap(sc.toks) >= n {
		return sc.toks[:0]
	}
	return make([]token, 0, n)
}

// predict is the learned model's prediction for a's tokens, in a's
// scratch.
func (c *Classifier) predict(a analysis) []Candidate {
	if a.sc == nil {
		return c.nb.predict(a.toks)
	}
	a.sc.cands = c.nb.predictInto(a.toks, a.sc.cands)
	return a.sc.cands
}
