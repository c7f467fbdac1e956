package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestBackorderTotalsMatchAScan: the KPIs read from the totals kept as
// backorders change equal those of one grouped scan of every backorder
// (the way they were computed before), after each kind of write a
// backorder sees: created short, filled in part and in full by receipts,
// its ETA and supplier moved by supply, cancelled, shipped. Each is asked
// at hours that put an ETA earlier today and aging boundaries inside a
// day, and the totals counted again from the rows come out the same.
func TestBackorderTotalsMatchAScan(t *testing.T) {
	for _, e := range testdb.Engines {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			sh := newShop(t, e.Open(t), 2)
			check := func(step string) {
				t.Helper()
				waiting, err := sh.s.ListBackorders(ctx, store.BackorderFilter{Statuses: []string{models.BackorderOpen, models.BackorderPartiallyFilled}},
					store.BackorderSort{Key: store.SortETA}, store.Page{})
				if err != nil || len(waiting.Items) == 0 {
					t.Fatalf("nothing waits after %s (%v)", step, err)
				}
				eta := waiting.Items[0].ETA
				if eta.Add(time.Minute).Day() != eta.Day() {
					t.Fatalf("the first ETA %s leaves no minute of its day", eta)
				}
				for _, ask := range []struct {
					name string
					at   time.Time
				}{
					{"now", sh.now},
					{"a minute after the first ETA", eta.Add(time.Minute)},
					{"boundaries inside days", sh.now.AddDate(0, 0, 20).Add(5*time.Hour + 17*time.Minute)},
				} {
					got, err := sh.s.BackorderKPIs(ctx, ask.at)
					if err != nil {
						t.Fatal(err)
					}
					want, err := sh.s.BackorderKPIsByScan(ctx, ask.at)
					if err != nil {
						t.Fatal(err)
					}
					if g, w := kpiJSON(t, got), kpiJSON(t, want); g != w {
						t.Fatalf("after %s, asked at %s (%s):\n totals %s\n   scan %s", step, ask.name, ask.at, g, w)
					}
				}
			}
			// Eleven orders over three weeks, at different hours; the first two
			// take the 2 units on hand, the rest wait.
			for i := range 11 {
				sh.order(fmt.Sprintf("SO-%02d", i), 1+i%3, int64(1+i%4), i%4 != 0)
				sh.now = sh.now.Add(37 * time.Hour)
			}
			check("orders short")
			if r := sh.receive("rcv-1", 5); r.Run == nil {
				t.Fatal("the receipt filled nothing")
			}
			sh.now = sh.now.Add(26 * time.Hour)
			sh.receive("rcv-2", 3)
			check("receipts")
			po := &models.SupplyOrder{Kind: models.SupplyPurchase, SKU: "SKU", WarehouseCode: "A", Qty: 6, Supplier: "Castings Ltd",
				ExpectedAt: sh.now.AddDate(0, 0, 4), CreatedBy: "user:p"}
			if err := sh.s.CreateSupplyOrder(ctx, po); err != nil {
				t.Fatal(err)
			}
			check("supply ordered")
			if _, _, err := sh.s.MoveSupplyETA(ctx, po.ID, sh.now.AddDate(0, 0, 9)); err != nil {
				t.Fatal(err)
			}
			check("supply moved")
			var waiting, allocated string
			for i := 2; i < 11; i++ { // the first two were reserved in full
				switch b := sh.bo(fmt.Sprintf("SO-%02d", i)); {
				case b.IsWaiting() && waiting == "":
					waiting = b.OrderID
				case b.Status == models.BackorderAllocated && allocated == "":
					allocated = b.OrderID
				}
			}
			if waiting == "" || allocated == "" {
				t.Fatalf("no waiting (%q) or filled (%q) backorder to go on with", waiting, allocated)
			}
			if _, err := sh.s.Release(ctx, waiting, 1); err != nil {
				t.Fatal(err)
			}
			check("a waiting line cancelled")
			b := sh.bo(allocated)
			if err := sh.s.SaveOrder(ctx, models.OrderRecord{ID: allocated, QuoteID: "Q-" + allocated, CustomerID: b.CustomerID, Status: "allocated",
				Rev: 1, Currency: "USD", Total: b.LineNet, State: "{}"}, store.OrderFacts{}); err != nil {
				t.Fatal(err)
			}
			if err := sh.s.Ship(ctx, store.Shipment{ID: allocated + "/1", OrderID: allocated, Carrier: "UPS", Tracking: "1Z", ShippedBy: "user:w",
				ShippedAt: sh.now, Lines: []store.ShipLine{{LineNo: 1, SKU: "SKU", Qty: b.QtyOrdered}}}); err != nil {
				t.Fatal(err)
			}
			if sh.bo(allocated).Status != models.BackorderShipped {
				t.Fatalf("%s not shipped", allocated)
			}
			check("a filled line shipped")
			before, err := sh.s.BackorderKPIs(ctx, sh.now)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := sh.s.RecountBackorderTotals(ctx); err != nil || n != 10 {
				t.Fatalf("recounted %d backorders (want the 10 short), %v", n, err)
			}
			after, err := sh.s.BackorderKPIs(ctx, sh.now)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := kpiJSON(t, before), kpiJSON(t, after); g != w {
				t.Fatalf("kept totals\n %s\ncounted again\n %s", g, w)
			}
			if before.Filled == 0 || before.Open.Count == 0 {
				t.Fatalf("the workload left nothing to compare: %+v", before)
			}
		})
	}
}

// kpiJSON is the KPIs as JSON, averages to a millionth of a day: the totals
// sum milliseconds where the scan summed fractions of days.
func kpiJSON(t *testing.T, k store.BackorderKPIs) string {
	t.Helper()
	round := func(f *float64) { *f = math.Round(*f*1e6) / 1e6 }
	round(&k.AvgDaysToFill)
	round(&k.AvgDaysLateFill)
	raw, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestNestedTransactionsSeeTheirOwnQueue: two receipts in one transaction
// (each a transaction nested in it) fill the queue in turn. The second must
// see what the first filled, though the SKU's queue token changes only when
// the outer transaction ends: it reads the rows rather than the queue cached
// before. Tests check every cached queue served against the rows, so a stale
// one fails the receipt.
func TestNestedTransactionsSeeTheirOwnQueue(t *testing.T) {
	for _, e := range testdb.Engines {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			sh := newShop(t, e.Open(t), 0)
			for i := range 4 {
				sh.order(fmt.Sprintf("SO-%02d", i), 1, 2, true)
			}
			sh.receive("rcv-0", 1) // caches the queue under its token
			err := sh.s.Tx(ctx, func(tx *store.Store) error {
				for _, key := range []string{"rcv-1", "rcv-2"} {
					if _, err := tx.Receive(ctx, store.Receipt{Key: key, SKU: "SKU", Warehouse: "B", Qty: 2, ReceivedBy: "user:w"}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var filled int64
			for i := range 4 {
				filled += sh.bo(fmt.Sprintf("SO-%02d", i)).QtyFilled
			}
			if filled != 5 {
				t.Fatalf("%d units filled of the 5 received", filled)
			}
			k, err := sh.s.BackorderKPIs(ctx, sh.now)
			if err != nil {
				t.Fatal(err)
			}
			if k.Open.Qty != 3 {
				t.Fatalf("%d units still waiting in the totals, want 3", k.Open.Qty)
			}
		})
	}
}
