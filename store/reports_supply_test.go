package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestSupplierSlippageMatchesHandComputedFigures: purchase orders from two
// suppliers, one moved later before it came, received over two months.
func TestSupplierSlippageMatchesHandComputedFigures(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		stockUp(t, s, "WID", map[string]int64{"A": 0})
		day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 12, 0, 0, 0, time.UTC) }
		clock := day(5, 1)
		s.SetClock(func() time.Time { return clock })
		po := func(ref, supplier string, expected time.Time) *models.SupplyOrder {
			o := &models.SupplyOrder{Kind: models.SupplyPurchase, Reference: ref, SKU: "WID", WarehouseCode: "A", Qty: 5, ExpectedAt: expected, Supplier: supplier, CreatedBy: "user:s"}
			if err := s.CreateSupplyOrder(ctx, o); err != nil {
				t.Fatal(err)
			}
			return o
		}
		receive := func(o *models.SupplyOrder, at time.Time) {
			clock = at
			if _, err := s.Receive(ctx, store.Receipt{Key: o.Reference, SKU: "WID", Warehouse: "A", Qty: 5, ReceivedBy: "user:w", SupplyOrderID: o.ID}); err != nil {
				t.Fatal(err)
			}
		}
		a1, a2, a3 := po("A-1", "Anvil", day(5, 10)), po("A-2", "Anvil", day(5, 20)), po("A-3", "Anvil", day(6, 5))
		b1 := po("B-1", "Bolt", day(5, 15))
		if _, _, err := s.MoveSupplyETA(ctx, a2.ID, day(5, 28)); err != nil { // moved: slip still counts from the 20th
			t.Fatal(err)
		}
		receive(a1, day(5, 9))             // a day early: −1
		receive(a2, day(5, 27))            // 7 days after the first promise
		receive(b1, day(5, 15))            // on the day: 0
		receive(a3, day(6, 9))             // 4 days late, in June
		_ = po("A-4", "Anvil", day(6, 20)) // never received: not in the report

		r, err := s.SupplierSlippage(ctx, day(5, 1), day(6, 30), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		// Anvil, May: 2 received, 1 late; slips −1 and +7: average 3.0 days.
		// Anvil, June: 1 received, late by 4.0. Bolt, May: 1, on time, 0.0.
		want := []store.Slippage{
			{Supplier: "Anvil", Month: "2026-05", Received: 2, Late: 1, AvgSlipTenths: 30},
			{Supplier: "Anvil", Month: "2026-06", Received: 1, Late: 1, AvgSlipTenths: 40},
			{Supplier: "Bolt", Month: "2026-05", Received: 1, Late: 0, AvgSlipTenths: 0},
		}
		if fmt.Sprint(r.Rows) != fmt.Sprint(want) {
			t.Fatalf("\n got %+v\nwant %+v", r.Rows, want)
		}
	})
}
