package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
)

// shell wraps a page body in the layout: with navigation for a signed-in
// visit, bare for the login page and errors before sign-in.
func (s *Server) shell(v *visit, title string, body templ.Component, scripts ...string) templ.Component {
	l := layoutData{Title: title, Version: s.Version, Scripts: scripts}
	if v != nil {
		l.Flash = doneMessages[v.r.URL.Query().Get("done")]
	}
	if v != nil && v.me.ID != "" {
		me := v.me
		l.Me, l.CSRF, l.TemporalUI = &me, v.csrf, s.TemporalUI
		l.Nav = s.nav(v.me, v.r.URL.Path)
	}
	return layout(l, body)
}

// show renders a page body in the layout with status 200.
func (v *visit) show(body templ.Component, scripts ...string) error {
	return v.showStatus(http.StatusOK, v.page.Title, body, scripts...)
}

func (v *visit) showStatus(status int, title string, body templ.Component, scripts ...string) error {
	render(v.w, v.r, status, v.s.shell(v, title, body, scripts...))
	return nil
}

// partial renders a fragment for htmx (no layout).
func (v *visit) partial(c templ.Component) error {
	render(v.w, v.r, http.StatusOK, c)
	return nil
}

// What a page says after a change went through, by the ?done= key a
// redirect carries (a fixed message: nothing from the address is echoed).
const (
	doneSaved     = "saved"
	doneRecorded  = "recorded"
	doneSent      = "sent"
	doneAsked     = "asked"
	doneOpened    = "opened"
	doneCancelled = "cancelled"
	donePending   = "pending"
	doneStarted   = "started"
)

var doneMessages = map[string]string{
	doneSaved:     "Saved.",
	doneRecorded:  "Recorded.",
	doneSent:      "Sent again.",
	doneAsked:     "Sent: customer service will answer here and by email.",
	doneOpened:    "Ticket opened.",
	doneCancelled: "Cancelled.",
	donePending:   "Accepted: q2c is still carrying it out; this page will show it in a moment.",
	doneStarted:   "Started: q2c is working on it in the background.",
}

// redirectDone redirects and says, on the next page, that it went through.
func (v *visit) redirectDone(to, done string) error {
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	return v.redirect(to + sep + "done=" + done)
}

// redirect sends the browser on after a change (post/redirect/get), as a
// full navigation for htmx so the new page's scripts run.
func (v *visit) redirect(to string) error {
	if v.r.Header.Get("HX-Request") == "true" {
		v.w.Header().Set("HX-Location", to)
		v.w.WriteHeader(http.StatusOK)
		return nil
	}
	http.Redirect(v.w, v.r, to, http.StatusSeeOther)
	return nil
}

func csrfHeader(token string) string {
	b, _ := json.Marshal(map[string]string{headerCSRF: token})
	return string(b)
}

type navGroup struct {
	Name  string
	Items []navItem
}

func groups(items []navItem) []navGroup {
	var out []navGroup
	for _, it := range items {
		if len(out) == 0 || out[len(out)-1].Name != it.Group {
			out = append(out, navGroup{Name: it.Group})
		}
		out[len(out)-1].Items = append(out[len(out)-1].Items, it)
	}
	return out
}

func rolesText(rs models.Roles) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = roleLabel(r)
	}
	return strings.Join(names, ", ")
}

func roleLabel(r models.Role) string { return sentenceCase(r.Label()) }

func isCSS(name string) bool { return strings.HasSuffix(name, ".css") }
