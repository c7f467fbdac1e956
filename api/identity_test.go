package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestLoginIsThrottledAndAudited: failed logins used to be free. After 5 in a
// row an account is locked for a time that doubles, with 429 and
// Retry-After, even for the right password; an unknown email is treated the
// same; every attempt is in the audit trail.
func TestLoginIsThrottledAndAudited(t *testing.T) {
	h := newHarness(t)
	now := time.Now().UTC()
	h.st.SetClock(func() time.Time { return now })
	h.createUser("fin@q2c.test", "right-password", models.Roles{models.RoleFinance}, nil)
	login := func(email, pw string) *http.Response {
		return h.do("POST", "/api/v1/auth/login", "", fmt.Sprintf(`{"email":%q,"password":%q}`, email, pw), nil).Result()
	}
	for _, email := range []string{"fin@q2c.test", "nobody@q2c.test"} {
		for i := range 5 {
			if r := login(email, "wrong-password"); r.StatusCode != 401 {
				t.Fatalf("%s failure %d: %d", email, i+1, r.StatusCode)
			}
		}
		r := login(email, "wrong-password")
		if r.StatusCode != 429 || r.Header.Get("Retry-After") != "1" {
			t.Fatalf("%s, 6th failure: %d Retry-After %q; want 429 after 1 s", email, r.StatusCode, r.Header.Get("Retry-After"))
		}
	}
	if r := login("fin@q2c.test", "right-password"); r.StatusCode != 429 {
		t.Fatalf("the right password while locked: %d", r.StatusCode)
	}
	now = now.Add(time.Second)
	if r := login("fin@q2c.test", "wrong-password"); r.StatusCode != 401 {
		t.Fatalf("after the lock: %d", r.StatusCode)
	}
	r := login("fin@q2c.test", "wrong-password")
	if wait, _ := strconv.Atoi(r.Header.Get("Retry-After")); r.StatusCode != 429 || wait != 2 {
		t.Fatalf("the next lock doubles: %d Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	now = now.Add(2 * time.Second)
	if r := login("fin@q2c.test", "right-password"); r.StatusCode != 200 {
		t.Fatalf("the right password after the lock: %d", r.StatusCode)
	}
	audit, err := h.st.ListAudit(context.Background(), "login", "", store.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range audit.Items {
		counts[e.Action]++
	}
	// Failed: 5 + 5 + 1; refused while locked: 4; logged in: the harness's
	// admin and fin at the end.
	if counts["auth.login"] != 2 || counts["auth.login_failed"] != 11 || counts["auth.login_throttled"] != 4 {
		t.Fatalf("audited %v", counts)
	}
	// The entries name the address by its key, never in clear (an entry
	// cannot be erased later), and the audit list finds them by the address.
	for _, e := range audit.Items {
		if strings.Contains(e.EntityID+e.Detail, "@") {
			t.Fatalf("a login entry holds an address: %+v", e)
		}
	}
	admin := h.login("admin@q2c.test", "admin-password")
	var byAddress store.List[models.AuditEvent]
	w := h.do("GET", "/api/v1/audit?entity=login&entity_id=Fin@Q2C.test", admin, "", nil)
	if err := json.Unmarshal(w.Body.Bytes(), &byAddress); err != nil || w.Code != 200 || len(byAddress.Items) != 10 { // fin: 6 failed, 3 refused while locked, 1 logged in
		t.Fatalf("login entries for fin by address: %d, %d items, %v", w.Code, len(byAddress.Items), err)
	}
}

// TestAccessChangesEndTokensAtOnce: users could not be deactivated or change
// roles, and a token stayed valid for its whole life. Each change now ends
// the user's tokens at once, and is audited.
func TestAccessChangesEndTokensAtOnce(t *testing.T) {
	h := newHarness(t)
	u := h.createUser("rep@q2c.test", "rep-password-1", models.Roles{models.RoleSalesRep}, nil)
	path := "/api/v1/users/" + u.ID
	me := func(tok string) int { return h.do("GET", "/api/v1/me", tok, "", nil).Code }

	tok := h.login("rep@q2c.test", "rep-password-1")
	if w := h.do("POST", path+"/deactivate", h.admin, `{"reason":"left the company"}`, nil); w.Code != 200 {
		t.Fatalf("deactivate: %d %s", w.Code, w.Body)
	}
	if me(tok) != 401 {
		t.Fatal("a deactivated user's token still works")
	}
	if w := h.do("POST", "/api/v1/auth/login", "", `{"email":"rep@q2c.test","password":"rep-password-1"}`, nil); w.Code != 401 {
		t.Fatalf("a deactivated user logged in: %d", w.Code)
	}
	if w := h.do("POST", path+"/reactivate", h.admin, `{"reason":"back"}`, nil); w.Code != 200 {
		t.Fatalf("reactivate: %d", w.Code)
	}
	if me(tok) != 401 {
		t.Fatal("a token from before the deactivation works again")
	}

	tok = h.login("rep@q2c.test", "rep-password-1")
	if w := h.do("PUT", path+"/roles", h.admin, `{"roles":["sales_manager"],"reason":"promoted"}`, nil); w.Code != 200 {
		t.Fatalf("roles: %d %s", w.Code, w.Body)
	}
	if me(tok) != 401 {
		t.Fatal("a token with the old roles still works")
	}
	var who struct{ Roles []string }
	decode(t, h.do("GET", "/api/v1/me", h.login("rep@q2c.test", "rep-password-1"), "", nil), &who)
	if len(who.Roles) != 1 || who.Roles[0] != "sales_manager" {
		t.Fatalf("roles after a new login: %v", who.Roles)
	}

	tok = h.login("rep@q2c.test", "rep-password-1")
	if w := h.do("POST", path+"/password", h.admin, `{"password":"new-password-2"}`, nil); w.Code != 200 {
		t.Fatalf("password: %d", w.Code)
	}
	if me(tok) != 401 {
		t.Fatal("a token from before the reset still works")
	}
	h.login("rep@q2c.test", "new-password-2")

	// Refused: staff and customer roles together, deactivating yourself,
	// and leaving no active IT admin.
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		{"PUT", path + "/roles", `{"roles":["customer","finance"],"customer_id":"c","reason":"x"}`, 422},
		{"PUT", path + "/roles", `{"roles":["finance"]}`, 422},
		{"POST", "/api/v1/users/" + h.adminID() + "/deactivate", `{"reason":"oops"}`, 422},
		{"PUT", "/api/v1/users/" + h.adminID() + "/roles", `{"roles":["finance"],"reason":"oops"}`, 409},
		{"POST", "/api/v1/users/nobody/deactivate", `{"reason":"x"}`, 404},
	} {
		if w := h.do(tc.method, tc.path, h.admin, tc.body, nil); w.Code != tc.status {
			t.Errorf("%s %s %s: %d %s, want %d", tc.method, tc.path, tc.body, w.Code, w.Body, tc.status)
		}
	}
	audit, err := h.st.ListAudit(context.Background(), "user", u.ID, store.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range audit.Items {
		actions = append(actions, e.Action)
	}
	if fmt.Sprint(actions) != "[user.password_reset user.roles user.reactivate user.deactivate]" { // newest first
		t.Fatalf("audited %v", actions)
	}
}

func (h *harness) adminID() string {
	h.t.Helper()
	u, err := h.st.UserByEmail(context.Background(), "admin@q2c.test")
	if err != nil {
		h.t.Fatal(err)
	}
	return u.ID
}
