package store

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/q2c-dev/q2c/models"
)

// SaveQuote upserts a quote's read model unless a newer revision is stored.
func (s *Store) SaveQuote(ctx context.Context, q models.QuoteRecord) error {
	now := s.now()
	q.CreatedAt, q.UpdatedAt = now, now
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"status", "version", "rev", "currency", "total", "approval_role", "valid_until", "order_id", "state", "updated_at"}),
		Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "quotes.rev < excluded.rev"}}},
	}).Create(&q).Error
}

// QuoteByID reads a quote's read model.
func (s *Store) QuoteByID(ctx context.Context, id string) (models.QuoteRecord, error) {
	var q models.QuoteRecord
	err := s.conn(ctx).Where("id = ?", id).Take(&q).Error
	return q, mapErr(err, "quote", id)
}

// ListQuotes pages through quotes; customerID and status filter when set.
func (s *Store) ListQuotes(ctx context.Context, customerID, status string, p Page) (List[models.QuoteRecord], error) {
	q := whereEq(s.conn(ctx).Model(&models.QuoteRecord{}), "customer_id", customerID, "status", status)
	return listAfter(q, "id", p, func(r models.QuoteRecord) string { return r.ID })
}

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

// ActiveUsersWithRole lists active users holding role, in id order.
func (s *Store) ActiveUsersWithRole(ctx context.Context, role models.Role) ([]models.User, error) {
	var candidates []models.User
	if err := s.conn(ctx).Where("active = ? AND roles LIKE ?", true, "%"+string(role)+"%").
		Order("id").Find(&candidates).Error; err != nil {
		return nil, err
	}
	out := candidates[:0]
	for _, u := range candidates { // LIKE also matches longer role names
		if u.Roles.Has(role) {
			out = append(out, u)
		}
	}
	return out, nil
}
