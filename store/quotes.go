package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/q2c-dev/q2c/models"
)

// SaveQuote upserts a quote's read model unless a newer revision is stored.
func (s *Store) SaveQuote(ctx context.Context, q models.QuoteRecord) error {
	now := s.now()
	q.CreatedAt, q.UpdatedAt = now, now
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"status", "version", "rev", "currency", "total", "approval_role", "valid_until", "order_id", "needs_approval", "approved_at", "accepted_at", "state", "updated_at"}),
		Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "quotes.rev < excluded.rev"}}},
	}).Create(&q).Error
}

// QuoteByID reads a quote's read model.
func (s *Store) QuoteByID(ctx context.Context, id string) (models.QuoteRecord, error) {
	var q models.QuoteRecord
	err := s.conn(ctx).Where("id = ?", id).Take(&q).Error
	return q, mapErr(err, "quote", id)
}

// ListQuotes pages through quotes, newest first; customerID and status
// filter when set.
func (s *Store) ListQuotes(ctx context.Context, customerID, status string, p Page) (List[models.QuoteRecord], error) {
	q := whereEq(s.conn(ctx).Model(&models.QuoteRecord{}), "customer_id", customerID, "status", status)
	return listByTimeNewestFirst(q, "created_at", "id", p, func(r models.QuoteRecord) (time.Time, string) { return r.CreatedAt, r.ID })
}
