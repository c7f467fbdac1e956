package web

import (
	"errors"
	"net/http"
	"strings"
)

// contentSecurityPolicy allows only this origin's own files: no inline
// script, no inline style, no framing, forms post only here.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// secure sets the security headers on every answer and turns a panic into
// an error page: no stack trace ever reaches a browser.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store") // pages carry customer data
		}
		defer func() {
			if rec := recover(); rec != nil {
				if rec == http.ErrAbortHandler {
					panic(rec)
				}
				s.Logger.Error("page panicked", "path", r.URL.Path, "panic", rec)
				s.errorPage(w, r, nil, http.StatusInternalServerError, "Something went wrong", "The problem has been logged. Try again, or tell IT what you were doing.")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// fail shows an API error as the page the visitor should see.
func (v *visit) fail(err error) {
	var ae *apiError
	switch {
	case errors.Is(err, errPending):
		v.s.errorPage(v.w, v.r, v, http.StatusAccepted, "Still working on it", "q2c accepted the change and is still carrying it out. Reload this page in a few seconds.")
	case errors.As(err, &ae) && ae.Status == http.StatusUnauthorized:
		v.s.clearSession(v.w)
		v.s.toLogin(v.w, v.r)
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
		// Another customer's order is "not found", never "forbidden".
		v.s.errorPage(v.w, v.r, v, http.StatusNotFound, "Not found", "There is nothing here, or it is not yours to see.")
	case errors.As(err, &ae) && ae.Status == http.StatusForbidden:
		v.s.errorPage(v.w, v.r, v, http.StatusForbidden, "Not allowed", ae.Error())
	case errors.As(err, &ae) && ae.Status < 500:
		v.s.errorPage(v.w, v.r, v, ae.Status, ae.Title, ae.Detail)
	case errors.As(err, &ae):
		v.s.errorPage(v.w, v.r, v, http.StatusServiceUnavailable, "q2c could not finish this", "Try again in a moment. Reference: "+ae.RequestID)
	default:
		v.s.Logger.Error("page failed", "path", v.r.URL.Path, "error", err)
		v.s.errorPage(v.w, v.r, v, http.StatusInternalServerError, "Something went wrong", "The problem has been logged. Try again in a moment.")
	}
}

// errorPage renders a friendly error, inside the layout when signed in.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, v *visit, status int, title, detail string) {
	render(w, r, status, s.shell(v, title, errorBody(title, detail)))
}
