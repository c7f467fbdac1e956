package activities

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/q2c-dev/q2c/approval"
	"github.com/q2c-dev/q2c/models"
	"github.com/q2c-dev/q2c/pricing"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

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
	skus := make([]string, 0, len(in.Lines))
	for _, l := range in.Lines {
		skus = append(skus, l.SKU)
	}
	book, err := a.Store.PricingBookFor(ctx, in.At, cust.ID, skus)
	if err != nil {
		return workflows.PricedQuote{}, err
	}
	res, err := pricing.Price(book, pricing.Basket{
		Customer: pricing.CustomerOf(cust),
		Lines:    in.Lines, PromoCode: in.PromoCode, At: in.At,
	})
	if err != nil {
		return workflows.PricedQuote{}, invalid(err)
	}
	terms := cust.TermsDays
	out := workflows.PricedQuote{Customer: models.Contact{Name: cust.Name, Email: cust.Email, Phone: cust.Phone},
		Pricing: res, Terms: workflows.QuoteTerms(terms), PricedAt: in.At, TermsDays: &terms}
	if in.ShipToID != "" {
		a, ok := cust.Address(in.ShipToID)
		if !ok || a.Kind != models.AddressShipping {
			return workflows.PricedQuote{}, invalid(models.Invalid("ship_to_id", "is not one of the customer's shipping addresses"))
		}
		out.ShipTo = &a
	} else if a, ok := cust.DefaultAddress(models.AddressShipping); ok {
		out.ShipTo = &a
	}
	for _, l := range in.Lines {
		av, err := a.Store.AvailabilityOf(ctx, l.SKU, in.At)
		if err != nil {
			return workflows.PricedQuote{}, err
		}
		out.Promises = append(out.Promises, av.Position.Promise(l.Qty))
	}
	return out, nil
}

// CheckCredit decides whether a quote's order may be placed on credit, and
// commits its amount when it may (or finance approved it). Retried, it
// counts the quote's own commitment once.
func (a *Activities) CheckCredit(ctx context.Context, in workflows.CheckCreditInput) (workflows.CreditCheck, error) {
	days := a.CreditOverdueDays
	if days <= 0 {
		days = approval.DefaultOverdueDays
	}
	pos, reasons, err := a.Store.CheckCredit(ctx, store.CreditCheck{CustomerID: in.CustomerID, QuoteID: in.QuoteID, Currency: in.Currency,
		Total: in.Total, At: in.At, OverdueDays: days, Approved: in.Approved})
	out := workflows.CreditCheck{Credit: pos, OverdueDays: days, Reasons: reasons}
	if len(reasons) == 0 || in.Approved {
		out.Committed = &in
	}
	return out, err
}

// SaveQuote writes a quote's read model. It answers with the state it
// saved: the quote saves in a local activity, whose input Temporal does not
// keep, and the answer is what lets a reconciliation after a restore write
// the quote again from the workflow's history.
func (a *Activities) SaveQuote(ctx context.Context, st workflows.QuoteState) (workflows.QuoteState, error) {
	return st, a.saveQuote(ctx, st)
}

func (a *Activities) saveQuote(ctx context.Context, st workflows.QuoteState) error {
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
	rec.NeedsApproval = st.Approval.Required
	rec.ApprovedAt, rec.AcceptedAt = lastStage(st.Timeline, "approved"), lastStage(st.Timeline, "accepted")
	return a.Store.SaveQuote(ctx, rec)
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
