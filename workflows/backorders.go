package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/q2c-dev/q2c/models"
)

type allocatorFlow struct {
	sku   string
	mu    workflow.Mutex
	dirty bool // something changed: announce the news
	next  *time.Time
}

// Allocator is one SKU's backorder allocator (see AllocatorWorkflowName).
// Every allocation decision itself is made in the database under the SKU's
// lock, in the same transaction as the stock change that causes it; this
// workflow makes what follows durable: it reads the SKU's untold news from
// that outbox, tells people, and marks it told. It runs until there is
// nothing to wait for, continuing as new every AllocatorContinueAfter
// wake-ups.
func Allocator(ctx workflow.Context, in AllocatorInput) error {
	a := &allocatorFlow{sku: in.SKU, mu: workflow.NewMutex(ctx), dirty: true}
	// Receipts used to arrive here as Updates; the API now commits them in
	// the store and wakes the allocator, like every other stock change. The
	// handler stays for the allocators whose recorded histories hold one.
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAllocatorReceive, a.receive, workflow.UpdateHandlerOptions{
		Validator: func(_ workflow.Context, r ReceiveInput) error { return r.Validate() },
	}); err != nil {
		return err
	}
	ctx = withActivityDefaults(ctx)
	wake := workflow.GetSignalChannel(ctx, SignalAllocatorWake)
	woken := func() bool { return a.dirty || wake.Len() > 0 }
	for wakes := 0; ; wakes++ {
		for wake.ReceiveAsync(nil) {
			a.dirty = true
		}
		if err := a.work(ctx); err != nil {
			return err
		}
		if wakes >= AllocatorContinueAfter || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return err
			}
			for wake.ReceiveAsync(nil) {
				a.dirty = true
			}
			if err := a.work(ctx); err != nil { // nothing is left untold across runs
				return err
			}
			return workflow.NewContinueAsNewError(ctx, AllocatorWorkflowName, in)
		}
		if a.next == nil {
			if err := workflow.Await(ctx, woken); err != nil {
				return err
			}
			continue
		}
		if _, err := workflow.AwaitWithTimeout(ctx, max(a.due().Sub(workflow.Now(ctx)), time.Second), woken); err != nil {
			return err
		}
	}
}

// work announces news when there is any, and escalates what is overdue.
func (a *allocatorFlow) work(ctx workflow.Context) error {
	if err := a.mu.Lock(ctx); err != nil {
		return err
	}
	defer a.mu.Unlock()
	if a.next != nil && !workflow.Now(ctx).Before(a.due()) {
		if err := a.escalate(ctx); err != nil {
			return err
		}
		a.dirty = true // escalation changed what is due next
	}
	for a.dirty {
		a.dirty = false
		more, err := a.announce(ctx)
		if err != nil {
			return err
		}
		a.dirty = more
	}
	return nil
}

// due is when the next escalation runs: just after the ETA has passed.
func (a *allocatorFlow) due() time.Time { return a.next.Add(time.Second) }

// receive applies a goods receipt and answers with what it did. The
// database transaction behind it hands the stock to waiting backorders.
func (a *allocatorFlow) receive(ctx workflow.Context, in ReceiveInput) (models.ReceiptResult, error) {
	ctx = withActivityDefaults(ctx)
	var res models.ReceiptResult
	if err := workflow.ExecuteActivity(ctx, ActivityReceiveStock, ReceiveStockInput{SKU: a.sku, ReceiveInput: in}).Get(ctx, &res); err != nil {
		return res, err
	}
	a.dirty = true
	return res, nil
}

const versionNewByAnnouncement = "new-backorder-by-announcement"

// announce sends one batch of news and reports whether more is waiting.
func (a *allocatorFlow) announce(ctx workflow.Context) (bool, error) {
	var news models.BackorderNews
	if err := workflow.ExecuteActivity(ctx, ActivityBackorderNews, a.sku).Get(ctx, &news); err != nil {
		return false, err
	}
	a.next = news.NextEscalation
	var told models.Announced
	for _, run := range news.Runs {
		if err := a.sendPickList(ctx, run); err != nil {
			return false, err
		}
		told.Runs = append(told.Runs, run.ID)
	}
	var fresh []string
	var slipped []models.BackorderNotice
	// From version 1 the order's confirmation tells a new backorder's first
	// date (the reservation marks it told), so "new" is "never announced".
	newByAnnouncement := workflow.GetVersion(ctx, versionNewByAnnouncement, workflow.DefaultVersion, 1) == 1
	for _, b := range news.Backorders {
		t, err := a.tell(ctx, b)
		if err != nil {
			return false, err
		}
		if b.IsWaiting() && ((newByAnnouncement && b.New) || (!newByAnnouncement && b.ToldETA == nil)) {
			fresh = append(fresh, b.ID)
		}
		if slippedPastPromise(b) {
			slipped = append(slipped, b)
		}
		told.Backorders = append(told.Backorders, t)
	}
	if news.MakeToOrder && len(fresh) > 0 {
		if err := a.alertProduction(ctx, fresh[0]); err != nil {
			return false, err
		}
	}
	if err := a.alertShortage(ctx, news, fresh); err != nil {
		return false, err
	}
	if err := a.alertSlipped(ctx, slipped); err != nil {
		return false, err
	}
	if len(told.Runs)+len(told.Backorders) > 0 {
		if err := workflow.ExecuteActivity(ctx, ActivityMarkAnnounced, told).Get(ctx, nil); err != nil {
			return false, err
		}
	}
	return news.More, nil
}

// sendPickList tells the warehouse managers which orders to pick, in priority order.
func (a *allocatorFlow) sendPickList(ctx workflow.Context, run models.AllocationRun) error {
	var lines []string
	var qty int64
	warehouses := []string{}
	for i, p := range run.Picks {
		lines = append(lines, fmt.Sprintf("%d. %s line %d: %d from %s (%s, tier %d)", i+1, p.OrderID, p.LineNo, p.Qty, p.Warehouse, p.Customer, p.Tier))
		qty += p.Qty
		if !slices.Contains(warehouses, p.Warehouse) {
			warehouses = append(warehouses, p.Warehouse)
		}
	}
	return workflow.ExecuteActivity(ctx, ActivityNotifyRole, RoleMessage{Role: models.RoleWarehouseManager, Event: EventStockArrived,
		IdempotencyKey: "AllocationRun:" + run.ID + "/picklist",
		Data: map[string]string{"sku": a.sku, "warehouse": strings.Join(warehouses, ", "), "qty": fmt.Sprint(qty),
			"pick_list": strings.Join(lines, "\n"), "trigger": run.Trigger}}).Get(ctx, nil)
}

// tell updates the order and tells the customer (and the sales rep, of a
// changed date) what happened to one backorder.
func (a *allocatorFlow) tell(ctx workflow.Context, b models.BackorderNotice) (models.AnnouncedBackorder, error) {
	out := models.AnnouncedBackorder{ID: b.ID, Rev: b.Rev}
	err := workflow.SignalExternalWorkflow(ctx, OrderWorkflowID(b.OrderID), "", SignalOrderBackorder,
		BackorderUpdate{LineNo: b.LineNo, Rev: b.Rev, Filled: b.QtyFilled, Status: b.Status, ETA: b.ETA}).Get(ctx, nil)
	if err != nil {
		// The order has ended (completed or cancelled): there is nobody to update.
		workflow.GetLogger(ctx).Info("order not updated", "order", b.OrderID, "error", err)
	}
	if !b.IsWaiting() {
		return out, nil
	}
	eta := b.ETA.Format(time.DateOnly)
	data := map[string]string{"sku": b.SKU, "qty": fmt.Sprint(b.Waiting()), "eta": eta}
	key := BackorderKey(b.ID)
	switch {
	case b.ToldETA == nil:
		if err := a.notify(ctx, b, b.Customer, models.OwnerCustomer, b.CustomerID, EventLineBackordered, key+"/backordered", data); err != nil {
			return out, err
		}
	case b.ToldETA.Format(time.DateOnly) != eta:
		data["old_eta"] = b.ToldETA.Format(time.DateOnly)
		if err := a.notify(ctx, b, b.Customer, models.OwnerCustomer, b.CustomerID, EventETAChanged, key+"/eta/"+eta, data); err != nil {
			return out, err
		}
		if b.Rep != nil {
			if err := a.notify(ctx, b, *b.Rep, models.OwnerUser, b.Rep.ID, EventETAChanged, key+"/eta/"+eta+"/rep", data); err != nil {
				return out, err
			}
		}
	default:
		return out, nil // the date the customer knows still holds
	}
	out.ToldETA = &b.ETA
	return out, nil
}

func (a *allocatorFlow) notify(ctx workflow.Context, b models.BackorderNotice, to models.Contact, ownerKind, ownerID, event, key string, data map[string]string) error {
	if to.Email == "" {
		return nil
	}
	d := map[string]string{"order_id": b.OrderID}
	for _, k := range []string{"sku", "qty", "eta", "old_eta"} {
		if v, ok := data[k]; ok {
			d[k] = v
		}
	}
	return workflow.ExecuteActivity(ctx, ActivitySendNotification, Notification{Channel: models.ChannelEmail, To: to.Email, ToName: to.Name,
		IdempotencyKey: key, Event: event, OwnerKind: ownerKind, OwnerID: ownerID, OrderID: b.OrderID, Phone: to.Phone, Data: d}).Get(ctx, nil)
}

// alertProduction tells production managers what now waits for a
// make-to-order SKU, in one message per batch of new backorders.
func (a *allocatorFlow) alertProduction(ctx workflow.Context, first string) error {
	var w models.WaitingSummary
	if err := workflow.ExecuteActivity(ctx, ActivityWaitingForSKU, a.sku).Get(ctx, &w); err != nil {
		return err
	}
	if w.Qty == 0 {
		return nil
	}
	return workflow.ExecuteActivity(ctx, ActivityNotifyRole, RoleMessage{Role: models.RoleProductionManager, Event: EventProductionAlert,
		IdempotencyKey: "Allocator:" + a.sku + "/production/" + first,
		Data: map[string]string{"sku": a.sku, "qty": fmt.Sprint(w.Qty), "orders": fmt.Sprint(w.Orders), "due": w.Earliest.Format(time.DateOnly),
			"schedule": w.Schedule}}).Get(ctx, nil)
}

// versionProductionToldOfShortages: from version 1 production managers
// are told when new backorders of a SKU made to stock need more than its
// free stock and open supply, and when a supply date moves backorders past
// the dates their customers were promised; recorded histories told them
// of made-to-order SKUs only.
const versionProductionToldOfShortages = "production-told-of-shortages"

// alertShortage tells production managers that new backorders of a SKU
// made to stock need more than free stock and open supply will bring.
func (a *allocatorFlow) alertShortage(ctx workflow.Context, news models.BackorderNews, fresh []string) error {
	if news.MakeToOrder || news.Coverage == nil || news.Coverage.Short() == 0 || len(fresh) == 0 ||
		workflow.GetVersion(ctx, versionProductionToldOfShortages, workflow.DefaultVersion, 1) != 1 {
		return nil
	}
	c := news.Coverage
	return workflow.ExecuteActivity(ctx, ActivityNotifyRole, RoleMessage{Role: models.RoleProductionManager, Event: EventStockShortage,
		IdempotencyKey: "Allocator:" + a.sku + "/shortage/" + fresh[0],
		Data: map[string]string{"sku": a.sku, "waiting": fmt.Sprint(c.Waiting), "free": fmt.Sprint(c.Free), "on_order": fmt.Sprint(c.OnOrder),
			"short": fmt.Sprint(c.Short())}}).Get(ctx, nil)
}

// slippedPastPromise reports whether a backorder's date just moved later
// than the one its customer was told and past the date it was promised.
func slippedPastPromise(b models.BackorderNotice) bool {
	return b.IsWaiting() && b.ToldETA != nil && b.ETA.After(*b.ToldETA) && b.ETA.After(b.PromisedAt) && !b.PromisedAt.IsZero()
}

// alertSlipped tells production managers which backorders a later supply
// date moved past their promised dates, in one message per batch.
func (a *allocatorFlow) alertSlipped(ctx workflow.Context, slipped []models.BackorderNotice) error {
	if len(slipped) == 0 || workflow.GetVersion(ctx, versionProductionToldOfShortages, workflow.DefaultVersion, 1) != 1 {
		return nil
	}
	lines := make([]string, len(slipped))
	for i, b := range slipped {
		lines[i] = fmt.Sprintf("%d. %s line %d: %d for %s, promised %s, now expected %s (%s)", i+1, b.OrderID, b.LineNo, b.Waiting(),
			b.CustomerName, b.PromisedAt.Format(time.DateOnly), b.ETA.Format(time.DateOnly), strings.TrimSpace(b.ETASource+" "+b.ETARef))
	}
	first := slipped[0]
	return workflow.ExecuteActivity(ctx, ActivityNotifyRole, RoleMessage{Role: models.RoleProductionManager, Event: EventSupplySlipped,
		IdempotencyKey: "Allocator:" + a.sku + "/slipped/" + first.ID + "/" + first.ETA.Format(time.DateOnly),
		Data:           map[string]string{"sku": a.sku, "count": fmt.Sprint(len(slipped)), "lines": strings.Join(lines, "\n")}}).Get(ctx, nil)
}

// escalate tells customer service of every backorder past its ETA, once per ETA.
func (a *allocatorFlow) escalate(ctx workflow.Context) error {
	var late []models.Backorder
	if err := workflow.ExecuteActivity(ctx, ActivityEscalateOverdue, EscalateInput{SKU: a.sku, At: workflow.Now(ctx)}).Get(ctx, &late); err != nil {
		return err
	}
	for _, b := range late {
		if err := workflow.ExecuteActivity(ctx, ActivityNotifyRole, RoleMessage{Role: models.RoleCustomerService, Event: EventBackorderOverdue,
			IdempotencyKey: BackorderKey(b.ID) + "/overdue/" + b.ETA.Format(time.DateOnly),
			Data: map[string]string{"order_id": b.OrderID, "sku": b.SKU, "qty": fmt.Sprint(b.Waiting()), "eta": b.ETA.Format(time.DateOnly),
				"customer_name": b.CustomerName, "source": strings.TrimSpace(b.ETASource + " " + b.ETARef)}}).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// BackorderKey prefixes the idempotency keys of a backorder's messages.
func BackorderKey(id string) string { return "Backorder:" + id }
