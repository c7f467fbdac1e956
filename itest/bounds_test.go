package itest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.temporal.io/api/enums/v1"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

// TestLargestInputsNeverWedgeAWorkflow: a 700 KB carrier used to be accepted
// and then fail the order's workflow task on every retry, leaving the order
// stuck. Every field now has a bound; here each Update gets its largest
// accepted value (in 4-byte characters, the most bytes a character takes),
// the sale carries on to payment, and no workflow task failed.
func TestLargestInputsNeverWedgeAWorkflow(t *testing.T) {
	a := newApp(t)
	buyer, approver := a.login("buyer@acme.example"), a.login("approver@q2c.local")
	pricing, warehouse, finance := a.login("pricing@q2c.local"), a.login("warehouse@q2c.local"), a.login("finance@q2c.local")
	most := func(n int) string { return strings.Repeat("𝄞", n) }
	jsonStr := func(s string) string { b, _ := json.Marshal(s); return string(b) }

	if r := a.call("POST", "/api/v1/pricing/promotions", pricing,
		`{"code":"BIG20","description":"Launch 20%","percent_bp":2000,"valid_from":"2026-01-01T00:00:00Z"}`, nil, nil); r.StatusCode != 201 {
		t.Fatalf("promotion: %d", r.StatusCode)
	}
	var q quoteView
	if r := a.call("POST", "/api/v1/quotes", buyer, `{"lines":[{"sku":"WID-100","qty":5},{"sku":"CAB-050","qty":20}],"promo_code":"BIG20"}`, nil, &q); r.StatusCode != 201 {
		t.Fatalf("quote: %d", r.StatusCode)
	}
	if r := a.call("PUT", "/api/v1/quotes/"+q.QuoteID, buyer, `{"lines":[{"sku":"WID-100","qty":4},{"sku":"CAB-050","qty":20}],"promo_code":"BIG20"}`, nil, &q); r.StatusCode != 200 {
		t.Fatalf("edit: %d", r.StatusCode)
	}
	if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/approve", approver, `{"comment":`+jsonStr(most(models.MaxCommentLen))+`}`, nil, nil); r.StatusCode != 200 {
		t.Fatalf("approve with the longest comment: %d", r.StatusCode)
	}
	var acc quoteView
	if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", buyer, `{"allow_partial":true}`, nil, &acc); r.StatusCode != 200 {
		t.Fatalf("accept: %d", r.StatusCode)
	}
	var order workflows.OrderState
	waitFor(t, func() bool {
		a.call("GET", "/api/v1/orders/"+acc.OrderID, buyer, "", nil, &order)
		return order.Status == workflows.OrderAllocated
	})
	ship := fmt.Sprintf(`{"carrier":%s,"tracking":%s,"lines":[{"line_no":1,"qty":4}]}`, jsonStr(most(models.MaxNameLen)), jsonStr(most(models.MaxNameLen)))
	if r := a.call("POST", "/api/v1/orders/"+acc.OrderID+"/shipments", warehouse, ship, nil, &order); r.StatusCode != 200 {
		t.Fatalf("ship with the longest carrier and tracking: %d", r.StatusCode)
	}
	// One over the bound is refused, naming the field and the bound.
	over := fmt.Sprintf(`{"carrier":%s,"tracking":"T","lines":[{"line_no":2,"qty":1}]}`, jsonStr(most(models.MaxNameLen+1)))
	var problem struct{ Errors []models.FieldError }
	if r := a.call("POST", "/api/v1/orders/"+acc.OrderID+"/shipments", warehouse, over, nil, &problem); r.StatusCode != 422 ||
		len(problem.Errors) != 1 || problem.Errors[0].Field != "carrier" || !strings.Contains(problem.Errors[0].Message, "200") {
		t.Fatalf("one character over: %d %+v", r.StatusCode, problem)
	}
	inv := order.Invoices[0]
	pay := fmt.Sprintf(`{"invoice_id":%q,"reference":%s,"method":%s,"amount":%d}`, inv.ID, jsonStr(most(models.MaxNameLen)), jsonStr(most(models.MaxCodeLen)), inv.Total)
	if r := a.call("POST", "/api/v1/orders/"+acc.OrderID+"/payments", finance, pay, nil, &order); r.StatusCode != 200 {
		t.Fatalf("pay with the longest reference and method: %d", r.StatusCode)
	}
	if r := a.call("POST", "/api/v1/orders/"+acc.OrderID+"/cancel", buyer, `{"reason":`+jsonStr(most(models.MaxCommentLen))+`}`, nil, &order); r.StatusCode != 200 {
		t.Fatalf("cancel the rest with the longest reason: %d", r.StatusCode)
	}
	if order.Status != workflows.OrderCompletedShort {
		t.Fatalf("order ends %s", order.Status)
	}
	for _, id := range []string{workflows.QuoteWorkflowID(q.QuoteID), workflows.OrderWorkflowID(acc.OrderID)} {
		iter := a.Client.GetWorkflowHistory(context.Background(), id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for iter.HasNext() {
			e, err := iter.Next()
			if err != nil {
				t.Fatal(err)
			}
			if e.GetEventType() == enums.EVENT_TYPE_WORKFLOW_TASK_FAILED {
				t.Fatalf("%s: a workflow task failed: %v", id, e.GetWorkflowTaskFailedEventAttributes().GetFailure().GetMessage())
			}
		}
	}
}
