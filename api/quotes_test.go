package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/api"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

// TestAQuoteRefusalNamesEveryBadField: a quote whose own checks fail (a
// quantity of nought) also names what pricing would refuse in the same
// request (a SKU not in the catalog, a promotion code not in force), in one
// answer, on create and on edit, and nothing is priced or stored. A field
// both refuse keeps the request check's message, once.
func TestAQuoteRefusalNamesEveryBadField(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if err := h.st.UpsertProduct(ctx, &models.Product{SKU: "WID", Name: "Widget", ListPrice: 100, Currency: "USD", Active: true}); err != nil {
		t.Fatal(err)
	}
	cust := &models.Customer{Name: "Acme", Email: "c@example.com", Region: "US-CA", Tier: 1, Currency: "USD"}
	if err := h.st.CreateCustomer(ctx, cust); err != nil {
		t.Fatal(err)
	}
	if err := h.st.SetTaxRate(ctx, "US-CA", 725, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), "test"); err != nil {
		t.Fatal(err)
	}
	state, _ := json.Marshal(workflows.QuoteState{QuoteID: "Q-EDIT", CustomerID: cust.ID})
	if err := h.st.SaveQuote(ctx, models.QuoteRecord{ID: "Q-EDIT", CustomerID: cust.ID, Status: workflows.QuoteApproved, Currency: "USD", Rev: 1, State: string(state)}); err != nil {
		t.Fatal(err)
	}
	rep := h.as(models.RoleSalesRep)
	create := func(lines, promo string) (string, string) {
		return "POST", fmt.Sprintf(`{"customer_id":%q,"lines":%s,"promo_code":%q}`, cust.ID, lines, promo)
	}
	edit := func(lines, promo string) (string, string) {
		return "PUT", fmt.Sprintf(`{"lines":%s,"promo_code":%q}`, lines, promo)
	}
	tests := []struct {
		name   string
		req    func(lines, promo string) (string, string)
		lines  string
		promo  string
		fields []string
	}{
		{"create: a bad quantity and an unknown SKU on two lines", create, `[{"sku":"WID","qty":0},{"sku":"NOPE","qty":1}]`, "", []string{"lines[0].qty", "lines[1].sku"}},
		{"create: both on one line", create, `[{"sku":"NOPE","qty":0}]`, "", []string{"lines[0].qty", "lines[0].sku"}},
		{"create: a bad quantity and a promotion not in force", create, `[{"sku":"WID","qty":0}]`, "NOSUCH", []string{"lines[0].qty", "promo_code"}},
		{"create: a missing SKU is named once", create, `[{"sku":"","qty":0}]`, "", []string{"lines[0].sku", "lines[0].qty"}},
		{"create: no customer named, and a bad quantity", func(lines, promo string) (string, string) {
			return "POST", fmt.Sprintf(`{"lines":%s}`, lines)
		}, `[{"sku":"WID","qty":0}]`, "", []string{"customer_id", "lines[0].qty"}},
		{"edit: a bad quantity and an unknown SKU", edit, `[{"sku":"NOPE","qty":0}]`, "", []string{"lines[0].qty", "lines[0].sku"}},
	}
	path := map[string]string{"POST": "/api/v1/quotes", "PUT": "/api/v1/quotes/Q-EDIT"}
	audits := h.count("audit")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method, body := tc.req(tc.lines, tc.promo)
			w := h.do(method, path[method], rep, body, nil)
			if w.Code != 422 || w.Header().Get("Content-Type") != api.ProblemContentType {
				t.Fatalf("got %d %s", w.Code, w.Body)
			}
			var p api.Problem
			decode(t, w, &p)
			var got []string
			for _, f := range p.Errors {
				got = append(got, f.Field)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.fields))
			if !slices.Equal(got, want) {
				t.Fatalf("the refusal names %v (%+v), want %v", got, p.Errors, want)
			}
		})
	}
	if h.count("audit") != audits {
		t.Fatal("a refused quote changed something")
	}
}
