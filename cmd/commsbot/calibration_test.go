package main

import (
	"encoding/json"
	"math"
	"os"
	"sort"
	"testing"

	"github.com/commsbot/commsbot/intents"
)

// TestFitCalibration: pooled adjacent violators give a non-decreasing map
// that matches each block's share of right answers, is never certain, and
// interpolates between its points.
func TestFitCalibration(t *testing.T) {
	var raw []float64
	var right []bool
	add := func(x float64, n, ok int) {
		for i := range n {
			raw = append(raw, x)
			right = append(right, i < ok)
		}
	}
	add(0.3, 50, 40) // 0.8
	add(0.5, 50, 35) // 0.7: below the block before, pooled with it
	add(0.9, 50, 50) // 1.0: reported as 0.99
	c := fitCalibration(raw, right, 50, "test")
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	if len(c.P) != 2 || math.Abs(c.P[0]-0.75) > 1e-9 || c.P[1] != maxProbability || c.Raw[0] != 0.4 || c.Raw[1] != 0.9 {
		t.Fatalf("fit %+v, want (0.4, 0.75) and (0.9, %v)", c, maxProbability)
	}
	for _, tc := range []struct{ raw, want float64 }{{0, 0.75}, {0.4, 0.75}, {0.65, 0.87}, {0.9, 0.99}, {1, 0.99}} {
		if got := c.Apply(tc.raw); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("Apply(%v) = %v, want %v", tc.raw, got, tc.want)
		}
	}
	if err := (intents.Calibration{Raw: []float64{0.5, 0.4}, P: []float64{0.5, 0.6}}).Check(); err == nil {
		t.Error("a map with points out of order passed its check")
	}
	if err := storedCalibration(t).Check(); err != nil {
		t.Errorf("stored calibration: %v", err)
	}
}

// storedCalibration is intents/calibration.json, the map in use.
func storedCalibration(t *testing.T) intents.Calibration {
	t.Helper()
	b, err := os.ReadFile("../../intents/calibration.json")
	if err != nil {
		t.Fatal(err)
	}
	var c intents.Calibration
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// maxProbability is the highest confidence an answer is reported with.
const maxProbability = 0.99

// fitCalibration fits the map by isotonic regression (pool adjacent
// violators) on raw confidences and whether each answer was right. Blocks
// hold at least minBlock answers, so that a handful of answers cannot set
// a probability; each block becomes a point at its mean raw confidence.
func fitCalibration(raw []float64, right []bool, minBlock int, source string) intents.Calibration {
	idx := make([]int, len(raw))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return raw[idx[a]] < raw[idx[b]] })
	type block struct{ sumX, sumY, n float64 }
	var bs []block
	var cur block
	for _, i := range idx {
		cur.sumX += raw[i]
		if right[i] {
			cur.sumY++
		}
		cur.n++
		if cur.n >= float64(minBlock) {
			bs = append(bs, cur)
			cur = block{}
		}
	}
	if cur.n > 0 {
		if len(bs) > 0 {
			last := &bs[len(bs)-1]
			last.sumX, last.sumY, last.n = last.sumX+cur.sumX, last.sumY+cur.sumY, last.n+cur.n
		} else {
			bs = append(bs, cur)
		}
	}
	// Pool adjacent violators.
	var out []block
	for _, b := range bs {
		out = append(out, b)
		for len(out) > 1 && out[len(out)-2].sumY/out[len(out)-2].n >= out[len(out)-1].sumY/out[len(out)-1].n {
			a, z := out[len(out)-2], out[len(out)-1]
			out = append(out[:len(out)-2], block{a.sumX + z.sumX, a.sumY + z.sumY, a.n + z.n})
		}
	}
	c := intents.Calibration{N: len(raw), Source: source}
	for _, b := range out {
		// Never certain: a fit on a few thousand answers cannot tell
		// 0.99 from 1.
		b.sumY = min(b.sumY, maxProbability*b.n)
		x := math.Round(b.sumX/b.n*100) / 100
		if len(c.Raw) > 0 && x <= c.Raw[len(c.Raw)-1] {
			x = c.Raw[len(c.Raw)-1] + 0.001
		}
		c.Raw = append(c.Raw, math.Round(x*1000)/1000)
		c.P = append(c.P, math.Round(b.sumY/b.n*1000)/1000)
	}
	return c
}
