package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/api"
	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/internal/apicheck"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

func init() { auth.BcryptCost = 4 }

type harness struct {
	t     *testing.T
	srv   *api.Server
	st    *store.Store
	admin string // bearer token of an it_admin
	users int    // users made by as
	check *apicheck.Checker
}

func newHarness(t *testing.T, opts ...func(*api.Deps)) *harness {
	t.Helper()
	st := testdb.Postgres(t)
	tokens, err := auth.NewTokens(strings.Repeat("k", 32), time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	deps := api.Deps{Store: st, Tokens: tokens, Logger: testdb.Quiet, MaxBodyBytes: 4096, TaskQueue: "test"}
	for _, o := range opts {
		o(&deps)
	}
	h := &harness{t: t, st: st, srv: api.New(deps)}
	h.createUser("admin@q2c.test", "admin-password", models.Roles{models.RoleITAdmin}, nil)
	h.admin = h.login("admin@q2c.test", "admin-password")
	return h
}

func (h *harness) createUser(email, pw string, roles models.Roles, customerID *string) models.User {
	h.t.Helper()
	hash, err := auth.HashPassword(pw)
	if err != nil {
		h.t.Fatal(err)
	}
	u := &models.User{Email: email, Name: email, Roles: roles, CustomerID: customerID, PasswordHash: hash, Active: true}
	if err := h.st.CreateUser(context.Background(), u); err != nil {
		h.t.Fatal(err)
	}
	return *u
}

func (h *harness) login(email, pw string) string {
	h.t.Helper()
	w := h.do("POST", "/api/v1/auth/login", "", `{"email":"`+email+`","password":"`+pw+`"}`, nil)
	if w.Code != http.StatusOK {
		h.t.Fatalf("login %s: %d %s", email, w.Code, w.Body)
	}
	var r struct{ Token string }
	decode(h.t, w, &r)
	return r.Token
}

func (h *harness) do(method, path, token, body string, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(w, req)
	if err := h.described().Check(method, path, w.Code, w.Header().Get("Content-Type"), w.Body.Bytes()); err != nil {
		h.t.Error(err)
	}
	return w
}

// described is the server's own OpenAPI description, which every answer
// the tests see is held to.
func (h *harness) described() *apicheck.Checker {
	if h.check == nil {
		w := httptest.NewRecorder()
		h.srv.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
		c, err := apicheck.New(w.Body.Bytes())
		if err != nil {
			h.t.Fatal(err)
		}
		h.check = c
	}
	return h.check
}

func (h *harness) count(table string) int64 {
	h.t.Helper()
	var n int64
	switch table {
	case "users":
		n, _ = h.st.CountUsers(context.Background())
	case "api_keys":
		l, err := h.st.ListAPIKeys(context.Background(), store.Page{Limit: 200})
		if err != nil {
			h.t.Fatal(err)
		}
		n = int64(len(l.Items))
	case "customers":
		l, err := h.st.ListCustomers(context.Background(), "", "", store.Page{Limit: 200})
		if err != nil {
			h.t.Fatal(err)
		}
		n = int64(len(l.Items))
	case "audit": // changes; logins are audited too, but change nothing
		l, err := h.st.ListAudit(context.Background(), "", "", store.Page{Limit: 200})
		if err != nil {
			h.t.Fatal(err)
		}
		for _, e := range l.Items {
			if e.Entity != "login" {
				n++
			}
		}
	}
	return n
}

func decode(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %q: %v", w.Body.String(), err)
	}
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	h := newHarness(t)
	valid := `{"email":"new@q2c.test","name":"New","password":"long-enough-pw","roles":["finance"]}`
	tests := []struct {
		name        string
		body        string
		contentType string
		status      int
		field       string
	}{
		{"malformed JSON", `{"email": "x"`, "", 400, "body"},
		{"not JSON at all", `email=x`, "", 400, "body"},
		{"empty body", ``, "application/json", 400, "body"},
		{"unknown field", `{"email":"new@q2c.test","name":"New","password":"long-enough-pw","roles":["finance"],"nickname":"x"}`, "", 400, "nickname"},
		{"wrong type", `{"email":"new@q2c.test","name":"New","password":"long-enough-pw","roles":"finance"}`, "", 400, "roles"},
		{"two JSON values", valid + valid, "", 400, "body"},
		// encoding/json would keep the last silently.
		{"a field twice", `{"email":"new@q2c.test","name":"New","password":"long-enough-pw","roles":["finance"],"email":"other@q2c.test"}`, "", 400, "email"},
		{"oversize body", `{"email":"new@q2c.test","name":"` + strings.Repeat("x", 5000) + `"}`, "", 413, ""},
		{"form content type", valid, "application/x-www-form-urlencoded", 415, "Content-Type"},
		{"invalid email", `{"email":"nope","name":"New","password":"long-enough-pw","roles":["finance"]}`, "", 422, "email"},
		{"unknown role", `{"email":"new@q2c.test","name":"New","password":"long-enough-pw","roles":["wizard"]}`, "", 422, "roles[0]"},
		{"short password", `{"email":"new@q2c.test","name":"New","password":"short","roles":["finance"]}`, "", 422, "password"},
		{"customer without account", `{"email":"new@q2c.test","name":"New","password":"long-enough-pw","roles":["customer"]}`, "", 422, "customer_id"},
		{"missing customer", `{"email":"new@q2c.test","name":"New","password":"long-enough-pw","roles":["customer"],"customer_id":"nope"}`, "", 422, "customer_id"},
	}
	users, audits := h.count("users"), h.count("audit")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			headers := map[string]string{}
			if tc.contentType != "" {
				headers["Content-Type"] = tc.contentType
			}
			w := h.do("POST", "/api/v1/users", h.admin, tc.body, headers)
			if w.Code != tc.status || w.Header().Get("Content-Type") != api.ProblemContentType {
				t.Fatalf("got %d %s %s; want %d problem", w.Code, w.Header().Get("Content-Type"), w.Body, tc.status)
			}
			var p api.Problem
			decode(t, w, &p)
			if p.Status != tc.status || p.Title == "" || p.RequestID == "" {
				t.Fatalf("problem = %+v", p)
			}
			if tc.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tc.field) {
				t.Fatalf("problem names %+v, want field %q", p.Errors, tc.field)
			}
		})
	}
	if h.count("users") != users || h.count("audit") != audits {
		t.Fatalf("bad requests changed state: users %d→%d, audit %d→%d", users, h.count("users"), audits, h.count("audit"))
	}
	if w := h.do("POST", "/api/v1/users", h.admin, valid, nil); w.Code != http.StatusCreated {
		t.Fatalf("the valid request failed: %d %s", w.Code, w.Body)
	}
	if h.count("users") != users+1 || h.count("audit") != audits+1 {
		t.Fatal("the valid request did not create the user and its audit event")
	}
}

func TestLogin(t *testing.T) {
	h := newHarness(t)
	h.createUser("fin@q2c.test", "finance-password", models.Roles{models.RoleFinance}, nil)
	tests := []struct {
		name, body string
		status     int
	}{
		{"right password", `{"email":"FIN@q2c.test","password":"finance-password"}`, 200},
		{"wrong password", `{"email":"fin@q2c.test","password":"finance-passwort"}`, 401},
		{"unknown user", `{"email":"who@q2c.test","password":"finance-password"}`, 401},
		{"missing password", `{"email":"fin@q2c.test"}`, 422},
	}
	var unknownDetail, wrongDetail string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do("POST", "/api/v1/auth/login", "", tc.body, nil)
			if w.Code != tc.status {
				t.Fatalf("got %d %s, want %d", w.Code, w.Body, tc.status)
			}
			if tc.status == 401 {
				var p api.Problem
				decode(t, w, &p)
				if tc.name == "unknown user" {
					unknownDetail = p.Detail
				} else {
					wrongDetail = p.Detail
				}
			}
		})
	}
	if unknownDetail != wrongDetail {
		t.Fatalf("login failures differ (%q vs %q): they reveal which emails exist", unknownDetail, wrongDetail)
	}
	tok := h.login("fin@q2c.test", "finance-password")
	w := h.do("GET", "/api/v1/me", tok, "", nil)
	var me auth.Principal
	decode(t, w, &me)
	if w.Code != 200 || !me.Roles.Has(models.RoleFinance) {
		t.Fatalf("/me = %d %s", w.Code, w.Body)
	}
}

func TestIdempotencyKeyReplaysTheFirstAnswer(t *testing.T) {
	h := newHarness(t)
	body := `{"name":"portal","roles":["sales_rep"]}`
	key := map[string]string{"Idempotency-Key": "create-portal-key-1"}
	first := h.do("POST", "/api/v1/api-keys", h.admin, body, key)
	second := h.do("POST", "/api/v1/api-keys", h.admin, body, key)
	if first.Code != 201 || second.Code != 201 {
		t.Fatalf("codes %d, %d: %s", first.Code, second.Code, second.Body)
	}
	if first.Body.String() != second.Body.String() || second.Header().Get(api.HeaderIdempotentReplay) != "true" {
		t.Fatalf("retry was not a replay:\n%s\n%s", first.Body, second.Body)
	}
	if n := h.count("api_keys"); n != 1 {
		t.Fatalf("%d keys after a retried create; want 1", n)
	}
	other := h.do("POST", "/api/v1/api-keys", h.admin, `{"name":"other","roles":["sales_rep"]}`, key)
	if other.Code != 422 || h.count("api_keys") != 1 {
		t.Fatalf("same key, other body: %d %s", other.Code, other.Body)
	}
	// Without a key each call is its own request.
	h.do("POST", "/api/v1/api-keys", h.admin, body, nil)
	if n := h.count("api_keys"); n != 2 {
		t.Fatalf("%d keys; want 2", n)
	}
}

func TestAPIKeysAuthenticateUntilRevoked(t *testing.T) {
	h := newHarness(t)
	w := h.do("POST", "/api/v1/api-keys", h.admin, `{"name":"portal","roles":["sales_rep"]}`, nil)
	var k struct {
		ID, Key string
	}
	decode(t, w, &k)
	call := func(header, value string) int {
		return h.do("GET", "/api/v1/products", "", "", map[string]string{header: value}).Code
	}
	if c := call("X-API-Key", k.Key); c != 200 {
		t.Fatalf("X-API-Key: %d", c)
	}
	if c := call("Authorization", "Bearer "+k.Key); c != 200 {
		t.Fatalf("Bearer key: %d", c)
	}
	if c := h.do("GET", "/api/v1/users", "", "", map[string]string{"X-API-Key": k.Key}).Code; c != 403 {
		t.Fatalf("sales_rep key on admin route: %d, want 403", c)
	}
	if w := h.do("DELETE", "/api/v1/api-keys/"+k.ID, h.admin, "", nil); w.Code != 200 {
		t.Fatalf("revoke: %d %s", w.Code, w.Body)
	}
	if c := call("X-API-Key", k.Key); c != 401 {
		t.Fatalf("revoked key: %d, want 401", c)
	}
}

func TestCustomersSeeOnlyTheirOwnAccount(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	mine := &models.Customer{Name: "Mine", Email: "m@example.com", Currency: "USD", Tier: 2}
	theirs := &models.Customer{Name: "Theirs", Email: "t@example.com", Currency: "USD", Tier: 2}
	for _, c := range []*models.Customer{mine, theirs} {
		if err := h.st.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	h.createUser("buyer@example.com", "buyer-password", models.Roles{models.RoleCustomer}, &mine.ID)
	tok := h.login("buyer@example.com", "buyer-password")
	var l struct{ Items []models.Customer }
	decode(t, h.do("GET", "/api/v1/customers", tok, "", nil), &l)
	if len(l.Items) != 1 || l.Items[0].ID != mine.ID {
		t.Fatalf("customer sees %+v", l.Items)
	}
	var all struct{ Items []models.Customer }
	decode(t, h.do("GET", "/api/v1/customers", h.admin, "", nil), &all)
	if len(all.Items) != 2 {
		t.Fatalf("staff sees %d customers, want 2", len(all.Items))
	}
}

func TestPaginationParamsAreValidated(t *testing.T) {
	h := newHarness(t)
	for _, q := range []string{"limit=0x", "limit=500", "cursor=not*base64"} {
		w := h.do("GET", "/api/v1/users?"+q, h.admin, "", nil)
		if w.Code != 422 {
			t.Errorf("%s: %d, want 422", q, w.Code)
		}
	}
}

func TestUnknownRouteIsAProblem(t *testing.T) {
	h := newHarness(t)
	w := h.do("GET", "/api/v1/nope", h.admin, "", nil)
	if w.Code != 404 || w.Header().Get("Content-Type") != api.ProblemContentType {
		t.Fatalf("%d %s", w.Code, w.Header().Get("Content-Type"))
	}
}

// TestWrongMethodIsAProblem: a route asked with a method it does not take
// answers 405 saying which it takes, in the Allow header and the detail.
func TestWrongMethodIsAProblem(t *testing.T) {
	h := newHarness(t)
	w := h.do("DELETE", "/api/v1/products", h.admin, "", nil)
	var p api.Problem
	decode(t, w, &p)
	if w.Code != 405 || p.Type != api.ProblemMethodNotAllowed || w.Header().Get("Allow") != "GET" ||
		p.Detail != "DELETE is not a method of this route; it takes GET" {
		t.Fatalf("%d Allow %q %+v", w.Code, w.Header().Get("Allow"), p)
	}
}

// TestRejectingAQuoteNeedsAReason: the reason is checked before anything
// reaches the quote's workflow.
func TestRejectingAQuoteNeedsAReason(t *testing.T) {
	h := newHarness(t)
	h.createUser("approver@q2c.test", "approver-password", models.Roles{models.RoleApprover}, nil)
	tok := h.login("approver@q2c.test", "approver-password")
	for name, body := range map[string]string{"no comment": `{}`, "blank comment": `{"comment":"   "}`} {
		w := h.do("POST", "/api/v1/quotes/Q-ANY/reject", tok, body, nil)
		var p api.Problem
		decode(t, w, &p)
		if w.Code != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "comment" {
			t.Errorf("%s: %d %+v", name, w.Code, p)
		}
	}
}

// TestWrongTypesAreNamedInJSONTerms: a value of the wrong type is named as
// the JSON a client should send ("a whole number"), not as Go spells it
// ("int64"), and a body cut short says so.
func TestWrongTypesAreNamedInJSONTerms(t *testing.T) {
	h := newHarness(t)
	rep := h.as(models.RoleSalesRep)
	tests := []struct {
		name, path, token, body string
		field, message, detail  string
	}{
		{"a fraction for a quantity", "/api/v1/quotes", rep, `{"customer_id":"c","lines":[{"sku":"WID","qty":1.5}]}`, "lines.qty", "must be a whole number", "got number 1.5"},
		{"a number for a name", "/api/v1/users", h.admin, `{"email":"x@q2c.test","name":5}`, "name", "must be a string", "got number"},
		{"a string for a list", "/api/v1/users", h.admin, `{"email":"x@q2c.test","roles":"finance"}`, "roles", "must be a list", "got string"},
		{"a body cut short", "/api/v1/users", h.admin, `{"email":"x@q2c.test","name":`, "body", "is not valid JSON", "before its JSON is complete"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do("POST", tc.path, tc.token, tc.body, nil)
			var p api.Problem
			decode(t, w, &p)
			if w.Code != 400 || len(p.Errors) != 1 || p.Errors[0].Field != tc.field || p.Errors[0].Message != tc.message ||
				!strings.Contains(p.Detail, tc.detail) || strings.Contains(p.Detail, "Go struct") {
				t.Fatalf("got %d %+v", w.Code, p)
			}
		})
	}
}

// TestListStatusFiltersAreChecked: a list's ?status= that no document can
// have is a 422 naming the field, not an empty list that reads as "none";
// each status the documents have is accepted.
func TestListStatusFiltersAreChecked(t *testing.T) {
	h := newHarness(t)
	rep, finance := h.as(models.RoleSalesRep), h.as(models.RoleFinance)
	tests := []struct {
		name, path, token string
		statuses          []string
	}{
		{"quotes", "/api/v1/quotes", rep, workflows.QuoteStatuses},
		{"orders", "/api/v1/orders", rep, workflows.OrderStatuses},
		{"invoices", "/api/v1/invoices", finance, models.InvoiceStatuses},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do("GET", tc.path+"?status=bogus", tc.token, "", nil)
			var p api.Problem
			decode(t, w, &p)
			if w.Code != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "status" {
				t.Fatalf("?status=bogus: %d %+v", w.Code, p)
			}
			for _, st := range tc.statuses {
				if w := h.do("GET", tc.path+"?status="+st, tc.token, "", nil); w.Code != 200 {
					t.Errorf("?status=%s: %d %s", st, w.Code, w.Body)
				}
			}
		})
	}
}
