package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// TestReadyQueueReadsPastOrdersThatCannotShip: with more ship-complete
// orders still waiting than one batch, the queue reads on past them and
// still finds the newer order that can ship; the warehouse sees it with
// its customer's name, and a customer is refused the queue.
func TestReadyQueueReadsPastOrdersThatCannotShip(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if err := h.st.UpsertProduct(ctx, &models.Product{SKU: "WID", Name: "Widget", ListPrice: 100, Currency: "USD", LeadTimeDays: 20, Active: true}); err != nil {
		t.Fatal(err)
	}
	if err := h.st.UpsertWarehouse(ctx, models.Warehouse{Code: "MAIN", Name: "Main"}); err != nil {
		t.Fatal(err)
	}
	if err := h.st.SetOnHand(ctx, "WID", "MAIN", 210); err != nil {
		t.Fatal(err)
	}
	c := &models.Customer{Name: "Acme", Email: "c@example.com", Region: "US-CA", Tier: 2, Currency: "USD"}
	if err := h.st.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	place := func(id string, allowPartial bool, qty, reserve int64) {
		clock = clock.Add(time.Minute)
		h.st.SetClock(func() time.Time { return clock })
		if _, err := h.st.Reserve(ctx, store.ReserveRequest{OrderID: id, LineNo: 1, SKU: "WID", Qty: reserve, CustomerID: c.ID,
			AllowPartial: true, LineNet: reserve * 100, Currency: "USD"}); err != nil {
			t.Fatal(err)
		}
		st := workflows.OrderState{OrderID: id, CustomerID: c.ID, Customer: models.Contact{Name: c.Name}, Status: workflows.OrderBackordered,
			Currency: "USD", AllowPartial: allowPartial, CreatedAt: clock, Lines: []workflows.OrderLine{{LineNo: 1, SKU: "WID", Qty: qty, Reserved: reserve}}}
		state, _ := json.Marshal(st)
		if err := h.st.SaveOrder(ctx, models.OrderRecord{ID: id, QuoteID: "Q-" + id, CustomerID: c.ID, Status: st.Status, Rev: 1, Currency: "USD",
			State: string(state)}, store.OrderFacts{}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 201 { // one more than a batch (200); each holds 1 of 2 units and ships complete: none can ship
		place(fmt.Sprintf("SO-WAIT%03d", i), false, 2, 1)
	}
	place("SO-READY", true, 3, 1)

	var q struct {
		Items []struct {
			OrderID      string `json:"order_id"`
			CustomerName string `json:"customer_name"`
			UnitsReady   int64  `json:"units_ready"`
			UnitsWaiting int64  `json:"units_waiting"`
			Lines        []struct {
				LineNo  int    `json:"line_no"`
				SKU     string `json:"sku"`
				Ready   int64  `json:"units_ready"`
				Waiting int64  `json:"units_waiting"`
			}
		}
	}
	w := h.do("GET", "/api/v1/shipping/ready", h.as(models.RoleWarehouseManager), "", nil)
	decode(t, w, &q)
	if w.Code != 200 || len(q.Items) != 1 || q.Items[0].OrderID != "SO-READY" || q.Items[0].CustomerName != "Acme" ||
		q.Items[0].UnitsReady != 1 || q.Items[0].UnitsWaiting != 2 || fmt.Sprint(q.Items[0].Lines) != "[{1 WID 1 2}]" {
		t.Fatalf("the queue: %d %+v", w.Code, q.Items)
	}
	if w := h.do("GET", "/api/v1/shipping/ready?limit=201", h.as(models.RoleWarehouseManager), "", nil); w.Code != 422 {
		t.Fatalf("limit 201: %d", w.Code)
	}
	if w := h.do("GET", "/api/v1/shipping/ready?cursor=bm90LWEtY3Vyc29y", h.as(models.RoleWarehouseManager), "", nil); w.Code != 422 {
		t.Fatalf("a cursor the API never gave: %d", w.Code)
	}

	// Pages: two ready orders a page, the second page after the first's
	// last, past the waiting ones between them, and no cursor at the end.
	place("SO-READY2", true, 1, 1)
	for i := range 3 {
		place(fmt.Sprintf("SO-WAITMORE%d", i), false, 2, 1)
	}
	place("SO-READY3", true, 1, 1)
	var got []string
	cursor := ""
	for pages := 0; pages == 0 || cursor != ""; pages++ {
		var p struct {
			Items []struct {
				OrderID string `json:"order_id"`
			}
			NextCursor string `json:"next_cursor"`
		}
		w := h.do("GET", "/api/v1/shipping/ready?limit=2&cursor="+cursor, h.as(models.RoleWarehouseManager), "", nil)
		decode(t, w, &p)
		if w.Code != 200 || pages > 1 {
			t.Fatalf("page %d: %d %+v", pages, w.Code, p)
		}
		for _, o := range p.Items {
			got = append(got, o.OrderID)
		}
		cursor = p.NextCursor
	}
	if fmt.Sprint(got) != "[SO-READY SO-READY2 SO-READY3]" {
		t.Fatalf("the queue page by page: %v", got)
	}
	if w := h.do("GET", "/api/v1/shipping/ready", h.as(models.RoleFinance), "", nil); w.Code != 403 {
		t.Fatalf("finance reads the warehouse's queue: %d", w.Code)
	}
}
