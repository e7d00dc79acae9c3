package discord

import (
	"net/http"
	"net/url"
	"strings"
)

// transport is the session's HTTP transport. It sends requests for
// https://discord.com/api/... to base instead, when base is set — so the
// gateway URL that the API returns comes from there too — and counts
// failed calls. discordgo's endpoint variables are left alone: they are
// package-level, precomputed at init and shared by every session.
type transport struct {
	base    *url.URL // replaces https://discord.com/api; nil for Discord
	next    http.RoundTripper
	onError func()
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.base != nil && req.URL.Scheme == "https" && req.URL.Host == "discord.com" &&
		(req.URL.Path == "/api" || strings.HasPrefix(req.URL.Path, "/api/")) {
		r := req.Clone(req.Context())
		u := *req.URL
		u.Scheme, u.Host, u.User = t.base.Scheme, t.base.Host, t.base.User
		u.Path = strings.TrimSuffix(t.base.Path, "/") + strings.TrimPrefix(req.URL.Path, "/api")
		u.RawPath = ""
		r.URL, r.Host = &u, ""
		req = r
	}
	resp, err := t.next.RoundTrip(req)
	if t.onError != nil && (err != nil || resp.StatusCode >= 400) {
		t.onError()
	}
	return resp, err
}
