package bot

import (
	"net/netip"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Personal information that is removed from questions before they are
// stored on a review ticket or sent anywhere else. Order matters: IP
// addresses go before SINs, whose 3-3-3 digit groups would otherwise eat
// an address such as 192.168.100.200.
var redactions = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`), "[email]"},
	{regexp.MustCompile(`\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b`), "[ip]"},
	// Social insurance numbers: nine digits, optionally grouped 3-3-3.
	{regexp.MustCompile(`\b\d{3}[ \-.]?\d{3}[ \-.]?\d{3}\b`), "[sin]"},
	// North American phone numbers, with or without country code.
	{regexp.MustCompile(`(?:\+?1[ \-.]?)?(?:\(\d{3}\)|\b\d{3})[ \-.]?\d{3}[ \-.]?\d{4}\b`), "[phone]"},
}

// ipv6Candidate finds what may be an IPv6 address, full or compressed
// ("2001:db8::1", "::1", "::ffff:192.0.2.1"); netip decides whether it is
// one, so that times such as 10:30:45 are left alone.
var ipv6Candidate = regexp.MustCompile(`(?i)(?:[0-9a-f]{1,4}|:)(?::[0-9a-f]{0,4}){1,8}(?:\.\d{1,3}){0,3}`)

// Redact replaces e-mail addresses, phone numbers, SIN-like numbers and IP
// addresses with placeholders.
func Redact(s string) string {
	s = redactIPv6(s)
	for _, r := range redactions {
		s = r.re.ReplaceAllString(s, r.with)
	}
	return s
}

func redactIPv6(s string) string {
	if strings.Count(s, ":") < 2 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range ipv6Candidate.FindAllStringIndex(s, -1) {
		start, end := m[0], m[1]
		if start > 0 {
			if r, _ := utf8.DecodeLastRuneInString(s[:start]); isAddrRune(r) || r == '.' {
				continue // inside a longer word
			}
		}
		if end < len(s) {
			if r, _ := utf8.DecodeRuneInString(s[end:]); isAddrRune(r) {
				continue
			}
		}
		if a, err := netip.ParseAddr(s[start:end]); err != nil || !a.Is6() {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString("[ip]")
		last = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isAddrRune(r rune) bool {
	return r == ':' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
