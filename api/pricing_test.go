package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/q2c-dev/q2c/api"
	"github.com/q2c-dev/q2c/models"
)

func TestPricingAnalystChangesPricesAndPreviews(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if err := h.st.UpsertProduct(ctx, &models.Product{SKU: "WID", Name: "Widget", ListPrice: 2000, Currency: "USD", Active: true}); err != nil {
		t.Fatal(err)
	}
	cust := &models.Customer{Name: "Acme", Email: "a@example.com", Segment: "enterprise", Region: "US-CA", Tier: 1, Currency: "USD"}
	if err := h.st.CreateCustomer(ctx, cust); err != nil {
		t.Fatal(err)
	}
	h.createUser("pricing@q2c.test", "pricing-password", models.Roles{models.RolePricingAnalyst}, nil)
	tok := h.login("pricing@q2c.test", "pricing-password")

	if w := h.do("PUT", "/api/v1/pricing/tax-rates/US-CA", tok, `{"rate_bp":725,"valid_from":"2026-01-01T00:00:00Z"}`, nil); w.Code != 200 {
		t.Fatalf("tax rate: %d %s", w.Code, w.Body)
	}
	bad := h.do("POST", "/api/v1/pricing/price-lists", tok, `{"name":"Ent","segment":"enterprise","currency":"USD","valid_from":"2026-01-01T00:00:00Z","items":{"WID":[{"min_qty":0,"unit_price":1800}]}}`, nil)
	var p api.Problem
	decode(t, bad, &p)
	if bad.Code != 422 || p.Errors[0].Field != "items.WID[0].min_qty" {
		t.Fatalf("bad tier: %d %+v", bad.Code, p)
	}
	unknown := h.do("POST", "/api/v1/pricing/price-lists", tok, `{"name":"Ent","currency":"USD","valid_from":"2026-01-01T00:00:00Z","items":{"NOPE":[{"min_qty":1,"unit_price":1}]}}`, nil)
	if unknown.Code != 422 {
		t.Fatalf("unknown SKU in price list: %d %s", unknown.Code, unknown.Body)
	}
	// A product is priced only in its list price's currency: a price in
	// another would be accepted and never used, so it is refused.
	jpy := &models.Customer{Name: "Nippon", Email: "n@example.com", Region: "JP", Tier: 2, Currency: "JPY"}
	if err := h.st.CreateCustomer(ctx, jpy); err != nil {
		t.Fatal(err)
	}
	for name, req := range map[string][2]string{
		"price list":     {"/api/v1/pricing/price-lists", `{"name":"Yen","currency":"JPY","valid_from":"2026-01-01T00:00:00Z","items":{"WID":[{"min_qty":1,"unit_price":3000}]}}`},
		"customer price": {"/api/v1/pricing/customer-prices", `{"customer_id":"` + jpy.ID + `","sku":"WID","unit_price":3000,"currency":"JPY","valid_from":"2026-01-01T00:00:00Z"}`},
	} {
		w := h.do("POST", req[0], tok, req[1], nil)
		var p api.Problem
		decode(t, w, &p)
		if w.Code != 422 || len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Message, "is sold in USD") {
			t.Fatalf("a %s in yen for a dollar product: %d %+v", name, w.Code, p)
		}
	}
	if w := h.do("POST", "/api/v1/pricing/price-lists", tok, `{"name":"Ent","segment":"enterprise","currency":"USD","valid_from":"2026-01-01T00:00:00Z","items":{"WID":[{"min_qty":1,"unit_price":1800}]}}`, nil); w.Code != 201 {
		t.Fatalf("price list: %d %s", w.Code, w.Body)
	}

	// Preview: today's enterprise price (18.00) against a draft 10% promotion.
	body := `{"customer_id":"` + cust.ID + `","at":"2026-06-01T00:00:00Z","lines":[{"sku":"WID","qty":10}],
		"draft":{"promotions":[{"id":"draft-1","description":"Draft 10%","percent_bp":1000,"valid_from":"2026-01-01T00:00:00Z"}]}}`
	w := h.do("POST", "/api/v1/pricing/preview", tok, body, nil)
	var pv struct {
		Current, Draft struct {
			Net, Tax, Total int64
			Lines           []struct {
				PriceSource string `json:"price_source"`
			}
		}
		Difference int64
	}
	decode(t, w, &pv)
	// 10 × 18.00 = 180.00 + 7.25% (13.05) = 193.05; draft: 162.00 + 11.745→11.75 = 173.75
	if w.Code != 200 || pv.Current.Total != 19305 || pv.Draft.Total != 17375 || pv.Difference != -1930 || pv.Current.Lines[0].PriceSource != "price list Ent" {
		t.Fatalf("preview %d: %+v", w.Code, pv)
	}
	// A preview saves nothing.
	var rules struct{ Promotions []any }
	decode(t, h.do("GET", "/api/v1/pricing/rules", tok, "", nil), &rules)
	if len(rules.Promotions) != 0 {
		t.Fatalf("preview stored its draft: %+v", rules)
	}
	if n := h.count("audit"); n != 2 {
		t.Fatalf("%d audit events for 2 pricing changes", n)
	}
}

func TestCatalogProducts(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.createUser("pricing@q2c.test", "pricing-password", models.Roles{models.RolePricingAnalyst}, nil)
	tok := h.login("pricing@q2c.test", "pricing-password")
	body := `{"name":"Gear","list_price":1250,"currency":"USD","category":"Gears","supplier":"Gearworks","lead_time_days":12,"active":true}`
	if w := h.do("PUT", "/api/v1/products/GEAR-1", tok, body, nil); w.Code != 200 {
		t.Fatalf("put product: %d %s", w.Code, w.Body)
	}
	for _, tc := range []struct {
		name, sku, body string
		fields          []string
	}{
		{"a SKU that is not a code", "bad%20sku", body, []string{"sku"}},
		{"a negative price in a currency not written as a code", "GEAR-2", `{"name":"Gear","list_price":-1,"currency":"usd","active":true}`, []string{"list_price", "currency"}},
		// Before, a body without active stored the product retired.
		{"no active", "GEAR-1", `{"name":"Gear","list_price":1300,"currency":"USD"}`, []string{"active"}},
		// Before, a body without a price or currency stored it free, or said "" is not a currency.
		{"no price, no currency", "GEAR-1", `{"name":"Gear","active":true}`, []string{"list_price", "currency"}},
		{"a lead time past two years, a category too long", "GEAR-1",
			`{"name":"Gear","list_price":1300,"currency":"USD","lead_time_days":731,"active":true,"category":"` + strings.Repeat("c", 65) + `"}`,
			[]string{"category", "lead_time_days"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p api.Problem
			w := h.do("PUT", "/api/v1/products/"+tc.sku, tok, tc.body, nil)
			decode(t, w, &p)
			var got []string
			for _, e := range p.Errors {
				got = append(got, e.Field)
			}
			if w.Code != 422 || !slices.Equal(got, tc.fields) {
				t.Fatalf("%d, fields %v, want 422 naming %v", w.Code, got, tc.fields)
			}
		})
	}
	var l struct{ Items []models.Product }
	decode(t, h.do("GET", "/api/v1/products", tok, "", nil), &l)
	if len(l.Items) != 1 || l.Items[0].SKU != "GEAR-1" || l.Items[0].UnitOfMeasure != "each" || l.Items[0].ListPrice != 1250 ||
		l.Items[0].Category != "Gears" || !l.Items[0].Active {
		t.Fatalf("catalog after the refusals: %+v", l.Items)
	}

	// Create-only: a SKU that exists is refused naming it and left as it
	// is; the key of a refused create is free for the request that follows.
	createOnly := map[string]string{"If-None-Match": "*", "Idempotency-Key": "create-gear-1"}
	changed := `{"name":"Other gear","list_price":999,"currency":"USD","active":true}`
	var p api.Problem
	w := h.do("PUT", "/api/v1/products/GEAR-1", tok, changed, createOnly)
	decode(t, w, &p)
	if w.Code != 412 || len(p.Errors) != 1 || p.Errors[0].Field != "sku" {
		t.Fatalf("create-only on an existing SKU: %d %+v", w.Code, p)
	}
	if w := h.do("PUT", "/api/v1/products/GEAR-1", tok, changed, map[string]string{"If-None-Match": `"v1"`}); w.Code != 422 {
		t.Fatalf("an entity tag products do not have: %d %s", w.Code, w.Body)
	}
	if w := h.do("PUT", "/api/v1/products/GEAR-1", tok, body, map[string]string{"Idempotency-Key": "create-gear-1"}); w.Code != 200 || w.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("the plain PUT after a refused create with its key: %d %s", w.Code, w.Body)
	}
	newGear := map[string]string{"If-None-Match": "*", "Idempotency-Key": "create-gear-3"}
	for attempt := range 2 { // a retried create answers as the first did
		if w := h.do("PUT", "/api/v1/products/GEAR-3", tok, body, newGear); w.Code != 200 || (attempt == 1) != (w.Header().Get("Idempotent-Replayed") == "true") {
			t.Fatalf("create GEAR-3, attempt %d: %d %s", attempt+1, w.Code, w.Body)
		}
	}

	// An edit from a version someone else has saved since is refused and
	// changes nothing; from the current version it saves the next one.
	var gear models.Product
	decode(t, h.do("GET", "/api/v1/products/GEAR-1", tok, "", nil), &gear)
	stale := fmt.Sprintf(`{"name":"Gear","list_price":1400,"currency":"USD","active":true,"version":%d}`, gear.Version-1)
	if w := h.do("PUT", "/api/v1/products/GEAR-1", tok, stale, nil); w.Code != 409 || !strings.Contains(w.Body.String(), "reload it and edit again") {
		t.Fatalf("an edit from an old version: %d %s", w.Code, w.Body)
	}
	current := fmt.Sprintf(`{"name":"Gear","list_price":1250,"currency":"USD","category":"Gears","supplier":"Gearworks","active":true,"version":%d}`, gear.Version)
	var saved models.Product
	w = h.do("PUT", "/api/v1/products/GEAR-1", tok, current, nil)
	decode(t, w, &saved)
	if w.Code != 200 || saved.Version != gear.Version+1 || saved.ListPrice != 1250 {
		t.Fatalf("an edit from the current version: %d %+v (was at %d)", w.Code, saved, gear.Version)
	}

	// Retired, it is still the staff's to read and no longer a customer's.
	if w := h.do("PUT", "/api/v1/products/GEAR-1", tok, `{"name":"Gear","list_price":1250,"currency":"USD","active":false}`, nil); w.Code != 200 {
		t.Fatalf("retire: %d %s", w.Code, w.Body)
	}
	var one models.Product
	decode(t, h.do("GET", "/api/v1/products/GEAR-1", tok, "", nil), &one)
	if one.Active || one.Category != "" || one.ListPrice != 1250 {
		t.Fatalf("retired product as staff read it: %+v", one)
	}
	buyer := &models.Customer{Name: "Buyer", Email: "b@example.com", Currency: "USD", Tier: 2}
	if err := h.st.CreateCustomer(ctx, buyer); err != nil {
		t.Fatal(err)
	}
	h.createUser("buyer@example.com", "buyer-password", models.Roles{models.RoleCustomer}, &buyer.ID)
	buyerTok := h.login("buyer@example.com", "buyer-password")
	if w := h.do("GET", "/api/v1/products/GEAR-1", buyerTok, "", nil); w.Code != 404 {
		t.Fatalf("a customer reads a retired product: %d %s", w.Code, w.Body)
	}
	// Who supplies a product is the staff's to know.
	var seen struct{ Items []models.Product }
	decode(t, h.do("GET", "/api/v1/products", buyerTok, "", nil), &seen)
	var gear3 models.Product
	decode(t, h.do("GET", "/api/v1/products/GEAR-3", buyerTok, "", nil), &gear3)
	if len(seen.Items) != 1 || seen.Items[0].SKU != "GEAR-3" || seen.Items[0].Supplier != "" || gear3.Supplier != "" {
		t.Fatalf("the customer's catalog: %+v, GEAR-3 %+v", seen.Items, gear3)
	}
	decode(t, h.do("GET", "/api/v1/products/GEAR-3", tok, "", nil), &gear3)
	if gear3.Supplier != "Gearworks" {
		t.Fatalf("staff read GEAR-3's supplier as %q", gear3.Supplier)
	}
	if w := h.do("GET", "/api/v1/products/NOPE-1", tok, "", nil); w.Code != 404 {
		t.Fatalf("an unknown product: %d", w.Code)
	}
	// The search finds by supplier for staff only: a customer cannot learn
	// who supplies what by searching for them.
	var found struct{ Items []models.Product }
	decode(t, h.do("GET", "/api/v1/products?q=gearworks", tok, "", nil), &found)
	if len(found.Items) == 0 {
		t.Fatal("staff find nothing by supplier")
	}
	decode(t, h.do("GET", "/api/v1/products?q=gearworks", buyerTok, "", nil), &found)
	if len(found.Items) != 0 {
		t.Fatalf("a customer finds by supplier: %+v", found.Items)
	}
	w = h.do("GET", "/api/v1/products?q="+strings.Repeat("x", models.MaxNameLen+1), tok, "", nil)
	if w.Code != 422 || !strings.Contains(w.Body.String(), `"field":"q"`) {
		t.Fatalf("an overlong search: %d %s", w.Code, w.Body)
	}
}
