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

// OpenQuote stores a new quote, the start of its workflow and the audit
// trail's entry for it in one transaction (quotes.Open). A quote already
// stored under the ID (a retried request) is left as it is and returned,
// opened false.
func (s *Store) OpenQuote(ctx context.Context, q models.QuoteRecord, validDays int, audit models.AuditEvent) (stored models.QuoteRecord, opened bool, err error) {
	err = s.Tx(ctx, func(tx *Store) error {
		now := tx.now()
		q.CreatedAt, q.UpdatedAt = now, now
		res := tx.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoNothing: true}).Create(&q)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			stored, err = tx.QuoteByID(ctx, q.ID)
			return err
		}
		stored, opened = q, true
		if err := tx.conn(ctx).Create(&models.QuoteStart{QuoteID: q.ID, ValidDays: validDays, CreatedAt: now}).Error; err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit)
	})
	return stored, opened, err
}

// QuoteStartOf is the start waiting for a quote's workflow, if any.
func (s *Store) QuoteStartOf(ctx context.Context, quoteID string) (models.QuoteStart, error) {
	var qs models.QuoteStart
	err := s.conn(ctx).Where("quote_id = ?", quoteID).Take(&qs).Error
	return qs, mapErr(err, "quote start", quoteID)
}

// WaitingQuoteStarts are the oldest quotes whose workflows have not been
// started, opened before until.
func (s *Store) WaitingQuoteStarts(ctx context.Context, until time.Time, limit int) ([]models.QuoteStart, error) {
	var out []models.QuoteStart
	err := s.conn(ctx).Where("started_at IS NULL AND created_at < ?", until).Order("created_at, quote_id").Limit(limit).Find(&out).Error
	return out, err
}

// QuoteStarted records that a quote's workflow runs.
func (s *Store) QuoteStarted(ctx context.Context, quoteID string) error {
	return s.conn(ctx).Model(&models.QuoteStart{}).Where("quote_id = ? AND started_at IS NULL", quoteID).Update("started_at", s.now()).Error
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
