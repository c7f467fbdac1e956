package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
)

func TestAvailabilityPromisesFromStockSupplyAndLeadTime(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if err := h.st.UpsertWarehouse(ctx, models.Warehouse{Code: "SFO", Name: "SFO"}); err != nil {
		t.Fatal(err)
	}
	if err := h.st.UpsertProduct(ctx, &models.Product{SKU: "WID", Name: "Widget", ListPrice: 100, Currency: "USD", LeadTimeDays: 30, Active: true}); err != nil {
		t.Fatal(err)
	}
	if err := h.st.SetOnHand(ctx, "WID", "SFO", 3); err != nil {
		t.Fatal(err)
	}
	h.createUser("supply@q2c.test", "supply-password", models.Roles{models.RoleSupplyChain}, nil)
	h.createUser("rep@q2c.test", "rep-password", models.Roles{models.RoleSalesRep}, nil)
	planner, rep := h.login("supply@q2c.test", "supply-password"), h.login("rep@q2c.test", "rep-password")

	eta := time.Now().UTC().AddDate(0, 0, 10).Truncate(time.Second)
	w := h.do("POST", "/api/v1/supply-orders", planner, `{"kind":"purchase","reference":"PO-1","sku":"WID","warehouse":"SFO","qty":5,"expected_at":"`+eta.Format(time.RFC3339)+`"}`, nil)
	var po models.SupplyOrder
	decode(t, w, &po)
	if w.Code != 201 {
		t.Fatalf("supply order: %d %s", w.Code, w.Body)
	}

	type promise struct {
		Promise struct {
			Date   time.Time
			Source string
		}
	}
	tests := []struct {
		qty    string
		source string
		days   int
	}{{"2", "stock", 0}, {"8", "open supply", 10}, {"9", "supplier lead time", 30}}
	for _, tc := range tests {
		var p promise
		w := h.do("GET", "/api/v1/inventory/WID/availability?qty="+tc.qty, rep, "", nil)
		decode(t, w, &p)
		wantDay := time.Now().UTC().AddDate(0, 0, tc.days).Format(time.DateOnly)
		if w.Code != 200 || p.Promise.Source != tc.source || p.Promise.Date.Format(time.DateOnly) != wantDay {
			t.Fatalf("qty %s: %d %+v, want %s on %s", tc.qty, w.Code, p.Promise, tc.source, wantDay)
		}
	}

	later := eta.AddDate(0, 0, 5)
	if w := h.do("PATCH", "/api/v1/supply-orders/"+po.ID, planner, `{"expected_at":"`+later.Format(time.RFC3339)+`"}`, nil); w.Code != 200 {
		t.Fatalf("move ETA: %d %s", w.Code, w.Body)
	}
	var p promise
	decode(t, h.do("GET", "/api/v1/inventory/WID/availability?qty=8", rep, "", nil), &p)
	if p.Promise.Date.Format(time.DateOnly) != later.Format(time.DateOnly) {
		t.Fatalf("promise did not follow the moved ETA: %v", p.Promise.Date)
	}
	if w := h.do("GET", "/api/v1/inventory/WID/availability?qty=-1", rep, "", nil); w.Code != 422 {
		t.Fatalf("bad qty: %d", w.Code)
	}
	if w := h.do("GET", "/api/v1/inventory/NOPE/availability", rep, "", nil); w.Code != 404 {
		t.Fatalf("unknown SKU: %d", w.Code)
	}
}
