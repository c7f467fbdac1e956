package store

import (
	"context"
	"time"

	"github.com/q2c-dev/q2c/approval"
	"github.com/q2c-dev/q2c/models"
)

// Customer360 is one customer in one place, for customer service: the
// master data, what it owes and may still order, and its latest quotes,
// orders, invoices, waiting backorders, messages and tickets, newest first.
type Customer360 struct {
	Customer      models.Customer       `json:"customer"`
	Credit        approval.Credit       `json:"credit"`
	Quotes        []models.QuoteRecord  `json:"quotes"`
	Orders        []models.OrderRecord  `json:"orders"`
	Invoices      []models.Invoice      `json:"invoices"`
	Backorders    []models.Backorder    `json:"backorders"`
	Notifications []models.Notification `json:"notifications"`
	Tickets       []models.Ticket       `json:"tickets"`
	Returns       []models.Return       `json:"returns"`
	CreditNotes   []models.CreditNote   `json:"credit_notes"`
	// UnusedCredit is credit on account per currency (over-payments and
	// credit notes not yet applied or refunded).
	UnusedCredit []CreditRow `json:"unused_credit"`
}

// Customer360Rows is how many of each kind of document Customer360 shows.
const Customer360Rows = 20

// Customer360 reads a customer's 360 view as of now.
func (s *Store) Customer360(ctx context.Context, id string, now time.Time) (Customer360, error) {
	var out Customer360
	var err error
	if out.Customer, err = s.CustomerByID(ctx, id); err != nil {
		return out, err
	}
	if out.Credit, err = s.creditPosition(ctx, out.Customer, now, ""); err != nil {
		return out, err
	}
	out.Quotes, out.Orders, out.Invoices = []models.QuoteRecord{}, []models.OrderRecord{}, []models.Invoice{}
	out.Backorders, out.Notifications, out.Tickets = []models.Backorder{}, []models.Notification{}, []models.Ticket{}
	out.Returns, out.CreditNotes = []models.Return{}, []models.CreditNote{}
	newest := func(dst any, column string, where string, args ...any) error {
		return s.conn(ctx).Where(where, args...).Order(column + " DESC").Order("id DESC").Limit(Customer360Rows).Find(dst).Error
	}
	if err := newest(&out.Quotes, "created_at", "customer_id = ?", id); err != nil {
		return out, err
	}
	if err := newest(&out.Orders, "created_at", "customer_id = ?", id); err != nil {
		return out, err
	}
	if err := newest(&out.Invoices, "issued_at", "customer_id = ?", id); err != nil {
		return out, err
	}
	if err := newest(&out.Backorders, "created_at", "customer_id = ? AND status IN ?", id, []string{models.BackorderOpen, models.BackorderPartiallyFilled}); err != nil {
		return out, err
	}
	if err := newest(&out.Tickets, "created_at", "customer_id = ?", id); err != nil {
		return out, err
	}
	if err := newest(&out.Returns, "created_at", "customer_id = ?", id); err != nil {
		return out, err
	}
	if err := newest(&out.CreditNotes, "issued_at", "customer_id = ?", id); err != nil {
		return out, err
	}
	if out.UnusedCredit, err = s.creditRows(ctx, id); err != nil {
		return out, err
	}
	return out, newest(&out.Notifications, "created_at", "owner_kind = ? AND owner_id = ?", models.OwnerCustomer, id)
}
