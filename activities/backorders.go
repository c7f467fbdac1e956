package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/temporalclient"
	"github.com/q2c-dev/q2c/workflows"
)

// newsBatch is how many changed backorders one announcement handles.
const newsBatch = 100

// ReceiveStock applies a goods receipt: stock added and handed to waiting
// backorders in one transaction. A retry (or the same delivery received
// again) answers the first result.
func (a *Activities) ReceiveStock(ctx context.Context, in workflows.ReceiveStockInput) (models.ReceiptResult, error) {
	res, err := a.Store.Receive(ctx, store.Receipt{Key: in.Key, SKU: in.SKU, Warehouse: in.Warehouse, Qty: in.Qty,
		ReceivedBy: in.Actor.Subject, SupplyOrderID: in.SupplyOrderID, CloseShort: in.CloseShort})
	if errors.Is(err, models.ErrConflict) { // a closed supply order: no retry changes that
		return res, temporal.NewNonRetryableApplicationError(err.Error(), "Conflict", err)
	}
	return res, invalid(err)
}

// BackorderNews reads what a SKU's allocator has to tell, and when its next
// backorder would escalate.
func (a *Activities) BackorderNews(ctx context.Context, sku string) (models.BackorderNews, error) {
	news, err := a.Store.PendingNews(ctx, sku, newsBatch)
	if err != nil {
		return news, err
	}
	at, ok, err := a.Store.NextEscalation(ctx, sku)
	if ok {
		news.NextEscalation = &at
	}
	return news, err
}

// MarkAnnounced records the news that was told.
func (a *Activities) MarkAnnounced(ctx context.Context, told models.Announced) error {
	return a.Store.MarkAnnounced(ctx, told)
}

// EscalateOverdue marks a SKU's backorders past their ETA as escalated and
// returns them; each ETA escalates once.
func (a *Activities) EscalateOverdue(ctx context.Context, in workflows.EscalateInput) ([]models.Backorder, error) {
	return a.Store.EscalateOverdue(ctx, in.SKU, in.At)
}

// WaitingForSKU sums up what waits for a SKU, for production.
func (a *Activities) WaitingForSKU(ctx context.Context, sku string) (models.WaitingSummary, error) {
	return a.Store.Waiting(ctx, sku)
}

// SKUsNeedingAttention lists SKUs whose allocator has something to do.
func (a *Activities) SKUsNeedingAttention(ctx context.Context, at time.Time) ([]string, error) {
	return a.Store.SKUsNeedingAttention(ctx, at, 500)
}

// WakeAllocator wakes a SKU's allocator (starting it if need be).
func (a *Activities) WakeAllocator(ctx context.Context, sku string) error { return a.wake(ctx, sku) }

func (a *Activities) wake(ctx context.Context, sku string) error {
	if a.Temporal == nil {
		return nil
	}
	return temporalclient.WakeAllocator(ctx, a.Temporal, a.TaskQueue, sku)
}
