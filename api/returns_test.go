package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/q2c-dev/q2c/api"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
)

// TestReturnsAndCreditNotesRefuseBadInputByField: each bad request is a 422
// naming its field and changes nothing; a customer cannot return another
// customer's order (it is not on their account).
func TestReturnsAndCreditNotesRefuseBadInputByField(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, c := range []*models.Customer{{ID: "c-1", Name: "Mine", Email: "m@example.com", Tier: 2, Currency: "USD"}, {ID: "c-2", Name: "Other", Email: "o@example.com", Tier: 2, Currency: "USD"}} {
		if err := h.st.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	mine := "c-1"
	h.createUser("buyer@mine.example", "buyer-password-1", models.Roles{models.RoleCustomer}, &mine)
	customer := h.login("buyer@mine.example", "buyer-password-1")
	if err := h.st.SaveOrder(ctx, models.OrderRecord{ID: "SO-OTHER", QuoteID: "Q-OTHER", CustomerID: "c-2", Status: "shipped", Rev: 1, Currency: "USD", State: "{}"}, store.OrderFacts{}); err != nil {
		t.Fatal(err)
	}
	finance := h.as(models.RoleFinance)
	tests := []struct{ name, path, token, body, field string }{
		{"no order", "/api/v1/returns", customer, `{"lines":[{"line_no":1,"qty":1}],"reason":"damaged"}`, "order_id"},
		{"another customer's order", "/api/v1/returns", customer, `{"order_id":"SO-OTHER","lines":[{"line_no":1,"qty":1}],"reason":"damaged"}`, "order_id"},
		{"a reason that is not one", "/api/v1/returns", h.as(models.RoleCustomerService), `{"order_id":"SO-OTHER","lines":[{"line_no":1,"qty":1}],"reason":"meh"}`, "reason"},
		{"no lines", "/api/v1/returns", h.as(models.RoleCustomerService), `{"order_id":"SO-OTHER","lines":[],"reason":"damaged"}`, "lines"},
		{"a zero quantity", "/api/v1/returns", h.as(models.RoleCustomerService), `{"order_id":"SO-OTHER","lines":[{"line_no":1,"qty":0}],"reason":"damaged"}`, "lines[0].qty"},
		{"receiving nowhere", "/api/v1/returns/RMA-000001/receive", h.as(models.RoleWarehouseManager), `{"lines":[{"line_no":1,"received":1,"sellable":1}]}`, "warehouse"},
		{"a credit of no kind", "/api/v1/invoices/INV-000001/credit-notes", finance, `{"reason":"x"}`, "kind"},
		{"a correction of nothing", "/api/v1/invoices/INV-000001/credit-notes", finance, `{"kind":"price_correction","amount":0,"reason":"x"}`, "amount"},
		{"a cancellation with an amount", "/api/v1/invoices/INV-000001/credit-notes", finance, `{"kind":"cancellation","amount":5,"reason":"x"}`, "amount"},
		{"a credit without a reason", "/api/v1/invoices/INV-000001/credit-notes", finance, `{"kind":"cancellation"}`, "reason"},
		{"a refund in no currency", "/api/v1/customers/c-2/refunds", finance, `{"currency":"usd","amount":100,"reference":"r"}`, "currency"},
		{"a refund of more than the credit", "/api/v1/customers/c-2/refunds", finance, `{"currency":"USD","amount":100,"reference":"r"}`, "amount"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do("POST", tc.path, tc.token, tc.body, nil)
			var p api.Problem
			decode(t, w, &p)
			if w.Code != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
				t.Fatalf("%d %+v, want 422 naming %s", w.Code, p.Errors, tc.field)
			}
		})
	}
	if l, err := h.st.ListReturns(ctx, "", "", "", storePageOf(10)); err != nil || len(l.Items) != 0 {
		t.Fatalf("refused requests left returns: %+v %v", l.Items, err)
	}
}
