// Package waittest helps tests wait without a wall-clock bound of their own.
package waittest

import (
	"testing"
	"time"
)

// ReportBy is when a wait gives up and says what it was waiting for: a
// little before go test's own -timeout. Waits have no wall-clock bound of
// their own, so a busy machine slows a test down but never fails it.
func ReportBy(t *testing.T) time.Time {
	d, ok := t.Deadline()
	if !ok {
		return time.Now().Add(time.Hour)
	}
	return d.Add(-min(30*time.Second, time.Until(d)/2))
}
