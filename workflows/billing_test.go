package workflows_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/workflows"
)

var warehouse = workflows.Actor{Subject: "user:warehouse", Roles: models.Roles{models.RoleWarehouseManager}}
var finance = workflows.Actor{Subject: "user:finance", Roles: models.Roles{models.RoleFinance}}

func orderUpdate(env *testsuite.TestWorkflowEnvironment, at time.Duration, name string, arg any) *outcome {
	o := &outcome{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, name+at.String(), &testsuite.TestUpdateCallback{
			OnReject: func(err error) { o.rejected, o.done = err, true }, OnAccept: func() {},
			OnComplete: func(_ any, err error) { o.failed, o.done = err, true },
		}, arg)
	}, at)
	return o
}

func billingRequest(allowPartial bool) workflows.OrderRequest {
	r := orderRequest()
	r.AllowPartial = allowPartial
	// line 1: 4 × 19.99 = 79.96, 10% off 8.00, tax 7.25% of 71.96 = 5.22 → 77.18
	// line 2: 10 × 7.50 = 75.00, tax 5.44 → 80.44
	r.Pricing = pricing.Result{Currency: "USD", Total: 15762, Lines: []pricing.PricedLine{
		{LineNo: 1, SKU: "WID", Qty: 4, UnitPrice: 1999, Gross: 7996, Discount: 800, Net: 7196, Tax: 522, Total: 7718},
		{LineNo: 2, SKU: "CAB", Qty: 10, UnitPrice: 750, Gross: 7500, Net: 7500, Tax: 544, Total: 8044},
	}}
	return r
}

func run(t *testing.T, env *testsuite.TestWorkflowEnvironment, req workflows.OrderRequest) workflows.OrderState {
	t.Helper()
	env.ExecuteWorkflow(workflows.OrderWorkflowName, req)
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("order did not finish: %v", env.GetWorkflowError())
	}
	var st workflows.OrderState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func noteKeys(f *fakes) []string {
	var out []string
	for _, n := range f.notes {
		out = append(out, n.IdempotencyKey)
	}
	return out
}

// Partial shipments, invoices that add up to the quote, a partial payment,
// an over-payment, and completion.
func TestOrderShipsInvoicesAndCollects(t *testing.T) {
	f := &fakes{}
	env := orderEnv(f)
	day := 24 * time.Hour
	orderUpdate(env, time.Hour, workflows.UpdateOrderShip, workflows.ShipInput{Actor: warehouse, Carrier: "UPS", Tracking: "1Z1",
		Lines: []workflows.ShipLineInput{{LineNo: 1, Qty: 3}, {LineNo: 2, Qty: 10}}})
	tooMuch := orderUpdate(env, 2*time.Hour, workflows.UpdateOrderShip, workflows.ShipInput{Actor: warehouse, Carrier: "UPS", Tracking: "1Z2",
		Lines: []workflows.ShipLineInput{{LineNo: 1, Qty: 2}}})
	orderUpdate(env, 3*time.Hour, workflows.UpdateOrderShip, workflows.ShipInput{Actor: warehouse, Carrier: "UPS", Tracking: "1Z3",
		Lines: []workflows.ShipLineInput{{LineNo: 1, Qty: 1}}})
	partial := orderUpdate(env, 2*day, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Reference: "wire-1", Amount: 10000, MaxOverpayment: 10000})
	noRef := orderUpdate(env, 3*day, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Amount: 1})
	orderUpdate(env, 3*day+time.Hour, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Reference: "wire-1", Amount: 10000, MaxOverpayment: 10000})
	orderUpdate(env, 4*day, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Reference: "wire-2", Amount: 10000, MaxOverpayment: 10000})
	orderUpdate(env, 5*day, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000002", Reference: "card-1", Amount: 1930, MaxOverpayment: 10000})
	st := run(t, env, billingRequest(true))

	if tooMuch.rejected == nil || noRef.rejected == nil || partial.failed != nil {
		t.Fatalf("validators: over-ship %v, no reference %v; partial payment %v", tooMuch.rejected, noRef.rejected, partial.failed)
	}
	if st.Status != workflows.OrderCompleted || len(st.Shipments) != 2 || len(f.invoices) != 2 {
		t.Fatalf("status %s, %d shipments, %d invoices", st.Status, len(st.Shipments), len(f.invoices))
	}
	var billed int64
	for _, inv := range f.invoices {
		for _, l := range inv.Lines {
			billed += l.Total
		}
		if !inv.DueAt.Equal(inv.IssuedAt.AddDate(0, 0, workflows.PaymentTermsDays)) {
			t.Fatalf("due %v for issued %v", inv.DueAt, inv.IssuedAt)
		}
	}
	if billed != 15762 {
		t.Fatalf("invoices total %d, the quote %d", billed, 15762)
	}
	// Invoice 1: 3 of line 1 (5.99.7 → 59.97 − 6.00 + 3.92 = 57.89) and line 2 (80.44) = 138.33; invoice 2 = 19.29.
	if st.Invoices[0].Total != 13833 || st.Invoices[1].Total != 1929 {
		t.Fatalf("invoice totals %d and %d", st.Invoices[0].Total, st.Invoices[1].Total)
	}
	var credited bool
	for _, e := range st.Timeline {
		credited = credited || (e.Stage == "payment received" && strings.Contains(e.Detail, "USD 0.01 credited"))
	}
	if !credited {
		t.Fatal("the 0.01 over-payment on invoice 2 was not credited")
	}
	if n := strings.Count(strings.Join(noteKeys(f), " "), "INV-000001/paid/wire-1"); n != 1 {
		t.Fatalf("payment wire-1, entered twice, confirmed %d times", n)
	}
	keys := strings.Join(noteKeys(f), " ")
	for _, want := range []string{"Order:SO-1/S1/shipped", "INV-000001/issued", "INV-000001/paid/wire-1", "INV-000002/paid/card-1"} {
		if !strings.Contains(keys, want) {
			t.Fatalf("missing notification %s in %s", want, keys)
		}
	}
}

func TestUnpaidInvoiceGetsRemindersThenOverdueNotices(t *testing.T) {
	f := &fakes{}
	env := orderEnv(f)
	day := 24 * time.Hour
	orderUpdate(env, time.Hour, workflows.UpdateOrderShip, workflows.ShipInput{Actor: warehouse, Carrier: "DHL", Tracking: "JD1",
		Lines: []workflows.ShipLineInput{{LineNo: 1, Qty: 4}, {LineNo: 2, Qty: 10}}})
	orderUpdate(env, 60*day, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Reference: "late", Amount: 15762})
	st := run(t, env, billingRequest(false))
	keys := noteKeys(f)
	want := []string{"Order:SO-1/INV-000001/reminder", "Order:SO-1/INV-000001/overdue-1", "Order:SO-1/INV-000001/overdue-2", "Order:SO-1/INV-000001/overdue-3"}
	for _, w := range want {
		n := 0
		for _, k := range keys {
			if k == w {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%s sent %d times; sent: %v", w, n, keys)
		}
	}
	if len(f.overdue) != 3 || st.Status != workflows.OrderCompleted {
		t.Fatalf("marked overdue %d times; status %s", len(f.overdue), st.Status)
	}
	for _, e := range st.Timeline {
		if e.Stage == "payment reminder" && !e.At.Equal(st.Invoices[0].DueAt.Add(-workflows.ReminderBeforeDue)) {
			t.Fatalf("reminder at %v, due %v", e.At, st.Invoices[0].DueAt)
		}
	}
}

func TestShipCompleteOrdersRefusePartialShipments(t *testing.T) {
	f := &fakes{}
	env := orderEnv(f)
	partial := orderUpdate(env, time.Hour, workflows.UpdateOrderShip, workflows.ShipInput{Actor: warehouse, Carrier: "UPS", Tracking: "1",
		Lines: []workflows.ShipLineInput{{LineNo: 1, Qty: 4}}})
	orderUpdate(env, 2*time.Hour, workflows.UpdateOrderCancel, workflows.CancelInput{Actor: rep, Reason: "test over"})
	run(t, env, billingRequest(false))
	if partial.rejected == nil || !strings.Contains(partial.rejected.Error(), "ships complete") {
		t.Fatalf("partial shipment of a ship-complete order: %v", partial.rejected)
	}
}

func TestCancelAfterPartialShipmentCancelsOnlyTheRest(t *testing.T) {
	f := &fakes{}
	env := orderEnv(f)
	orderUpdate(env, time.Hour, workflows.UpdateOrderShip, workflows.ShipInput{Actor: warehouse, Carrier: "UPS", Tracking: "1",
		Lines: []workflows.ShipLineInput{{LineNo: 2, Qty: 10}}})
	orderUpdate(env, 2*time.Hour, workflows.UpdateOrderCancel, workflows.CancelInput{Actor: rep, Reason: "widgets no longer needed"})
	late := orderUpdate(env, 3*time.Hour, workflows.UpdateOrderShip, workflows.ShipInput{Actor: warehouse, Carrier: "UPS", Tracking: "2",
		Lines: []workflows.ShipLineInput{{LineNo: 1, Qty: 4}}})
	orderUpdate(env, 24*time.Hour, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Reference: "w", Amount: 8044})
	st := run(t, env, billingRequest(true))
	if late.rejected == nil {
		t.Fatal("a cancelled order shipped")
	}
	// It ends telling the truth: the shipped part was sold and paid, the rest
	// cancelled; not "cancelled" as if nothing had happened.
	if st.Status != workflows.OrderCompletedShort || st.Lines[0].Cancelled != 4 || st.Lines[1].Shipped != 10 || st.Lines[1].Cancelled != 0 {
		t.Fatalf("status %s lines %+v", st.Status, st.Lines)
	}
	if len(f.released) != 1 || f.released[0].LineNo != 1 {
		t.Fatalf("released %+v; only line 1 was open", f.released)
	}
	if st.Invoices[0].Status != models.InvoicePaid {
		t.Fatalf("the shipped part's invoice is %s", st.Invoices[0].Status)
	}
	var stages []string
	for _, e := range st.Timeline {
		stages = append(stages, e.Stage)
	}
	if got := strings.Join(stages[len(stages)-3:], ","); got != "remainder cancelled,payment received,completed short" ||
		st.Timeline[len(st.Timeline)-1].Detail != "10 units shipped and paid, 4 cancelled" {
		t.Fatalf("timeline ends %s (%q)", got, st.Timeline[len(st.Timeline)-1].Detail)
	}
}

func TestCancelAfterShippedPartIsPaidCompletesShortAtOnce(t *testing.T) {
	f := &fakes{}
	env := orderEnv(f)
	orderUpdate(env, time.Hour, workflows.UpdateOrderShip, workflows.ShipInput{Actor: warehouse, Carrier: "UPS", Tracking: "1",
		Lines: []workflows.ShipLineInput{{LineNo: 2, Qty: 10}}})
	orderUpdate(env, 2*time.Hour, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Reference: "w", Amount: 8044})
	again := orderUpdate(env, 3*time.Hour, workflows.UpdateOrderCancel, workflows.CancelInput{Actor: rep, Reason: "rest not needed"})
	st := run(t, env, billingRequest(true))
	if again.failed != nil || again.rejected != nil || st.Status != workflows.OrderCompletedShort {
		t.Fatalf("cancel: %v %v; status %s", again.rejected, again.failed, st.Status)
	}
}

// TestAPaymentWhoseAnswerWasLostStillCompletesTheOrder: the payment
// activity committed and its worker stopped before answering; the retry
// finds the payment recorded. The order applies it and completes; it used
// to take it for a payment entered twice, never complete, and remind a
// paid invoice (the fault suite found it).
func TestAPaymentWhoseAnswerWasLostStillCompletesTheOrder(t *testing.T) {
	f := &fakes{loseAnswer: "w"}
	env := orderEnv(f)
	orderUpdate(env, time.Hour, workflows.UpdateOrderShip, workflows.ShipInput{Actor: warehouse, Carrier: "UPS", Tracking: "1",
		Lines: []workflows.ShipLineInput{{LineNo: 1, Qty: 4}, {LineNo: 2, Qty: 10}}})
	pay := orderUpdate(env, 2*time.Hour, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Reference: "w", Amount: 15762})
	st := run(t, env, billingRequest(true))
	if pay.failed != nil || pay.rejected != nil || st.Status != workflows.OrderCompleted || st.Invoices[0].Paid != 15762 {
		t.Fatalf("pay: %v %v; status %s, paid %d; want completed, 15762 paid", pay.rejected, pay.failed, st.Status, st.Invoices[0].Paid)
	}
}

// TestPaymentsAreBounded: a payment may exceed what is open on its invoice
// only by the tolerance the API passes; before this bound a 1-cent payment
// followed by 9,223,372,036,854,775,807 was accepted and credited.
func TestPaymentsAreBounded(t *testing.T) {
	f := &fakes{}
	env := orderEnv(f)
	orderUpdate(env, time.Hour, workflows.UpdateOrderShip, workflows.ShipInput{Actor: warehouse, Carrier: "UPS", Tracking: "1",
		Lines: []workflows.ShipLineInput{{LineNo: 1, Qty: 4}, {LineNo: 2, Qty: 10}}})
	cent := orderUpdate(env, 2*time.Hour, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Reference: "c", Amount: 1, MaxOverpayment: 500})
	huge := orderUpdate(env, 3*time.Hour, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Reference: "h", Amount: 1<<63 - 1, MaxOverpayment: 500})
	over := orderUpdate(env, 4*time.Hour, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Reference: "o", Amount: 15761 + 501, MaxOverpayment: 500})
	// 15,761 open plus the 500 tolerance is the most it takes.
	most := orderUpdate(env, 5*time.Hour, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Reference: "m", Amount: 15761 + 500, MaxOverpayment: 500})
	// The same payment entered again is answered, although nothing is open now.
	again := orderUpdate(env, 6*time.Hour, workflows.UpdateOrderPay, workflows.PayInput{Actor: finance, InvoiceID: "INV-000001", Reference: "m", Amount: 15761 + 500, MaxOverpayment: 500})
	st := run(t, env, billingRequest(true))
	for name, o := range map[string]*outcome{"cent": cent, "most": most, "again": again} {
		if o.rejected != nil || o.failed != nil {
			t.Fatalf("%s: %v %v", name, o.rejected, o.failed)
		}
	}
	for name, o := range map[string]*outcome{"huge": huge, "over": over} {
		if o.rejected == nil || !strings.Contains(o.rejected.Error(), "amount") {
			t.Fatalf("%s was not refused: %v", name, o.rejected)
		}
	}
	if st.Status != workflows.OrderCompleted || len(f.paidRefs) != 2 || st.Invoices[0].Paid != 15762 {
		t.Fatalf("status %s, %d payments recorded, paid %d", st.Status, len(f.paidRefs), st.Invoices[0].Paid)
	}
}

// TestAnOrderStopsTakingShipmentsAtItsBound: an order's state is saved whole
// on every change, so without a bound enough one-unit shipments would push
// it past Temporal's payload limit and fail every workflow task after. The
// 501st shipment is refused; the order carries on.
func TestAnOrderStopsTakingShipmentsAtItsBound(t *testing.T) {
	f := &fakes{}
	env := orderEnv(f)
	req := billingRequest(true)
	req.Pricing.Lines = []pricing.PricedLine{{LineNo: 1, SKU: "WID", Qty: workflows.MaxShipmentsPerOrder + 1, UnitPrice: 1, Gross: workflows.MaxShipmentsPerOrder + 1,
		Net: workflows.MaxShipmentsPerOrder + 1, Total: workflows.MaxShipmentsPerOrder + 1}}
	req.Pricing.Total = workflows.MaxShipmentsPerOrder + 1
	for i := range workflows.MaxShipmentsPerOrder {
		orderUpdate(env, time.Duration(i+1)*time.Minute, workflows.UpdateOrderShip, workflows.ShipInput{Actor: warehouse, Carrier: "UPS", Tracking: fmt.Sprint(i),
			Lines: []workflows.ShipLineInput{{LineNo: 1, Qty: 1}}})
	}
	last := orderUpdate(env, 1000*time.Minute, workflows.UpdateOrderShip, workflows.ShipInput{Actor: warehouse, Carrier: "UPS", Tracking: "last",
		Lines: []workflows.ShipLineInput{{LineNo: 1, Qty: 1}}})
	cancel := orderUpdate(env, 1001*time.Minute, workflows.UpdateOrderCancel, workflows.CancelInput{Actor: rep, Reason: "rest on a new order"})
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(workflows.QueryStatus)
		var st workflows.OrderState
		if err != nil || v.Get(&st) != nil || len(st.Shipments) != workflows.MaxShipmentsPerOrder {
			t.Errorf("shipments %d, %v", len(st.Shipments), err)
		}
		env.CancelWorkflow()
	}, 1002*time.Minute)
	env.ExecuteWorkflow(workflows.OrderWorkflowName, req)
	if last.rejected == nil || !strings.Contains(last.rejected.Error(), "500 shipments") || cancel.failed != nil || cancel.rejected != nil {
		t.Fatalf("the 501st shipment: %v; cancel: %v %v", last.rejected, cancel.rejected, cancel.failed)
	}
}
