package bot

import "regexp"

// Personal information that is removed from questions before they are
// stored on a review ticket or sent anywhere else.
var redactions = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`), "[email]"},
	// Social insurance numbers: nine digits, optionally grouped 3-3-3.
	{regexp.MustCompile(`\b\d{3}[ \-.]?\d{3}[ \-.]?\d{3}\b`), "[sin]"},
	// North American phone numbers, with or without country code.
	{regexp.MustCompile(`(?:\+?1[ \-.]?)?(?:\(\d{3}\)|\b\d{3})[ \-.]?\d{3}[ \-.]?\d{4}\b`), "[phone]"},
	{regexp.MustCompile(`\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b`), "[ip]"},
	{regexp.MustCompile(`(?i)\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b`), "[ip]"},
}

// Redact replaces e-mail addresses, phone numbers, SIN-like numbers and IP
// addresses with placeholders.
func Redact(s string) string {
	for _, r := range redactions {
		s = r.re.ReplaceAllString(s, r.with)
	}
	return s
}
