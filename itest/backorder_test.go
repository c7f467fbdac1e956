package itest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

type backorderRow struct {
	models.Backorder
	Waiting int64 `json:"waiting"`
}

// TestBackorderLifecycleOverHTTP: two orders fall short → backorders with
// ETAs, customers told → a purchase order, then its date moved →
// customers and the sales rep told the new dates → goods received → the
// tier-1 customer served first although it ordered later → warehouse sent
// the pick list → ship → invoice → paid. Everything over HTTP against
// Postgres, the embedded Temporal server and the SendGrid SDK.
func TestBackorderLifecycleOverHTTP(t *testing.T) {
	mail, sendgridURL := newMailCapture(t)
	a := newApp(t, withSendGrid(sendgridURL))
	rep, buyer := a.login("rep@q2c.local"), a.login("buyer@acme.example")
	supply, warehouse, finance, service := a.login("supply@q2c.local"), a.login("warehouse@q2c.local"), a.login("finance@q2c.local"), a.login("service@q2c.local")

	var customers store.List[models.Customer]
	a.call("GET", "/api/v1/customers", rep, "", nil, &customers)
	ids := map[string]string{}
	for _, c := range customers.Items {
		ids[c.Name] = c.ID
	}
	// WID-200: 8 in stock, 30 days' lead time. Globex (tier 2) orders 10
	// first, Acme (tier 1) 3 after it.
	order := func(customer string, qty int) string {
		var q quoteView
		if r := a.call("POST", "/api/v1/quotes", rep, fmt.Sprintf(`{"customer_id":%q,"lines":[{"sku":"WID-200","qty":%d}]}`, ids[customer], qty), nil, &q); r.StatusCode != 201 || q.Status != workflows.QuoteApproved {
			t.Fatalf("quote for %s: %d %s", customer, r.StatusCode, q.Status)
		}
		var accepted quoteView
		if r := a.call("POST", "/api/v1/quotes/"+q.QuoteID+"/accept", rep, `{"allow_partial":true}`, nil, &accepted); r.StatusCode != 200 {
			t.Fatalf("accept: %d", r.StatusCode)
		}
		return accepted.OrderID
	}
	globex := order("Globex", 10)
	waitFor(t, func() bool { // Globex's shortfall is in the queue before Acme orders
		_, err := a.Store.BackorderByID(context.Background(), models.BackorderID(globex, 1))
		return err == nil
	})
	acme := order("Acme Corp", 3)

	backorders := func(token, query string) []backorderRow {
		var l store.List[backorderRow]
		if r := a.call("GET", "/api/v1/backorders"+query, token, "", nil, &l); r.StatusCode != 200 {
			t.Fatalf("backorders: %d", r.StatusCode)
		}
		return l.Items
	}
	var rows []backorderRow
	waitFor(t, func() bool {
		rows = backorders(service, "?sku=WID-200&sort=priority")
		return len(rows) == 2 && rows[0].ToldETA != nil && rows[1].ToldETA != nil
	})
	lead := time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly)
	if rows[0].OrderID != acme || rows[0].Waiting != 3 || rows[1].OrderID != globex || rows[1].Waiting != 2 || rows[0].ETA.Format(time.DateOnly) != lead {
		t.Fatalf("queue %+v", rows)
	}
	if mine := backorders(buyer, ""); len(mine) != 1 || mine[0].OrderID != acme {
		t.Fatalf("Acme's buyer sees %+v", mine)
	}
	var acmeOrder workflows.OrderState
	waitFor(t, func() bool {
		a.call("GET", "/api/v1/orders/"+acme, buyer, "", nil, &acmeOrder)
		return acmeOrder.Status == workflows.OrderBackordered && acmeOrder.Lines[0].ETA != nil
	})

	// A purchase order for 5, due in 10 days: both ETAs come forward. Then
	// the supplier slips 5 days: both move again.
	in := func(days int) string {
		return time.Now().UTC().AddDate(0, 0, days).Truncate(time.Second).Format(time.RFC3339)
	}
	var po models.SupplyOrder
	if r := a.call("POST", "/api/v1/supply-orders", supply, `{"kind":"purchase","reference":"PO-77","sku":"WID-200","warehouse":"SFO","qty":5,"expected_at":"`+in(10)+`"}`, nil, &po); r.StatusCode != 201 || po.Supplier != "Titan Metals" {
		t.Fatalf("supply order: %d %+v", r.StatusCode, po)
	}
	day10, day15 := in(10)[:10], in(15)[:10]
	waitFor(t, func() bool { return len(mail.to("purchasing@acme.example")) >= 3 }) // quote, confirmed with its date, new date
	if r := a.call("PATCH", "/api/v1/supply-orders/"+po.ID, supply, `{"expected_at":"`+in(15)+`"}`, nil, nil); r.StatusCode != 200 {
		t.Fatalf("move: %d", r.StatusCode)
	}
	waitFor(t, func() bool {
		rows = backorders(service, "?sku=WID-200&sort=priority")
		return rows[0].ToldETA != nil && rows[0].ToldETA.Format(time.DateOnly) == day15 && rows[1].ToldETA != nil && rows[1].ToldETA.Format(time.DateOnly) == day15
	})
	// One message tells the shortfall and its date (the confirmation); there
	// is no second "on backorder" message. Then the two new dates.
	want := []string{
		"New delivery date for order " + acme, "New delivery date for order " + acme, "Order " + acme + " confirmed",
	}
	got := mail.to("purchasing@acme.example")[1:]
	if slices.Sort(got); !slices.Equal(got, want) {
		t.Fatalf("Acme was told %q, want %q", got, want)
	}
	if got := mail.to("rep@q2c.local"); len(got) != 4 || got[0] != "New delivery date for order "+globex && got[0] != "New delivery date for order "+acme {
		t.Fatalf("the rep was told %q", got)
	}
	if !strings.Contains(fmt.Sprint(mail.bodies("purchasing@acme.example")), "backordered, expected by "+lead) {
		t.Fatalf("Acme's confirmation does not give the date %s: %q", lead, mail.bodies("purchasing@acme.example"))
	}
	if !strings.Contains(fmt.Sprint(mail.bodies("purchasing@acme.example")), day10+" to "+day15) {
		t.Fatalf("Acme's second notice does not say %s to %s", day10, day15)
	}

	// 4 arrive against the PO: Acme (tier 1) gets its 3 although it ordered
	// later, Globex 1; the same delivery posted again changes nothing.
	var res models.ReceiptResult
	body := `{"reference":"PS-4471","warehouse":"SFO","qty":4,"supply_order_id":"` + po.ID + `"}`
	if r := a.call("POST", "/api/v1/inventory/WID-200/receipts", warehouse, body, nil, &res); r.StatusCode != 201 || res.Run == nil {
		t.Fatalf("receipt: %d %+v", r.StatusCode, res)
	}
	picks := res.Run.Picks
	if len(picks) != 2 || picks[0].OrderID != acme || picks[0].Qty != 3 || picks[1].OrderID != globex || picks[1].Qty != 1 ||
		!strings.Contains(picks[0].Reason, "rank 1 by policy tier,promised,ordered (tier 1") {
		t.Fatalf("pick list %+v", picks)
	}
	var again models.ReceiptResult
	if r := a.call("POST", "/api/v1/inventory/WID-200/receipts", warehouse, body, nil, &again); r.StatusCode != 200 || !again.Replayed || again.Run.ID != res.Run.ID {
		t.Fatalf("the same delivery again: %d %+v", r.StatusCode, again)
	}
	if r := a.call("POST", "/api/v1/inventory/WID-200/receipts", warehouse, `{"reference":"","warehouse":"SFO","qty":0}`, nil, nil); r.StatusCode != 422 {
		t.Fatalf("bad receipt: %d", r.StatusCode)
	}
	if r := a.call("POST", "/api/v1/inventory/WID-200/receipts", buyer, body, nil, nil); r.StatusCode != 403 {
		t.Fatalf("a customer receiving goods: %d", r.StatusCode)
	}
	waitFor(t, func() bool {
		return slices.ContainsFunc(mail.to("warehouse@q2c.local"), func(s string) bool { return strings.HasPrefix(s, "Pick list: 4 × WID-200") })
	})

	// Acme's order is whole now: ship, invoice, pay.
	waitFor(t, func() bool {
		a.call("GET", "/api/v1/orders/"+acme, buyer, "", nil, &acmeOrder)
		return acmeOrder.Status == workflows.OrderAllocated
	})
	var st workflows.OrderState
	if r := a.call("POST", "/api/v1/orders/"+acme+"/shipments", warehouse, `{"carrier":"UPS","tracking":"1Z-BO","lines":[{"line_no":1,"qty":3}]}`, nil, &st); r.StatusCode != 200 || st.Status != workflows.OrderShipped {
		t.Fatalf("ship: %d %s", r.StatusCode, st.Status)
	}
	inv := st.Invoices[0]
	if r := a.call("POST", "/api/v1/orders/"+acme+"/payments", finance, fmt.Sprintf(`{"invoice_id":%q,"reference":"wire-bo","amount":%d,"method":"wire"}`, inv.ID, inv.Total), nil, &st); r.StatusCode != 200 || st.Status != workflows.OrderCompleted {
		t.Fatalf("pay: %d %s", r.StatusCode, st.Status)
	}
	waitFor(t, func() bool {
		var b backorderRow
		a.call("GET", "/api/v1/backorders/"+models.BackorderID(acme, 1), buyer, "", nil, &b)
		return b.Status == models.BackorderShipped
	})
	// Globex still waits for 1, expected with the rest of the PO.
	var g backorderRow
	a.call("GET", "/api/v1/backorders/"+models.BackorderID(globex, 1), service, "", nil, &g)
	if g.Status != models.BackorderPartiallyFilled || g.Waiting != 1 || g.ETARef != po.ID {
		t.Fatalf("Globex's backorder %+v", g)
	}
	subjects := mail.to("purchasing@acme.example")
	for _, s := range []string{"Order " + acme + " has shipped", "Invoice " + inv.ID + " for order " + acme, "Payment received for invoice " + inv.ID} {
		if !slices.Contains(subjects, s) {
			t.Fatalf("Acme was not told %q: %q", s, subjects)
		}
	}
	var k store.BackorderKPIs
	a.call("GET", "/api/v1/backorders/kpis", finance, "", nil, &k)
	if k.Open.Count != 1 || k.Open.Qty != 1 || k.Filled != 1 || k.BySupplier[0].Key != "Titan Metals" {
		t.Fatalf("KPIs %+v", k)
	}
	a.recordHistory(workflows.OrderWorkflowID(acme), "order-backordered-filled-shipped-paid")
	a.recordHistory(workflows.AllocatorWorkflowID("WID-200"), "allocator-receipt-running")
}
