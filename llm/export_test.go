package llm

import (
	"errors"

	"github.com/commsbot/commsbot/bot"
)

// The checks' entry points for the package's external tests.

// ReasonOf returns the reason of a *Rejection in err's chain, "" for nil and
// ReasonOther for any other error.
func ReasonOf(err error) Reason {
	if err == nil {
		return ""
	}
	var r *Rejection
	if errors.As(err, &r) {
		return r.Reason
	}
	return ReasonOther
}

// Check reports whether text is an acceptable paraphrase of req.Answer in
// req.Lang for req.Question, with platforms the platform names the bot
// knows; the error is a *Rejection. The question is redacted first, as for
// the model: what the user typed but the model never saw does not count as
// known.
func Check(text string, req bot.ParaphraseRequest, platforms []string) error {
	if req.Lang != bot.French {
		req.Lang = bot.English
	}
	return check(text, req.Answer, Redact(req.Question, platforms...), req.Lang, req.Terms, compilePlatforms(platforms))
}
