package intents

import (
	"math"
	"testing"
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
	c := FitCalibration(raw, right, 50, "test")
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
	if err := (Calibration{Raw: []float64{0.5, 0.4}, P: []float64{0.5, 0.6}}).Check(); err == nil {
		t.Error("a map with points out of order passed its check")
	}
	if err := StoredCalibration().Check(); err != nil {
		t.Errorf("stored calibration: %v", err)
	}
}
