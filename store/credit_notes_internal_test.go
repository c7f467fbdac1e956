package store

import (
	"fmt"
	"testing"

	"github.com/q2c-dev/q2c/models"
)

// TestPriceCorrectionLines: 10.00 off an invoice of two lines, 30.00 and
// 70.00 with 10% tax each (33.00 and 77.00 totals): shares 3.00 and the
// remainder 7.00; tax of each share in its line's proportion, 0.27 and
// 0.64 (half away from zero). A line credited to nothing takes no share.
func TestPriceCorrectionLines(t *testing.T) {
	left := []models.CreditNoteLine{
		{LineNo: 1, SKU: "A", Net: 3000, Tax: 300, Total: 3300},
		{LineNo: 2, SKU: "B", Net: 7000, Tax: 700, Total: 7700},
	}
	got := fmt.Sprint(priceCorrectionLines(left, 1000))
	want := fmt.Sprint([]models.CreditNoteLine{
		{LineNo: 1, SKU: "A", Gross: 273, Net: 273, Tax: 27, Total: 300},
		{LineNo: 2, SKU: "B", Gross: 636, Net: 636, Tax: 64, Total: 700},
	})
	if got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}

// TestRatioOverANegativeBaseIsAbsent: a product whose credit notes exceed
// its sales in a period has no margin percentage (the sales report used to
// fail on it).
func TestRatioOverANegativeBaseIsAbsent(t *testing.T) {
	for _, tc := range []struct {
		name     string
		num, den int64
		want     string
	}{
		{"a margin over revenue", 2500, 10000, "2500"},
		{"over nothing", 5, 0, "absent"},
		{"over negative revenue", -4740, -140, "absent"},
	} {
		got := "absent"
		if r := ratioBP(tc.num, tc.den); r != nil {
			got = fmt.Sprint(*r)
		}
		if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
