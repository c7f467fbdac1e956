package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/q2c-dev/q2c/models"
)

// SaveTicket writes a ticket's read model; an older revision never
// overwrites a newer one (activity retries, out-of-order saves).
func (s *Store) SaveTicket(ctx context.Context, t models.Ticket) error {
	t.Comments = nil
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"status", "priority", "assignee", "rev", "first_response_at", "escalated_at",
			"response_due_at", "updated_at"}),
		Where: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "tickets.rev < excluded.rev"}}},
	}).Create(&t).Error
}

// AddTicketComment adds a comment once: a retry with the same ID adds
// nothing.
func (s *Store) AddTicketComment(ctx context.Context, c models.TicketComment) error {
	return s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&c).Error
}

// TicketByID reads a ticket with its thread, oldest first; withInternal
// false leaves out the internal comments (what a customer sees).
func (s *Store) TicketByID(ctx context.Context, id string, withInternal bool) (models.Ticket, error) {
	var t models.Ticket
	if err := s.conn(ctx).Where("id = ?", id).Take(&t).Error; err != nil {
		return t, mapErr(err, "ticket", id)
	}
	q := s.conn(ctx).Where("ticket_id = ?", id)
	if !withInternal {
		q = q.Where("visible = ?", true)
	}
	t.Comments = []models.TicketComment{}
	return t, q.Order("created_at").Order("id").Find(&t.Comments).Error
}

// TicketFilter narrows a ticket list; empty fields do not filter.
type TicketFilter struct {
	CustomerID, Status, Assignee string
	Escalated                    bool
}

// ListTickets pages through tickets newest first (by when they were
// opened, then id).
func (s *Store) ListTickets(ctx context.Context, f TicketFilter, p Page) (List[models.Ticket], error) {
	q := whereEq(s.conn(ctx).Model(&models.Ticket{}), "customer_id", f.CustomerID, "status", f.Status, "assignee", f.Assignee)
	if f.Escalated {
		q = q.Where("escalated_at IS NOT NULL")
	}
	if at, id, ok := strings.Cut(p.after(), "|"); ok {
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return List[models.Ticket]{}, models.Invalid("cursor", "is not a cursor this list gave")
		}
		q = q.Where("created_at < ? OR (created_at = ? AND id < ?)", t, t, id)
	}
	var rows []models.Ticket
	if err := q.Order("created_at DESC").Order("id DESC").Limit(p.limit() + 1).Find(&rows).Error; err != nil {
		return List[models.Ticket]{}, err
	}
	return paginate(rows, p, func(t models.Ticket) string { return t.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + t.ID }), nil
}

// LinkedTo checks that a ticket's link names a document of the customer:
// a quote, an order, a backorder or an invoice.
func (s *Store) LinkedTo(ctx context.Context, kind, id, customerID string) error {
	table := map[string]string{models.LinkQuote: "quotes", models.LinkOrder: "orders", models.LinkBackorder: "backorders", models.LinkInvoice: "invoices"}[kind]
	if table == "" {
		return models.Invalid("link_kind", "must be quote, order, backorder or invoice")
	}
	var n int64
	if err := s.conn(ctx).Table(table).Where("id = ? AND customer_id = ?", id, customerID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return models.Invalid("link_id", "is not one of this customer's %ss", kind)
	}
	return nil
}
