package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/calendar"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// payments adds to the sales data set: INV-1 (16800 with tax, due Nov 8)
// paid on Oct 30; INV-2 (5000, due Nov 27) paid 6000 on Nov 20, 1000 of
// it becoming Bolt's credit.
func payments(t *testing.T, d *salesData) {
	t.Helper()
	for _, p := range []struct {
		invoice string
		amount  int64
		at      time.Time
	}{{d.invoiceNumbers[0], 16800, utc(10, 30, 15)}, {d.invoiceNumbers[1], 6000, utc(11, 20, 15)}} {
		if _, _, _, err := d.s.RecordPayment(context.Background(), store.PaymentRequest{InvoiceID: p.invoice, Reference: "wire-" + p.invoice,
			Amount: p.amount, RecordedBy: "user:f", ReceivedAt: p.at}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestKPITrendsMatchHandComputedFigures(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		d := newSalesData(t, s)
		payments(t, d)
		ctx := context.Background()
		s.SetClock(func() time.Time { return utc(12, 2, 12) }) // every day taken is past
		for day := day("2026-10-01"); !day.After(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)); day = day.AddDate(0, 0, 1) {
			if err := s.TakeKPISnapshot(ctx, day); err != nil {
				t.Fatal(err)
			}
		}
		// Taking a day again replaces it: nothing doubles.
		if err := s.TakeKPISnapshot(ctx, day("2026-11-16")); err != nil {
			t.Fatal(err)
		}
		r, err := s.KPITrends(ctx, day("2026-11-01"), day("2026-11-30"), calendar.Month)
		if err != nil {
			t.Fatal(err)
		}
		if r.Days != 30 || r.PreviousFrom != "2026-10-01" || r.LastSnapshot != "2026-11-30" {
			t.Fatalf("days %d, previous from %s, last %s", r.Days, r.PreviousFrom, r.LastSnapshot)
		}
		type fig struct{ value, previous *int64 }
		want := map[string]fig{
			// Lines shipped in November: O3 on time; O4's 2 lines on Nov 16, promised Nov 12: 1/3.
			// October: O1's 2 lines on time, O2 late: 2/3.
			store.KPIOnTimeDelivery: {i64(3333), i64(6667)},
			// Ordered in November: O4 (WID filled, GAD 8 of 15) and O5 (filled): lines 2/3, orders 1/2,
			// units short 7 of 4 + 15 + 3 = 22 → 3181.8 → 3182 bp. October: everything filled (O3 is an Oct 31 order in New York).
			store.KPILineFill:      {i64(6667), i64(10000)},
			store.KPIOrderFill:     {i64(5000), i64(10000)},
			store.KPIBackorderRate: {i64(3182), i64(0)},
			// November: O3 3.5 days (Nov 1 03:00 → Nov 4 15:00), O4 line 1 6 days: 9.5 ÷ 2 = 4.75 → 48 tenths.
			// October: O1's 2 lines 4 days each, O2 8 days: 16 ÷ 3 = 5.33 → 53 tenths.
			store.KPILeadTime: {i64(48), i64(53)},
			// Completed in November: O3, complete and on time: 1/1. October: O1 yes, O2 late: 1/2.
			store.KPIPerfectOrder: {i64(10000), i64(5000)},
			// INV-2 paid Nov 20, due Nov 27; INV-1 paid Oct 30, due Nov 8: both on time.
			store.KPIOnTimePayment: {i64(10000), i64(10000)},
			// Net, tax excluded: November 49000 + 2700; October 16000 + 5000 + 2000.
			store.KPIBookings: {i64(51700), i64(23000)},
			store.KPIRevenue:  {i64(30000), i64(21000)},
			// On Nov 30, over 90 days: owed 2000 + 28000 of 16800 + 5000 + 2000 + 28000 invoiced:
			// 30000 ÷ 51800 × 90 = 52.12 days → 521 tenths. On Oct 31: 5000 ÷ 21800 × 90 = 20.64 → 206.
			store.KPIDSO: {i64(521), i64(206)},
			// O4's 7 gadgets wait: 45000 × 7 ÷ 15 = 21000. Nothing waited in October.
			store.KPIOpenBackorderValue: {i64(21000), nil},
		}
		seen := map[string]bool{}
		for _, sr := range r.Series {
			w, ok := want[sr.Metric]
			if !ok {
				t.Errorf("unexpected series %s", sr.Metric)
				continue
			}
			seen[sr.Metric] = true
			if str(sr.Value) != str(w.value) || str(sr.Previous) != str(w.previous) || str(sr.Periods[0]) != str(w.value) {
				t.Errorf("%s: value %s previous %s period %s; want %s and %s", sr.Metric, str(sr.Value), str(sr.Previous), str(sr.Periods[0]), str(w.value), str(w.previous))
			}
		}
		for m := range want {
			if !seen[m] {
				t.Errorf("no series %s", m)
			}
		}
	})
}

func str(v *int64) string {
	if v == nil {
		return "none"
	}
	return strconv.FormatInt(*v, 10)
}

func TestCashForecastAndCredit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		d := newSalesData(t, s)
		payments(t, d)
		ctx := context.Background()
		r, err := s.CashForecast(ctx, day("2026-11-25"), 8)
		if err != nil {
			t.Fatal(err)
		}
		// This week starts Monday Nov 23. INV-3 (2000) is due Dec 4: week 2; INV-4 (28000) Dec 16: week 4.
		// O4's backorder (21000 net) is expected Dec 1 (21 days' lead time from Nov 10), paid 30 days
		// later, Dec 31: the week of Dec 28, the 6th. INV-1 and INV-2 are paid.
		if len(r.Currencies) != 1 {
			t.Fatalf("currencies %s", dump(r))
		}
		f := r.Currencies[0]
		got := []int64{}
		for _, w := range f.Weeks {
			got = append(got, w.Invoices, w.Backorders)
		}
		want := []int64{0, 0, 2000, 0, 0, 0, 28000, 0, 0, 0, 0, 21000, 0, 0, 0, 0}
		if r.From != "2026-11-23" || f.Weeks[5].Start != "2026-12-28" || f.Overdue != 0 || f.Later != 0 || f.Total != 51000 || dump(got) != dump(want) {
			t.Fatalf("forecast %s", dump(r))
		}
		credits, err := s.CreditBalances(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(credits) != 1 || credits[0].CustomerName != "Bolt" || credits[0].Credit != 1000 || credits[0].Currency != models.Currency("USD") {
			t.Fatalf("credits %s; want Bolt's 1000 over-paid on INV-2", dump(credits))
		}
	})
}
