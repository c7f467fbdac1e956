package pricing_test

import (
	"testing"

	"github.com/q2c-dev/q2c/pricing"
)

func TestProrateAddsUpToTheLine(t *testing.T) {
	// 7 units at 3.33 = 23.31, 10% off = 2.33 (2.331), tax 7.25% of 20.98 = 1.52 (1.52105)
	line := pricing.PricedLine{Qty: 7, UnitPrice: 333, Gross: 2331, Discount: 233, Net: 2098, Tax: 152, Total: 2250}
	tests := []struct {
		name   string
		splits []int64
	}{
		{"one shipment", []int64{7}},
		{"two shipments", []int64{3, 4}},
		{"one unit at a time", []int64{1, 1, 1, 1, 1, 1, 1}},
		{"uneven", []int64{5, 1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var billed pricing.Invoiced
			for _, q := range tc.splits {
				part := pricing.Prorate(line, q, billed)
				if part.Net != part.Gross-part.Discount || part.Total != part.Net+part.Tax || part.Gross < 0 || part.Tax < 0 {
					t.Fatalf("part does not add up: %+v", part)
				}
				billed = billed.Add(part)
			}
			if billed.Qty != line.Qty || billed.Gross != line.Gross || billed.Discount != line.Discount || billed.Net != line.Net || billed.Tax != line.Tax || billed.Total != line.Total {
				t.Fatalf("billed %+v, line %+v", billed, line)
			}
		})
	}
	// Three units of seven: 23.31 × 3/7 = 9.99, discount 0.999 → 1.00, tax 0.651… → 0.65.
	if p := pricing.Prorate(line, 3, pricing.Invoiced{}); p.Gross != 999 || p.Discount != 100 || p.Tax != 65 || p.Total != 964 {
		t.Fatalf("3 of 7: %+v", p)
	}
}
