package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/q2c-dev/q2c/api"
	"github.com/q2c-dev/q2c/models"
)

func TestStockCountsRefuseBadInputByField(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if err := h.st.UpsertWarehouse(ctx, models.Warehouse{Code: "SFO", Name: "SFO"}); err != nil {
		t.Fatal(err)
	}
	if err := h.st.UpsertProduct(ctx, &models.Product{SKU: "WID", Name: "Widget", ListPrice: 100, Currency: "USD", Active: true}); err != nil {
		t.Fatal(err)
	}
	wh := h.as(models.RoleWarehouseManager)
	tests := []struct{ name, body, field string }{
		{"both a count and an adjustment", `{"key":"k","warehouse":"SFO","counted":5,"adjust_by":1,"reason":"cycle_count"}`, "adjust_by"},
		{"neither", `{"key":"k","warehouse":"SFO","reason":"cycle_count"}`, "counted"},
		{"no reason", `{"key":"k","warehouse":"SFO","counted":5}`, "reason"},
		{"no key", `{"warehouse":"SFO","counted":5,"reason":"found"}`, "key"},
		{"a warehouse that is not there", `{"key":"k","warehouse":"XXX","counted":5,"reason":"found"}`, "warehouse"},
		{"a negative count", `{"key":"k","warehouse":"SFO","counted":-1,"reason":"found"}`, "counted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do("POST", "/api/v1/inventory/WID/counts", wh, tc.body, nil)
			var p api.Problem
			decode(t, w, &p)
			if w.Code != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
				t.Fatalf("%d %+v, want 422 naming %s", w.Code, p.Errors, tc.field)
			}
		})
	}
	w := h.do("POST", "/api/v1/inventory/WID/counts", wh, `{"key":"sheet-1","warehouse":"SFO","counted":7,"reason":"cycle_count"}`, nil)
	var got models.StockAdjustment
	decode(t, w, &got)
	if w.Code != http.StatusCreated || got.Before != 0 || got.After != 7 || got.Free != 7 {
		t.Fatalf("first count: %d %+v", w.Code, got)
	}
	if l, err := h.st.ListAudit(ctx, "stock", "WID@SFO", storePageOf(10)); err != nil || len(l.Items) != 1 {
		t.Fatalf("audit: %+v %v", l.Items, err)
	}
}
