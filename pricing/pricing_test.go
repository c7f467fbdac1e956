package pricing_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
)

var (
	jan1  = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	feb1  = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	mar1  = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	usd   = func(a int64) models.Money { return models.NewMoney(a, "USD") }
	acme  = pricing.Customer{ID: "acme", Segment: "enterprise", Region: "US-CA", Currency: "USD"}
	small = pricing.Customer{ID: "shop", Segment: "smb", Region: "US-TX", Currency: "USD"}
)

func book() pricing.Book {
	return pricing.Book{
		Products: map[string]pricing.Product{
			"WID": {SKU: "WID", Name: "Widget", ListPrice: usd(1999), Active: true},
			"CAB": {SKU: "CAB", Name: "Cable", ListPrice: usd(750), Active: true},
			"OLD": {SKU: "OLD", Name: "Retired", ListPrice: usd(100), Active: false},
			"EUR": {SKU: "EUR", Name: "Euro item", ListPrice: models.NewMoney(500, "EUR"), Active: true},
		},
		PriceLists: []pricing.PriceList{
			{ID: "pl-ent", Name: "Enterprise", Segment: "enterprise", Currency: "USD", Window: pricing.Window{From: jan1},
				Items: map[string][]pricing.Tier{"WID": {{MinQty: 1, UnitPrice: 1800}, {MinQty: 100, UnitPrice: 1600}, {MinQty: 10, UnitPrice: 1700}}}},
			{ID: "pl-ent-ca", Name: "Enterprise California", Segment: "enterprise", Region: "US-CA", Currency: "USD", Window: pricing.Window{From: feb1, To: mar1},
				Items: map[string][]pricing.Tier{"CAB": {{MinQty: 1, UnitPrice: 700}}}},
		},
		CustomerPrices: []pricing.CustomerPrice{
			{CustomerID: "acme", SKU: "CAB", UnitPrice: 650, Currency: "USD", Window: pricing.Window{From: mar1}},
		},
		Promotions: []pricing.Promotion{
			{ID: "promo-spring", Code: "SPRING10", Description: "Spring sale 10%", PercentBP: 1000, Window: pricing.Window{From: jan1, To: mar1}},
			{ID: "promo-cable", Description: "Cable bundle: 0.50 off each from 20", SKU: "CAB", MinQty: 20, AmountOff: 50, Currency: "USD", Window: pricing.Window{From: jan1}},
		},
		TaxRatesBP: map[string]int64{"US-CA": 725, "US-TX": 625},
	}
}

func TestPriceRules(t *testing.T) {
	tests := []struct {
		name       string
		basket     pricing.Basket
		wantUnit   int64
		wantSource string
		wantDisc   int64
		wantTax    int64
		wantTotal  int64
	}{
		{"list price for a segment without a price list",
			pricing.Basket{Customer: small, At: feb1, Lines: []pricing.Line{{SKU: "WID", Qty: 1}}},
			1999, "list price", 0, 125, 2124}, // 19.99 × 6.25% = 1.249… → 1.25
		{"segment price list base tier",
			pricing.Basket{Customer: acme, At: feb1, Lines: []pricing.Line{{SKU: "WID", Qty: 9}}},
			1800, "price list Enterprise", 0, 1175, 17375}, // 162.00 × 7.25% = 11.745 → 11.75
		{"volume tier reached at exactly its minimum",
			pricing.Basket{Customer: acme, At: feb1, Lines: []pricing.Line{{SKU: "WID", Qty: 10}}},
			1700, "price list Enterprise, volume tier 10+", 0, 1233, 18233}, // 170.00 × 7.25% = 12.325 → 12.33
		{"highest tier the quantity reaches, whatever the order tiers are listed in",
			pricing.Basket{Customer: acme, At: feb1, Lines: []pricing.Line{{SKU: "WID", Qty: 150}}},
			1600, "price list Enterprise, volume tier 100+", 0, 17400, 257400},
		{"segment and region list beats segment list",
			pricing.Basket{Customer: acme, At: feb1, Lines: []pricing.Line{{SKU: "CAB", Qty: 2}}},
			700, "price list Enterprise California", 0, 102, 1502}, // 14.00 × 7.25% = 1.015 → 1.02
		{"expired price list falls back to list price",
			pricing.Basket{Customer: small, At: mar1, Lines: []pricing.Line{{SKU: "CAB", Qty: 2}}},
			750, "list price", 0, 94, 1594},
		{"customer price beats every list",
			pricing.Basket{Customer: acme, At: mar1, Lines: []pricing.Line{{SKU: "CAB", Qty: 2}}},
			650, "customer price", 0, 94, 1394}, // 13.00 × 7.25% = 0.9425 → 0.94
		{"promotion code takes 10% per line, rounded half away from zero",
			pricing.Basket{Customer: small, At: feb1, PromoCode: "SPRING10", Lines: []pricing.Line{{SKU: "WID", Qty: 1}}},
			1999, "list price", 200, 112, 1911}, // 1.999 → 2.00 off; 17.99 × 6.25% = 1.124 → 1.12
		{"a promotion code is the same code in any letter case",
			pricing.Basket{Customer: small, At: feb1, PromoCode: "spring10", Lines: []pricing.Line{{SKU: "WID", Qty: 1}}},
			1999, "list price", 200, 112, 1911},
		{"automatic promotion needs its minimum quantity",
			pricing.Basket{Customer: small, At: mar1, Lines: []pricing.Line{{SKU: "CAB", Qty: 19}}},
			750, "list price", 0, 891, 15141},
		{"automatic amount-off promotion",
			pricing.Basket{Customer: small, At: mar1, Lines: []pricing.Line{{SKU: "CAB", Qty: 20}}},
			750, "list price", 1000, 875, 14875},
		{"a tax region other than the customer's region sets the tax; the region still picks the price list",
			pricing.Basket{Customer: pricing.Customer{ID: "acme-tx", Segment: "enterprise", Region: "US-CA", TaxRegion: "US-TX", Currency: "USD"}, At: feb1, Lines: []pricing.Line{{SKU: "CAB", Qty: 2}}},
			700, "price list Enterprise California", 0, 88, 1488}, // 14.00 × 6.25% = 0.875 → 0.88
		{"promotions do not stack: the larger one applies",
			pricing.Basket{Customer: small, At: feb1, PromoCode: "SPRING10", Lines: []pricing.Line{{SKU: "CAB", Qty: 20}}},
			750, "list price", 1500, 844, 14344}, // 10% of 150.00 = 15.00 beats 10.00
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := pricing.Price(book(), tc.basket)
			if err != nil {
				t.Fatal(err)
			}
			l := r.Lines[0]
			if l.UnitPrice != tc.wantUnit || l.PriceSource != tc.wantSource || l.Discount != tc.wantDisc || l.Tax != tc.wantTax || l.Total != tc.wantTotal {
				t.Fatalf("got unit %d (%s) discount %d tax %d total %d\nwant unit %d (%s) discount %d tax %d total %d",
					l.UnitPrice, l.PriceSource, l.Discount, l.Tax, l.Total, tc.wantUnit, tc.wantSource, tc.wantDisc, tc.wantTax, tc.wantTotal)
			}
			if l.Net != l.Gross-l.Discount || l.Total != l.Net+l.Tax || r.Total != l.Total {
				t.Fatalf("line does not add up: %+v", l)
			}
			if tc.wantDisc > 0 && (len(l.Discounts) != 1 || l.Discounts[0].Reason == "") {
				t.Fatalf("discount not explained: %+v", l.Discounts)
			}
		})
	}
}

// Totals are sums of line values: a two-line basket's total is exactly the
// sum of its lines (the reference app's invoice came out ~69% too high by
// accumulating inside the line loop).
func TestTotalsAreSumsOfLines(t *testing.T) {
	r, err := pricing.Price(book(), pricing.Basket{Customer: acme, At: feb1, PromoCode: "SPRING10",
		Lines: []pricing.Line{{SKU: "WID", Qty: 3}, {SKU: "CAB", Qty: 25}}})
	if err != nil {
		t.Fatal(err)
	}
	var gross, disc, tax, total int64
	for _, l := range r.Lines {
		gross, disc, tax, total = gross+l.Gross, disc+l.Discount, tax+l.Tax, total+l.Total
	}
	if r.Subtotal != gross || r.Discount != disc || r.Tax != tax || r.Total != total || r.Net != gross-disc {
		t.Fatalf("totals %+v do not match lines", r)
	}
	// WID 3×18.00 = 54.00, -5.40 = 48.60; CAB 25×7.00 = 175.00, -17.50 = 157.50
	if r.Subtotal != 22900 || r.Discount != 2290 || r.Net != 20610 {
		t.Fatalf("subtotal %d discount %d net %d", r.Subtotal, r.Discount, r.Net)
	}
	// List 3×19.99 + 25×7.50 = 247.47; net 206.10 is 16.72% below list.
	if r.ListTotal != 24747 || r.DiscountBP != 1672 {
		t.Fatalf("list total %d discount %d bp", r.ListTotal, r.DiscountBP)
	}
}

func TestInvalidBasketsNameTheField(t *testing.T) {
	tests := []struct {
		name   string
		basket pricing.Basket
		field  string
	}{
		{"no lines", pricing.Basket{Customer: acme, At: feb1}, "lines"},
		{"unknown SKU", pricing.Basket{Customer: acme, At: feb1, Lines: []pricing.Line{{SKU: "NOPE", Qty: 1}}}, "lines[0].sku"},
		{"retired SKU", pricing.Basket{Customer: acme, At: feb1, Lines: []pricing.Line{{SKU: "OLD", Qty: 1}}}, "lines[0].sku"},
		{"currency mismatch", pricing.Basket{Customer: acme, At: feb1, Lines: []pricing.Line{{SKU: "EUR", Qty: 1}}}, "lines[0].sku"},
		{"zero quantity", pricing.Basket{Customer: acme, At: feb1, Lines: []pricing.Line{{SKU: "WID", Qty: 0}}}, "lines[0].qty"},
		{"huge quantity", pricing.Basket{Customer: acme, At: feb1, Lines: []pricing.Line{{SKU: "WID", Qty: pricing.MaxQty + 1}}}, "lines[0].qty"},
		{"duplicate SKU", pricing.Basket{Customer: acme, At: feb1, Lines: []pricing.Line{{SKU: "WID", Qty: 1}, {SKU: "WID", Qty: 2}}}, "lines[1].sku"},
		{"expired promo code", pricing.Basket{Customer: acme, At: mar1, PromoCode: "SPRING10", Lines: []pricing.Line{{SKU: "WID", Qty: 1}}}, "promo_code"},
		{"no pricing date", pricing.Basket{Customer: acme, Lines: []pricing.Line{{SKU: "WID", Qty: 1}}}, "at"},
		{"a region with no tax rate on file", pricing.Basket{Customer: pricing.Customer{ID: "typo", Region: "California", Currency: "USD"}, At: feb1,
			Lines: []pricing.Line{{SKU: "WID", Qty: 1}}}, "customer_id"},
		{"a tax region with no rate on file", pricing.Basket{Customer: pricing.Customer{ID: "t", Region: "US-CA", TaxRegion: "US-ZZ", Currency: "USD"}, At: feb1,
			Lines: []pricing.Line{{SKU: "WID", Qty: 1}}}, "customer_id"},
		{"no region at all", pricing.Basket{Customer: pricing.Customer{ID: "none", Currency: "USD"}, At: feb1, Lines: []pricing.Line{{SKU: "WID", Qty: 1}}}, "customer_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pricing.Price(book(), tc.basket)
			var ve *models.ValidationError
			if !errors.As(err, &ve) || ve.Fields[0].Field != tc.field {
				t.Fatalf("err = %v, want a validation error on %s", err, tc.field)
			}
		})
	}
}

func BenchmarkPrice50Lines(b *testing.B) {
	bk := book()
	basket := pricing.Basket{Customer: acme, At: feb1, PromoCode: "SPRING10"}
	for i := 0; i < 50; i++ {
		sku := string(rune('A'+i/26)) + string(rune('A'+i%26))
		bk.Products[sku] = pricing.Product{SKU: sku, Name: sku, ListPrice: usd(int64(100 + i)), Active: true}
		basket.Lines = append(basket.Lines, pricing.Line{SKU: sku, Qty: int64(1 + i)})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pricing.Price(bk, basket); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAZeroTaxRateIsNotAMissingOne: a region whose rate is set to 0 (no
// sales tax there) prices without tax; only a region with no rate at all is
// refused.
func TestAZeroTaxRateIsNotAMissingOne(t *testing.T) {
	bk := book()
	bk.TaxRatesBP["US-OR"] = 0
	res, err := pricing.Price(bk, pricing.Basket{Customer: pricing.Customer{ID: "or", Region: "US-OR", Currency: "USD"}, At: feb1,
		Lines: []pricing.Line{{SKU: "WID", Qty: 2}}})
	if err != nil || res.Tax != 0 || res.Total != 3998 {
		t.Fatalf("priced %+v, %v; want 2 × 19.99 = 39.98 and no tax", res, err)
	}
}

// TestOpenWindowHasNoEnd: a rule in force until further notice answers
// without valid_to, not with year 1 as its end.
func TestOpenWindowHasNoEnd(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		w    pricing.Window
		want string
	}{
		{"open", pricing.Window{From: from}, `{"valid_from":"2026-01-01T00:00:00Z"}`},
		{"ended", pricing.Window{From: from, To: from.AddDate(0, 1, 0)}, `{"valid_from":"2026-01-01T00:00:00Z","valid_to":"2026-02-01T00:00:00Z"}`},
	} {
		raw, err := json.Marshal(tc.w)
		if err != nil || string(raw) != tc.want {
			t.Errorf("%s: %s %v, want %s", tc.name, raw, err, tc.want)
		}
	}
}
