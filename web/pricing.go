package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/store"
)

// ruleKinds are the pricing forms and the API route each posts to.
var ruleKinds = map[string]struct{ method, path string }{
	"price-lists":     {http.MethodPost, "/api/v1/pricing/price-lists"},
	"customer-prices": {http.MethodPost, "/api/v1/pricing/customer-prices"},
	"promotions":      {http.MethodPost, "/api/v1/pricing/promotions"},
	"tax-rates":       {http.MethodPut, "/api/v1/pricing/tax-rates/"},
}

func (s *Server) pricingPage(v *visit) error { return v.showPricing(nil, "") }

func (v *visit) showPricing(err *apiError, kind string) error {
	var h store.PricingHistory
	if e := v.call(http.MethodGet, "/api/v1/pricing/rules", nil, &h); e != nil {
		return e
	}
	editor := v.s.mayUse(v.me, "POST /api/v1/pricing/price-lists")
	forms := map[string]form{}
	customers, e := v.customerOptions("Choose a customer")
	if e != nil {
		return e
	}
	customerNames := names{}
	for _, c := range customers {
		customerNames[c.Value] = c.Label
	}
	if editor {
		products, e := v.productOptions()
		if e != nil {
			return e
		}
		val := func(k, name, d string) string {
			if err != nil && kind == k {
				return v.r.PostFormValue(name)
			}
			return d
		}
		mk := func(k, submit string, fs []field) form {
			f := form{Action: "/pricing/" + k, Submit: submit, CSRF: v.csrf, Key: randomToken(), Fields: fs, Prefix: k + "-"}
			for i := range f.Fields {
				f.Fields[i].Value = val(k, f.Fields[i].Name, f.Fields[i].Value)
			}
			if kind == k {
				f.Err = err
			}
			return f
		}
		curs := currencies
		forms["customer-prices"] = mk("customer-prices", "Add customer price", []field{
			{Name: "customer_id", Label: "Customer number", Type: selectOrText(customers), Options: customers, Required: true},
			{Name: "sku", Label: "Product", Type: "select", Options: products, Required: true},
			{Name: "unit_price", Label: "Unit price", Type: "money", Required: true},
			{Name: "currency", Label: "Currency", Type: "select", Options: curs, Value: "USD"},
			{Name: "valid_from", Label: "From", Type: "date", Required: true},
			{Name: "valid_to", Label: "Until (optional)", Type: "date"}})
		forms["promotions"] = mk("promotions", "Add promotion", []field{
			{Name: "description", Label: "Description", Required: true},
			{Name: "code", Label: "Code (optional: without one it applies to everyone)"},
			{Name: "sku", Label: "Product (optional)", Type: "select", Options: products},
			{Name: "percent_bp", Label: "Percent off", Hint: "For example 10 or 7.5."},
			{Name: "min_qty", Label: "Minimum quantity", Type: "number", Min: "0"},
			{Name: "valid_from", Label: "From", Type: "date", Required: true},
			{Name: "valid_to", Label: "Until (optional)", Type: "date"}})
		forms["tax-rates"] = mk("tax-rates", "Set tax rate", []field{
			{Name: "region", Label: "Region", Required: true, Hint: "As on the customer, e.g. US-CA."},
			{Name: "rate_bp", Label: "Rate (percent)", Required: true, Hint: "For example 7.25."},
			{Name: "valid_from", Label: "From", Type: "date", Required: true}})
		forms["price-lists"] = mk("price-lists", "Create price list", []field{
			{Name: "name", Label: "Name", Required: true},
			{Name: "currency", Label: "Currency", Type: "select", Options: curs, Value: "USD"},
			{Name: "segment", Label: "Segment (optional)"},
			{Name: "region", Label: "Region (optional)"},
			{Name: "sku", Label: "Product", Type: "select", Options: products, Required: true},
			{Name: "min_qty", Label: "From quantity", Type: "number", Min: "1", Value: "1"},
			{Name: "unit_price", Label: "Unit price", Type: "money", Required: true},
			{Name: "valid_from", Label: "From", Type: "date", Required: true},
			{Name: "valid_to", Label: "Until (optional)", Type: "date"}})
		open, prices := openRules(h, customers, time.Now())
		forms["end"] = mk("end", "End it", []field{
			{Name: "rule", Label: "Rule in force or to come", Type: "select", Options: open, Required: true},
			{Name: "at", Label: "Ends on", Type: "date", Required: true, Hint: "Quotes priced before keep their prices; the rule stays in the history."}})
		forms["correct"] = mk("correct", "Correct it", []field{
			{Name: "rule", Label: "Customer price", Type: "select", Options: prices, Required: true},
			{Name: "unit_price", Label: "New unit price", Type: "money", Required: true},
			{Name: "valid_from", Label: "From", Type: "date", Required: true, Hint: "The old price ends that day; the new one runs until the old one would have ended."}})
	}
	status := http.StatusOK
	if err != nil {
		status = err.Status
	}
	return v.showStatus(status, v.page.Title, pricingView(h, forms, editor, customerNames))
}

// openRules lists the price lists, customer prices and promotions not yet
// ended at now (as "kind/id" choices), and the customer prices alone.
func openRules(h store.PricingHistory, customers []option, now time.Time) (all, prices []option) {
	open := func(w pricing.Window) bool { return w.To.IsZero() || w.To.After(now) }
	name := map[string]string{}
	for _, c := range customers {
		name[c.Value] = c.Label
	}
	all = []option{{"", "Choose a rule"}}
	prices = []option{{"", "Choose a customer price"}}
	from := func(w pricing.Window) string { return " from " + w.From.UTC().Format(time.DateOnly) }
	for _, l := range h.PriceLists {
		if open(l.Window) {
			all = append(all, option{store.RulePriceList + "/" + l.ID, "Price list " + l.Name + from(l.Window)})
		}
	}
	for _, c := range h.CustomerPrices {
		if open(c.Window) {
			o := option{store.RuleCustomerPrice + "/" + c.ID, "Customer price: " + firstOf(name[c.CustomerID], c.CustomerID) + ", " + c.SKU + " at " + money(c.UnitPrice, c.Currency) + from(c.Window)}
			all, prices = append(all, o), append(prices, option{c.ID, o.Label})
		}
	}
	for _, p := range h.Promotions {
		if open(p.Window) {
			all = append(all, option{store.RulePromotion + "/" + p.ID, "Promotion " + p.Description + from(p.Window)})
		}
	}
	return all, prices
}

// endRule ends the chosen price list, customer price or promotion.
func (s *Server) endRule(v *visit) error {
	kind, id, _ := strings.Cut(v.r.PostFormValue("rule"), "/")
	if kind == "" || id == "" {
		return v.showPricing(&apiError{Status: http.StatusUnprocessableEntity, Title: "Check the highlighted fields",
			Errors: []models.FieldError{{Field: "rule", Message: "choose the rule to end"}}}, "end")
	}
	at := dateParam(v.r.PostFormValue("at"))
	if at.IsZero() {
		return v.showPricing(&apiError{Status: http.StatusUnprocessableEntity, Title: "Check the highlighted fields",
			Errors: []models.FieldError{{Field: "at", Message: "must be a date such as 2026-12-31"}}}, "end")
	}
	err := v.call(http.MethodPost, "/api/v1/pricing/"+url.PathEscape(kind)+"/"+url.PathEscape(id)+"/end", map[string]any{"at": at}, nil)
	if ae := refusal(err); ae != nil {
		return v.showPricing(ae, "end")
	} else if err != nil {
		return err
	}
	return v.redirectDone("/pricing", doneSaved)
}

// correctPrice replaces a customer price from a day on.
func (s *Server) correctPrice(v *visit) error {
	f := v.r.PostFormValue
	var fields []models.FieldError
	if f("rule") == "" {
		fields = append(fields, models.FieldError{Field: "rule", Message: "choose the customer price to correct"})
	}
	var h store.PricingHistory // the new price is read in the old one's currency
	if err := v.call(http.MethodGet, "/api/v1/pricing/rules", nil, &h); err != nil {
		return err
	}
	var cur models.Currency = "USD"
	for _, c := range h.CustomerPrices {
		if c.ID == f("rule") {
			cur = c.Currency
		}
	}
	amount, err := models.ParseMoney(f("unit_price"), cur)
	if err != nil {
		fields = append(fields, models.FieldError{Field: "unit_price", Message: err.Error()})
	}
	if dateParam(f("valid_from")).IsZero() {
		fields = append(fields, models.FieldError{Field: "valid_from", Message: "must be a date such as 2026-12-31"})
	}
	if len(fields) > 0 {
		return v.showPricing(&apiError{Status: http.StatusUnprocessableEntity, Title: "Check the highlighted fields", Errors: fields}, "correct")
	}
	err = v.call(http.MethodPost, "/api/v1/pricing/customer-prices/"+url.PathEscape(f("rule"))+"/replace",
		map[string]any{"unit_price": amount, "valid_from": dateParam(f("valid_from"))}, nil)
	if ae := refusal(err); ae != nil {
		return v.showPricing(ae, "correct")
	} else if err != nil {
		return err
	}
	return v.redirectDone("/pricing", doneSaved)
}

// customerOptions lists customers to choose from, after a first choice
// labelled blank that means none; nil when the visitor may not list
// customers (the field is then typed).
func (v *visit) customerOptions(blank string) ([]option, error) {
	if !v.s.mayUse(v.me, "GET /api/v1/customers") {
		return nil, nil
	}
	var cs store.List[models.Customer]
	if err := v.call(http.MethodGet, "/api/v1/customers?limit=200", nil, &cs); err != nil {
		return nil, err
	}
	out := []option{{"", blank}}
	for _, c := range cs.Items {
		out = append(out, option{c.ID, c.Name})
	}
	return out, nil
}

// createRule posts one pricing form; amounts and percentages are read
// exactly (no float) and sent in minor units and basis points.
func (s *Server) createRule(v *visit) error {
	kind := v.r.PathValue("kind")
	route, ok := ruleKinds[kind]
	if !ok {
		return &apiError{Status: http.StatusNotFound, Title: "Not found"}
	}
	f := v.r.PostFormValue
	var errs []models.FieldError
	amount := func(name string) int64 {
		n, err := models.ParseMoney(f(name), models.Currency(f("currency")))
		if err != nil {
			errs = append(errs, models.FieldError{Field: name, Message: err.Error()})
		}
		return n
	}
	bp := func(name string) int64 {
		if strings.TrimSpace(f(name)) == "" {
			return 0
		}
		n, err := parseBP(f(name))
		if err != nil {
			errs = append(errs, models.FieldError{Field: name, Message: err.Error()})
		}
		return n
	}
	num := func(name string) int64 { n, _ := strconv.ParseInt(strings.TrimSpace(f(name)), 10, 64); return n }
	win := pricing.Window{From: dateParam(f("valid_from")), To: dateParam(f("valid_to"))}
	var body any
	path := route.path
	switch kind {
	case "customer-prices":
		body = pricing.CustomerPrice{CustomerID: f("customer_id"), SKU: f("sku"), UnitPrice: amount("unit_price"), Currency: models.Currency(f("currency")), Window: win}
	case "promotions":
		body = pricing.Promotion{Code: strings.TrimSpace(f("code")), Description: f("description"), SKU: f("sku"), MinQty: num("min_qty"), PercentBP: bp("percent_bp"), Window: win}
	case "tax-rates":
		path += strings.TrimSpace(f("region"))
		body = map[string]any{"rate_bp": bp("rate_bp"), "valid_from": win.From}
		if strings.TrimSpace(f("region")) == "" {
			errs = append(errs, models.FieldError{Field: "region", Message: "is required"})
		}
	case "price-lists":
		body = pricing.PriceList{Name: f("name"), Segment: f("segment"), Region: f("region"), Currency: models.Currency(f("currency")),
			Items: map[string][]pricing.Tier{f("sku"): {{MinQty: max(num("min_qty"), 1), UnitPrice: amount("unit_price")}}}, Window: win}
	}
	err := error(nil)
	if len(errs) > 0 {
		err = &apiError{Status: http.StatusUnprocessableEntity, Title: "Check the highlighted fields", Errors: errs}
	} else {
		err = v.call(route.method, path, body, nil)
	}
	if err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		return v.showPricing(ae, kind)
	}
	return v.redirectDone("/pricing", doneSaved)
}

// parseBP reads a percentage with at most two decimals ("7.25") as basis
// points (725), exactly.
func parseBP(s string) (int64, error) {
	n, err := models.ParseMoney(s, "USD") // two decimals, integer arithmetic
	if err != nil {
		return 0, errPercent
	}
	return n, nil
}

var errPercent = &apiError{Title: "must be a percentage with at most two decimals, like 7.25"}

// previewPage prices a basket now and under a draft promotion.
func (s *Server) previewPage(v *visit) error {
	q := v.r.URL.Query()
	customers, err := v.customerOptions("Choose a customer")
	if err != nil {
		return err
	}
	products, err := v.productOptions()
	if err != nil {
		return err
	}
	p := previewData{Customers: customers, Products: products, Query: q}
	if q.Get("customer_id") != "" || q.Get("sku") != "" {
		qty, _ := strconv.ParseInt(strings.TrimSpace(q.Get("qty")), 10, 64)
		body := map[string]any{"customer_id": q.Get("customer_id"), "lines": []pricing.Line{{SKU: q.Get("sku"), Qty: qty}}, "promo_code": q.Get("promo_code")}
		if d := strings.TrimSpace(q.Get("draft_percent")); d != "" {
			pct, perr := parseBP(d)
			if perr != nil {
				p.Err = &apiError{Status: http.StatusUnprocessableEntity, Title: "Check the draft", Errors: []models.FieldError{{Field: "draft_percent", Message: perr.Error()}}}
				return v.showStatus(p.Err.Status, v.page.Title, previewView(p))
			}
			body["draft"] = map[string]any{"promotions": []pricing.Promotion{{ID: "draft", Description: "Draft: " + d + "% off", SKU: q.Get("sku"), PercentBP: pct}}}
		}
		var out struct {
			Current    pricing.Result `json:"current"`
			Draft      pricing.Result `json:"draft"`
			Difference int64          `json:"difference"`
		}
		if err := v.call(http.MethodPost, "/api/v1/pricing/preview", body, &out); err != nil {
			ae := refusal(err)
			if ae == nil {
				return err
			}
			p.Err = ae
			return v.showStatus(ae.Status, v.page.Title, previewView(p))
		}
		p.Current, p.Draft, p.Difference, p.Done = out.Current, out.Draft, out.Difference, true
	}
	return v.show(previewView(p))
}

type previewData struct {
	Customers, Products []option
	Query               map[string][]string
	Err                 *apiError
	Current, Draft      pricing.Result
	Difference          int64
	Done                bool
}

func (p previewData) get(k string) string {
	if vs := p.Query[k]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}
