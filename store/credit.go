package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/q2c-dev/q2c/approval"
	"github.com/q2c-dev/q2c/models"
)

// OpenOrderStatuses are the order workflow's statuses of an order with
// units still to ship, and so still to invoice (a test holds them equal).
var OpenOrderStatuses = []string{"allocating", "allocated", "backordered", "partially_shipped"}

// unpaidInvoiceStatuses are invoices with a balance.
var unpaidInvoiceStatuses = []string{models.InvoiceOpen, models.InvoicePartiallyPaid, models.InvoiceOverdue}

// CreditPosition is what a customer owes and has ordered, in its own
// currency, as of now: the figures a credit check decides on. Documents in
// another currency are not counted (sums never mix currencies).
func (s *Store) CreditPosition(ctx context.Context, customerID string, now time.Time) (approval.Credit, error) {
	cust, err := s.CustomerByID(ctx, customerID)
	if err != nil {
		return approval.Credit{}, err
	}
	out := approval.Credit{Currency: cust.Currency, Limit: cust.CreditLimit}
	var inv struct{ Balance, Overdue int64 }
	unpaid := s.conn(ctx).Model(&models.Invoice{}).
		Where("customer_id = ? AND currency = ? AND status IN ? AND total > paid", customerID, cust.Currency, unpaidInvoiceStatuses)
	err = unpaid.Session(&gorm.Session{}).Select(`COALESCE(SUM(total - paid), 0) AS balance,
		COALESCE(SUM(CASE WHEN due_at < ? THEN total - paid ELSE 0 END), 0) AS overdue`, now).Scan(&inv).Error
	if err != nil {
		return out, err
	}
	out.OpenInvoices, out.OverdueBalance = inv.Balance, inv.Overdue
	var oldest []models.Invoice // read as a row: SQLite returns an aggregate of times as text
	if err := unpaid.Session(&gorm.Session{}).Select("due_at").Where("due_at < ?", now).Order("due_at").Limit(1).Find(&oldest).Error; err != nil {
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
	return out, err
}
