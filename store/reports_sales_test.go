package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/calendar"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// The sales data set: three customers in two regions, three products (one
// without a cost), five orders over October and November 2026, four
// shipments with their invoices, in the report zone America/New_York.
//
//	customer  region  segment     rep
//	Acme      East    enterprise  rep-1
//	Bolt      East    smb         rep-2
//	Core      West    smb         rep-1
//
//	order  customer  ordered (UTC)       promised  lines (qty, net)                       shipped (15:00 UTC)
//	O1     Acme      Oct 5 15:00         Oct 10    WID 10 @ 10000 (+800 tax), GAD 2 @ 6000  all on Oct 9
//	O2     Bolt      Oct 20 15:00        Oct 25    WID 5 @ 5000                           all on Oct 28 (late)
//	O3     Core      Nov 1 03:00 = Oct 31 23:00 in New York   Nov 5   CAB 20 @ 2000      all on Nov 4
//	O4     Acme      Nov 10 15:00        Nov 12    WID 4 @ 4000, GAD 15 @ 45000 (8 in stock)  WID 4 + GAD 8 on Nov 16 (late)
//	O5     Core      Nov 20 15:00        Nov 25    WID 3: gross 3000, discount 300, net 2700  not shipped
//
// Standard costs: WID 600 until Nov 15, 700 from then; GAD 2000; CAB none.
type salesData struct {
	s                *store.Store
	acme, bolt, core models.Customer
	orders           map[string]*testOrder
	invoiceNumbers   []string
}

type testOrder struct {
	rec   models.OrderRecord
	facts store.OrderFacts
}

type saleLine struct {
	sku                       string
	qty, gross, discount, tax int64
}

var newYork = func() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return loc
}()

func utc(month time.Month, day, hour int) time.Time {
	return time.Date(2026, month, day, hour, 0, 0, 0, time.UTC)
}

func newSalesData(t *testing.T, s *store.Store) *salesData {
	t.Helper()
	ctx := context.Background()
	s.SetReportLocation(newYork)
	if _, err := s.EnsureReportZone(ctx); err != nil {
		t.Fatal(err)
	}
	d := &salesData{s: s, orders: map[string]*testOrder{}}
	for _, wh := range []string{"A", "B"} {
		if err := s.UpsertWarehouse(ctx, models.Warehouse{Code: wh, Name: "Warehouse " + wh}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []models.Product{
		{SKU: "WID", Name: "Widget", Category: "Widgets", LeadTimeDays: 14},
		{SKU: "GAD", Name: "Gadget", Category: "Gadgets", LeadTimeDays: 21},
		{SKU: "CAB", Name: "Cable", Category: "Cables", LeadTimeDays: 7},
	} {
		p.Currency, p.ListPrice, p.Active = "USD", 1000, true
		if err := s.UpsertProduct(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range []struct {
		sku, wh string
		qty     int64
	}{{"WID", "A", 100}, {"GAD", "B", 10}, {"CAB", "A", 100}} {
		if err := s.SetOnHand(ctx, st.sku, st.wh, st.qty); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		sku  string
		cost int64
		from time.Time
	}{{"WID", 600, utc(1, 1, 0)}, {"WID", 700, time.Date(2026, 11, 15, 0, 0, 0, 0, newYork)}, {"GAD", 2000, utc(1, 1, 0)}} {
		if err := s.SetProductCost(ctx, &store.ProductCost{SKU: c.sku, Currency: "USD", UnitCost: c.cost, ValidFrom: c.from, CreatedBy: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		out                   *models.Customer
		name, region, segment string
		rep                   string
	}{{&d.acme, "Acme", "East", "enterprise", "rep-1"}, {&d.bolt, "Bolt", "East", "smb", "rep-2"}, {&d.core, "Core", "West", "smb", "rep-1"}} {
		*c.out = models.Customer{Name: c.name, Email: c.name + "@example.com", Region: c.region, Segment: c.segment, OwnerID: c.rep, Tier: 2, Currency: "USD"}
		if err := s.CreateCustomer(ctx, c.out); err != nil {
			t.Fatal(err)
		}
	}
	d.order(t, "O1", d.acme, utc(10, 5, 15), utc(10, 10, 0), saleLine{"WID", 10, 10000, 0, 800}, saleLine{"GAD", 2, 6000, 0, 0})
	d.ship(t, "O1", utc(10, 9, 15), map[int]int64{1: 10, 2: 2}, map[int][3]int64{1: {10000, 0, 800}, 2: {6000, 0, 0}})
	d.order(t, "O2", d.bolt, utc(10, 20, 15), utc(10, 25, 0), saleLine{"WID", 5, 5000, 0, 0})
	d.ship(t, "O2", utc(10, 28, 15), map[int]int64{1: 5}, map[int][3]int64{1: {5000, 0, 0}})
	d.order(t, "O3", d.core, utc(11, 1, 3), utc(11, 5, 0), saleLine{"CAB", 20, 2000, 0, 0})
	d.ship(t, "O3", utc(11, 4, 15), map[int]int64{1: 20}, map[int][3]int64{1: {2000, 0, 0}})
	d.order(t, "O4", d.acme, utc(11, 10, 15), utc(11, 12, 0), saleLine{"WID", 4, 4000, 0, 0}, saleLine{"GAD", 15, 45000, 0, 0})
	// 8 of 15 gadgets shipped: 45000 × 8 ÷ 15 = 24000.
	d.ship(t, "O4", utc(11, 16, 15), map[int]int64{1: 4, 2: 8}, map[int][3]int64{1: {4000, 0, 0}, 2: {24000, 0, 0}})
	d.order(t, "O5", d.core, utc(11, 20, 15), utc(11, 25, 0), saleLine{"WID", 3, 3000, 300, 0})
	return d
}

// order places an order as the order workflow does: saved while
// allocating, reserved line by line, saved again allocated.
func (d *salesData) order(t *testing.T, id string, c models.Customer, at, promised time.Time, lines ...saleLine) {
	t.Helper()
	ctx := context.Background()
	d.s.SetClock(func() time.Time { return at })
	o := &testOrder{rec: models.OrderRecord{ID: id, QuoteID: "Q-" + id, CustomerID: c.ID, Status: "allocating", Rev: 1, Currency: "USD", State: "{}"},
		facts: store.OrderFacts{OrderedAt: at}}
	for i, l := range lines {
		p := promised
		net := l.gross - l.discount
		o.rec.Total += net + l.tax
		o.facts.Lines = append(o.facts.Lines, store.OrderLineFact{LineNo: i + 1, SKU: l.sku, Qty: l.qty, Gross: l.gross, Discount: l.discount,
			Net: net, Tax: l.tax, PromisedAt: &p})
	}
	d.orders[id] = o
	if err := d.s.SaveOrder(ctx, o.rec, o.facts); err != nil {
		t.Fatal(err)
	}
	for i, l := range o.facts.Lines {
		a, err := d.s.Reserve(ctx, store.ReserveRequest{OrderID: id, LineNo: l.LineNo, SKU: l.SKU, Qty: l.Qty, CustomerID: c.ID,
			AllowPartial: true, LineNet: l.Net, Currency: "USD", OrderedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		filled := a.Reserved
		o.facts.Lines[i].Filled = &filled
	}
	d.save(t, id, "allocated")
}

// save saves the order's next revision with its facts.
func (d *salesData) save(t *testing.T, id, status string) {
	t.Helper()
	o := d.orders[id]
	o.rec.Rev++
	o.rec.Status = status
	if err := d.s.SaveOrder(context.Background(), o.rec, o.facts); err != nil {
		t.Fatal(err)
	}
}

// ship ships qty by line number and invoices it with the given gross,
// discount and tax per line, as the order workflow does.
func (d *salesData) ship(t *testing.T, id string, at time.Time, qty map[int]int64, amounts map[int][3]int64) {
	t.Helper()
	ctx := context.Background()
	d.s.SetClock(func() time.Time { return at })
	o := d.orders[id]
	shipID := fmt.Sprintf("%s/S%d", id, len(d.invoiceNumbers)+1)
	sh := store.Shipment{ID: shipID, OrderID: id, Carrier: "UPS", Tracking: "1Z", ShippedBy: "user:w", ShippedAt: at}
	inv := models.Invoice{OrderID: id, ShipmentID: shipID, CustomerID: o.rec.CustomerID, Currency: "USD", Lines: "[]", IssuedAt: at, DueAt: at.AddDate(0, 0, 30)}
	var lines []store.InvoiceLineFact
	done := true
	for i := range o.facts.Lines {
		l := &o.facts.Lines[i]
		if q := qty[l.LineNo]; q > 0 {
			sh.Lines = append(sh.Lines, store.ShipLine{LineNo: l.LineNo, SKU: l.SKU, Qty: q})
			a := amounts[l.LineNo]
			lines = append(lines, store.InvoiceLineFact{LineNo: l.LineNo, SKU: l.SKU, Qty: q, Gross: a[0], Discount: a[1], Net: a[0] - a[1], Tax: a[2], Total: a[0] - a[1] + a[2]})
			inv.Subtotal, inv.Discount, inv.Tax, inv.Total = inv.Subtotal+a[0], inv.Discount+a[1], inv.Tax+a[2], inv.Total+a[0]-a[1]+a[2]
			l.Shipped += q
			if l.Shipped == l.Qty {
				shipped := at
				l.ShippedAt = &shipped
			}
		}
		if l.Shipped < l.Qty {
			done = false
		}
	}
	if err := d.s.Ship(ctx, sh); err != nil {
		t.Fatal(err)
	}
	got, err := d.s.CreateInvoice(ctx, inv, lines)
	if err != nil {
		t.Fatal(err)
	}
	d.invoiceNumbers = append(d.invoiceNumbers, got.ID)
	status := "partially_shipped"
	if done {
		status = "shipped"
	}
	d.save(t, id, status)
}

func i64(v int64) *int64 { return &v }

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestSalesReportMatchesHandComputedFigures(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		newSalesData(t, s)
		ctx := context.Background()
		r, err := s.Sales(ctx, store.SalesQuery{GroupBy: store.DimRegion, Granularity: calendar.Month, From: day("2026-11-01"), To: day("2026-11-30")})
		if err != nil {
			t.Fatal(err)
		}
		if r.PreviousFrom != "2026-10-01" || r.PreviousTo != "2026-10-31" || len(r.Periods) != 1 || r.Periods[0].Label != "2026-11" {
			t.Fatalf("periods %+v, previous %s..%s", r.Periods, r.PreviousFrom, r.PreviousTo)
		}
		// East, November. Booked: O4 4000 + 45000 = 49000 over 2 lines, 19 units; cost 4 × 600
		// (ordered before the change on the 15th) + 15 × 2000 = 32400; margin 16600 = 3387.8 → 3388 bp.
		// Invoiced: INV-4 4000 + 24000 = 28000, 12 units; cost 4 × 700 + 8 × 2000 = 18800; margin 9200 → 3285.7 → 3286 bp.
		// October (previous): booked O1 16000 + O2 5000 = 21000; invoiced INV-1 16000 + INV-2 5000 = 21000.
		// Change: booked +28000 = 13333.3 → 13333 bp; invoiced +7000 = 3333.3 → 3333 bp.
		east := store.SalesRow{Key: "East", Label: "East", Currency: "USD",
			Total: store.SalesCell{
				Booked:   store.SalesFigures{Lines: 2, Qty: 19, Net: 49000, Cost: 32400, Margin: 16600, MarginBP: i64(3388)},
				Invoiced: store.SalesFigures{Lines: 2, Qty: 12, Net: 28000, Cost: 18800, Margin: 9200, MarginBP: i64(3286)}},
			Previous: store.SalesCell{
				// October booked: 3 lines, 17 units; cost 10 × 600 + 2 × 2000 + 5 × 600 = 13000.
				Booked:   store.SalesFigures{Lines: 3, Qty: 17, Net: 21000, Cost: 13000, Margin: 8000, MarginBP: i64(3810)},
				Invoiced: store.SalesFigures{Lines: 3, Qty: 17, Net: 21000, Cost: 13000, Margin: 8000, MarginBP: i64(3810)}},
			Change: store.SalesChange{BookedNet: 28000, BookedNetBP: i64(13333), InvoicedNet: 7000, InvoicedNetBP: i64(3333)}}
		east.Periods = []store.SalesCell{east.Total}
		// West, November. Booked: O5 2700 (O3 was ordered on Oct 31 in New York); cost 3 × 700 = 2100;
		// margin 600 = 2222 bp. Invoiced: INV-3 CAB 2000, no cost: margin 2000 = 10000 bp.
		// October: booked O3 2000; invoiced nothing. Change: booked +700 = 3500 bp; invoiced +2000, no ratio.
		west := store.SalesRow{Key: "West", Label: "West", Currency: "USD",
			Total: store.SalesCell{
				Booked:   store.SalesFigures{Lines: 1, Qty: 3, Net: 2700, Cost: 2100, Margin: 600, MarginBP: i64(2222)},
				Invoiced: store.SalesFigures{Lines: 1, Qty: 20, Net: 2000, Cost: 0, Margin: 2000, MarginBP: i64(10000)}},
			Previous: store.SalesCell{Booked: store.SalesFigures{Lines: 1, Qty: 20, Net: 2000, Margin: 2000, MarginBP: i64(10000)}},
			Change:   store.SalesChange{BookedNet: 700, BookedNetBP: i64(3500), InvoicedNet: 2000}}
		west.Periods = []store.SalesCell{west.Total}
		if got, want := dump(r.Rows), dump([]store.SalesRow{east, west}); got != want {
			t.Errorf("rows\n got %s\nwant %s", got, want)
		}
		if len(r.Totals) != 1 || r.Totals[0].Total.Booked.Net != 51700 || r.Totals[0].Total.Invoiced.Net != 30000 || r.Totals[0].Previous.Invoiced.Net != 21000 {
			t.Errorf("totals %s; want booked 49000 + 2700 = 51700, invoiced 28000 + 2000 = 30000, previous invoiced 21000", dump(r.Totals))
		}
		if fmt.Sprint(r.WithoutCost) != "[CAB]" {
			t.Errorf("without cost %v, want [CAB]", r.WithoutCost)
		}
	})
}

func TestSalesReportTopNAndRepScope(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		newSalesData(t, s)
		ctx := context.Background()
		// By product over October and November, by week: the top product by
		// revenue is GAD (6000 + 24000 = 30000); WID (10000 + 5000 + 4000 =
		// 19000) and CAB (2000) make "other" = 21000.
		r, err := s.Sales(ctx, store.SalesQuery{GroupBy: store.DimProduct, Granularity: calendar.Week, From: day("2026-10-01"), To: day("2026-11-30"), Top: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rows) != 2 || r.Rows[0].Key != "GAD" || r.Rows[0].Label != "Gadget" || r.Rows[0].Total.Invoiced.Net != 30000 ||
			r.Rows[1].Key != store.OtherKey || r.Rows[1].Total.Invoiced.Net != 21000 || r.Totals[0].Total.Invoiced.Net != 51000 {
			t.Fatalf("top 1 by product: %s", dump(r.Rows))
		}
		// 1 Oct 2026 is a Thursday: its ISO week starts on 28 Sep; 30 Nov is a Monday. That is 10 weeks.
		if len(r.Periods) != 10 || r.Periods[0].Start != "2026-09-28" || r.Periods[9].Label != "2026-W49" {
			t.Fatalf("weeks %+v", r.Periods)
		}
		// INV-1 (GAD 6000) was issued on Oct 9, in the week of Oct 5 (the 2nd).
		if r.Rows[0].Periods[1].Invoiced.Net != 6000 {
			t.Fatalf("GAD by week: %s", dump(r.Rows[0].Periods))
		}
		// rep-2 owns Bolt only: October booked 5000, November nothing.
		r, err = s.Sales(ctx, store.SalesQuery{GroupBy: store.DimCustomer, Granularity: calendar.Month, From: day("2026-10-01"), To: day("2026-11-30"), RepID: "rep-2"})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rows) != 1 || r.Rows[0].Label != "Bolt" || r.Rows[0].Periods[0].Booked.Net != 5000 || r.Rows[0].Periods[1].Booked.Net != 0 || !r.OwnAccounts {
			t.Fatalf("rep-2's customers: %s (own accounts only: %v)", dump(r.Rows), r.OwnAccounts)
		}
	})
}

// TestSalesTotalsEqualTheDocuments: whatever the grouping, the report's
// totals are the sums of the orders and invoices themselves.
func TestSalesTotalsEqualTheDocuments(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		newSalesData(t, s)
		ctx := context.Background()
		var booked, invoiced int64
		list, err := s.ListOrders(ctx, "", "", store.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range list.Items {
			booked += o.Total // totals include tax: take it off below
		}
		booked -= 800 // O1's tax
		invs, err := s.ListInvoices(ctx, "", "", "", store.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range invs.Items {
			invoiced += i.Subtotal - i.Discount
		}
		for _, dim := range store.SalesDims {
			r, err := s.Sales(ctx, store.SalesQuery{GroupBy: dim, Granularity: calendar.Day, From: day("2026-10-01"), To: day("2026-11-30")})
			if err != nil {
				t.Fatal(err)
			}
			if dim != store.DimWarehouse && r.Totals[0].Total.Booked.Net != booked {
				t.Errorf("by %s: booked %d, the orders say %d", dim, r.Totals[0].Total.Booked.Net, booked)
			}
			if r.Totals[0].Total.Invoiced.Net != invoiced {
				t.Errorf("by %s: invoiced %d, the invoices say %d", dim, r.Totals[0].Total.Invoiced.Net, invoiced)
			}
		}
		if booked != 16000+5000+2000+49000+2700 || invoiced != 16000+5000+2000+28000 {
			t.Fatalf("documents: booked %d invoiced %d", booked, invoiced)
		}
	})
}

// TestReportZoneChangeRebuildsTheRollup: in UTC, O3 (Nov 1 03:00 UTC) is a
// November booking.
func TestReportZoneChangeRebuildsTheRollup(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		newSalesData(t, s)
		ctx := context.Background()
		s.SetReportLocation(time.UTC)
		if rebuilt, err := s.EnsureReportZone(ctx); err != nil || !rebuilt {
			t.Fatalf("rebuilt %v, %v", rebuilt, err)
		}
		r, err := s.Sales(ctx, store.SalesQuery{GroupBy: store.DimRegion, Granularity: calendar.Month, From: day("2026-11-01"), To: day("2026-11-30")})
		if err != nil {
			t.Fatal(err)
		}
		// West in November: O3 2000 + O5 2700 = 4700; October: nothing.
		if len(r.Rows) != 2 || r.Rows[1].Key != "West" || r.Rows[1].Total.Booked.Net != 4700 || r.Rows[1].Previous.Booked.Net != 0 {
			t.Fatalf("after the zone change: %s", dump(r.Rows))
		}
		if rebuilt, err := s.EnsureReportZone(ctx); err != nil || rebuilt {
			t.Fatalf("the same zone again rebuilt %v, %v", rebuilt, err)
		}
	})
}

func dump(v any) string {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}
