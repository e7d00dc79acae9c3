package knowledge

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/commsbot/commsbot/bot"
)

// TestAnswerAsBefore: Answer, which copies citations rendered when the
// knowledge base is loaded, gives every entry in every language the answer
// the version that rendered them on each call gave (referenceAnswer), and
// the caller's copy is its own.
func TestAnswerAsBefore(t *testing.T) {
	kb, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, id := range kb.Entries() {
		for _, lang := range []bot.Lang{bot.English, bot.French, "de"} {
			for _, vars := range []map[string]string{nil, {"platform": "TikTok"}} {
				got, err := kb.Answer(id, lang, vars)
				if err != nil {
					t.Fatal(err)
				}
				want := referenceAnswer(kb, id, lang, vars)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s %s:\n got %+v\nwant %+v", id, lang, got, want)
				}
				if len(got.Citations) > 0 {
					n++
					got.Citations[0].Label = "changed"
					if again, _ := kb.Answer(id, lang, vars); again.Citations[0].Label == "changed" {
						t.Fatalf("%s %s: the citations returned are the knowledge base's own", id, lang)
					}
				}
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d answers with citations: the comparison proves little", n)
	}
}

// referenceAnswer is Answer as it was before the citations were rendered
// at load time.
func referenceAnswer(kb *KB, id string, lang bot.Lang, vars map[string]string) bot.Answer {
	e := kb.entries[id]
	text := e.Answer[lang]
	for k, v := range vars {
		text = strings.ReplaceAll(text, "{"+k+"}", v)
	}
	if strings.Contains(text, "{") {
		text = fillDefaults(text, lang)
	}
	d := docs[e.Doc]
	var note string
	if lang == bot.French && d.EnglishOnly {
		note = "(Source disponible en anglais seulement.)"
		text += " " + note
	}
	a := bot.Answer{Entry: e.ID, Text: text, Review: e.Review, Category: e.Category,
		Terms: slices.Clone(e.Terms[lang]), Note: note, Label: e.Label[lang]}
	for _, c := range e.Cites {
		ql := lang
		if _, ok := c.Quotes[ql]; !ok {
			ql = bot.English
		}
		a.Citations = append(a.Citations, bot.Citation{
			Doc: c.Doc, Section: c.Section, Lang: ql,
			Title: docs[c.Doc].Titles[lang],
			Label: Label(c.Doc, c.Section, lang, kb),
			Quote: c.Quotes[ql],
		})
	}
	return a
}
