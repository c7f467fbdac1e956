package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/q2c-dev/q2c/models"
)

// OrderFacts is what the reporting side mirrors of an order.
type OrderFacts struct {
	OrderedAt time.Time
	Lines     []OrderLineFact
	// Priced, when set, fills in the lines' prices and promise dates. The
	// store calls it only when it books the order (the save that first
	// writes its lines): later saves move quantities alone and read nothing
	// more.
	Priced func(lines []OrderLineFact) error
}

// SaveOrder upserts an order's read model unless a newer revision is stored,
// and mirrors its lines in the same transaction. A save that changes
// nothing still writes lines an order lacks (the back-fill relies on it).
func (s *Store) SaveOrder(ctx context.Context, o models.OrderRecord, f OrderFacts) error {
	now := s.now()
	o.CreatedAt, o.UpdatedAt = now, now
	return s.Tx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "id"}},
			DoUpdates: clause.AssignmentColumns([]string{"status", "rev", "currency", "total", "state", "updated_at"}),
			Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "orders.rev < excluded.rev"}}},
		}).Create(&o)
		if res.Error != nil {
			return res.Error
		}
		if f.OrderedAt.IsZero() {
			f.OrderedAt = now
		}
		return tx.saveOrderLines(ctx, o, f)
	})
}

// OrderByID reads an order's read model.
func (s *Store) OrderByID(ctx context.Context, id string) (models.OrderRecord, error) {
	var o models.OrderRecord
	err := s.conn(ctx).Where("id = ?", id).Take(&o).Error
	return o, mapErr(err, "order", id)
}

// ListOrders pages through orders, newest first; customerID and status
// filter when set.
func (s *Store) ListOrders(ctx context.Context, customerID, status string, p Page) (List[models.OrderRecord], error) {
	q := whereEq(s.conn(ctx).Model(&models.OrderRecord{}), "customer_id", customerID, "status", status)
	return listByTimeNewestFirst(q, "created_at", "id", p, func(r models.OrderRecord) (time.Time, string) { return r.CreatedAt, r.ID })
}

// OrdersWithReservedUnits are the orders in one of statuses with units
// reserved for them now, oldest first (creation time, then ID), starting
// after the order (afterAt, afterID) when afterID is set, at most limit:
// the warehouse's queue. Whether a ship-complete order has all it needs
// is in its state, for the caller to decide.
func (s *Store) OrdersWithReservedUnits(ctx context.Context, statuses []string, afterAt time.Time, afterID string, limit int) ([]models.OrderRecord, error) {
	q := s.conn(ctx).Where("status IN ? AND EXISTS (SELECT 1 FROM reservations r WHERE r.order_id = orders.id AND r.status = ?)",
		statuses, models.ReservationActive)
	if afterID != "" {
		q = q.Where("(created_at > ? OR (created_at = ? AND id > ?))", afterAt, afterAt, afterID)
	}
	var out []models.OrderRecord
	err := q.Order("created_at, id").Limit(limit).Find(&out).Error
	return out, err
}
