// Package quotes opens quotes without making their creator wait on
// Temporal.
//
// A customer asking for a price waits for the pricing and the stored
// quote, nothing else. Open prices the request and stores the quote with a
// row that says its workflow is still to start, in one transaction, and
// answers. Starter then starts the quote's workflow from the stored quote
// (workflows.QuoteRequest.Opened): at once after the answer, when a change
// to the quote finds no workflow yet, and in a sweep for any a crash or a
// Temporal outage left waiting. The workflow is the quote's life from then
// on, as for a quote it priced itself.
package quotes

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// Price prices a basket for a customer at a moment and promises a delivery
// date per line (the PriceQuote activity's work). It reads only. A request
// it cannot price is a *models.ValidationError naming the field.
func Price(ctx context.Context, st *store.Store, in workflows.PriceQuoteInput) (workflows.PricedQuote, error) {
	cust, err := st.CustomerByID(ctx, in.CustomerID)
	if errors.Is(err, models.ErrNotFound) {
		return workflows.PricedQuote{}, models.Invalid("customer_id", "does not exist")
	}
	if err != nil {
		return workflows.PricedQuote{}, err
	}
	skus := make([]string, 0, len(in.Lines))
	for _, l := range in.Lines {
		skus = append(skus, l.SKU)
	}
	book, err := st.PricingBookFor(ctx, in.At, cust.ID, skus)
	if err != nil {
		return workflows.PricedQuote{}, err
	}
	res, err := pricing.Price(book, pricing.Basket{
		Customer: pricing.CustomerOf(cust),
		Lines:    in.Lines, PromoCode: in.PromoCode, At: in.At,
	})
	if err != nil {
		return workflows.PricedQuote{}, err
	}
	terms := cust.TermsDays
	out := workflows.PricedQuote{Customer: models.Contact{Name: cust.Name, Email: cust.Email, Phone: cust.Phone},
		Pricing: res, Terms: workflows.QuoteTerms(terms), PricedAt: in.At, TermsDays: &terms}
	if in.ShipToID != "" {
		a, ok := cust.Address(in.ShipToID)
		if !ok || a.Kind != models.AddressShipping {
			return workflows.PricedQuote{}, models.Invalid("ship_to_id", "is not one of the customer's shipping addresses")
		}
		out.ShipTo = &a
	} else if a, ok := cust.DefaultAddress(models.AddressShipping); ok {
		out.ShipTo = &a
	}
	for _, l := range in.Lines {
		av, err := st.AvailabilityOf(ctx, l.SKU, in.At)
		if err != nil {
			return workflows.PricedQuote{}, err
		}
		out.Promises = append(out.Promises, av.Position.Promise(l.Qty))
	}
	return out, nil
}

// Record is the read model of a quote's state.
func Record(st workflows.QuoteState) (models.QuoteRecord, error) {
	raw, err := json.Marshal(st)
	if err != nil {
		return models.QuoteRecord{}, err
	}
	rec := models.QuoteRecord{ID: st.QuoteID, CustomerID: st.CustomerID, Status: st.Status, Version: st.Version, Rev: st.Rev,
		Currency: st.Priced.Pricing.Currency, Total: st.Priced.Pricing.Total, ApprovalRole: string(st.ApprovalRole),
		OrderID: st.OrderID, CreatedBy: st.CreatedBy, State: string(raw)}
	if !st.ValidUntil.IsZero() {
		rec.ValidUntil = &st.ValidUntil
	}
	rec.NeedsApproval = st.Approval.Required
	rec.ApprovedAt, rec.AcceptedAt = lastStage(st.Timeline, "approved"), lastStage(st.Timeline, "accepted")
	return rec, nil
}

// lastStage is when a quote last reached a stage of its timeline.
func lastStage(timeline []workflows.Event, stage string) *time.Time {
	for i := len(timeline) - 1; i >= 0; i-- {
		if timeline[i].Stage == stage {
			t := timeline[i].At
			return &t
		}
	}
	return nil
}

// Open prices a new quote at now and stores it, with the start of its
// workflow and the audit trail's entry for it, in one transaction; the
// caller starts the workflow after answering (Starter.StartSoon). A
// retried request (the same quote ID) answers with the quote stored the
// first time. A request that cannot be priced stores nothing and is a
// *models.ValidationError.
func Open(ctx context.Context, st *store.Store, req workflows.QuoteRequest, now time.Time, audit models.AuditEvent) (workflows.QuoteState, error) {
	priced, err := Price(ctx, st, workflows.PriceQuoteInput{
		CustomerID: req.CustomerID, Lines: req.Lines, PromoCode: req.PromoCode, At: now, ShipToID: req.ShipToID})
	if err != nil {
		return workflows.QuoteState{}, err
	}
	state := workflows.OpenQuote(req, priced, now)
	rec, err := Record(state)
	if err != nil {
		return workflows.QuoteState{}, err
	}
	stored, opened, err := st.OpenQuote(ctx, rec, req.ValidDays, audit)
	if err != nil || opened {
		return state, err
	}
	var earlier workflows.QuoteState
	return earlier, json.Unmarshal([]byte(stored.State), &earlier)
}
