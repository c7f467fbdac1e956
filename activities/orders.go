package activities

import (
	"context"
	"encoding/json"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// SaveOrder writes an order's read model and its reporting facts.
func (a *Activities) SaveOrder(ctx context.Context, st workflows.OrderState) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return a.Store.SaveOrder(ctx, models.OrderRecord{ID: st.OrderID, QuoteID: st.QuoteID, CustomerID: st.CustomerID, Status: st.Status,
		Rev: st.Rev, Currency: st.Currency, Total: st.Total, State: string(raw)}, a.orderFacts(ctx, st))
}

// ReserveLine reserves stock for an order line; a retry returns the first
// outcome. A shortfall is backordered in the same transaction, and the
// SKU's allocator is woken to tell the customer (and production).
func (a *Activities) ReserveLine(ctx context.Context, in workflows.ReserveLineInput) (models.Allocation, error) {
	alloc, err := a.Store.Reserve(ctx, store.ReserveRequest{OrderID: in.OrderID, LineNo: in.LineNo, SKU: in.SKU, Qty: in.Qty,
		CustomerID: in.CustomerID, AllowPartial: in.AllowPartial, LineNet: in.LineNet, Currency: in.Currency, OrderedAt: in.OrderedAt})
	if err != nil || alloc.Shortfall() == 0 {
		return alloc, err
	}
	return alloc, a.wake(ctx, in.SKU)
}

// ReleaseLine frees an order line's reservations; releasing twice frees
// nothing more. The freed stock may fill backorders, so the SKU's
// allocator is woken.
func (a *Activities) ReleaseLine(ctx context.Context, in workflows.ReleaseLineInput) (int64, error) {
	freed, err := a.Store.Release(ctx, in.OrderID, in.LineNo)
	if err != nil || in.SKU == "" {
		return freed, err
	}
	return freed, a.wake(ctx, in.SKU)
}
