package web

import (
	"errors"
	"net/http"
	"slices"

	"github.com/q2c-dev/q2c/models"
)

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	sid := s.ensureSID(w, r)
	s.showLogin(w, r, http.StatusOK, loginForm{Next: safeNext(r.URL.Query().Get("next")), CSRF: s.csrfToken(sid), Demo: s.Outbox})
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, f loginForm) {
	render(w, r, status, s.shell(nil, "Sign in", loginView(f)))
}

// loginSubmit signs in through the API's own login (throttling, audit and
// all) and keeps the token in an HttpOnly cookie.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	sid := cookieValue(r, cookieSID)
	f := loginForm{Email: r.PostFormValue("email"), Next: safeNext(r.PostFormValue("next")), CSRF: s.csrfToken(sid), Demo: s.Outbox}
	if !s.csrfOK(r, sid) {
		f.CSRF = s.csrfToken(s.ensureSID(w, r))
		f.Err = &apiError{Status: http.StatusForbidden, Title: "The sign-in form expired; please try again"}
		s.showLogin(w, r, http.StatusForbidden, f)
		return
	}
	var out struct {
		Token string `json:"token"`
	}
	err := s.callAPI(r, http.Header{}, http.MethodPost, "/api/v1/auth/login",
		map[string]string{"email": f.Email, "password": r.PostFormValue("password")}, &out)
	var ae *apiError
	if errors.As(err, &ae) {
		f.Err = ae
		if ae.Status == http.StatusUnauthorized {
			f.Err = &apiError{Status: ae.Status, Title: "Email or password is not right"}
		}
		s.showLogin(w, r, ae.Status, f)
		return
	}
	if err != nil {
		s.errorPage(w, r, nil, http.StatusServiceUnavailable, "q2c is not answering", "Try again in a moment.")
		return
	}
	// A fresh CSRF seed at sign-in: nothing from before carries over.
	http.SetCookie(w, s.cookie(cookieSID, randomToken(), 0))
	s.setSession(w, out.Token)
	http.Redirect(w, r, f.Next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if s.csrfOK(r, cookieValue(r, cookieSID)) {
		s.clearSession(w)
		http.SetCookie(w, s.cookie(cookieSID, "", -1))
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

type loginForm struct {
	Email, Next, CSRF string
	Err               *apiError
	Demo              bool
}

// homePage is each person's start: their sections and what waits for them.
func (s *Server) homePage(v *visit) error {
	var cards []homeCard
	for _, g := range groups(s.nav(v.me, "")) {
		cards = append(cards, homeCard{Name: g.Name, Links: g.Items})
	}
	return v.showStatus(http.StatusOK, "Hello, "+v.me.Name, homeView(cards))
}

type homeCard struct {
	Name  string
	Links []navItem
}

// profilePage shows and changes notification choices and marketing consent.
func (s *Server) profilePage(v *visit) error {
	var prefs preferencesView
	if err := v.call(http.MethodGet, "/api/v1/me/notification-preferences", nil, &prefs); err != nil {
		return err
	}
	return v.show(profileView(profile{Customer: v.me.IsCustomer(), Rows: prefs.grid(), CSRF: v.csrf, Key: randomToken(), Phone: v.phoneForm(prefs.Phone, nil), Consent: prefs.Consent}))
}

// profile is the profile page: the phone form and the choices grid.
type profile struct {
	Customer  bool
	Rows      []prefRow
	CSRF, Key string
	Phone     form
	Consent   *bool // a customer's current marketing choice
}

func (v *visit) phoneForm(phone string, err *apiError) form {
	return form{Action: "/profile/phone", Submit: "Save number", CSRF: v.csrf, Key: randomToken(), Err: err, Class: "inline", Fields: []field{
		{Name: "phone", Label: "Mobile number for text messages", Type: "tel", Value: phone, Hint: "E.164, like +14155550100. Empty to remove it.", Auto: "tel"}}}
}

func (s *Server) savePhone(v *visit) error {
	phone := v.r.PostFormValue("phone") // the API tidies spaces and dashes
	if err := v.call(http.MethodPut, "/api/v1/me/phone", map[string]any{"phone": phone}, nil); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		var prefs preferencesView
		if err := v.call(http.MethodGet, "/api/v1/me/notification-preferences", nil, &prefs); err != nil {
			return err
		}
		return v.showStatus(ae.Status, v.page.Title, profileView(profile{Customer: v.me.IsCustomer(), Rows: prefs.grid(), CSRF: v.csrf, Key: randomToken(), Phone: v.phoneForm(phone, ae)}))
	}
	return v.redirectDone("/profile", doneSaved)
}

func (s *Server) profileSave(v *visit) error {
	var prefs preferencesView
	if err := v.call(http.MethodGet, "/api/v1/me/notification-preferences", nil, &prefs); err != nil {
		return err
	}
	key := v.r.PostFormValue(fieldKey)
	for _, row := range prefs.grid() {
		for _, c := range row.Channels {
			want := v.r.PostFormValue(row.Event+"."+c.Channel) == "true"
			if want == c.Enabled {
				continue
			}
			body := map[string]any{"event": row.Event, "channel": c.Channel, "enabled": want}
			if err := v.callKeyed(http.MethodPut, "/api/v1/me/notification-preferences", key+":"+row.Event+":"+c.Channel, body, nil); err != nil {
				return err
			}
		}
	}
	if c := v.r.PostFormValue("consent"); v.me.IsCustomer() && c != "" && (prefs.Consent == nil || *prefs.Consent != (c == "yes")) {
		consent := c == "yes"
		if err := v.callKeyed(http.MethodPut, "/api/v1/me/marketing-consent", key+":consent", map[string]any{"consent": consent}, nil); err != nil {
			return err
		}
	}
	return v.redirectDone("/profile", doneSaved)
}

type preferencesView struct {
	Phone       string              `json:"phone"`
	Consent     *bool               `json:"marketing_consent"`
	Events      []string            `json:"events"`
	Defaults    map[string]bool     `json:"defaults"`
	Preferences []models.Preference `json:"preferences"`
}

type prefRow struct {
	Event    string
	Channels []prefCell
}

type prefCell struct {
	Channel string
	Enabled bool
}

var channels = []string{models.ChannelEmail, models.ChannelSMS}

// grid is every event with each channel's effective choice.
func (p preferencesView) grid() []prefRow {
	rows := make([]prefRow, 0, len(p.Events))
	for _, e := range p.Events {
		row := prefRow{Event: e}
		for _, ch := range channels {
			on := p.Defaults[ch]
			if i := slices.IndexFunc(p.Preferences, func(x models.Preference) bool { return x.Event == e && x.Channel == ch }); i >= 0 {
				on = p.Preferences[i].Enabled
			}
			row.Channels = append(row.Channels, prefCell{Channel: ch, Enabled: on})
		}
		rows = append(rows, row)
	}
	return rows
}
