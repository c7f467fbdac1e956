package activities

import (
	"context"
	"time"

	"github.com/q2c-dev/q2c/approval"
	"github.com/q2c-dev/q2c/quotes"
	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// PriceQuote prices a basket for a customer at a moment and promises a
// delivery date per line. It reads only, so retries are harmless.
func (a *Activities) PriceQuote(ctx context.Context, in workflows.PriceQuoteInput) (workflows.PricedQuote, error) {
	out, err := quotes.Price(ctx, a.Store, in)
	return out, invalid(err)
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
	rec, err := quotes.Record(st)
	if err != nil {
		return err
	}
	return a.Store.SaveQuote(ctx, rec)
}

// StartWaitingQuotes starts the workflows of quotes opened by the API
// before at (less quotes.SweepGrace) whose start was lost.
func (a *Activities) StartWaitingQuotes(ctx context.Context, at time.Time) (int, error) {
	if a.Temporal == nil {
		return 0, nil // tests without a server
	}
	return quotes.NewStarter(a.Store, a.Temporal, a.TaskQueue, nil).Sweep(ctx, at.Add(-quotes.SweepGrace))
}
