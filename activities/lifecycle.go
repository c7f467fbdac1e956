package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/notify"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/temporalclient"
	"github.com/q2c-dev/q2c/workflows"
)

// invalid turns a validation error into a non-retryable activity error whose
// details carry the field errors back to the workflow (and the API).
func invalid(err error) error {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return temporal.NewNonRetryableApplicationError(ve.Error(), workflows.ErrTypeInvalidInput, nil, ve.Fields)
	}
	return err
}

// PriceQuote prices a basket for a customer at a moment and promises a
// delivery date per line. It reads only, so retries are harmless.
func (a *Activities) PriceQuote(ctx context.Context, in workflows.PriceQuoteInput) (workflows.PricedQuote, error) {
	cust, err := a.Store.CustomerByID(ctx, in.CustomerID)
	if errors.Is(err, models.ErrNotFound) {
		return workflows.PricedQuote{}, invalid(models.Invalid("customer_id", "does not exist"))
	}
	if err != nil {
		return workflows.PricedQuote{}, err
	}
	book, err := a.Store.PricingBook(ctx, in.At)
	if err != nil {
		return workflows.PricedQuote{}, err
	}
	res, err := pricing.Price(book, pricing.Basket{
		Customer: pricing.Customer{ID: cust.ID, Segment: cust.Segment, Region: cust.Region, Currency: cust.Currency},
		Lines:    in.Lines, PromoCode: in.PromoCode, At: in.At,
	})
	if err != nil {
		return workflows.PricedQuote{}, invalid(err)
	}
	out := workflows.PricedQuote{Customer: workflows.Contact{Name: cust.Name, Email: cust.Email, Phone: cust.Phone},
		Pricing: res, Terms: workflows.QuoteTerms, PricedAt: in.At}
	for _, l := range in.Lines {
		av, err := a.Store.AvailabilityOf(ctx, l.SKU, in.At)
		if err != nil {
			return workflows.PricedQuote{}, err
		}
		out.Promises = append(out.Promises, av.Position.Promise(l.Qty))
	}
	return out, nil
}

// SaveQuote writes a quote's read model.
func (a *Activities) SaveQuote(ctx context.Context, st workflows.QuoteState) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	rec := models.QuoteRecord{ID: st.QuoteID, CustomerID: st.CustomerID, Status: st.Status, Version: st.Version, Rev: st.Rev,
		Currency: st.Priced.Pricing.Currency, Total: st.Priced.Pricing.Total, ApprovalRole: string(st.ApprovalRole),
		OrderID: st.OrderID, CreatedBy: st.CreatedBy, State: string(raw)}
	if !st.ValidUntil.IsZero() {
		rec.ValidUntil = &st.ValidUntil
	}
	return a.Store.SaveQuote(ctx, rec)
}

// SaveOrder writes an order's read model.
func (a *Activities) SaveOrder(ctx context.Context, st workflows.OrderState) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return a.Store.SaveOrder(ctx, models.OrderRecord{ID: st.OrderID, QuoteID: st.QuoteID, CustomerID: st.CustomerID, Status: st.Status,
		Rev: st.Rev, Currency: st.Currency, Total: st.Total, State: string(raw)})
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

func (a *Activities) wake(ctx context.Context, sku string) error {
	if a.Temporal == nil {
		return nil
	}
	return temporalclient.WakeAllocator(ctx, a.Temporal, a.TaskQueue, sku)
}

// NotifyRole emails every active user holding a role. Each recipient's
// message has its own idempotency key, so a retry sends nobody a second copy.
func (a *Activities) NotifyRole(ctx context.Context, m workflows.RoleMessage) (int, error) {
	users, err := a.Store.ActiveUsersWithRole(ctx, m.Role)
	if err != nil {
		return 0, err
	}
	for _, u := range users {
		if _, err := a.SendNotification(ctx, workflows.Notification{Channel: models.ChannelEmail, To: u.Email, ToName: u.Name,
			IdempotencyKey: fmt.Sprintf("%s/%s", m.IdempotencyKey, u.ID),
			Event:          m.Event, OwnerKind: models.OwnerUser, OwnerID: u.ID, Phone: u.Phone, Data: m.Data}); err != nil {
			return 0, err
		}
	}
	return len(users), nil
}

func toMessage(n workflows.Notification) notify.Message {
	return notify.Message{Channel: n.Channel, To: n.To, ToName: n.ToName, Subject: n.Subject, Text: n.Text, HTML: n.HTML, IdempotencyKey: n.IdempotencyKey}
}
