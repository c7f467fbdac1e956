package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// customersPage finds a customer by a part of the name, email, a contact,
// a phone number, an order or an invoice.
func (s *Server) customersPage(v *visit) error {
	q := v.r.URL.Query()
	var l store.List[models.Customer]
	if err := v.call(http.MethodGet, withQuery("/api/v1/customers", url.Values{"q": {q.Get("q")}, "cursor": {q.Get("cursor")}}), nil, &l); err != nil {
		return err
	}
	first, next := pages("/customers", q, l.NextCursor, "q")
	return v.show(customersView(l.Items, q.Get("q"), first, next, v.s.mayUse(v.me, "POST /api/v1/customers")))
}

// customerPage is what service needs on the phone: the account, its
// people and addresses, what it owes, its orders, backorders, invoices and
// messages (with resend); and, to those who keep them, its terms, credit
// limit and rep.
func (s *Server) customerPage(v *visit) error { return v.showCustomer(nil, "") }

// customerPersonalData downloads everything held about the account
// (a data-subject access request), as the API writes it.
func (s *Server) customerPersonalData(v *visit) error {
	return v.download("/api/v1/customers/" + url.PathEscape(v.r.PathValue("id")) + "/personal-data")
}

// myPersonalData downloads everything held about the visitor's own account.
func (s *Server) myPersonalData(v *visit) error { return v.download("/api/v1/me/personal-data") }

// showCustomer shows the 360 view; formErr is a refused credit or owner
// change, shown beside the form named by which.
func (v *visit) showCustomer(formErr *apiError, which string) error {
	id := v.r.PathValue("id")
	var d customer360
	if err := v.call(http.MethodGet, "/api/v1/customers/"+url.PathEscape(id)+"/360", nil, &d); err != nil {
		return err
	}
	d.CSRF, d.Err, d.ErrFor = v.csrf, formErr, which
	d.Resend = v.s.mayUse(v.me, "POST /api/v1/notifications/:id/resend")
	d.Edit = v.s.mayUse(v.me, "PUT /api/v1/customers/:id")
	d.CanCredit = v.s.mayUse(v.me, "PUT /api/v1/customers/:id/credit")
	d.PersonalData = v.s.mayUse(v.me, "GET /api/v1/customers/:id/personal-data")
	if v.s.mayUse(v.me, "PUT /api/v1/customers/:id/owner") {
		var reps struct {
			Items []struct{ ID, Name, Email string }
		}
		if err := v.call(http.MethodGet, "/api/v1/sales-reps", nil, &reps); err != nil {
			return err
		}
		d.Reps = []option{{"", "Nobody"}}
		for _, r := range reps.Items {
			d.Reps = append(d.Reps, option{r.ID, r.Name + " (" + r.Email + ")"})
		}
	}
	status := http.StatusOK
	if formErr != nil {
		status = formErr.Status
	}
	return v.showStatus(status, d.Customer.Name, customerView(d))
}

// customer360 is the API's 360 view (backorders as the dashboard shows
// them) and what the visitor may do with it.
type customer360 struct {
	store.Customer360
	Backorders []backorderRow `json:"backorders"`

	CSRF                    string    `json:"-"`
	Resend, Edit, CanCredit bool      `json:"-"`
	PersonalData            bool      `json:"-"` // the visitor answers data-subject requests
	Reps                    []option  `json:"-"` // offered when the visitor assigns reps
	Err                     *apiError `json:"-"`
	ErrFor                  string    `json:"-"` // "credit" or "owner"
}

// setCustomerCredit sets the account's terms and limit (finance).
func (s *Server) setCustomerCredit(v *visit) error {
	f := v.r.PostFormValue
	id := v.r.PathValue("id")
	body := map[string]any{"version": atoiOr(f("version"), 0), "terms_days": atoiOr(f("terms_days"), -1), "credit_limit": nil}
	if limit := strings.TrimSpace(f("credit_limit")); limit != "" {
		cur, err := v.currencyOf("/api/v1/customers/" + url.PathEscape(id))
		if err != nil {
			return err
		}
		amount, err := models.ParseMoney(limit, cur)
		if err != nil {
			return v.showCustomer(&apiError{Status: http.StatusUnprocessableEntity, Title: "Check the highlighted fields",
				Errors: []models.FieldError{{Field: "credit_limit", Message: err.Error()}}}, "credit")
		}
		body["credit_limit"] = amount
	}
	if err := v.call(http.MethodPut, "/api/v1/customers/"+url.PathEscape(id)+"/credit", body, nil); err != nil {
		if ae := refusal(err); ae != nil {
			return v.showCustomer(ae, "credit")
		}
		return err
	}
	return v.redirectDone("/customers/"+id, doneSaved)
}

// setCustomerOwner assigns the account's rep (sales managers).
func (s *Server) setCustomerOwner(v *visit) error {
	f := v.r.PostFormValue
	id := v.r.PathValue("id")
	body := map[string]any{"version": atoiOr(f("version"), 0), "owner_id": f("owner_id")}
	if err := v.call(http.MethodPut, "/api/v1/customers/"+url.PathEscape(id)+"/owner", body, nil); err != nil {
		if ae := refusal(err); ae != nil {
			return v.showCustomer(ae, "owner")
		}
		return err
	}
	return v.redirectDone("/customers/"+id, doneSaved)
}

// atoiOr reads a whole number typed in a form, or def when it is not one
// (the API then names the field).
func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return n
}

func (s *Server) resend(v *visit) error {
	id := v.r.PathValue("id")
	back := safeNext(v.r.PostFormValue("back"))
	err := v.call(http.MethodPost, "/api/v1/notifications/"+url.PathEscape(id)+"/resend", map[string]any{"reason": v.r.PostFormValue("reason")}, nil)
	switch {
	case errors.Is(err, errPending):
		return v.redirectDone(back, donePending)
	case err != nil:
		return err
	}
	return v.redirectDone(back, doneSent)
}
