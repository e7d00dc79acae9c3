//go:build !race

package intents

// raceDetector is true under the race detector (see race_test.go).
const raceDetector = false
