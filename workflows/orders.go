package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
)

type orderFlow struct {
	state  OrderState
	priced []pricing.PricedLine // the accepted quote's lines, in order
	mu     workflow.Mutex
}

// Order is one order's life after a quote is accepted: it records the
// order, reserves stock line by line (a shortfall is backordered and waits,
// it is never dropped), confirms to the customer, and can be cancelled with
// compensation (reservations released, customer told).
func Order(ctx workflow.Context, req OrderRequest) (OrderState, error) {
	f := &orderFlow{mu: workflow.NewMutex(ctx), priced: req.Pricing.Lines, state: OrderState{
		OrderID: req.OrderID, QuoteID: req.QuoteID, CustomerID: req.CustomerID, Customer: req.Customer,
		Status: OrderAllocating, Currency: req.Pricing.Currency, Total: req.Pricing.Total, AllowPartial: req.AllowPartial,
		CreatedAt: workflow.Now(ctx), ShipTo: req.ShipTo, Instructions: req.Instructions, TermsDays: req.TermsDays,
	}}
	for _, l := range req.Pricing.Lines {
		f.state.Lines = append(f.state.Lines, OrderLine{LineNo: l.LineNo, SKU: l.SKU, Qty: l.Qty})
	}
	if err := f.registerHandlers(ctx); err != nil {
		return f.state, err
	}
	ctx = withActivityDefaults(ctx)
	workflow.Go(ctx, f.hearBackorders)

	if err := f.mu.Lock(ctx); err != nil {
		return f.state, err
	}
	err := f.allocate(ctx, req.AcceptedBy)
	f.mu.Unlock()
	if err != nil {
		return f.state, err
	}
	// Then it waits: for shipments, payments, a cancellation, or the next
	// payment reminder, until everything is shipped or cancelled and paid.
	err = eventLoop(ctx, f.mu, f.settled, func() int { return f.state.Rev }, f.nextReminder, f.remind)
	return f.state, err
}

func (f *orderFlow) allocate(ctx workflow.Context, actor string) error {
	f.change(ctx, actor, OrderAllocating, "order placed", fmt.Sprintf("from quote %s", f.state.QuoteID))
	if err := f.save(ctx); err != nil {
		return err
	}
	var short []string
	for i, l := range f.state.Lines {
		var a models.Allocation
		if err := workflow.ExecuteActivity(ctx, ActivityReserveLine, ReserveLineInput{
			OrderID: f.state.OrderID, LineNo: l.LineNo, SKU: l.SKU, Qty: l.Qty, CustomerID: f.state.CustomerID,
			AllowPartial: f.state.AllowPartial, LineNet: f.priced[i].Net, Currency: f.state.Currency, OrderedAt: f.state.CreatedAt,
		}).Get(ctx, &a); err != nil {
			return err
		}
		f.state.Lines[i].Reserved = a.Reserved
		if a.Shortfall() > 0 {
			msg := fmt.Sprintf("line %d %s: %d of %d backordered", l.LineNo, l.SKU, a.Shortfall(), l.Qty)
			if a.ETA != nil {
				msg += ", expected by " + a.ETA.Format(time.DateOnly)
				f.state.Lines[i].ETA = a.ETA
			}
			short = append(short, msg)
		}
	}
	status, detail := OrderAllocated, "all lines reserved"
	if len(short) > 0 {
		status, detail = OrderBackordered, strings.Join(short, "; ")
	}
	f.change(ctx, "system", status, "allocated", detail)
	if err := f.save(ctx); err != nil {
		return err
	}
	data := map[string]string{"total": f.money(f.state.Total), "backorders": ""}
	if len(short) > 0 {
		data["backorders"] = detail
	}
	if err := f.notifyCustomer(ctx, EventOrderConfirmed, "confirmed", data); err != nil {
		return err
	}
	if len(short) == 0 || workflow.GetVersion(ctx, versionWarehouseToldOfBackorders, workflow.DefaultVersion, 1) != 1 {
		return nil
	}
	return workflow.ExecuteActivity(ctx, ActivityNotifyRole, RoleMessage{Role: models.RoleWarehouseManager, Event: EventBackorderCreated,
		Data: map[string]string{"order_id": f.state.OrderID, "customer_name": f.state.Customer.Name, "lines": strings.Join(short, "\n"),
			"ship_to": f.state.ShipToText()},
		IdempotencyKey: OrderWorkflowID(f.state.OrderID) + "/backordered"}).Get(ctx, nil)
}

// versionWarehouseToldOfBackorders: from version 1 the warehouse managers
// are told when an order's line is backordered, not only when stock
// arrives; recorded histories allocated without telling them.
const versionWarehouseToldOfBackorders = "warehouse-told-of-backorders"

func (f *orderFlow) change(ctx workflow.Context, actor, status, stage, detail string) {
	f.state.Status = status
	f.state.Rev++
	f.state.Timeline = append(f.state.Timeline, Event{At: workflow.Now(ctx), Actor: actor, Stage: stage, Detail: detail})
}

func (f *orderFlow) save(ctx workflow.Context) error {
	return workflow.ExecuteActivity(ctx, ActivitySaveOrder, f.state).Get(ctx, nil)
}

// notifyCustomer tells the customer about event; the activity renders the
// event's templates from data (order_id is always included).
func (f *orderFlow) notifyCustomer(ctx workflow.Context, event, key string, data map[string]string) error {
	c := f.state.Customer
	if c.Email == "" {
		return nil
	}
	data["order_id"] = f.state.OrderID
	return workflow.ExecuteActivity(ctx, ActivitySendNotification, Notification{
		Channel: models.ChannelEmail, To: c.Email, ToName: c.Name,
		IdempotencyKey: OrderWorkflowID(f.state.OrderID) + "/" + key,
		Event:          event, OwnerKind: models.OwnerCustomer, OwnerID: f.state.CustomerID, OrderID: f.state.OrderID,
		Phone: c.Phone, Data: data,
	}).Get(ctx, nil)
}

func (f *orderFlow) money(amount int64) string {
	return models.NewMoney(amount, f.state.Currency).Display()
}

func (f *orderFlow) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (OrderState, error) { return f.state, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateOrderShip, f.ship, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in ShipInput) error { return f.validateShip(in) },
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateOrderPay, f.pay, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in PayInput) error { return f.validatePay(in, true) },
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateOrderCredit, f.credit, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in CreditInput) error { return f.validateCredit(in) },
	}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateOrderCancel, f.cancel, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in CancelInput) error {
			if f.cancelled() {
				return fmt.Errorf("order %s is already cancelled", f.state.OrderID)
			}
			open := false
			for _, l := range f.state.Lines {
				open = open || l.Open() > 0
			}
			if !open {
				return fmt.Errorf("order %s has shipped in full; nothing is left to cancel", f.state.OrderID)
			}
			if strings.TrimSpace(in.Reason) == "" {
				return fmt.Errorf("reason: a cancellation needs a reason")
			}
			return nil
		},
	})
}

// cancel releases every unshipped reservation and cancels what has not
// shipped. Shipped quantities stand, and so do their invoices (one per
// shipment, so no invoice ever bills a cancelled unit): the order goes on
// collecting them.
func (f *orderFlow) cancel(ctx workflow.Context, in CancelInput) (OrderState, error) {
	ctx = withActivityDefaults(ctx) // handlers get their own context
	if err := f.mu.Lock(ctx); err != nil {
		return f.state, err
	}
	defer f.mu.Unlock()
	if f.cancelled() {
		return f.state, nil
	}
	for i, l := range f.state.Lines {
		if l.Open() == 0 {
			continue
		}
		if err := workflow.ExecuteActivity(ctx, ActivityReleaseLine, ReleaseLineInput{OrderID: f.state.OrderID, LineNo: l.LineNo, SKU: l.SKU}).Get(ctx, nil); err != nil {
			return f.state, err
		}
		f.state.Lines[i].Cancelled += l.Open()
		f.state.Lines[i].Reserved = 0
	}
	status, stage := OrderCancelled, "cancelled"
	if f.shippedAny() {
		status, stage = OrderRemainderCancelled, "remainder cancelled"
	}
	f.change(ctx, in.Actor.Subject, status, stage, in.Reason)
	f.completeIfSettled(ctx)
	if err := f.save(ctx); err != nil {
		return f.state, err
	}
	return f.state, f.notifyCustomer(ctx, EventOrderCancelled, "cancelled", map[string]string{"reason": in.Reason})
}

// shippedAny reports whether any unit of the order has shipped.
func (f *orderFlow) shippedAny() bool {
	for _, l := range f.state.Lines {
		if l.Shipped > 0 {
			return true
		}
	}
	return false
}

// cancelled reports whether the order, or what was left of it, was cancelled.
func (f *orderFlow) cancelled() bool {
	switch f.state.Status {
	case OrderCancelled, OrderRemainderCancelled, OrderCompletedShort:
		return true
	}
	return false
}

// completeIfSettled ends a settled order in the state that tells what
// happened: completed, or completed short when its remainder was cancelled.
// An order cancelled before anything shipped stays cancelled.
func (f *orderFlow) completeIfSettled(ctx workflow.Context) {
	if !f.settled() {
		return
	}
	switch f.state.Status {
	case OrderCancelled, OrderCompleted, OrderCompletedShort:
	case OrderRemainderCancelled:
		var shipped, cancelled int64
		for _, l := range f.state.Lines {
			shipped, cancelled = shipped+l.Shipped, cancelled+l.Cancelled
		}
		f.change(ctx, "system", OrderCompletedShort, "completed short", fmt.Sprintf("%d units shipped and paid, %d cancelled", shipped, cancelled))
	default:
		f.change(ctx, "system", OrderCompleted, "completed", "everything shipped and paid")
	}
}

// hearBackorders applies what the SKU allocators say about this order's
// backordered lines, one update at a time, under the order's mutex.
func (f *orderFlow) hearBackorders(ctx workflow.Context) {
	ch := workflow.GetSignalChannel(ctx, SignalOrderBackorder)
	for {
		var u BackorderUpdate
		ch.Receive(ctx, &u)
		if err := f.mu.Lock(ctx); err != nil {
			return
		}
		err := f.applyBackorder(ctx, u)
		f.mu.Unlock()
		if err != nil {
			workflow.GetLogger(ctx).Error("backorder update not saved", "line", u.LineNo, "error", err)
		}
	}
}

// applyBackorder takes units filled from arriving stock into the line's
// reservation (they can ship now) and keeps its ETA. An update no newer
// than the last one heard changes nothing.
func (f *orderFlow) applyBackorder(ctx workflow.Context, u BackorderUpdate) error {
	i, ok := f.line(u.LineNo)
	if !ok || f.cancelled() || u.Rev <= f.state.Lines[i].BackorderRev {
		return nil
	}
	l := &f.state.Lines[i]
	l.BackorderRev = u.Rev
	var news []string
	if add := min(u.Filled-l.BackorderFilled, l.Backordered()); add > 0 {
		l.Reserved += add
		news = append(news, fmt.Sprintf("line %d %s: %d more reserved from arriving stock, %d still short", l.LineNo, l.SKU, add, l.Backordered()))
	}
	l.BackorderFilled = max(l.BackorderFilled, u.Filled)
	if l.Backordered() > 0 && !u.ETA.IsZero() && (l.ETA == nil || !l.ETA.Equal(u.ETA)) {
		eta := u.ETA
		l.ETA = &eta
		news = append(news, fmt.Sprintf("line %d %s: %d expected by %s", l.LineNo, l.SKU, l.Backordered(), eta.Format("2006-01-02")))
	}
	if l.Backordered() == 0 {
		l.ETA = nil
	}
	if len(news) == 0 {
		return nil
	}
	status := f.state.Status
	waiting := false
	for _, x := range f.state.Lines {
		waiting = waiting || x.Backordered() > 0
	}
	if status == OrderBackordered && !waiting {
		status = OrderAllocated
	}
	f.change(ctx, "system", status, "backorder", strings.Join(news, "; "))
	return f.save(ctx)
}
