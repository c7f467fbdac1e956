package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/q2c-dev/q2c/approval"
	"github.com/q2c-dev/q2c/models"
)

// OverdueGrace is how long after its due date an unpaid invoice counts as
// overdue: the order workflow's OverdueAfter (a test holds them equal).
const OverdueGrace = 24 * time.Hour

// OpenOrderStatuses are the order workflow's statuses of an order with
// units still to ship, and so still to invoice (a test holds them equal).
var OpenOrderStatuses = []string{"allocating", "allocated", "backordered", "partially_shipped"}

// unpaidInvoiceStatuses are invoices with a balance.
var unpaidInvoiceStatuses = []string{models.InvoiceOpen, models.InvoicePartiallyPaid, models.InvoiceOverdue}

// CreditPosition is what a customer owes and has ordered, in its own
// currency, as of now: the figures a credit check decides on. Orders
// include acceptances that passed the check and whose order is not saved
// yet. Documents in another currency are not counted (sums never mix
// currencies).
func (s *Store) CreditPosition(ctx context.Context, customerID string, now time.Time) (approval.Credit, error) {
	var cust models.Customer
	if err := s.conn(ctx).Where("id = ?", customerID).Take(&cust).Error; err != nil {
		return approval.Credit{}, mapErr(err, "customer", customerID)
	}
	return s.creditPosition(ctx, cust, now, "")
}

// CreditCheck asks whether an order may be placed on credit.
type CreditCheck struct {
	CustomerID, QuoteID string
	Currency            models.Currency
	Total               int64
	At                  time.Time
	OverdueDays         int
	// Approved: finance released a hold; the amount is committed whatever
	// the figures say.
	Approved bool
}

// CheckCredit decides a credit check under the customer's row lock, so
// checks for the same customer run one after another: when the order may
// go ahead (no reasons, or approved), its amount is committed before the
// lock is released and the next check counts it. Checking the same quote
// again counts its own commitment once.
func (s *Store) CheckCredit(ctx context.Context, c CreditCheck) (pos approval.Credit, reasons []string, err error) {
	err = s.Tx(ctx, func(tx *Store) error {
		var cust models.Customer
		if err := tx.locking(tx.conn(ctx)).Where("id = ?", c.CustomerID).Take(&cust).Error; err != nil {
			return mapErr(err, "customer", c.CustomerID)
		}
		var err error
		if pos, err = tx.creditPosition(ctx, cust, c.At, c.QuoteID); err != nil {
			return err
		}
		if c.Currency == pos.Currency {
			reasons = approval.CreditReasons(pos, c.Total, c.At, c.OverdueDays)
		}
		if len(reasons) > 0 && !c.Approved {
			return nil
		}
		return tx.conn(ctx).Exec(`INSERT INTO credit_commitments (quote_id, customer_id, currency, amount, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (quote_id) DO NOTHING`, c.QuoteID, c.CustomerID, c.Currency, c.Total, s.now()).Error
	})
	return pos, reasons, err
}

// creditPosition reads cust's position at now, leaving out the commitment
// of quote exceptQuote (the one being checked).
func (s *Store) creditPosition(ctx context.Context, cust models.Customer, now time.Time, exceptQuote string) (approval.Credit, error) {
	customerID := cust.ID
	var err error
	out := approval.Credit{Currency: cust.Currency, Limit: cust.CreditLimit}
	// Overdue as the dunning counts it: a day after the due date, so an
	// invoice due on receipt is not overdue the moment it is issued.
	overdueBefore := now.Add(-OverdueGrace)
	var inv struct{ Balance, Overdue int64 }
	unpaid := s.conn(ctx).Model(&models.Invoice{}).
		Where("customer_id = ? AND currency = ? AND status IN ? AND total > paid", customerID, cust.Currency, unpaidInvoiceStatuses)
	err = unpaid.Session(&gorm.Session{}).Select(`COALESCE(SUM(total - paid), 0) AS balance,
		COALESCE(SUM(CASE WHEN due_at < ? THEN total - paid ELSE 0 END), 0) AS overdue`, overdueBefore).Scan(&inv).Error
	if err != nil {
		return out, err
	}
	out.OpenInvoices, out.OverdueBalance = inv.Balance, inv.Overdue
	var oldest []models.Invoice // read as a row: SQLite returns an aggregate of times as text
	if err := unpaid.Session(&gorm.Session{}).Select("due_at").Where("due_at < ?", overdueBefore).Order("due_at").Limit(1).Find(&oldest).Error; err != nil {
		return out, err
	}
	if len(oldest) == 1 {
		t := oldest[0].DueAt.UTC()
		out.OldestOverdue = &t
	}
	// What open orders have not invoiced yet: their total less their
	// invoices' (the invoices are counted above by their balance).
	err = s.conn(ctx).Raw(`SELECT COALESCE(SUM(o.total - COALESCE(i.invoiced, 0)), 0)
		FROM orders o LEFT JOIN (SELECT order_id, SUM(total) AS invoiced FROM invoices WHERE customer_id = ? GROUP BY order_id) i ON i.order_id = o.id
		WHERE o.customer_id = ? AND o.currency = ? AND o.status IN ?`,
		customerID, customerID, cust.Currency, OpenOrderStatuses).Scan(&out.Uninvoiced).Error
	if err != nil {
		return out, err
	}
	// A commitment whose quote has its order is the order's from then on:
	// booking the order deletes it, but one written again after that (a
	// reconciliation re-applying the credit check) stays, and this NOT
	// EXISTS is what keeps it from counting twice.
	var committed int64
	err = s.conn(ctx).Raw(`SELECT COALESCE(SUM(amount), 0) FROM credit_commitments c
		WHERE c.customer_id = ? AND c.currency = ? AND c.quote_id <> ? AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.quote_id = c.quote_id)`,
		customerID, cust.Currency, exceptQuote).Scan(&committed).Error
	out.Uninvoiced += committed
	return out, err
}
