package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// Returns: a customer or customer service asks to send back shipped units
// of an order; the warehouse receives them (sellable ones go back to stock
// and to waiting backorders) and credit notes give the money back.

var returnReasonOptions = []option{{models.ReturnDamaged, "Arrived damaged"}, {models.ReturnDefective, "Defective"},
	{models.ReturnWrongItem, "Wrong item sent"}, {models.ReturnNotNeeded, "No longer needed"}, {models.ReturnLateDelivery, "Arrived too late"}}

var returnStatusOptions = []option{{"", "Any status"}, {models.ReturnAuthorized, "Authorized: waiting for the goods"},
	{models.ReturnReceived, "Received and credited"}, {models.ReturnCancelled, "Cancelled"}}

func (s *Server) returnsPage(v *visit) error {
	q := v.r.URL.Query()
	var l store.List[models.Return]
	path := withQuery("/api/v1/returns", url.Values{"status": {q.Get("status")}, "order_id": {q.Get("order_id")}, "cursor": {q.Get("cursor")}})
	if err := v.call(http.MethodGet, path, nil, &l); err != nil {
		return err
	}
	first, next := pages("/returns", q, l.NextCursor, "status", "order_id")
	names, err := v.customerNames()
	if err != nil {
		return err
	}
	t := table{Caption: "Returns, newest first", Empty: "No returns.", Head: []string{"Return", "Order", "Customer", "Reason", "Status", "Requested"}}
	for _, r := range l.Items {
		t.Rows = append(t.Rows, []templ.Component{link("/returns/"+r.ID, r.ID), link("/orders/"+r.OrderID, r.OrderID), text(names.of(r.CustomerID)),
			text(optionLabel(returnReasonOptions, r.Reason)), badge(r.Status), when(at(r.CreatedAt))})
	}
	return v.show(returnsView(t, q.Get("status"), first, next))
}

// returnTable lists one customer's returns.
func returnTable(rs []models.Return) table {
	t := table{Caption: "Returns", Empty: "No returns.", Head: []string{"Return", "Order", "Reason", "Status", "Requested"}}
	for _, r := range rs {
		t.Rows = append(t.Rows, []templ.Component{link("/returns/"+r.ID, r.ID), link("/orders/"+r.OrderID, r.OrderID),
			text(optionLabel(returnReasonOptions, r.Reason)), badge(r.Status), when(at(r.CreatedAt))})
	}
	return t
}

// optionLabel is the label of value among opts, or the value itself.
func optionLabel(opts []option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return statusLabel(value)
}

// returnForm is the form asking to return units of an order's lines.
type returnForm struct {
	Order  workflows.OrderState
	Lines  []field // one quantity box per shipped line
	Reason field
	Note   field
	CSRF   string
	Key    string
	Err    *apiError
}

func (s *Server) newReturnPage(v *visit) error {
	id := strings.TrimSpace(v.r.URL.Query().Get("order_id"))
	if id == "" { // a return starts from the order: choose one
		http.Redirect(v.w, v.r, "/orders", http.StatusSeeOther)
		return nil
	}
	return v.showReturnForm(id, nil)
}

func (v *visit) showReturnForm(orderID string, formErr *apiError) error {
	var o workflows.OrderState
	if err := v.call(http.MethodGet, "/api/v1/orders/"+url.PathEscape(orderID), nil, &o); err != nil {
		return err
	}
	var returnable struct {
		Lines []struct {
			LineNo int   `json:"line_no"`
			Qty    int64 `json:"qty"`
		} `json:"lines"`
	}
	if err := v.call(http.MethodGet, "/api/v1/orders/"+url.PathEscape(o.OrderID)+"/returnable", nil, &returnable); err != nil {
		return err
	}
	canReturn := map[int]int64{}
	for _, l := range returnable.Lines {
		canReturn[l.LineNo] = l.Qty
	}
	f := returnForm{Order: o, CSRF: v.csrf, Key: randomToken(), Err: formErr}
	idx := 0
	for _, l := range o.Lines {
		if l.Shipped == 0 {
			continue
		}
		val := "0"
		errKey := ""
		if formErr != nil {
			val = v.r.PostFormValue(qtyField(l.LineNo))
			if n, _ := strconv.ParseInt(val, 10, 64); n != 0 {
				errKey = fmt.Sprintf("lines[%d].qty", idx) // the index it was sent with
				idx++
			}
		}
		f.Lines = append(f.Lines, field{Name: qtyField(l.LineNo), Label: fmt.Sprintf("Line %d · %s: units to return (%d shipped, %d can still come back)",
			l.LineNo, l.SKU, l.Shipped, canReturn[l.LineNo]),
			Type: "number", Min: "0", Value: val, ErrKey: errKey})
	}
	val := func(k, d string) string {
		if formErr != nil {
			return v.r.PostFormValue(k)
		}
		return d
	}
	f.Reason = field{Name: "reason", Label: "Reason", Type: "select", Options: returnReasonOptions, Value: val("reason", models.ReturnDamaged), Required: true}
	f.Note = field{Name: "note", Label: "What happened (optional)", Type: "textarea", Value: val("note", "")}
	status := http.StatusOK
	if formErr != nil {
		status = formErr.Status
	}
	return v.showStatus(status, "Return goods from "+o.OrderID, returnFormView(f))
}

func qtyField(lineNo int) string { return "qty_" + strconv.Itoa(lineNo) }

func (s *Server) createReturn(v *visit) error {
	orderID := v.r.PostFormValue("order_id")
	var o workflows.OrderState
	if err := v.call(http.MethodGet, "/api/v1/orders/"+url.PathEscape(orderID), nil, &o); err != nil {
		return err
	}
	lines := []store.ReturnQty{}
	for _, l := range o.Lines {
		raw := strings.TrimSpace(v.r.PostFormValue(qtyField(l.LineNo)))
		if raw == "" || raw == "0" {
			continue
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return v.showReturnForm(orderID, &apiError{Status: http.StatusUnprocessableEntity, Title: "Check the quantities",
				Errors: []models.FieldError{{Field: fmt.Sprintf("lines[%d].qty", len(lines)), Message: "must be a whole number of units"}}})
		}
		lines = append(lines, store.ReturnQty{LineNo: l.LineNo, Qty: n})
	}
	body := map[string]any{"order_id": orderID, "lines": lines, "reason": v.r.PostFormValue("reason"), "note": v.r.PostFormValue("note")}
	var ret models.Return
	err := v.call(http.MethodPost, "/api/v1/returns", body, &ret)
	switch ae := refusal(err); {
	case ae != nil:
		return v.showReturnForm(orderID, ae)
	case err != nil:
		return err
	}
	return v.redirectDone("/returns/"+ret.ID, doneSaved)
}

// returnData is a return's page: its lines, what was credited, and the
// forms its reader may use.
type returnData struct {
	Return   models.Return
	Customer string
	Lines    table
	Credits  table
	Receive  *form
	Cancel   *form
	CSRF     string
}

func (s *Server) returnPage(v *visit) error { return v.showReturn(nil, "") }

func (v *visit) showReturn(formErr *apiError, which string) error {
	id := v.r.PathValue("id")
	var r models.Return
	if err := v.call(http.MethodGet, "/api/v1/returns/"+url.PathEscape(id), nil, &r); err != nil {
		return err
	}
	d := returnData{Return: r, CSRF: v.csrf}
	if !v.me.IsCustomer() {
		names, err := v.customerNames()
		if err != nil {
			return err
		}
		d.Customer = names[r.CustomerID] // "" when the reader may not see customers' names
	}
	d.Lines = table{Caption: "Lines", Head: []string{"Order line", "SKU", "Invoice", "Authorized", "Received", "Back in stock"}}
	for _, l := range r.Lines {
		d.Lines.Rows = append(d.Lines.Rows, []templ.Component{text(strconv.Itoa(l.LineNo)), text(l.SKU), link("/invoices/"+l.InvoiceID, l.InvoiceID),
			text(itoa(l.Qty)), text(itoa(l.Received)), text(itoa(l.Restocked))})
	}
	d.Credits = creditNoteTable(r.CreditNotes, "Credit notes for this return", "No credit note yet: one is issued per invoice when the goods are received.")
	if r.Status == models.ReturnAuthorized && v.s.mayUse(v.me, "POST /api/v1/returns/:id/receive") {
		f, err := v.receiveForm(r, errIf(which == "receive", formErr))
		if err != nil {
			return err
		}
		d.Receive = &f
	}
	if r.Status == models.ReturnReceived && r.CreditsPending > 0 && v.s.mayUse(v.me, "POST /api/v1/returns/:id/receive") {
		// The goods are in but a credit note could not be issued then: the
		// same receipt again issues what is missing.
		f := form{Action: "/returns/" + r.ID + "/receive", Submit: "Issue the missing credit notes", CSRF: v.csrf, Key: randomToken(), Prefix: "rt-",
			Err: errIf(which == "receive", formErr), Fields: []field{{Name: "warehouse", Type: "hidden", Value: r.Warehouse}}}
		for _, l := range store.ReturnLineTotals(r) {
			n := strconv.Itoa(l.LineNo)
			f.Fields = append(f.Fields, field{Name: "received_" + n, Type: "hidden", Value: itoa(l.Received)},
				field{Name: "sellable_" + n, Type: "hidden", Value: itoa(l.Restocked)})
		}
		d.Receive = &f
	}
	if r.Status == models.ReturnAuthorized && v.s.mayUse(v.me, "POST /api/v1/returns/:id/cancel") {
		d.Cancel = &form{Action: "/returns/" + r.ID + "/cancel", Submit: "Cancel the return", CSRF: v.csrf, Key: randomToken(), Prefix: "cx-", Danger: true,
			Err: errIf(which == "cancel", formErr), Fields: []field{{Name: "reason", Label: "Why", Required: true}}}
	}
	status := http.StatusOK
	if formErr != nil {
		status = formErr.Status
	}
	return v.showStatus(status, "Return "+r.ID, returnView(d))
}

// receiveForm asks, per order line, how many units came back and how many
// of them can be sold again.
func (v *visit) receiveForm(r models.Return, formErr *apiError) (form, error) {
	warehouses, err := v.warehouseOptions()
	if err != nil {
		return form{}, err
	}
	val := func(k, d string) string {
		if formErr != nil {
			return v.r.PostFormValue(k)
		}
		return d
	}
	// No warehouse is chosen for the receiver: the units go where they
	// really arrived.
	f := form{Action: "/returns/" + r.ID + "/receive", Submit: "Receive and credit", CSRF: v.csrf, Key: randomToken(), Prefix: "rc-", Err: formErr,
		Fields: []field{{Name: "warehouse", Label: "Received at", Type: "select", Options: append([]option{{"", "Choose the warehouse"}}, warehouses...),
			Value: val("warehouse", ""), Required: true}}}
	for i, l := range store.ReturnLineTotals(r) {
		n := strconv.Itoa(l.LineNo)
		f.Fields = append(f.Fields,
			field{Name: "received_" + n, Label: fmt.Sprintf("Line %d · %s: units received (of %d)", l.LineNo, l.SKU, l.Qty), Type: "number", Min: "0",
				Value: val("received_"+n, itoa(l.Qty)), ErrKey: fmt.Sprintf("lines[%d].received", i)},
			field{Name: "sellable_" + n, Label: fmt.Sprintf("Line %d: of them sellable (back to stock)", l.LineNo), Type: "number", Min: "0",
				Value: val("sellable_"+n, itoa(l.Qty)), ErrKey: fmt.Sprintf("lines[%d].sellable", i)})
	}
	return f, nil
}

func (s *Server) receiveReturn(v *visit) error {
	id := v.r.PathValue("id")
	var r models.Return
	if err := v.call(http.MethodGet, "/api/v1/returns/"+url.PathEscape(id), nil, &r); err != nil {
		return err
	}
	lines := []store.ReceivedQty{}
	for i, l := range store.ReturnLineTotals(r) {
		n := strconv.Itoa(l.LineNo)
		got, err1 := strconv.ParseInt(strings.TrimSpace(v.r.PostFormValue("received_"+n)), 10, 64)
		ok, err2 := strconv.ParseInt(strings.TrimSpace(v.r.PostFormValue("sellable_"+n)), 10, 64)
		if err1 != nil || err2 != nil {
			f := fmt.Sprintf("lines[%d].received", i)
			if err1 == nil {
				f = fmt.Sprintf("lines[%d].sellable", i)
			}
			return v.showReturn(&apiError{Status: http.StatusUnprocessableEntity, Title: "Check the quantities",
				Errors: []models.FieldError{{Field: f, Message: "must be a whole number of units"}}}, "receive")
		}
		lines = append(lines, store.ReceivedQty{LineNo: l.LineNo, Received: got, Sellable: ok})
	}
	err := v.call(http.MethodPost, "/api/v1/returns/"+url.PathEscape(id)+"/receive", map[string]any{"warehouse": v.r.PostFormValue("warehouse"), "lines": lines}, nil)
	switch ae := refusal(err); {
	case ae != nil:
		return v.showReturn(ae, "receive")
	case err != nil:
		return err
	}
	return v.redirectDone("/returns/"+id, doneSaved)
}

func (s *Server) cancelReturn(v *visit) error {
	id := v.r.PathValue("id")
	err := v.call(http.MethodPost, "/api/v1/returns/"+url.PathEscape(id)+"/cancel", map[string]any{"reason": v.r.PostFormValue("reason")}, nil)
	switch ae := refusal(err); {
	case ae != nil:
		return v.showReturn(ae, "cancel")
	case err != nil:
		return err
	}
	return v.redirectDone("/returns/"+id, doneSaved)
}

// creditNoteTable lists credit notes with what each paid and put on account.
func creditNoteTable(cns []models.CreditNote, caption, empty string) table {
	t := table{Caption: caption, Empty: empty, Head: []string{"Credit note", "Invoice", "Kind", "Reason", "Total", "Paid the invoice", "To the account", "Issued"}}
	for _, cn := range cns {
		t.Rows = append(t.Rows, []templ.Component{text(cn.ID), link("/invoices/"+cn.InvoiceID, cn.InvoiceID), text(statusLabel(cn.Kind)), text(cn.Reason),
			text(money(cn.Total, cn.Currency)), text(money(cn.Applied, cn.Currency)), text(money(cn.ToAccount, cn.Currency)), when(at(cn.IssuedAt))})
	}
	return t
}

// creditNotesPage lists credit notes: finance's register, a customer's own.
func (s *Server) creditNotesPage(v *visit) error {
	q := v.r.URL.Query()
	var l store.List[models.CreditNote]
	if err := v.call(http.MethodGet, withQuery("/api/v1/credit-notes", url.Values{"cursor": {q.Get("cursor")}}), nil, &l); err != nil {
		return err
	}
	first, next := pages("/credit-notes", q, l.NextCursor)
	return v.show(pagedTable(creditNoteTable(l.Items, "Credit notes, newest first", "No credit notes."), first, next))
}

var creditKindOptions = []option{{models.CreditPriceCorrection, "Price correction (amount, tax included)"}, {models.CreditCancellation, "Cancel the whole invoice (unpaid only)"}}

// creditForm issues a price correction or cancels an unpaid invoice.
func creditForm(inv invoiceView, csrf string, formErr *apiError, val func(k, d string) string) form {
	return form{Action: "/invoices/" + inv.ID + "/credit-notes", Submit: "Issue credit note", CSRF: csrf, Key: randomToken(), Prefix: "cn-", Err: formErr,
		Fields: []field{
			{Name: "kind", Label: "Kind", Type: "select", Options: creditKindOptions, Value: val("kind", models.CreditPriceCorrection)},
			{Name: "amount", Label: "Amount (" + string(inv.Currency) + ")", Type: "money", Value: val("amount", ""), Hint: "For a price correction; a cancellation credits the whole invoice."},
			{Name: "reason", Label: "Reason", Required: true, Value: val("reason", "")},
		}}
}

func (s *Server) creditInvoice(v *visit) error {
	id := v.r.PathValue("id")
	body := map[string]any{"kind": v.r.PostFormValue("kind"), "reason": v.r.PostFormValue("reason")}
	if raw := strings.TrimSpace(v.r.PostFormValue("amount")); raw != "" || v.r.PostFormValue("kind") == models.CreditPriceCorrection {
		cur, err := v.currencyOf("/api/v1/invoices/" + url.PathEscape(id))
		if err != nil {
			return err
		}
		amount, err := models.ParseMoney(raw, cur)
		if err == nil && amount <= 0 {
			err = errors.New("must be more than 0")
		}
		if err != nil {
			return v.showInvoice(&apiError{Status: http.StatusUnprocessableEntity, Title: "Check the amount",
				Errors: []models.FieldError{{Field: "amount", Message: err.Error()}}})
		}
		body["amount"] = amount
	}
	err := v.call(http.MethodPost, "/api/v1/invoices/"+url.PathEscape(id)+"/credit-notes", body, nil)
	switch ae := refusal(err); {
	case ae != nil:
		return v.showInvoice(ae)
	case err != nil:
		return err
	}
	return v.redirectDone("/invoices/"+id, doneSaved)
}
