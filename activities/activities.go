// Package activities does the I/O that workflows ask for: database writes
// through the store and messages through notify. Every activity is safe to
// run more than once with the same input.
package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/notify"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// Activities holds the dependencies activities need.
type Activities struct {
	Store  *store.Store
	Sender notify.Sender
	// Temporal and TaskQueue let activities wake a SKU's allocator after a
	// change they committed; nil Temporal wakes nobody (tests).
	Temporal  client.Client
	TaskQueue string
	// UnsubscribeURL builds a customer's one-click unsubscribe link for
	// marketing messages; nil means marketing cannot be sent.
	UnsubscribeURL func(customerID string) string
	// PortalURL is where people open q2c (Q2C_PUBLIC_URL): a message about
	// a quote, order, invoice, ticket or return links to its page there;
	// empty sends no links.
	PortalURL string
	// Retention is how long idempotent answers and polled operations are
	// kept (they can hold personal data); 0 keeps them a day.
	Retention time.Duration
	// NotificationRetention is how long a message's text is kept (it
	// quotes customers' names, addresses and purchases); 0 keeps it 90 days.
	NotificationRetention time.Duration
	// CreditOverdueDays is how long past due an invoice may be before the
	// customer's next order needs a credit approval; 0 is
	// approval.DefaultOverdueDays.
	CreditOverdueDays int
}

// PurgeExpired deletes idempotent answers and operations past Retention,
// and empties the text of messages past NotificationRetention.
func (a *Activities) PurgeExpired(ctx context.Context) (int64, error) {
	keep := a.Retention
	if keep <= 0 {
		keep = 24 * time.Hour
	}
	n, err := a.Store.PurgeExpired(ctx, time.Now().Add(-keep))
	if err != nil {
		return n, err
	}
	bodies := a.NotificationRetention
	if bodies <= 0 {
		bodies = DefaultNotificationRetention
	}
	m, err := a.Store.PurgeNotificationBodies(ctx, time.Now().Add(-bodies))
	return n + m, err
}

// DefaultNotificationRetention is how long a message's text is kept when
// nothing says otherwise.
const DefaultNotificationRetention = 90 * 24 * time.Hour

// RecordPing stores a finished ping; a retry leaves the first record.
func (a *Activities) RecordPing(ctx context.Context, in workflows.RecordPingInput) error {
	return a.Store.CompletePing(ctx, models.Ping{ID: in.PingID, Message: in.Message, Reply: in.Reply, RequestedBy: in.RequestedBy})
}

var doneStatuses = []string{models.NotificationSent, models.NotificationDelivered, models.NotificationBounced, models.NotificationFailed}

// invalid turns a validation error into a non-retryable activity error whose
// details carry the field errors back to the workflow (and the API).
func invalid(err error) error {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return refusal(ve.Error(), workflows.ErrTypeInvalidInput, ve.Fields)
	}
	return err
}

// businessError makes a refusal no retry can change non-retryable: invalid
// input keeps its field errors, a conflict its message.
func businessError(err error) error {
	if errors.Is(err, models.ErrConflict) {
		return refusal(err.Error(), "Conflict")
	}
	return invalid(err)
}

// refusal is a request refused as the rules say: not retried, and benign,
// so the worker logs it at debug level instead of as an error (a person's
// mistake is not an incident) and metrics do not count it as a failure.
func refusal(msg, errType string, details ...any) error {
	return temporal.NewApplicationErrorWithOptions(msg, errType, temporal.ApplicationErrorOptions{
		NonRetryable: true, Details: details, Category: temporal.ApplicationErrorCategoryBenign})
}
