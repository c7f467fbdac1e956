package itest

import (
	"context"
	"fmt"
	"testing"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// TestWholeLifecycleOverHTTP: quote → (auto-approved) → order → allocate →
// ship in two parts → two invoices → partial, full and over-payment →
// completed. It checks the HTTP answers, the database rows, the workflow
// result and what the customer was told.
func TestWholeLifecycleOverHTTP(t *testing.T) {
	mail, sendgridURL := newMailCapture(t)
	a := newApp(t, withSendGrid(sendgridURL))
	ctx := context.Background()
	rep, buyer := a.login("rep@q2c.local"), a.login("buyer@acme.example")
	warehouse, finance := a.login("warehouse@q2c.local"), a.login("finance@q2c.local")

	var customers store.List[models.Customer]
	a.call("GET", "/api/v1/customers", buyer, "", nil, &customers)
	acme := customers.Items[0].ID

	// Enterprise price 18.99 is 5% below list: no approval needed.
	var q quoteView
	if r := a.call("POST", "/api/v1/quotes", rep, fmt.Sprintf(`{"customer_id":%q,"lines":[{"sku":"WID-100","qty":10}]}`, acme), nil, &q); r.StatusCode != 201 || q.Status != workflows.QuoteApproved {
		t.Fatalf("quote: %d %s", r.StatusCode, q.Status)
	}
	// 10 × 18.99 = 189.90 + 7.25% = 13.77 (13.7678) → 203.67
	if q.Priced.Pricing.Total != 20367 || q.Priced.Pricing.Lines[0].PriceSource != "price list Enterprise" {
		t.Fatalf("priced %+v", q.Priced.Pricing)
	}
	var accepted quoteView
	if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", buyer, `{"allow_partial":true}`, nil, &accepted); r.StatusCode != 200 {
		t.Fatalf("accept: %d", r.StatusCode)
	}
	orderID := accepted.OrderID
	var order workflows.OrderState
	waitFor(t, func() bool {
		a.call("GET", "/api/v1/orders/"+orderID, buyer, "", nil, &order)
		return order.Status == workflows.OrderAllocated
	})

	ship := func(qty int, tracking string) workflows.OrderState {
		var st workflows.OrderState
		r := a.call("POST", "/api/v1/orders/"+orderID+"/shipments", warehouse,
			fmt.Sprintf(`{"carrier":"UPS","tracking":%q,"lines":[{"line_no":1,"qty":%d}]}`, tracking, qty), nil, &st)
		if r.StatusCode != 200 {
			t.Fatalf("ship %d: %d", qty, r.StatusCode)
		}
		return st
	}
	var over struct{ Errors []models.FieldError }
	if r := a.call("POST", "/api/v1/orders/"+orderID+"/shipments", warehouse, `{"carrier":"UPS","tracking":"X","lines":[{"line_no":1,"qty":11}]}`, nil, &over); r.StatusCode != 422 ||
		len(over.Errors) != 1 || over.Errors[0].Field != "lines[0].qty" || over.Errors[0].Message != "only 10 reserved to ship" {
		t.Fatalf("shipping more than ordered: %d %+v", r.StatusCode, over)
	}
	if st := ship(6, "1Z-A"); st.Status != workflows.OrderPartiallyShipped {
		t.Fatalf("after 6 of 10: %s", st.Status)
	}
	st := ship(4, "1Z-B")
	if st.Status != workflows.OrderShipped || len(st.Invoices) != 2 {
		t.Fatalf("after all 10: %s, %d invoices", st.Status, len(st.Invoices))
	}
	inv1, inv2 := st.Invoices[0], st.Invoices[1]
	// 6/10: 113.94 + 8.26 = 122.20; the rest: 75.96 + 5.51 = 81.47; together the quote's 203.67.
	if inv1.Total != 12220 || inv2.Total != 8147 || inv2.Number != inv1.Number+1 {
		t.Fatalf("invoices %+v %+v", inv1, inv2)
	}

	pay := func(invoice, ref string, amount int64) workflows.OrderState {
		var st workflows.OrderState
		r := a.call("POST", "/api/v1/orders/"+orderID+"/payments", finance,
			fmt.Sprintf(`{"invoice_id":%q,"reference":%q,"amount":%d,"method":"wire"}`, invoice, ref, amount), nil, &st)
		if r.StatusCode != 200 {
			t.Fatalf("pay %s %d: %d", invoice, amount, r.StatusCode)
		}
		return st
	}
	pay(inv1.ID, "wire-1", 12220)
	pay(inv2.ID, "wire-2", 5000)
	pay(inv2.ID, "wire-2", 5000) // the same payment entered twice counts once
	// Another amount under that reference is another payment: refused
	// naming the reference, not answered as the first and lost.
	var p struct{ Errors []models.FieldError }
	if r := a.call("POST", "/api/v1/orders/"+orderID+"/payments", finance,
		fmt.Sprintf(`{"invoice_id":%q,"reference":"wire-2","amount":2000,"method":"ach"}`, inv2.ID), nil, &p); r.StatusCode != 422 || len(p.Errors) == 0 || p.Errors[0].Field != "reference" {
		t.Fatalf("a second amount under wire-2: %d %+v; want 422 naming the reference", r.StatusCode, p)
	}
	final := pay(inv2.ID, "wire-3", 3247)
	if final.Status != workflows.OrderCompleted {
		t.Fatalf("after paying everything: %s", final.Status)
	}

	// The workflow finished with the same answer.
	var result workflows.OrderState
	if err := a.Client.GetWorkflow(ctx, workflows.OrderWorkflowID(orderID), "").Get(ctx, &result); err != nil || result.Status != workflows.OrderCompleted {
		t.Fatalf("workflow result %s, %v", result.Status, err)
	}
	// A change to the finished order is refused saying what it ended as.
	var late struct{ Detail string }
	if r := a.call("POST", "/api/v1/orders/"+orderID+"/cancel", buyer, `{"reason":"too late"}`, nil, &late); r.StatusCode != 409 ||
		late.Detail != "order "+orderID+" is completed: nothing about it can change any more" {
		t.Fatalf("cancelling the completed order: %d %q", r.StatusCode, late.Detail)
	}
	// The database agrees: invoices paid, 1.00 credit, no stock left reserved for the order.
	var invs store.List[models.Invoice]
	a.call("GET", "/api/v1/invoices?order_id="+orderID, buyer, "", nil, &invs)
	if len(invs.Items) != 2 || invs.Items[0].Status != models.InvoicePaid || invs.Items[1].Status != models.InvoicePaid || invs.Items[1].Paid != 8147 {
		t.Fatalf("invoices %+v", invs.Items)
	}
	if credit, err := a.Store.CreditBalance(ctx, acme, "USD"); err != nil || credit != 100 {
		t.Fatalf("credit %d, %v", credit, err)
	}
	levels, _ := a.Store.StockFor(ctx, "WID-100")
	var onHand, reserved int64
	for _, l := range levels {
		onHand, reserved = onHand+l.OnHand, reserved+l.Reserved
	}
	if onHand != 150 || reserved != 0 {
		t.Fatalf("WID-100 on hand %d reserved %d; want 150 and 0", onHand, reserved)
	}
	a.recordHistory(workflows.OrderWorkflowID(orderID), "order-shipped-invoiced-paid")
	a.recordHistory(workflows.QuoteWorkflowID(q.QuoteID), "quote-auto-approved-accepted")

	// What SendGrid received through its SDK, in order, once each.
	subjects := mail.to("purchasing@acme.example")
	want := []string{
		"Your quote " + q.QuoteID + " is ready", "Order " + orderID + " confirmed",
		"Order " + orderID + " has shipped", "Invoice " + inv1.ID + " for order " + orderID,
		"Order " + orderID + " has shipped", "Invoice " + inv2.ID + " for order " + orderID,
		"Payment received for invoice " + inv1.ID, "Payment received for invoice " + inv2.ID, "Payment received for invoice " + inv2.ID,
	} // wire-2 entered twice is confirmed once; wire-3 once
	if fmt.Sprint(subjects) != fmt.Sprint(want) {
		t.Fatalf("customer was told:\n%v\nwant:\n%v", subjects, want)
	}
	for _, m := range mail.mails {
		if m.Auth != "Bearer SG.itest" || m.Key == "" {
			t.Fatalf("mail sent without the API key or idempotency key: %+v", m)
		}
	}
	if msgs, _ := a.Store.ListOutboxMessages(ctx, "", store.Page{}); len(msgs.Items) != 0 {
		t.Fatalf("with SendGrid configured, %d messages went to the dev outbox", len(msgs.Items))
	}
}
