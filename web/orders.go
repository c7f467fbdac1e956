package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

var orderStatuses = []option{{"", "Any status"}, {workflows.OrderAllocated, "Allocated"}, {workflows.OrderBackordered, "Backordered"},
	{workflows.OrderPartiallyShipped, "Partially shipped"}, {workflows.OrderShipped, "Shipped"}, {workflows.OrderCompleted, "Completed"},
	{workflows.OrderCancelled, "Cancelled"}, {workflows.OrderRemainderCancelled, "Remainder cancelled"}, {workflows.OrderCompletedShort, "Completed short"}}

func (s *Server) ordersPage(v *visit) error {
	q := v.r.URL.Query()
	var l store.List[models.OrderRecord]
	if err := v.call(http.MethodGet, withQuery("/api/v1/orders", url.Values{"status": {q.Get("status")}, "customer_id": {q.Get("customer_id")}, "cursor": {q.Get("cursor")}}), nil, &l); err != nil {
		return err
	}
	customers, err := v.customerFilter()
	if err != nil {
		return err
	}
	first, next := pages("/orders", q, l.NextCursor, "status", "customer_id")
	return v.show(ordersView(listFilters{Status: q.Get("status"), Customer: q.Get("customer_id"), Customers: customers}, l.Items, first, next))
}

// pages builds the first-page and next-page links of a filtered list.
func pages(path string, q url.Values, nextCursor string, keep ...string) (first, next string) {
	base := url.Values{}
	for _, k := range keep {
		base.Set(k, q.Get(k))
	}
	if q.Get("cursor") != "" {
		first = withQuery(path, base)
	}
	if nextCursor != "" {
		base.Set("cursor", nextCursor)
		next = withQuery(path, base)
	}
	return first, next
}

// orderPage is an order with its timeline, shipments, invoices and, for
// the roles that may, the forms to ship, take a payment or cancel.
func (s *Server) orderPage(v *visit) error {
	return v.showOrder(nil, "")
}

func (v *visit) showOrder(err *apiError, form string) error {
	var ans struct {
		workflows.OrderState
		Reservations []models.Reservation `json:"reservations"`
	}
	if e := v.call(http.MethodGet, "/api/v1/orders/"+url.PathEscape(v.r.PathValue("id")), nil, &ans); e != nil {
		return e
	}
	st := ans.OrderState
	a := orderActions{CSRF: v.csrf, Key: randomToken(), Err: err, Form: form, Ask: v.s.mayUse(v.me, "POST /api/v1/tickets"), Return: v.s.mayUse(v.me, "POST /api/v1/returns"),
		Ship:   v.me.Roles.Has(models.RoleWarehouseManager) && shippable(st),
		Pay:    v.me.Roles.Has(models.RoleFinance) && payable(st),
		Cancel: v.me.Roles.Any([]models.Role{models.RoleCustomer, models.RoleSalesRep, models.RoleSalesManager, models.RoleCustomerService, models.RoleServiceManager}) && cancellable(st),
	}
	if err != nil {
		a.Values = v.r.PostForm
	}
	status := http.StatusOK
	if err != nil {
		status = err.Status
	}
	return v.showStatus(status, "Order "+st.OrderID, orderView(a, st, ans.Reservations))
}

type orderActions struct {
	CSRF, Key         string
	Ship, Pay, Cancel bool
	Ask               bool // may open a ticket about it
	Return            bool // may ask to send shipped units back
	Err               *apiError
	Form              string // which form the error belongs to
	Values            url.Values
}

func (a orderActions) errFor(form string) *apiError {
	if a.Form == form {
		return a.Err
	}
	return nil
}

func (a orderActions) value(name, fallback string) string {
	if a.Values != nil {
		return a.Values.Get(name)
	}
	return fallback
}

// toShip is what a line can ship now: what is reserved for it (shipping
// takes units out of the reservation).
func toShip(l workflows.OrderLine) int64 { return max(l.Reserved, 0) }

// waitingQty is what a line still waits for: neither reserved, shipped nor
// cancelled.
func waitingQty(l workflows.OrderLine) int64 {
	return max(l.Qty-l.Reserved-l.Shipped-l.Cancelled, 0)
}

func shippable(st workflows.OrderState) bool {
	for _, l := range st.Lines {
		if toShip(l) > 0 {
			return true
		}
	}
	return false
}

func payable(st workflows.OrderState) bool {
	for _, inv := range st.Invoices {
		if inv.Total > inv.Paid {
			return true
		}
	}
	return false
}

func cancellable(st workflows.OrderState) bool {
	switch st.Status {
	case workflows.OrderAllocating, workflows.OrderAllocated, workflows.OrderBackordered, workflows.OrderPartiallyShipped:
		return true
	}
	return false
}

func (s *Server) shipOrder(v *visit) error {
	id := v.r.PathValue("id")
	lines := shipLines(v.r.PostForm)
	body := map[string]any{"carrier": v.r.PostFormValue("carrier"), "tracking": v.r.PostFormValue("tracking"), "lines": lines}
	if err := v.call(http.MethodPost, "/api/v1/orders/"+url.PathEscape(id)+"/shipments", body, nil); err != nil {
		if ae := refusal(err); ae != nil {
			ae.Errors = onShipBoxes(ae.Errors, lines)
		}
		return v.orderFormError(err, "ship")
	}
	return v.redirectDone("/orders/"+id, doneRecorded)
}

// shipLines reads the shipment form's "ship_N" boxes in line order; a box
// left at 0 is a line not in this shipment.
func shipLines(form url.Values) []workflows.ShipLineInput {
	var lines []workflows.ShipLineInput
	for _, name := range lineFields(form) {
		raw := strings.TrimSpace(form.Get(name))
		if raw == "0" {
			continue // a line not in this shipment
		}
		lineNo, _ := strconv.Atoi(strings.TrimPrefix(name, "ship_"))
		qty, _ := strconv.ParseInt(raw, 10, 64)
		lines = append(lines, workflows.ShipLineInput{LineNo: lineNo, Qty: qty})
	}
	return lines
}

// onShipBoxes renames the API's errors about the request's lines
// ("lines[1].qty": the second line sent) to the box they came from
// ("ship_3"), so each shows beside its box and the summary names the line.
func onShipBoxes(errs []models.FieldError, sent []workflows.ShipLineInput) []models.FieldError {
	out := slices.Clone(errs)
	for i, fe := range out {
		if k, _, ok := lineField(fe.Field); ok && k < len(sent) {
			out[i].Field = "ship_" + strconv.Itoa(sent[k].LineNo)
		}
	}
	return out
}

func (s *Server) cancelOrder(v *visit) error {
	id := v.r.PathValue("id")
	if err := v.call(http.MethodPost, "/api/v1/orders/"+url.PathEscape(id)+"/cancel", map[string]any{"reason": v.r.PostFormValue("reason")}, nil); err != nil {
		return v.orderFormError(err, "cancel")
	}
	return v.redirectDone("/orders/"+id, doneCancelled)
}

// orderFormError shows the order again with the API's errors beside the
// form that was sent.
func (v *visit) orderFormError(err error, form string) error {
	ae := refusal(err)
	if ae == nil {
		return err
	}
	return v.showOrder(ae, form)
}

// readyOrder is one order in the warehouse's queue (GET /api/v1/shipping/ready).
type readyOrder struct {
	OrderID      string    `json:"order_id"`
	CustomerName string    `json:"customer_name"`
	Status       string    `json:"status"`
	PlacedAt     time.Time `json:"placed_at"`
	ShipTo       string    `json:"ship_to"`
	ShipComplete bool      `json:"ship_complete"`
	UnitsReady   int64     `json:"units_ready"`
	UnitsWaiting int64     `json:"units_waiting"`
	Lines        []struct {
		SKU   string `json:"sku"`
		Ready int64  `json:"units_ready"`
	} `json:"lines"`
	Instructions string `json:"delivery_instructions"`
}

// picking is what to take from the shelves for the order: each line with
// units ready, "WID-100 × 5".
func (o readyOrder) picking() string {
	var parts []string
	for _, l := range o.Lines {
		if l.Ready > 0 {
			parts = append(parts, l.SKU+" × "+itoa(l.Ready))
		}
	}
	return strings.Join(parts, ", ")
}

// shippingPage lists the orders the warehouse can ship now, oldest first;
// the order page holds the shipment form.
func (s *Server) shippingPage(v *visit) error {
	q := v.r.URL.Query()
	var l store.List[readyOrder]
	if err := v.call(http.MethodGet, withQuery("/api/v1/shipping/ready", url.Values{"cursor": {q.Get("cursor")}}), nil, &l); err != nil {
		return err
	}
	first, next := pages("/shipping", q, l.NextCursor)
	return v.show(shippingView(l.Items, first, next))
}

// listFilters are a list page's filters; Customers is empty for a
// customer, who only ever sees their own.
type listFilters struct {
	Status, Customer string
	Customers        []option
	CanCreate        bool // offer "New quote"
}

// names are the filter's customers by id, for the list's customer column.
func (f listFilters) names() names {
	if !f.Staff() {
		return nil
	}
	return optionNames(f.Customers)
}

func (f listFilters) Staff() bool { return len(f.Customers) > 0 }

// customerFilter is the customer choice on staff lists.
func (v *visit) customerFilter() ([]option, error) {
	if v.me.IsCustomer() {
		return nil, nil
	}
	return v.customerOptions("Every customer")
}

// customerNames maps ids to names for staff lists (nil for a customer).
func (v *visit) customerNames() (names, error) {
	if v.me.IsCustomer() {
		return nil, nil
	}
	opts, err := v.customerOptions("")
	return optionNames(opts), err
}
