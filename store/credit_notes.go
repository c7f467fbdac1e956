package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// CreditRequest asks for a credit note on one invoice. Returns credit the
// returned units (Lines, priced as the invoice billed them); a price
// correction credits Amount (tax included); a cancellation credits the
// whole invoice and voids it, and only an unpaid invoice can be cancelled.
type CreditRequest struct {
	Key       string // the same key again answers with the first credit note
	InvoiceID string
	Kind      string
	ReturnID  string
	Reason    string
	Amount    int64
	Lines     []models.ReturnLine // returns: the units received, by invoice line
	By        string
	At        time.Time
	Number    int64 // the number it was first given, when it is issued again after a restore; 0 takes the next
}

// CreditPaymentMethod is the method of the payment row a credit note's
// applied part is recorded as.
const CreditPaymentMethod = "credit_note"

// IssueCreditNote issues a credit note under the invoice's lock, numbered
// from the gap-free "credit_note" counter, applies it to the invoice's open
// balance and puts the rest on the customer's account; the credited lines
// go into revenue as negative sales on the day of the note. A repeat of the
// key answers with the note already issued.
func (s *Store) IssueCreditNote(ctx context.Context, r CreditRequest) (models.CreditNote, error) {
	var v models.Validator
	v.Text("key", r.Key, true, models.MaxNameLen)
	v.Check(slices.Contains([]string{models.CreditForReturn, models.CreditPriceCorrection, models.CreditCancellation}, r.Kind),
		"kind", "must be return, price_correction or cancellation")
	v.Text("reason", r.Reason, true, models.MaxCommentLen)
	if r.Kind == models.CreditPriceCorrection {
		v.Amount("amount", r.Amount, 1)
	}
	if err := v.Err(); err != nil {
		return models.CreditNote{}, err
	}
	var out models.CreditNote
	err := s.Tx(ctx, func(tx *Store) error {
		var inv models.Invoice
		if err := tx.locking(tx.conn(ctx)).Where("id = ?", r.InvoiceID).Take(&inv).Error; err != nil {
			return mapErr(err, "invoice", r.InvoiceID)
		}
		if err := tx.conn(ctx).Where("credit_key = ?", r.Key).Take(&out).Error; err == nil {
			if out.InvoiceID != r.InvoiceID || out.Kind != r.Kind {
				return models.Conflict("credit note key %q was used for %s on %s", r.Key, out.ID, out.InvoiceID)
			}
			return nil
		} else if err = mapErr(err, "credit note", r.Key); !isNotFound(err) {
			return err
		}
		if inv.Status == models.InvoiceVoid {
			return models.Conflict("invoice %s is cancelled: nothing is left to credit", inv.ID)
		}
		lines, err := tx.creditLines(ctx, inv, r)
		if err != nil {
			return err
		}
		out = models.CreditNote{Key: r.Key, InvoiceID: inv.ID, OrderID: inv.OrderID, CustomerID: inv.CustomerID, Currency: inv.Currency,
			Kind: r.Kind, ReturnID: r.ReturnID, Reason: strings.TrimSpace(r.Reason), Lines: lines, IssuedBy: r.By, IssuedAt: r.At.UTC()}
		for _, l := range lines {
			out.Net, out.Tax, out.Total = out.Net+l.Net, out.Tax+l.Tax, out.Total+l.Total
		}
		credited, err := tx.creditedTotal(ctx, inv.ID)
		if err != nil {
			return err
		}
		if out.Total > inv.Total-credited {
			return models.Invalid("amount", "%s credited would be more than the %s left on %s after its earlier credit notes",
				models.NewMoney(out.Total, inv.Currency), models.NewMoney(inv.Total-credited, inv.Currency), inv.ID)
		}
		if out.Total <= 0 {
			return models.Invalid("lines", "nothing to credit")
		}
		if out.Number, err = tx.numberFor(ctx, "credit_note", r.Number); err != nil {
			return err
		}
		out.ID = fmt.Sprintf("CN-%06d", out.Number)
		out.Applied = min(out.Total, inv.Balance())
		out.ToAccount = out.Total - out.Applied
		if err := tx.conn(ctx).Create(&out).Error; err != nil {
			return mapErr(err, "credit note", out.ID)
		}
		return tx.applyCreditNote(ctx, &inv, out)
	})
	return out, err
}

// creditLines prices what a credit note gives back.
func (s *Store) creditLines(ctx context.Context, inv models.Invoice, r CreditRequest) ([]models.CreditNoteLine, error) {
	switch r.Kind {
	case models.CreditCancellation, models.CreditPriceCorrection:
		left, err := s.creditLeft(ctx, inv)
		if err != nil {
			return nil, err
		}
		if r.Kind == models.CreditPriceCorrection {
			return priceCorrectionLines(left, r.Amount), nil
		}
		cash, err := s.cashPaid(ctx, inv.ID)
		if err != nil {
			return nil, err
		}
		if cash > 0 {
			return nil, models.Conflict("invoice %s has %s paid: only an unpaid invoice is cancelled; credit the goods or the price instead",
				inv.ID, models.NewMoney(cash, inv.Currency))
		}
		return left, nil
	}
	left, err := s.creditLeft(ctx, inv)
	if err != nil {
		return nil, err
	}
	var out []models.CreditNoteLine
	for _, rl := range r.Lines {
		if rl.Received == 0 {
			continue
		}
		i := slices.IndexFunc(left, func(l models.CreditNoteLine) bool { return l.LineNo == rl.LineNo })
		if i < 0 || left[i].Qty < rl.Received {
			units := int64(0)
			if i >= 0 {
				units = left[i].Qty
			}
			return nil, models.Invalid("lines", "line %d of %s has %d units not yet credited; %d is more", rl.LineNo, inv.ID, units, rl.Received)
		}
		// Priced against what is left of the line (after earlier returns
		// and price corrections), each figure in proportion to the units
		// and rounded half away from zero: crediting every unit left
		// gives back exactly what is left, whatever the rounding.
		l := left[i]
		share := func(x int64) int64 { return models.DivRoundHalfAwayFromZero(x*rl.Received, l.Qty) }
		part := models.CreditNoteLine{LineNo: l.LineNo, SKU: l.SKU, Qty: rl.Received, Gross: share(l.Gross), Discount: share(l.Discount), Tax: share(l.Tax)}
		part.Net = part.Gross - part.Discount
		part.Total = part.Net + part.Tax
		out = append(out, part)
	}
	return out, nil
}

// creditLeft is, per billed line, what earlier credit notes left of it
// (the whole invoice as line 0 when it has no lines on record).
func (s *Store) creditLeft(ctx context.Context, inv models.Invoice) ([]models.CreditNoteLine, error) {
	var billed []InvoiceLineFact
	if err := s.conn(ctx).Raw(`SELECT line_no, sku, qty, gross, discount, net, tax, total FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no`,
		inv.ID).Scan(&billed).Error; err != nil {
		return nil, err
	}
	if len(billed) == 0 {
		billed = []InvoiceLineFact{{Gross: inv.Subtotal, Discount: inv.Discount, Net: inv.Total - inv.Tax, Tax: inv.Tax, Total: inv.Total}}
	}
	var notes []models.CreditNote
	if err := s.conn(ctx).Where("invoice_id = ?", inv.ID).Find(&notes).Error; err != nil {
		return nil, err
	}
	out := make([]models.CreditNoteLine, len(billed))
	for i, b := range billed {
		out[i] = models.CreditNoteLine{LineNo: b.LineNo, SKU: b.SKU, Qty: b.Qty, Gross: b.Gross, Discount: b.Discount, Net: b.Net, Tax: b.Tax, Total: b.Total}
	}
	for _, cn := range notes {
		for _, l := range cn.Lines {
			for i := range out {
				if out[i].LineNo == l.LineNo {
					o := &out[i]
					o.Qty, o.Gross, o.Discount, o.Net, o.Tax, o.Total = o.Qty-l.Qty, o.Gross-l.Gross, o.Discount-l.Discount, o.Net-l.Net, o.Tax-l.Tax, o.Total-l.Total
				}
			}
		}
	}
	return slices.DeleteFunc(out, func(l models.CreditNoteLine) bool { return l.Total <= 0 }), nil
}

// cashPaid is what money paid of an invoice: not credit notes, not the
// customer's credit applied when it was issued.
func (s *Store) cashPaid(ctx context.Context, invoiceID string) (int64, error) {
	var v []int64
	err := s.conn(ctx).Raw(`SELECT COALESCE(SUM(applied), 0) FROM payments WHERE invoice_id = ? AND method NOT IN (?, ?)`,
		invoiceID, CreditPaymentMethod, CreditReference).Scan(&v).Error
	if err != nil || len(v) == 0 {
		return 0, err
	}
	return v[0], nil
}

// priceCorrectionLines spreads a correction of amount (tax included) over
// what is left of each line in proportion to its total, each share rounded
// half away from zero and the last line taking the remainder; each share's
// tax is in its line's own proportion. No goods come back: no units.
func priceCorrectionLines(left []models.CreditNoteLine, amount int64) []models.CreditNoteLine {
	var total int64
	for _, l := range left {
		total += l.Total
	}
	out := []models.CreditNoteLine{}
	// Cumulative rounding: each line takes the rounded share of the lines
	// so far less what the lines before took, so no share is negative or
	// above its line and the shares add up to the amount exactly.
	var cum, given int64
	for _, l := range left {
		cum += l.Total
		upto := models.DivRoundHalfAwayFromZero(amount*cum, max(total, 1))
		share := upto - given
		given = upto
		if share == 0 {
			continue
		}
		tax := models.DivRoundHalfAwayFromZero(share*l.Tax, max(l.Total, 1))
		out = append(out, models.CreditNoteLine{LineNo: l.LineNo, SKU: l.SKU, Gross: share - tax, Net: share - tax, Tax: tax, Total: share})
	}
	return out
}

// creditedTotal is what credit notes gave back on an invoice so far.
func (s *Store) creditedTotal(ctx context.Context, invoiceID string) (int64, error) {
	var v []int64
	err := s.conn(ctx).Raw(`SELECT COALESCE(SUM(total), 0) FROM credit_notes WHERE invoice_id = ?`, invoiceID).Scan(&v).Error
	if err != nil || len(v) == 0 {
		return 0, err
	}
	return v[0], nil
}

// applyCreditNote pays the invoice's balance with the note (a payment by
// credit note, dated the note's day), puts the rest on the customer's
// account, voids a cancelled invoice, and takes the credited lines out of
// revenue.
func (s *Store) applyCreditNote(ctx context.Context, inv *models.Invoice, cn models.CreditNote) error {
	if cn.Applied > 0 {
		pay := models.Payment{ID: NewID(), InvoiceID: inv.ID, Reference: cn.ID, Amount: cn.Applied, Applied: cn.Applied,
			Method: CreditPaymentMethod, RecordedBy: cn.IssuedBy, ReceivedAt: cn.IssuedAt}
		if err := s.conn(ctx).Create(&pay).Error; err != nil {
			return err
		}
		inv.Paid += cn.Applied
	}
	if cn.ToAccount > 0 {
		if err := s.conn(ctx).Exec(`INSERT INTO credits (id, customer_id, amount, currency, source, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			NewID(), cn.CustomerID, cn.ToAccount, cn.Currency, "credit_note:"+cn.ID, cn.IssuedAt).Error; err != nil {
			return err
		}
	}
	inv.Status = cn.StatusOf(inv.Status, inv.Paid, inv.Total)
	if err := s.conn(ctx).Model(&models.Invoice{}).Where("id = ?", inv.ID).Updates(map[string]any{"paid": inv.Paid, "status": inv.Status}).Error; err != nil {
		return err
	}
	return s.saveCreditNoteLines(ctx, *inv, cn)
}

// saveCreditNoteLines adds a credit note's lines to the sales facts as
// negative revenue, with the invoice line's account attributes, so every
// report nets the credit on the day it was issued.
func (s *Store) saveCreditNoteLines(ctx context.Context, inv models.Invoice, cn models.CreditNote) error {
	var revenue []sale
	for i, l := range cn.Lines {
		var billed []struct {
			Region, Segment, RepID, SKU, Category, WarehouseCode string
			UnitCost                                             int64
		}
		q := s.conn(ctx).Raw(`SELECT region, segment, rep_id, sku, category, warehouse_code, unit_cost FROM invoice_lines WHERE invoice_id = ? AND line_no = ?`, inv.ID, l.LineNo)
		if l.LineNo == 0 { // the whole invoice: its first line's account
			q = s.conn(ctx).Raw(`SELECT region, segment, rep_id, sku, category, warehouse_code, unit_cost FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no LIMIT 1`, inv.ID)
		}
		if err := q.Scan(&billed).Error; err != nil {
			return err
		}
		if len(billed) == 0 {
			continue // an invoice with no sales facts: nothing to net
		}
		b := billed[0]
		// A price correction returns no goods: money only, no units, no cost.
		cost := int64(0)
		if l.Qty > 0 {
			cost = b.UnitCost
		}
		if err := s.conn(ctx).Exec(`INSERT INTO invoice_lines (invoice_id, line_no, order_id, customer_id, region, segment, rep_id, sku, category,
			warehouse_code, currency, qty, gross, discount, net, tax, total, unit_cost, issued_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			cn.ID, i+1, inv.OrderID, inv.CustomerID, b.Region, b.Segment, b.RepID, b.SKU, b.Category,
			b.WarehouseCode, inv.Currency, -l.Qty, -l.Gross, -l.Discount, -l.Net, -l.Tax, -l.Total, cost, cn.IssuedAt).Error; err != nil {
			return fmt.Errorf("credit note line %s/%d: %w", cn.ID, i+1, err)
		}
		revenue = append(revenue, sale{customer: inv.CustomerID, account: account{Region: b.Region, Segment: b.Segment, RepID: b.RepID, Category: b.Category},
			sku: b.SKU, warehouse: b.WarehouseCode, currency: inv.Currency, qty: -l.Qty, net: -l.Net, cost: -cost * l.Qty})
	}
	return s.addSales(ctx, SalesInvoiced, cn.IssuedAt, revenue)
}

// CreditNoteByID reads a credit note.
func (s *Store) CreditNoteByID(ctx context.Context, id string) (models.CreditNote, error) {
	var cn models.CreditNote
	err := s.conn(ctx).Where("id = ?", id).Take(&cn).Error
	return cn, mapErr(err, "credit note", id)
}

// InvoiceCredited is how much of an invoice credit notes paid (the rest
// of its paid figure is money received).
func (s *Store) InvoiceCredited(ctx context.Context, invoiceID string) (int64, error) {
	var v []int64
	err := s.conn(ctx).Raw(`SELECT COALESCE(SUM(applied), 0) FROM credit_notes WHERE invoice_id = ?`, invoiceID).Scan(&v).Error
	if err != nil || len(v) == 0 {
		return 0, err
	}
	return v[0], nil
}

// CreditNoteByKey reads the credit note issued under a request's key.
func (s *Store) CreditNoteByKey(ctx context.Context, key string) (models.CreditNote, error) {
	var cn models.CreditNote
	err := s.conn(ctx).Where("credit_key = ?", key).Take(&cn).Error
	return cn, mapErr(err, "credit note", key)
}

// ListCreditNotes pages through credit notes, newest number first;
// customerID and invoiceID filter when set.
func (s *Store) ListCreditNotes(ctx context.Context, customerID, invoiceID string, p Page) (List[models.CreditNote], error) {
	q := whereEq(s.conn(ctx).Model(&models.CreditNote{}), "customer_id", customerID, "invoice_id", invoiceID)
	return listNewestFirst(q, "id", p, func(c models.CreditNote) string { return c.ID })
}

// Refund pays unused credit back to a customer, under the customer's lock
// so two refunds never spend the same credit. A repeat of the key answers
// with the first refund.
func (s *Store) Refund(ctx context.Context, r models.Refund) (models.Refund, error) {
	var v models.Validator
	v.Text("key", r.Key, true, models.MaxNameLen)
	v.Amount("amount", r.Amount, 1)
	v.Text("reference", r.Reference, true, models.MaxNameLen)
	if err := v.Err(); err != nil {
		return r, err
	}
	err := s.Tx(ctx, func(tx *Store) error {
		var c models.Customer
		if err := tx.locking(tx.conn(ctx)).Where("id = ?", r.CustomerID).Take(&c).Error; err != nil {
			return mapErr(err, "customer", r.CustomerID)
		}
		// The same request again, or the same bank reference entered twice,
		// is the refund already made.
		var prev []models.Refund
		if err := tx.conn(ctx).Where("refund_key = ? OR (customer_id = ? AND reference = ?)", r.Key, r.CustomerID, strings.TrimSpace(r.Reference)).
			Find(&prev).Error; err != nil {
			return err
		}
		if len(prev) > 0 {
			if prev[0].Amount != r.Amount || prev[0].Currency != r.Currency {
				return models.Conflict("refund %q was made already: %s", prev[0].Reference, models.NewMoney(prev[0].Amount, prev[0].Currency))
			}
			r = prev[0]
			return nil
		}
		r.Reference = strings.TrimSpace(r.Reference)
		avail, err := tx.CreditBalance(ctx, r.CustomerID, r.Currency)
		if err != nil {
			return err
		}
		if r.Amount > avail {
			return models.Invalid("amount", "%s is more than the %s of unused credit", models.NewMoney(r.Amount, r.Currency), models.NewMoney(avail, r.Currency))
		}
		r.ID, r.CreatedAt = NewID(), s.now()
		return tx.conn(ctx).Create(&r).Error
	})
	return r, err
}
