package store

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/q2c-dev/q2c/models"
)

// SaveOrder upserts an order's read model unless a newer revision is stored.
func (s *Store) SaveOrder(ctx context.Context, o models.OrderRecord) error {
	now := s.now()
	o.CreatedAt, o.UpdatedAt = now, now
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"status", "rev", "currency", "total", "state", "updated_at"}),
		Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "orders.rev < excluded.rev"}}},
	}).Create(&o).Error
}

// OrderByID reads an order's read model.
func (s *Store) OrderByID(ctx context.Context, id string) (models.OrderRecord, error) {
	var o models.OrderRecord
	err := s.conn(ctx).Where("id = ?", id).Take(&o).Error
	return o, mapErr(err, "order", id)
}

// ListOrders pages through orders; customerID and status filter when set.
func (s *Store) ListOrders(ctx context.Context, customerID, status string, p Page) (List[models.OrderRecord], error) {
	q := whereEq(s.conn(ctx).Model(&models.OrderRecord{}), "customer_id", customerID, "status", status)
	return listAfter(q, "id", p, func(r models.OrderRecord) string { return r.ID })
}
