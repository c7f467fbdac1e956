package itest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

type quoteView struct {
	workflows.QuoteState
}

// TestQuoteApprovalAcceptAndCancelOverHTTP drives a quote needing approval
// to an allocated order and cancels it with compensation, through the API,
// against Postgres and the embedded Temporal server.
func TestQuoteApprovalAcceptAndCancelOverHTTP(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	buyer, rep, approver := a.login("buyer@acme.example"), a.login("rep@q2c.local"), a.login("approver@q2c.local")
	pricing := a.login("pricing@q2c.local")

	// A 20% promotion pushes the discount past the 15% policy: approval needed.
	if r := a.call("POST", "/api/v1/pricing/promotions", pricing,
		`{"code":"BIG20","description":"Launch 20%","percent_bp":2000,"valid_from":"2026-01-01T00:00:00Z"}`, nil, nil); r.StatusCode != 201 {
		t.Fatalf("promotion: %d", r.StatusCode)
	}
	var q quoteView
	r := a.call("POST", "/api/v1/quotes", buyer, `{"lines":[{"sku":"WID-100","qty":5},{"sku":"CAB-050","qty":20}],"promo_code":"BIG20"}`, nil, &q)
	if r.StatusCode != 201 || q.Status != workflows.QuotePendingApproval {
		t.Fatalf("create quote: %d %+v", r.StatusCode, q.QuoteState)
	}
	var staffView quoteView
	if a.call("GET", "/api/v1/quotes/"+q.QuoteID, rep, "", nil, &staffView); staffView.ApprovalRole != models.RoleApprover {
		t.Fatalf("staff see the approval needed from %q", staffView.ApprovalRole)
	}
	// The customer's list, like the quote itself, keeps the approval policy
	// to the staff.
	var mine struct{ Items []map[string]any }
	a.call("GET", "/api/v1/quotes", buyer, "", nil, &mine)
	if len(mine.Items) != 1 || mine.Items[0]["id"] != q.QuoteID || mine.Items[0]["total"] != float64(21017) {
		t.Fatalf("the customer's quotes: %+v", mine.Items)
	}
	for _, k := range []string{"approval_role", "needs_approval", "approved_at", "created_by"} {
		if v, ok := mine.Items[0][k]; ok {
			t.Errorf("the customer's list shows %s = %v", k, v)
		}
	}
	p := q.Priced.Pricing
	// Acme is enterprise: WID-100 at 18.99, 5 × = 94.95 − 20% (18.99) = 75.96 + 7.25% tax 5.51 = 81.47;
	// CAB-050 at list 7.50, 20 × = 150.00 − 30.00 = 120.00 + 8.70 = 128.70. 53.99 below the 249.95 list: 21.60%.
	if p.Subtotal != 24495 || p.Discount != 4899 || p.Net != 19596 || p.Tax != 1421 || p.Total != 21017 || p.DiscountBP != 2160 || len(q.Priced.Promises) != 2 {
		t.Fatalf("priced %+v promises %d", p, len(q.Priced.Promises))
	}
	if q.Priced.Promises[0].Source != "stock" {
		t.Fatalf("WID-100 is in stock, promised from %s", q.Priced.Promises[0].Source)
	}

	// The customer cannot accept yet; a rep cannot approve; an approver can.
	// (An action whose fields are all optional needs no body.)
	if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", buyer, ``, nil, nil); r.StatusCode != 409 {
		t.Fatalf("accept before approval: %d", r.StatusCode)
	}
	if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/approve", rep, `{}`, nil, nil); r.StatusCode != 403 {
		t.Fatalf("rep approving: %d", r.StatusCode)
	}
	// A decision names the version it was made on when it can: on any other
	// it is refused, not applied to a quote its approver has not seen.
	var refusal struct {
		Detail string `json:"detail"`
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/approve", approver, `{"version":2}`, nil, &refusal); r.StatusCode != 409 ||
		r.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(refusal.Detail, "version 1, not the version 2 you saw") {
		t.Fatalf("approving another version: %d %q %+v", r.StatusCode, r.Header.Get("Content-Type"), refusal)
	}
	for _, bad := range []string{"-1", "0"} {
		if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/approve", approver, `{"version":`+bad+`}`, nil, &refusal); r.StatusCode != 422 ||
			len(refusal.Errors) != 1 || refusal.Errors[0].Field != "version" {
			t.Fatalf("approving version %s: %d %+v", bad, r.StatusCode, refusal)
		}
	}
	if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/approve", approver, `{"comment":"launch customer","version":1}`, nil, &q); r.StatusCode != 200 || q.Status != workflows.QuoteApproved {
		t.Fatalf("approve: %d %s", r.StatusCode, q.Status)
	}
	// The customer sees prices, promises and status, not the approval's
	// inside: thresholds, approvers, their comments, internal actors.
	var raw json.RawMessage
	if r := a.call("GET", "/api/v1/quotes/"+q.QuoteID, buyer, "", nil, &raw); r.StatusCode != 200 {
		t.Fatalf("customer reads quote: %d", r.StatusCode)
	}
	for _, inside := range []string{`"decisions"`, `"approval"`, `"approval_role"`, `"created_by"`, `"edited_by"`, "launch customer", "user:", `"actor"`} {
		if strings.Contains(string(raw), inside) {
			t.Errorf("the customer's view of the quote shows %s: %s", inside, raw)
		}
	}
	if !strings.Contains(string(raw), `"status":"approved"`) || !strings.Contains(string(raw), `"promises"`) {
		t.Errorf("the customer's view lacks the status or the promises: %s", raw)
	}

	// Accepting twice (a client retry) yields one order.
	var first, second quoteView
	a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", buyer, `{"allow_partial":true}`, map[string]string{"Idempotency-Key": "acc-1"}, &first)
	a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", buyer, `{"allow_partial":true}`, nil, &second)
	if first.Status != workflows.QuoteAccepted || first.OrderID == "" || second.OrderID != first.OrderID {
		t.Fatalf("accept: %+v / %+v", first.Status, second.OrderID)
	}
	var order workflows.OrderState
	wfr := a.Client.GetWorkflow(ctx, workflows.OrderWorkflowID(first.OrderID), "")
	_ = wfr // the order keeps running; wait for its allocation through its read model below
	waitFor(t, func() bool {
		r := a.call("GET", "/api/v1/orders/"+first.OrderID, buyer, "", nil, &order)
		return r.StatusCode == 200 && order.Status == workflows.OrderAllocated
	})
	levels, err := a.Store.StockFor(ctx, "WID-100")
	if err != nil {
		t.Fatal(err)
	}
	var reserved int64
	for _, l := range levels {
		reserved += l.Reserved
	}
	if reserved != 5 {
		t.Fatalf("WID-100 reserved %d, want 5", reserved)
	}

	// Another customer's user cannot see the order; staff can list it.
	var list store.List[models.OrderRecord]
	a.call("GET", "/api/v1/orders", rep, "", nil, &list)
	if len(list.Items) != 1 || list.Items[0].ID != first.OrderID {
		t.Fatalf("orders list %+v", list.Items)
	}

	// Cancel: reservations go back, the customer is told.
	var cancelled workflows.OrderState
	if r := a.call("POST", "/api/v1/orders/"+first.OrderID+"/cancel", buyer, `{"reason":"budget cut"}`, nil, &cancelled); r.StatusCode != 200 || cancelled.Status != workflows.OrderCancelled {
		t.Fatalf("cancel: %d %s", r.StatusCode, cancelled.Status)
	}
	levels, _ = a.Store.StockFor(ctx, "WID-100")
	for _, l := range levels {
		if l.Reserved != 0 {
			t.Fatalf("after cancel %s still has %d reserved", l.WarehouseCode, l.Reserved)
		}
	}
	if err := wfr.Get(ctx, nil); err != nil {
		t.Fatalf("order workflow: %v", err)
	}
	a.recordHistory(workflows.QuoteWorkflowID(q.QuoteID), "quote-approved-accepted")
	a.recordHistory(workflows.OrderWorkflowID(first.OrderID), "order-allocated-cancelled")

	// What customers and approvers were told, once each.
	msgs, err := a.Store.ListOutboxMessages(ctx, "", store.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	subjects := map[string]int{}
	for _, m := range msgs.Items {
		subjects[m.Recipient+" | "+m.Subject]++
	}
	for _, want := range []string{
		"approver@q2c.local | Approval requested: quote " + q.QuoteID + " for Acme Corp",
		"purchasing@acme.example | Your quote " + q.QuoteID + " is ready",
		"purchasing@acme.example | Order " + first.OrderID + " confirmed",
		"purchasing@acme.example | Order " + first.OrderID + " cancelled",
	} {
		if subjects[want] != 1 {
			t.Errorf("message %q sent %d times; outbox: %v", want, subjects[want], subjects)
		}
	}
}

func TestQuoteValidationAndScoping(t *testing.T) {
	a := newApp(t)
	buyer, rep := a.login("buyer@acme.example"), a.login("rep@q2c.local")
	var p struct {
		Status int
		Errors []models.FieldError
	}
	r := a.call("POST", "/api/v1/quotes", buyer, `{"lines":[{"sku":"NOPE","qty":1}]}`, nil, &p)
	if r.StatusCode != 422 || len(p.Errors) == 0 || p.Errors[0].Field != "lines[0].sku" {
		t.Fatalf("unknown SKU: %d %+v", r.StatusCode, p)
	}
	if r := a.call("POST", "/api/v1/quotes", rep, `{"lines":[{"sku":"WID-100","qty":1}]}`, nil, &p); r.StatusCode != 422 || p.Errors[0].Field != "customer_id" {
		t.Fatalf("rep without customer: %d %+v", r.StatusCode, p)
	}
	var customers store.List[models.Customer]
	a.call("GET", "/api/v1/customers", rep, "", nil, &customers)
	var globex string
	for _, c := range customers.Items {
		if c.Name == "Globex" {
			globex = c.ID
		}
	}
	var q quoteView
	if r := a.call("POST", "/api/v1/quotes", rep, fmt.Sprintf(`{"customer_id":%q,"lines":[{"sku":"WID-100","qty":1}]}`, globex), nil, &q); r.StatusCode != 201 || q.Status != workflows.QuoteApproved {
		t.Fatalf("rep quote for Globex: %d %s", r.StatusCode, q.Status)
	}
	// Acme's buyer cannot see, accept or quote for Globex.
	if r := a.call("GET", "/api/v1/quotes/"+q.QuoteID, buyer, "", nil, nil); r.StatusCode != 404 {
		t.Fatalf("other customer's quote: %d", r.StatusCode)
	}
	if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", buyer, `{}`, nil, nil); r.StatusCode != 404 {
		t.Fatalf("accepting another customer's quote: %d", r.StatusCode)
	}
	if r := a.call("POST", "/api/v1/quotes", buyer, fmt.Sprintf(`{"customer_id":%q,"lines":[{"sku":"WID-100","qty":1}]}`, globex), nil, nil); r.StatusCode != 403 {
		t.Fatalf("buyer quoting for Globex: %d", r.StatusCode)
	}
}

// waitFor polls a condition that a running workflow makes true; it bounds
// the wait instead of sleeping a guessed time.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 20s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
