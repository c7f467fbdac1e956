package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestStockCounts: 10 WID at A, 8 reserved for SO-1 and 2 for SO-2, whose
// other 3 wait. A count below the 10 reserved is refused naming both
// orders; 4 units found fill SO-2's 3 and leave 1 free; the same count
// again is answered from the first; the history keeps both counts.
func TestStockCounts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		stockUp(t, s, "WID", map[string]int64{"A": 10})
		for _, r := range []store.ReserveRequest{
			{OrderID: "SO-1", LineNo: 1, SKU: "WID", Qty: 8, CustomerID: testCustomer, AllowPartial: true},
			{OrderID: "SO-2", LineNo: 1, SKU: "WID", Qty: 5, CustomerID: testCustomer, AllowPartial: true},
		} {
			if _, err := s.Reserve(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		five := int64(5)
		tests := []struct {
			name string
			adj  store.Adjustment
			want string // in the refusal
		}{
			{"a count below what is reserved", store.Adjustment{Key: "c1", Counted: &five, Reason: models.AdjustCycleCount}, "below the 10 units reserved there for SO-1 line 1 (8 units), SO-2 line 1 (2 units)"},
			{"a damaged unit that is reserved", store.Adjustment{Key: "d1", AdjustBy: -1, Reason: models.AdjustDamaged}, "would be 9"},
		}
		for _, bad := range []store.Adjustment{
			{Key: "b1", AdjustBy: -11, Reason: models.AdjustLost},  // below zero
			{Key: "b2", AdjustBy: 2, Reason: models.AdjustDamaged}, // damaged units do not add
			{Key: "b3", AdjustBy: -2, Reason: models.AdjustFound},  // found units do not take away
		} {
			bad.SKU, bad.Warehouse, bad.By = "WID", "A", "user:w"
			if _, err := s.AdjustStock(ctx, bad); !isField(err, "adjust_by") {
				t.Fatalf("%+v: %v, want a field error on adjust_by", bad, err)
			}
		}
		for _, tc := range tests {
			tc.adj.SKU, tc.adj.Warehouse, tc.adj.By = "WID", "A", "user:w"
			if _, err := s.AdjustStock(ctx, tc.adj); !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%s: %v, want a conflict saying %q", tc.name, err, tc.want)
			}
		}
		found := store.Adjustment{Key: "f1", SKU: "WID", Warehouse: "A", AdjustBy: 4, Reason: models.AdjustFound, Note: "behind the rack", By: "user:w"}
		got, err := s.AdjustStock(ctx, found)
		if err != nil || got.Before != 10 || got.After != 14 || got.Free != 1 || got.Run == nil || len(got.Run.Picks) != 1 || got.Run.Picks[0].Qty != 3 || got.Run.Picks[0].OrderID != "SO-2" {
			t.Fatalf("found 4: %+v %v", got, err)
		}
		again, err := s.AdjustStock(ctx, found)
		if err != nil || !again.Replayed || again.After != 14 || again.ID != got.ID {
			t.Fatalf("the same count again: %+v %v", again, err)
		}
		found.AdjustBy = 5
		if _, err := s.AdjustStock(ctx, found); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("the key with other figures: %v", err)
		}
		if _, err := s.AdjustStock(ctx, store.Adjustment{Key: "f2", SKU: "WID", Warehouse: "A", Reason: "whim", By: "user:w"}); !isField(err, "reason") {
			t.Fatalf("no reason: %v", err)
		}
		onHand, reserved := checkInvariants(t, s, "WID")
		if onHand != 14 || reserved != 13 {
			t.Fatalf("on hand %d reserved %d, want 14 and 13", onHand, reserved)
		}
		h, err := s.StockAdjustments(ctx, "WID", 10)
		if err != nil || len(h) != 1 || h[0].Note != "behind the rack" || h[0].Reason != models.AdjustFound || h[0].Free != 1 || h[0].Run == nil {
			t.Fatalf("history %+v %v", h, err)
		}
	})
}
