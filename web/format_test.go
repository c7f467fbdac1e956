package web

import (
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

func TestMoneyIsShownInTheCurrencysOwnMinorUnits(t *testing.T) {
	cases := []struct {
		name   string
		amount int64
		cur    string
		want   string
	}{
		{name: "cents", amount: 21017, cur: "USD", want: "USD 210.17"},
		{name: "thousands", amount: 123456789, cur: "USD", want: "USD 1,234,567.89"},
		{name: "under one", amount: 7, cur: "EUR", want: "EUR 0.07"},
		{name: "negative", amount: -150050, cur: "GBP", want: "GBP -1,500.50"},
		{name: "yen has no decimals", amount: 1234567, cur: "JPY", want: "JPY 1,234,567"},
		{name: "dinar has three", amount: 1234567, cur: "KWD", want: "KWD 1,234.567"},
		{name: "zero", amount: 0, cur: "USD", want: "USD 0.00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := money(c.amount, currency(c.cur)); got != c.want {
				t.Fatalf("money(%d, %s) = %q, want %q", c.amount, c.cur, got, c.want)
			}
		})
	}
}

func TestPercentagesAreReadExactly(t *testing.T) {
	for in, want := range map[string]int64{"7.25": 725, "20": 2000, "0.5": 50, "100": 10000} {
		if got, err := parseBP(in); err != nil || got != want {
			t.Errorf("parseBP(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"7.255", "abc", "", "1e2"} {
		if _, err := parseBP(bad); err == nil {
			t.Errorf("parseBP(%q) accepted", bad)
		}
	}
}

func TestUntilTextSaysHowLongIsLeft(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	cases := map[time.Duration]string{24 * time.Hour: "in 24 h", 3 * 24 * time.Hour: "in 3 days", 30 * time.Minute: "in 30 min", -2 * time.Hour: "overdue 2 h"}
	for d, want := range cases {
		if got := untilText(now.Add(d), now); got != want {
			t.Errorf("untilText(+%s) = %q, want %q", d, got, want)
		}
	}
}

func TestSafeNextStaysOnThisSite(t *testing.T) {
	for in, want := range map[string]string{"/orders/1": "/orders/1", "//evil.example/x": "/", "https://evil.example": "/", "/\\evil": "/", "": "/"} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOrderLineQuantities(t *testing.T) {
	cases := []struct {
		name             string
		line             workflows.OrderLine
		toShip, waitingN int64
	}{
		{name: "all reserved", line: workflows.OrderLine{Qty: 5, Reserved: 5}, toShip: 5},
		{name: "part shipped", line: workflows.OrderLine{Qty: 5, Reserved: 3, Shipped: 2}, toShip: 3},
		{name: "all shipped", line: workflows.OrderLine{Qty: 5, Shipped: 5}},
		{name: "short", line: workflows.OrderLine{Qty: 12, Reserved: 8}, toShip: 8, waitingN: 4},
		{name: "short, rest cancelled", line: workflows.OrderLine{Qty: 12, Shipped: 8, Cancelled: 4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := toShip(c.line); got != c.toShip {
				t.Errorf("toShip = %d, want %d", got, c.toShip)
			}
			if got := waitingQty(c.line); got != c.waitingN {
				t.Errorf("waitingQty = %d, want %d", got, c.waitingN)
			}
		})
	}
}

func TestFieldAnchorsPointAtTheirInputs(t *testing.T) {
	for in, want := range map[string]string{"lines[0].qty": "l1-f-qty", "lines[11].sku": "l12-f-sku", "amount": "p-f-amount"} {
		if got := fieldAnchor("p-", in); got != want {
			t.Errorf("fieldAnchor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCountNamesItsNoun(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "0 invoices"}, {1, "1 invoice"}, {2, "2 invoices"}} {
		if got := count(tc.n, "invoice", "invoices"); got != tc.want {
			t.Errorf("count(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// TestShipErrorsLandOnTheirBox: the API names a shipment's lines by their
// place in the request; the page by the box they came from, whose line
// numbers skip the boxes left at 0.
func TestShipErrorsLandOnTheirBox(t *testing.T) {
	sent := []workflows.ShipLineInput{{LineNo: 2, Qty: 5}, {LineNo: 3, Qty: 99}} // line 1 left at 0
	got := onShipBoxes([]models.FieldError{{Field: "lines[1].qty", Message: "only 4 reserved to ship"}, {Field: "carrier", Message: "is required"},
		{Field: "lines", Message: "this order ships complete: line 1 needs all 2 open units"}, {Field: "lines[7].qty", Message: "not sent"}}, sent)
	want := []string{"ship_3", "carrier", "lines", "lines[7].qty"}
	for i, fe := range got {
		if fe.Field != want[i] {
			t.Errorf("error %d on %q, want %q", i, fe.Field, want[i])
		}
	}
	if l := fieldLabel("ship_3"); l != "line 3 quantity" {
		t.Errorf("label %q", l)
	}
	if a := fieldAnchor("", "ship_3"); a != "f-ship_3" {
		t.Errorf("anchor %q", a)
	}
}

func TestFieldLabelsAreWords(t *testing.T) {
	for name, want := range map[string]string{"lines[0].qty": "line 1 quantity", "lines[2].sku": "line 3 product", "valid_from": "valid from",
		"lines[1].line_no": "line 2 line number", "ship_4": "line 4 quantity", "carrier": "carrier"} {
		if got := fieldLabel(name); got != want {
			t.Errorf("fieldLabel(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestChartSummariesReadAsText: a chart's text beside it groups thousands,
// says "1 backorder", names each series with its value, and gives the
// unit once.
func TestChartSummariesReadAsText(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    chart
		want string
	}{
		{"counts", chart{Unit: "backorders", Labels: []string{"WID-100", "GAD-310"},
			Series: []chartSeries{{Label: "backorders", One: "backorder", Values: []int64{1, 1045}}}}, "WID-100: 1 backorder; GAD-310: 1,045 backorders"},
		{"named series", chart{Unit: "revenue, USD", Labels: []string{"2026-12"},
			Series: []chartSeries{{Label: "US-CA", Values: []int64{18799}}, {Label: "US-TX", Values: []int64{5}}}}, "2026-12: US-CA 18,799, US-TX 5 (revenue, USD)"},
		{"percent", chart{Unit: "%", Labels: []string{"Line fill rate"}, Series: []chartSeries{{Label: "percent", Values: []int64{95}}}}, "Line fill rate: 95%"},
		{"a gap", chart{Unit: "%", Labels: []string{"W1"}, Series: []chartSeries{{Label: "on time", Values: []int64{0}, Gaps: []bool{true}}}}, "nothing measured yet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := chartSummary(tc.c); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
