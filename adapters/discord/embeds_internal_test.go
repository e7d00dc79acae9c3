package discord

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/commsbot/commsbot/bot"
)

// utf16Len is how Discord counts characters.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// checkLimits fails the test for every Discord limit e breaks.
func checkLimits(t *testing.T, e *discordgo.MessageEmbed) {
	t.Helper()
	if n := utf16Len(e.Title); n > 256 {
		t.Errorf("title: %d characters", n)
	}
	if n := utf16Len(e.Description); n > 4096 {
		t.Errorf("description: %d characters", n)
	}
	if len(e.Fields) > 25 {
		t.Errorf("%d fields", len(e.Fields))
	}
	total := utf16Len(e.Title) + utf16Len(e.Description)
	for i, f := range e.Fields {
		if n := utf16Len(f.Name); n > 256 || n == 0 {
			t.Errorf("field %d name: %d characters", i, n)
		}
		if n := utf16Len(f.Value); n > 1024 || n == 0 {
			t.Errorf("field %d value: %d characters", i, n)
		}
		if !utf8.ValidString(f.Value) || !utf8.ValidString(f.Name) {
			t.Errorf("field %d: invalid UTF-8", i)
		}
		total += utf16Len(f.Name) + utf16Len(f.Value)
	}
	if e.Footer != nil {
		if n := utf16Len(e.Footer.Text); n > 2048 {
			t.Errorf("footer: %d characters", n)
		}
		total += utf16Len(e.Footer.Text)
	}
	if total > 6000 {
		t.Errorf("embed total: %d characters", total)
	}
	if !utf8.ValidString(e.Description) {
		t.Error("description: invalid UTF-8")
	}
}

func checkComponents(t *testing.T, rows []discordgo.MessageComponent) {
	t.Helper()
	if len(rows) > 5 {
		t.Errorf("%d action rows", len(rows))
	}
	for _, r := range rows {
		row := r.(discordgo.ActionsRow)
		if len(row.Components) > 5 {
			t.Errorf("%d buttons in a row", len(row.Components))
		}
		for _, c := range row.Components {
			b := c.(discordgo.Button)
			if utf16Len(b.Label) > 80 || len(b.CustomID) > 100 || !utf8.ValidString(b.CustomID) {
				t.Errorf("button %q / %q over the limits", b.Label, b.CustomID)
			}
		}
	}
}

func TestAnswerEmbedWithinLimits(t *testing.T) {
	// Long quotes with characters outside the BMP (two UTF-16 units each).
	long := strings.Repeat("Personal information 𝒫 may be used for outreach ", 120) // ~6000 characters
	var cites []bot.Citation
	for i := range 30 {
		cites = append(cites, bot.Citation{Doc: "pin-2021-01", Section: "A.9", Lang: bot.English,
			Title: "Privacy Implementation Notice 2021-01" + strings.Repeat(" long title", i*3), Label: "Annex A, Q9", Quote: long})
	}
	r := bot.Reply{Lang: bot.English, Intent: "pin.platform", Entry: "x", Answer: strings.Repeat("An answer 🙂 that goes on. ", 400),
		NeedsReview: true, ReviewReason: strings.Repeat("reason ", 300), Ticket: "R-7KQ2M9XD", Citations: cites}
	e := answerEmbed(r)
	checkLimits(t, e)
	// The review notice and the first citation survive, the quote keeps
	// its closing mark, and a cut is marked.
	if len(e.Fields) < 2 || !strings.Contains(e.Fields[0].Value, "R-7KQ2M9XD") {
		t.Fatalf("review notice with the ticket lost: %d fields", len(e.Fields))
	}
	q := e.Fields[1]
	if !strings.HasPrefix(q.Name, "📄 Privacy Implementation Notice 2021-01, Annex A, Q9") {
		t.Errorf("first citation: %q", q.Name)
	}
	if !strings.HasPrefix(q.Value, "“") || !strings.HasSuffix(q.Value, "…”") {
		t.Errorf("long quote not cut inside its quotation marks: …%q", q.Value[max(0, len(q.Value)-40):])
	}
	if !strings.HasSuffix(e.Description, "…") && utf16Len(r.Answer) > 4096 {
		t.Error("cut description not marked")
	}
	checkComponents(t, answerComponents(r, strings.Repeat("9", 200)))
}

func TestAnswerEmbedShortIsUntouched(t *testing.T) {
	r := bot.Reply{Lang: bot.French, Intent: "pin.consent", Entry: "consent-mailing-list", Answer: "Oui — il faut le consentement.",
		Citations: []bot.Citation{{Title: "Privacy Implementation Notice 2021-01", Label: "Annex A, Q8", Lang: bot.English, Quote: "provided the individual has given their consent."}}}
	e := answerEmbed(r)
	if e.Description != r.Answer || len(e.Fields) != 1 {
		t.Fatalf("embed %+v", e)
	}
	// A quote in the other language says so.
	if got, want := e.Fields[0].Value, "“provided the individual has given their consent.” [en]"; got != want {
		t.Errorf("quote %q, want %q", got, want)
	}
}

func TestTicketViewWithinLimits(t *testing.T) {
	long := strings.Repeat("question text 𝒬 ", 1000)
	tk := bot.Ticket{ID: "R-7KQ2M9XD", Category: "unreviewed-platform", Lang: bot.English, Status: bot.StatusClaimed,
		Requester: bot.Person{ID: "discord:300000000000000005"}, Claimant: "discord:300000000000000003",
		Origin:   bot.Origin{Platform: Platform, Workspace: "1", Channel: "2", Permalink: "https://discord.com/channels/1/2"},
		Question: long, Answer: long, Resolution: long}
	for range 40 {
		tk.Citations = append(tk.Citations, bot.Citation{Title: "Privacy Implementation Notice 2021-01", Label: "Annex A, Q9"})
	}
	e, rows := ticketView(tk)
	checkLimits(t, e)
	checkComponents(t, rows)
	if id, st, ok := parseTicketFooter(e.Footer.Text); !ok || id != tk.ID || st != bot.StatusClaimed {
		t.Errorf("footer %q does not read back", e.Footer.Text)
	}
	var list []bot.Ticket
	for range 40 {
		list = append(list, tk)
	}
	checkLimits(t, ticketListEmbed(list, bot.French))
	tk.Lang = bot.French
	checkLimits(t, resolvedEmbed(tk))
}

func TestTruncate(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"one two three four five", 12, "one two thr…"}, // no space in the last fifth
		{"aaaaaaaaaaaa bbbbbbbbbb", 16, "aaaaaaaaaaaa…"},
		{"𝒫𝒫𝒫𝒫𝒫", 5, "𝒫𝒫…"}, // two UTF-16 units each
		{"abcdefghij", 5, "abcd…"},
		{"abc", 0, ""},
	}
	for _, c := range cases {
		got := truncate(c.in, c.n)
		if got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
		if utf16Len(got) > max(c.n, 0) {
			t.Errorf("truncate(%q, %d) is %d long", c.in, c.n, utf16Len(got))
		}
	}
}

// TestCommandsWithinLimits checks what Discord would refuse at
// registration: names of 1–32 lower-case letters, digits, - or _, and
// descriptions of 1–100 characters, in both languages.
func TestCommandsWithinLimits(t *testing.T) {
	var check func(name, desc string, loc *map[discordgo.Locale]string, opts []*discordgo.ApplicationCommandOption)
	check = func(name, desc string, loc *map[discordgo.Locale]string, opts []*discordgo.ApplicationCommandOption) {
		if name == "" || len(name) > 32 || strings.ToLower(name) != name || strings.ContainsAny(name, " .:") {
			t.Errorf("command or option name %q", name)
		}
		descs := []string{desc}
		if loc != nil {
			descs = append(descs, (*loc)[discordgo.French])
		}
		for _, d := range descs {
			if n := utf16Len(d); n == 0 || n > 100 {
				t.Errorf("%s: description %q has %d characters", name, d, n)
			}
		}
		if len(opts) > 25 {
			t.Errorf("%s: %d options", name, len(opts))
		}
		for _, o := range opts {
			l := o.DescriptionLocalizations
			check(o.Name, o.Description, &l, o.Options)
			for _, c := range o.Choices {
				if utf16Len(c.Name) > 100 {
					t.Errorf("choice %q", c.Name)
				}
			}
		}
	}
	for _, c := range Commands() {
		check(c.Name, c.Description, c.DescriptionLocalizations, c.Options)
	}
	m := resolveModal("R-7KQ2M9XD")
	if utf16Len(m.Data.Title) > 45 {
		t.Errorf("modal title %q", m.Data.Title)
	}
	in := m.Data.Components[0].(discordgo.ActionsRow).Components[0].(discordgo.TextInput)
	if utf16Len(in.Label) > 45 || utf16Len(in.Placeholder) > 100 || in.MaxLength > 4000 {
		t.Errorf("modal input %+v", in)
	}
}
