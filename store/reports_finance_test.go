package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// invoiceFor makes order, reservation, shipment and invoice for one
// customer, issued at issued and due at due, for total minor units.
func invoiceFor(t *testing.T, s *store.Store, n int, customerID string, cur models.Currency, total int64, issued, due time.Time) models.Invoice {
	t.Helper()
	ctx := context.Background()
	order := fmt.Sprintf("SO-%d", n)
	if err := s.SaveOrder(ctx, models.OrderRecord{ID: order, QuoteID: "Q-" + order, CustomerID: customerID, Status: "allocated", Rev: 1, Currency: cur, Total: total, State: "{}"}, store.OrderFacts{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reserve(ctx, store.ReserveRequest{OrderID: order, LineNo: 1, SKU: "WID", Qty: 1, CustomerID: customerID}); err != nil {
		t.Fatal(err)
	}
	if err := s.Ship(ctx, store.Shipment{ID: order + "/1", OrderID: order, Carrier: "UPS", Tracking: "1Z", ShippedBy: "user:w", ShippedAt: issued,
		Lines: []store.ShipLine{{LineNo: 1, SKU: "WID", Qty: 1}}}); err != nil {
		t.Fatal(err)
	}
	inv, err := s.CreateInvoice(ctx, models.Invoice{OrderID: order, ShipmentID: order + "/1", CustomerID: customerID, Currency: cur, Subtotal: total, Total: total,
		Lines: "[]", IssuedAt: issued, DueAt: due}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// TestARAgingMatchesHandComputedFigures: two customers, two currencies,
// invoices spread over the buckets, part payments before and after the
// report's day, and an invoice issued after it.
func TestARAgingMatchesHandComputedFigures(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		var acme, bolt models.Customer
		arData(t, s, &acme, &bolt)
		ctx := context.Background()
		r, err := s.ARAging(ctx, time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		// Acme (USD): current 100.00 − 0.01 paid at 23:59 on the day + 200.00 = 299.99;
		// 1-30: 300.00 + (400.00 − 100.00) = 600.00; 31-60: 500.00; 61-90: 0; over 90: 600.00;
		// total 299.99 + 600.00 + 500.00 + 600.00 = 1999.99 over 6 invoices (no. 7 is issued later).
		// Bolt (EUR): 61-90: 800.00 (paid only after the day); current 50.00; total 850.00 over 2 invoices.
		want := []store.AgingRow{
			{CustomerID: acme.ID, CustomerName: "Acme", Currency: "USD", Invoices: 6, Current: 29999, Days1to30: 60000, Days31to60: 50000, Days61to90: 0, Over90: 60000, Total: 199999},
			{CustomerID: bolt.ID, CustomerName: "Bolt", Currency: "EUR", Invoices: 2, Current: 5000, Days61to90: 80000, Total: 85000},
		}
		if fmt.Sprint(r.Customers) != fmt.Sprint(want) {
			t.Fatalf("customers\\n got %+v\\nwant %+v", r.Customers, want)
		}
		wantTotals := []store.AgingRow{
			{Currency: "USD", Invoices: 6, Current: 29999, Days1to30: 60000, Days31to60: 50000, Over90: 60000, Total: 199999},
			{Currency: "EUR", Invoices: 2, Current: 5000, Days61to90: 80000, Total: 85000},
		}
		if fmt.Sprint(r.Totals) != fmt.Sprint(wantTotals) || r.AsOf != "2026-06-30" {
			t.Fatalf("totals %+v as of %s", r.Totals, r.AsOf)
		}

		// Today (any day from November 2026 on) everything above is more than
		// 90 days past due, and today's report reads the invoices' own paid
		// column: Acme owes 99.99 + 200.00 + 300.00 + 300.00 + 500.00 +
		// 600.00 + 700.00 (no. 7 is owed now) = 2699.99 over 7 invoices;
		// Bolt 50.00 over 1 (no. 8 and no. 10 are paid in full).
		now, err := s.ARAging(ctx, time.Now().UTC(), time.UTC)
		wantNow := []store.AgingRow{
			{CustomerID: acme.ID, CustomerName: "Acme", Currency: "USD", Invoices: 7, Over90: 269999, Total: 269999},
			{CustomerID: bolt.ID, CustomerName: "Bolt", Currency: "EUR", Invoices: 1, Over90: 5000, Total: 5000},
		}
		if err != nil || fmt.Sprint(now.Customers) != fmt.Sprint(wantNow) {
			t.Fatalf("today\n got %+v (%v)\nwant %+v", now.Customers, err, wantNow)
		}

		// In Los Angeles the 30th ends at 07:00 UTC on 1 July: the payment
		// of 0.01 at 11:59 UTC on the 30th (04:59 local) still counts; the
		// 1 July UTC invoice (no. 7, issued 12:00 UTC = 05:00 local on the
		// 1st) does not. Invoice 2, due 30 June 12:00 UTC = 05:00 local on
		// the 30th, is still current that day.
		la, _ := time.LoadLocation("America/Los_Angeles")
		r, err = s.ARAging(ctx, time.Date(2026, 6, 30, 0, 0, 0, 0, la), la)
		if err != nil || r.Totals[0].Current != 29999 || r.Totals[0].Invoices != 6 || r.TimeZone != "America/Los_Angeles" {
			t.Fatalf("in Los Angeles: %+v, %v", r, err)
		}
	})
}

// TestCollectionsMatchHandComputedFigures uses the invoices and payments of
// the AR aging test.
func TestCollectionsMatchHandComputedFigures(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		var acme, bolt models.Customer
		arData(t, s, &acme, &bolt)
		ctx := context.Background()
		may, err := s.Collections(ctx, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		// May, 31 days. EUR: invoiced no. 10 (90.00); owed at the end of May:
		// no. 8 800.00 (no. 10 was paid on the 20th); DSO 800.00 ÷ 90.00 × 31 =
		// 275.555… → 275.6 days. No. 10 was paid in full on 20 May, due the
		// 15th: late; 19 days from issue. USD: invoiced 100.00 + 200.00 =
		// 300.00; owed 100 + 200 + 300 + 400 + 500 + 600 = 2100.00 (the
		// 100.00 on no. 4 came in June); DSO 2100 ÷ 300 × 31 = 217.0 days.
		want := []store.Collections{
			{Currency: "EUR", Invoiced: 9000, Receivable: 80000, DSOTenths: i64(2756), PaidInFull: 1, PaidOnTime: 0, OnTimeBP: i64(0), DaysToPayTenths: i64(190)},
			{Currency: "USD", Invoiced: 30000, Receivable: 210000, DSOTenths: i64(2170)}, // nothing paid in full: no on-time rate
		}
		if dump(may.Currencies) != dump(want) || may.Days != 31 {
			t.Fatalf("May\n got %s\nwant %s", dump(may.Currencies), dump(want))
		}
		aug, err := s.Collections(ctx, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		// August. EUR: invoiced no. 11 (10.00), paid on the 15th, due the
		// 31st: on time, 14 days; owed at the end: no. 9, 50.00; DSO 50 ÷ 10
		// × 31 = 155.0 days. USD: nothing invoiced (no DSO); owed 2699.99.
		want = []store.Collections{
			{Currency: "EUR", Invoiced: 1000, Receivable: 5000, DSOTenths: i64(1550), PaidInFull: 1, PaidOnTime: 1, OnTimeBP: i64(10000), DaysToPayTenths: i64(140)},
			{Currency: "USD", Receivable: 269999}, // nothing invoiced: no DSO
		}
		if dump(aug.Currencies) != dump(want) {
			t.Fatalf("August\n got %s\nwant %s", dump(aug.Currencies), dump(want))
		}
	})
}

// arData writes the invoices and payments both finance tests read: two
// customers, two currencies, invoices over every bucket, part payments
// before and after 30 June 2026, and invoices issued later.
func arData(t *testing.T, s *store.Store, acmeOut, boltOut *models.Customer) {
	t.Helper()
	ctx := context.Background()
	stockUp(t, s, "WID", map[string]int64{"A": 100})
	acme := acmeOut
	*acme = models.Customer{Name: "Acme", Email: "a@example.com", Currency: "USD", Tier: 1}
	bolt := boltOut
	*bolt = models.Customer{Name: "Bolt", Email: "b@example.com", Currency: "EUR", Tier: 2}
	for _, c := range []*models.Customer{acme, bolt} {
		if err := s.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 12, 0, 0, 0, time.UTC) }
	// The report's day is 2026-06-30 (UTC).
	a1 := invoiceFor(t, s, 1, acme.ID, "USD", 10000, day(5, 1), day(7, 1))     // due tomorrow: current 100.00
	a2 := invoiceFor(t, s, 2, acme.ID, "USD", 20000, day(5, 1), day(6, 30))    // due today: current 200.00
	_ = invoiceFor(t, s, 3, acme.ID, "USD", 30000, day(4, 1), day(6, 29))      // 1 day past due: 1-30, 300.00
	a4 := invoiceFor(t, s, 4, acme.ID, "USD", 40000, day(3, 1), day(5, 31))    // 30 days: 1-30; 100.00 paid before → 300.00
	_ = invoiceFor(t, s, 5, acme.ID, "USD", 50000, day(2, 1), day(5, 30))      // 31 days: 31-60, 500.00
	_ = invoiceFor(t, s, 6, acme.ID, "USD", 60000, day(1, 1), day(3, 31))      // 91 days: over 90, 600.00
	_ = invoiceFor(t, s, 7, acme.ID, "USD", 70000, day(7, 1), day(7, 31))      // issued after the day: not yet owed
	b1 := invoiceFor(t, s, 8, bolt.ID, "EUR", 80000, day(3, 1), day(4, 1))     // 90 days: 61-90; paid in full after the day → 800.00
	_ = invoiceFor(t, s, 9, bolt.ID, "EUR", 5000, day(6, 1), day(7, 15))       // current 50.00
	paid := invoiceFor(t, s, 10, bolt.ID, "EUR", 9000, day(5, 1), day(5, 15))  // paid in full before the day: owes nothing
	early := invoiceFor(t, s, 11, bolt.ID, "EUR", 1000, day(8, 1), day(8, 31)) // issued and paid on time in August
	for _, p := range []struct {
		inv    models.Invoice
		amount int64
		at     time.Time
	}{{a4, 10000, day(6, 10)}, {b1, 80000, day(7, 2)}, {paid, 9000, day(5, 20)}, {a1, 1, day(6, 30).Add(11*time.Hour + 59*time.Minute)}, {early, 1000, day(8, 15)}} {
		if _, _, _, err := s.RecordPayment(ctx, store.PaymentRequest{InvoiceID: p.inv.ID, Reference: "r-" + p.inv.ID, Amount: p.amount, RecordedBy: "user:f", ReceivedAt: p.at}); err != nil {
			t.Fatal(err)
		}
	}
	_ = a2

}
