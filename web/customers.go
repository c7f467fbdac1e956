package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// customersPage finds a customer by a part of the name, email or id.
func (s *Server) customersPage(v *visit) error {
	q := v.r.URL.Query()
	var l store.List[models.Customer]
	if err := v.call(http.MethodGet, withQuery("/api/v1/customers", url.Values{"q": {q.Get("q")}, "cursor": {q.Get("cursor")}}), nil, &l); err != nil {
		return err
	}
	first, next := pages("/customers", q, l.NextCursor, "q")
	return v.show(customersView(l.Items, q.Get("q"), first, next))
}

// customerPage is what service needs on the phone: the customer's orders,
// backorders, messages (with resend) and the notes on their backorders.
func (s *Server) customerPage(v *visit) error {
	id := v.r.PathValue("id")
	var cs store.List[models.Customer]
	if err := v.call(http.MethodGet, "/api/v1/customers?q="+url.QueryEscape(id), nil, &cs); err != nil {
		return err
	}
	var c models.Customer
	for _, x := range cs.Items {
		if x.ID == id {
			c = x
		}
	}
	if c.ID == "" {
		return &apiError{Status: http.StatusNotFound, Title: "Not found"}
	}
	d := customer360{Customer: c, CSRF: v.csrf, Resend: v.s.mayUse(v.me, "POST /api/v1/notifications/:id/resend")}
	calls := []struct {
		route, path string
		out         any
	}{
		{"GET /api/v1/orders", "/api/v1/orders?customer_id=" + url.QueryEscape(id), &d.Orders},
		{"GET /api/v1/backorders", "/api/v1/backorders?customer_id=" + url.QueryEscape(id), &d.Backorders},
		{"GET /api/v1/notifications", "/api/v1/notifications?owner_kind=customer&owner_id=" + url.QueryEscape(id), &d.Messages},
		{"GET /api/v1/invoices", "/api/v1/invoices?customer_id=" + url.QueryEscape(id), &d.Invoices},
	}
	for _, c := range calls {
		if !v.s.mayUse(v.me, c.route) {
			continue
		}
		if err := v.call(http.MethodGet, c.path, nil, c.out); err != nil {
			return err
		}
	}
	return v.showStatus(http.StatusOK, c.Name, customerView(d))
}

type customer360 struct {
	Customer   models.Customer
	Orders     store.List[models.OrderRecord]
	Backorders store.List[backorderRow]
	Messages   store.List[models.Notification]
	Invoices   store.List[models.Invoice]
	CSRF       string
	Resend     bool
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
