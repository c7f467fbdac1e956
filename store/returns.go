package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/q2c-dev/q2c/models"
)

// ReturnRequest asks to send back units of an order's shipped lines.
type ReturnRequest struct {
	Key     string // the request's idempotency key, if any: a retry answers with its return
	OrderID string
	Lines   []ReturnQty
	Reason  string
	Note    string
	By      string
	At      time.Time
}

// ReturnQty is units of one order line.
type ReturnQty struct {
	LineNo int   `json:"line_no"`
	Qty    int64 `json:"qty"`
}

// CreateReturn authorizes a return under the order's lock, numbered from
// the gap-free "return" counter. Each order line's units are taken from
// its invoices oldest first, so a return never asks back more than was
// billed and not yet returned (by an earlier return that was not
// cancelled).
func (s *Store) CreateReturn(ctx context.Context, r ReturnRequest) (models.Return, error) {
	var v models.Validator
	v.Check(slices.Contains(models.ReturnReasons, r.Reason), "reason", "must be one of "+strings.Join(models.ReturnReasons, ", "))
	v.Text("note", r.Note, false, models.MaxCommentLen)
	v.Check(len(r.Lines) > 0, "lines", "name at least one line and its quantity")
	seen := map[int]bool{}
	for i, l := range r.Lines {
		v.Qty(fmt.Sprintf("lines[%d].qty", i), l.Qty)
		v.Check(!seen[l.LineNo], fmt.Sprintf("lines[%d].line_no", i), "appears twice")
		seen[l.LineNo] = true
	}
	if err := v.Err(); err != nil {
		return models.Return{}, err
	}
	var out models.Return
	err := s.Tx(ctx, func(tx *Store) error {
		var o models.OrderRecord
		if err := tx.locking(tx.conn(ctx)).Where("id = ?", r.OrderID).Take(&o).Error; err != nil {
			return notFoundField(err, "order_id")
		}
		if r.Key != "" {
			var prev []models.Return
			if err := tx.conn(ctx).Where("return_key = ?", r.Key).Find(&prev).Error; err != nil {
				return err
			}
			if len(prev) > 0 {
				if prev[0].OrderID != o.ID {
					return models.Conflict("this request's key was used for return %s of order %s", prev[0].ID, prev[0].OrderID)
				}
				var err error
				out, err = tx.lockReturn(ctx, prev[0].ID)
				return err
			}
		}
		out = models.Return{OrderID: o.ID, CustomerID: o.CustomerID, Status: models.ReturnAuthorized, Reason: r.Reason,
			Note: strings.TrimSpace(r.Note), RequestedBy: r.By, CreatedAt: r.At.UTC()}
		if r.Key != "" {
			out.Key = &r.Key
		}
		all, err := tx.Returnable(ctx, o.ID)
		if err != nil {
			return err
		}
		for i, want := range r.Lines {
			lines := slices.DeleteFunc(slices.Clone(all), func(l models.ReturnLine) bool { return l.LineNo != want.LineNo })
			var can int64
			for _, l := range lines {
				can += l.Qty
			}
			if want.Qty > can {
				return models.Invalid(fmt.Sprintf("lines[%d].qty", i), "line %d has %d units shipped and not yet returned", want.LineNo, can)
			}
			left := want.Qty
			for _, l := range lines {
				if left == 0 {
					break
				}
				l.Qty = min(l.Qty, left)
				left -= l.Qty
				out.Lines = append(out.Lines, l)
			}
		}
		if out.Number, err = tx.NextNumber(ctx, "return"); err != nil {
			return err
		}
		out.ID = fmt.Sprintf("RMA-%06d", out.Number)
		if err := tx.conn(ctx).Create(&out).Error; err != nil {
			return err
		}
		for i := range out.Lines {
			out.Lines[i].ReturnID = out.ID
		}
		return tx.conn(ctx).Create(&out.Lines).Error
	})
	return out, err
}

// Returnable lists, per order line and invoice (oldest first), the units
// of an order billed and not yet on a return that was not cancelled.
func (s *Store) Returnable(ctx context.Context, orderID string) ([]models.ReturnLine, error) {
	var out []models.ReturnLine
	err := s.conn(ctx).Raw(`SELECT l.invoice_id, l.line_no, l.sku, l.qty - COALESCE((
			SELECT SUM(CASE WHEN r.status = ? THEN rl.received ELSE rl.qty END) FROM return_lines rl JOIN returns r ON r.id = rl.return_id
			WHERE rl.invoice_id = l.invoice_id AND rl.line_no = l.line_no AND r.status <> ?), 0) AS qty
		FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
		WHERE l.order_id = ? AND l.qty > 0 AND i.status <> ?
		ORDER BY l.line_no, i.number`, models.ReturnReceived, models.ReturnCancelled, orderID, models.InvoiceVoid).Scan(&out).Error
	return slices.DeleteFunc(out, func(l models.ReturnLine) bool { return l.Qty <= 0 }), err
}

// ReturnReceipt is what came back of a return: per order line, how many
// units, and how many of them are sellable (they go back on the shelf).
type ReturnReceipt struct {
	ReturnID  string
	Warehouse string
	Lines     []ReceivedQty
	By        string
	At        time.Time
}

// ReceivedQty is units of one order line that came back.
type ReceivedQty struct {
	LineNo   int   `json:"line_no"`
	Received int64 `json:"received"`
	Sellable int64 `json:"sellable"`
}

// ReturnResult is a received return, what its sellable units filled and
// the credit notes it needs (issued by the caller, one per invoice).
type ReturnResult struct {
	Return   models.Return          `json:"return"`
	Receipts []models.ReceiptResult `json:"receipts"`
	Credits  []CreditRequest        `json:"-"`
}

// ReceiveReturn takes a return in under its lock: sellable units go back
// through Receive (the SKU's lock, waiting backorders filled by priority)
// and the return is marked received. A return received already answers
// with what it was, so a retry changes nothing.
func (s *Store) ReceiveReturn(ctx context.Context, r ReturnReceipt) (ReturnResult, error) {
	var out ReturnResult
	err := s.Tx(ctx, func(tx *Store) error {
		ret, err := tx.lockReturn(ctx, r.ReturnID)
		if err != nil {
			return err
		}
		out.Return = ret
		switch ret.Status {
		case models.ReturnReceived:
			// The same receipt again (a retry whose answer was lost) issues
			// the same credit notes; a different one is a mistake.
			if !sameReceipt(ret, r) {
				return models.Conflict("return %s was received already, at %s: its stock and credit notes stand", ret.ID, ret.Warehouse)
			}
			out.Credits = creditsFor(ret)
			return nil
		case models.ReturnCancelled:
			return models.Conflict("return %s is cancelled", ret.ID)
		}
		var v models.Validator
		v.Text("warehouse", r.Warehouse, true, models.MaxCodeLen)
		v.Check(len(r.Lines) > 0, "lines", "say what came back of each line")
		byLine := map[int]ReceivedQty{}
		for i, l := range r.Lines {
			var want int64
			for _, rl := range ret.Lines {
				if rl.LineNo == l.LineNo {
					want += rl.Qty
				}
			}
			f := fmt.Sprintf("lines[%d]", i)
			v.Check(want > 0, f+".line_no", fmt.Sprintf("line %d is not on return %s", l.LineNo, ret.ID))
			v.Check(l.Received >= 0 && l.Received <= want, f+".received", fmt.Sprintf("must be between 0 and the %d units authorized", want))
			v.Check(l.Sellable >= 0 && l.Sellable <= l.Received, f+".sellable", "must be between 0 and the units received")
			byLine[l.LineNo] = l
		}
		var came int64
		for _, l := range ReturnLineTotals(ret) {
			_, ok := byLine[l.LineNo]
			v.Check(ok, "lines", fmt.Sprintf("say what came back of line %d (0 when nothing did)", l.LineNo))
			came += byLine[l.LineNo].Received
		}
		v.Check(came > 0 || len(r.Lines) == 0, "lines", "nothing came back: cancel the return instead")
		if err := v.Err(); err != nil {
			return err
		}
		restock := map[string]int64{}
		for i := range ret.Lines {
			rl := &ret.Lines[i]
			got := byLine[rl.LineNo]
			rl.Received = min(got.Received, rl.Qty) // the line's units, over its invoices in order
			rl.Restocked = min(got.Sellable, rl.Received)
			byLine[rl.LineNo] = ReceivedQty{LineNo: rl.LineNo, Received: got.Received - rl.Received, Sellable: got.Sellable - rl.Restocked}
			restock[rl.SKU] += rl.Restocked
			if err := tx.conn(ctx).Model(&models.ReturnLine{}).Where("return_id = ? AND invoice_id = ? AND line_no = ?", ret.ID, rl.InvoiceID, rl.LineNo).
				Updates(map[string]any{"received": rl.Received, "restocked": rl.Restocked}).Error; err != nil {
				return err
			}
		}
		for _, sku := range slices.Sorted(maps.Keys(restock)) { // one lock order, as shipments take them
			if restock[sku] == 0 {
				continue
			}
			res, err := tx.Receive(ctx, Receipt{Key: ret.ID, SKU: sku, Warehouse: r.Warehouse, Qty: restock[sku], ReceivedBy: r.By})
			if err != nil {
				return err
			}
			out.Receipts = append(out.Receipts, res)
		}
		at := r.At.UTC()
		ret.Status, ret.Warehouse, ret.ReceivedBy, ret.ReceivedAt = models.ReturnReceived, r.Warehouse, r.By, &at
		if err := tx.conn(ctx).Model(&models.Return{}).Where("id = ?", ret.ID).
			Updates(map[string]any{"status": ret.Status, "warehouse": ret.Warehouse, "received_by": r.By, "received_at": at}).Error; err != nil {
			return err
		}
		out.Return, out.Credits = ret, creditsFor(ret)
		return nil
	})
	return out, err
}

// ReturnLineTotals sums a return's lines per order line (one order line
// can span several invoices), in order.
func ReturnLineTotals(r models.Return) []models.ReturnLine {
	var out []models.ReturnLine
	for _, l := range r.Lines {
		if n := len(out); n > 0 && out[n-1].LineNo == l.LineNo {
			out[n-1].Qty += l.Qty
			out[n-1].Received += l.Received
			out[n-1].Restocked += l.Restocked
			continue
		}
		out = append(out, l)
	}
	return out
}

// sameReceipt reports whether r says what ret's receipt said.
func sameReceipt(ret models.Return, r ReturnReceipt) bool {
	if r.Warehouse != ret.Warehouse {
		return false
	}
	totals := ReturnLineTotals(ret)
	if len(r.Lines) != len(totals) {
		return false
	}
	for _, l := range r.Lines {
		i := slices.IndexFunc(totals, func(t models.ReturnLine) bool { return t.LineNo == l.LineNo })
		if i < 0 || totals[i].Received != l.Received || totals[i].Restocked != l.Sellable {
			return false
		}
	}
	return true
}

// creditsFor lists the credit notes a received return needs: one per
// invoice with units that came back, keyed by return and invoice.
func creditsFor(ret models.Return) []CreditRequest {
	var out []CreditRequest
	for _, rl := range ret.Lines {
		if rl.Received == 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].InvoiceID == rl.InvoiceID {
			out[n-1].Lines = append(out[n-1].Lines, rl)
			continue
		}
		out = append(out, CreditRequest{Key: ret.ID + "/" + rl.InvoiceID, InvoiceID: rl.InvoiceID, Kind: models.CreditForReturn, ReturnID: ret.ID,
			Reason: "return " + ret.ID + ": " + strings.ReplaceAll(ret.Reason, "_", " "), Lines: []models.ReturnLine{rl}, By: ret.ReceivedBy, At: *ret.ReceivedAt})
	}
	return out
}

// CancelReturn cancels a return whose goods never came.
func (s *Store) CancelReturn(ctx context.Context, id string) (models.Return, error) {
	var out models.Return
	err := s.Tx(ctx, func(tx *Store) error {
		var err error
		if out, err = tx.lockReturn(ctx, id); err != nil {
			return err
		}
		switch out.Status {
		case models.ReturnCancelled:
			return nil
		case models.ReturnReceived:
			return models.Conflict("return %s was received: its credit notes stand", id)
		}
		out.Status = models.ReturnCancelled
		return tx.conn(ctx).Model(&models.Return{}).Where("id = ?", id).Update("status", out.Status).Error
	})
	return out, err
}

func (s *Store) lockReturn(ctx context.Context, id string) (models.Return, error) {
	var ret models.Return
	if err := s.locking(s.conn(ctx)).Where("id = ?", id).Take(&ret).Error; err != nil {
		return ret, mapErr(err, "return", id)
	}
	err := s.conn(ctx).Where("return_id = ?", id).Order("line_no").Order("invoice_id").Find(&ret.Lines).Error
	return ret, err
}

// ReturnByID reads a return with its lines and credit notes.
func (s *Store) ReturnByID(ctx context.Context, id string) (models.Return, error) {
	var ret models.Return
	if err := s.conn(ctx).Where("id = ?", id).Take(&ret).Error; err != nil {
		return ret, mapErr(err, "return", id)
	}
	if err := s.conn(ctx).Where("return_id = ?", id).Order("line_no").Order("invoice_id").Find(&ret.Lines).Error; err != nil {
		return ret, err
	}
	if err := s.conn(ctx).Where("return_id = ?", id).Order("number").Find(&ret.CreditNotes).Error; err != nil {
		return ret, err
	}
	if ret.Status != models.ReturnReceived {
		return ret, nil
	}
	var pending []int64
	err := s.conn(ctx).Raw(`SELECT COUNT(DISTINCT l.invoice_id) FROM return_lines l JOIN invoices i ON i.id = l.invoice_id
		WHERE l.return_id = ? AND l.received > 0 AND i.status <> ?
		AND NOT EXISTS (SELECT 1 FROM credit_notes c WHERE c.return_id = l.return_id AND c.invoice_id = l.invoice_id)`,
		id, models.InvoiceVoid).Scan(&pending).Error
	if len(pending) > 0 {
		ret.CreditsPending = int(pending[0])
	}
	return ret, err
}

// ListReturns pages through returns, newest first; customerID, orderID and
// status filter when set.
func (s *Store) ListReturns(ctx context.Context, customerID, orderID, status string, p Page) (List[models.Return], error) {
	q := whereEq(s.conn(ctx).Model(&models.Return{}), "customer_id", customerID, "order_id", orderID, "status", status)
	return listNewestFirst(q, "id", p, func(r models.Return) string { return r.ID })
}
