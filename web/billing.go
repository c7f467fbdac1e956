package web

import (
	"net/http"
	"net/url"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

var invoiceStatuses = []option{{"", "Any status"}, {models.InvoiceOpen, "Open"}, {models.InvoicePartiallyPaid, "Partially paid"},
	{models.InvoiceOverdue, "Overdue"}, {models.InvoicePaid, "Paid"}, {models.InvoiceVoid, "Void"}}

var paymentMethods = []option{{"bank_transfer", "Bank transfer"}, {"card", "Card"}, {"check", "Check"}, {"cash", "Cash"}}

func (s *Server) invoicesPage(v *visit) error {
	q := v.r.URL.Query()
	var l store.List[models.Invoice]
	path := withQuery("/api/v1/invoices", url.Values{"status": {q.Get("status")}, "order_id": {q.Get("order_id")}, "customer_id": {q.Get("customer_id")},
		"cursor": {q.Get("cursor")}})
	if err := v.call(http.MethodGet, path, nil, &l); err != nil {
		return err
	}
	first, next := pages("/invoices", q, l.NextCursor, "status", "order_id", "customer_id")
	customers, err := v.customerNames()
	if err != nil {
		return err
	}
	return v.show(invoicesView(l.Items, q.Get("status"), customers, first, next))
}

type invoiceView struct {
	models.Invoice
	CustomerName string                  `json:"customer_name"`
	Balance      int64                   `json:"balance"`
	Credited     int64                   `json:"credited"` // of Paid, what credit notes paid
	Lines        []workflows.InvoiceLine `json:"lines"`
	Payments     []models.Payment        `json:"payments"`
}

func (s *Server) invoicePage(v *visit) error { return v.showInvoice(nil) }

// invoicePageData is an invoice with its credit notes and, for finance,
// the form that issues one.
type invoicePageData struct {
	Invoice invoiceView
	CanPay  bool
	Credits table
	Credit  *form
}

func (v *visit) showInvoice(formErr *apiError) error {
	var inv invoiceView
	if err := v.call(http.MethodGet, "/api/v1/invoices/"+url.PathEscape(v.r.PathValue("id")), nil, &inv); err != nil {
		return err
	}
	var cns store.List[models.CreditNote]
	if err := v.call(http.MethodGet, withQuery("/api/v1/credit-notes", url.Values{"invoice_id": {inv.ID}, "limit": {"100"}}), nil, &cns); err != nil {
		return err
	}
	d := invoicePageData{Invoice: inv, CanPay: v.me.Roles.Has(models.RoleFinance) && inv.Balance > 0,
		Credits: creditNoteTable(cns.Items, "Credit notes", "No credit notes on this invoice.")}
	if inv.Status != models.InvoiceVoid && v.s.mayUse(v.me, "POST /api/v1/invoices/:id/credit-notes") {
		f := creditForm(inv, v.csrf, formErr, func(k, d string) string {
			if formErr != nil {
				return v.r.PostFormValue(k)
			}
			return d
		})
		d.Credit = &f
	}
	status := http.StatusOK
	if formErr != nil {
		status = formErr.Status
	}
	return v.showStatus(status, "Invoice "+inv.ID, invoiceDetail(d))
}

// paymentForm takes a payment against an order's open invoices; the amount
// is typed in major units and sent in minor units (models.ParseMoney).
func paymentForm(st workflows.OrderState, a orderActions) form {
	var invoices []option
	for _, inv := range st.Invoices {
		if inv.Total > inv.Paid {
			invoices = append(invoices, option{inv.ID, inv.ID + " · open " + money(inv.Total-inv.Paid, st.Currency)})
		}
	}
	open := int64(0)
	if len(st.Invoices) > 0 {
		for _, inv := range st.Invoices {
			if inv.Total > inv.Paid {
				open = inv.Total - inv.Paid
				break
			}
		}
	}
	return form{Action: "/orders/" + st.OrderID + "/payments", Submit: "Record payment", CSRF: a.CSRF, Key: a.Key + "-p", Err: a.errFor("pay"),
		Fields: []field{
			{Name: "invoice_id", Label: "Invoice", Type: "select", Options: invoices, Value: a.value("invoice_id", ""), Required: true},
			{Name: "amount", Label: "Amount (" + string(st.Currency) + ")", Type: "money", Value: a.value("amount", moneyInput(open, st.Currency)), Required: true,
				Hint: "Up to the open balance; any excess becomes credit within the allowed overpayment."},
			{Name: "reference", Label: "Payment reference", Value: a.value("reference", ""), Required: true, Hint: "The bank's or card processor's reference: the same payment entered twice is recorded once; another payment needs its own reference."},
			{Name: "method", Label: "Method", Type: "select", Options: paymentMethods, Value: a.value("method", "bank_transfer")},
		}}
}

func (s *Server) recordPayment(v *visit) error {
	id := v.r.PathValue("id")
	cur, err := v.currencyOf("/api/v1/orders/" + url.PathEscape(id))
	if err != nil {
		return err
	}
	amount, err := models.ParseMoney(v.r.PostFormValue("amount"), cur)
	if err != nil {
		return v.orderFormError(&apiError{Status: http.StatusUnprocessableEntity, Title: "Check the payment",
			Errors: []models.FieldError{{Field: "amount", Message: err.Error()}}}, "pay")
	}
	body := map[string]any{"invoice_id": v.r.PostFormValue("invoice_id"), "amount": amount,
		"reference": v.r.PostFormValue("reference"), "method": v.r.PostFormValue("method")}
	if err := v.call(http.MethodPost, "/api/v1/orders/"+url.PathEscape(id)+"/payments", body, nil); err != nil {
		return v.orderFormError(err, "pay")
	}
	return v.redirectDone("/orders/"+id, doneRecorded)
}

// invoiceTerms names the terms an invoice was issued on; invoices from
// before terms were the customer's were net 30.
func invoiceTerms(days *int) string {
	if days == nil {
		return models.TermsLabel(models.DefaultTermsDays)
	}
	return models.TermsLabel(*days)
}
