package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/auth"
)

// Cookie and form names.
const (
	// cookieSession holds the user's API token: the session is that token,
	// so it ends when the API refuses it (deactivation, role change,
	// password reset, expiry).
	cookieSession = "q2c_session"
	// cookieSID is a random value the CSRF token is derived from; it
	// survives token refreshes, so an open form stays valid.
	cookieSID = "q2c_sid"
	// fieldCSRF is the hidden form field (and htmx header) with the token.
	fieldCSRF  = "csrf"
	headerCSRF = "X-CSRF-Token"
	// fieldKey is the hidden field with the form's Idempotency-Key: a form
	// submitted twice is one change.
	fieldKey = "idempotency_key"
)

// maxFormBytes bounds a form post, like the API's body limit.
const maxFormBytes = 1 << 20

// refreshWithin is how close to expiry a session's token is renewed on use:
// a session lasts while it is used and ends a token lifetime after the last
// page.
const refreshWithin = 10 * time.Minute

// visit is one signed-in request to a page.
type visit struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	page  Page
	me    auth.Principal
	token string
	csrf  string
}

// serve authenticates, authorises and checks CSRF before a page's handler.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, p Page) {
	token := cookieValue(r, cookieSession)
	if token == "" {
		s.toLogin(w, r)
		return
	}
	v := &visit{s: s, w: w, r: r, page: p, token: token}
	if err := v.call(http.MethodGet, "/api/v1/me", nil, &v.me); err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
			s.clearSession(w)
			s.toLogin(w, r)
			return
		}
		s.errorPage(w, r, nil, http.StatusServiceUnavailable, "q2c is not answering", "Try again in a moment.")
		return
	}
	sid := cookieValue(r, cookieSID)
	v.csrf = s.csrfToken(sid)
	if !p.allows(v.me.Roles) {
		s.errorPage(w, r, v, http.StatusForbidden, "Not for your role", "Your role does not include this page. Ask an IT admin if you need it.")
		return
	}
	if r.Method != http.MethodGet {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		_ = r.ParseForm() // handlers read r.PostForm directly
	}
	if r.Method != http.MethodGet && !s.csrfOK(r, sid) {
		s.errorPage(w, r, v, http.StatusForbidden, "This form has expired", "The form was missing its security token. Reload the page and try again.")
		return
	}
	v.refresh()
	// Links on the page lead only where this person may go (link in
	// components.templ): a rep sees an invoice's number, not a link to a
	// page that would say "Not for your role".
	me := v.me
	v.r = r.WithContext(context.WithValue(r.Context(), linkCheck{}, func(href string) bool { return s.mayOpen(me, href) }))
	if err := p.Handle(v); err != nil {
		v.fail(err)
	}
}

// refresh renews the session's token when it is close to expiry.
func (v *visit) refresh() {
	exp, ok := tokenExpiry(v.token)
	if !ok || time.Until(exp) > refreshWithin {
		return
	}
	var out struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := v.call(http.MethodPost, "/api/v1/auth/refresh", struct{}{}, &out); err != nil {
		return // the old token still works until it expires
	}
	v.token = out.Token
	v.s.setSession(v.w, out.Token)
}

func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	next := "/"
	if r.Method == http.MethodGet {
		next = r.URL.RequestURI()
	}
	target := "/login?next=" + url.QueryEscape(next)
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", target) // a partial must not land inside the page
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (s *Server) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode}
}

func (s *Server) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, s.cookie(cookieSession, token, 0))
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, s.cookie(cookieSession, "", -1))
}

// ensureSID returns the browser's CSRF seed, setting a new one if absent.
func (s *Server) ensureSID(w http.ResponseWriter, r *http.Request) string {
	if sid := cookieValue(r, cookieSID); sid != "" {
		return sid
	}
	sid := randomToken()
	http.SetCookie(w, s.cookie(cookieSID, sid, 0))
	return sid
}

// csrfToken binds a form to the browser's SID: a page on another site can
// neither read the SID nor compute the token.
func (s *Server) csrfToken(sid string) string {
	if sid == "" {
		return ""
	}
	m := hmac.New(sha256.New, s.SessionKey)
	m.Write([]byte("csrf:" + sid))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) csrfOK(r *http.Request, sid string) bool {
	want := s.csrfToken(sid)
	got := r.Header.Get(headerCSRF)
	if got == "" {
		got = r.PostFormValue(fieldCSRF)
	}
	return want != "" && hmac.Equal([]byte(got), []byte(want))
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenExpiry reads a JWT's exp without verifying it: the API verifies the
// token on every call; this only decides when to renew it.
func tokenExpiry(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if err := jsonUnmarshal(body, &claims); err != nil || claims.Exp == 0 {
		return time.Time{}, false
	}
	return time.Unix(claims.Exp, 0), true
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
