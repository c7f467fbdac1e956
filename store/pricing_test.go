package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/store"
)

func TestPricingRulesFollowEffectiveDates(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := func(day int) time.Time { return time.Date(2026, 5, day, 0, 0, 0, 0, time.UTC) }
		stockUp(t, s, "WID", nil)
		c := &models.Customer{Name: "Acme", Email: "a@example.com", Segment: "enterprise", Region: "US-CA", Currency: "USD", Tier: 1}
		if err := s.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		pl := &pricing.PriceList{Name: "Enterprise", Segment: "enterprise", Currency: "USD", Window: pricing.Window{From: d(1)},
			Items: map[string][]pricing.Tier{"WID": {{MinQty: 1, UnitPrice: 90}}}}
		if err := s.CreatePriceList(ctx, pl, "user:p"); err != nil {
			t.Fatal(err)
		}
		if err := s.EndPricingRule(ctx, store.RulePriceList, pl.ID, d(10)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateCustomerPrice(ctx, pricing.CustomerPrice{CustomerID: c.ID, SKU: "WID", UnitPrice: 80, Currency: "USD", Window: pricing.Window{From: d(20)}}, "user:p"); err != nil {
			t.Fatal(err)
		}
		if err := s.CreatePromotion(ctx, &pricing.Promotion{Code: "MAY", Description: "May 5%", PercentBP: 500, Window: pricing.Window{From: d(1), To: d(31)}}, "user:p"); err != nil {
			t.Fatal(err)
		}
		for _, tr := range []struct {
			rate int64
			from time.Time
		}{{700, d(1)}, {725, d(15)}} {
			if err := s.SetTaxRate(ctx, "US-CA", tr.rate, tr.from, "user:p"); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name        string
			at          time.Time
			lists, cust int
			tax         int64
		}{
			{"before anything", time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC), 0, 0, 0},
			{"price list in force", d(5), 1, 0, 700},
			{"price list ended, new tax rate", d(16), 0, 0, 725},
			{"customer price from the 20th", d(20), 0, 1, 725},
		}
		for _, tc := range tests {
			b, err := s.PricingBook(ctx, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.PriceLists) != tc.lists || len(b.CustomerPrices) != tc.cust || b.TaxRatesBP["US-CA"] != tc.tax || b.Products["WID"].ListPrice.Amount != 100 {
				t.Errorf("%s: lists %d customer prices %d tax %d", tc.name, len(b.PriceLists), len(b.CustomerPrices), b.TaxRatesBP["US-CA"])
			}
		}
		h, err := s.PricingRules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(h.PriceLists) != 1 || h.PriceLists[0].To.IsZero() || len(h.TaxRates) != 2 || h.TaxRates[0].To != d(15) {
			t.Fatalf("history lost: %+v", h)
		}
		if err := s.EndPricingRule(ctx, store.RulePriceList, pl.ID, d(12)); err == nil {
			t.Fatal("ending an already-ended price list again succeeded")
		}
	})
}

func TestEndingAndCorrectingPricingRules(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := func(day int) time.Time { return time.Date(2026, 5, day, 0, 0, 0, 0, time.UTC) }
		stockUp(t, s, "WID", nil)
		c := &models.Customer{Name: "Acme", Email: "a@example.com", Segment: "enterprise", Region: "US-CA", Currency: "USD", Tier: 1}
		if err := s.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		cp := pricing.CustomerPrice{CustomerID: c.ID, SKU: "WID", UnitPrice: 80, Currency: "USD", Window: pricing.Window{From: d(1)}}
		id, err := s.CreateCustomerPrice(ctx, cp, "user:p")
		if err != nil {
			t.Fatal(err)
		}
		cp.From = d(5)
		if _, err := s.CreateCustomerPrice(ctx, cp, "user:p"); !isField(err, "valid_from") {
			t.Fatalf("an overlapping customer price: %v", err)
		}
		for _, bad := range []struct {
			field string
			edit  func(*pricing.CustomerPrice)
		}{
			{"currency", func(p *pricing.CustomerPrice) { p.Currency = "EUR" }},
			{"customer_id", func(p *pricing.CustomerPrice) { p.CustomerID = "nobody" }},
			{"sku", func(p *pricing.CustomerPrice) { p.SKU = "NOPE" }},
		} {
			p := cp
			bad.edit(&p)
			if _, err := s.CreateCustomerPrice(ctx, p, "user:p"); !isField(err, bad.field) {
				t.Fatalf("a customer price with a bad %s: %v", bad.field, err)
			}
		}
		// Corrected from the 10th: 80 until then, 75 after; sent twice, one correction.
		first, err := s.ReplaceCustomerPrice(ctx, id, 75, d(10), "user:p")
		if err != nil {
			t.Fatal(err)
		}
		if again, err := s.ReplaceCustomerPrice(ctx, id, 75, d(10), "user:p"); err != nil || again != first {
			t.Fatalf("a retried correction: %q %v, want %q", again, err, first)
		}
		if _, err := s.ReplaceCustomerPrice(ctx, id, 70, d(12), "user:p"); !isField(err, "valid_from") {
			t.Fatalf("correcting an ended price: %v", err)
		}
		for _, tc := range []struct {
			at   time.Time
			want int64
		}{{d(9), 80}, {d(10), 75}, {d(30), 75}} {
			b, err := s.PricingBook(ctx, tc.at)
			if err != nil || len(b.CustomerPrices) != 1 || b.CustomerPrices[0].UnitPrice != tc.want {
				t.Fatalf("on %s: %+v %v, want %d", tc.at, b.CustomerPrices, err, tc.want)
			}
		}
		promo := &pricing.Promotion{Code: "MAY", Description: "May 5%", PercentBP: 500, Window: pricing.Window{From: d(1)}}
		if err := s.CreatePromotion(ctx, promo, "user:p"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name  string
			at    time.Time
			field string
		}{
			{"before its start", d(1), "at"},
			{"at the 20th", d(20), ""},
			{"at the 20th again (a retry)", d(20), ""},
			{"later, once ended", d(25), "at"},
		}
		for _, tc := range tests {
			err := s.EndPricingRule(ctx, store.RulePromotion, promo.ID, tc.at)
			if (tc.field == "" && err != nil) || (tc.field != "" && !isField(err, tc.field)) {
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
		if b, _ := s.PricingBook(ctx, d(21)); len(b.Promotions) != 0 {
			t.Fatalf("an ended promotion still applies: %+v", b.Promotions)
		}
		if h, _ := s.PricingRules(ctx); len(h.CustomerPrices) != 2 || len(h.Promotions) != 1 {
			t.Fatalf("history: %d customer prices, %d promotions", len(h.CustomerPrices), len(h.Promotions))
		}
	})
}

// isField reports whether err is a validation error naming field first.
func isField(err error, field string) bool {
	var ve *models.ValidationError
	return errors.As(err, &ve) && len(ve.Fields) > 0 && ve.Fields[0].Field == field
}

// TestPricingBookForABasket: a quote's book holds the SKUs it names and
// its own customer's prices for them, and prices the basket as the whole
// book does.
func TestPricingBookForABasket(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 5, 5, 0, 0, 0, 0, time.UTC)
		for _, sku := range []string{"WID", "GAD", "BOLT"} {
			stockUp(t, s, sku, nil)
		}
		if err := s.SetTaxRate(ctx, "US-CA", 725, at.AddDate(-1, 0, 0), "test"); err != nil {
			t.Fatal(err)
		}
		var customers []*models.Customer
		for _, name := range []string{"Acme", "Globex"} {
			c := &models.Customer{Name: name, Email: name + "@example.com", Segment: "enterprise", Region: "US-CA", Currency: "USD", Tier: 1}
			if err := s.CreateCustomer(ctx, c); err != nil {
				t.Fatal(err)
			}
			customers = append(customers, c)
		}
		acme, globex := customers[0], customers[1]
		for _, cp := range []pricing.CustomerPrice{
			{CustomerID: acme.ID, SKU: "WID", UnitPrice: 80},
			{CustomerID: acme.ID, SKU: "BOLT", UnitPrice: 7},
			{CustomerID: globex.ID, SKU: "WID", UnitPrice: 85},
		} {
			cp.Currency, cp.Window = "USD", pricing.Window{From: at.AddDate(0, 0, -1)}
			if _, err := s.CreateCustomerPrice(ctx, cp, "user:p"); err != nil {
				t.Fatal(err)
			}
		}
		part, err := s.PricingBookFor(ctx, at, acme.ID, []string{"WID", "GAD"})
		if err != nil {
			t.Fatal(err)
		}
		if len(part.Products) != 2 || part.Products["BOLT"].SKU != "" || len(part.CustomerPrices) != 1 || part.CustomerPrices[0].UnitPrice != 80 {
			t.Fatalf("Acme's book for WID and GAD: %d products, customer prices %+v", len(part.Products), part.CustomerPrices)
		}
		whole, err := s.PricingBook(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		if len(whole.Products) != 3 || len(whole.CustomerPrices) != 3 {
			t.Fatalf("the whole book: %d products, %d customer prices", len(whole.Products), len(whole.CustomerPrices))
		}
		basket := pricing.Basket{Customer: pricing.CustomerOf(*acme), Lines: []pricing.Line{{SKU: "WID", Qty: 3}, {SKU: "GAD", Qty: 1}}, At: at}
		fromPart, err := pricing.Price(part, basket)
		if err != nil {
			t.Fatal(err)
		}
		fromWhole, err := pricing.Price(whole, basket)
		if err != nil {
			t.Fatal(err)
		}
		// WID at Acme's 80 × 3, GAD at its list price of 100.
		if fromPart.Subtotal != 340 || fromWhole.Subtotal != 340 {
			t.Fatalf("subtotal from Acme's book %d, from the whole book %d; want 340", fromPart.Subtotal, fromWhole.Subtotal)
		}
		if _, err := s.PricingBookFor(ctx, at, globex.ID, nil); err != nil {
			t.Fatalf("a book for no SKUs: %v", err)
		}
	})
}
