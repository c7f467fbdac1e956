package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/q2c-dev/q2c/backorder"
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
	if _, err := s.CustomerByID(ctx, testCustomer); err != nil {
		if err := s.CreateCustomer(ctx, &models.Customer{ID: testCustomer, Name: "Test Co", Email: "t@example.com", Tier: 2, Currency: "USD"}); err != nil {
			t.Fatal(err)
		}
	}
	for wh, qty := range perWarehouse {
		if err := s.SetOnHand(ctx, sku, wh, qty); err != nil {
			t.Fatal(err)
		}
	}
}

// testCustomer is the customer stockUp creates; a shortfall is backordered for it.
const testCustomer = "C1"

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
				a, err := s.Reserve(ctx, store.ReserveRequest{OrderID: "o1", LineNo: 1, SKU: "SKU", Qty: tc.qty, CustomerID: testCustomer, Warehouses: tc.prefer})
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
				again, err := s.Reserve(ctx, store.ReserveRequest{OrderID: "o1", LineNo: 1, SKU: "SKU", Qty: tc.qty, CustomerID: testCustomer})
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
			if res, err := s.Receive(ctx, r); res.Replayed || res.Free != 6 || err != nil {
				t.Fatalf("first receipt: %+v %v", res, err)
			}
			if res, err := s.Receive(ctx, r); !res.Replayed || res.Free != 6 || err != nil {
				t.Fatalf("retried receipt applied again: %+v %v", res, err)
			}
			if onHand, _ := checkInvariants(t, s, "SKU"); onHand != 6 {
				t.Fatalf("on hand %d, want 6", onHand)
			}
			if _, err := s.Receive(ctx, store.Receipt{Key: "x", SKU: "SKU", Warehouse: "NOWHERE", Qty: 1}); !errors.As(err, new(*models.ValidationError)) {
				t.Fatalf("receipt into an unknown warehouse: %v", err)
			}
		})
	}
}

// TestOneReferenceCoversSeveralSKUs: a packing slip lists several SKUs under
// one reference. Before receipts were keyed by (SKU, reference), receiving
// the second SKU answered with the first's result and its stock never came.
func TestOneReferenceCoversSeveralSKUs(t *testing.T) {
	for _, e := range testdb.Engines {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t)
			ctx := context.Background()
			stockUp(t, s, "SKU", map[string]int64{"A": 1})
			stockUp(t, s, "OTHER", map[string]int64{"A": 0})
			if res, err := s.Receive(ctx, store.Receipt{Key: "ASN-1", SKU: "SKU", Warehouse: "A", Qty: 5, ReceivedBy: "w"}); err != nil || res.Replayed {
				t.Fatalf("SKU: %+v %v", res, err)
			}
			res, err := s.Receive(ctx, store.Receipt{Key: "ASN-1", SKU: "OTHER", Warehouse: "A", Qty: 3, ReceivedBy: "w"})
			if err != nil || res.Replayed || res.SKU != "OTHER" || res.Qty != 3 {
				t.Fatalf("the same slip for another SKU: %+v %v", res, err)
			}
			if onHand, _ := checkInvariants(t, s, "OTHER"); onHand != 3 {
				t.Fatalf("OTHER on hand %d, want 3", onHand)
			}
			// The same (SKU, reference) with another quantity or warehouse is
			// not a retry: it is refused, naming what differs.
			for _, r := range []store.Receipt{
				{Key: "ASN-1", SKU: "SKU", Warehouse: "A", Qty: 6, ReceivedBy: "w"},
				{Key: "ASN-1", SKU: "SKU", Warehouse: "B", Qty: 5, ReceivedBy: "w"},
			} {
				_, err := s.Receive(ctx, r)
				if !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), "received already as 5 into A") {
					t.Fatalf("%+v: %v", r, err)
				}
			}
			if onHand, _ := checkInvariants(t, s, "SKU"); onHand != 6 {
				t.Fatalf("SKU on hand %d, want 6", onHand)
			}
		})
	}
}

// TestNoOversellUnderConcurrency: 100 order lines of 1 to 4 units (some
// must ship whole) race for 10 units while 6 receipts of 1 to 6 units
// arrive, and every order and receipt is sent twice at once (retries). No
// unit is reserved twice, stock never goes negative, every backorder is
// filled or still waiting with exactly the right quantity, and no line that
// could take free stock is left waiting. Each engine runs it; on Postgres
// it is real row-lock concurrency.
func TestNoOversellUnderConcurrency(t *testing.T) {
	for _, e := range testdb.Engines {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t)
			ctx := context.Background()
			stockUp(t, s, "HOT", map[string]int64{"A": 6, "B": 4})
			const orders = 100
			receipts := []int64{3, 1, 6, 2, 5, 4}
			qty := func(i int) int64 { return int64(1 + i%4) }
			var wg sync.WaitGroup
			results := make([]models.Allocation, orders)
			errs := make(chan error, 2*orders+2*len(receipts))
			for i := range orders {
				for attempt := range 2 { // every order is also retried concurrently
					wg.Add(1)
					go func() {
						defer wg.Done()
						a, err := s.Reserve(ctx, store.ReserveRequest{OrderID: fmt.Sprintf("order-%03d", i), LineNo: 1, SKU: "HOT", Qty: qty(i),
							CustomerID: testCustomer, AllowPartial: i%3 != 0, LineNet: 100 * qty(i), Currency: "USD"})
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
			for i, n := range receipts {
				for range 2 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if _, err := s.Receive(ctx, store.Receipt{Key: fmt.Sprintf("rcv-%d", i), SKU: "HOT", Warehouse: "C", Qty: n, ReceivedBy: "test"}); err != nil {
							errs <- err
						}
					}()
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			var received int64
			for _, n := range receipts {
				received += n
			}
			onHand, reserved := checkInvariants(t, s, "HOT")
			if onHand != 10+received {
				t.Fatalf("on hand %d, want %d (a receipt counted twice or lost)", onHand, 10+received)
			}
			bos, err := s.ListBackorders(ctx, store.BackorderFilter{}, store.BackorderSort{}, store.Page{Limit: store.MaxPageSize})
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]models.Backorder{}
			var filled int64
			for _, b := range bos.Items {
				byID[b.ID] = b
				filled += b.QtyFilled
			}
			var atOrder, demand int64
			for i, a := range results {
				atOrder += a.Reserved
				demand += qty(i)
				b, ok := byID[models.BackorderID(a.OrderID, 1)]
				if ok != (a.Shortfall() > 0) || (ok && b.QtyShort != a.Shortfall()) {
					t.Fatalf("%s short %d, backorder %+v", a.OrderID, a.Shortfall(), b)
				}
				if ok && (b.QtyFilled+b.Waiting() != b.QtyShort || b.Waiting() < 0 || (b.Waiting() == 0) != (b.Status == models.BackorderAllocated)) {
					t.Fatalf("backorder %s: short %d filled %d waiting %d status %s", b.ID, b.QtyShort, b.QtyFilled, b.Waiting(), b.Status)
				}
			}
			// Every unit is reserved exactly once: at order time or as a fill.
			if atOrder+filled != reserved {
				t.Fatalf("stock shows %d reserved; orders got %d and backorders were filled %d", reserved, atOrder, filled)
			}
			// What is free could not have served anyone waiting: a line that
			// could take it (partial, or small enough) waits beside free
			// stock only behind a ship-whole line the stock is held for
			// (passed over MaxSkips times, and still more than is free).
			if free := onHand - reserved; free > 0 {
				rank := func(b models.Backorder) backorder.Line {
					return backorder.Line{Tier: b.CustomerTier, PromisedDate: b.PromisedAt, OrderedAt: b.OrderedAt, OrderID: b.OrderID, LineNo: b.LineNo}
				}
				for _, b := range bos.Items {
					if !b.IsWaiting() || !(b.AllowPartial || b.Waiting() <= free) {
						continue
					}
					heldAhead := slices.ContainsFunc(bos.Items, func(h models.Backorder) bool {
						return h.IsWaiting() && !h.AllowPartial && h.Skips >= backorder.MaxSkips && h.Waiting() > free &&
							backorder.DefaultPolicy.Compare(rank(h), rank(b)) < 0
					})
					if !heldAhead {
						t.Fatalf("%d units free while %s waits for %d (partial %v) with no held line ahead", free, b.ID, b.Waiting(), b.AllowPartial)
					}
				}
			}
			if demand <= onHand {
				t.Fatalf("test needs more demand (%d) than stock (%d)", demand, onHand)
			}
		})
	}
}
