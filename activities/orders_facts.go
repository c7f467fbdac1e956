package activities

import (
	"context"
	"encoding/json"
	"time"

	"github.com/q2c-dev/q2c/store"
	"github.com/q2c-dev/q2c/workflows"
)

// orderFacts describes an order's lines for reporting: quantities from the
// order; prices and promise dates, which only the first save needs, from the
// quote it was accepted from, read when the store asks for them.
func (a *Activities) orderFacts(ctx context.Context, st workflows.OrderState) store.OrderFacts {
	f := factsOf(st)
	f.Priced = func(lines []store.OrderLineFact) error {
		q, err := a.Store.QuoteByID(ctx, st.QuoteID)
		if err != nil {
			return err
		}
		var quote workflows.QuoteState
		if err := json.Unmarshal([]byte(q.State), &quote); err != nil {
			return err
		}
		priceFacts(lines, quote.Priced)
		return nil
	}
	return f
}

// factsOf is pure: the order's lines and quantities.
func factsOf(st workflows.OrderState) store.OrderFacts {
	f := store.OrderFacts{OrderedAt: st.CreatedAt}
	allocated := st.Status != workflows.OrderAllocating
	for _, l := range st.Lines {
		fact := store.OrderLineFact{LineNo: l.LineNo, SKU: l.SKU, Qty: l.Qty, Shipped: l.Shipped, Cancelled: l.Cancelled}
		if allocated {
			// What stock filled when the order was placed: what is reserved
			// or shipped, less what backorders filled since.
			filled := min(max(l.Reserved+l.Shipped-l.BackorderFilled, 0), l.Qty)
			fact.Filled = &filled
		}
		if l.Shipped > 0 && l.Open() == 0 {
			fact.ShippedAt = lastShipped(st.Shipments, l.LineNo)
		}
		f.Lines = append(f.Lines, fact)
	}
	return f
}

// priceFacts is pure: each line's figures and promise from the priced
// quote, matched by line number.
func priceFacts(lines []store.OrderLineFact, priced workflows.PricedQuote) {
	for i := range lines {
		for j, p := range priced.Pricing.Lines {
			if p.LineNo != lines[i].LineNo {
				continue
			}
			lines[i].Gross, lines[i].Discount, lines[i].Net, lines[i].Tax = p.Gross, p.Discount, p.Net, p.Tax
			if j < len(priced.Promises) && !priced.Promises[j].Date.IsZero() {
				d := priced.Promises[j].Date
				lines[i].PromisedAt = &d
			}
		}
	}
}

func lastShipped(shipments []workflows.ShipmentRef, lineNo int) *time.Time {
	var last *time.Time
	for _, sh := range shipments {
		for _, l := range sh.Lines {
			if l.LineNo == lineNo && l.Qty > 0 && (last == nil || sh.ShippedAt.After(*last)) {
				t := sh.ShippedAt
				last = &t
			}
		}
	}
	return last
}

// invoiceFacts are an invoice's lines for revenue.
func invoiceFacts(lines []workflows.InvoiceLine) []store.InvoiceLineFact {
	out := make([]store.InvoiceLineFact, 0, len(lines))
	for _, l := range lines {
		out = append(out, store.InvoiceLineFact{LineNo: l.LineNo, SKU: l.SKU, Qty: l.Qty, Gross: l.Gross, Discount: l.Discount,
			Net: l.Net, Tax: l.Tax, Total: l.Total})
	}
	return out
}

// BackfillReporting writes the reporting facts of orders, shipments and
// invoices recorded before the facts existed (migration 10), through the
// same store calls as live saves; what already has facts is left alone, so
// it runs at every start at the cost of three queries. It is a function,
// not a method, so that the worker does not register it as an activity.
func BackfillReporting(ctx context.Context, st *store.Store) (orders, invoices int, err error) {
	a := &Activities{Store: st}
	ids, err := a.Store.OrdersWithoutLines(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, id := range ids {
		rec, err := a.Store.OrderByID(ctx, id)
		if err != nil {
			return orders, 0, err
		}
		var st workflows.OrderState
		if err := json.Unmarshal([]byte(rec.State), &st); err != nil {
			return orders, 0, err
		}
		if err := a.Store.SaveOrder(ctx, rec, a.orderFacts(ctx, st)); err != nil {
			return orders, 0, err
		}
		orders++
	}
	if err := a.Store.BackfillShipmentLines(ctx); err != nil {
		return orders, 0, err
	}
	invs, err := a.Store.InvoicesWithoutLines(ctx)
	if err != nil {
		return orders, 0, err
	}
	for _, inv := range invs {
		var lines []workflows.InvoiceLine
		if err := json.Unmarshal([]byte(inv.Lines), &lines); err != nil {
			return orders, invoices, err
		}
		if err := a.Store.SaveInvoiceLines(ctx, inv, invoiceFacts(lines)); err != nil {
			return orders, invoices, err
		}
		invoices++
	}
	return orders, invoices, nil
}
