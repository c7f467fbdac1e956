package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

func roleOptions() []option {
	out := make([]option, len(models.AllRoles))
	for i, r := range models.AllRoles {
		out[i] = option{string(r), roleLabel(r)}
	}
	return out
}

func (s *Server) usersPage(v *visit) error { return v.showUsers(nil) }

func (v *visit) showUsers(err *apiError) error {
	q := v.r.URL.Query()
	var l store.List[models.User]
	if e := v.call(http.MethodGet, withQuery("/api/v1/users", url.Values{"cursor": {q.Get("cursor")}}), nil, &l); e != nil {
		return e
	}
	customers, e := v.customerOptions("Not a customer user")
	if e != nil {
		return e
	}
	val := func(k string) string {
		if err != nil {
			return v.r.PostFormValue(k)
		}
		return ""
	}
	f := form{Action: "/admin/users", Submit: "Create user", CSRF: v.csrf, Key: randomToken(), Err: err, Fields: []field{
		{Name: "email", Label: "Email", Type: "email", Required: true, Value: val("email")},
		{Name: "name", Label: "Name", Required: true, Value: val("name")},
		{Name: "phone", Label: "Mobile phone", Type: "tel", Hint: "E.164, e.g. +14155550100. Optional.", Value: val("phone")},
		{Name: "password", Label: "First password", Type: "password", Required: true, Auto: "new-password"},
		{Name: "roles", Label: "Role", Type: "select", Options: roleOptions(), Required: true, Value: val("roles")},
		{Name: "customer_id", Label: "Customer account", Type: "select", Options: customers, Value: val("customer_id"), Hint: "Only for customer users."},
	}}
	first, next := pages("/admin/users", q, l.NextCursor)
	status := http.StatusOK
	if err != nil {
		status = err.Status
	}
	return v.showStatus(status, v.page.Title, usersView(l.Items, optionNames(customers), f, first, next))
}

func (s *Server) createUser(v *visit) error {
	body := map[string]any{"email": v.r.PostFormValue("email"), "name": v.r.PostFormValue("name"), "phone": strings.TrimSpace(v.r.PostFormValue("phone")),
		"password": v.r.PostFormValue("password"), "roles": v.r.PostForm["roles"]}
	if c := v.r.PostFormValue("customer_id"); c != "" {
		body["customer_id"] = c
	}
	if err := v.call(http.MethodPost, "/api/v1/users", body, nil); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		return v.showUsers(ae)
	}
	return v.redirectDone("/admin/users", doneSaved)
}

// userActions are the user page's forms and the API route each posts to.
var userActions = map[string]struct{ method, route string }{
	"deactivate": {http.MethodPost, "deactivate"},
	"reactivate": {http.MethodPost, "reactivate"},
	"roles":      {http.MethodPut, "roles"},
	"password":   {http.MethodPost, "password"},
}

func (s *Server) userPage(v *visit) error { return v.showUser(nil, "") }

// showUser is one user with the admin's forms: status, roles, password.
func (v *visit) showUser(err *apiError, which string) error {
	var u models.User
	if e := v.call(http.MethodGet, "/api/v1/users/"+url.PathEscape(v.r.PathValue("id")), nil, &u); e != nil {
		return e
	}
	customers, e := v.customerOptions("Not a customer user")
	if e != nil {
		return e
	}
	errFor := func(w string) *apiError {
		if w == which {
			return err
		}
		return nil
	}
	cust := ""
	if u.CustomerID != nil {
		cust = *u.CustomerID
	}
	role := ""
	if len(u.Roles) > 0 {
		role = string(u.Roles[0])
	}
	toggle := userToggle(u)
	forms := []form{
		{Action: "/admin/users/" + u.ID + "/" + toggle, Submit: statusLabel(toggle), Danger: u.Active, CSRF: v.csrf, Key: randomToken(), Err: errFor(toggle), Prefix: "st-",
			Fields: []field{{Name: "reason", Label: "Reason", Required: true, Hint: "Kept in the audit trail."}}},
		{Action: "/admin/users/" + u.ID + "/roles", Submit: "Change role", CSRF: v.csrf, Key: randomToken(), Err: errFor("roles"), Prefix: "ro-",
			Fields: []field{{Name: "roles", Label: "Role", Type: "select", Options: roleOptions(), Value: role, Required: true},
				{Name: "customer_id", Label: "Customer account", Type: "select", Options: customers, Value: cust, Hint: "Only for customer users."},
				{Name: "reason", Label: "Reason", Required: true}}},
		{Action: "/admin/users/" + u.ID + "/password", Submit: "Reset password", CSRF: v.csrf, Key: randomToken(), Err: errFor("password"), Prefix: "pw-",
			Fields: []field{{Name: "password", Label: "New password", Type: "password", Required: true, Auto: "new-password"},
				{Name: "reason", Label: "Reason", Required: true}}},
	}
	status := http.StatusOK
	if err != nil {
		status = err.Status
	}
	return v.showStatus(status, u.Name, userView(u, forms))
}

// userAction changes a user: status, role or password. Each ends the
// user's sessions at once (the API bumps their token version).
func (s *Server) userAction(v *visit) error {
	id, action := v.r.PathValue("id"), v.r.PathValue("action")
	a, ok := userActions[action]
	if !ok {
		return &apiError{Status: http.StatusNotFound, Title: "Not found"}
	}
	body := map[string]any{"reason": v.r.PostFormValue("reason")}
	switch action {
	case "roles":
		body["roles"] = v.r.PostForm["roles"]
		if c := v.r.PostFormValue("customer_id"); c != "" {
			body["customer_id"] = c
		}
	case "password":
		body["password"] = v.r.PostFormValue("password")
	}
	if err := v.call(a.method, "/api/v1/users/"+url.PathEscape(id)+"/"+a.route, body, nil); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		return v.showUser(ae, action)
	}
	return v.redirectDone("/admin/users/"+id, doneSaved)
}

func (s *Server) keysPage(v *visit) error { return v.showKeys(nil, "") }

func (v *visit) showKeys(err *apiError, secret string) error {
	var l store.List[models.APIKey]
	if e := v.call(http.MethodGet, "/api/v1/api-keys", nil, &l); e != nil {
		return e
	}
	customers, e := v.customerOptions("Not for a customer")
	if e != nil {
		return e
	}
	f := form{Action: "/admin/keys", Submit: "Create key", CSRF: v.csrf, Key: randomToken(), Err: err, Fields: []field{
		{Name: "name", Label: "Name", Required: true, Hint: "What will use it, e.g. \"Acme ERP\"."},
		{Name: "roles", Label: "Role", Type: "select", Options: roleOptions(), Required: true, Value: string(models.RoleCustomer)},
		{Name: "customer_id", Label: "Customer account", Type: "select", Options: customers},
	}}
	status := http.StatusOK
	if err != nil {
		status = err.Status
	}
	return v.showStatus(status, v.page.Title, keysView(l.Items, optionNames(customers), f, v.csrf, secret))
}

func (s *Server) createKey(v *visit) error {
	body := map[string]any{"name": v.r.PostFormValue("name"), "roles": v.r.PostForm["roles"]}
	if c := v.r.PostFormValue("customer_id"); c != "" {
		body["customer_id"] = c
	}
	var out struct {
		Key string `json:"key"`
	}
	if err := v.call(http.MethodPost, "/api/v1/api-keys", body, &out); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		return v.showKeys(ae, "")
	}
	// The secret is shown once, on this answer, never again.
	return v.showKeys(nil, out.Key)
}

func (s *Server) revokeKey(v *visit) error {
	if err := v.call(http.MethodDelete, "/api/v1/api-keys/"+url.PathEscape(v.r.PathValue("id")), nil, nil); err != nil {
		return err
	}
	return v.redirectDone("/admin/keys", doneSaved)
}

func (s *Server) auditPage(v *visit) error {
	q := v.r.URL.Query()
	var l store.List[models.AuditEvent]
	if err := v.call(http.MethodGet, withQuery("/api/v1/audit", url.Values{"cursor": {q.Get("cursor")}}), nil, &l); err != nil {
		return err
	}
	first, next := pages("/admin/audit", q, l.NextCursor)
	return v.show(auditView(l.Items, first, next))
}

// auditVerifyPage walks the whole audit chain (the API's check) and shows
// whether it holds, and where it breaks when it does not.
func (s *Server) auditVerifyPage(v *visit) error {
	var c store.AuditCheck
	if err := v.call(http.MethodGet, "/api/v1/audit/verify", nil, &c); err != nil {
		return err
	}
	return v.show(auditCheckView(c))
}

func (s *Server) outboxPage(v *visit) error {
	q := v.r.URL.Query()
	var l store.List[models.OutboxMessage]
	if err := v.call(http.MethodGet, withQuery("/api/v1/outbox", url.Values{"cursor": {q.Get("cursor")}}), nil, &l); err != nil {
		return err
	}
	first, next := pages("/outbox", q, l.NextCursor)
	return v.show(outboxView(l.Items, first, next))
}

// privacyPage is where IT admins and service managers answer a person's
// request to be erased.
func (s *Server) privacyPage(v *visit) error { return v.showPrivacy(nil, nil, "") }

func (v *visit) showPrivacy(err *apiError, done *store.Erasure, email string) error {
	f := form{Action: "/admin/privacy", Submit: "Erase this person", CSRF: v.csrf, Key: randomToken(), Err: err, Danger: true,
		Fields: []field{
			{Name: "email", Label: "The person's email", Type: "email", Required: true, Value: email, Hint: "Their user, contact entries, messages and stored answers are anonymised; invoices keep what they were issued with."},
			{Name: "reason", Label: "Reason", Type: "textarea", Required: true, Hint: "The request's reference and date. Kept in the audit trail."},
		}}
	status := http.StatusOK
	if err != nil {
		status = err.Status
	}
	return v.showStatus(status, v.page.Title, privacyView(f, done))
}

func (s *Server) erasePerson(v *visit) error {
	email := v.r.PostFormValue("email")
	var out store.Erasure
	if err := v.call(http.MethodPost, "/api/v1/personal-data/erase", map[string]any{"email": email, "reason": v.r.PostFormValue("reason")}, &out); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		return v.showPrivacy(ae, nil, email)
	}
	return v.showPrivacy(nil, &out, "")
}
