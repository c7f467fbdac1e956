package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/app"
	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/config"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/web"
)

func init() { auth.BcryptCost = 4 }

// site is the web app and API as app.Site serves them, over Postgres, with
// no Temporal: these tests stop before anything would start a workflow.
type site struct {
	t     *testing.T
	h     http.Handler
	pages *web.Server
	st    *store.Store
}

const password = "correct horse battery"

func newSite(t *testing.T, secure bool, opts ...func(*config.Config)) *site {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.JWTSecret = config.Secret(strings.Repeat("s", 40))
	if secure {
		cfg.PublicURL = "https://q2c.example.com"
	}
	st := testdb.Postgres(t)
	srv, err := app.API(cfg, st, nil, testdb.Quiet, "test")
	if err != nil {
		t.Fatal(err)
	}
	return &site{t: t, h: app.Site(cfg, srv, testdb.Quiet, "test"), pages: app.Web(cfg, srv, testdb.Quiet, "test"), st: st}
}

// user creates a user with one role (a customer user acts for c-1).
func (s *site) user(role models.Role) models.User {
	s.t.Helper()
	ctx := context.Background()
	hash, _ := auth.HashPassword(password)
	u := models.User{Email: string(role) + "@q2c.test", Name: string(role), Roles: models.Roles{role}, PasswordHash: hash, Active: true}
	if role == models.RoleCustomer {
		if _, err := s.st.CustomerByID(ctx, "c-1"); err != nil {
			if err := s.st.CreateCustomer(ctx, &models.Customer{ID: "c-1", Name: "C1", Email: "c1@example.com", Tier: 2, Currency: "USD"}); err != nil {
				s.t.Fatal(err)
			}
		}
		cid := "c-1"
		u.CustomerID = &cid
	}
	if err := s.st.CreateUser(ctx, &u); err != nil {
		s.t.Fatal(err)
	}
	return u
}

// browser is a cookie jar and the CSRF token of the last page it read.
type browser struct {
	s       *site
	cookies map[string]*http.Cookie
	csrf    string
}

func (s *site) browser() *browser { return &browser{s: s, cookies: map[string]*http.Cookie{}} }

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

func (b *browser) do(method, path string, form url.Values) *httptest.ResponseRecorder {
	b.s.t.Helper()
	var req *http.Request
	if method == http.MethodGet {
		req = httptest.NewRequest(method, path, nil)
	} else {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	b.s.h.ServeHTTP(w, req)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	if m := csrfField.FindStringSubmatch(w.Body.String()); m != nil {
		b.csrf = m[1]
	}
	return w
}

func (b *browser) signIn(email string) {
	b.s.t.Helper()
	b.do(http.MethodGet, "/login", nil)
	w := b.do(http.MethodPost, "/login", url.Values{"csrf": {b.csrf}, "email": {email}, "password": {password}, "next": {"/"}})
	if w.Code != http.StatusSeeOther || b.cookies["q2c_session"] == nil {
		b.s.t.Fatalf("sign in %s: %d %s", email, w.Code, w.Body)
	}
}

// TestEveryPageRefusesTheRolesItDoesNotTake signs in as each role and asks
// for every page that role may not open: each answers 403 and shows the
// role page, and the role's navigation never offers it.
func TestEveryPageRefusesTheRolesItDoesNotTake(t *testing.T) {
	s := newSite(t, false)
	for _, role := range models.AllRoles {
		s.user(role)
		b := s.browser()
		b.signIn(string(role) + "@q2c.test")
		home := b.do(http.MethodGet, "/", nil).Body.String()
		for _, p := range s.pages.Pages() {
			method, path, _ := strings.Cut(p.Pattern, " ")
			path = strings.NewReplacer("{id}", "X-1", "{kind}", "promotions", "{action}", "deactivate").Replace(path)
			if slices.Contains(p.Roles(), role) {
				continue
			}
			if method == http.MethodGet && strings.Contains(home, `href="`+path+`"`) {
				t.Errorf("%s's navigation offers %s", role, path)
			}
			w := b.do(method, path, url.Values{"csrf": {b.csrf}})
			if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "Not for your role") {
				t.Errorf("%s %s as %s: %d, want 403", method, path, role, w.Code)
			}
		}
	}
}

// TestPagesNeedASession sends a visitor without a session to sign in, and
// back to where they were going afterwards.
func TestPagesNeedASession(t *testing.T) {
	s := newSite(t, false)
	s.user(models.RoleFinance)
	b := s.browser()
	w := b.do(http.MethodGet, "/invoices?status=open", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?next=%2Finvoices%3Fstatus%3Dopen" {
		t.Fatalf("no session: %d %q", w.Code, w.Header().Get("Location"))
	}
	b.do(http.MethodGet, "/login?next=%2Finvoices%3Fstatus%3Dopen", nil)
	w = b.do(http.MethodPost, "/login", url.Values{"csrf": {b.csrf}, "email": {"finance@q2c.test"}, "password": {password}, "next": {"/invoices?status=open"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/invoices?status=open" {
		t.Fatalf("after sign-in: %d %q", w.Code, w.Header().Get("Location"))
	}
}

// TestSessionCookies: HttpOnly and SameSite always, Secure behind HTTPS;
// logging out ends the session.
func TestSessionCookies(t *testing.T) {
	for _, secure := range []bool{false, true} {
		s := newSite(t, secure)
		s.user(models.RoleFinance)
		b := s.browser()
		b.signIn("finance@q2c.test")
		for _, name := range []string{"q2c_session", "q2c_sid"} {
			c := b.cookies[name]
			if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != secure {
				t.Errorf("secure=%v: cookie %s = %+v", secure, name, c)
			}
		}
		b.do(http.MethodGet, "/invoices", nil)
		if w := b.do(http.MethodPost, "/logout", url.Values{"csrf": {b.csrf}}); w.Code != http.StatusSeeOther || b.cookies["q2c_session"] != nil {
			t.Fatalf("logout: %d, cookies %v", w.Code, b.cookies)
		}
		if w := b.do(http.MethodGet, "/invoices", nil); w.Code != http.StatusSeeOther {
			t.Fatalf("after logout: %d", w.Code)
		}
	}
}

// TestFormsNeedTheirCSRFToken: a post without the token, or with another
// browser's, changes nothing.
func TestFormsNeedTheirCSRFToken(t *testing.T) {
	s := newSite(t, false)
	s.user(models.RoleITAdmin)
	b := s.browser()
	b.signIn("it_admin@q2c.test")
	other := s.browser()
	other.do(http.MethodGet, "/login", nil)
	form := url.Values{"email": {"new@q2c.test"}, "name": {"New"}, "password": {"a long enough password"}, "roles": {"finance"}}
	for name, token := range map[string]string{"none": "", "another browser's": other.csrf} {
		form.Set("csrf", token)
		if w := b.do(http.MethodPost, "/admin/users", form); w.Code != http.StatusForbidden {
			t.Errorf("%s token: %d, want 403", name, w.Code)
		}
	}
	if _, err := s.st.UserByEmail(context.Background(), "new@q2c.test"); err == nil {
		t.Fatal("a form without a valid CSRF token created a user")
	}
	b.do(http.MethodGet, "/admin/users", nil)
	form.Set("csrf", b.csrf)
	form.Set("idempotency_key", "form-1")
	if w := b.do(http.MethodPost, "/admin/users", form); w.Code != http.StatusSeeOther {
		t.Fatalf("with the token: %d %s", w.Code, w.Body)
	}
	// Submitted twice (a double click, a retry after a lost answer): the
	// form's key makes it one user.
	if w := b.do(http.MethodPost, "/admin/users", form); w.Code != http.StatusSeeOther {
		t.Fatalf("the same form again: %d %s", w.Code, w.Body)
	}
	if n := countUsers(t, s.st, "new@q2c.test"); n != 1 {
		t.Fatalf("%d users from one form submitted twice", n)
	}
}

func countUsers(t *testing.T, st *store.Store, email string) int {
	t.Helper()
	l, err := st.ListUsers(context.Background(), store.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range l.Items {
		if u.Email == email {
			n++
		}
	}
	return n
}

// TestADeactivatedUsersSessionStopsAtOnce: the next page after an admin
// deactivates someone sends them to sign in.
func TestADeactivatedUsersSessionStopsAtOnce(t *testing.T) {
	s := newSite(t, false)
	u := s.user(models.RoleFinance)
	b := s.browser()
	b.signIn("finance@q2c.test")
	if w := b.do(http.MethodGet, "/invoices", nil); w.Code != http.StatusOK {
		t.Fatalf("before: %d", w.Code)
	}
	off := false
	if _, err := s.st.ChangeUser(context.Background(), u.ID, store.UserChange{Active: &off}); err != nil {
		t.Fatal(err)
	}
	w := b.do(http.MethodGet, "/invoices", nil)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") || b.cookies["q2c_session"] != nil {
		t.Fatalf("after deactivation: %d %q", w.Code, w.Header().Get("Location"))
	}
}

// TestPagesCarryAStrictPolicyAndNoInlineCode checks the headers and that no
// page holds inline script, inline style or event-handler attributes (the
// policy would block them).
func TestPagesCarryAStrictPolicyAndNoInlineCode(t *testing.T) {
	s := newSite(t, false)
	scripts := regexp.MustCompile(`<script([^>]*)>([^<]*)`)
	inline := regexp.MustCompile(`\sstyle="|\son[a-z]+="|<style`)
	for _, role := range []models.Role{models.RoleITAdmin, models.RoleSalesManager, models.RoleCustomer, models.RoleWarehouseManager} {
		s.user(role)
		b := s.browser()
		b.signIn(string(role) + "@q2c.test")
		for _, p := range s.pages.Pages() {
			method, path, _ := strings.Cut(p.Pattern, " ")
			if method != http.MethodGet || strings.Contains(path, "{") || !slices.Contains(p.Roles(), role) {
				continue
			}
			w := b.do(http.MethodGet, path, nil)
			csp := w.Header().Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || w.Header().Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s: headers %v", path, w.Header())
			}
			if m := inline.FindString(w.Body.String()); m != "" {
				t.Errorf("%s as %s holds inline code: %q", path, role, m)
			}
			for _, m := range scripts.FindAllStringSubmatch(w.Body.String(), -1) {
				if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
					t.Errorf("%s as %s holds an inline script: %q", path, role, m[0])
				}
			}
		}
	}
}

// TestASessionSlidesWhileInUse: a token close to its expiry is exchanged
// for a fresh one on the next page, so a person at work stays signed in,
// and the session still ends a token lifetime after the last page.
func TestASessionSlidesWhileInUse(t *testing.T) {
	s := newSite(t, false, func(c *config.Config) { c.JWTTTL = 5 * time.Minute }) // within the renewal window from the start
	s.user(models.RoleFinance)
	b := s.browser()
	b.signIn("finance@q2c.test")
	w := b.do(http.MethodGet, "/invoices", nil)
	renewed := slices.ContainsFunc(w.Result().Cookies(), func(c *http.Cookie) bool { return c.Name == "q2c_session" && c.Value != "" })
	if w.Code != http.StatusOK || !renewed {
		t.Fatalf("page: %d; token renewed: %v", w.Code, renewed)
	}
	if w := b.do(http.MethodGet, "/invoices", nil); w.Code != http.StatusOK {
		t.Fatalf("with the renewed token: %d", w.Code)
	}

	// Far from expiry, a page leaves the token alone.
	long := newSite(t, false)
	long.user(models.RoleFinance)
	b = long.browser()
	b.signIn("finance@q2c.test")
	w = b.do(http.MethodGet, "/invoices", nil)
	if slices.ContainsFunc(w.Result().Cookies(), func(c *http.Cookie) bool { return c.Name == "q2c_session" }) {
		t.Fatal("a token far from expiry was renewed")
	}
}
