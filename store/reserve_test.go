package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/q2c-dev/q2c/internal/testdb"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

func stockUp(t testing.TB, s *store.Store, sku string, perWarehouse map[string]int64) {
	t.Helper()
	ctx := context.Background()
	for _, wh := range []string{"A", "B", "C"} {
		if err := s.UpsertWarehouse(ctx, models.Warehouse{Code: wh, Name: wh}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.UpsertProduct(ctx, &models.Product{SKU: sku, Name: sku, ListPrice: 100, Currency: "USD", Active: true}); err != nil {
		t.Fatal(err)
	}
	for wh, qty := range perWarehouse {
		if err := s.SetOnHand(ctx, sku, wh, qty); err != nil {
			t.Fatal(err)
		}
	}
}

// checkInvariants proves stock is consistent: per warehouse, reserved equals
// the sum of active reservations and never exceeds on hand.
func checkInvariants(t testing.TB, s *store.Store, sku string) (onHand, reserved int64) {
	t.Helper()
	levels, err := s.StockFor(context.Background(), sku)
	if err != nil {
		t.Fatal(err)
	}
	active, err := s.ActiveReservations(context.Background(), sku)
	if err != nil {
		t.Fatal(err)
	}
	byWH := map[string]int64{}
	for _, r := range active {
		byWH[r.WarehouseCode] += r.Qty
	}
	for _, l := range levels {
		if l.Reserved != byWH[l.WarehouseCode] || l.Reserved > l.OnHand || l.Available() < 0 {
			t.Fatalf("%s@%s: on hand %d, reserved %d, active reservations %d", sku, l.WarehouseCode, l.OnHand, l.Reserved, byWH[l.WarehouseCode])
		}
		onHand, reserved = onHand+l.OnHand, reserved+l.Reserved
	}
	return onHand, reserved
}

func TestReserve(t *testing.T) {
	tests := []struct {
		name          string
		stock         map[string]int64
		qty           int64
		prefer        []string
		wantReserved  int64
		wantWarehouse []string
	}{
		{"all from one warehouse", map[string]int64{"A": 10}, 4, nil, 4, []string{"A"}},
		{"fullest warehouse first", map[string]int64{"A": 3, "B": 8}, 5, nil, 5, []string{"B"}},
		{"split across warehouses", map[string]int64{"A": 3, "B": 4}, 6, nil, 6, []string{"B", "A"}},
		{"preferred warehouse first", map[string]int64{"A": 3, "B": 8}, 5, []string{"A"}, 5, []string{"A", "B"}},
		{"shortfall when stock runs out", map[string]int64{"A": 2, "B": 1}, 5, nil, 3, []string{"A", "B"}},
		{"nothing in stock", map[string]int64{"A": 0}, 5, nil, 0, nil},
		{"no stock rows at all", nil, 5, nil, 0, nil},
	}
	for _, tc := range tests {
		for _, e := range testdb.Engines {
			t.Run(tc.name+"/"+e.Name, func(t *testing.T) {
				s := e.Open(t)
				ctx := context.Background()
				stockUp(t, s, "SKU", tc.stock)
				a, err := s.Reserve(ctx, store.ReserveRequest{OrderID: "o1", LineNo: 1, SKU: "SKU", Qty: tc.qty, Warehouses: tc.prefer})
				if err != nil {
					t.Fatal(err)
				}
				var whs []string
				for _, p := range a.Parts {
					whs = append(whs, p.WarehouseCode)
				}
				if a.Reserved != tc.wantReserved || a.Shortfall() != tc.qty-tc.wantReserved || fmt.Sprint(whs) != fmt.Sprint(tc.wantWarehouse) {
					t.Fatalf("reserved %d from %v (shortfall %d); want %d from %v", a.Reserved, whs, a.Shortfall(), tc.wantReserved, tc.wantWarehouse)
				}
				// A retry (same order line) returns the same outcome and reserves nothing more.
				again, err := s.Reserve(ctx, store.ReserveRequest{OrderID: "o1", LineNo: 1, SKU: "SKU", Qty: tc.qty})
				if err != nil || again.Reserved != a.Reserved || len(again.Parts) != len(a.Parts) {
					t.Fatalf("retry: %+v, %v", again, err)
				}
				if _, reserved := checkInvariants(t, s, "SKU"); reserved != tc.wantReserved {
					t.Fatalf("stock shows %d reserved, want %d", reserved, tc.wantReserved)
				}
				freed, err := s.Release(ctx, "o1", 1)
				if err != nil || freed != tc.wantReserved {
					t.Fatalf("release freed %d, %v", freed, err)
				}
				if freed, _ := s.Release(ctx, "o1", 1); freed != 0 {
					t.Fatalf("second release freed %d", freed)
				}
				if _, reserved := checkInvariants(t, s, "SKU"); reserved != 0 {
					t.Fatalf("after release %d still reserved", reserved)
				}
			})
		}
	}
}

func TestReceiveCountsEachReceiptOnce(t *testing.T) {
	for _, e := range testdb.Engines {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t)
			ctx := context.Background()
			stockUp(t, s, "SKU", map[string]int64{"A": 1})
			r := store.Receipt{Key: "po-1/rcv-1", SKU: "SKU", Warehouse: "B", Qty: 5, ReceivedBy: "user:w"}
			if ok, err := s.Receive(ctx, r); !ok || err != nil {
				t.Fatalf("first receipt: %v %v", ok, err)
			}
			if ok, err := s.Receive(ctx, r); ok || err != nil {
				t.Fatalf("retried receipt applied again: %v %v", ok, err)
			}
			if onHand, _ := checkInvariants(t, s, "SKU"); onHand != 6 {
				t.Fatalf("on hand %d, want 6", onHand)
			}
			if _, err := s.Receive(ctx, store.Receipt{Key: "x", SKU: "SKU", Warehouse: "NOWHERE", Qty: 1}); err == nil {
				t.Fatal("receipt into an unknown warehouse accepted")
			}
		})
	}
}

// TestNoOversellUnderConcurrency: 100 orders race for 10 units while
// receipts arrive and every order is also retried at once. Exactly the
// stock there is gets reserved, each order line at most once.
func TestNoOversellUnderConcurrency(t *testing.T) {
	for _, e := range testdb.Engines {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t)
			ctx := context.Background()
			stockUp(t, s, "HOT", map[string]int64{"A": 6, "B": 4})
			const orders, receipts = 100, 5
			var wg sync.WaitGroup
			results := make([]models.Allocation, orders)
			errs := make(chan error, 2*orders+receipts)
			for i := 0; i < orders; i++ {
				for attempt := 0; attempt < 2; attempt++ { // every order is also retried concurrently
					wg.Add(1)
					go func() {
						defer wg.Done()
						a, err := s.Reserve(ctx, store.ReserveRequest{OrderID: fmt.Sprintf("order-%03d", i), LineNo: 1, SKU: "HOT", Qty: 1})
						if err != nil {
							errs <- err
							return
						}
						if attempt == 0 {
							results[i] = a
						}
					}()
				}
			}
			for i := 0; i < receipts; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := s.Receive(ctx, store.Receipt{Key: fmt.Sprintf("rcv-%d", i), SKU: "HOT", Warehouse: "C", Qty: 1, ReceivedBy: "test"}); err != nil {
						errs <- err
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			onHand, reserved := checkInvariants(t, s, "HOT")
			if onHand != 10+receipts {
				t.Fatalf("on hand %d, want %d", onHand, 10+receipts)
			}
			var sumReserved, sumShort int64
			for _, a := range results {
				sumReserved += a.Reserved
				sumShort += a.Shortfall()
			}
			// Receipts may land before or after any reservation, so between 10
			// and 15 units are reserved, and exactly what the stock shows.
			if reserved < 10 || reserved > 10+receipts || sumReserved != reserved || sumReserved+sumShort != orders {
				t.Fatalf("stock reserved %d, orders reserved %d and short %d of %d", reserved, sumReserved, sumShort, orders)
			}
			active, _ := s.ActiveReservations(ctx, "HOT")
			if int64(len(active)) != reserved {
				t.Fatalf("%d reservation rows for %d units: some order holds a unit twice", len(active), reserved)
			}
		})
	}
}
