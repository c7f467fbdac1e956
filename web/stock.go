package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/atp"
	"github.com/q2c-dev/q2c/auth"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

type availabilityView struct {
	SKU      string               `json:"sku"`
	Stock    []models.StockLevel  `json:"stock"`
	Supply   []models.SupplyOrder `json:"open_supply"`
	Position atp.Position         `json:"position"`
	Promise  *atp.Promise         `json:"promise"`
}

// stockPage looks up a SKU's stock per warehouse, open supply and the
// date a quantity can be promised.
func (s *Server) stockPage(v *visit) error {
	q := v.r.URL.Query()
	f := stockForm{SKU: strings.TrimSpace(q.Get("sku")), Qty: q.Get("qty")}
	products, err := v.productOptions()
	if err != nil {
		return err
	}
	f.Products = products
	if f.SKU != "" {
		var a availabilityView
		path := withQuery("/api/v1/inventory/"+url.PathEscape(f.SKU)+"/availability", url.Values{"qty": {f.Qty}})
		if err := v.call(http.MethodGet, path, nil, &a); err != nil {
			if notFound(err) {
				err = noSuchProduct
			}
			ae := refusal(err)
			if ae == nil {
				return err
			}
			f.Err = ae
			return v.showStatus(ae.Status, v.page.Title, stockView(f, nil))
		}
		return v.show(stockView(f, &a))
	}
	return v.show(stockView(f, nil))
}

// noSuchProduct is a SKU the catalog does not have, as a field error.
var noSuchProduct = &apiError{Status: http.StatusUnprocessableEntity, Title: "No such product",
	Errors: []models.FieldError{{Field: "sku", Message: "is not in the catalog"}}}

type stockForm struct {
	SKU, Qty string
	Products []option
	Err      *apiError
}

func (v *visit) productOptions() ([]option, error) {
	var l store.List[productView]
	if err := v.call(http.MethodGet, "/api/v1/products?limit=200", nil, &l); err != nil {
		return nil, err
	}
	out := []option{{"", "Choose a product"}}
	for _, p := range l.Items {
		out = append(out, option{p.SKU, p.SKU + " · " + p.Name})
	}
	return out, nil
}

// warehouseOptions lists the warehouses that hold stock records.
func (v *visit) warehouseOptions() ([]option, error) {
	var levels struct {
		Items []models.StockLevel `json:"items"`
	}
	if err := v.call(http.MethodGet, "/api/v1/inventory", nil, &levels); err != nil {
		return nil, err
	}
	var codes []string
	for _, l := range levels.Items {
		if !slices.Contains(codes, l.WarehouseCode) {
			codes = append(codes, l.WarehouseCode)
		}
	}
	slices.Sort(codes)
	out := make([]option, len(codes))
	for i, c := range codes {
		out[i] = option{c, c}
	}
	return out, nil
}

// receiptsPage enters goods received; the answer shows the pick list the
// allocator made from it.
func (s *Server) receiptsPage(v *visit) error {
	f, err := v.receiptForm(nil)
	if err != nil {
		return err
	}
	return v.show(receiptView(f, nil))
}

func (v *visit) receiptForm(err *apiError) (form, error) {
	products, e := v.productOptions()
	if e != nil {
		return form{}, e
	}
	warehouses, e := v.warehouseOptions()
	if e != nil {
		return form{}, e
	}
	val := func(k, d string) string {
		if err != nil {
			return v.r.PostFormValue(k)
		}
		return d
	}
	return form{Action: "/receipts", Submit: "Receive and allocate", CSRF: v.csrf, Key: randomToken(), Err: err, Fields: []field{
		{Name: "sku", Label: "Product", Type: "select", Options: products, Value: val("sku", v.r.URL.Query().Get("sku")), Required: true},
		{Name: "warehouse", Label: "Warehouse", Type: "select", Options: warehouses, Value: val("warehouse", ""), Required: true},
		{Name: "qty", Label: "Quantity received", Type: "number", Min: "1", Step: "1", Value: val("qty", ""), Required: true},
		{Name: "reference", Label: "Delivery reference", Value: val("reference", ""), Required: true, Hint: "Packing slip or ASN. The same reference entered again is the same delivery."},
		{Name: "supply_order_id", Label: "Supply order", Value: val("supply_order_id", v.r.URL.Query().Get("supply_order_id")), Hint: "Optional: the purchase or production order this delivers."},
		{Name: "close_short", Label: "Close the supply order even if this is less than ordered", Type: "checkbox"},
	}}, nil
}

func (s *Server) receive(v *visit) error {
	qty, _ := strconv.ParseInt(strings.TrimSpace(v.r.PostFormValue("qty")), 10, 64)
	body := map[string]any{"reference": v.r.PostFormValue("reference"), "warehouse": v.r.PostFormValue("warehouse"), "qty": qty,
		"supply_order_id": v.r.PostFormValue("supply_order_id"), "close_short": v.r.PostFormValue("close_short") == "true"}
	sku := strings.TrimSpace(v.r.PostFormValue("sku"))
	var res models.ReceiptResult
	err := v.call(http.MethodPost, "/api/v1/inventory/"+url.PathEscape(sku)+"/receipts", body, &res)
	if sku == "" {
		err = &apiError{Status: http.StatusUnprocessableEntity, Title: "Check the receipt", Errors: []models.FieldError{{Field: "sku", Message: "is required"}}}
	}
	if err != nil {
		if notFound(err) {
			err = noSuchProduct
		}
		ae := refusal(err)
		if ae == nil {
			return err
		}
		f, ferr := v.receiptForm(ae)
		if ferr != nil {
			return ferr
		}
		return v.showStatus(ae.Status, v.page.Title, receiptView(f, nil))
	}
	f, ferr := v.receiptForm(nil)
	if ferr != nil {
		return ferr
	}
	return v.show(receiptView(f, &res))
}

func (s *Server) supplyPage(v *visit) error { return v.showSupply(nil, "") }

func (v *visit) showSupply(err *apiError, which string) error {
	q := v.r.URL.Query()
	open := q.Get("open")
	if open == "" {
		open = "true"
	}
	var l store.List[models.SupplyOrder]
	if e := v.call(http.MethodGet, withQuery("/api/v1/supply-orders", url.Values{"sku": {q.Get("sku")}, "open": {open}, "cursor": {q.Get("cursor")}}), nil, &l); e != nil {
		return e
	}
	products, e := v.productOptions()
	if e != nil {
		return e
	}
	warehouses, e := v.warehouseOptions()
	if e != nil {
		return e
	}
	var k struct {
		BySKU      []store.Bucket             `json:"bottlenecks_by_sku"`
		BySupplier []store.SupplierBottleneck `json:"bottlenecks_by_supplier"`
	}
	canKPI := v.s.mayUse(v.me, "GET /api/v1/backorders/kpis")
	if canKPI {
		if e := v.call(http.MethodGet, "/api/v1/backorders/kpis", nil, &k); e != nil {
			return e
		}
	}
	planner := v.s.mayUse(v.me, "POST /api/v1/supply-orders")
	val := func(name, d string) string {
		if err != nil && which == "create" {
			return v.r.PostFormValue(name)
		}
		return d
	}
	create := form{Action: "/supply", Submit: "Record supply order", CSRF: v.csrf, Key: randomToken(), Class: "inline", Fields: []field{
		{Name: "kind", Label: "Kind", Type: "select", Options: []option{{models.SupplyPurchase, "Purchase"}, {models.SupplyProduction, "Production"}}, Value: val("kind", models.SupplyPurchase)},
		{Name: "reference", Label: "Reference", Required: true, Value: val("reference", "")},
		{Name: "sku", Label: "Product", Type: "select", Options: products, Required: true, Value: val("sku", "")},
		{Name: "warehouse", Label: "Warehouse", Type: "select", Options: warehouses, Required: true, Value: val("warehouse", "")},
		{Name: "qty", Label: "Quantity", Type: "number", Min: "1", Step: "1", Required: true, Value: val("qty", "")},
		{Name: "expected_at", Label: "Expected", Type: "date", Required: true, Value: val("expected_at", "")},
	}}
	if which == "create" {
		create.Err = err
	}
	first, next := pages("/supply", q, l.NextCursor, "sku", "open")
	status := http.StatusOK
	if err != nil {
		status = err.Status
	}
	return v.showStatus(status, v.page.Title, supplyView(supplyData{Orders: l.Items, Create: create, Planner: planner, CSRF: v.csrf,
		Err: err, Form: which, BySKU: k.BySKU, BySupplier: k.BySupplier, ShowKPI: canKPI, First: first, Next: next, Open: open}))
}

type supplyData struct {
	Orders     []models.SupplyOrder
	Create     form
	Planner    bool
	CSRF       string
	Err        *apiError
	Form       string
	BySKU      []store.Bucket
	BySupplier []store.SupplierBottleneck
	ShowKPI    bool
	First      string
	Next       string
	Open       string
}

// dateParam reads a form date ("2026-12-20") as that day, 00:00 UTC; an
// unreadable date goes as the zero time so the API names the field.
func dateParam(s string) time.Time {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t
}

func (s *Server) createSupply(v *visit) error {
	qty, _ := strconv.ParseInt(strings.TrimSpace(v.r.PostFormValue("qty")), 10, 64)
	body := map[string]any{"kind": v.r.PostFormValue("kind"), "reference": v.r.PostFormValue("reference"), "sku": v.r.PostFormValue("sku"),
		"warehouse": v.r.PostFormValue("warehouse"), "qty": qty, "expected_at": dateParam(v.r.PostFormValue("expected_at"))}
	if err := v.call(http.MethodPost, "/api/v1/supply-orders", body, nil); err != nil {
		return v.supplyError(err, "create")
	}
	return v.redirectDone("/supply", doneSaved)
}

func (s *Server) moveSupply(v *visit) error {
	id := v.r.PathValue("id")
	body := map[string]any{"expected_at": dateParam(v.r.PostFormValue("expected_at"))}
	if err := v.call(http.MethodPatch, "/api/v1/supply-orders/"+url.PathEscape(id), body, nil); err != nil {
		return v.supplyError(err, "move:"+id)
	}
	return v.redirectDone("/supply", doneSaved)
}

func (s *Server) cancelSupply(v *visit) error {
	id := v.r.PathValue("id")
	if err := v.call(http.MethodPost, "/api/v1/supply-orders/"+url.PathEscape(id)+"/cancel", map[string]any{"reason": v.r.PostFormValue("reason")}, nil); err != nil {
		return v.supplyError(err, "move:"+id)
	}
	return v.redirectDone("/supply", doneCancelled)
}

func (v *visit) supplyError(err error, form string) error {
	ae := refusal(err)
	if ae == nil {
		return err
	}
	return v.showSupply(ae, form)
}

// mayUse reports whether p's roles may call an API route.
func (s *Server) mayUse(p auth.Principal, route string) bool { return p.Roles.Any(s.RolesOf(route)) }
