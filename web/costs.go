package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/a-h/templ"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// costsPage shows a product's standard costs, and to those who keep them,
// the form for a new one.
func (s *Server) costsPage(v *visit) error { return v.showCosts(nil) }

type costsData struct {
	SKU      string
	Products []option
	Costs    []store.ProductCost
	Form     form
	Editor   bool
}

func (v *visit) showCosts(formErr *apiError) error {
	products, err := v.productOptions()
	if err != nil {
		return err
	}
	sku := firstOf(v.r.URL.Query().Get("sku"), v.r.PostFormValue("sku"))
	for _, p := range products { // by default the first product (the list opens with a blank choice)
		if sku != "" {
			break
		}
		sku = p.Value
	}
	d := costsData{SKU: sku, Products: products, Editor: v.s.mayUse(v.me, "POST /api/v1/products/:sku/costs")}
	var out struct {
		Costs []store.ProductCost `json:"costs"`
	}
	if err := v.call(http.MethodGet, "/api/v1/products/"+url.PathEscape(sku)+"/costs", nil, &out); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		return v.showStatus(ae.Status, v.page.Title, costsView(d, ae))
	}
	d.Costs = out.Costs
	val := func(name, def string) string {
		if formErr != nil {
			return v.r.PostFormValue(name)
		}
		return def
	}
	d.Form = form{Action: "/pricing/costs", Submit: "Set cost", CSRF: v.csrf, Key: randomToken(), Err: formErr, Prefix: "cost-", Fields: []field{
		{Name: "sku", Type: "hidden", Value: sku},
		{Name: "unit_cost", Label: "Unit cost", Type: "money", Required: true, Value: val("unit_cost", "")},
		{Name: "currency", Label: "Currency", Type: "select", Options: currencies, Value: val("currency", "USD")},
		{Name: "valid_from", Label: "From", Type: "date", Required: true, Value: val("valid_from", time.Now().Format(time.DateOnly)),
			Hint: "The cost in force then ends that day; figures already booked keep theirs."}}}
	status := http.StatusOK
	if formErr != nil {
		status = formErr.Status
	}
	return v.showStatus(status, v.page.Title, costsView(d, nil))
}

// setCost records a standard cost from a day on.
func (s *Server) setCost(v *visit) error {
	f := v.r.PostFormValue
	amount, err := models.ParseMoney(f("unit_cost"), models.Currency(f("currency")))
	if err != nil {
		return v.showCosts(&apiError{Status: http.StatusUnprocessableEntity, Title: "Check the highlighted fields",
			Errors: []models.FieldError{{Field: "unit_cost", Message: err.Error()}}})
	}
	body := map[string]any{"currency": f("currency"), "unit_cost": amount, "valid_from": dateParam(f("valid_from"))}
	if err := v.call(http.MethodPost, "/api/v1/products/"+url.PathEscape(f("sku"))+"/costs", body, nil); err != nil {
		ae := refusal(err)
		if ae == nil {
			return err
		}
		return v.showCosts(ae)
	}
	return v.redirectDone("/pricing/costs?sku="+url.QueryEscape(f("sku")), doneSaved)
}

func costsTable(d costsData) table {
	t := table{Caption: "Standard costs of " + d.SKU + ", newest first", Empty: "No standard cost yet: its margin is its whole net.",
		Head: []string{"Unit cost", "From", "Until", "Set by"}, Numeric: map[int]bool{0: true}}
	for _, c := range d.Costs {
		until := templ.Component(text("in force"))
		switch {
		case c.ValidTo != nil:
			until = when(day(*c.ValidTo))
		case c.ValidFrom.After(time.Now()):
			until = text("from its start on")
		}
		t.Rows = append(t.Rows, []templ.Component{text(money(c.UnitCost, c.Currency)), when(day(c.ValidFrom)), until, text(c.CreatedBy)})
	}
	return t
}
