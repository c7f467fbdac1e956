// Package activities does the I/O that workflows ask for: database writes
// through the store and messages through notify. Every activity is safe to
// run more than once with the same input.
package activities

import (
	"context"
	"errors"

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
}

// RecordPing stores a finished ping; a retry leaves the first record.
func (a *Activities) RecordPing(ctx context.Context, in workflows.RecordPingInput) error {
	return a.Store.CompletePing(ctx, models.Ping{ID: in.PingID, Message: in.Message, Reply: in.Reply, RequestedBy: in.RequestedBy})
}

// SendNotification sends one message. A permanent refusal (a bad address)
// fails without retries; anything else is retried by Temporal.
func (a *Activities) SendNotification(ctx context.Context, n workflows.Notification) (notify.Receipt, error) {
	r, err := a.Sender.Send(ctx, toMessage(n))
	var perm *notify.PermanentError
	if errors.As(err, &perm) {
		return notify.Receipt{}, temporal.NewNonRetryableApplicationError(perm.Error(), "PermanentDeliveryFailure", nil)
	}
	return r, err
}
