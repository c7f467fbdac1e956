package store_test

import (
	"context"
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
		if err := s.EndPriceList(ctx, pl.ID, d(10)); err != nil {
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
		if err := s.EndPriceList(ctx, pl.ID, d(12)); err == nil {
			t.Fatal("ending an already-ended price list again succeeded")
		}
	})
}
