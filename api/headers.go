package api

import (
	"net/http"
)

// apiContentSecurityPolicy is for answers that are data, never a page to
// render: nothing may load, run or frame them. Pages set their own policy
// (web), over this one.
const apiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'"

// hstsValue asks browsers to use HTTPS alone for a year, subdomains too.
const hstsValue = "max-age=31536000; includeSubDomains"

// SecurityHeaders sets the headers every answer carries, API or page:
// no MIME sniffing, no framing, no referrer beyond this origin, and HSTS
// when people reach q2c over HTTPS (https).
func SecurityHeaders(next http.Handler, https bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", apiContentSecurityPolicy)
		if https {
			h.Set("Strict-Transport-Security", hstsValue)
		}
		next.ServeHTTP(w, r)
	})
}
