package itest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// TestConcurrentOrdersNeverOversell: 100 customers' orders race through the
// API and their workflows for 10 units. Exactly 10 are reserved, 90 orders
// wait on backorder, and stock invariants hold.
func TestConcurrentOrdersNeverOversell(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	if err := a.Store.UpsertProduct(ctx, &models.Product{SKU: "HOT-1", Name: "Scarce gadget", UnitOfMeasure: "each", ListPrice: 5000, Currency: "USD", LeadTimeDays: 20, Active: true}); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.SetOnHand(ctx, "HOT-1", "SFO", 6); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.SetOnHand(ctx, "HOT-1", "NYC", 4); err != nil {
		t.Fatal(err)
	}
	rep := a.login("rep@q2c.local")
	var customers store.List[models.Customer]
	a.call("GET", "/api/v1/customers", rep, "", nil, &customers)

	const orders = 100
	ids := make([]string, orders)
	var wg sync.WaitGroup
	for i := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cust := customers.Items[i%len(customers.Items)].ID
			var q quoteView
			if err := a.careful().Mutate("POST", "/api/v1/quotes", rep, fmt.Sprintf(`{"customer_id":%q,"lines":[{"sku":"HOT-1","qty":1}]}`, cust), 201, &q); err != nil {
				t.Errorf("quote %d: %v", i, err)
				return
			}
			var acc quoteView
			if err := a.careful().Mutate("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", rep, `{"allow_partial":true}`, 200, &acc); err != nil {
				t.Errorf("accept %d: %v", i, err)
				return
			}
			ids[i] = acc.OrderID
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	counts := map[string]int{}
	waitFor(t, func() bool {
		counts = map[string]int{}
		l, err := a.Store.ListOrders(ctx, "", "", store.Page{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range l.Items {
			counts[o.Status]++
		}
		return counts[workflows.OrderAllocated]+counts[workflows.OrderBackordered] == orders
	})
	if counts[workflows.OrderAllocated] != 10 || counts[workflows.OrderBackordered] != 90 {
		t.Fatalf("orders by status %v; want 10 allocated and 90 backordered", counts)
	}
	levels, err := a.Store.StockFor(ctx, "HOT-1")
	if err != nil {
		t.Fatal(err)
	}
	active, err := a.Store.ActiveReservations(ctx, "HOT-1")
	if err != nil {
		t.Fatal(err)
	}
	var onHand, reserved, held int64
	for _, l := range levels {
		if l.Reserved > l.OnHand || l.Available() < 0 {
			t.Fatalf("%s: reserved %d of %d on hand", l.WarehouseCode, l.Reserved, l.OnHand)
		}
		onHand, reserved = onHand+l.OnHand, reserved+l.Reserved
	}
	for _, r := range active {
		held += r.Qty
	}
	if onHand != 10 || reserved != 10 || held != 10 || len(active) != 10 {
		t.Fatalf("on hand %d, reserved %d, reservations hold %d in %d rows", onHand, reserved, held, len(active))
	}
	// ATP now sees the 90 waiting units ahead of any new order.
	av, err := a.Store.AvailabilityOf(ctx, "HOT-1", levels[0].UpdatedAt)
	if err != nil || av.Position.Available != 0 || av.Position.Waiting != 90 {
		t.Fatalf("availability %+v, %v", av.Position, err)
	}
}
