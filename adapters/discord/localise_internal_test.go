package discord

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/commsbot/commsbot/bot"
)

// nameRe is Discord's rule for the names of CHAT_INPUT commands and
// options, localised ones included; they must also be lower case.
var nameRe = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

func checkName(t *testing.T, where, name string) {
	t.Helper()
	if !nameRe.MatchString(name) || strings.ToLower(name) != name {
		t.Errorf("%s: name %q is not 1–32 lower-case letters, digits, - or _", where, name)
	}
}

// TestCommandNamesLocalised walks the command, its sub-commands, their
// options and the options' choices: each has a French name that Discord
// would accept, and names are unique among their siblings in both
// languages.
func TestCommandNamesLocalised(t *testing.T) {
	// level checks one level of siblings: canonical and French names.
	level := func(where string, names, french []string) {
		t.Helper()
		for _, lang := range []struct {
			name  string
			names []string
		}{{"English", names}, {"French", french}} {
			seen := map[string]bool{}
			for _, n := range lang.names {
				if seen[n] {
					t.Errorf("%s: %s name %q used twice", where, lang.name, n)
				}
				seen[n] = true
			}
		}
	}
	var walk func(path string, opts []*discordgo.ApplicationCommandOption)
	walk = func(path string, opts []*discordgo.ApplicationCommandOption) {
		var names, french []string
		for _, o := range opts {
			where := path + " " + o.Name
			checkName(t, where, o.Name)
			names = append(names, o.Name)
			if fr, ok := o.NameLocalizations[discordgo.French]; ok {
				checkName(t, where+" (French)", fr)
				french = append(french, fr)
			} else {
				t.Errorf("%s: no French name", where)
			}

			var choices, frChoices []string
			for _, c := range o.Choices {
				choice := []string{c.Name}
				choices = append(choices, c.Name)
				if fr, ok := c.NameLocalizations[discordgo.French]; ok {
					choice = append(choice, fr)
					frChoices = append(frChoices, fr)
				} else {
					t.Errorf("%s: choice %q has no French name", where, c.Name)
				}
				for _, n := range choice {
					if l := utf16Len(n); l < 1 || l > 100 || !utf8.ValidString(n) {
						t.Errorf("%s: choice name %q has %d characters, want 1–100", where, n, l)
					}
				}
			}
			level(where+" choices", choices, frChoices)
			walk(where, o.Options)
		}
		level(path, names, french)
	}
	cmds := Commands()
	var names, french []string
	for _, c := range cmds {
		checkName(t, "/"+c.Name, c.Name)
		names = append(names, c.Name)
		if fr, ok := frCommandName(c); ok {
			checkName(t, "/"+c.Name+" (French)", fr)
			french = append(french, fr)
		} else {
			t.Errorf("/%s: no French name", c.Name)
		}
		walk("/"+c.Name, c.Options)
	}
	level("commands", names, french)

	// The adapter's texts name the command as each language shows it.
	if got, want := text(bot.English, msgUnsupported), "/"+CommandName+" ask"; !strings.Contains(got, want) {
		t.Errorf("English text %q does not mention %q", got, want)
	}
	frCmd, _ := frCommandName(cmds[0])
	var frAsk string
	for _, o := range cmds[0].Options {
		if o.Name == "ask" {
			frAsk = o.NameLocalizations[discordgo.French]
		}
	}
	if got, want := text(bot.French, msgUnsupported), "/"+frCmd+" "+frAsk; frCmd == "" || frAsk == "" || !strings.Contains(got, want) {
		t.Errorf("French text %q does not mention %q", got, want)
	}
}

func frCommandName(c *discordgo.ApplicationCommand) (string, bool) {
	if c.NameLocalizations == nil {
		return "", false
	}
	fr, ok := (*c.NameLocalizations)[discordgo.French]
	return fr, ok
}

// botCategories are the review categories the bot package defines: its
// constants named Category…, read from its source so that a new one is
// checked too.
func botCategories(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "bot", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for k, id := range vs.Names {
					if !strings.HasPrefix(id.Name, "Category") || k >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[k].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("bot.%s is not a string literal", id.Name)
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out[id.Name] = v
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no Category constants found in the bot package")
	}
	return out
}

// TestCategoryLabels: every review category the bot knows has a label in
// both languages; an unknown one is shown as it is.
func TestCategoryLabels(t *testing.T) {
	for name, slug := range botCategories(t) {
		label := categoryLabel(slug)
		en, fr, ok := strings.Cut(label, " · ")
		if label == slug || !ok || en == "" || fr == "" || en == fr {
			t.Errorf("bot.%s (%q): label %q, want English · French", name, slug, label)
		}
		if got := categoryLabelIn(bot.English, slug); got != en {
			t.Errorf("bot.%s in English: %q, want %q", name, got, en)
		}
		if got := categoryLabelIn(bot.French, slug); got != fr {
			t.Errorf("bot.%s in French: %q, want %q", name, got, fr)
		}
	}
	for _, lang := range []bot.Lang{"", bot.English, bot.French} {
		if got := categoryLabelIn(lang, "something-new"); got != "something-new" {
			t.Errorf("unknown category in %q: %q", lang, got)
		}
	}
	if got := categoryLabel("something-new"); got != "something-new" {
		t.Errorf("unknown category: %q", got)
	}
}

// TestTicketEmbedsShowCategoryLabel: the ticket's message and the list of
// waiting tickets name the category, not its slug.
func TestTicketEmbedsShowCategoryLabel(t *testing.T) {
	tk := bot.Ticket{ID: "R-7KQ2M9XD", Category: bot.CategoryBreach, Lang: bot.French, Status: bot.StatusOpen,
		Requester: bot.Person{ID: "discord:300000000000000005"}}
	e, _ := ticketView(tk)
	var shown string
	for _, f := range e.Fields {
		if strings.HasPrefix(f.Name, "Category") {
			shown = f.Value
		}
	}
	if shown != "privacy breach · atteinte à la vie privée" {
		t.Errorf("ticket message shows the category as %q", shown)
	}
	for lang, want := range map[bot.Lang]string{bot.English: "privacy breach", bot.French: "atteinte à la vie privée"} {
		l := ticketListEmbed([]bot.Ticket{tk}, lang)
		if name := l.Fields[0].Name; !strings.HasSuffix(name, " · "+want) {
			t.Errorf("ticket list in %s names the ticket %q, want the category %q", lang, name, want)
		}
	}
}
