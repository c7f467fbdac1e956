package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// withActivityDefaults sets the timeouts and retry policy q2c's activities
// share: short attempts, retried with backoff capped at a minute for as long
// as it takes (a database outage of a day ends with every sale carrying on;
// giving up after a day used to fail the sale's workflow), and never retried
// when the error is a business one: invalid input, a conflict.
func withActivityDefaults(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        200 * time.Millisecond,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Minute,
			NonRetryableErrorTypes: []string{ErrTypeInvalidInput},
		},
	})
}

// Notification is a message for the SendNotification activity, which
// writes it to the outbox, applies the owner's channel preferences and sends
// it (workflows import no I/O packages).
type Notification struct {
	Channel        string `json:"channel"`
	To             string `json:"to"`
	ToName         string `json:"to_name,omitempty"`
	Subject        string `json:"subject,omitempty"`
	Text           string `json:"text"`
	HTML           string `json:"html,omitempty"`
	IdempotencyKey string `json:"idempotency_key"`
	// Event names the kind of message, for preferences and templates.
	Event string `json:"event,omitempty"`
	// OwnerKind and OwnerID say whose preferences apply (a customer account
	// or a staff user); OrderID links the message to an order.
	OwnerKind string `json:"owner_kind,omitempty"`
	OwnerID   string `json:"owner_id,omitempty"`
	OrderID   string `json:"order_id,omitempty"`
	// Phone and SMS are used when the owner turned SMS on for Event.
	Phone string `json:"phone,omitempty"`
	SMS   string `json:"sms,omitempty"`
	// Data carries the event's figures; when set, the activity renders the
	// event's templates from it (package messages) instead of Subject/Text.
	Data map[string]string `json:"data,omitempty"`
}

// Notification events.
const (
	EventQuoteReady        = "quote_ready"
	EventQuoteRejected     = "quote_rejected"
	EventQuoteExpired      = "quote_expired"
	EventQuoteWithdrawn    = "quote_withdrawn"
	EventApprovalRequested = "approval_requested"
	EventApprovalEscalated = "approval_escalated"
	EventOrderConfirmed    = "order_confirmed"
	EventOrderCancelled    = "order_cancelled"
	EventShipped           = "shipped"
	EventInvoiceIssued     = "invoice_issued"
	EventPaymentReminder   = "payment_reminder"
	EventPaymentOverdue    = "payment_overdue"
	EventPaymentReceived   = "payment_received"
	EventLineBackordered   = "line_backordered"
	EventETAChanged        = "eta_changed"
	EventStockArrived      = "stock_arrived"
	EventProductionAlert   = "production_alert"
	EventBackorderOverdue  = "backorder_overdue" // to customer service: a backorder is past its ETA
	EventPromotion         = "promotion"         // marketing: needs consent, carries an unsubscribe link
)

// Events lists every event kind, for preferences.
var Events = []string{EventQuoteReady, EventQuoteRejected, EventQuoteExpired, EventQuoteWithdrawn, EventApprovalRequested,
	EventApprovalEscalated, EventOrderConfirmed, EventOrderCancelled, EventShipped, EventInvoiceIssued, EventPaymentReminder,
	EventPaymentOverdue, EventPaymentReceived, EventLineBackordered, EventETAChanged, EventStockArrived, EventProductionAlert, EventBackorderOverdue, EventPromotion}

// eventLoop drives a long-running workflow until done: it waits for the
// state's revision to change (an update was handled) or for the next
// deadline, and at a deadline runs onDeadline holding mu, the mutex update
// handlers take too. With no deadline it waits for a change only. Before
// returning it lets running handlers finish.
func eventLoop(ctx workflow.Context, mu workflow.Mutex, done func() bool, rev func() int,
	next func() (time.Time, bool), onDeadline func(workflow.Context) error) error {
	for !done() {
		seen := rev()
		changed := func() bool { return rev() != seen }
		deadline, ok := next()
		if !ok {
			if err := workflow.Await(ctx, changed); err != nil {
				return err
			}
			continue
		}
		woke, err := workflow.AwaitWithTimeout(ctx, deadline.Sub(workflow.Now(ctx)), changed)
		if err != nil {
			return err
		}
		if woke {
			continue
		}
		if err := mu.Lock(ctx); err != nil {
			return err
		}
		err = onDeadline(ctx)
		mu.Unlock()
		if err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}
