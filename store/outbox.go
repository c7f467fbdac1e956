package store

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/q2c-dev/q2c/models"
)

// RecordOutboxMessage keeps a message the dev stack did not send. The
// idempotency key makes a retried activity record it once.
func (s *Store) RecordOutboxMessage(ctx context.Context, m models.OutboxMessage) (models.OutboxMessage, error) {
	if m.ID == "" {
		m.ID = NewID()
	}
	m.CreatedAt = s.now()
	res := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "idempotency_key"}}, DoNothing: true}).Create(&m)
	if res.Error != nil {
		return models.OutboxMessage{}, res.Error
	}
	if res.RowsAffected == 1 {
		return m, nil // the row is this one: no need to read it back
	}
	var stored models.OutboxMessage
	err := s.conn(ctx).Where("idempotency_key = ?", m.IdempotencyKey).Take(&stored).Error
	return stored, err
}

// ListOutboxMessages pages through recorded messages, newest last; recipient
// filters when not empty.
func (s *Store) ListOutboxMessages(ctx context.Context, recipient string, p Page) (List[models.OutboxMessage], error) {
	q := whereEq(s.conn(ctx).Model(&models.OutboxMessage{}), "recipient", recipient)
	return listAfter(q, "id", p, func(m models.OutboxMessage) string { return m.ID })
}
