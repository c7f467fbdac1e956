// Package web is q2c's web app: server-rendered pages (templ) with htmx for
// partial updates, served by the API process on the same origin.
//
// Pages hold no business logic. Every read and every change goes through the
// JSON API in-process (call.go), with the signed-in user's own token, so a
// page gets exactly the API's tenancy checks, validators, idempotency and
// answers; nothing is computed twice. A page declares which API route it
// stands on, and takes that route's roles: the navigation, the page's own
// refusal and the API agree by construction.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/models"
)

// Deps are what the web app needs.
type Deps struct {
	// API is the JSON API's handler; pages call it in-process.
	API http.Handler
	// RolesOf answers the roles of an API route ("GET /api/v1/quotes");
	// nil for a route that does not exist.
	RolesOf func(route string) []models.Role
	Logger  *slog.Logger
	// SessionKey signs CSRF tokens (derived from the JWT secret).
	SessionKey []byte
	// SecureCookies marks cookies Secure; set when served over HTTPS.
	SecureCookies bool
	// TemporalUI is the Temporal Web UI's address, linked for IT admins.
	TemporalUI string
	// Outbox says messages are recorded, not sent (the dev stack).
	Outbox  bool
	Version string
}

// Page is one screen: its path (a net/http pattern), its title, the API
// route it stands on (whose roles it takes) and its handler.
type Page struct {
	Pattern string // "GET /quotes/{id}"
	Title   string
	Uses    string // "GET /api/v1/quotes/:id"
	// Nav is the navigation group the page is listed under; "" keeps it
	// out of the navigation (detail pages, form posts).
	Nav    string
	Handle func(v *visit) error

	roles []models.Role
}

// Server is the web app.
type Server struct {
	Deps
	mux       *http.ServeMux
	pages     []Page
	byPattern map[string]Page // the pages by their mux pattern, for mayOpen
}

// New registers every page. A page whose API route does not exist panics at
// start-up, like a route without roles in the API.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &Server{Deps: d, mux: http.NewServeMux(), byPattern: map[string]Page{}}
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", assetHandler()))
	s.mux.HandleFunc("GET /login", s.loginPage)
	s.mux.HandleFunc("POST /login", s.loginSubmit)
	s.mux.HandleFunc("POST /logout", s.logout)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			s.serve(w, r, s.home())
			return
		}
		s.errorPage(w, r, nil, http.StatusNotFound, "Page not found", "There is no page at this address.")
	})
	for _, p := range s.pageTable() {
		roles := d.RolesOf(p.Uses)
		if len(roles) == 0 {
			panic(fmt.Sprintf("web: page %s uses unknown API route %q", p.Pattern, p.Uses))
		}
		p.roles = roles
		s.pages = append(s.pages, p)
		s.byPattern[p.Pattern] = p
		s.mux.HandleFunc(p.Pattern, func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, p) })
	}
	return s
}

// mayOpen reports whether someone may open the page at href: its role
// allows the page the address leads to. An address that is no page of
// this app (a static file, another site) is not this check's to refuse.
func (s *Server) mayOpen(me auth.Principal, href string) bool {
	u, err := url.Parse(href)
	if err != nil || u.Path == "" || u.Host != "" {
		return true
	}
	_, pattern := s.mux.Handler(&http.Request{Method: http.MethodGet, URL: u})
	pg, ok := s.byPattern[pattern]
	return !ok || pg.allows(me.Roles)
}

// linkCheck is the request context's key for the visitor's mayOpen.
type linkCheck struct{}

// mayFollow reports whether the visitor whose page ctx renders may open
// href; outside a visit, everything may be linked.
func mayFollow(ctx context.Context, href string) bool {
	check, ok := ctx.Value(linkCheck{}).(func(string) bool)
	return !ok || check(href)
}

// Handler serves the web app with its security headers.
func (s *Server) Handler() http.Handler { return s.secure(s.mux) }

// Pages lists the pages with the roles they take from their API routes.
func (s *Server) Pages() []Page { return s.pages }

// Roles are the roles that may open p.
func (p Page) Roles() []models.Role { return p.roles }

// home is the landing page: everyone has one.
func (s *Server) home() Page {
	return Page{Pattern: "GET /", Title: "Home", Uses: routeMe, Handle: s.homePage, roles: models.AllRoles}
}

// routeMe is the API route every signed-in user may call.
const routeMe = "GET /api/v1/me"

// allows reports whether someone with roles may open p.
func (p Page) allows(roles models.Roles) bool {
	return slices.ContainsFunc(p.roles, func(r models.Role) bool { return roles.Has(r) })
}

// navItem is one link in the navigation.
type navItem struct {
	Group, Title, Href string
	Current            bool
}

// nav lists the pages the principal may open, grouped, in table order.
func (s *Server) nav(p auth.Principal, current string) []navItem {
	var out []navItem
	for _, pg := range s.pages {
		if pg.Nav == "" || !pg.allows(p.Roles) {
			continue
		}
		href := strings.TrimPrefix(pg.Pattern, "GET ")
		out = append(out, navItem{Group: pg.Nav, Title: pg.Title, Href: href, Current: href == current})
	}
	return out
}

// render writes a component with status.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = c.Render(r.Context(), w)
}
