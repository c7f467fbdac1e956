package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/q2c-dev/q2c/models"
)

// ShipLine is a quantity of one order line leaving the warehouse.
type ShipLine struct {
	LineNo int    `json:"line_no"`
	SKU    string `json:"sku"`
	Qty    int64  `json:"qty"`
}

// Shipment records goods leaving: the reserved units are consumed (on hand
// and reserved both go down) and the reservations marked shipped.
type Shipment struct {
	ID        string
	OrderID   string
	Carrier   string
	Tracking  string
	Lines     []ShipLine
	ShippedBy string
	ShippedAt time.Time
}

type shipmentRow struct {
	ID        string
	OrderID   string
	Carrier   string
	Tracking  string
	Lines     string
	ShippedBy string
	ShippedAt time.Time
}

func (shipmentRow) TableName() string { return "shipments" }

// Ship applies a shipment once per shipment ID; a repeat does nothing. It
// refuses to ship more of a line than is reserved for it.
func (s *Store) Ship(ctx context.Context, sh Shipment) error {
	lines, err := json.Marshal(sh.Lines)
	if err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Store) error {
		// Lock first, as Reserve does, then check for a repeat. SKUs are
		// locked in one order so two shipments never deadlock.
		skus := make([]string, 0, len(sh.Lines))
		for _, l := range sh.Lines {
			skus = append(skus, l.SKU)
		}
		slices.Sort(skus)
		for _, sku := range slices.Compact(skus) {
			if _, err := tx.lockSKU(ctx, sku); err != nil {
				return err
			}
		}
		var n int64
		if err := tx.conn(ctx).Model(&shipmentRow{}).Where("id = ?", sh.ID).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		if err := tx.conn(ctx).Create(&shipmentRow{ID: sh.ID, OrderID: sh.OrderID, Carrier: sh.Carrier, Tracking: sh.Tracking,
			Lines: string(lines), ShippedBy: sh.ShippedBy, ShippedAt: sh.ShippedAt.UTC()}).Error; err != nil {
			return mapErr(err, "shipment", sh.ID)
		}
		from := map[shipKey]int64{}
		for _, l := range sh.Lines {
			if err := tx.consume(ctx, sh.OrderID, l, from); err != nil {
				return err
			}
			if err := tx.shipBackorder(ctx, sh.OrderID, l.LineNo, l.Qty); err != nil {
				return err
			}
		}
		return tx.saveShipmentLines(ctx, sh, from)
	})
}

// consume turns qty units of a line's active reservations into shipped ones,
// counting in from what left each warehouse.
func (s *Store) consume(ctx context.Context, orderID string, l ShipLine, from map[shipKey]int64) error {
	var active []models.Reservation
	if err := s.conn(ctx).Where("order_id = ? AND line_no = ? AND status = ?", orderID, l.LineNo, models.ReservationActive).
		Order("id").Find(&active).Error; err != nil {
		return err
	}
	left, now := l.Qty, s.now()
	for _, r := range active {
		if left == 0 {
			break
		}
		take := min(r.Qty, left)
		if take == r.Qty {
			if err := s.conn(ctx).Model(&models.Reservation{}).Where("id = ?", r.ID).
				Updates(map[string]any{"status": models.ReservationShipped, "updated_at": now}).Error; err != nil {
				return err
			}
		} else {
			if err := s.conn(ctx).Model(&models.Reservation{}).Where("id = ?", r.ID).
				Updates(map[string]any{"qty": r.Qty - take, "updated_at": now}).Error; err != nil {
				return err
			}
			shipped := r
			shipped.ID, shipped.Qty, shipped.Status, shipped.CreatedAt, shipped.UpdatedAt = NewID(), take, models.ReservationShipped, now, now
			if err := s.conn(ctx).Create(&shipped).Error; err != nil {
				return err
			}
		}
		if err := s.conn(ctx).Model(&models.StockLevel{}).Where("sku = ? AND warehouse_code = ?", r.SKU, r.WarehouseCode).
			Updates(map[string]any{"on_hand": gorm.Expr("on_hand - ?", take), "reserved": gorm.Expr("reserved - ?", take), "updated_at": now}).Error; err != nil {
			return err
		}
		from[shipKey{lineNo: l.LineNo, sku: l.SKU, warehouse: r.WarehouseCode}] += take
		left -= take
	}
	if left > 0 {
		return models.Conflict("order %s line %d: only %d of %d units are reserved to ship", orderID, l.LineNo, l.Qty-left, l.Qty)
	}
	return nil
}

// NextNumber takes the next value of a gap-free counter. Call it inside the
// transaction that uses the number.
func (s *Store) NextNumber(ctx context.Context, name string) (int64, error) {
	// One statement: it creates the counter at 1 or moves it on, and holds
	// the row's lock to the transaction's end either way.
	var v []int64
	err := s.conn(ctx).Raw(`INSERT INTO counters (name, value) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value`, name).Scan(&v).Error
	if err == nil && len(v) != 1 {
		err = fmt.Errorf("counter %s: %d values returned", name, len(v))
	}
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// numberFor is the number a document takes from counter name: recorded, when
// the document is issued again with the number Temporal remembers it was
// given (a reconciliation after a restore), with the counter moved past it;
// the counter's next value otherwise.
func (s *Store) numberFor(ctx context.Context, name string, recorded int64) (int64, error) {
	if recorded <= 0 {
		return s.NextNumber(ctx, name)
	}
	if err := s.conn(ctx).Exec(`INSERT INTO counters (name, value) VALUES (?, 0) ON CONFLICT (name) DO NOTHING`, name).Error; err != nil {
		return 0, err
	}
	err := s.conn(ctx).Exec(`UPDATE counters SET value = ? WHERE name = ? AND value < ?`, recorded, name, recorded).Error
	return recorded, err
}

// CreateInvoice issues inv once per shipment, numbering it from the gap-free
// "invoice" counter (or with inv.Number when it is reissued with the number
// it was first given), and mirrors its lines for revenue in the same
// transaction; a repeat returns the invoice already issued.
func (s *Store) CreateInvoice(ctx context.Context, inv models.Invoice, lines []InvoiceLineFact) (models.Invoice, error) {
	var out models.Invoice
	err := s.Tx(ctx, func(tx *Store) error {
		err := tx.conn(ctx).Where("shipment_id = ?", inv.ShipmentID).Take(&out).Error
		if err == nil {
			return nil
		}
		if err = mapErr(err, "invoice", inv.ShipmentID); !isNotFound(err) {
			return err
		}
		if inv.Number, err = tx.numberFor(ctx, "invoice", inv.Number); err != nil {
			return err
		}
		inv.ID = fmt.Sprintf("INV-%06d", inv.Number)
		inv.Status = models.InvoiceOpen
		inv.IssuedAt, inv.DueAt = inv.IssuedAt.UTC(), inv.DueAt.UTC()
		if err := tx.conn(ctx).Create(&inv).Error; err != nil {
			return mapErr(err, "invoice", inv.ShipmentID)
		}
		if err := tx.applyCredit(ctx, &inv); err != nil {
			return err
		}
		out = inv
		return tx.saveInvoiceLines(ctx, inv, lines)
	})
	return out, err
}

// PaymentRequest records money received against an invoice.
type PaymentRequest struct {
	InvoiceID  string
	Reference  string // unique per invoice: the same payment recorded twice counts once
	Amount     int64
	Method     string
	RecordedBy string
	ReceivedAt time.Time
}

// RecordPayment applies a payment once per (invoice, reference); recorded
// says whether this call recorded it (false: it was already there). What
// exceeds the balance becomes credit on the customer's account.
func (s *Store) RecordPayment(ctx context.Context, p PaymentRequest) (inv models.Invoice, pay models.Payment, recorded bool, err error) {
	err = s.Tx(ctx, func(tx *Store) error {
		if err := tx.locking(tx.conn(ctx)).Where("id = ?", p.InvoiceID).Take(&inv).Error; err != nil {
			return mapErr(err, "invoice", p.InvoiceID)
		}
		err := tx.conn(ctx).Where("invoice_id = ? AND reference = ?", p.InvoiceID, p.Reference).Take(&pay).Error
		if err == nil && pay.Amount != p.Amount {
			// Another amount under a recorded reference is another payment
			// (the API refuses it; this catches two entered at once).
			return models.Conflict("reference %q is already the payment of %s on invoice %s", p.Reference, models.NewMoney(pay.Amount, inv.Currency), inv.ID)
		}
		if err == nil {
			return nil // already recorded
		}
		if err = mapErr(err, "payment", p.Reference); !isNotFound(err) {
			return err
		}
		if inv.Status == models.InvoiceVoid {
			return models.Conflict("invoice %s is void", inv.ID)
		}
		applied := min(p.Amount, inv.Balance())
		pay = models.Payment{ID: NewID(), InvoiceID: inv.ID, Reference: p.Reference, Amount: p.Amount, Applied: applied,
			Method: p.Method, RecordedBy: p.RecordedBy, ReceivedAt: p.ReceivedAt.UTC()}
		if err := tx.conn(ctx).Create(&pay).Error; err != nil {
			return err
		}
		if extra := p.Amount - applied; extra > 0 {
			if err := tx.conn(ctx).Exec(`INSERT INTO credits (id, customer_id, amount, currency, source, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				NewID(), inv.CustomerID, extra, inv.Currency, "payment:"+pay.ID, s.now()).Error; err != nil {
				return err
			}
		}
		recorded = true
		inv.Paid += applied
		switch {
		case inv.Paid >= inv.Total:
			inv.Status = models.InvoicePaid
		case inv.Status != models.InvoiceOverdue:
			inv.Status = models.InvoicePartiallyPaid
		}
		return tx.conn(ctx).Model(&models.Invoice{}).Where("id = ?", inv.ID).Updates(map[string]any{"paid": inv.Paid, "status": inv.Status}).Error
	})
	return inv, pay, recorded, err
}

// PaymentByReference finds the payment recorded on an invoice under a reference.
func (s *Store) PaymentByReference(ctx context.Context, invoiceID, reference string) (models.Payment, error) {
	var p models.Payment
	err := s.conn(ctx).Where("invoice_id = ? AND reference = ?", invoiceID, reference).Take(&p).Error
	return p, mapErr(err, "payment", reference)
}

// InvoicePayments are the payments recorded on an invoice, in the order
// they were received.
func (s *Store) InvoicePayments(ctx context.Context, invoiceID string) ([]models.Payment, error) {
	out := []models.Payment{}
	err := s.conn(ctx).Where("invoice_id = ?", invoiceID).Order("received_at, id").Find(&out).Error
	return out, err
}

// MarkOverdue flags an unpaid invoice as overdue; a paid one is left alone.
func (s *Store) MarkOverdue(ctx context.Context, invoiceID string) (models.Invoice, error) {
	var inv models.Invoice
	err := s.Tx(ctx, func(tx *Store) error {
		if err := tx.locking(tx.conn(ctx)).Where("id = ?", invoiceID).Take(&inv).Error; err != nil {
			return mapErr(err, "invoice", invoiceID)
		}
		if inv.Status == models.InvoicePaid || inv.Status == models.InvoiceVoid {
			return nil
		}
		inv.Status = models.InvoiceOverdue
		return tx.conn(ctx).Model(&models.Invoice{}).Where("id = ?", invoiceID).Update("status", inv.Status).Error
	})
	return inv, err
}

// InvoiceByID reads an invoice.
func (s *Store) InvoiceByID(ctx context.Context, id string) (models.Invoice, error) {
	var inv models.Invoice
	err := s.conn(ctx).Where("id = ?", id).Take(&inv).Error
	return inv, mapErr(err, "invoice", id)
}

// ListInvoices pages through invoices; customerID, orderID and status filter when set.
func (s *Store) ListInvoices(ctx context.Context, customerID, orderID, status string, p Page) (List[models.Invoice], error) {
	q := whereEq(s.conn(ctx).Model(&models.Invoice{}), "customer_id", customerID, "order_id", orderID, "status", status)
	return listAfter(q, "id", p, func(i models.Invoice) string { return i.ID })
}

// creditLedger is every movement of customers' unused credit: over-payments
// and credit notes in; what paid later invoices and refunds out.
const creditLedger = `SELECT customer_id, currency, amount FROM credits
	UNION ALL SELECT customer_id, currency, -amount FROM credit_applications
	UNION ALL SELECT customer_id, currency, -amount FROM refunds`

// CreditBalance is a customer's unused credit in one currency: over-payments
// and credit notes less what was applied to later invoices or refunded.
func (s *Store) CreditBalance(ctx context.Context, customerID string, currency models.Currency) (int64, error) {
	var v []int64
	err := s.conn(ctx).Raw(`SELECT COALESCE(SUM(amount), 0) FROM (`+creditLedger+`) c WHERE customer_id = ? AND currency = ?`,
		customerID, currency).Scan(&v).Error
	if err != nil || len(v) == 0 {
		return 0, err
	}
	return v[0], nil
}

// applyCredit pays what it can of a new invoice from the customer's unused
// credit in its currency, as a payment by credit. The customer's row is
// locked first, so two invoices issued at once never spend the same credit.
func (s *Store) applyCredit(ctx context.Context, inv *models.Invoice) error {
	var c models.Customer
	if err := s.locking(s.conn(ctx)).Where("id = ?", inv.CustomerID).Take(&c).Error; err != nil {
		return mapErr(err, "customer", inv.CustomerID)
	}
	avail, err := s.CreditBalance(ctx, inv.CustomerID, inv.Currency)
	if err != nil {
		return err
	}
	amount := min(avail, inv.Total)
	if amount <= 0 {
		return nil
	}
	if err := s.conn(ctx).Exec(`INSERT INTO credit_applications (invoice_id, customer_id, currency, amount, created_at) VALUES (?, ?, ?, ?, ?)`,
		inv.ID, inv.CustomerID, inv.Currency, amount, s.now()).Error; err != nil {
		return err
	}
	pay := models.Payment{ID: NewID(), InvoiceID: inv.ID, Reference: CreditReference, Amount: amount, Applied: amount,
		Method: CreditReference, RecordedBy: "system", ReceivedAt: inv.IssuedAt}
	if err := s.conn(ctx).Create(&pay).Error; err != nil {
		return err
	}
	inv.Paid = amount
	inv.Status = models.InvoicePartiallyPaid
	if inv.Paid >= inv.Total {
		inv.Status = models.InvoicePaid
	}
	return s.conn(ctx).Model(&models.Invoice{}).Where("id = ?", inv.ID).Updates(map[string]any{"paid": inv.Paid, "status": inv.Status}).Error
}

// CreditReference is the reference and method of a payment made from credit.
const CreditReference = "q2c-credit"
