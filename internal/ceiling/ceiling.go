// Package ceiling is the sale with nothing in it: workflows shaped like
// q2c's quote and order (the same local and regular activities, child
// workflow, Updates, version markers and timers, in the same order) whose
// activities do nothing. Run on the same Temporal server, side by side with
// the real sale, it measures what Temporal itself allows there, so the
// benchmarks report the sale as a fraction of that ceiling. Shape compares
// a run's histories with the real sale's, so the two cannot drift apart.
package ceiling

import (
	"context"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/q2c-dev/q2c/workflows"
)

// Workflow and update names of the no-op sale.
const (
	QuoteWorkflow = "CeilingQuote"
	OrderWorkflow = "CeilingOrder"
	// BareWorkflow answers its open update at once: the floor of an
	// Update-with-Start, the instant quote's ceiling.
	BareWorkflow = "CeilingBare"

	updateOpen   = workflows.UpdateQuoteOpen // the bare workflow's
	updateAccept = workflows.UpdateQuoteAccept
	updateShip   = workflows.UpdateOrderShip
	updatePay    = workflows.UpdateOrderPay
	queryStatus  = workflows.QueryStatus

	statusAllocated = workflows.OrderAllocated
)

// The real workflows' timers are deadlines: a quote's expiry, an invoice's
// reminder. They never fire during a sale, but each is a command and an
// event.
const (
	quoteExpiry     = 30 * 24 * time.Hour
	invoiceReminder = 27 * 24 * time.Hour
)

// activities are the real sale's activity names, registered here as no-ops.
var activities = []string{
	workflows.ActivityPriceQuote, workflows.ActivitySaveQuote, workflows.ActivityCheckCredit,
	workflows.ActivitySaveOrder, workflows.ActivityReserveLine, workflows.ActivitySendNotification,
	workflows.ActivityShipLines, workflows.ActivityIssueInvoice, workflows.ActivityRecordPayment,
}

// Register adds the no-op sale to a worker of its own task queue.
func Register(w worker.Registry) {
	w.RegisterWorkflowWithOptions(quote, workflow.RegisterOptions{Name: QuoteWorkflow})
	w.RegisterWorkflowWithOptions(order, workflow.RegisterOptions{Name: OrderWorkflow})
	w.RegisterWorkflowWithOptions(bare, workflow.RegisterOptions{Name: BareWorkflow})
	for _, name := range activities {
		w.RegisterActivityWithOptions(noop, activity.RegisterOptions{Name: name})
	}
}

func noop(context.Context) error { return nil }

var retry = &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: time.Minute}

func act(ctx workflow.Context, name string) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second, RetryPolicy: retry})
	return workflow.ExecuteActivity(ctx, name).Get(ctx, nil)
}

func local(ctx workflow.Context, name string) error {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second, ScheduleToCloseTimeout: time.Hour, RetryPolicy: retry})
	return workflow.ExecuteLocalActivity(ctx, name).Get(ctx, nil)
}

// quote is workflows.Quote for an auto-approved quote the API opened
// (priced and stored it, then started the workflow with it): saved again
// locally, the customer told, then accepted into one order.
func quote(ctx workflow.Context, orderID string) error {
	workflow.GetVersion(ctx, "ceiling-answer-after-save", workflow.DefaultVersion, 1)
	workflow.GetVersion(ctx, "ceiling-local-db-work", workflow.DefaultVersion, 1)
	accepted := false
	if err := workflow.SetUpdateHandler(ctx, updateAccept, func(ctx workflow.Context) error {
		workflow.GetVersion(ctx, "ceiling-credit-check", workflow.DefaultVersion, 1)
		if err := local(ctx, workflows.ActivityCheckCredit); err != nil {
			return err
		}
		child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID: OrderWorkflow + ":" + orderID, ParentClosePolicy: enums.PARENT_CLOSE_POLICY_ABANDON,
		}), OrderWorkflow)
		if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			return err
		}
		accepted = true
		return local(ctx, workflows.ActivitySaveQuote)
	}); err != nil {
		return err
	}
	if err := local(ctx, workflows.ActivitySaveQuote); err != nil {
		return err
	}
	if err := act(ctx, workflows.ActivitySendNotification); err != nil {
		return err
	}
	if _, err := workflow.AwaitWithTimeout(ctx, quoteExpiry, func() bool { return accepted }); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// order is workflows.Order for one line reserved in full, shipped in one
// shipment and paid in one payment.
func order(ctx workflow.Context) error {
	status, rev, invoiced, paid := "allocating", 0, false, false
	if err := workflow.SetQueryHandler(ctx, queryStatus, func() (string, error) { return status, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, updateShip, func(ctx workflow.Context) error {
		for _, name := range []string{workflows.ActivityShipLines, workflows.ActivityIssueInvoice} {
			if err := act(ctx, name); err != nil {
				return err
			}
		}
		invoiced, rev = true, rev+1
		for _, name := range []string{workflows.ActivitySaveOrder, workflows.ActivitySendNotification, workflows.ActivitySendNotification} {
			if err := act(ctx, name); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, updatePay, func(ctx workflow.Context) error {
		workflow.GetVersion(ctx, "ceiling-payment-retry", workflow.DefaultVersion, 1)
		if err := act(ctx, workflows.ActivityRecordPayment); err != nil {
			return err
		}
		paid, rev = true, rev+1
		for _, name := range []string{workflows.ActivitySaveOrder, workflows.ActivitySendNotification} {
			if err := act(ctx, name); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	for _, name := range []string{workflows.ActivitySaveOrder, workflows.ActivityReserveLine, workflows.ActivitySaveOrder, workflows.ActivitySendNotification} {
		if err := act(ctx, name); err != nil {
			return err
		}
	}
	status = statusAllocated
	for !paid { // the order's event loop: a deadline only once invoiced
		seen := rev
		changed := func() bool { return rev != seen }
		if !invoiced {
			if err := workflow.Await(ctx, changed); err != nil {
				return err
			}
			continue
		}
		if _, err := workflow.AwaitWithTimeout(ctx, invoiceReminder, changed); err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// bare answers its open update at once and ends.
func bare(ctx workflow.Context) error {
	answered := false
	if err := workflow.SetUpdateHandler(ctx, updateOpen, func(ctx workflow.Context) error {
		answered = true
		return nil
	}); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return answered && workflow.AllHandlersFinished(ctx) })
}
