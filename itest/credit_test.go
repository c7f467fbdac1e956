package itest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/workflows"
)

// TestCreditHoldOverHTTP: Acme owes nothing, has a 100.00 limit and takes
// a 210.17 quote. The customer's acceptance is held for finance with the
// figures; a sales manager cannot release it; finance's approval places the
// order, which carries Acme's net 15 and its default ship-to.
func TestCreditHoldOverHTTP(t *testing.T) {
	a := newApp(t)
	buyer, manager, finance := a.login("buyer@acme.example"), a.login("manager@q2c.local"), a.login("finance@q2c.local")
	acme := customerNamed(t, a, "Acme")
	if r := a.call("PUT", "/api/v1/customers/"+acme.ID+"/credit", finance, fmt.Sprintf(`{"version":%d,"terms_days":15,"credit_limit":10000}`, acme.Version), nil, nil); r.StatusCode != 200 {
		t.Fatalf("credit: %d", r.StatusCode)
	}
	var q quoteView
	if r := a.call("POST", "/api/v1/quotes", buyer, `{"lines":[{"sku":"WID-100","qty":5},{"sku":"CAB-050","qty":20}]}`, nil, &q); r.StatusCode != 201 {
		t.Fatalf("quote: %d", r.StatusCode)
	}
	if q.Priced.ShipTo == nil || q.Priced.ShipTo.Label != "Main warehouse" || q.Priced.TermsDays == nil || *q.Priced.TermsDays != 15 {
		t.Fatalf("priced ship-to %+v, terms %v", q.Priced.ShipTo, q.Priced.TermsDays)
	}
	var held struct {
		Status       string `json:"status"`
		CreditReview bool   `json:"credit_review"`
		OrderID      string `json:"order_id"`
	}
	if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", buyer, `{}`, nil, &held); r.StatusCode != 200 || held.Status != workflows.QuotePendingApproval || !held.CreditReview || held.OrderID != "" {
		t.Fatalf("accept over the limit: %d %+v", r.StatusCode, held)
	}
	var staff quoteView
	a.call("GET", "/api/v1/quotes/"+q.QuoteID, finance, "", nil, &staff)
	want := fmt.Sprintf("credit limit: USD 0.00 owed and ordered + this order USD %s = USD %s, over the limit of USD 100.00",
		models.NewMoney(q.Priced.Pricing.Total, "USD").Decimal(), models.NewMoney(q.Priced.Pricing.Total, "USD").Decimal())
	if staff.ApprovalRole != models.RoleFinance || !strings.Contains(strings.Join(staff.Approval.Reasons, "|"), want) {
		t.Fatalf("held for %s: %q, want %q", staff.ApprovalRole, staff.Approval.Reasons, want)
	}
	if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/approve", manager, `{}`, nil, nil); r.StatusCode != 409 {
		t.Fatalf("a sales manager releasing a credit hold: %d", r.StatusCode)
	}
	if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/approve", finance, `{"comment":"prepaid"}`, nil, &q); r.StatusCode != 200 || q.Status != workflows.QuoteAccepted || q.OrderID == "" {
		t.Fatalf("finance approves: %d %s %q", r.StatusCode, q.Status, q.OrderID)
	}
	var o workflows.OrderState
	waitFor(t, func() bool {
		r := a.call("GET", "/api/v1/orders/"+q.OrderID, finance, "", nil, &o)
		return r.StatusCode == 200 && o.Status == workflows.OrderAllocated
	})
	if o.Terms() != 15 || o.ShipToText() != "Main warehouse, 200 Industrial Pkwy, Fremont, CA 94538, US" {
		t.Fatalf("order terms %d, ship-to %q", o.Terms(), o.ShipToText())
	}
	a.recordHistory(workflows.QuoteWorkflowID(q.QuoteID), "quote-credit-hold-approved")
}
