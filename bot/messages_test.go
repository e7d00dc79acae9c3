package bot

import "testing"

// TestReviewReasons: every review category has its own reason in both
// languages, and only an unknown one falls back to "the user asked".
func TestReviewReasons(t *testing.T) {
	seen := map[MsgID]string{}
	for _, c := range []string{CategoryUnreviewedPlatform, CategoryOtherUse, CategorySecondaryUse, CategoryOtherPI, CategoryBreach, CategorySituation, CategoryRequested} {
		id := reviewReason(c)
		if other, dup := seen[id]; dup {
			t.Errorf("%s and %s share a reason", c, other)
		}
		seen[id] = c
		if Text(English, id) == "" || Text(French, id) == "" || Text(English, id) == Text(French, id) {
			t.Errorf("%s: reason missing in a language", c)
		}
	}
	if reviewReason("no-such-category") != MsgReasonRequested {
		t.Error("an unknown category does not fall back to the requested reason")
	}
}
