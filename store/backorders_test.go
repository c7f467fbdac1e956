package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/backorder"
	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// shop is a store with one SKU (lead time 14 days), two warehouses and
// three customers of tiers 1, 2 and 3, on a fixed clock.
type shop struct {
	t    testing.TB
	s    *store.Store
	now  time.Time
	cust map[int]string // tier → customer id
}

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func newShop(t testing.TB, s *store.Store, onHand int64) *shop {
	t.Helper()
	ctx := context.Background()
	sh := &shop{t: t, s: s, now: t0, cust: map[int]string{}}
	s.SetClock(func() time.Time { return sh.now })
	for _, wh := range []string{"A", "B"} {
		if err := s.UpsertWarehouse(ctx, models.Warehouse{Code: wh, Name: wh}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.UpsertProduct(ctx, &models.Product{SKU: "SKU", Name: "Widget", ListPrice: 100, Currency: "USD", Supplier: "Steelworks", LeadTimeDays: 14, Active: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOnHand(ctx, "SKU", "A", onHand); err != nil {
		t.Fatal(err)
	}
	for tier := 1; tier <= 3; tier++ {
		c := &models.Customer{Name: fmt.Sprintf("Tier %d Inc", tier), Email: fmt.Sprintf("t%d@example.com", tier), Segment: "smb", Region: fmt.Sprintf("R%d", tier), Tier: tier, Currency: "USD"}
		if err := s.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		sh.cust[tier] = c.ID
	}
	return sh
}

// order reserves qty for a one-line order of the tier's customer, priced 10.00 a unit.
func (sh *shop) order(id string, tier int, qty int64, partial bool) models.Allocation {
	sh.t.Helper()
	a, err := sh.s.Reserve(context.Background(), store.ReserveRequest{OrderID: id, LineNo: 1, SKU: "SKU", Qty: qty, CustomerID: sh.cust[tier],
		AllowPartial: partial, LineNet: 1000 * qty, Currency: "USD", OrderedAt: sh.now})
	if err != nil {
		sh.t.Fatalf("reserve %s: %v", id, err)
	}
	sh.now = sh.now.Add(time.Minute)
	return a
}

func (sh *shop) receive(key string, qty int64) models.ReceiptResult {
	sh.t.Helper()
	r, err := sh.s.Receive(context.Background(), store.Receipt{Key: key, SKU: "SKU", Warehouse: "B", Qty: qty, ReceivedBy: "user:w"})
	if err != nil {
		sh.t.Fatalf("receive %s: %v", key, err)
	}
	return r
}

func (sh *shop) bo(order string) models.Backorder {
	sh.t.Helper()
	b, err := sh.s.BackorderByID(context.Background(), models.BackorderID(order, 1))
	if err != nil {
		sh.t.Fatal(err)
	}
	return b
}

func picks(r models.ReceiptResult) string {
	if r.Run == nil {
		return ""
	}
	var out []string
	for _, p := range r.Run.Picks {
		out = append(out, fmt.Sprintf("%s:%d@%s", p.OrderID, p.Qty, p.Warehouse))
	}
	return strings.Join(out, " ")
}

func TestBackorderQueue(t *testing.T) {
	for _, e := range testdb.Engines {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			sh := newShop(t, e.Open(t), 4)
			// 4 in stock: the first order takes them and 6 go on backorder.
			if a := sh.order("SO-3A", 3, 10, true); a.Reserved != 4 {
				t.Fatalf("reserved %d", a.Reserved)
			}
			b := sh.bo("SO-3A")
			if b.Status != models.BackorderOpen || b.QtyShort != 6 || b.ValueOpen != 6000 || b.CustomerTier != 3 || b.Region != "R3" {
				t.Fatalf("backorder %+v", b)
			}
			// No supply: the supplier's lead time from the order date.
			if want := t0.AddDate(0, 0, 14); !b.ETA.Equal(want) || !b.PromisedAt.Equal(want) || b.ETASource != backorder.SourceLeadTime || b.Supplier != "Steelworks" {
				t.Fatalf("ETA %s promised %s from %s (%s)", b.ETA, b.PromisedAt, b.ETASource, b.Supplier)
			}
			sh.order("SO-1A", 1, 5, true)  // tier 1, all short
			sh.order("SO-2W", 2, 3, false) // tier 2, ships whole
			sh.order("SO-1B", 1, 2, true)  // tier 1, ordered later
			// A supply order due in 5 days covers the tier-1 lines first.
			po := &models.SupplyOrder{Kind: models.SupplyPurchase, Reference: "PO-1", SKU: "SKU", WarehouseCode: "B", Qty: 8, ExpectedAt: t0.AddDate(0, 0, 5), CreatedBy: "test"}
			if err := sh.s.CreateSupplyOrder(ctx, po); err != nil {
				t.Fatal(err)
			}
			for order, want := range map[string]string{"SO-1A": "5 supply", "SO-1B": "5 supply", "SO-2W": "14 lead time", "SO-3A": "14 lead time"} {
				b := sh.bo(order)
				if got := fmt.Sprintf("%d %s", int(b.ETA.Sub(t0).Hours()/24), b.ETASource); got != want || (b.ETASource == "supply" && b.ETARef != po.ID) {
					t.Errorf("%s ETA %s, want %s", order, got, want)
				}
			}
			// The supplier slips by a week: those ETAs follow and their revision moves.
			rev := sh.bo("SO-1A").Rev
			if _, _, err := sh.s.MoveSupplyETA(ctx, po.ID, t0.AddDate(0, 0, 12)); err != nil {
				t.Fatal(err)
			}
			// The promise stays what the customer was first told: the lead time from the order.
			if b := sh.bo("SO-1A"); !b.ETA.Equal(t0.AddDate(0, 0, 12)) || b.Rev != rev+1 || !b.PromisedAt.Equal(b.OrderedAt.AddDate(0, 0, 14)) {
				t.Fatalf("after the supply moved: ETA %s rev %d promised %s", b.ETA, b.Rev, b.PromisedAt)
			}

			// A second order from another supplier, cancelled: ETAs go back to what they were.
			po2 := &models.SupplyOrder{Kind: models.SupplyPurchase, SKU: "SKU", WarehouseCode: "B", Qty: 50, ExpectedAt: t0.AddDate(0, 0, 3), Supplier: "Other", CreatedBy: "test"}
			if err := sh.s.CreateSupplyOrder(ctx, po2); err != nil {
				t.Fatal(err)
			}
			if b := sh.bo("SO-3A"); b.ETARef != po2.ID || b.Supplier != "Other" {
				t.Fatalf("SO-3A follows %s (%s)", b.ETARef, b.Supplier)
			}
			if _, err := sh.s.CancelSupplyOrder(ctx, po2.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := sh.s.CancelSupplyOrder(ctx, po2.ID); !errors.Is(err, models.ErrConflict) {
				t.Fatalf("cancelled twice: %v", err)
			}
			if b := sh.bo("SO-3A"); b.ETASource != backorder.SourceLeadTime || !b.ETA.Equal(b.OrderedAt.AddDate(0, 0, 14)) {
				t.Fatalf("after the cancellation SO-3A expects %s from %s", b.ETA, b.ETASource)
			}

			// 6 arrive: tier 1 first, the older order first.
			r := sh.receive("rcv-1", 6)
			if got := picks(r); got != "SO-1A:5@B SO-1B:1@B" {
				t.Fatalf("pick list %q", got)
			}
			if r.Replayed || r.Free != 0 || !strings.Contains(r.Run.Picks[0].Reason, "rank 1 by policy tier,promised,ordered") {
				t.Fatalf("result %+v", r)
			}
			if again := sh.receive("rcv-1", 6); !again.Replayed || picks(again) != picks(r) {
				t.Fatalf("a retried receipt: %+v", again)
			}
			if b := sh.bo("SO-1A"); b.Status != models.BackorderAllocated || b.QtyFilled != 5 || b.ValueOpen != 0 || b.FilledAt == nil {
				t.Fatalf("SO-1A %+v", b)
			}
			if b := sh.bo("SO-1B"); b.Status != models.BackorderPartiallyFilled || b.Waiting() != 1 || b.ValueOpen != 1000 {
				t.Fatalf("SO-1B %+v", b)
			}
			// 3 more: SO-1B's last unit, then the whole line of 3 cannot be
			// filled with 2, so it is passed over and SO-3A takes 2.
			if got := picks(sh.receive("rcv-2", 3)); got != "SO-1B:1@B SO-3A:2@B" {
				t.Fatalf("pick list %q", got)
			}
			if b := sh.bo("SO-2W"); b.Skips != 1 || b.QtyFilled != 0 {
				t.Fatalf("ship-whole line %+v", b)
			}
			// Passed over twice more, then held: stock accumulates for it.
			sh.receive("rcv-3", 1)
			sh.receive("rcv-4", 1)
			if b := sh.bo("SO-2W"); b.Skips != backorder.MaxSkips {
				t.Fatalf("skips %d", b.Skips)
			}
			if got := picks(sh.receive("rcv-5", 2)); got != "" {
				t.Fatalf("held stock was given away: %q", got)
			}
			// Available-to-promise does not offer the held stock to a new quote.
			if av, err := sh.s.AvailabilityOf(ctx, "SKU", sh.now); err != nil || av.Position.Available != 0 || av.Position.Promise(1).Source == "stock" {
				t.Fatalf("held stock promised: %+v %v", av.Position, err)
			}
			// A new tier-3 order does not take the held stock either.
			if a := sh.order("SO-3B", 3, 2, true); a.Reserved != 0 {
				t.Fatalf("a new order took %d held units", a.Reserved)
			}
			if got := picks(sh.receive("rcv-6", 1)); got != "SO-2W:3@B" {
				t.Fatalf("pick list %q", got)
			}
			// Cancelling SO-1A releases its 5 units to the queue: SO-3A's last 2, then SO-3B.
			if _, err := sh.s.Release(ctx, "SO-1A", 1); err != nil {
				t.Fatal(err)
			}
			if b := sh.bo("SO-1A"); b.Status != models.BackorderCancelled {
				t.Fatalf("cancelled line's backorder %s", b.Status)
			}
			if sh.bo("SO-3A").Status != models.BackorderAllocated || sh.bo("SO-3B").Status != models.BackorderAllocated {
				t.Fatalf("freed stock not passed on: %s %s", sh.bo("SO-3A").Status, sh.bo("SO-3B").Status)
			}
			onHand, reserved := checkInvariants(t, sh.s, "SKU")
			if onHand != 4+6+3+1+1+2+1 || reserved != onHand-1 {
				t.Fatalf("on hand %d reserved %d", onHand, reserved)
			}
			// Its ETA moved with the second supply order and back when it was
			// cancelled; held twice: for the receipt, and against the new order.
			hist, err := sh.s.BackorderHistory(ctx, models.BackorderID("SO-2W", 1))
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, e := range hist {
				kinds = append(kinds, e.Kind)
			}
			if got := strings.Join(kinds, ","); got != "created,eta_changed,eta_changed,eta_changed,passed_over,passed_over,passed_over,held,held,allocated" {
				t.Fatalf("SO-2W history %s", got)
			}
		})
	}
}

func TestBackorderNewsAndEscalation(t *testing.T) {
	for _, e := range testdb.Engines {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			sh := newShop(t, e.Open(t), 0)
			sh.order("SO-1", 1, 3, true)
			sh.order("SO-2", 2, 3, true)
			news, err := sh.s.PendingNews(ctx, "SKU", 1)
			if err != nil || len(news.Backorders) != 1 || !news.More || news.Backorders[0].Customer.Email != "t1@example.com" {
				t.Fatalf("news %+v %v", news, err)
			}
			// Made to stock: 3 + 3 wait, nothing free, nothing on order.
			if c := news.Coverage; c == nil || *c != (models.StockCoverage{Waiting: 6}) || c.Short() != 6 {
				t.Fatalf("coverage %+v, want 6 waiting and 6 short", c)
			}
			eta := news.Backorders[0].ETA
			if err := sh.s.MarkAnnounced(ctx, models.Announced{Backorders: []models.AnnouncedBackorder{{ID: "SO-1-L1", Rev: news.Backorders[0].Rev, ToldETA: &eta}}}); err != nil {
				t.Fatal(err)
			}
			if news, _ := sh.s.PendingNews(ctx, "SKU", 10); len(news.Backorders) != 1 || news.Backorders[0].OrderID != "SO-2" {
				t.Fatalf("announced news again: %+v", news)
			}
			// A receipt's pick list waits to be sent.
			sh.receive("rcv-1", 2)
			news, _ = sh.s.PendingNews(ctx, "SKU", 10)
			if len(news.Runs) != 1 || news.Runs[0].Picks[0].OrderID != "SO-1" {
				t.Fatalf("runs %+v", news.Runs)
			}
			if err := sh.s.MarkAnnounced(ctx, models.Announced{Runs: []string{news.Runs[0].ID}}); err != nil {
				t.Fatal(err)
			}
			// The lead-time ETA passes: each backorder escalates once for that ETA.
			next, ok, err := sh.s.NextEscalation(ctx, "SKU")
			if err != nil || !ok || !next.Equal(t0.AddDate(0, 0, 14)) {
				t.Fatalf("next escalation %s %v %v", next, ok, err)
			}
			if got, _ := sh.s.EscalateOverdue(ctx, "SKU", next); len(got) != 0 {
				t.Fatalf("escalated at the ETA itself: %d", len(got))
			}
			late := next.Add(time.Hour)
			if skus, _ := sh.s.SKUsNeedingAttention(ctx, late, 10); len(skus) != 1 {
				t.Fatalf("sweep sees %v", skus)
			}
			if got, _ := sh.s.EscalateOverdue(ctx, "SKU", late); len(got) != 2 {
				t.Fatalf("escalated %d", len(got))
			}
			if got, _ := sh.s.EscalateOverdue(ctx, "SKU", late); len(got) != 0 {
				t.Fatalf("escalated twice: %d", len(got))
			}
			if _, ok, _ := sh.s.NextEscalation(ctx, "SKU"); ok {
				t.Fatal("an escalated ETA is due to escalate again")
			}
		})
	}
}

func TestBackorderDashboardAndKPIs(t *testing.T) {
	for _, e := range testdb.Engines {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			sh := newShop(t, e.Open(t), 0)
			for i := range 9 {
				sh.order(fmt.Sprintf("SO-%02d", i), 1+i%3, int64(1+i), true)
				sh.now = sh.now.Add(24 * time.Hour)
			}
			// Every sort pages through all rows exactly once, in order.
			for _, key := range store.BackorderSorts {
				for _, desc := range []bool{false, true} {
					all, err := sh.s.ListBackorders(ctx, store.BackorderFilter{Now: sh.now}, store.BackorderSort{Key: key, Desc: desc}, store.Page{Limit: 200})
					if err != nil {
						t.Fatal(err)
					}
					var paged []string
					p := store.Page{Limit: 2}
					for {
						page, err := sh.s.ListBackorders(ctx, store.BackorderFilter{Now: sh.now}, store.BackorderSort{Key: key, Desc: desc}, p)
						if err != nil {
							t.Fatal(err)
						}
						for _, b := range page.Items {
							paged = append(paged, b.ID)
						}
						if page.NextCursor == "" {
							break
						}
						p.Cursor = page.NextCursor
					}
					var whole []string
					for _, b := range all.Items {
						whole = append(whole, b.ID)
					}
					if len(whole) != 9 || strings.Join(paged, " ") != strings.Join(whole, " ") {
						t.Fatalf("sort %s desc=%v: pages %v, whole %v", key, desc, paged, whole)
					}
					if key == store.SortPriority && !desc && (all.Items[0].CustomerTier != 1 || all.Items[8].CustomerTier != 3) {
						t.Fatalf("priority order starts with tier %d", all.Items[0].CustomerTier)
					}
					if key == store.SortValue && !desc && all.Items[0].ValueOpen != 9000 {
						t.Fatalf("value order starts with %d", all.Items[0].ValueOpen)
					}
				}
			}
			tests := []struct {
				name string
				f    store.BackorderFilter
				want int
			}{
				{"tier 2", store.BackorderFilter{Tier: 2}, 3},
				{"one customer", store.BackorderFilter{CustomerID: sh.cust[3]}, 3},
				{"region", store.BackorderFilter{Region: "R1"}, 3},
				{"older than 5 days", store.BackorderFilter{MinAgeDays: 5}, 5},
				{"at most 3 days old", store.BackorderFilter{MaxAgeDays: 3}, 2},
				{"ETA range", store.BackorderFilter{ETAFrom: t0.AddDate(0, 0, 16), ETATo: t0.AddDate(0, 0, 18)}, 2},
				{"overdue", store.BackorderFilter{Overdue: true}, 0},
				{"status", store.BackorderFilter{Statuses: []string{models.BackorderOpen}}, 9},
			}
			for _, tc := range tests {
				tc.f.Now = sh.now
				page, err := sh.s.ListBackorders(ctx, tc.f, store.BackorderSort{}, store.Page{})
				if err != nil || len(page.Items) != tc.want {
					t.Errorf("%s: %d rows, want %d (%v)", tc.name, len(page.Items), tc.want, err)
				}
			}
			if _, err := sh.s.ListBackorders(ctx, store.BackorderFilter{}, store.BackorderSort{Key: "size"}, store.Page{}); err == nil {
				t.Fatal("unknown sort accepted")
			}

			// Fill two backorders (SO-00: 1 unit, SO-01: 2 units; tier 1 and 2 first by policy) and ship nothing.
			sh.receive("rcv-1", 3) // tier 1 first: SO-00 (1), SO-03 (4) takes 2
			k, err := sh.s.BackorderKPIs(ctx, sh.now)
			if err != nil {
				t.Fatal(err)
			}
			// 45 units short in all, 3 filled; 1 of 9 backorders filled, on time (before its lead-time ETA).
			if k.LineFillRate != 0 || k.FulfillmentRate != 3.0/45 || k.Filled != 1 || k.ETAAccuracy != 1 {
				t.Fatalf("rates %+v", k)
			}
			if k.Open.Count != 8 || k.Open.Qty != 42 || k.Open.Value[0].Amount != 42000 {
				t.Fatalf("open %+v", k.Open)
			}
			var aged int64
			for _, b := range k.Aging {
				aged += b.Count
			}
			if len(k.Aging) != 5 || aged != 8 || k.Aging[1].Key != "8-14" {
				t.Fatalf("aging %+v", k.Aging)
			}
			if len(k.BySKU) != 1 || k.BySKU[0].Qty != 42 || len(k.BySupplier) != 1 || k.BySupplier[0].Key != "Steelworks" {
				t.Fatalf("bottlenecks %+v %+v", k.BySKU, k.BySupplier)
			}
			var weekly int64
			for _, w := range k.ByExpectedWeek {
				weekly += w.Value[0].Amount
				if d, err := time.Parse(time.DateOnly, w.Key); err != nil || d.Weekday() != time.Monday {
					t.Fatalf("week %q is not a Monday", w.Key)
				}
			}
			if weekly != 42000 {
				t.Fatalf("value by week adds up to %d", weekly)
			}
			// SO-00 was created 9 days and 9 minutes before the receipt filled it.
			if k.AvgDaysToFill < 9 || k.AvgDaysToFill > 9.01 {
				t.Fatalf("avg days to fill %f", k.AvgDaysToFill)
			}
		})
	}
}

// TestPickListsAreNamedByTheirCause: after a restore, q2c applies the
// reservations, releases and receipts again (package reconcile); the pick
// lists they make must be the ones whose sending Temporal recorded, so the
// warehouse is not sent them twice. The same changes on two databases make
// runs with the same ids; runs named in an announcement are then sent.
func TestPickListsAreNamedByTheirCause(t *testing.T) {
	for _, e := range testdb.Engines {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			runIDs := func(s *store.Store) []string {
				sh := newShop(t, s, 0)
				sh.order("SO-1", 1, 3, true)
				sh.order("SO-2", 2, 3, true)
				sh.receive("rcv-1", 4)
				if _, err := sh.s.Release(ctx, "SO-1", 1); err != nil {
					t.Fatal(err)
				}
				news, err := sh.s.PendingNews(ctx, "SKU", 10)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, r := range news.Runs {
					ids = append(ids, r.ID)
				}
				return ids
			}
			first, restored := runIDs(e.Open(t)), runIDs(e.Open(t))
			// The receipt allocates to SO-1 (3) and one to SO-2; SO-1's
			// release passes its 3 on to SO-2: two pick lists.
			if len(first) != 2 || strings.Join(first, ",") != strings.Join(restored, ",") {
				t.Fatalf("runs %v on one database and %v on the other, want the same two", first, restored)
			}
		})
	}
}
