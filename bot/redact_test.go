package bot

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRedact checks each kind of personal information, in English and
// French, and that ordinary questions pass untouched.
func TestRedact(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		kinds    []string
	}{
		{"my name is Jane Tremblay and I cc'd the list", "my name is [name] and I cc'd the list", []string{"name"}},
		{"I'm Marie Roy from comms", "I'm [name] from comms", []string{"name"}},
		{"Je m'appelle Jean-Pierre O'Neil, j'ai une question", "Je m'appelle [name], j'ai une question", []string{"name"}},
		{"moi c'est Luc Gagnon", "moi c'est [name]", []string{"name"}},
		{"Mme Roy a reçu la lettre de M. Tremblay", "[name] a reçu la lettre de [name]", []string{"name"}},
		{"Dr. Singh saw the file", "[name] saw the file", []string{"name"}},
		{"her health card number is 1234-567-890-AB", "her [health-card]", []string{"health-card"}},
		{"sa carte d'assurance maladie: TREM 8012 1234", "sa [health-card]", []string{"health-card"}},
		{"a card 1234 567 890 XY was in the box", "a card [health-card] was in the box", []string{"health-card"}},
		{"driver's licence T1234-56789-01234 on the form", "[driver-licence] on the form", []string{"driver-licence"}},
		{"numéro de permis de conduire T1234-56789-01234", "numéro de [driver-licence]", []string{"driver-licence"}},
		{"passport number AB123456", "[passport]", []string{"passport"}},
		{"le passeport GA987654 a été perdu", "le [passport] a été perdu", []string{"passport"}},
		{"she lives at 123 Main Street, Ottawa ON K1A 0B1", "she lives at [address], Ottawa ON [postal-code]", []string{"address", "postal-code"}},
		{"au 45, rue Sainte-Catherine Ouest, Montréal H2X 1Z4", "au [address], Montréal [postal-code]", []string{"address", "postal-code"}},
		{"SIN 123-456-789, call 613-555-0199, mail a@b.ca", "SIN [sin], call [phone], mail [email]", []string{"email", "sin", "phone"}},
		// Untouched.
		{"this is Threads, c'est Mastodon", "this is Threads, c'est Mastodon", nil},
		{"I'm not sure we can use Threads", "I'm not sure we can use Threads", nil},
		{"Can we use TikTok for 2 years?", "Can we use TikTok for 2 years?", nil},
		{"Is section A.10 about 3 PIBs?", "Is section A.10 about 3 PIBs?", nil},
		{"We have 300 followers on LinkedIn", "We have 300 followers on LinkedIn", nil},
	} {
		got, kinds := RedactKinds(tc.in)
		if got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
		slices.Sort(kinds)
		want := slices.Clone(tc.kinds)
		slices.Sort(want)
		if !slices.Equal(kinds, want) {
			t.Errorf("RedactKinds(%q) kinds = %v, want %v", tc.in, kinds, want)
		}
		if again := Redact(got); again != got {
			t.Errorf("Redact is not idempotent on %q: %q", got, again)
		}
		if strings.Contains(got, "Tremblay") {
			t.Errorf("%q still holds a name", got)
		}
	}
}

// TestRedactPrechecksChangeNothing compares Redact with the expressions
// run unconditionally, on every question of the project's question sets
// and on texts made to defeat the pre-checks.
func TestRedactPrechecksChangeNothing(t *testing.T) {
	texts := []string{
		"IM Marie Roy", "my name iſ Jane Doe", "MY NAME IS JANE", "i am\tPaul Martin", "im\nJoe", "Je M'APPELLE Luc",
		"MOI C'EST Ana", "Mon Nom Est Zoé Roy", "Dr Who", "Pr. Lee", "Maître Roy", "M. Roy", "Ms\tKay", "x@y.ca", "a@b",
		"2001:db8::1 and 10:30:45", "١٢٣٤٥٦٧٨٩", "K1A 0B1", "",
	}
	for _, f := range mustGlob(t, "../testdata/*.jsonl") {
		texts = append(texts, readQuestions(t, f)...)
	}
	if len(texts) < 1000 {
		t.Fatalf("only %d texts: the question sets were not found", len(texts))
	}
	for _, s := range texts {
		got, gk := RedactKinds(s)
		want, wk := redactKinds(s, false)
		if got != want || !slices.Equal(gk, wk) {
			t.Errorf("Redact(%q) = %q %v, unfiltered %q %v", s, got, gk, want, wk)
		}
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	fs, err := filepath.Glob(pattern)
	if err != nil || len(fs) == 0 {
		t.Fatalf("%s: %v (%d files)", pattern, err, len(fs))
	}
	return fs
}

// readQuestions returns the "q" of every line of a question set.
func readQuestions(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for line := range strings.Lines(string(b)) {
		var q struct{ Q string }
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, q.Q)
	}
	return out
}
