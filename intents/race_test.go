//go:build race

package intents

// raceDetector is true under the race detector, which makes the slowest
// comparisons run on a sample: there they are about concurrency, which
// the sample shows as well.
const raceDetector = true
