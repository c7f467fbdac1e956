package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
)

// settled reports whether the order has nothing left to do: every unit is
// shipped or cancelled and every invoice is paid.
func (f *orderFlow) settled() bool {
	for _, l := range f.state.Lines {
		if l.Open() > 0 {
			return false
		}
	}
	for _, inv := range f.state.Invoices {
		if !inv.Settled() {
			return false
		}
	}
	return true
}

// nextReminder is the earliest reminder due on any open invoice.
func (f *orderFlow) nextReminder() (time.Time, bool) {
	var next time.Time
	for _, inv := range f.state.Invoices {
		if inv.Settled() || inv.NextReminderAt.IsZero() {
			continue
		}
		if next.IsZero() || inv.NextReminderAt.Before(next) {
			next = inv.NextReminderAt
		}
	}
	return next, !next.IsZero()
}

// remind sends every reminder that is due: before the due date a friendly
// one; after it the invoice is marked overdue and reminded weekly.
func (f *orderFlow) remind(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	for i := range f.state.Invoices {
		inv := &f.state.Invoices[i]
		if inv.Settled() || inv.NextReminderAt.IsZero() || now.Before(inv.NextReminderAt) {
			continue
		}
		inv.RemindersSent++
		amount := f.money(inv.Total - inv.Paid)
		if now.Before(inv.DueAt) {
			inv.NextReminderAt = inv.DueAt.Add(OverdueAfter)
			f.change(ctx, "system", f.state.Status, "payment reminder", inv.ID)
			if err := f.notifyCustomer(ctx, EventPaymentReminder, fmt.Sprintf("%s/reminder", inv.ID), map[string]string{
				"invoice_id": inv.ID, "amount": amount, "due_date": inv.DueAt.Format(time.DateOnly)}); err != nil {
				return err
			}
			continue
		}
		if err := workflow.ExecuteActivity(ctx, ActivityMarkInvoiceOverdue, inv.ID).Get(ctx, nil); err != nil {
			return err
		}
		inv.Status = models.InvoiceOverdue
		overdue := inv.RemindersSent - 1 // the first reminder was before the due date
		inv.NextReminderAt = time.Time{}
		if overdue < MaxOverdueNotices {
			inv.NextReminderAt = now.Add(OverdueRepeat)
		}
		f.change(ctx, "system", f.state.Status, "payment overdue", fmt.Sprintf("%s, notice %d", inv.ID, overdue))
		if err := f.notifyCustomer(ctx, EventPaymentOverdue, fmt.Sprintf("%s/overdue-%d", inv.ID, overdue), map[string]string{
			"invoice_id": inv.ID, "amount": amount, "due_date": inv.DueAt.Format(time.DateOnly)}); err != nil {
			return err
		}
	}
	return f.save(ctx)
}

func (f *orderFlow) line(no int) (int, bool) {
	for i, l := range f.state.Lines {
		if l.LineNo == no {
			return i, true
		}
	}
	return 0, false
}

func (f *orderFlow) validateShip(in ShipInput) error {
	switch f.state.Status {
	case OrderCancelled, OrderRemainderCancelled, OrderCompleted, OrderCompletedShort, OrderAllocating:
		return fmt.Errorf("order %s is %s: nothing to ship", f.state.OrderID, f.state.Status)
	}
	if len(f.state.Shipments) >= MaxShipmentsPerOrder {
		return fmt.Errorf("order %s has %d shipments, the most one order carries; ship the rest on a new order", f.state.OrderID, MaxShipmentsPerOrder)
	}
	// Each problem names the request's field, so the API answers 422 with
	// it and a page shows it beside the line it is about.
	var v models.Validator
	v.Check(strings.TrimSpace(in.Carrier) != "", "carrier", "is required")
	v.Check(strings.TrimSpace(in.Tracking) != "", "tracking", "is required")
	v.Check(len(in.Lines) > 0, "lines", "a shipment needs at least one line")
	seen := map[int]bool{}
	for k, sl := range in.Lines {
		lineNo, qty := fmt.Sprintf("lines[%d].line_no", k), fmt.Sprintf("lines[%d].qty", k)
		i, ok := f.line(sl.LineNo)
		switch {
		case !ok:
			v.Add(lineNo, "line %d is not on this order", sl.LineNo)
		case seen[sl.LineNo]:
			v.Add(lineNo, "line %d appears twice", sl.LineNo)
		case sl.Qty <= 0:
			v.Add(qty, "must be positive")
		case sl.Qty > f.state.Lines[i].Reserved:
			v.Add(qty, "only %d reserved to ship", f.state.Lines[i].Reserved)
		}
		seen[sl.LineNo] = true
	}
	if !f.state.AllowPartial && v.Err() == nil {
		// Ship together: one shipment carries everything that is open.
		for _, l := range f.state.Lines {
			k := slices.IndexFunc(in.Lines, func(sl ShipLineInput) bool { return sl.LineNo == l.LineNo })
			switch {
			case l.Open() == 0:
			case k < 0:
				v.Add("lines", "this order ships complete: line %d needs all %d open units", l.LineNo, l.Open())
			case in.Lines[k].Qty != l.Open():
				v.Add(fmt.Sprintf("lines[%d].qty", k), "this order ships complete: line %d needs all %d open units", l.LineNo, l.Open())
			}
		}
	}
	var bad *models.ValidationError
	if errors.As(v.Err(), &bad) {
		return temporal.NewNonRetryableApplicationError("cannot ship: "+strings.TrimPrefix(bad.Error(), "invalid input: "), ErrTypeInvalidInput, nil, bad.Fields)
	}
	return nil
}

// ship consumes the reservations, issues the shipment's invoice and tells
// the customer, with tracking.
func (f *orderFlow) ship(ctx workflow.Context, in ShipInput) (OrderState, error) {
	ctx = withActivityDefaults(ctx)
	if err := f.mu.Lock(ctx); err != nil {
		return f.state, err
	}
	defer f.mu.Unlock()
	if err := f.validateShip(in); err != nil { // the order may have changed while we waited
		return f.state, err
	}
	now := workflow.Now(ctx)
	shipmentID := fmt.Sprintf("%s/S%d", f.state.OrderID, len(f.state.Shipments)+1)
	act := ShipLinesInput{ShipmentID: shipmentID, OrderID: f.state.OrderID, Carrier: in.Carrier, Tracking: in.Tracking,
		Lines: in.Lines, ShippedBy: in.Actor.Subject, ShippedAt: now}
	inv := IssueInvoiceInput{OrderID: f.state.OrderID, ShipmentID: shipmentID, CustomerID: f.state.CustomerID, Currency: f.state.Currency,
		IssuedAt: now, DueAt: now.AddDate(0, 0, f.state.Terms()), TermsDays: f.state.TermsDays, ShipTo: f.state.ShipToText()}
	for _, sl := range in.Lines {
		i, _ := f.line(sl.LineNo)
		l := f.state.Lines[i]
		act.SKUs = append(act.SKUs, l.SKU)
		priced := f.priced[i]
		part := pricing.Prorate(priced, sl.Qty, l.Billed)
		inv.Lines = append(inv.Lines, InvoiceLine{LineNo: l.LineNo, SKU: l.SKU, Name: priced.Name, UnitPrice: priced.UnitPrice, Invoiced: part})
	}
	if err := workflow.ExecuteActivity(ctx, ActivityShipLines, act).Get(ctx, nil); err != nil {
		return f.state, err
	}
	var ref InvoiceRef
	if err := workflow.ExecuteActivity(ctx, ActivityIssueInvoice, inv).Get(ctx, &ref); err != nil {
		return f.state, err
	}
	for j, sl := range in.Lines {
		i, _ := f.line(sl.LineNo)
		f.state.Lines[i].Shipped += sl.Qty
		f.state.Lines[i].Reserved -= sl.Qty
		f.state.Lines[i].Billed = f.state.Lines[i].Billed.Add(inv.Lines[j].Invoiced)
	}
	ref.NextReminderAt = ref.DueAt.Add(-ReminderBeforeDue)
	if !ref.NextReminderAt.After(now) {
		// Terms too short for a reminder before the due date (due on
		// receipt, net 2): the first message after the invoice is the
		// overdue notice, a day after the due date. Orders from before terms
		// were the customer's are all net 30, so their histories never
		// take this branch.
		ref.NextReminderAt = ref.DueAt.Add(OverdueAfter)
	}
	f.state.Invoices = append(f.state.Invoices, ref)
	f.state.Shipments = append(f.state.Shipments, ShipmentRef{ID: shipmentID, Carrier: in.Carrier, Tracking: in.Tracking, Lines: in.Lines, ShippedAt: now, InvoiceID: ref.ID})
	status := OrderShipped
	for _, l := range f.state.Lines {
		if l.Open() > 0 {
			status = OrderPartiallyShipped
		}
	}
	f.change(ctx, in.Actor.Subject, status, "shipped", fmt.Sprintf("%s via %s, tracking %s; invoice %s", shipmentID, in.Carrier, in.Tracking, ref.ID))
	if err := f.save(ctx); err != nil {
		return f.state, err
	}
	if err := f.notifyCustomer(ctx, EventShipped, fmt.Sprintf("S%d/shipped", len(f.state.Shipments)), map[string]string{
		"shipment_id": shipmentID, "carrier": in.Carrier, "tracking": in.Tracking, "ship_to": f.state.ShipToText()}); err != nil {
		return f.state, err
	}
	return f.state, f.notifyCustomer(ctx, EventInvoiceIssued, ref.ID+"/issued", map[string]string{
		"invoice_id": ref.ID, "amount": f.money(ref.Total), "due_date": ref.DueAt.Format(time.DateOnly), "terms_days": fmt.Sprint(f.state.Terms()), "terms": models.TermsLabel(f.state.Terms())})
}

func (f *orderFlow) invoice(id string) (int, bool) {
	for i, inv := range f.state.Invoices {
		if inv.ID == id {
			return i, true
		}
	}
	return 0, false
}

// validatePay checks a payment; bounded adds the limit on its amount, which
// recorded histories from before the limit did not apply.
func (f *orderFlow) validatePay(in PayInput, bounded bool) error {
	i, ok := f.invoice(in.InvoiceID)
	switch {
	case !ok:
		return fmt.Errorf("invoice %s is not an invoice of order %s", in.InvoiceID, f.state.OrderID)
	case f.state.Invoices[i].Status == models.InvoiceVoid:
		return fmt.Errorf("invoice %s is void", in.InvoiceID)
	case in.Amount <= 0:
		return fmt.Errorf("amount must be positive")
	case f.payments() >= MaxPaymentsPerOrder && !f.paid(in):
		return fmt.Errorf("order %s has %d payments recorded, the most one order takes; record further money as credit", f.state.OrderID, MaxPaymentsPerOrder)
	case strings.TrimSpace(in.Reference) == "":
		return fmt.Errorf("reference is required (the bank or card transaction id)")
	case !bounded:
	case in.Amount > models.MaxAmount:
		return fmt.Errorf("amount must be between 1 and %d minor units", models.MaxAmount)
	case in.Amount > f.state.Invoices[i].Total-f.state.Invoices[i].Paid+in.MaxOverpayment && !f.paid(in):
		return fmt.Errorf("amount %d is more than the %d open on %s plus the %d over-payment tolerance",
			in.Amount, max(f.state.Invoices[i].Total-f.state.Invoices[i].Paid, 0), in.InvoiceID, in.MaxOverpayment)
	}
	return nil
}

// versionPaymentRetryApplied: from version 1 a payment the store already
// holds but the order does not (the activity committed it, then its worker
// stopped before reporting: the retry finds it recorded) is applied to the
// order, not taken for a payment entered twice. Before, the order never
// heard of it, never completed and went on reminding a paid invoice.
const versionPaymentRetryApplied = "payment-retry-applied"

// versionPaymentBound: from version 1 a payment is refused past its
// invoice's open balance plus the tolerance.
const versionPaymentBound = "payment-bound"

// Bounds on what one order's workflow records, so that its state (saved
// whole on every change) stays far below Temporal's 2 MiB payload limit and
// its history below 50,000 events: about 1 KB of state and 20 events per
// shipment, 200 bytes and 10 events per payment.
const (
	MaxShipmentsPerOrder = 500
	MaxPaymentsPerOrder  = 1000
)

// payments counts the payments recorded on the order's invoices.
func (f *orderFlow) payments() int {
	n := 0
	for _, inv := range f.state.Invoices {
		n += len(inv.PaymentRefs)
	}
	return n
}

// paid reports whether the payment in was recorded already.
func (f *orderFlow) paid(in PayInput) bool {
	i, ok := f.invoice(in.InvoiceID)
	return ok && slices.Contains(f.state.Invoices[i].PaymentRefs, in.Reference)
}

// pay records a payment; more than the balance becomes credit.
func (f *orderFlow) pay(ctx workflow.Context, in PayInput) (OrderState, error) {
	ctx = withActivityDefaults(ctx)
	if err := f.mu.Lock(ctx); err != nil {
		return f.state, err
	}
	defer f.mu.Unlock()
	// Checked again: the order may have changed while this waited for the
	// lock (another payment on the same invoice, say).
	bounded := workflow.GetVersion(ctx, versionPaymentBound, workflow.DefaultVersion, 1) == 1
	if err := f.validatePay(in, bounded); err != nil {
		return f.state, err
	}
	var res PaymentResult
	if err := workflow.ExecuteActivity(ctx, ActivityRecordPayment, RecordPaymentInput{PayInput: in, ReceivedAt: workflow.Now(ctx)}).Get(ctx, &res); err != nil {
		return f.state, err
	}
	if res.Duplicate && (f.paid(in) || workflow.GetVersion(ctx, versionPaymentRetryApplied, workflow.DefaultVersion, 1) == workflow.DefaultVersion) {
		return f.state, nil // the same payment entered again: already counted and confirmed
	}
	i, _ := f.invoice(in.InvoiceID)
	inv := &f.state.Invoices[i]
	inv.Paid, inv.Status = res.Invoice.Paid, res.Invoice.Status
	inv.PaymentRefs = append(inv.PaymentRefs, in.Reference)
	if inv.Settled() {
		inv.NextReminderAt = time.Time{}
	}
	detail := fmt.Sprintf("%s on %s (%s)", models.NewMoney(in.Amount, f.state.Currency), inv.ID, in.Reference)
	if res.Credit > 0 {
		detail += fmt.Sprintf("; %s credited to the account", models.NewMoney(res.Credit, f.state.Currency))
	}
	f.change(ctx, in.Actor.Subject, f.state.Status, "payment received", detail)
	f.completeIfSettled(ctx)
	if err := f.save(ctx); err != nil {
		return f.state, err
	}
	return f.state, f.notifyCustomer(ctx, EventPaymentReceived, fmt.Sprintf("%s/paid/%s", inv.ID, in.Reference), map[string]string{
		"invoice_id": inv.ID, "amount": f.money(in.Amount), "balance": f.money(max(inv.Total-inv.Paid, 0))})
}
