package intents

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
)

// Calibration turns the combination's raw confidence (a score built from
// the cue engine's margin and the learned model's probability) into the
// probability that the answer cites a right section: a monotone
// piecewise-linear map through points fitted by isotonic regression.
// Decisions (clarify, verdicts, abstentions) keep using the raw score; only
// the confidence reported with an answer is calibrated.
type Calibration struct {
	// Raw and P are the map's points, Raw increasing, P non-decreasing.
	Raw []float64 `json:"raw"`
	P   []float64 `json:"p"`
	// N is how many answers the fit saw; Source says which.
	N      int    `json:"n"`
	Source string `json:"source"`
}

// calibrationJSON is written by cmd/commsbot's TestCalibrationTrace with
// -update-calibration: fitted on the 5-fold cross-validation of the tuning
// part of the question sets, never on frozen or held-out questions.
//
//go:embed calibration.json
var calibrationJSON []byte

var calibration = func() Calibration {
	var c Calibration
	if err := json.Unmarshal(calibrationJSON, &c); err != nil {
		panic(fmt.Sprintf("intents: calibration.json: %v", err)) // embedded: caught by every test
	}
	if err := c.Check(); err != nil {
		panic(fmt.Sprintf("intents: calibration.json: %v", err))
	}
	return c
}()

// Check reports whether the map is usable: points in order, probabilities
// in [0, 1] and non-decreasing.
func (c Calibration) Check() error {
	if len(c.Raw) == 0 || len(c.Raw) != len(c.P) {
		return fmt.Errorf("%d raw points and %d probabilities", len(c.Raw), len(c.P))
	}
	for i := range c.Raw {
		if c.P[i] < 0 || c.P[i] > 1 || i > 0 && (c.Raw[i] <= c.Raw[i-1] || c.P[i] < c.P[i-1]) {
			return fmt.Errorf("point %d (%v, %v) out of order or range", i, c.Raw[i], c.P[i])
		}
	}
	return nil
}

// Apply maps a raw confidence to a probability, interpolating between the
// points and holding the end values beyond them.
func (c Calibration) Apply(raw float64) float64 {
	n := len(c.Raw)
	i := sort.SearchFloat64s(c.Raw, raw)
	switch {
	case i == 0:
		return c.P[0]
	case i == n:
		return c.P[n-1]
	}
	x0, x1, y0, y1 := c.Raw[i-1], c.Raw[i], c.P[i-1], c.P[i]
	return y0 + (y1-y0)*(raw-x0)/(x1-x0)
}
