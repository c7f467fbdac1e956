package pricing_test

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
)

// FuzzPriceNeverWraps prices two lines at any list prices, quantities,
// promotion and tax rate, and checks every figure against exact integer
// arithmetic (math/big): an answer is exact to the minor unit, and a
// refusal happens only when an exact figure is above models.MaxAmount.
func FuzzPriceNeverWraps(f *testing.F) {
	f.Add(int64(1999), int64(3), int64(750), int64(2), int64(1000), int64(50), int64(725))
	f.Add(int64(models.MaxUnitPrice), int64(models.MaxQty), int64(models.MaxUnitPrice), int64(models.MaxQty), int64(10_000), int64(0), int64(10_000))
	f.Add(int64(1<<62), int64(4), int64(1), int64(1), int64(0), int64(1<<61), int64(1<<40))
	f.Fuzz(func(t *testing.T, priceA, qtyA, priceB, qtyB, percentBP, amountOff, taxBP int64) {
		if priceA < 0 || priceB < 0 || percentBP < 0 || amountOff < 0 || taxBP < 0 {
			return // the store refuses negative prices, rates and discounts
		}
		bk := pricing.Book{
			Products: map[string]pricing.Product{
				"A": {SKU: "A", Name: "A", ListPrice: usd(priceA), Active: true},
				"B": {SKU: "B", Name: "B", ListPrice: usd(priceB), Active: true},
			},
			Promotions: []pricing.Promotion{{ID: "p", Description: "p", PercentBP: percentBP, AmountOff: amountOff, Currency: "USD", Window: pricing.Window{From: jan1}}},
			TaxRatesBP: map[string]int64{"US-TX": taxBP},
		}
		basket := pricing.Basket{Customer: small, At: feb1, Lines: []pricing.Line{{SKU: "A", Qty: qtyA}, {SKU: "B", Qty: qtyB}}}
		res, err := pricing.Price(bk, basket)

		// The same rules, exactly.
		var lineTotals []*big.Int
		total, tooLarge := new(big.Int), false
		maxAmount := big.NewInt(models.MaxAmount)
		for _, l := range []struct{ price, qty int64 }{{priceA, qtyA}, {priceB, qtyB}} {
			gross := new(big.Int).Mul(big.NewInt(l.price), big.NewInt(l.qty))
			disc := roundDiv(new(big.Int).Mul(gross, big.NewInt(percentBP)), 10_000)
			disc.Add(disc, new(big.Int).Mul(big.NewInt(amountOff), big.NewInt(l.qty)))
			if disc.Cmp(gross) > 0 {
				disc.Set(gross)
			}
			net := new(big.Int).Sub(gross, disc)
			tax := roundDiv(new(big.Int).Mul(net, big.NewInt(taxBP)), 10_000)
			lt := new(big.Int).Add(net, tax)
			lineTotals = append(lineTotals, lt)
			total.Add(total, lt)
			// Gross and list totals must fit an int64 to be counted at all.
			tooLarge = tooLarge || lt.Cmp(maxAmount) > 0 || !gross.IsInt64()
		}
		tooLarge = tooLarge || total.Cmp(maxAmount) > 0

		var ve *models.ValidationError
		switch {
		case err != nil && !errors.As(err, &ve):
			t.Fatalf("not a validation error: %v", err)
		case err != nil && strings.Contains(err.Error(), "too large to price"):
			if !tooLarge {
				t.Fatalf("refused as too large, but the exact total is %s (lines %v)", total, lineTotals)
			}
			return
		case err != nil:
			return // a quantity out of bounds, say: refused for its own reason
		}
		if total.Cmp(big.NewInt(res.Total)) != 0 {
			t.Fatalf("total %d, exact %s", res.Total, total)
		}
		for i, lt := range lineTotals {
			if lt.Cmp(big.NewInt(res.Lines[i].Total)) != 0 {
				t.Fatalf("line %d total %d, exact %s", i+1, res.Lines[i].Total, lt)
			}
		}
		if res.Net+res.Tax != res.Total || res.Subtotal-res.Discount != res.Net || res.Total > models.MaxAmount {
			t.Fatalf("totals do not add up: %+v", res)
		}
	})
}

// roundDiv is n/d rounded half away from zero, exactly.
func roundDiv(n *big.Int, d int64) *big.Int {
	q, r := new(big.Int).QuoRem(n, big.NewInt(d), new(big.Int))
	if new(big.Int).Lsh(new(big.Int).Abs(r), 1).Cmp(big.NewInt(d)) >= 0 {
		q.Add(q, big.NewInt(int64(n.Sign())))
	}
	return q
}

// TestPriceRefusesWhatWouldOverflow: 10^6 units at 10^13 minor units each
// (10^19) does not fit an int64; two lines of 6×10^11 each fit but their
// total passes models.MaxAmount. Both are refused, naming where.
func TestPriceRefusesWhatWouldOverflow(t *testing.T) {
	for _, c := range []struct {
		name   string
		priceA int64
		qtyA   int64
		priceB int64
		qtyB   int64
		field  string
	}{
		{"a line past int64", 10_000_000_000_000, 1_000_000, 1, 1, "lines[0].qty"},
		{"a line past the largest amount", 1, 1, 1_000_000_000_001, 1, "lines[1].qty"},
		{"a total past the largest amount", 600_000_000_000, 1, 600_000_000_000, 1, "lines"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bk := pricing.Book{Products: map[string]pricing.Product{
				"A": {SKU: "A", Name: "A", ListPrice: usd(c.priceA), Active: true},
				"B": {SKU: "B", Name: "B", ListPrice: usd(c.priceB), Active: true},
			}, TaxRatesBP: map[string]int64{"US-TX": 0}}
			_, err := pricing.Price(bk, pricing.Basket{Customer: small, At: feb1, Lines: []pricing.Line{{SKU: "A", Qty: c.qtyA}, {SKU: "B", Qty: c.qtyB}}})
			var ve *models.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != c.field {
				t.Fatalf("err = %v; want one invalid field %s", err, c.field)
			}
		})
	}
}
